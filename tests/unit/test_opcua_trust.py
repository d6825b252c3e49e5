"""Certificates to trust: PEM or DER, thumbprints, the pin, and ``hmi check``'s verdict."""

from __future__ import annotations

import hashlib

import pytest
from asyncua.crypto import cert_gen
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from drivers.opcua import OpcUaDriver
from drivers.opcua.options import options_of
from drivers.opcua.trust import (
    Certificate,
    TrustError,
    load_certificate,
    pin_path,
    thumbprint,
    trust_command,
    trust_state,
    trusted_certificate,
)
from hmi.core.project.models import DeviceConfig, Source


def make_certificate(uri: str = "urn:plc") -> x509.Certificate:
    key = cert_gen.generate_private_key()
    return cert_gen.generate_self_signed_app_certificate(
        key, uri, {"commonName": "PLC 7"}, [x509.UniformResourceIdentifier(uri)], [], days=30
    )


@pytest.fixture(scope="module")
def cert() -> x509.Certificate:
    return make_certificate()


def device(**options) -> DeviceConfig:
    opts = {"endpoint": "opc.tcp://plc:4840", "security": "Basic256Sha256", **options}
    return DeviceConfig(
        "filler_plc",
        "opcua",
        opts,
        source=Source("project.yaml", 12),
        field_sources={"server_certificate": Source("project.yaml", 17)},
    )


def test_pem_and_der_give_the_same_certificate_and_thumbprint(cert, tmp_path):
    der = cert.public_bytes(Encoding.DER)
    (tmp_path / "a.der").write_bytes(der)
    (tmp_path / "a.crt").write_bytes(cert.public_bytes(Encoding.PEM))
    a, b = load_certificate(tmp_path / "a.der"), load_certificate(tmp_path / "a.crt")
    assert a == b and a.der == der
    digest = hashlib.sha256(der).hexdigest().upper()
    assert a.thumbprint == thumbprint(der) == ":".join(digest[i : i + 2] for i in range(0, 64, 2))
    assert a.subject == "CN=PLC 7,CN=urn:plc" and not a.expired
    assert a.lines()[3] == f"SHA-256     {a.thumbprint}"
    chained = der + make_certificate("urn:ca").public_bytes(Encoding.DER)
    assert Certificate.parse(chained).der == der  # a server's certificate and its chain


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (None, "does not exist"),
        (b"", "is not an X.509 certificate in PEM or DER form"),
        (b"-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n", "not an X.509"),
        (b"\x30\x82\x01\x00garbage", "not an X.509"),
    ],
)
def test_hmi_check_says_which_certificate_file_is_wrong_and_where(tmp_path, content, phrase):
    path = tmp_path / "server.der"
    if content is not None:
        path.write_bytes(content)
    problems = OpcUaDriver.validate_device(device(server_certificate=str(path)))
    assert [str(p.source) for p in problems] == ["project.yaml:17"]
    assert problems[0].message.startswith(f"device 'filler_plc': server_certificate '{path}'")
    assert phrase in problems[0].message


def test_a_good_certificate_file_and_none_pass_the_check(cert, tmp_path):
    path = tmp_path / "server.pem"
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    assert OpcUaDriver.validate_device(device(server_certificate=str(path))) == []
    assert OpcUaDriver.validate_device(device()) == []
    assert OpcUaDriver.validate_device(device(server_certificate=str(tmp_path))) != []


def test_first_use_pins_the_same_passes_another_is_refused(cert, tmp_path):
    dev = device()
    options = options_of(dev)
    presented = Certificate.parse(cert.public_bytes(Encoding.DER))
    assert "none yet" in trust_state(dev, options, tmp_path)
    assert trusted_certificate(dev, options, tmp_path, presented) == presented
    assert pin_path(tmp_path, "filler_plc").read_bytes() == presented.der
    assert trust_state(dev, options, tmp_path) == f"SHA-256 {presented.thumbprint}"
    assert trusted_certificate(dev, options, tmp_path, presented) == presented

    other = Certificate.parse(make_certificate().public_bytes(Encoding.DER))
    with pytest.raises(TrustError) as refused:
        trusted_certificate(dev, options, tmp_path, other)
    message = str(refused.value)
    assert f"trusted SHA-256 {presented.thumbprint}, presented SHA-256 {other.thumbprint}" in (
        message
    )
    assert message.endswith("trust the new one with: hmi trust PROJECT filler_plc")
    assert pin_path(tmp_path, "filler_plc").read_bytes() == presented.der

    pin_path(tmp_path, "filler_plc").write_bytes(b"damaged")
    with pytest.raises(TrustError, match="cannot be read"):
        trusted_certificate(dev, options, tmp_path, presented)
    assert trust_state(dev, options, tmp_path).startswith("unreadable")


def test_the_trust_command_names_the_project_folder_when_it_is_known():
    absolute = DeviceConfig("plc 2", "opcua", source=Source("/plants/line a/project.yaml", 3))
    assert trust_command(absolute) == 'hmi trust "/plants/line a" "plc 2"'
    assert trust_command(device()) == "hmi trust PROJECT filler_plc"


def test_security_none_and_a_configured_file_are_said_by_trust_state(tmp_path):
    unsecured = device(security="None")
    assert trust_state(unsecured, options_of(unsecured), tmp_path).startswith("security None")
    filed = device(server_certificate="/etc/plc.der")
    assert trust_state(filed, options_of(filed), tmp_path).endswith("file /etc/plc.der")
