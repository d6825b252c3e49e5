"""The client certificate: made on first use, reused, remade only when it no longer fits."""

from __future__ import annotations

import socket

from cryptography import x509

from drivers.opcua.security import CERT_FILE, KEY_FILE, ensure_client_identity, pki_dir

URI = "urn:line-pc:LineaHMI"


async def test_made_once_then_reused(tmp_path):
    first = await ensure_client_identity(tmp_path, "filler plc", URI)
    assert first.created
    assert first.cert_path == pki_dir(tmp_path, "filler plc") / CERT_FILE
    assert first.key_path.name == KEY_FILE
    assert first.key_path.stat().st_mode & 0o077 == 0  # the key is readable by its owner only
    cert = x509.load_der_x509_certificate(first.cert_path.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == [URI]
    assert socket.gethostname() in san.get_values_for_type(x509.DNSName)

    cert_bytes, key_bytes = first.cert_path.read_bytes(), first.key_path.read_bytes()
    again = await ensure_client_identity(tmp_path, "filler plc", URI)
    assert not again.created
    assert again.cert_path.read_bytes() == cert_bytes
    assert again.key_path.read_bytes() == key_bytes


async def test_a_new_application_uri_gets_a_new_certificate_for_the_same_key(tmp_path):
    first = await ensure_client_identity(tmp_path, "plc", URI)
    key_bytes, cert_bytes = first.key_path.read_bytes(), first.cert_path.read_bytes()
    other = await ensure_client_identity(tmp_path, "plc", "urn:other-pc:LineaHMI")
    assert other.created
    assert other.key_path.read_bytes() == key_bytes
    assert other.cert_path.read_bytes() != cert_bytes


async def test_a_damaged_certificate_is_remade(tmp_path):
    first = await ensure_client_identity(tmp_path, "plc", URI)
    first.cert_path.write_bytes(b"not a certificate")
    again = await ensure_client_identity(tmp_path, "plc", URI)
    assert again.created
    x509.load_der_x509_certificate(again.cert_path.read_bytes())
