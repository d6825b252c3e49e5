import atexit
import os
import shutil
import tempfile

import pytest

from tests.helpers import free_port

# The application's folders (data, config, logs, cache) are a throw-away one for the whole
# session, set before anything runs so that the hmi processes tests start inherit it too:
# no test writes into the real home folder, nor into a LINEA_HMI_DATA set outside.
_HOME = tempfile.mkdtemp(prefix="linea-hmi-tests-")
os.environ["LINEA_HMI_HOME"] = _HOME
os.environ.pop("LINEA_HMI_DATA", None)
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def mosquitto(tmp_path_factory):
    """A Mosquitto broker of the test's own on 127.0.0.1 (``tests/mosquitto.py``)."""
    from tests.mosquitto import Mosquitto, available

    why = available()
    if why:
        pytest.fail(f"{why}: .ci/run installs it")
    broker = Mosquitto(tmp_path_factory.mktemp("mosquitto")).start()
    yield broker
    broker.remove()


@pytest.fixture
def postgres():
    """A PostgreSQL server of the test's own on 127.0.0.1 (``tests/postgres.py``)."""
    from tests.postgres import Postgres, available

    why = available()
    if why:
        pytest.fail(f"{why}: .ci/run installs it")
    server = Postgres().start()
    yield server
    server.remove()
