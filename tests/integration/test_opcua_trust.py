"""Server trust like SSH known hosts: the first secured connection pins the server's
certificate, a changed one is refused with both thumbprints until ``hmi trust``.

Against asyncua servers with Basic256Sha256 on 127.0.0.1; a "new certificate" is a second
server on the same port made with a fresh key pair, as after a PLC firmware reset.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from asyncua import ua
from asyncua.common.utils import ServiceError
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from drivers.opcua.commands import trust_server
from drivers.opcua.trust import Certificate, TrustError, pin_path, thumbprint
from hmi.core.driver import DeviceStatus
from hmi.core.project.models import DeviceConfig, Source
from hmi.core.tags import Quality
from tests.helpers import free_port, wait_for
from tests.integration.opcua_server import TIMEOUT, LinePlc, good, running, statuses, tag

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEM = Encoding.PEM
SECURE = {"security": "Basic256Sha256", "mode": "SignAndEncrypt"}


async def secure_server(port: int, pki: Path) -> LinePlc:
    return await (await LinePlc(port).init(pki)).start()


def der(server: LinePlc) -> bytes:
    assert server.cert_path is not None
    return server.cert_path.read_bytes()


def device(endpoint: str, **options) -> DeviceConfig:
    opts = {"endpoint": endpoint, "timeout": TIMEOUT, **SECURE, **options}
    return DeviceConfig("plc", "opcua", opts, source=Source("/plant/lines/project.yaml", 12))


async def test_first_use_pins_a_changed_certificate_is_refused_and_trust_fixes_it(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="drivers.opcua")
    port, data = free_port(), tmp_path / "data"
    first = await secure_server(port, tmp_path / "first")
    pin = pin_path(data, "plc")
    speed = [tag("speed", "Speed")]
    try:
        async with running(first.endpoint, speed, data, **SECURE) as (_, sink):
            await wait_for(lambda: good(sink, "speed", 1.5), 8)
        assert pin.read_bytes() == der(first)
        (said,) = [r.getMessage() for r in caplog.records if "first use" in r.getMessage()]
        assert thumbprint(der(first)) in said and str(pin) in said
    finally:
        await first.stop()

    second = await secure_server(port, tmp_path / "second")
    old, new = thumbprint(der(first)), thumbprint(der(second))
    try:
        async with running(second.endpoint, speed, data, **SECURE) as (_, sink):
            await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 8)
            reason = sink.last_state.reason
            assert f"trusted SHA-256 {old}, presented SHA-256 {new}" in reason
            assert reason.endswith("trust the new one with: hmi trust PROJECT plc")
            assert sink.latest["speed"].quality is Quality.BAD
            assert sink.latest["speed"].reason == reason
            assert pin.read_bytes() == der(first), "a refused certificate is never pinned"
            assert "Traceback" not in caplog.text

            asked: list[str] = []
            shown: list[str] = []

            def yes(question: str) -> bool:
                asked.append(question)
                return True

            target = device(second.endpoint)
            assert await trust_server(target, data, yes, shown.append)
            assert asked == ["Trust this certificate for plc? [y/N] "]
            assert f"  SHA-256     {new}" in shown
            assert f"It replaces the trusted certificate SHA-256 {old}." in shown
            assert pin.read_bytes() == der(second)
            # the running driver retries on its own and now gets in
            await wait_for(lambda: good(sink, "speed", 1.5), 15)
    finally:
        await second.stop()


async def test_a_certificate_changed_under_a_running_driver_is_named_in_its_state(tmp_path):
    port, data = free_port(), tmp_path / "data"
    first = await secure_server(port, tmp_path / "first")
    second = None
    try:
        async with running(first.endpoint, [tag("speed", "Speed")], data, **SECURE) as (_, sink):
            await wait_for(lambda: good(sink, "speed", 1.5), 8)
            await first.stop()
            await wait_for(lambda: sink.latest["speed"].quality is Quality.BAD, 5)
            second = await secure_server(port, tmp_path / "second")
            new = thumbprint(der(second))
            await wait_for(lambda: f"presented SHA-256 {new}" in sink.last_state.reason, 15)
            assert sink.last_state.status in (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED)
            assert sink.latest["speed"].quality is Quality.BAD
    finally:
        await first.stop()
        if second is not None:
            await second.stop()


async def test_security_none_is_said_in_the_log_at_start(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="drivers.opcua")
    endpoint = f"opc.tcp://127.0.0.1:{free_port()}"
    async with running(endpoint, [tag("speed", "Speed")], tmp_path) as (_, sink):
        await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 5)
    said = [r.getMessage() for r in caplog.records if "security None" in r.getMessage()]
    assert said == [
        f"plc: security None: the connection to {endpoint} is neither authenticated nor "
        "encrypted (the server is not checked, values travel in clear)"
    ]
    assert not pin_path(tmp_path, "plc").exists()


async def test_a_declined_trust_changes_nothing_and_an_unchanged_one_is_said(tmp_path):
    port, data = free_port(), tmp_path / "data"
    server = await secure_server(port, tmp_path / "pki")
    target = device(server.endpoint)
    shown: list[str] = []
    try:
        assert not await trust_server(target, data, lambda q: False, shown.append)
        assert not pin_path(data, "plc").exists()
        assert shown[-1] == "Nothing changed."
        assert "No certificate is trusted for plc yet." in shown
        subject = next(line for line in shown if "subject" in line)
        assert Certificate.parse(der(server)).subject in subject

        assert await trust_server(target, data, lambda q: True, shown.append)
        shown.clear()
        assert await trust_server(target, data, lambda q: False, shown.append)
        assert shown[-1].startswith("It is already the trusted certificate of plc")
    finally:
        await server.stop()


async def test_trust_refuses_devices_with_nothing_to_trust(tmp_path):
    endpoint = f"opc.tcp://127.0.0.1:{free_port()}"
    unsecured = DeviceConfig("plc", "opcua", {"endpoint": endpoint, "security": "None"})
    with pytest.raises(TrustError, match=r"security None.*neither authenticated nor encrypted"):
        await trust_server(unsecured, tmp_path, lambda q: True, print)
    with pytest.raises(TrustError, match="trusts the file given as server_certificate"):
        await trust_server(
            device(endpoint, server_certificate="plc.der"), tmp_path, lambda q: True, print
        )
    with pytest.raises(TrustError, match="connection refused"):
        await trust_server(device(endpoint), tmp_path, lambda q: True, print)


async def test_a_configured_server_certificate_other_than_the_presented_is_refused(tmp_path):
    port = free_port()
    server = await secure_server(port, tmp_path / "pki")
    other = tmp_path / "other.pem"  # another server's certificate, in PEM this time
    await setup_self_signed_certificate(tmp_path / "key.pem", other, "urn:other", "other", [], {})
    other.write_bytes(x509.load_der_x509_certificate(other.read_bytes()).public_bytes(PEM))
    configured = {"server_certificate": str(other)}
    try:
        async with running(
            server.endpoint, [tag("speed", "Speed")], tmp_path, **SECURE, **configured
        ) as (
            _,
            sink,
        ):
            await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 8)
            reason = sink.last_state.reason
            assert f"(SHA-256 {thumbprint(der(server))})" in reason
            assert f"other than the server_certificate file {other}" in reason
            assert f"(SHA-256 {Certificate.parse(other.read_bytes()).thumbprint})" in reason
        assert not pin_path(tmp_path, "plc").exists()
    finally:
        await server.stop()


async def test_a_server_that_refuses_the_client_certificate_says_so(tmp_path):
    server = await LinePlc(free_port()).init(tmp_path / "pki")

    async def untrusted(certificate, application) -> None:
        raise ServiceError(ua.StatusCodes.BadCertificateUntrusted)

    server.server.set_certificate_validator(untrusted)
    await server.start()
    try:
        async with running(server.endpoint, [tag("speed", "Speed")], tmp_path, **SECURE) as (
            _,
            sink,
        ):
            await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 8)
            reason = sink.last_state.reason
            assert "refuses this HMI's client certificate (BadCertificateUntrusted" in reason
            assert "hmi paths PROJECT" in reason
    finally:
        await server.stop()


# -- the command line ------------------------------------------------------------------------


def secure_project(folder: Path, endpoint: str) -> Path:
    folder.mkdir()
    (folder / "project.yaml").write_text(
        f"project:\n  name: Trust {folder.parent.name}\n"
        "devices:\n"
        "  plc:\n"
        "    protocol: opcua\n"
        f"    endpoint: {endpoint}\n"
        "    security: Basic256Sha256\n"
        "    timeout: 1s\n"
        "tags:\n"
        "  - name: speed\n"
        "    device: plc\n"
        '    address: "ns=2;s=Line.Speed"\n'
        "    type: float64\n",
        encoding="utf-8",
    )
    return folder


async def run_hmi(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """``hmi ...`` in its own process while this loop goes on serving the test's server."""
    command = [sys.executable, "-m", "hmi", *args]
    return await asyncio.to_thread(
        subprocess.run, command, input=stdin, capture_output=True, text=True, timeout=60
    )


