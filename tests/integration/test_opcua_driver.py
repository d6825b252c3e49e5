"""The OPC UA driver against real asyncua servers on 127.0.0.1.

asyncua servers take about two seconds to initialise, so one plain server and one
secure-only server are shared by the module; only the tests that stop a server own one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import pytest_asyncio
from asyncua import Server, ua
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.user_managers import UserManager
from cryptography.x509.oid import ExtendedKeyUsageOID

from drivers.opcua import OpcUaDriver, browse
from drivers.opcua.security import CERT_FILE, KEY_FILE, pki_dir
from hmi.core.driver import DeviceStatus, DriverContext, WriteStatus
from hmi.core.project.models import DataType, DeviceConfig, ScanClass, TagConfig
from hmi.core.tags import Quality
from tests.helpers import RecordingSink, free_port, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

NAMESPACE = "urn:linea:test"
SCANS = {
    "fast": ScanClass("fast", 0.1),
    "normal": ScanClass("normal", 0.5),
    "slow": ScanClass("slow", 30.0),
}
TIMEOUT = 1.0  # the driver's request timeout in these tests
USER, PASSWORD = "operator", "secret"

# name -> (initial value, variant type, writable by clients)
VARIABLES: dict[str, tuple[object, ua.VariantType, bool]] = {
    "Speed": (1.5, ua.VariantType.Double, True),
    "Count": (7, ua.VariantType.Int32, True),
    "Level": (10, ua.VariantType.UInt16, True),
    "Label": ("idle", ua.VariantType.String, True),
    "Running": (False, ua.VariantType.Boolean, True),
    "Ratio": (0.5, ua.VariantType.Float, True),
    "Locked": (3.0, ua.VariantType.Double, False),
    "Guarded": (4.0, ua.VariantType.Double, True),
    "Clamped": (0.0, ua.VariantType.Double, True),
    "Polled": (0.0, ua.VariantType.Double, False),
    "A": (0.0, ua.VariantType.Double, False),
    "B": (0.0, ua.VariantType.Double, False),
    "C": (0.0, ua.VariantType.Double, False),
    "Sensor": (20.0, ua.VariantType.Double, False),
    "Restart": (1.0, ua.VariantType.Double, False),
}


class Users(UserManager):
    """Anonymous clients may connect; a named one needs the right password."""

    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username is None or (username, password) == (USER, PASSWORD):
            return User(role=UserRole.User)
        return None


def refuse_writes(node, attr, value) -> None:
    """A value setter that answers like a PLC whose variable is locked against writes."""
    raise ua.uaerrors.BadNotWritable


def clamp_to_100(node, attr, value) -> None:
    """A value setter that keeps at most 100, as a PLC limiting a setpoint would."""
    clamped = min(value.Value.Value, 100.0)
    node.attributes[attr].value = ua.DataValue(ua.Variant(clamped, ua.VariantType.Double))


class LinePlc:
    """An asyncua server with the ``Line`` object; initialised now, listening on ``start``."""

    def __init__(self, port: int, values: dict[str, object] | None = None):
        self.port = port
        self.endpoint = f"opc.tcp://127.0.0.1:{port}/linea"
        self.values = values or {}
        self.server = Server(user_manager=Users())
        self.nodes: dict[str, object] = {}
        self.cert_path: Path | None = None

    async def init(self, pki: Path | None = None) -> LinePlc:
        server = self.server
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("Linea test PLC")
        if pki is None:
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        else:
            await self._secure(pki)
        ns = await server.register_namespace(NAMESPACE)
        line = await server.nodes.objects.add_object(ns, "Line")
        for name, (value, vtype, writable) in VARIABLES.items():
            value = self.values.get(name, value)
            node = await line.add_variable(f"ns={ns};s=Line.{name}", name, ua.Variant(value, vtype))
            if writable:
                await node.set_writable()
            self.nodes[name] = node
        server.set_attribute_value_setter(self.nodes["Guarded"].nodeid, refuse_writes)
        server.set_attribute_value_setter(self.nodes["Clamped"].nodeid, clamp_to_100)
        return self

    async def _secure(self, pki: Path) -> None:
        uri = "urn:linea:test:plc"
        key, cert = pki / "server_key.pem", pki / "server_cert.der"
        await setup_self_signed_certificate(
            key, cert, uri, socket.gethostname(), [ExtendedKeyUsageOID.SERVER_AUTH], {}
        )
        await self.server.set_application_uri(uri)
        self.cert_path = cert
        await self.server.load_certificate(str(cert))
        await self.server.load_private_key(str(key))
        self.server.set_security_policy(
            [
                ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,
                ua.SecurityPolicyType.Basic256Sha256_Sign,
            ]
        )

    async def start(self) -> LinePlc:
        await self.server.start()
        return self

    async def stop(self) -> None:
        await self.server.stop()

    async def set(self, name: str, value: object, status: int = 0) -> None:
        vtype = VARIABLES[name][1]
        dv = ua.DataValue(
            ua.Variant(value, vtype),
            StatusCode=ua.StatusCode(status),
            SourceTimestamp=dt.datetime.now(dt.UTC),
        )
        await self.server.write_attribute_value(self.nodes[name].nodeid, dv)

    async def get(self, name: str) -> object:
        return await self.nodes[name].read_value()


class FreezingProxy:
    """A TCP relay that can stop passing bytes while keeping the sockets open: a hung PLC."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.frozen = False
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> FreezingProxy:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if not self.frozen:
                    writer.write(data)
                    await writer.drain()
        finally:
            writer.close()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def plc() -> AsyncIterator[LinePlc]:
    server = await (await LinePlc(free_port()).init()).start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def secure_plc(tmp_path_factory) -> AsyncIterator[LinePlc]:
    pki = tmp_path_factory.mktemp("server_pki")
    server = await (await LinePlc(free_port()).init(pki)).start()
    yield server
    await server.stop()


