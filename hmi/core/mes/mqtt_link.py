"""One MQTT connection as the project describes it: the keys every MQTT entry shares (the
UNS and Sparkplug targets, the MQTT driver's devices), read with their ``file:line``
problems, and a paho 2.x client connected from them.

```yaml
host: broker.plant.local
port: 8883                      # 1883 by default, 8883 with tls
tls: {ca_file: certs/plant-ca.pem, client_cert: certs/line1.pem, client_key: certs/line1.key}
username: line1
password_secret: broker_line1   # hmi secret set broker_line1
client_id: linea-press1-uns     # linea-<station>-<target> by default
keepalive: 30s
protocol: 5                     # or 3.1.1
```

TLS is always verified (against ``ca_file`` alone when given, else the system's CAs) and
there is no switch to turn it off. A password is never written in the project: the entry
names a secret of ``hmi.core.secrets``. Whatever keeps the connection from being made is a
``TargetError`` in words a plant engineer acts on (credentials refused, certificate of
another CA, certificate for another name, connection refused, no answer in time).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ..project.fields import Fields
from ..project.limits import DurationRange
from ..secrets import SecretError, SecretStore, name_problem, open_store, reference
from ..words import shorten
from .target import TargetError

log = logging.getLogger("hmi.mes.mqtt")

#: the keys read here; an entry adds its own (``read_mqtt_settings(..., own=...)``)
MQTT_FIELDS = (
    "host",
    "port",
    "tls",
    "username",
    "password_secret",
    "password",
    "client_id",
    "keepalive",
    "protocol",
)
TLS_FIELDS = ("ca_file", "client_cert", "client_key")
PROTOCOLS = ("5", "3.1.1")
KEEPALIVE = DurationRange(5.0, 3600.0, "30s")
CONNECT_TIMEOUT = 10.0
#: how long the broker keeps a persistent session (MQTT 5) after the station went away
SESSION_EXPIRY_S = 7 * 86400
#: QoS 1 messages in flight at once (paho's default of 20 is one round trip per 20 events)
MAX_INFLIGHT = 1000
RECONNECT_MIN_S, RECONNECT_MAX_S = 1, 30


@dataclass(frozen=True, slots=True)
class MqttSettings:
    """Where the broker is and how to prove who this station is to it."""

    host: str
    port: int = 1883
    tls: bool = False
    ca_file: str | None = None  # None: the system's CAs
    client_cert: str | None = None
    client_key: str | None = None
    username: str | None = None
    password_secret: str | None = None  # the secret's name, never the password
    client_id: str = ""
    keepalive: int = 30
    protocol: str = "5"  # "5" | "3.1.1"

    @property
    def where(self) -> str:
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Will:
    """What the broker publishes for this station when its connection dies unannounced."""

    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = True


# -- reading the entry -------------------------------------------------------------------


def read_mqtt_settings(
    data: Mapping[str, Any],
    fields: Fields,
    root: str | Path,
    *,
    own: tuple[str, ...] = (),
    hidden: tuple[str, ...] = (),
    client_id: str = "",
) -> MqttSettings | None:
    """The connection keys of ``data`` (written where ``fields`` says), every problem
    reported through ``fields`` at its line; None when one is wrong. ``own``: the entry's
    other keys (an unknown key is refused with the closest of all), ``hidden``: keys that
    pass unoffered (the MES's ``COMMON_KEYS``), ``client_id``: the default one. Relative
    files are ``root``'s (the project's folder)."""
    fields.unknown_keys((*MQTT_FIELDS, *own), hidden=hidden)
    host = fields.text("host")
    if host is None:
        fields.problem(None, "host: the broker's host name or address, such as broker.plant.local")
    elif any(c in host for c in "/: ") and not _ipv6(host):
        fields.problem("host", f"host: '{shorten(host)}' is a host name only (port goes in port:)")
    tls, ca, cert, key = _tls(fields, Path(root))
    port = fields.whole("port", 1, 65535, "a port from 1 to 65535")
    username = fields.text("username")
    secret = _password(fields)
    if secret is not None and username is None:
        fields.problem("password_secret", "password_secret: needs username: beside it")
    if secret is not None and not tls and host is not None and not _loopback(host):
        fields.problem(
            "password_secret" if "password_secret" in fields.data else "password",
            f"a password is never sent in clear to {shorten(host)}: add tls: true (the "
            "broker's port 8883 and its CA in tls: {ca_file: ...})",
        )
    ident = fields.text("client_id") or client_id
    if len(ident.encode()) > 65535:
        fields.problem("client_id", "client_id: longer than MQTT allows")
    keepalive = fields.duration("keepalive", 30.0, within=KEEPALIVE)
    protocol = _protocol(fields)
    if host is None or fields.failed:
        return None
    return MqttSettings(
        host=host,
        port=port or (8883 if tls else 1883),
        tls=tls,
        ca_file=ca,
        client_cert=cert,
        client_key=key,
        username=username,
        password_secret=secret,
        client_id=ident,
        keepalive=max(1, round(keepalive)),
        protocol=protocol,
    )


def _loopback(host: str) -> bool:
    """This computer's own address: a password to it never crosses a network."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ipv6(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6, host)
    except OSError:
        return False
    return True


