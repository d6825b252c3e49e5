"""asyncua's tracebacks, errors and chatter reach the log only with ``-v``."""

import logging

import drivers.opcua  # noqa: F401  (puts the filter on asyncua's loggers)
from hmi.core.logs import setup_logging
from tests.unit.test_logs import own_logging  # noqa: F401  (autouse: the root logger kept)

SOCKET = "asyncua.client.ua_client.UASocketProtocol"
SESSION = "asyncua.client.ua_session.UaSession"


def library_lines() -> None:
    try:
        raise ValueError("Buffer(b'\\x4f\\x50\\x4e\\x46...')")
    except ValueError:
        logging.getLogger(SOCKET).exception("Exception raised while parsing message from server")
    logging.getLogger("asyncua.client.client").error("create_session fault response: refused")
    logging.getLogger(SESSION).warning("close_session was called but connection is closed")
    logging.getLogger("asyncua.client.client").warning("server certificate expires soon")
    logging.getLogger("drivers.opcua.driver").warning("filler_plc: offline: connection lost")


def test_without_verbose_only_the_drivers_own_words_and_other_warnings_pass(capsys):
    setup_logging(verbose=False, to_file=False)
    library_lines()
    err = capsys.readouterr().err
    assert "filler_plc: offline: connection lost" in err
    assert "server certificate expires soon" in err
    assert "Traceback" not in err and "Buffer(" not in err
    assert "parsing message" not in err and "create_session fault" not in err
    assert "close_session" not in err


def test_verbose_shows_every_library_line_with_its_traceback(capsys):
    setup_logging(verbose=True, to_file=False)
    library_lines()
    err = capsys.readouterr().err
    assert "Traceback" in err and "Buffer(b'" in err
    assert "create_session fault response" in err and "close_session was called" in err
