"""The OPC UA driver against real asyncua servers on 127.0.0.1 (see ``opcua_server``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from asyncua import ua

from drivers.opcua import OpcUaDriver, browse
from drivers.opcua.security import CERT_FILE, KEY_FILE, pki_dir
from hmi.core.driver import DeviceStatus, DriverContext, WriteStatus
from hmi.core.project.models import DeviceConfig
from hmi.core.secrets import open_store
from hmi.core.tags import Quality
from tests.helpers import RecordingSink, free_port, wait_for
from tests.integration.opcua_server import (
    NAMESPACE,
    PASSWORD,
    SCANS,
    TIMEOUT,
    USER,
    VARIABLES,
    FreezingProxy,
    LinePlc,
    good,
    running,
    statuses,
    tag,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


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


async def test_username_and_password(plc, tmp_path, monkeypatch):
    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    store = open_store()
    store.set("plc_login", PASSWORD)
    store.set("plc_wrong", "wrong")
    tags = [tag("speed", "Speed")]
    login = {"username": USER, "password": {"secret": "plc_login"}}
    async with running(plc.endpoint, tags, tmp_path, **login) as (_, sink):
        await wait_for(lambda: good(sink, "speed"), 5)

    wrong = {"username": USER, "password": "secret:plc_wrong"}
    async with running(plc.endpoint, tags, tmp_path, **wrong) as (_, sink):
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


async def test_something_else_than_an_opc_ua_server_is_named_as_such(tmp_path, caplog):
    async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" + bytes(range(256)))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(http, "127.0.0.1", 0)
    endpoint = f"opc.tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with running(endpoint, [tag("speed", "Speed")], tmp_path) as (_, sink):
            await wait_for(lambda: DeviceStatus.OFFLINE in statuses(sink), 5)
            assert sink.last_state.reason == (
                f"cannot connect to {endpoint}: the server closed the connection before a "
                "session was open (not an OPC UA server at that address, or it refuses this "
                "client)"
            )
    finally:
        server.close()
    assert "Traceback" not in caplog.text


# -- browsing ------------------------------------------------------------------------------------


async def test_browse_lists_the_server_variables(plc, tmp_path):
    device = DeviceConfig("plc", "opcua", {"endpoint": plc.endpoint, "timeout": TIMEOUT})
    rows = {row["browse_path"]: row for row in await browse(device, tmp_path)}
    assert set(rows) == {f"Line/{name}" for name in VARIABLES}
    assert rows["Line/Speed"] == {
        "node_id": "ns=2;s=Line.Speed",
        "browse_path": "Line/Speed",
        "data_type": "Double",
        "type": "float64",
        "writable": True,
        "units": "m/min",
        "range": [0.0, 600.0],
        "max_length": None,
        "description": "Speed",
    }
    assert (rows["Line/Count"]["data_type"], rows["Line/Count"]["type"]) == ("Int32", "int32")
    assert (rows["Line/Tiny"]["data_type"], rows["Line/Tiny"]["type"]) == ("Byte", "uint16")
    assert (rows["Line/Text"]["data_type"], rows["Line/Text"]["type"]) == (
        "LocalizedText",
        "string",
    )
    assert (rows["Line/Series"]["data_type"], rows["Line/Series"]["type"]) == ("Int32[]", None)
    assert (rows["Line/Anything"]["data_type"], rows["Line/Anything"]["type"]) == (
        "BaseDataType",
        None,
    )
    assert rows["Line/Locked"]["writable"] is False
    assert rows["Line/Count"]["units"] == "" and rows["Line/Count"]["range"] is None
    assert OpcUaDriver.browse is browse
