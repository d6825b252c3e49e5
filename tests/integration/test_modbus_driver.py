"""The Modbus driver against real pymodbus servers (and misbehaving raw TCP peers) on loopback."""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import tty
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from pymodbus.constants import ExcCodes
from pymodbus.framer import FramerType
from pymodbus.server import ModbusSerialServer, ModbusTcpServer
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

from drivers.modbus import ModbusDriver
from drivers.modbus.codec import encode
from hmi.core.driver import DeviceStatus, DriverContext, WriteStatus
from hmi.core.project.models import DataType, DeviceConfig, ScanClass, Source, TagConfig
from hmi.core.tags import Quality
from tests.helpers import RecordingSink, free_port, wait_for

HOLE = 3000  # the one holding register the simulated PLC refuses (exception 2)
SCANS = {"fast": ScanClass("fast", 0.05), "normal": ScanClass("normal", 0.2)}
Action = Callable[..., Awaitable[ExcCodes | None]]


def sim_device(action: Action | None = None, unit: int = 1) -> SimDevice:
    return SimDevice(
        id=unit,
        simdata=(
            [SimData(0, count=64, values=False, datatype=SimType.BITS)],
            [SimData(0, count=64, values=False, datatype=SimType.BITS)],
            [
                SimData(0, count=HOLE, datatype=SimType.REGISTERS),
                SimData(HOLE + 1, count=99, datatype=SimType.REGISTERS),
            ],
            [SimData(0, count=100, datatype=SimType.REGISTERS)],
        ),
        action=action,
    )


async def start_plc(port: int, action: Action | None = None) -> ModbusTcpServer:
    server = ModbusTcpServer(sim_device(action), address=("127.0.0.1", port))
    await server.serve_forever(background=True)
    return server


@pytest.fixture
async def plc(port):
    server = await start_plc(port)
    yield server
    await server.shutdown()


def tag(name, address, data_type=DataType.INT16, scan="fast", **kwargs) -> TagConfig:
    return TagConfig(name, data_type, "plc", address, scan_class=scan, **kwargs)


def make_driver(port, tags, name="plc", **options) -> tuple[ModbusDriver, RecordingSink]:
    settings = {
        "host": "127.0.0.1",
        "port": port,
        "timeout": 0.5,
        "retries": 0,
        "reconnect_min": 0.05,
        "reconnect_max": 0.2,
        "demote_for": 0.5,
        **options,
    }
    sink = RecordingSink()
    device = DeviceConfig(name, "modbus", settings)
    return ModbusDriver(DriverContext(device, tags, SCANS, sink, data_dir())), sink


def data_dir() -> str:
    """A folder of its own for each driver's store (inside the tests' throw-away home)."""
    return tempfile.mkdtemp(prefix="modbus-", dir=os.environ["LINEA_HMI_HOME"])


@pytest.fixture
async def running():
    """Start drivers and always stop them, so no task outlives its test."""
    drivers: list[ModbusDriver] = []

    async def start(driver: ModbusDriver) -> ModbusDriver:
        drivers.append(driver)
        await driver.start()
        return driver

    yield start
    for driver in drivers:
        await driver.stop()


def statuses(sink: RecordingSink) -> list[DeviceStatus]:
    return [s.status for s in sink.states]


def all_good(sink: RecordingSink, names) -> Callable[[], bool]:
    return lambda: all(n in sink.latest and sink.latest[n].good for n in names)


def all_bad(sink: RecordingSink, names) -> Callable[[], bool]:
    return lambda: all(n in sink.latest and sink.latest[n].quality is Quality.BAD for n in names)


# -- reading ----------------------------------------------------------------------------------