def _protocol(fields: Fields) -> str:
    value = fields.get("protocol")
    if value is None:
        return "5"
    text = str(value).strip().lower()
    text = {"5.0": "5", "v5": "5", "mqttv5": "5", "3.1.1": "3.1.1", "v311": "3.1.1"}.get(text, text)
    if text not in PROTOCOLS:
        fields.problem("protocol", f"protocol: expected 5 or 3.1.1 (MQTT's version), got "
                       f"'{shorten(value)}'")  # fmt: skip
        return "5"
    return text


def _password(fields: Fields) -> str | None:
    """The secret's name from ``password_secret: NAME`` (or ``password: {secret: NAME}``);
    a password written in clear is refused, and never repeated in the message."""
    key = "password_secret" if "password_secret" in fields.data else "password"
    value = fields.data.get(key)
    if value is None or value == "":
        return None
    if key == "password_secret" and isinstance(value, str):
        name: str | None = value.strip()
        if name and name.lower().startswith("secret:"):
            name = reference(value)
    else:
        name = reference(value)
    if name is None:
        fields.problem(
            key,
            f"{key}: a password is never written in the project; write password_secret: NAME "
            "and store it with hmi secret set NAME",
        )
        return None
    problem = name_problem(name)
    if problem:
        fields.problem(key, f"{key}: {problem}")
        return None
    return name


def _tls(fields: Fields, root: Path) -> tuple[bool, str | None, str | None, str | None]:
    """``tls: true|false`` or ``{ca_file, client_cert, client_key}``: (on, ca, cert, key)."""
    value = fields.get("tls")
    if value is None or isinstance(value, bool):
        return bool(value), None, None, None
    if not isinstance(value, Mapping):
        fields.wrong("tls", "true, false or a mapping such as {ca_file: certs/plant-ca.pem}")
        return False, None, None, None
    tls = fields.nested("tls", value, f"{fields.label}: tls" if fields.label else "tls")
    tls.unknown_keys(TLS_FIELDS)
    ca = _file(tls, "ca_file", root)
    cert = _file(tls, "client_cert", root)
    key = _file(tls, "client_key", root)
    if ca is not None:
        try:
            ssl.create_default_context(cafile=ca)
        except (ssl.SSLError, OSError, ValueError) as error:
            tls.problem("ca_file", f"ca_file: {shorten(tls.get('ca_file'))} holds no PEM "
                        f"certificate ({_plain(error)})")  # fmt: skip
    if (cert is None) != (key is None) and not tls.failed:
        missing = "client_key" if key is None else "client_cert"
        tls.problem(None, f"{missing}: missing; a client certificate needs both client_cert "
                    "and client_key")  # fmt: skip
    elif cert is not None and key is not None:
        try:
            ssl.create_default_context().load_cert_chain(cert, key, password=_no_passphrase)
        except (ssl.SSLError, OSError, ValueError) as error:
            tls.problem("client_cert", f"client_cert: {shorten(tls.get('client_cert'))} with "
                        f"{shorten(tls.get('client_key'))} is not a usable certificate and "
                        f"unencrypted key ({_plain(error)})")  # fmt: skip
    return True, ca, cert, key


def _no_passphrase() -> str:
    raise ValueError("the key is encrypted")


def _file(fields: Fields, key: str, root: Path) -> str | None:
    written = fields.text(key)
    if written is None:
        return None
    path = Path(written) if Path(written).is_absolute() else root / written
    if not path.is_file():
        where = "" if Path(written).is_absolute() else " in the project's folder"
        fields.problem(key, f"{key}: no file {shorten(written)}{where}")
        return None
    return str(path)


# -- connecting ----------------------------------------------------------------------------


def tls_context(settings: MqttSettings) -> ssl.SSLContext:
    """A context that verifies the broker's certificate and name, always."""
    try:
        context = ssl.create_default_context(cafile=settings.ca_file)
        if settings.client_cert and settings.client_key:
            context.load_cert_chain(
                settings.client_cert, settings.client_key, password=_no_passphrase
            )
    except (ssl.SSLError, OSError, ValueError) as error:
        raise TargetError(f"TLS settings for {settings.where}: {_plain(error)}") from None
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def password(settings: MqttSettings, secrets: SecretStore | None = None) -> str | None:
    """The password from the secrets store (read at each connect, so a fixed secret is
    used without a restart)."""
    if settings.password_secret is None:
        return None
    try:
        return (secrets or open_store()).get(settings.password_secret).reveal()
    except SecretError as error:
        raise TargetError(f"credentials for {settings.where}: {error}") from None


