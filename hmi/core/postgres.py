"""A PostgreSQL server as a project names it, for every part that writes to one (the MES
sync's ``postgres`` target, the historian's central history): the connection settings
read from the project with their ``file:line`` checks, the connection, and what a
driver error means in words someone can act on.

```yaml
host: db.plant.local
port: 5432
database: plant
user: linea
password: {secret: plant_db}     # hmi secret set plant_db; never written in the project
sslmode: verify-full             # the default; disable only for a server on this computer
ca: certs/plant-ca.pem           # the CA that signed the server's certificate
schema: linea                    # where the tables and views are made
timeout: 10s                     # connect, and each statement
```

TLS is verified (the certificate's chain against ``ca``, else the system's CAs, and its
name against ``host``): ``verify-full`` is the only TLS mode, since a certificate left
unchecked lets anyone in the middle read production records and credentials. ``disable``
is taken only for a loopback host, where nothing crosses a wire.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .project.fields import Fields
from .project.limits import DurationRange
from .secrets import SecretError, SecretStore, name_problem, open_store, reference
from .words import shorten

FIELDS = ("host", "port", "database", "user", "password", "sslmode", "ca", "schema", "timeout")
SSLMODES = ("verify-full", "disable")
TIMEOUT = DurationRange(0.5, 600.0, "10s")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")
#: the advisory lock every station takes while it makes its tables: two stations (or the
#: MES sync and the history of one) starting together never race on the same schema
SCHEMA_LOCK = 0x4C494E4541
#: what the driver says when the server restarted, is restarting or the link broke
GONE = (
    "starting up",
    "shutting down",
    "in recovery mode",
    "terminating connection",
    "server closed the connection",
    "consuming input failed",
    "connection is lost",
    "the connection is closed",
    "ssl syscall error",
    "eof detected",
)


@dataclass(frozen=True, slots=True)
class PgSettings:
    """Where the server is and how this station signs in; ``password`` names a secret."""

    host: str
    database: str
    user: str
    password: str | None = None
    port: int = 5432
    sslmode: str = "verify-full"
    ca: str | None = None
    schema: str = "linea"
    timeout: float = 10.0

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"


class PgError(Exception):
    """The server cannot be used now; the message says why and what to check.
    ``transient``: a restart or an outage that passes by itself."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# -- reading the project ---------------------------------------------------------------


def read_settings(own: Fields, root: Path, *, default_schema: str = "linea") -> PgSettings | None:
    """The settings written in ``own`` (a target's entry; its other keys are the caller's
    to check), each problem reported at its key's line; None when they are unusable."""
    host = own.text("host")
    if host is None:
        own.problem(None, "host: the database server, such as db.plant.local")
    database = _identifier_text(own, "database", "the database, such as plant")
    user = _identifier_text(own, "user", "the role this station signs in as, such as linea")
    port = own.whole("port", 1, 65535, "a TCP port from 1 to 65535")
    password = _password(own)
    sslmode = own.choice("sslmode", SSLMODES) or "verify-full"
    if sslmode == "disable" and host is not None and not is_loopback(host):
        own.problem(
            "sslmode",
            f"sslmode: disable sends the password and every record in clear to {host}; "
            "it is allowed only for a server on this computer (localhost); use verify-full "
            "with ca: the CA that signed the server's certificate",
        )
    ca = _ca(own, root)
    if ca is not None and sslmode == "disable":
        own.problem("ca", "ca: applies with sslmode: verify-full only")
    schema = own.text("schema") or default_schema
    if not IDENTIFIER.match(schema):
        own.problem(
            "schema",
            f"schema: '{shorten(schema)}' is not a plain name (lower-case letters, digits "
            "and '_', starting with a letter, at most 63)",
        )
    timeout = own.duration("timeout", 10.0, within=TIMEOUT)
    if host is None or database is None or user is None or own.failed:
        return None
    return PgSettings(host, database, user, password, port or 5432, sslmode, ca, schema, timeout)


def _identifier_text(own: Fields, key: str, what: str) -> str | None:
    value = own.text(key)
    if value is None and key not in own.data:
        own.problem(None, f"{key}: missing; {what}")
    return value


def _password(own: Fields) -> str | None:
    value = own.data.get("password")
    if value is None:
        return None
    name = reference(value)
    if name is None:
        own.problem(
            "password",
            "password: a password is never written in the project; write {secret: NAME} "
            "and store it with hmi secret set NAME",
        )
        return None
    problem = name_problem(name)
    if problem:
        own.problem("password", f"password: {problem}")
        return None
    return name