def tag(name: str, node: str | None = None, scan: str = "fast", **kw) -> TagConfig:
    address = kw.pop("address", f"ns=2;s=Line.{node or name}")
    return TagConfig(name, DataType.FLOAT64, device="plc", address=address, scan_class=scan, **kw)


@asynccontextmanager
async def running(
    endpoint: str, tags: list[TagConfig], data_dir: Path, **options
) -> AsyncIterator[tuple[OpcUaDriver, RecordingSink]]:
    device = DeviceConfig("plc", "opcua", {"endpoint": endpoint, "timeout": TIMEOUT, **options})
    sink = RecordingSink()
    driver = OpcUaDriver(DriverContext(device, tags, SCANS, sink, data_dir=str(data_dir)))
    await driver.start()
    try:
        yield driver, sink
    finally:
        await driver.stop()


def good(sink: RecordingSink, name: str, value: object = None) -> bool:
    tv = sink.latest.get(name)
    return tv is not None and tv.good and (value is None or tv.value == value)


def statuses(sink: RecordingSink) -> list[DeviceStatus]:
    return [s.status for s in sink.states]


# -- values in -----------------------------------------------------------------------------


async def test_subscription_delivers_one_batch_per_publish(plc, tmp_path):
    tags = [tag("a", "A"), tag("b", "B"), tag("c", "C"), tag("speed", "Speed", "normal")]
    async with running(plc.endpoint, tags, tmp_path) as (_, sink):
        await wait_for(lambda: all(good(sink, t.name) for t in tags), 5)
        before = len(sink.batches)
        for name, value in (("A", 11.0), ("B", 12.0), ("C", 13.0)):
            await plc.set(name, value)
        await wait_for(lambda: good(sink, "c", 13.0), 3)

        changed = [b for b in sink.batches[before:] if "a" in b]
        assert changed, "the change of A never arrived"
        assert {k: v.value for k, v in changed[0].items()} == {"a": 11.0, "b": 12.0, "c": 13.0}
        assert abs(sink.latest["a"].source_ts - time.time()) < 5
        assert sink.latest["a"].ts >= sink.latest["a"].source_ts - 1
        assert statuses(sink) == [DeviceStatus.CONNECTING, DeviceStatus.ONLINE]


async def test_a_slow_scan_class_shows_its_values_at_once(plc, tmp_path):
    # the first notification of a 30 s subscription comes 30 s later; the driver reads first
    tags = [tag("a", "A", "fast"), tag("b", "B", "normal"), tag("speed", "Speed", "slow")]
    async with running(plc.endpoint, tags, tmp_path) as (_, sink):
        await wait_for(lambda: good(sink, "speed"), 5)


async def test_polling_reads_every_period(plc, tmp_path):
    tags = [tag("polled", "Polled"), tag("count", "Count", "normal")]
    async with running(plc.endpoint, tags, tmp_path, subscriptions=False) as (_, sink):
        await wait_for(lambda: good(sink, "polled", 0.0) and good(sink, "count"), 5)
        await plc.set("Polled", 42.0)
        await wait_for(lambda: good(sink, "polled", 42.0), 2)
        # a read per period republishes unchanged values: the fast class keeps arriving
        seen = sum("polled" in b for b in sink.batches)
        await wait_for(lambda: sum("polled" in b for b in sink.batches) >= seen + 3, 2)
        assert all(set(b) <= {"polled"} or set(b) <= {"count"} for b in sink.batches)
        assert statuses(sink) == [DeviceStatus.CONNECTING, DeviceStatus.ONLINE]


