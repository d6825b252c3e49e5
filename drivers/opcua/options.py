"""The ``opcua`` device options of a project file, with their defaults and their checks."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from asyncua import ua

from hmi.core.connection import POLICY_OPTIONS, ConnectionPolicy, read_policy
from hmi.core.project.limits import ITEMS_PER_REQUEST
from hmi.core.project.models import DeviceConfig, Problem
from hmi.core.secrets import name_problem, open_store, reference
from hmi.core.words import parse_flag

SECURITY_POLICIES = {"none": "None", "basic256sha256": "Basic256Sha256"}
SECURITY_MODES = {"sign": "Sign", "signandencrypt": "SignAndEncrypt"}
KNOWN_OPTIONS = frozenset(
    {
        "endpoint",
        "security",
        "mode",
        "username",
        "password",
        "subscriptions",
        "server_certificate",
        "application_uri",
        "max_items_per_request",
        *POLICY_OPTIONS,
    }
)
# Settings every device has; a loader may leave them among the protocol options.
_COMMON_KEYS = frozenset({"name", "protocol", "line", "description", "enabled"})
Fail = Callable[[str, str], None]  # (option, message)
# the OPC UA defaults of the connection policy: a timed-out Read on a live session is not
# repeated, the watchdog already tells a dead server from a slow one
POLICY = ConnectionPolicy(timeout=4.0, retries=0)


def default_application_uri() -> str:
    return f"urn:{socket.gethostname()}:LineaHMI"


@dataclass(frozen=True, slots=True)
class OpcUaOptions:
    endpoint: str
    security: str = "None"  # None | Basic256Sha256
    mode: str = "SignAndEncrypt"  # Sign | SignAndEncrypt; used with Basic256Sha256 only
    username: str | None = None
    password_secret: str | None = None  # the name of the stored secret, never the password
    # timeout (per request; also bounds how late a dead server is noticed), retries, backoff
    connection: ConnectionPolicy = POLICY
    subscriptions: bool = True  # False: read every scan class once per period instead
    server_certificate: str | None = None  # the server certificate to trust (pinned)
    application_uri: str = ""  # goes into the client certificate; defaults per host
    max_items_per_request: int = 1000  # nodes per Read / CreateMonitoredItems request

    @property
    def secure(self) -> bool:
        return self.security != "None"

    @property
    def timeout(self) -> float:
        return self.connection.timeout

    @property
    def password(self) -> str | None:
        """The password itself, read from the secrets store at the moment the session is
        opened (``SecretError`` says which name is missing and how to set it)."""
        if self.password_secret is None:
            return None
        return open_store().get(self.password_secret).reveal()


class OptionsError(ValueError):
    """Raised with every problem of a device's options."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


def parse_options(device: DeviceConfig) -> tuple[OpcUaOptions | None, list[Problem]]:
    """The device's options, or None with the problems that prevent using them."""
    opts = device.options
    problems: list[tuple[str, str]] = []

    def fail(key: str, message: str) -> None:
        problems.append((key, message))

    for key in sorted(set(opts) - KNOWN_OPTIONS - _COMMON_KEYS):
        known = ", ".join(sorted(KNOWN_OPTIONS))
        fail(key, f"unknown option '{key}' for an opcua device (known: {known})")

    endpoint = _endpoint(opts.get("endpoint"), fail)
    security = _choice(opts.get("security"), "security", SECURITY_POLICIES, "None", fail)
    mode = _choice(opts.get("mode"), "mode", SECURITY_MODES, "SignAndEncrypt", fail)
    username = _text(opts.get("username"), "username", fail)
    password = _password(opts.get("password"), fail)
    if username and opts.get("password") is None:
        fail("username", "username is given without a password; add 'password:' or remove it")
    if opts.get("password") is not None and not username:
        fail("password", "password is given without a username; add 'username:'")
    connection, policy_problems = read_policy(opts, POLICY)
    for problem in policy_problems:
        fail(problem.key, problem.message)
    subscriptions = _flag(opts.get("subscriptions"), "subscriptions", True, fail)
    server_certificate = _text(opts.get("server_certificate"), "server_certificate", fail)
    application_uri = _text(opts.get("application_uri"), "application_uri", fail)
    if application_uri is not None and ":" not in application_uri:
        example = "urn:line-pc:LineaHMI"
        fail("application_uri", f"application_uri '{application_uri}' must be a URI ({example})")
    max_items = _count(opts.get("max_items_per_request"), "max_items_per_request", 1000, fail)

    if problems or endpoint is None:
        label = f"device '{device.name}'"
        return None, [Problem(device.source_of(k), f"{label}: {m}") for k, m in problems]
    return (
        OpcUaOptions(
            endpoint=endpoint,
            security=security,
            mode=mode,
            username=username or None,
            password_secret=password,
            connection=connection,
            subscriptions=subscriptions,
            server_certificate=_beside(device, server_certificate),
            application_uri=application_uri or default_application_uri(),
            max_items_per_request=max_items,
        ),
        [],
    )


