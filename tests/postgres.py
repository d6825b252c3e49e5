"""A throw-away PostgreSQL on 127.0.0.1 for the database tests and benchmarks.

``initdb`` into a temporary folder, a password-authenticated (SCRAM) role that owns its
own database, and TLS on the same port (a CA and a ``localhost`` server certificate made
here; ``hostssl`` and ``host`` both allowed, so a test chooses). ``stop()`` (a fast
shutdown: sessions are ended, nothing committed is lost), ``kill()`` (the postmaster and
every backend SIGKILLed, as a power cut: recovery replays the WAL at the next start) and
``start()`` again keep the port and the data.

PostgreSQL refuses to run as root: when the tests do, the server runs as the ``postgres``
user the Debian package creates (else ``nobody``), and its folder belongs to that user.

    db = Postgres().start()
    db.port, db.ca_file, db.dsn(), USER, PASSWORD, DATABASE
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.helpers import free_port

USER, PASSWORD, DATABASE = "linea", "linea-db-pass", "plant"
SUPERUSER, SUPERPASSWORD = "postgres", "postgres-test-pass"
START_S = 30.0  # longest wait for the server to take connections
STOP_S = 30.0
SEARCH = ("/usr/lib/postgresql", "/usr/local/bin", "/usr/bin")

HBA = """\
local all all trust
hostssl all all 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
"""

CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{dir}'
max_connections = 40
shared_buffers = 32MB
fsync = on
synchronous_commit = on
password_encryption = 'scram-sha-256'
ssl = on
ssl_cert_file = '{dir}/server.pem'
ssl_key_file = '{dir}/server.key'
log_destination = 'stderr'
logging_collector = off
"""


def binaries() -> Path | None:
    """The folder holding ``initdb`` and ``postgres`` (Debian: /usr/lib/postgresql/N/bin,
    the newest version first), or None."""
    root = Path(SEARCH[0])
    if root.is_dir():
        versions = sorted(
            (p for p in root.iterdir() if p.name.isdigit()), key=lambda p: -int(p.name)
        )
        for version in versions:
            if (version / "bin" / "initdb").exists():
                return version / "bin"
    for folder in SEARCH[1:]:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "postgres").exists():
            return Path(folder)
    return None


def available() -> str | None:
    """Why PostgreSQL cannot run here, or None."""
    if binaries() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e .)"
    return None


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for this process's user; postgres or nobody for root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


class Postgres:
    """PostgreSQL in a folder of its own: ``start()``, ``stop()``, ``kill()``, ``start()``."""

    def __init__(self) -> None:
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError(available() or "PostgreSQL is missing")
        self.folder = Path(tempfile.mkdtemp(prefix="linea-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user, self.password, self.database = USER, PASSWORD, DATABASE
        self.process: subprocess.Popen[bytes] | None = None
        self._owner = _server_user()
        self._configured = False

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def log(self) -> str:
        path = self.folder / "postgres.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def dsn(self, *, user: str | None = None, password: str | None = None, **more: str) -> str:
        """A libpq connection string to the test database as the test's role."""
        parts = {
            "host": self.host,
            "port": str(self.port),
            "dbname": self.database,
            "user": user or self.user,
            "password": self.password if password is None else password,
            "sslmode": "disable",
            "connect_timeout": "5",
            **more,
        }
        return " ".join(f"{k}='{v}'" for k, v in parts.items())

    def connect(self, **more: str):  # type: ignore[no-untyped-def]
        """A psycopg connection (autocommit) as the test's role."""
        import psycopg

        return psycopg.connect(self.dsn(**more), autocommit=True)

    # -- life ------------------------------------------------------------------------------

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            list(args), capture_output=True, timeout=120, user=self._uid(), group=self._gid()
        )
        if result.returncode != 0:
            out = (result.stdout + result.stderr).decode(errors="replace").strip()
            raise RuntimeError(f"{Path(args[0]).name} failed: {out}")

    def _uid(self) -> int | None:
        return None if self._owner is None else self._owner.pw_uid

    def _gid(self) -> int | None:
        return None if self._owner is None else self._owner.pw_gid

    def _chown(self, path: Path) -> None:
        if self._owner is not None:
            os.chown(path, self._owner.pw_uid, self._owner.pw_gid)

    def _configure(self) -> None:
        from tests.integration.slapd import make_ca, make_server_cert

        assert self.bin is not None
        self.folder.chmod(0o755)
        ca_key, ca = make_ca(self.folder, "ca")
        make_server_cert(self.folder, ca_key, ca)
        (self.folder / "server.key").chmod(0o600)
        pwfile = self.folder / "pwfile"
        pwfile.write_text(SUPERPASSWORD + "\n")
        for path in (self.folder, self.folder / "server.pem", self.folder / "server.key", pwfile):
            self._chown(path)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        pwfile.unlink()
        (self.data / "pg_hba.conf").write_text(HBA)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(CONF.format(port=self.port, dir=self.folder))
        self._configured = True

    def start(self) -> Postgres:
        if self.process is not None and self.process.poll() is None:
            return self
        first = not self._configured
        if first:
            self._configure()
        assert self.bin is not None
        log = (self.folder / "postgres.log").open("ab")
        self._chown(self.folder / "postgres.log")
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data)],
            stdout=log,
            stderr=log,
            user=self._uid(),
            group=self._gid(),
            start_new_session=True,
        )
        log.close()
        self._wait_ready()
        if first:
            self._create_role()
        return self

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_S
        last = ""
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited at start:\n{self.log}")
            if _listening(self.port):
                try:
                    psycopg.connect(self._super_dsn(), connect_timeout=2).close()
                    return
                except psycopg.OperationalError as error:  # still starting or recovering
                    last = str(error)
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"postgres did not start within {START_S:g} s ({last})\n{self.log}")

    def _super_dsn(self) -> str:
        return (
            f"host={self.folder} port={self.port} dbname=postgres user={SUPERUSER} "
            "connect_timeout=2"
        )

    def superuser(self):  # type: ignore[no-untyped-def]
        """A superuser connection over the server's Unix socket (autocommit)."""
        import psycopg

        return psycopg.connect(self._super_dsn(), autocommit=True)

    def _create_role(self) -> None:
        with self.superuser() as conn:
            conn.execute(
                f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'"  # test constants
            )
            conn.execute(f"CREATE DATABASE {self.database} OWNER {self.user}")

    def stop(self) -> None:
        """A fast shutdown: sessions are ended, the server checkpoints and exits."""
        self._end(signal.SIGINT)

    def kill(self) -> None:
        """The postmaster and its backends gone at once, as in a power cut: one signal to
        its process group (its own session), so the postmaster cannot see a backend die
        and fork a recovery process that would outlive it and hold the shared memory."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._end(signal.SIGKILL)

    def _end(self, sig: int) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        deadline = time.monotonic() + STOP_S  # a backend left over would hold the memory
        while time.monotonic() < deadline and _group(process.pid):
            time.sleep(0.02)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _group(pgid: int) -> list[int]:
    """The live processes of process group ``pgid`` (from /proc; zombies count as gone)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[2] == str(pgid) and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0