async def test_a_refused_subscription_falls_back_to_polling(plc, tmp_path, monkeypatch):
    monkeypatch.setattr(plc.server.iserver, "max_subscriptions", 0)  # BadTooManySubscriptions
    async with running(plc.endpoint, [tag("polled", "Polled")], tmp_path) as (_, sink):
        await wait_for(lambda: good(sink, "polled"), 5)
        await plc.set("Polled", 7.5)
        await wait_for(lambda: good(sink, "polled", 7.5), 2)
        assert plc.server.iserver.subscription_service.subscriptions == {}
        assert statuses(sink) == [DeviceStatus.CONNECTING, DeviceStatus.ONLINE]


@pytest.mark.parametrize("subscriptions", [True, False])
async def test_unknown_node_is_bad_and_the_others_good(plc, tmp_path, subscriptions):
    tags = [
        tag("speed", "Speed"),
        tag("missing", "Missing"),
        tag("by_uri", address=f"nsu={NAMESPACE};s=Line.Speed"),
        tag("other_uri", address="nsu=urn:elsewhere;s=Line.Speed"),
    ]
    async with running(plc.endpoint, tags, tmp_path, subscriptions=subscriptions) as (_, sink):
        await wait_for(lambda: all(t.name in sink.latest for t in tags), 5)
        await wait_for(lambda: good(sink, "speed") and good(sink, "by_uri"), 3)
        missing = sink.latest["missing"]
        assert missing.quality is Quality.BAD
        assert missing.reason.startswith("BadNodeIdUnknown: the node id refers to a node")
        assert sink.latest["other_uri"].quality is Quality.BAD
        assert "urn:elsewhere" in sink.latest["other_uri"].reason
        assert sink.latest["by_uri"].value == sink.latest["speed"].value


async def test_status_code_of_a_value_becomes_its_quality(plc, tmp_path):
    uncertain = ua.StatusCodes.UncertainLastUsableValue
    async with running(plc.endpoint, [tag("sensor", "Sensor")], tmp_path) as (_, sink):
        await wait_for(lambda: good(sink, "sensor", 20.0), 5)
        await plc.set("Sensor", 21.0, uncertain)
        await wait_for(lambda: sink.latest["sensor"].quality is Quality.UNCERTAIN, 3)
        assert sink.latest["sensor"].value == 21.0
        assert sink.latest["sensor"].reason.startswith("UncertainLastUsableValue: ")

        await plc.set("Sensor", 0.0, ua.StatusCodes.BadSensorFailure)
        await wait_for(lambda: sink.latest["sensor"].quality is Quality.BAD, 3)
        assert sink.latest["sensor"].reason.startswith("BadSensorFailure: ")

        await plc.set("Sensor", 22.0)
        await wait_for(lambda: good(sink, "sensor", 22.0), 3)
        assert sink.latest["sensor"].reason == ""


# -- writes and one-shot reads -----------------------------------------------------------------


async def test_write_uses_the_node_type_and_reads_back(plc, tmp_path):
    tags = [
        tag("speed", "Speed", writable=True),
        tag("count", "Count", writable=True),
        tag("label", "Label", writable=True),
        tag("running", "Running", writable=True),
        tag("ratio", "Ratio", writable=True),
    ]
    by_name = {t.name: t for t in tags}
    async with running(plc.endpoint, tags, tmp_path) as (driver, sink):
        await wait_for(lambda: good(sink, "speed"), 5)

        result = await driver.write(by_name["speed"], 12.25)
        assert (result.status, result.readback) == (WriteStatus.DONE, 12.25)
        assert await plc.get("Speed") == 12.25

        result = await driver.write(by_name["count"], 12.0)  # scaled raw values come as floats
        assert (result.status, result.readback) == (WriteStatus.DONE, 12)
        assert await plc.get("Count") == 12

        result = await driver.write(by_name["label"], "running")
        assert (result.status, result.readback) == (WriteStatus.DONE, "running")

        result = await driver.write(by_name["running"], True)
        assert (result.status, result.readback) == (WriteStatus.DONE, True)

        result = await driver.write(by_name["ratio"], 0.1)  # Float keeps 32 bits
        assert result.status is WriteStatus.DONE
        assert result.readback == pytest.approx(0.1, rel=1e-6)