def options_of(device: DeviceConfig) -> OpcUaOptions:
    """The device's options; raises OptionsError listing every problem."""
    options, problems = parse_options(device)
    if options is None:
        raise OptionsError(problems)
    return options


def _beside(device: DeviceConfig, path: str | None) -> str | None:
    """A relative path is taken from the folder of the file that declares the device."""
    if not path:
        return None
    if Path(path).is_absolute() or not device.source.file:
        return path
    return str(Path(device.source.file).parent / path)


def _endpoint(value: Any, fail: Fail) -> str | None:
    example = "e.g. opc.tcp://192.168.0.10:4840"
    if value is None or (isinstance(value, str) and not value.strip()):
        fail("endpoint", f"endpoint is missing ({example})")
        return None
    if not isinstance(value, str):
        fail("endpoint", f"endpoint must be text ({example}), not {value!r}")
        return None
    text = value.strip()
    url = urlparse(text)
    if url.scheme.lower() != "opc.tcp":
        fail("endpoint", f"endpoint '{text}' must start with opc.tcp:// ({example})")
        return None
    try:
        port = url.port
    except ValueError:
        fail("endpoint", f"endpoint '{text}' has an invalid port ({example})")
        return None
    if not url.hostname:
        fail("endpoint", f"endpoint '{text}' has no host ({example})")
        return None
    if port == 0:
        fail("endpoint", f"endpoint '{text}' has port 0 ({example})")
        return None
    return text


def _password(value: Any, fail: Fail) -> str | None:
    """The name of the secret ``password`` refers to; a password written in the project
    is refused without being repeated."""
    if value is None:
        return None
    name = reference(value)
    if name is None:
        fail(
            "password",
            "password: a password is never written in the project; store it with "
            "hmi secret set NAME and write password: {secret: NAME}",
        )
        return None
    problem = name_problem(name)
    if problem:
        fail("password", f"password: {problem}")
        return None
    return name


def _choice(value: Any, name: str, allowed: dict[str, str], default: str, fail: Fail) -> str:
    if value is None:
        return default
    key = str(value).strip().lower()
    if key in allowed:
        return allowed[key]
    fail(name, f"{name} '{value}' is not one of: {', '.join(allowed.values())}")
    return default


def _text(value: Any, name: str, fail: Fail) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    fail(name, f"{name} must be text, not {value!r}")
    return None


def _flag(value: Any, name: str, default: bool, fail: Fail) -> bool:
    if value is None:
        return default
    flag = parse_flag(value)
    if flag is not None:
        return flag
    fail(name, f"{name} '{value}' must be true or false")
    return default


def _count(value: Any, name: str, default: int, fail: Fail) -> int:
    if value is None:
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if isinstance(value, bool) or number not in ITEMS_PER_REQUEST:
        fail(name, f"{name} '{value}' must be {ITEMS_PER_REQUEST.text}")
        return default
    return number


def parse_address(address: str) -> ua.NodeId:
    """The NodeId of a tag address (``ns=2;s=...``, ``ns=2;i=...``, ``nsu=<uri>;s=...``).

    Raises ValueError with a message naming the accepted forms.
    """
    text = (address or "").strip()
    forms = "use a NodeId such as ns=2;s=Filler.Speed, ns=2;i=1001 or nsu=urn:plc;s=Speed"
    if not text:
        raise ValueError(f"the address is empty; {forms}")
    try:
        node_id = ua.NodeId.from_string(text)
    except (ua.UaStringParsingError, ValueError) as exc:
        raise ValueError(f"address '{text}' is not a NodeId; {forms}") from exc
    if node_id.Identifier in ("", b"", None):
        raise ValueError(f"address '{text}' has an empty identifier; {forms}")
    return node_id
