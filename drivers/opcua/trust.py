"""Which server certificate a secured connection trusts: pinned on first use, like SSH's
known hosts.

Without ``server_certificate`` in the project, the certificate a server presents on its
first secured connection is kept under ``<data_dir>/pki/<device>/trusted/`` and its
SHA-256 thumbprint logged; afterwards a server presenting another certificate is refused
with both thumbprints and the command that trusts the new one (``hmi trust PROJECT
DEVICE``). With ``server_certificate`` the file is the trusted one. Either way the client
encrypts to the trusted certificate, so a server without its private key cannot answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from asyncua import Client, ua
from asyncua.crypto import security_policies
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from hmi.core.project.models import DeviceConfig, Problem

from .options import OpcUaOptions
from .security import pki_dir

log = logging.getLogger(__name__)

TRUSTED_DIR = "trusted"
PIN_FILE = "server_cert.der"


class TrustError(Exception):
    """The server's certificate is not the trusted one; retrying will not change that."""


def pin_path(data_dir: str | Path, device: str) -> Path:
    """Where the certificate trusted on first use for ``device`` is kept."""
    return pki_dir(data_dir, device) / TRUSTED_DIR / PIN_FILE


def thumbprint(der: bytes) -> str:
    """SHA-256 of the certificate as colon-separated hex, as certificate viewers show it."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


@dataclass(frozen=True, slots=True)
class Certificate:
    """A parsed X.509 certificate: what a person checks before trusting it."""

    der: bytes
    subject: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.der)

    @property
    def expired(self) -> bool:
        return self.not_after < dt.datetime.now(dt.UTC)

    @classmethod
    def parse(cls, data: bytes) -> Certificate:
        """A certificate from PEM or DER bytes; ValueError saying why it is not one."""
        if b"-----BEGIN CERTIFICATE-----" in data:
            cert = x509.load_pem_x509_certificate(data)
        else:
            cert = x509.load_der_x509_certificate(_first_of_chain(data))
        return cls(
            der=cert.public_bytes(Encoding.DER),
            subject=cert.subject.rfc4514_string() or "(empty subject)",
            issuer=cert.issuer.rfc4514_string() or "(empty issuer)",
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
        )

    def lines(self) -> list[str]:
        """Subject, issuer, validity and thumbprint, one per line, for a person to compare."""
        until = f"{self.not_after:%Y-%m-%d %H:%M} UTC" + (" (EXPIRED)" if self.expired else "")
        return [
            f"subject     {self.subject}",
            f"issuer      {self.issuer}",
            f"valid       {self.not_before:%Y-%m-%d %H:%M} UTC to {until}",
            f"SHA-256     {self.thumbprint}",
        ]


def load_certificate(path: str | Path) -> Certificate:
    """The certificate in a PEM or DER file; OSError or ValueError with a readable reason
    that names the file as found (absolute, so a wrong folder shows)."""
    path = Path(path).absolute()
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"'{path}' does not exist") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"'{path}' is a folder, not a certificate file") from None
    except PermissionError:
        raise PermissionError(f"'{path}' cannot be read (permission denied)") from None
    try:
        return Certificate.parse(data)
    except ValueError:
        raise ValueError(f"'{path}' is not an X.509 certificate in PEM or DER form") from None


def certificate_problems(device: DeviceConfig, options: OpcUaOptions) -> list[Problem]:
    """For ``hmi check``: a configured certificate file must exist and parse."""
    if options.server_certificate is None:
        return []
    try:
        load_certificate(options.server_certificate)
    except (OSError, ValueError) as exc:
        where = device.source_of("server_certificate")
        return [Problem(where, f"device '{device.name}': server_certificate {exc}")]
    return []


async def presented_certificate(client: Client, options: OpcUaOptions) -> Certificate:
    """The certificate the server offers for the configured security, asked for over an
    unsecured channel (GetEndpoints) before any secured one is opened."""
    endpoints = await client.connect_and_get_server_endpoints()
    policy = getattr(security_policies, f"SecurityPolicy{options.security}")
    mode = getattr(ua.MessageSecurityMode, options.mode)
    endpoint = Client.find_endpoint(endpoints, mode, policy.URI)
    if not endpoint.ServerCertificate:
        raise TrustError(f"{options.endpoint} presents no certificate for {options.security}")
    try:
        return Certificate.parse(endpoint.ServerCertificate)
    except ValueError:
        raise TrustError(f"{options.endpoint} presents a certificate that does not parse") from None


def trusted_certificate(
    device: DeviceConfig, options: OpcUaOptions, data_dir: str | Path, presented: Certificate
) -> Certificate:
    """The certificate to trust for this connection; pins ``presented`` on first use.

    Raises TrustError when ``presented`` is not the trusted one.
    """
    if options.server_certificate is not None:
        try:
            configured = load_certificate(options.server_certificate)
        except (OSError, ValueError) as exc:
            raise TrustError(f"server_certificate {exc}") from None
        if configured.der != presented.der:
            raise TrustError(
                f"{options.endpoint} presents a certificate (SHA-256 {presented.thumbprint}) "
                f"other than the server_certificate file {options.server_certificate} "
                f"(SHA-256 {configured.thumbprint}); replace that file with the server's "
                "new certificate if the change is expected"
            )
        return configured
    path = pin_path(data_dir, device.name)
    try:
        pinned = Certificate.parse(path.read_bytes())
    except FileNotFoundError:
        write_pin(path, presented)
        log.warning(
            "%s: trusting the server certificate on first use: %s, SHA-256 %s (kept in %s)",
            device.name,
            presented.subject,
            presented.thumbprint,
            path,
        )
        return presented
    except (OSError, ValueError) as exc:
        raise TrustError(
            f"the trusted certificate {path} cannot be read ({exc}); "
            f"check the server and trust it again with: {trust_command(device)}"
        ) from None
    if pinned.der != presented.der:
        raise TrustError(
            f"{options.endpoint} presents a certificate other than the one trusted: "
            f"trusted SHA-256 {pinned.thumbprint}, presented SHA-256 {presented.thumbprint}. "
            "The server may have a new certificate, or another machine answers in its place; "
            f"if the change is expected, trust the new one with: {trust_command(device)}"
        )
    return pinned


def trust_command(device: DeviceConfig) -> str:
    """``hmi trust PROJECT <device>``, with the project's folder when the device's source
    says it (project files name themselves relative to the project folder)."""
    source = Path(device.source.file)
    project = str(source.parent) if source.is_absolute() else "PROJECT"
    if any(c.isspace() for c in project):
        project = f'"{project}"'
    name = f'"{device.name}"' if any(c.isspace() for c in device.name) else device.name
    return f"hmi trust {project} {name}"


def write_pin(path: Path, cert: Certificate) -> None:
    """Replace the pinned certificate at once: a crash leaves the old one or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(cert.der)
    os.replace(partial, path)


def trust_state(device: DeviceConfig, options: OpcUaOptions | None, data_dir: str | Path) -> str:
    """Which server certificate the device trusts, in a few words (``hmi paths``)."""
    if options is not None and not options.secure:
        return "security None: the server is not checked"
    if options is not None and options.server_certificate is not None:
        return f"the server_certificate file {options.server_certificate}"
    try:
        pinned = Certificate.parse(pin_path(data_dir, device.name).read_bytes())
    except FileNotFoundError:
        return "none yet: the first secured connection pins the server's certificate"
    except (OSError, ValueError):
        return f"unreadable: trust the server again with {trust_command(device)}"
    return f"SHA-256 {pinned.thumbprint}"


def _first_of_chain(der: bytes) -> bytes:
    """A server may send its certificate followed by its chain: keep the first one only."""
    if len(der) > 4 and der[0] == 0x30 and der[1] == 0x82:
        return der[: int.from_bytes(der[2:4], "big") + 4]
    return der