async def test_write_refuses_values_the_node_cannot_hold(plc, tmp_path):
    tags = [
        tag("speed", "Speed", writable=True),
        tag("level", "Level", writable=True),
        tag("speed_ro", "Speed", writable=False),
    ]
    async with running(plc.endpoint, tags, tmp_path) as (driver, sink):
        await wait_for(lambda: good(sink, "speed"), 5)
        result = await driver.write(tags[0], "fast")
        assert result.status is WriteStatus.REFUSED
        assert "Double node needs a number" in result.message
        result = await driver.write(tags[1], 70000)
        assert result.status is WriteStatus.REFUSED
        assert "outside the UInt16 range" in result.message
        result = await driver.write(tags[2], 1.0)
        assert result.status is WriteStatus.REFUSED
        assert await plc.get("Level") == 10


async def test_write_to_a_read_only_node_fails_with_the_status(plc, tmp_path):
    tags = [tag("guarded", "Guarded", writable=True), tag("locked", "Locked", writable=True)]
    async with running(plc.endpoint, tags, tmp_path) as (driver, sink):
        await wait_for(lambda: good(sink, "guarded"), 5)
        result = await driver.write(tags[0], 5.0)
        assert result.status is WriteStatus.FAILED
        assert result.message.startswith("BadNotWritable: the access level does not allow")
        assert await plc.get("Guarded") == 4.0
        # asyncua itself answers a client without write access with BadUserAccessDenied
        result = await driver.write(tags[1], 5.0)
        assert result.status is WriteStatus.FAILED
        assert result.message.startswith("BadUserAccessDenied")
        assert await plc.get("Locked") == 3.0


async def test_write_fails_when_the_read_back_differs(plc, tmp_path):
    clamped = tag("clamped", "Clamped", writable=True)
    async with running(plc.endpoint, [clamped], tmp_path) as (driver, sink):
        await wait_for(lambda: good(sink, "clamped"), 5)
        assert (await driver.write(clamped, 80.0)).status is WriteStatus.DONE
        result = await driver.write(clamped, 150.0)
        assert result.status is WriteStatus.FAILED
        assert result.message == "read back 100.0 instead of 150.0"
        assert result.readback == 100.0


async def test_one_shot_read_without_starting(plc, tmp_path):
    device = DeviceConfig("plc", "opcua", {"endpoint": plc.endpoint, "timeout": TIMEOUT})
    tags = [tag("count", "Count"), tag("missing", "Missing"), tag("bad_address", address="x")]
    driver = OpcUaDriver(DriverContext(device, tags, SCANS, RecordingSink(), str(tmp_path)))
    batch = await driver.read(tags)
    assert batch["count"].good and isinstance(batch["count"].value, int)
    assert batch["missing"].reason.startswith("BadNodeIdUnknown")
    assert batch["bad_address"].quality is Quality.BAD
    assert "not a NodeId" in batch["bad_address"].reason


async def test_write_while_offline_fails_without_raising(tmp_path):
    endpoint = f"opc.tcp://127.0.0.1:{free_port()}"
    speed = tag("speed", "Speed", writable=True)
    async with running(endpoint, [speed], tmp_path) as (driver, sink):
        await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 5)
        result = await driver.write(speed, 1.0)
        assert result.status is WriteStatus.FAILED
        assert "offline" in result.message and "connection refused" in result.message


# -- users and security --------------------------------------------------------------------------


async def test_username_and_password(plc, tmp_path):
    tags = [tag("speed", "Speed")]
    async with running(plc.endpoint, tags, tmp_path, username=USER, password=PASSWORD) as (_, sink):
        await wait_for(lambda: good(sink, "speed"), 5)

    async with running(plc.endpoint, tags, tmp_path, username=USER, password="wrong") as (_, sink):
        await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 5)
        reason = sink.last_state.reason
        assert f"refused the login of user '{USER}'" in reason
        assert "BadUserAccessDenied" in reason
        assert sink.latest["speed"].quality is Quality.BAD
        assert sink.latest["speed"].reason == reason