def connect_client(
    settings: MqttSettings,
    *,
    will: Will | None = None,
    clean: bool = False,
    secrets: SecretStore | None = None,
    timeout: float = CONNECT_TIMEOUT,
) -> mqtt.Client:
    """A paho client connected to the broker (CONNACK received) with its network loop
    running on its own thread, which reconnects by itself after a loss. ``clean=False``
    keeps a persistent session (the broker holds what was in flight over an outage).
    Raises ``TargetError`` in words. The caller sets its callbacks (``on_connect`` runs
    again at each reconnection) and ends it with ``disconnect()`` and ``loop_stop()``."""
    v5 = settings.protocol == "5"
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=settings.client_id,
        clean_session=None if v5 else clean,
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
    )
    client.max_inflight_messages_set(MAX_INFLIGHT)
    client.max_queued_messages_set(0)
    client.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
    client.connect_timeout = timeout
    if settings.tls:
        client.tls_set_context(tls_context(settings))
    if settings.username is not None:
        client.username_pw_set(settings.username, password(settings, secrets))
    if will is not None:
        client.will_set(will.topic, will.payload, qos=will.qos, retain=will.retain)
    answered = threading.Event()
    answer: list[Any] = []

    def on_connect(_c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        answer.append(reason)
        answered.set()

    client.on_connect = on_connect
    properties = None
    if v5:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = 0 if clean else SESSION_EXPIRY_S
    try:
        client.connect(
            settings.host,
            settings.port,
            keepalive=settings.keepalive,
            clean_start=clean if v5 else mqtt.MQTT_CLEAN_START_FIRST_ONLY,
            properties=properties,
        )
    except Exception as error:
        client.on_connect = None
        raise link_error(settings, error, timeout) from None
    client.loop_start()
    if not answered.wait(timeout) or not answer:
        _end(client)
        raise TargetError(f"no answer from {settings.where} within {timeout:g} s (CONNACK)")
    reason = answer[0]
    client.on_connect = None
    if reason.is_failure:
        _end(client)
        raise refused(settings, reason)
    return client


def _end(client: mqtt.Client) -> None:
    client.on_connect = None
    client.disconnect()
    client.loop_stop()


def refused(settings: MqttSettings, reason: Any) -> TargetError:
    """The broker's CONNACK refusal in words."""
    text = str(reason)
    value = getattr(reason, "value", None)
    if value in (134, 135, 4, 5) or "password" in text.lower() or "authori" in text.lower():
        who = f"user {settings.username}" if settings.username else "a client without a user"
        return TargetError(
            f"auth refused by {settings.where} ({text}) for {who}; check username and the "
            f"secret {settings.password_secret or '(none)'} (hmi secret set NAME)"
        )
    if value in (133, 2):
        return TargetError(f"{settings.where} refused the client id '{settings.client_id}' "
                           f"({text})")  # fmt: skip
    return TargetError(f"{settings.where} refused the connection ({text})")


def link_error(settings: MqttSettings, error: BaseException, timeout: float) -> TargetError:
    """What kept the connection from being made, said so that someone can fix it."""
    where = settings.where
    if isinstance(error, ssl.SSLCertVerificationError):
        trusted = f"the CA in {settings.ca_file}" if settings.ca_file else "the system's CAs"
        what = error.verify_message or _plain(error)
        if "mismatch" in what.lower():  # a CA it trusts signed it, for another name
            return TargetError(
                f"TLS: the certificate of {where} (checked with {trusted}) is not for "
                f"{settings.host}: {what}"
            )
        return TargetError(
            f"TLS: the certificate of {where} is not trusted by {trusted}, it is of another CA "
            f"({what})"
        )
    if isinstance(error, ssl.SSLError):
        return TargetError(f"TLS with {where} failed: {_plain(error)} (is the port a TLS one?)")
    if isinstance(error, TimeoutError | socket.timeout):
        return TargetError(f"no answer from {where} within {timeout:g} s")
    if isinstance(error, ConnectionRefusedError):
        return TargetError(f"cannot reach {where}: connection refused (is the broker running?)")
    if isinstance(error, socket.gaierror):
        return TargetError(f"cannot reach {where}: unknown host ({_plain(error)})")
    if isinstance(error, OSError):
        return TargetError(f"cannot reach {where}: {error.strerror or _plain(error)}")
    return TargetError(f"connecting to {where} failed: {_plain(error)}")


def _plain(error: BaseException) -> str:
    return str(error) or type(error).__name__
