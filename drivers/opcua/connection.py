"""Opening and closing one OPC UA client session with a device's options.

Shared by the driver and by browsing so both connect the same way: same security,
same certificate, same bounded time to give up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from asyncua import Client, ua
from asyncua.crypto import security_policies

from hmi.core.project.models import DeviceConfig

from .liblogs import quiet_library_logs
from .options import OpcUaOptions
from .security import ensure_client_identity
from .status import describe_error
from .trust import TrustError, presented_certificate, trusted_certificate

log = logging.getLogger(__name__)

PRODUCT_URI = "urn:linea-hmi"
SESSION_TIMEOUT_MS = 60_000  # the server drops a session of a vanished client after this
CLOSE_WAIT_MAX = 2.0  # s: a polite goodbye to a dead server must not hold up a stop


quiet_library_logs()


class SetupError(Exception):
    """A local problem that no retry will fix by itself (a missing file, ...)."""


class ConnectTimeout(TimeoutError):
    """The server's host did not answer the TCP connect within ``connect_timeout``."""

    def __init__(self, seconds: float):
        super().__init__(f"no answer to the connection within {seconds:g} s")
        self.seconds = seconds


async def open_client(
    device: DeviceConfig,
    options: OpcUaOptions,
    data_dir: str | Path,
    on_lost: Callable[[Exception], Coroutine[Any, Any, None]] | None = None,
) -> Client:
    """A connected, activated client; raises on any failure, leaving nothing open.

    ``on_lost`` is awaited once when the client's watchdog finds the connection gone.
    The watchdog reads the server state every ``timeout / 2`` seconds and waits as long
    for the answer, so a silent server is noticed within about one ``timeout``.
    """
    client = Client(
        options.endpoint,
        timeout=options.timeout,
        watchdog_intervall=watchdog_interval(options),
    )
    client.application_uri = options.application_uri
    client.product_uri = PRODUCT_URI
    client.name = client.description = f"Linea HMI {device.name}"
    client.session_timeout = SESSION_TIMEOUT_MS
    client.connection_lost_callback = on_lost
    _bound_socket_connect(client, min(options.connection.connect_timeout, options.timeout))
    if options.username:
        client.set_user(options.username)
        client.set_password(options.password or "")
    try:
        async with asyncio.timeout(options.timeout * 3):
            if options.secure:
                await _set_security(client, device, options, data_dir)
            await client.connect()
    except BaseException:
        client.disconnect_socket()
        raise
    return client


def _bound_socket_connect(client: Client, seconds: float) -> None:
    """A dead PLC costs ``connect_timeout`` per attempt, not the request timeout: opening
    the socket gets its own deadline, the session's requests keep theirs."""
    connect_socket = client.connect_socket

    async def bounded() -> None:
        try:
            async with asyncio.timeout(seconds):
                await connect_socket()
        except TimeoutError:
            raise ConnectTimeout(seconds) from None

    client.connect_socket = bounded  # type: ignore[method-assign]


def watchdog_interval(options: OpcUaOptions) -> float:
    """How often the client reads the server state, and how long it waits for the answer."""
    return max(0.5, options.timeout / 2)


async def _set_security(
    client: Client, device: DeviceConfig, options: OpcUaOptions, data_dir: str | Path
) -> None:
    """Secure the channel with the trusted server certificate (see ``trust``): the one the
    server presents is compared first, so a changed one is refused with both thumbprints
    before any secured request, not by a failed signature deep in the library."""
    identity = await ensure_client_identity(data_dir, device.name, options.application_uri)
    presented = await presented_certificate(client, options)
    trusted = trusted_certificate(device, options, data_dir, presented)
    policy = getattr(security_policies, f"SecurityPolicy{options.security}")
    mode = getattr(ua.MessageSecurityMode, options.mode)
    await client.set_security(
        policy,
        str(identity.cert_path),
        str(identity.key_path),
        server_certificate=trusted.der,
        mode=mode,
    )


async def close_client(client: Client, timeout: float) -> None:
    """Close the session if the server still answers; never raises, never hangs."""
    try:
        async with asyncio.timeout(min(timeout, CLOSE_WAIT_MAX)):
            await client.disconnect()
    except (Exception, TimeoutError):
        log.debug("closing %s did not finish cleanly", client, exc_info=True)
        client.disconnect_socket()


_LOGIN_REFUSED = (
    ua.StatusCodes.BadUserAccessDenied,
    ua.StatusCodes.BadIdentityTokenInvalid,
    ua.StatusCodes.BadIdentityTokenRejected,
)

# What a server answers when it does not accept the client's application certificate.
_CLIENT_CERTIFICATE_REFUSED = (
    ua.StatusCodes.BadCertificateUntrusted,
    ua.StatusCodes.BadCertificateInvalid,
    ua.StatusCodes.BadCertificateTimeInvalid,
    ua.StatusCodes.BadCertificateUriInvalid,
    ua.StatusCodes.BadCertificateUseNotAllowed,
    ua.StatusCodes.BadCertificateHostNameInvalid,
    ua.StatusCodes.BadCertificateRevoked,
    ua.StatusCodes.BadCertificateIssuerRevoked,
    ua.StatusCodes.BadCertificateRevocationUnknown,
    ua.StatusCodes.BadSecurityChecksFailed,
)


def connect_failure(options: OpcUaOptions, exc: BaseException) -> str:
    """Why ``open_client`` failed, phrased for the person who must fix it."""
    if isinstance(exc, SetupError | TrustError):
        return str(exc)
    if isinstance(exc, ConnectTimeout):
        return f"cannot connect to {options.endpoint}: {exc}"
    if isinstance(exc, ua.UaError) and "No matching endpoints" in str(exc):
        wanted = f"{options.security} {options.mode}" if options.secure else "None"
        return f"{options.endpoint} offers no endpoint with security {wanted}"
    reason = describe_error(exc, options.timeout)
    if isinstance(exc, ua.UaStatusCodeError) and exc.code in _LOGIN_REFUSED:
        who = f"user '{options.username}'" if options.username else "anonymous user"
        return f"{options.endpoint} refused the login of {who}: {reason}"
    if isinstance(exc, ConnectionError) and not isinstance(exc, ConnectionRefusedError):
        return (
            f"cannot connect to {options.endpoint}: the server closed the connection before "
            "a session was open (not an OPC UA server at that address, or it refuses this "
            "client)"
        )
    if isinstance(exc, ua.UaStatusCodeError) and exc.code in _CLIENT_CERTIFICATE_REFUSED:
        return (
            f"{options.endpoint} refuses this HMI's client certificate ({reason}); the "
            "server's administrator must trust it (`hmi paths PROJECT` says where it is)"
        )
    return f"cannot connect to {options.endpoint}: {reason}"