async def test_basic256sha256_creates_the_client_certificate_once(secure_plc, tmp_path):
    tags = [tag("speed", "Speed")]
    secure = {"security": "Basic256Sha256", "mode": "SignAndEncrypt"}
    folder = pki_dir(tmp_path, "plc")
    assert not folder.exists()
    async with running(secure_plc.endpoint, tags, tmp_path, **secure) as (_, sink):
        await wait_for(lambda: good(sink, "speed", 1.5), 8)
    cert, key = (folder / CERT_FILE).read_bytes(), (folder / KEY_FILE).read_bytes()
    assert b"PRIVATE KEY" in key

    secure |= {"mode": "Sign", "server_certificate": str(secure_plc.cert_path)}  # pinned
    async with running(secure_plc.endpoint, tags, tmp_path, **secure) as (_, sink):
        await wait_for(lambda: good(sink, "speed", 1.5), 8)
    assert (folder / CERT_FILE).read_bytes() == cert
    assert (folder / KEY_FILE).read_bytes() == key

    # the server offers no unsecured endpoint, so the connections above were secured
    async with running(secure_plc.endpoint, tags, tmp_path) as (_, sink):
        await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 5)
        assert "offers no endpoint with security None" in sink.last_state.reason
        assert sink.latest["speed"].quality is Quality.BAD


# -- outages -------------------------------------------------------------------------------------


async def test_server_restart_turns_bad_then_good_again(tmp_path):
    port = free_port()
    first = await (await LinePlc(port).init()).start()
    second = await LinePlc(port, {"Restart": 100.0}).init()  # listens once started
    try:
        async with running(first.endpoint, [tag("value", "Restart")], tmp_path) as (_, sink):
            await wait_for(lambda: good(sink, "value", 1.0), 5)
            stopped = time.monotonic()
            await first.stop()
            await wait_for(lambda: sink.latest["value"].quality is Quality.BAD, TIMEOUT + 1)
            assert time.monotonic() - stopped < TIMEOUT + 1
            assert sink.latest["value"].reason
            assert sink.last_state.status is DeviceStatus.OFFLINE

            await second.start()
            await wait_for(lambda: good(sink, "value", 100.0), 8)
            await second.set("Restart", 101.0)  # the subscription was created anew
            await wait_for(lambda: good(sink, "value", 101.0), 3)
            assert statuses(sink) == [
                DeviceStatus.CONNECTING,
                DeviceStatus.ONLINE,
                DeviceStatus.OFFLINE,
                DeviceStatus.ONLINE,
            ]
            bad = [b["value"] for b in sink.batches if b["value"].quality is Quality.BAD]
            assert len(bad) == 1, "every tag turns Bad once per outage"
    finally:
        await second.stop()


async def test_a_silent_server_is_noticed_within_the_timeout(plc, tmp_path):
    async with FreezingProxy(plc.port) as proxy:
        endpoint = f"opc.tcp://127.0.0.1:{proxy.port}/linea"
        async with running(endpoint, [tag("speed", "Speed")], tmp_path) as (_, sink):
            await wait_for(lambda: good(sink, "speed"), 5)
            proxy.frozen = True
            frozen_at = time.monotonic()
            await wait_for(lambda: sink.latest["speed"].quality is Quality.BAD, TIMEOUT + 1)
            assert time.monotonic() - frozen_at < TIMEOUT + 1
            assert sink.last_state.status is DeviceStatus.OFFLINE
            assert sink.last_state.reason.startswith("the server stopped answering")
            proxy.frozen = False
            await wait_for(lambda: good(sink, "speed"), 8)


async def test_offline_at_start_then_online_when_the_server_comes(tmp_path):
    server = await LinePlc(free_port()).init()
    try:
        async with running(server.endpoint, [tag("speed", "Speed")], tmp_path) as (_, sink):
            await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 5)
            assert "connection refused" in sink.last_state.reason
            assert sink.latest["speed"].quality is Quality.BAD
            await server.start()
            await wait_for(lambda: good(sink, "speed", 1.5), 8)
            assert sink.last_state.status is DeviceStatus.ONLINE
    finally:
        await server.stop()


# -- browsing ------------------------------------------------------------------------------------


async def test_browse_lists_the_server_variables(plc, tmp_path):
    device = DeviceConfig("plc", "opcua", {"endpoint": plc.endpoint, "timeout": TIMEOUT})
    rows = {row["browse_path"]: row for row in await browse(device, tmp_path)}
    assert set(rows) == {f"Line/{name}" for name in VARIABLES}
    assert rows["Line/Speed"] == {
        "node_id": "ns=2;s=Line.Speed",
        "browse_path": "Line/Speed",
        "data_type": "Double",
        "writable": True,
        "description": "Speed",
    }
    assert rows["Line/Count"]["data_type"] == "Int32"
    assert rows["Line/Locked"]["writable"] is False
    assert OpcUaDriver.browse is browse
