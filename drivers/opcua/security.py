"""The client's application instance certificate, made on first use and kept afterwards.

A server trusts a client by its certificate, so the same one must come back on every
connection: it is written once under ``<data_dir>/pki/<device>/`` and reused until it
expires or no longer names the configured application URI.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from asyncua.crypto import cert_gen
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

log = logging.getLogger(__name__)

CERT_FILE = "client_cert.der"
KEY_FILE = "client_key.pem"
VALID_DAYS = 3650  # a line PC lives for years; an expired client certificate stops the line
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class ClientIdentity:
    cert_path: Path
    key_path: Path
    created: bool  # True when this call had to make the certificate


def pki_dir(data_dir: str | Path, device: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", device) or "device"
    return Path(data_dir) / "pki" / safe


async def ensure_client_identity(
    data_dir: str | Path, device: str, application_uri: str
) -> ClientIdentity:
    """The certificate and key for ``device``, made now if missing, expired or mismatched."""
    return await asyncio.to_thread(_ensure, pki_dir(data_dir, device), application_uri)


def _ensure(folder: Path, application_uri: str) -> ClientIdentity:
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    key = _load_key(key_path)
    if key is not None and _usable(cert_path, key, application_uri):
        return ClientIdentity(cert_path, key_path, created=False)
    folder.mkdir(parents=True, exist_ok=True)
    if key is None:
        key = cert_gen.generate_private_key()
        _write_private(key_path, cert_gen.dump_private_key_as_pem(key))
    host = socket.gethostname()
    cert = cert_gen.generate_self_signed_app_certificate(
        key,
        application_uri,
        {"organizationName": "Linea HMI"},
        [x509.UniformResourceIdentifier(application_uri), x509.DNSName(host)],
        extended=[ExtendedKeyUsageOID.CLIENT_AUTH],
        days=VALID_DAYS,
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    log.info("created OPC UA client certificate %s for %s", cert_path, application_uri)
    return ClientIdentity(cert_path, key_path, created=True)


def _load_key(path: Path) -> rsa.RSAPrivateKey | None:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        return None
    except ValueError:
        log.warning("client key %s is unreadable; a new one is made", path)
        return None
    return key if isinstance(key, rsa.RSAPrivateKey) else None


def _usable(cert_path: Path, key: rsa.RSAPrivateKey, application_uri: str) -> bool:
    """True when the stored certificate belongs to ``key``, names the URI and is not expiring."""
    try:
        cert = x509.load_der_x509_certificate(cert_path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (FileNotFoundError, ValueError, x509.ExtensionNotFound):
        return False
    if application_uri not in san.get_values_for_type(x509.UniformResourceIdentifier):
        return False
    public_key = cert.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        return False
    if public_key.public_numbers() != key.public_key().public_numbers():
        return False
    now = dt.datetime.now(dt.UTC)
    return cert.not_valid_before_utc <= now and cert.not_valid_after_utc - RENEW_BEFORE > now


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
