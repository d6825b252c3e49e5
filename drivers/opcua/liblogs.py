"""asyncua's own log lines, kept for ``-v``.

The library logs ERRORs with tracebacks (and the bytes of a message it could not parse)
and warnings about sessions closing on dead sockets, for faults the driver reports
itself, once, as what they are: "connection lost", "the server stopped answering", "a
certificate other than the one trusted", "server sends String, tag is int32". Without
``-v`` (the root logger above DEBUG) those lines are left out; with ``-v`` every line of
the library passes as it was. Other library warnings pass either way.
"""

from __future__ import annotations

import logging

# warnings that only repeat what the driver says itself
CHATTER = (
    "Publish iteration crashed",  # the connection dropped under the publish loop
    "Received data for unknown subscription",  # a publish racing a new subscription
    "close_session was called but connection is closed",
    "close_session but connection wasn't established",
    "close_secure_channel was called but connection is closed",
    "disconnect_socket was called but transport is None",
    "Received an error:",  # the server's ErrorMessage; its status is in the reason
)
# loggers asyncua makes per object, so they do not exist before the first client does
_PER_OBJECT = (
    "asyncua.client.ua_session.UaSession",
    "asyncua.client.ua_client.UASocketProtocol",
    "asyncua.client.ua_client.UaClient",
)


class LibraryNoise(logging.Filter):
    """Leaves out asyncua's tracebacks, errors and chatter unless the log is verbose."""

    def filter(self, record: logging.LogRecord) -> bool:
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        if record.levelno >= logging.ERROR or record.exc_info:
            return False
        return not (isinstance(record.msg, str) and record.msg.startswith(CHATTER))


_FILTER = LibraryNoise()


def quiet_library_logs() -> None:
    """Put the filter on every asyncua logger (a logger's filter sees only its own lines).

    Idempotent; call after asyncua is imported, so its module loggers exist.
    """
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "asyncua"]
    for name in {*names, *_PER_OBJECT}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