async def test_every_type_reads_end_to_end(plc, port, running):
    words = {
        0: encode(DataType.INT16, -1234),
        1: encode(DataType.UINT16, 65000),
        2: encode(DataType.INT32, -70000, word_order="little"),
        4: encode(DataType.UINT32, 4_000_000_000),
        6: encode(DataType.INT64, -(2**40)),
        10: encode(DataType.UINT64, 2**63),
        14: encode(DataType.FLOAT32, 21.5, word_order="little"),
        16: encode(DataType.FLOAT64, -0.125, byte_order="little", word_order="little"),
        20: encode(DataType.STRING, "PRESS-1", length=8),
        24: [0b1000_0000_0000_0100],
    }
    for address, registers in words.items():
        await plc.async_setValues(1, 16, address, registers)
    await plc.async_setValues(1, 5, 3, [True])
    await plc.async_setValues(1, 2, 7, [True])
    await plc.async_setValues(1, 4, 9, [4321])
    tags = [
        tag("i16", "hr:0"),
        tag("u16", "40002", DataType.UINT16),
        tag("i32", "hr:2", DataType.INT32),
        tag("u32", "hr:4", DataType.UINT32, options={"word_order": "big"}),
        tag("i64", "hr:6", DataType.INT64, options={"word_order": "big"}),
        tag("u64", "hr:10", DataType.UINT64, options={"word_order": "big"}),
        tag("f32", "hr:14", DataType.FLOAT32),
        tag("f64", "hr:16", DataType.FLOAT64, options={"byte_order": "little"}),
        tag("text", "hr:20", DataType.STRING, length=8),
        tag("bit2", "hr:24.2", DataType.BOOL),
        tag("bit15", "hr:24.15", DataType.BOOL),
        tag("bit0", "hr:24.0", DataType.BOOL),
        tag("coil", "co:3", DataType.BOOL, scan="normal"),
        tag("input", "di:7", DataType.BOOL, scan="normal"),
        tag("other_input", "10001", DataType.BOOL, scan="normal"),
        tag("ir", "ir:9", DataType.UINT16, scan="normal"),
    ]
    # the device's word order is little; tags that are not say so themselves
    driver, sink = make_driver(port, tags, word_order="little")
    await running(driver)
    await wait_for(all_good(sink, [t.name for t in tags]), timeout=3)
    values = {name: tv.value for name, tv in sink.latest.items()}
    assert values == {
        "i16": -1234,
        "u16": 65000,
        "i32": -70000,
        "u32": 4_000_000_000,
        "i64": -(2**40),
        "u64": 2**63,
        "f32": 21.5,
        "f64": -0.125,
        "text": "PRESS-1",
        "bit2": True,
        "bit15": True,
        "bit0": False,
        "coil": True,
        "input": True,
        "other_input": False,
        "ir": 4321,
    }
    assert all(type(v) in (int, float, bool, str) for v in values.values())
    sample = sink.latest["f32"]
    assert sample.source_ts is None and abs(sample.ts - time.time()) < 2
    # one batch per poll: the fast class publishes all of its twelve tags together
    fast = {t.name for t in tags if t.scan_class == "fast"}
    assert any(set(batch) == fast for batch in sink.batches)
    assert statuses(sink)[:2] == [DeviceStatus.CONNECTING, DeviceStatus.ONLINE]


async def test_values_follow_the_plc(plc, port, running):
    driver, sink = make_driver(port, [tag("speed", "hr:40")])
    await running(driver)
    for value in (1, 2, 3):
        await plc.async_setValues(1, 6, 40, [value])
        await wait_for(lambda v=value: sink.latest.get("speed") and sink.latest["speed"].value == v)


async def test_a_poll_publishes_what_changed_and_everything_after_an_outage(port, running):
    names = ["a", "b", "c"]
    server = await start_plc(port)
    driver, sink = make_driver(port, [tag(n, f"hr:{10 + i}") for i, n in enumerate(names)])
    try:
        await running(driver)
        await wait_for(all_good(sink, names))
        assert set(sink.batches[0]) == set(names)  # the first poll: every tag
        scans = driver.stats.scans["fast"]
        seen, cycles = len(sink.batches), scans.cycles
        await server.async_setValues(1, 6, 11, [7])
        await wait_for(lambda: scans.cycles >= cycles + 6, timeout=3)
        changed = sink.batches[seen:]
        assert [set(batch) for batch in changed] == [{"b"}]
        assert changed[0]["b"].value == 7 and changed[0]["b"].good
        await server.shutdown()
        await wait_for(all_bad(sink, names), timeout=2)
        server = await start_plc(port)  # the same values as before (b: 0 again)
        seen = len(sink.batches)
        await wait_for(all_good(sink, names), timeout=5)
        # back from Bad: every tag published Good again, the unchanged ones too
        assert set(names) <= {name for batch in sink.batches[seen:] for name in batch}
    finally:
        await server.shutdown()


async def test_contiguous_tags_cost_one_request_per_125_registers(plc, port):
    tags = [tag(f"t{i}", f"hr:{2 * i}", DataType.FLOAT32) for i in range(200)]
    for i in range(0, 400, 100):
        await plc.async_setValues(1, 16, i, list(range(i, i + 100)))
    driver, _ = make_driver(port, tags)
    try:
        batch = await driver.read(tags)
        before = driver.stats.requests
        batch = await driver.read(tags)
        assert driver.stats.requests - before == math.ceil(400 / 125)
    finally:
        await driver.stop()
    assert all(tv.good for tv in batch.values()) and len(batch) == 200
    # register i holds i, so tag t1 (registers 2 and 3) holds the float of 0x0002_0003
    assert batch["t1"].value == struct.unpack(">f", struct.pack(">HH", 2, 3))[0]
    assert batch["t199"].value == struct.unpack(">f", struct.pack(">HH", 398, 399))[0]


