"""A throw-away Mosquitto broker on 127.0.0.1 for the MQTT tests and benchmarks.

Its configuration, password file, certificates and persistence live in a temporary
folder; it listens on a plain port with username/password and on a TLS port (a CA and a
``localhost`` server certificate made here). ``stop()`` and ``start()`` again keep the
ports and the persisted sessions, so a test can stop the broker in the middle of a burst;
``kill()`` stops it without letting it save (as a power cut would).

    broker = Mosquitto(tmp_path).start()
    broker.port, broker.tls_port, broker.ca_file, USER, PASSWORD
"""

from __future__ import annotations

import getpass
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.helpers import free_port
from tests.integration.slapd import make_ca, make_server_cert

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"
USER, PASSWORD = "line1", "line1-broker-pass"
START_S = 10.0  # longest wait for the broker to listen

CONFIG = """\
user {user}
per_listener_settings false
allow_anonymous false
password_file {dir}/passwd
persistence true
persistence_location {dir}/data/
autosave_interval 1
max_queued_messages 0
max_inflight_messages 0
log_dest file {dir}/mosquitto.log
log_type error
log_type warning
log_type notice
listener {port} 127.0.0.1
listener {tls_port} 127.0.0.1
cafile {dir}/ca.pem
certfile {dir}/server.pem
keyfile {dir}/server.key
"""


def available() -> str | None:
    """Why Mosquitto cannot run here, or None."""
    if not Path(MOSQUITTO).exists():
        return "Mosquitto is not installed (apt-get install mosquitto)"
    if not Path(MOSQUITTO_PASSWD).exists():
        return "mosquitto_passwd is missing (apt-get install mosquitto)"
    return None


class Mosquitto:
    """Mosquitto in ``folder``: ``start()``, ``stop()``, ``kill()``, ``start()`` again."""

    def __init__(self, folder: Path, users: dict[str, str] | None = None):
        self.folder = Path(folder)
        self.port = free_port()
        self.tls_port = free_port()
        self.users = dict(users or {USER: PASSWORD})
        self.process: subprocess.Popen[bytes] | None = None
        self._configured = False

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def log(self) -> str:
        path = self.folder / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _configure(self) -> None:
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        ca_key, ca = make_ca(self.folder, "ca")
        make_server_cert(self.folder, ca_key, ca)
        passwd = self.folder / "passwd"
        passwd.write_text("")
        for user, password in self.users.items():
            subprocess.run(
                [MOSQUITTO_PASSWD, "-b", str(passwd), user, password],
                check=True,
                capture_output=True,
                timeout=10,
            )
        passwd.chmod(0o600)
        (self.folder / "mosquitto.conf").write_text(
            CONFIG.format(
                user=getpass.getuser(), dir=self.folder, port=self.port, tls_port=self.tls_port
            )
        )
        self._configured = True

    def start(self) -> Mosquitto:
        if self.process is not None and self.process.poll() is None:
            return self
        if not self._configured:
            self._configure()
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.folder / "mosquitto.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                stderr = self.process.stderr
                err = stderr.read().decode(errors="replace") if stderr else ""
                raise RuntimeError(f"mosquitto exited at start: {err.strip()}\n{self.log}")
            if _listening(self.port) and _listening(self.tls_port):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen within {START_S:g} s\n{self.log}")

    def stop(self) -> None:
        """A clean stop: the broker saves its sessions and queued messages."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """Gone at once, as in a power cut: what it had not saved is lost."""
        self._end(signal.SIGKILL)

    def _end(self, sig: int) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stderr:
            process.stderr.close()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0