def _ca(own: Fields, root: Path) -> str | None:
    ca = own.text("ca")
    if ca is None:
        return None
    path = Path(ca) if Path(ca).is_absolute() else root / ca
    if not path.is_file():
        where = "" if Path(ca).is_absolute() else " in the project's folder"
        own.problem("ca", f"ca: no file {shorten(ca)}{where}")
        return None
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as error:
        own.problem("ca", f"ca: {shorten(ca)} holds no PEM certificate ({error})")
        return None
    return str(path)


# -- connecting --------------------------------------------------------------------------


def connect(
    settings: PgSettings,
    *,
    secrets: SecretStore | None = None,
    application: str = "linea-hmi",
) -> Any:
    """A psycopg connection (autocommit: a caller's ``transaction()`` is its own
    transaction), or ``PgError`` saying what is wrong."""
    import psycopg

    password = ""
    if settings.password:
        try:
            password = (secrets or open_store()).get(settings.password).reveal()
        except SecretError as error:
            raise PgError(f"credentials for {settings.where}: {error}") from None
    params: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "dbname": settings.database,
        "user": settings.user,
        "sslmode": settings.sslmode,
        "connect_timeout": max(1, round(settings.timeout)),
        "application_name": f"{application} {socket.gethostname()}"[:63],
        "options": f"-c statement_timeout={int(settings.timeout * 1000)}",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
    }
    if password:
        params["password"] = password
    if settings.sslmode != "disable":
        params["sslrootcert"] = settings.ca or "system"
    try:
        return psycopg.connect(autocommit=True, **params)
    except psycopg.Error as error:
        raise explain(error, settings) from None


def explain(error: BaseException, settings: PgSettings) -> PgError:
    """A driver error in words: what went wrong with which server, and what to check."""
    where = f"{settings.host}:{settings.port}"
    text = " ".join(str(error).split()) or type(error).__name__
    low = text.lower()
    state = getattr(getattr(error, "diag", None), "sqlstate", None) or getattr(
        error, "sqlstate", None
    )
    if "password authentication failed" in low or state in ("28P01", "28000"):
        secret = f" and its secret {settings.password}" if settings.password else ""
        return PgError(
            f"credentials refused by {where} for user {settings.user}: check the user"
            f"{secret} (hmi secret set NAME) and the server's pg_hba.conf"
        )
    if "no password supplied" in low:
        return PgError(
            f"{where} asks user {settings.user} for a password: write password: "
            "{secret: NAME} in the entry and store it with hmi secret set NAME"
        )
    trusted = f"the CA in {settings.ca}" if settings.ca else "the system's CAs"
    if "does not match host name" in low:
        return PgError(
            f"TLS: the certificate of {where} (checked with {trusted}) is not for "
            f"the host {settings.host}: {shorten(text, 200)}"
        )
    if "certificate" in low:
        return PgError(
            f"TLS: the certificate of {where} is not trusted by {trusted} ({shorten(text, 200)})"
        )
    if "server does not support ssl" in low:
        return PgError(
            f"TLS: {where} does not offer TLS; enable ssl on the server (records and "
            "credentials never go in clear over the network)"
        )
    if "connection refused" in low:
        return PgError(f"cannot reach {where}: connection refused (is the server up?)", True)
    if state in ("57P01", "57P02", "57P03") or any(words in low for words in GONE):
        return PgError(f"the database at {where} restarted or went away; retried ({text})", True)
    if "ssl" in low or "tls" in low:
        return PgError(f"TLS with {where} failed: {shorten(text, 200)}")
    if "timeout" in low or "timed out" in low or state == "57014":
        return PgError(
            f"no answer from {where} within {settings.timeout:g} s ({shorten(text, 120)})", True
        )
    if state == "3D000" or ("database" in low and "does not exist" in low):
        return PgError(f"{where} has no database {settings.database}: create it, or fix database:")
    if state == "42501" or "permission denied" in low:
        return PgError(
            f"user {settings.user} may not do this in {settings.database} on {where}: "
            f"{shorten(text, 200)} (grant it CREATE on the database, or make schema "
            f"{settings.schema} for it)"
        )
    if "could not translate host name" in low or "name or service not known" in low:
        return PgError(f"cannot find the host {settings.host}: {shorten(text, 120)}", True)
    if "no route to host" in low or "network is unreachable" in low:
        return PgError(f"cannot reach {where}: {shorten(text, 120)}", True)
    return PgError(f"{where}: {shorten(text, 300)}", _transient_class(error))


def _transient_class(error: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the caller imported it
        return False
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)