async def test_one_refused_address_makes_only_its_tag_bad(plc, port, running):
    names = ["before2", "before1", "refused", "after1", "after2"]
    tags = [tag(n, f"hr:{HOLE - 2 + i}") for i, n in enumerate(names)]
    await plc.async_setValues(1, 16, HOLE - 2, [7, 8])
    await plc.async_setValues(1, 16, HOLE + 1, [9, 10])
    driver, sink = make_driver(port, tags)
    first = await driver.read(tags)
    assert first["refused"].quality is Quality.BAD
    assert first["refused"].reason == "Modbus exception 2: illegal data address"
    assert [first[n].value for n in names if n != "refused"] == [7, 8, 9, 10]
    assert all(first[n].good for n in names if n != "refused")
    # what the device refused is remembered: the next read is one request on each side
    # of it, and the refused tag is not asked for again
    before = driver.stats.requests
    again = await driver.read(tags)
    assert driver.stats.requests - before == 2
    assert again["refused"].reason == "Modbus exception 2: illegal data address"
    assert all(again[n].good for n in names if n != "refused")

    await running(driver)
    await wait_for(lambda: statuses(sink)[-1:] == [DeviceStatus.DEGRADED])
    await wait_for(all_good(sink, ["before1", "after1"]))
    assert sink.latest["refused"].reason == "Modbus exception 2: illegal data address"
    assert "refused: Modbus exception 2" in sink.last_state.reason


async def test_other_exceptions_mark_the_tags_of_that_block_bad(port, running):
    async def busy_at_40(function_code, start, address, count, registers, values):
        return ExcCodes.DEVICE_BUSY if address <= 40 < address + count else None

    server = await start_plc(port, busy_at_40)
    try:
        tags = [tag("busy", "hr:40"), tag("fine", "hr:400")]
        driver, sink = make_driver(port, tags)
        await running(driver)
        await wait_for(lambda: "busy" in sink.latest and "fine" in sink.latest)
        assert sink.latest["busy"].reason == "Modbus exception 6: server device busy"
        assert sink.latest["fine"].good
    finally:
        await server.shutdown()


async def test_a_block_back_from_bad_is_published_whole_and_the_others_stay_quiet(port, running):
    """Only the block that went Bad is published again (every tag of it, unchanged ones
    too); a block whose registers did not move publishes nothing."""
    busy = {"on": False}

    async def busy_at_40(function_code, start, address, count, registers, values):
        return ExcCodes.DEVICE_BUSY if busy["on"] and address <= 40 < address + count else None

    server = await start_plc(port, busy_at_40)
    try:
        tags = [tag("a", "hr:40"), tag("b", "hr:41"), tag("far", "hr:1000", DataType.FLOAT32)]
        await server.async_setValues(1, 16, 40, [5, 6])
        driver, sink = make_driver(port, tags)
        await running(driver)
        await wait_for(all_good(sink, ["a", "b", "far"]))
        scans = driver.stats.scans["fast"]
        seen, cycles = len(sink.batches), scans.cycles
        await wait_for(lambda: scans.cycles >= cycles + 4, timeout=3)
        assert sink.batches[seen:] == []  # nothing moved: nothing published
        busy["on"] = True
        await wait_for(all_bad(sink, ["a", "b"]), timeout=3)
        assert sink.latest["far"].good
        seen = len(sink.batches)
        busy["on"] = False
        await wait_for(all_good(sink, ["a", "b"]), timeout=3)
        cycles = scans.cycles
        await wait_for(lambda: scans.cycles >= cycles + 3, timeout=3)
        back = sink.batches[seen:]
        assert [set(batch) for batch in back] == [{"a", "b"}]
        assert [back[0][n].value for n in ("a", "b")] == [5, 6]
    finally:
        await server.shutdown()


async def test_slow_answers_within_the_timeout_stay_good(port, running):
    async def slow(function_code, start, address, count, registers, values):
        await asyncio.sleep(0.15)

    server = await start_plc(port, slow)
    try:
        driver, sink = make_driver(port, [tag("a", "hr:1")], timeout=0.6)
        await running(driver)
        await wait_for(all_good(sink, ["a"]), timeout=3)
        await asyncio.sleep(0.5)
        assert all(tv.good for batch in sink.batches for tv in batch.values())
        stats = driver.stats.scans["fast"]
        assert max(stats.duration) >= 0.14
    finally:
        await server.shutdown()


