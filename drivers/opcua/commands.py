"""``hmi trust PROJECT DEVICE``: show the certificate a server presents and, once a person
(or ``--yes``) confirms, make it the trusted one for the device."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from asyncua import Client

from hmi.core.project.models import DeviceConfig

from .connection import connect_failure
from .options import options_of
from .trust import Certificate, TrustError, pin_path, presented_certificate, write_pin

log = logging.getLogger(__name__)

Ask = Callable[[str], bool]  # a yes/no question to the person at the terminal
Say = Callable[[str], None]


async def trust_server(device: DeviceConfig, data_dir: str | Path, ask: Ask, say: Say) -> bool:
    """True when the presented certificate is trusted now (newly or already); False when
    the person declined. TrustError when there is nothing to trust or no server answers."""
    try:
        options = options_of(device)
    except ValueError as exc:
        raise TrustError(f"device '{device.name}': {exc}") from None
    if not options.secure:
        raise TrustError(
            f"device '{device.name}' uses security None: the connection is neither "
            "authenticated nor encrypted and there is no certificate to trust; set "
            "'security: Basic256Sha256' to have the server's certificate checked"
        )
    if options.server_certificate is not None:
        raise TrustError(
            f"device '{device.name}' trusts the file given as server_certificate "
            f"({options.server_certificate}); to trust another certificate, replace that file"
        )
    client = Client(options.endpoint, timeout=options.timeout)
    try:
        async with asyncio.timeout(options.timeout * 3):
            presented = await presented_certificate(client, options)
    except TrustError:
        raise
    except Exception as exc:
        raise TrustError(connect_failure(options, exc)) from None
    finally:
        client.disconnect_socket()

    path = pin_path(data_dir, device.name)
    say(f"{options.endpoint} presents this certificate for {options.security}:")
    for line in presented.lines():
        say(f"  {line}")
    try:
        pinned: Certificate | None = Certificate.parse(path.read_bytes())
    except (OSError, ValueError):
        pinned = None
    if pinned is not None and pinned.der == presented.der:
        say(f"It is already the trusted certificate of {device.name} ({path}).")
        return True
    if pinned is not None:
        say(f"It replaces the trusted certificate SHA-256 {pinned.thumbprint}.")
    elif path.exists():
        say(f"The trusted certificate {path} is unreadable; this one replaces it.")
    else:
        say(f"No certificate is trusted for {device.name} yet.")
    if not ask(f"Trust this certificate for {device.name}? [y/N] "):
        say("Nothing changed.")
        return False
    write_pin(path, presented)
    log.warning(
        "%s: now trusting the server certificate %s, SHA-256 %s",
        device.name,
        presented.subject,
        presented.thumbprint,
    )
    say(f"Trusted: {path}")
    return True