async def test_hmi_read_pins_refuses_a_new_certificate_and_hmi_trust_yes_fixes_it(tmp_path):
    port = free_port()
    first = await secure_server(port, tmp_path / "first")
    folder = secure_project(tmp_path / "project", first.endpoint)
    try:
        read = await run_hmi("read", str(folder), "speed")
        assert read.returncode == 0, read.stdout + read.stderr
        assert "trusting the server certificate on first use" in read.stderr
        assert thumbprint(der(first)) in read.stderr
    finally:
        await first.stop()

    second = await secure_server(port, tmp_path / "second")
    old, new = thumbprint(der(first)), thumbprint(der(second))
    try:
        read = await run_hmi("read", str(folder), "speed")
        assert read.returncode == 1 and "Traceback" not in read.stderr
        reason = json.loads(read.stdout)["reason"]
        assert f"trusted SHA-256 {old}, presented SHA-256 {new}" in reason
        assert "hmi trust PROJECT plc" in reason

        declined = await run_hmi("trust", str(folder), "plc", stdin="n\n")
        assert declined.returncode == 1 and "Nothing changed." in declined.stdout
        trust = await run_hmi("trust", str(folder), "plc", "--yes")
        assert trust.returncode == 0, trust.stdout + trust.stderr
        assert f"SHA-256     {new}" in trust.stdout
        assert "Trust this certificate for plc? [y/N] yes (--yes)" in trust.stdout
        assert f"It replaces the trusted certificate SHA-256 {old}." in trust.stdout

        read = await run_hmi("read", str(folder), "speed")
        assert read.returncode == 0, read.stdout + read.stderr
        assert json.loads(read.stdout)["value"] == 1.5

        paths = await run_hmi("paths", str(folder))
        assert str(Path("pki") / "plc" / "trusted" / "server_cert.der") in paths.stdout
        assert f"(SHA-256 {new})" in paths.stdout
    finally:
        await second.stop()


async def test_hmi_trust_of_what_has_no_certificate_says_why(tmp_path):
    folder = secure_project(tmp_path / "project", f"opc.tcp://127.0.0.1:{free_port()}")
    text = (folder / "project.yaml").read_text(encoding="utf-8")
    (folder / "project.yaml").write_text(text.replace("Basic256Sha256", "None"))
    proc = await run_hmi("trust", str(folder), "plc", "--yes")
    assert proc.returncode == 1 and "uses security None" in proc.stderr
    proc = await run_hmi("trust", str(folder), "plx")
    assert proc.returncode == 1 and "unknown device 'plx'; did you mean 'plc'?" in proc.stderr
    assert "Traceback" not in proc.stderr