# -- a device that is not there, not answering, or answering nonsense ----------------------


async def test_plc_off_is_bad_with_the_reason_within_one_timeout(port, running):
    tags = [tag("a", "hr:0"), tag("b", "co:1", DataType.BOOL, scan="normal")]
    driver, sink = make_driver(port, tags, timeout=0.5, demote_after=2, demote_for=0.3)
    started = time.monotonic()
    await running(driver)
    await wait_for(all_bad(sink, ["a", "b"]), timeout=0.5)
    assert time.monotonic() - started < 0.5
    reason = f"no connection to 127.0.0.1:{port}: connection refused"
    assert sink.latest["a"].reason == sink.latest["b"].reason == reason
    await asyncio.sleep(0.8)  # several retries, one of them demoted
    # Bad was published once, at the transition, not every cycle or every attempt
    bad_batches = [b for b in sink.batches if "a" in b]
    assert len(bad_batches) == 1 and set(bad_batches[0]) == {"a", "b"}
    assert statuses(sink) == [DeviceStatus.CONNECTING, DeviceStatus.OFFLINE, DeviceStatus.DEMOTED]
    assert sink.last_state.reason == reason


class RawServer:
    """A TCP peer with scripted behaviour, for faults a real Modbus server never makes."""

    def __init__(self, handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable]):
        self.handle = handle
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self, port: int) -> RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        try:
            await self.handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        self.server.close()
        for writer in self.writers:
            writer.close()


async def test_reconnects_back_off_within_the_policy_bounds(port, running):
    driver, sink = make_driver(
        port, [tag("a", "hr:0")], reconnect_min=0.1, reconnect_max=0.3, demote_after=100
    )
    await running(driver)
    attempts: list[float] = []
    end = time.monotonic() + 1.5
    while time.monotonic() < end:  # note when each connect attempt happens
        if driver.stats.connects > len(attempts):
            attempts.append(time.monotonic())
        await asyncio.sleep(0.005)
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    # 30 cycles of 50 ms, but attempts only after a jittered 0.1..0.3 s backoff (a wait
    # ends at the next cycle, up to 50 ms later); the growth is a unit test's business
    assert len(gaps) >= 4
    assert all(0.095 <= gap <= 0.3 + 0.05 + 0.04 for gap in gaps), gaps
    assert driver.stats.scans["fast"].cycles >= 20
    assert statuses(sink) == [DeviceStatus.CONNECTING, DeviceStatus.OFFLINE]


async def _serve_raw(port: int, handle) -> RawServer:
    return await RawServer(handle).start(port)


async def test_a_plc_that_never_answers_times_out(port, running):
    async def silent(reader, writer):
        await reader.read(-1)

    server = await _serve_raw(port, silent)
    try:
        driver, sink = make_driver(port, [tag("a", "hr:0")], timeout=0.2, retries=1)
        started = time.monotonic()
        await running(driver)
        await wait_for(all_bad(sink, ["a"]), timeout=2)
        # two attempts of 0.2 s each: the request and its one retry
        assert 0.35 < time.monotonic() - started < 1.5
        assert sink.latest["a"].reason == "timeout after 0.2 s"
        assert driver.stats.requests == 2
    finally:
        server.close()


async def test_connection_closed_mid_request_is_noticed_at_once(port, running):
    async def hang_up(reader, writer):
        await reader.read(12)

    server = await _serve_raw(port, hang_up)
    try:
        driver, sink = make_driver(port, [tag("a", "hr:0")], timeout=3)
        started = time.monotonic()
        await running(driver)
        await wait_for(all_bad(sink, ["a"]), timeout=2)
        assert time.monotonic() - started < 1.0  # well before the 3 s timeout
        assert sink.latest["a"].reason == f"connection to 127.0.0.1:{port} closed by the device"
    finally:
        server.close()


def mbap(tid: bytes, pdu: bytes, unit: int = 1) -> bytes:
    return tid + b"\x00\x00" + (len(pdu) + 1).to_bytes(2, "big") + bytes([unit]) + pdu


MALFORMED = {
    "unknown function": (
        lambda tid: mbap(tid, b"\x41\x00"),
        "malformed response: undecodable frame 41 00",
    ),
    "wrong function": (
        lambda tid: mbap(tid, b"\x04\x02\x00\x01"),
        "malformed response: function 4 to a function 3 request",
    ),
    "short answer": (
        lambda tid: mbap(tid, b"\x03\x02\x00\x01"),
        "malformed response: 1 of 2 registers",
    ),
    "byte count past the end": (
        lambda tid: mbap(tid, b"\x03\x10\x00\x01"),
        "malformed response: undecodable frame 03 10 00 01",
    ),
    "no Modbus at all": (
        lambda tid: b"\xde\xad\xbe\xef\x00",
        "not a Modbus TCP answer: protocol id 48879 (de ad be ef 00)",
    ),
    "another request's transaction id": (
        lambda tid: mbap((int.from_bytes(tid, "big") + 7).to_bytes(2, "big"), b"\x03\x04\0\1\0\2"),
        "answer with another request's transaction id "
        "(a late answer to an earlier request, or another client's)",
    ),
    "another unit": (
        lambda tid: mbap(tid, b"\x03\x04\0\1\0\2", unit=9),
        "answer from unit 9 to a request for unit 1",
    ),
    "truncated frame": (
        lambda tid: mbap(tid, b"\x03\x04\0\1\0\2")[:10],
        "short frame: 10 of the 13 bytes its header announces within 0.3 s "
        "(00 01 00 00 00 07 01 03 04 00)",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
async def test_malformed_answers_are_bad_and_never_crash_the_driver(port, running, case):
    build, reason = MALFORMED[case]

    async def answer(reader, writer):
        while request := await reader.readexactly(12):
            writer.write(build(request[:2]))
            await writer.drain()

    server = await _serve_raw(port, answer)
    try:
        driver, sink = make_driver(port, [tag("a", "hr:0", DataType.FLOAT32)], timeout=0.3)
        await running(driver)
        await wait_for(all_bad(sink, ["a"]), timeout=2)
        assert sink.latest["a"].reason == reason
        sent = driver.stats.requests
        await wait_for(lambda: driver.stats.requests > sent, timeout=2)  # still polling
        assert not any(task.done() for task in driver._tasks)
    finally:
        server.close()


async def test_a_plc_that_comes_back_is_good_again_by_itself(port, running, caplog):
    caplog.set_level(logging.INFO, logger="drivers.modbus")
    tags = [tag("fast", "hr:5"), tag("slow", "hr:500", scan="normal")]
    driver, sink = make_driver(port, tags, demote_after=2, demote_for=0.3)
    await running(driver)
    await wait_for(all_bad(sink, ["fast", "slow"]), timeout=1)
    await wait_for(lambda: sink.last_state.status is DeviceStatus.DEMOTED, timeout=2)
    server = await start_plc(port)
    try:
        await server.async_setValues(1, 6, 5, [55])
        await wait_for(all_good(sink, ["fast", "slow"]), timeout=2)
        assert sink.latest["fast"].value == 55
        assert statuses(sink)[-1] is DeviceStatus.ONLINE
        messages = [r.getMessage() for r in caplog.records if r.name.startswith("drivers.modbus")]
        assert sum("recovered" in m for m in messages) == 1
        assert sum("offline" in m for m in messages) == 1
        # the PLC goes away again: the last known value stays, marked Bad
        await server.shutdown()
        await wait_for(all_bad(sink, ["fast"]), timeout=2)
        assert sink.latest["fast"].value == 55
        assert "closed by the device" in sink.latest["fast"].reason or "refused" in (
            sink.latest["fast"].reason
        )
    finally:
        await server.shutdown()


async def test_a_demoted_device_is_tried_rarely_with_a_short_connect_timeout(running):
    # a listener whose accept queue is full: connects neither succeed nor fail, they hang
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = [socket.socket() for _ in range(3)]
    for filler in fillers:
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
    try:
        try:
            await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 0.2)
            pytest.skip("this kernel accepts connections beyond the listen backlog")
        except TimeoutError:
            pass
        driver, sink = make_driver(
            port,
            [tag("a", "hr:0")],
            timeout=0.3,
            connect_timeout=0.05,
            demote_after=2,
            demote_for=0.6,
        )
        await running(driver)
        await wait_for(lambda: sink.last_state.status is DeviceStatus.DEMOTED, timeout=2)
        # a hanging connect costs the connect timeout, not the request timeout
        assert sink.last_state.reason == f"no connection to 127.0.0.1:{port}: timeout after 0.05 s"
        demoted_at, attempts = time.monotonic(), driver.stats.connects
        states, batches = len(sink.states), len(sink.batches)
        await wait_for(lambda: driver.stats.connects > attempts, timeout=2)
        # the next attempt waited demote_for (less at most a fifth of it, the jitter)
        assert time.monotonic() - demoted_at > 0.45
        await asyncio.sleep(0.1)
        # tried again, and nothing new to report: same state, no new Bad batch
        assert (len(sink.states), len(sink.batches)) == (states, batches)
        assert sink.last_state.status is DeviceStatus.DEMOTED
    finally:
        for each in [*fillers, listener]:
            each.close()


async def test_a_dead_device_does_not_slow_a_healthy_one(plc, port, running):
    async def silent(reader, writer):
        await reader.read(-1)

    dead_port = free_port()
    dead_server = await _serve_raw(dead_port, silent)
    try:
        dead, dead_sink = make_driver(dead_port, [tag("x", "hr:0")], "dead", timeout=0.3, retries=1)
        healthy, sink = make_driver(port, [tag("y", "hr:0")], "healthy")
        await running(dead)
        await running(healthy)
        requests = healthy.stats.requests
        await asyncio.sleep(1.5)
        stats = healthy.stats.scans["fast"]
        assert stats.cycles >= 0.6 * 1.5 / 0.05  # a 50 ms scan keeps its pace
        assert healthy.stats.requests - requests >= 0.6 * 1.5 / 0.05  # and asks the PLC
        assert sink.latest["y"].good
        assert dead_sink.latest["x"].reason == "timeout after 0.3 s"
    finally:
        dead_server.close()


# -- writes ---------------------------------------------------------------------------------


async def test_writes_are_read_back(plc, port):
    await plc.async_setValues(1, 6, 30, [0x00F0])
    tags = {
        t.name: t
        for t in [
            tag("single", "hr:10", writable=True),
            tag(
                "multi", "hr:12", DataType.FLOAT32, writable=True, options={"word_order": "little"}
            ),
            tag("wide", "hr:14", DataType.UINT64, writable=True),
            tag("text", "hr:20", DataType.STRING, length=6, writable=True),
            tag("coil", "co:9", DataType.BOOL, writable=True),
            tag("bit", "hr:30.3", DataType.BOOL, writable=True),
            tag("bit_off", "hr:30.4", DataType.BOOL, writable=True),
        ]
    }
    driver, _ = make_driver(port, list(tags.values()))
    try:
        results = {
            "single": await driver.write(tags["single"], -42),
            "multi": await driver.write(tags["multi"], 12.75),
            "wide": await driver.write(tags["wide"], 2**64 - 2),
            "text": await driver.write(tags["text"], "LOT7"),
            "coil": await driver.write(tags["coil"], True),
            "bit": await driver.write(tags["bit"], True),
            "bit_off": await driver.write(tags["bit_off"], False),
        }
    finally:
        await driver.stop()
    assert {n: r.status for n, r in results.items()} == dict.fromkeys(results, WriteStatus.DONE)
    assert results["single"].readback == -42
    assert results["multi"].readback == 12.75
    assert results["text"].readback == "LOT7"
    assert await plc.async_getValues(1, 3, 12, 2) == encode(
        DataType.FLOAT32, 12.75, word_order="little"
    )
    assert await plc.async_getValues(1, 3, 14, 4) == [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE]
    assert (await plc.async_getValues(1, 1, 9, 1))[0] is True
    # bit 3 set and bit 4 cleared, the other bits of the register untouched
    assert await plc.async_getValues(1, 3, 30, 1) == [0x00E8]


async def test_writes_that_cannot_be_sent_are_refused(plc, port):
    ir = tag("ir", "ir:1", DataType.UINT16, writable=True)
    di = tag("di", "di:1", DataType.BOOL, writable=True)
    small = tag("small", "hr:1", DataType.INT16, writable=True)
    flag = tag("flag", "co:1", DataType.BOOL, writable=True)
    wrong = tag("wrong", "hr:65535", DataType.FLOAT32, writable=True)
    driver, _ = make_driver(port, [ir, di, small, flag])
    try:
        refused = {
            "ir": await driver.write(ir, 5),
            "di": await driver.write(di, True),
            "range": await driver.write(small, 40000),
            "type": await driver.write(small, "five"),
            "bool": await driver.write(flag, 2),
            "address": await driver.write(wrong, 1.0),
        }
        sent = driver.stats.requests
    finally:
        await driver.stop()
    assert all(r.status is WriteStatus.REFUSED for r in refused.values())
    assert sent == 0  # nothing was sent for any of them
    assert refused["ir"].message == "'ir:1' is an input register, which is read-only"
    assert refused["di"].message == "'di:1' is a discrete input, which is read-only"
    assert "outside the int16 range" in refused["range"].message
    assert "needs a number" in refused["type"].message
    assert "true/false or 1/0" in refused["bool"].message
    assert "past the last address 65535" in refused["address"].message


async def test_a_write_the_device_rejects_fails_with_its_reason(port):
    async def reject_writes(function_code, start, address, count, registers, values):
        if values is not None and address == 50:
            return ExcCodes.ILLEGAL_VALUE
        if values is not None and address == 60:
            values[:] = [v + 1 for v in values]  # the device stores something else
        return None

    server = await start_plc(port, reject_writes)
    tags = [
        tag("guarded", "hr:50", writable=True),
        tag("drifting", "hr:60", writable=True),
        tag("missing", f"hr:{HOLE}", writable=True),
    ]
    driver, _ = make_driver(port, tags)
    try:
        guarded = await driver.write(tags[0], 5)
        drifting = await driver.write(tags[1], 5)
        missing = await driver.write(tags[2], 5)
    finally:
        await driver.stop()
        await server.shutdown()
    assert guarded.status is WriteStatus.FAILED
    assert guarded.message == "Modbus exception 3: illegal data value"
    assert drifting.status is WriteStatus.FAILED
    assert drifting.message == "read back 6 after writing 5" and drifting.readback == 6
    assert missing.message == "Modbus exception 2: illegal data address"


async def test_a_write_to_an_absent_device_fails_with_the_reason(port, running):
    target = tag("a", "hr:0", writable=True)
    driver, sink = make_driver(port, [target])
    result = await driver.write(target, 1)
    assert result.status is WriteStatus.FAILED
    assert result.message == f"no connection to 127.0.0.1:{port}: connection refused"
    await running(driver)
    await wait_for(all_bad(sink, ["a"]))
    sent = driver.stats.requests
    result = await driver.write(target, 1)  # while backing off: no new attempt
    assert result.status is WriteStatus.FAILED and "connection refused" in result.message
    assert driver.stats.requests == sent


# -- the operator's log --------------------------------------------------------------------


async def test_a_dead_device_is_logged_once_not_at_every_attempt(port, running, caplog):
    caplog.set_level(logging.WARNING)
    driver, _ = make_driver(port, [tag("a", "hr:0")], reconnect_max=0.05, demote_after=100)
    await running(driver)
    await wait_for(lambda: driver.stats.connects >= 3, timeout=2)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in warnings] == ["drivers.modbus.driver"]  # no pymodbus chatter
    assert f"no connection to 127.0.0.1:{port}" in warnings[0].getMessage()


async def test_library_lines_with_hex_dumps_only_when_debugging(port, caplog):
    async def late_answers(reader, writer):
        while request := await reader.readexactly(12):
            tid = (int.from_bytes(request[:2], "big") + 1).to_bytes(2, "big")
            writer.write(mbap(tid, b"\x03\x02\x00\x05"))
            await writer.drain()

    server = await _serve_raw(port, late_answers)
    target = [tag("a", "hr:0")]
    driver, _ = make_driver(port, target, timeout=0.2)
    try:
        caplog.set_level(logging.INFO)  # what `hmi run` logs without -v
        quiet = await driver.read(target)
        assert "another request's transaction id" in quiet["a"].reason
        assert not [r for r in caplog.records if r.name.startswith("pymodbus")]
        caplog.set_level(logging.DEBUG)  # hmi -v
        await driver.read(target)
        library = [r.getMessage() for r in caplog.records if r.name.startswith("pymodbus")]
        assert any("transaction_id" in line for line in library)
    finally:
        await driver.stop()
        server.close()


def test_a_level_the_user_gave_the_pymodbus_log_is_kept():
    code = (
        "import logging; logging.getLogger('pymodbus').setLevel(logging.DEBUG); "
        "import drivers.modbus; print(logging.getLogger('pymodbus').level)"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, cwd=root
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(logging.DEBUG)


# -- configuration ------------------------------------------------------------------------


async def test_device_and_tag_problems_for_hmi_check():
    source = Source("project.yaml", 12)
    device = DeviceConfig(
        "press", "modbus", {"host": "10.0.0.5", "tiemout": "1s", "retries": -1}, source=source
    )
    problems = ModbusDriver.validate_device(device)
    assert [str(p) for p in problems] == [
        "project.yaml:12: device 'press': unknown option 'tiemout'; did you mean 'timeout'?",
        "project.yaml:12: device 'press': retries: -1 is not a whole number from 0 to 10",
    ]
    good_device = DeviceConfig("press", "modbus", {"host": "10.0.0.5", "timeout": "250ms"})
    assert ModbusDriver.validate_device(good_device) == []
    assert ModbusDriver.validate_device(DeviceConfig("x", "modbus", {}))[0].message.endswith(
        "host is required for Modbus TCP (or give serial: for Modbus RTU)"
    )
    tag_source = Source("tags/press.csv", 4)
    wrong = TagConfig("t", DataType.FLOAT32, "press", "hx:5", source=tag_source)
    (problem,) = ModbusDriver.validate_tag(good_device, wrong)
    assert str(problem) == (
        "tags/press.csv:4: tag 't': address 'hx:5': unknown area 'hx', use hr, ir, co or di"
    )
    read_only = TagConfig("t", DataType.UINT16, "press", "ir:5", writable=True, source=tag_source)
    assert "read-only" in ModbusDriver.validate_tag(good_device, read_only)[0].message
    assert ModbusDriver.validate_tag(good_device, TagConfig("t", address="hr:5")) == []


async def test_bad_configuration_makes_tags_bad_instead_of_raising(running):
    sink = RecordingSink()
    tags = [tag("a", "hr:0"), tag("b", "hx:1"), tag("c", "hr:1", scan="never")]
    device = DeviceConfig("plc", "modbus", {"host": "127.0.0.1", "port": free_port()})
    driver = ModbusDriver(DriverContext(device, tags, SCANS, sink))
    await running(driver)
    await wait_for(lambda: "b" in sink.latest and "c" in sink.latest)
    assert "unknown area 'hx'" in sink.latest["b"].reason
    assert sink.latest["c"].reason == "unknown scan class 'never'"

    broken = DeviceConfig("plc", "modbus", {"host": "127.0.0.1", "byte_order": "middle"})
    sink = RecordingSink()
    driver = ModbusDriver(DriverContext(broken, tags[:1], SCANS, sink))
    await running(driver)
    assert sink.latest["a"].quality is Quality.BAD
    assert "byte_order: 'middle' is not one of big, little" in sink.latest["a"].reason
    assert sink.last_state.status is DeviceStatus.OFFLINE


# -- RTU over a pseudo-terminal pair ---------------------------------------------------------


class NullModem:
    """Two pseudo-terminals joined back to back: a serial cable without hardware."""

    def __init__(self) -> None:
        self.fds: list[int] = []
        self.names: list[str] = []
        self.masters: list[int] = []
        for _ in range(2):
            master, slave = os.openpty()
            tty.setraw(slave)
            self.fds += [master, slave]
            self.masters.append(master)
            self.names.append(os.ttyname(slave))

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        a, b = self.masters
        loop.add_reader(a, self._copy, a, b)
        loop.add_reader(b, self._copy, b, a)

    @staticmethod
    def _copy(source: int, target: int) -> None:
        try:
            os.write(target, os.read(source, 4096))
        except OSError:
            pass

    def close(self) -> None:
        loop = asyncio.get_running_loop()
        for master in self.masters:
            loop.remove_reader(master)
        for fd in self.fds:
            os.close(fd)


async def test_rtu_reads_and_writes_over_a_serial_line(running):
    modem = NullModem()
    modem.start()
    server = ModbusSerialServer(
        sim_device(unit=7), framer=FramerType.RTU, port=modem.names[0], baudrate=115200
    )
    await server.serve_forever(background=True)
    try:
        await server.async_setValues(7, 16, 100, encode(DataType.FLOAT32, 3.25))
        tags = [
            tag("temp", "hr:100", DataType.FLOAT32),
            tag("setpoint", "hr:110", DataType.INT32, writable=True),
        ]
        sink = RecordingSink()
        options = {"serial": modem.names[1], "baudrate": 115200, "parity": "none", "unit": 7}
        driver = ModbusDriver(
            DriverContext(DeviceConfig("rtu", "modbus", options), tags, SCANS, sink)
        )
        await running(driver)
        await wait_for(all_good(sink, ["temp", "setpoint"]), timeout=3)
        assert sink.latest["temp"].value == 3.25
        result = await driver.write(tags[1], -123456)
        assert result.status is WriteStatus.DONE and result.readback == -123456
        await wait_for(lambda: sink.latest["setpoint"].value == -123456)
    finally:
        await server.shutdown()
        modem.close()


async def test_rtu_reports_a_missing_serial_port(running):
    options = {"serial": "/dev/does-not-exist", "timeout": 0.2}
    sink = RecordingSink()
    device = DeviceConfig("rtu", "modbus", options)
    driver = ModbusDriver(DriverContext(device, [tag("a", "hr:0")], SCANS, sink))
    await running(driver)
    await wait_for(all_bad(sink, ["a"]))
    reason = sink.latest["a"].reason
    assert reason.startswith("no connection to /dev/does-not-exist: ")
    assert "no such file" in reason.lower()
