"""Planning by cost and refused addresses against real pymodbus servers on loopback: the
fewest requests after the first poll, refused ranges located exactly, remembered in the
project's store across restarts, and asked about again after a reconnect and now and then."""

from __future__ import annotations

import logging
import struct

import pytest
from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

from drivers.modbus.refused import load_refused
from hmi.core.driver import DeviceStatus
from hmi.core.project.models import DataType
from tests.bench.bench_modbus_plan import BETWEEN, SPARSE, fewest_requests
from tests.helpers import wait_for
from tests.integration import test_modbus_driver as base
from tests.integration.test_modbus_driver import data_dir, make_driver, statuses, tag

running = base.running  # the fixture that stops the drivers a test started

REFUSED = "Modbus exception 2: illegal data address"


def value_at(address: int) -> int:
    return (address * 7) % 65536


async def serve_map(port: int, size: int, refused: tuple[int, int], action=None):
    """A PLC with holding registers 0..size-1 holding value_at(address), but [lo, hi)."""
    lo, hi = refused
    registers = [
        SimData(0, values=[value_at(a) for a in range(lo)], datatype=SimType.REGISTERS),
        SimData(hi, values=[value_at(a) for a in range(hi, size)], datatype=SimType.REGISTERS),
    ]
    bits = [SimData(0, count=128, values=False, datatype=SimType.BITS)]
    inputs = [SimData(0, count=1, datatype=SimType.REGISTERS)]
    device = SimDevice(id=1, simdata=(bits, bits, registers, inputs), action=action)
    server = ModbusTcpServer(device, address=("127.0.0.1", port))
    await server.serve_forever(background=True)
    return server


def map_tags(each):
    kind = {1: DataType.UINT16, 2: DataType.UINT32}
    return [tag(f"t{a}", f"hr:{a}", kind[n]) for a, n in each.tags]


def expected(address: int, size: int) -> int:
    return value_at(address) if size == 1 else (value_at(address) << 16) | value_at(address + 1)


async def read_twice(driver, tags):
    """Two one-shot reads, then stop: both batches and the requests the second one took."""
    try:
        first = await driver.read(tags)
        before = driver.stats.requests
        again = await driver.read(tags)
        return first, again, driver.stats.requests - before
    finally:
        await driver.stop()


def remembered(driver) -> list[tuple[int, int]]:
    path, key = driver._store
    return load_refused(path, key).get("hr", [])


@pytest.mark.parametrize("each", [SPARSE, BETWEEN], ids=lambda m: m.name)
async def test_the_fewest_requests_after_the_first_poll(port, each):
    server = await serve_map(port, each.size, each.refused)
    tags = map_tags(each)
    try:
        first, again, spent = await read_twice(make_driver(port, tags)[0], tags)
        capped = make_driver(port, tags, max_gap=16)[0]  # the old fixed gap, as a hard cap
        *_, capped_spent = await read_twice(capped, tags)
    finally:
        await server.shutdown()
    assert spent == fewest_requests(each.tags, each.refused)
    for batch in (first, again):
        assert {n: tv.value for n, tv in batch.items()} == {
            f"t{a}": expected(a, n) for a, n in each.tags
        }
    # the refused range is known exactly: not one readable register more
    assert remembered(capped) == [each.refused]
    if each is SPARSE:  # 50 tags every 20 registers: one request each with a gap cap of 16
        assert (spent, capped_spent) == (13, 55)


async def test_a_tag_on_a_refused_range_is_bad_and_its_neighbours_good(port, running):
    server = await serve_map(port, 400, (120, 130))
    tags = [tag("before", "hr:118", DataType.UINT16), tag("inside", "hr:125", DataType.UINT16)]
    tags += [tag("across", "hr:129", DataType.UINT32), tag("after", "hr:130", DataType.UINT16)]
    driver, sink = make_driver(port, tags)
    try:
        await running(driver)
        await wait_for(lambda: {"before", "inside", "across", "after"} <= set(sink.latest))
        await wait_for(lambda: sink.latest["after"].good)
        assert sink.latest["before"].value == value_at(118)
        assert sink.latest["after"].value == value_at(130)
        assert sink.latest["inside"].reason == sink.latest["across"].reason == REFUSED
        assert statuses(sink)[-1] is DeviceStatus.DEGRADED
        # later polls ask only for what reads: the two good tags share one request
        await wait_for(lambda: remembered(driver) == [(120, 130)])
        # over five cycles in which the link stayed up: on a loaded machine a timeout puts
        # the device in back-off, whose cycles send nothing and would thin the figure
        for _ in range(5):
            seen = len(statuses(sink))
            cycles, requests = driver.stats.scans["fast"].cycles, driver.stats.requests
            await wait_for(lambda start=cycles: driver.stats.scans["fast"].cycles >= start + 5)
            per_cycle = (driver.stats.requests - requests) / (
                driver.stats.scans["fast"].cycles - cycles
            )
            if len(statuses(sink)) == seen:
                break
        assert per_cycle == pytest.approx(2, abs=0.3)  # before | after: the range between
    finally:
        await server.shutdown()


async def test_refused_ranges_are_remembered_across_restarts(port, caplog):
    caplog.set_level(logging.INFO, logger="drivers.modbus")
    server = await serve_map(port, SPARSE.size, SPARSE.refused)
    tags = map_tags(SPARSE)
    folder = data_dir()
    try:
        driver, _ = make_driver(port, tags)
        driver.ctx.data_dir = folder
        await driver.read(tags)
        await driver.stop()
        assert f"refuses hr:{SPARSE.refused[0]}..{SPARSE.refused[1] - 1}" in caplog.text
        restarted, _ = make_driver(port, tags)
        restarted.ctx.data_dir = folder
        batch = await restarted.read(tags)
        await restarted.stop()
    finally:
        await server.shutdown()
    assert all(tv.good for tv in batch.values())
    # no search this time: the plan's requests, and two to see the range is still refused
    fewest = fewest_requests(SPARSE.tags, SPARSE.refused)
    assert restarted.stats.requests == fewest + 2


def refusing(*ranges: tuple[int, int], function: int = 3):
    """A server action refusing reads of ``function`` that touch one of ``ranges``; the
    list is ``action.ranges``, to change what the PLC maps while it runs."""
    refused = list(ranges)

    async def action(function_code, start, address, count, registers, values):
        touched = any(address < b and a < address + count for a, b in refused)
        return ExcCodes.ILLEGAL_ADDRESS if touched and function_code == function else None

    action.ranges = refused
    return action


async def test_a_range_mapped_later_is_read_again_within_the_recheck_period(port, running):
    refused = refusing((200, 220))
    server = await serve_map(port, 400, (390, 391), refused)
    tags = [tag("left", "hr:190", DataType.UINT16), tag("mid", "hr:210", DataType.UINT16)]
    tags.append(tag("right", "hr:230", DataType.UINT16))
    driver, sink = make_driver(port, tags, refused_recheck=0.3)
    try:
        await running(driver)
        await wait_for(lambda: "mid" in sink.latest and sink.latest["mid"].reason == REFUSED)
        await wait_for(lambda: remembered(driver) == [(200, 220)])
        assert sink.latest["left"].good and sink.latest["right"].good
        refused.ranges.clear()  # the PLC program now maps it
        await wait_for(lambda: sink.latest["mid"].good, timeout=3)
        assert sink.latest["mid"].value == value_at(210)
        await wait_for(lambda: remembered(driver) == [], timeout=2)
        await wait_for(lambda: statuses(sink)[-1] is DeviceStatus.ONLINE, timeout=2)
    finally:
        await server.shutdown()


async def test_a_range_mapped_while_the_plc_was_away_is_read_again_at_reconnect(port, running):
    refused = refusing((200, 220))
    server = await serve_map(port, 400, (390, 391), refused)
    tags = [tag("left", "hr:190", DataType.UINT16), tag("mid", "hr:210", DataType.UINT16)]
    driver, sink = make_driver(port, tags)  # rechecked every 10 minutes, and at reconnect
    await running(driver)
    try:
        await wait_for(lambda: "mid" in sink.latest and sink.latest["mid"].reason == REFUSED)
        await server.shutdown()
        await wait_for(lambda: statuses(sink)[-1] is DeviceStatus.OFFLINE, timeout=3)
        server = await serve_map(port, 400, (390, 391))  # a new program: 200..219 mapped
        await wait_for(lambda: sink.latest["mid"].good, timeout=5)
        assert sink.latest["mid"].value == value_at(210)
    finally:
        await server.shutdown()


async def test_a_device_that_refuses_long_reads_is_read_in_shorter_ones(port, caplog):
    async def at_most_50(function_code, start, address, count, registers, values):
        return ExcCodes.ILLEGAL_ADDRESS if count > 50 else None

    server = await serve_map(port, 400, (390, 391), at_most_50)
    tags = [tag(f"t{a}", f"hr:{a}", DataType.UINT16) for a in range(0, 120, 3)]
    driver, _ = make_driver(port, tags)
    try:
        first, again, spent = await read_twice(driver, tags)
    finally:
        await server.shutdown()
    for batch in (first, again):
        assert {n: tv.value for n, tv in batch.items()} == {
            t.name: value_at(int(t.name[1:])) for t in tags
        }
    assert spent == 3  # 118 registers in reads of 50 at most
    assert remembered(driver) == []  # nothing was taken for a refused address
    assert "refuses reads of more than 50 registers" in caplog.text


async def coil_plc(reader, writer, refused=(48, 80)):
    """Coils only: coil N is on when N % 3 == 0; reads touching ``refused`` get exception 2."""
    while request := await reader.readexactly(12):
        tid, unit, function = request[:2], request[6], request[7]
        address, count = struct.unpack(">HH", request[8:12])
        if function != 1 or (address < refused[1] and refused[0] < address + count):
            pdu = bytes([function | 0x80, 2])
        else:
            bits = [(address + i) % 3 == 0 for i in range(count)]
            packed = bytes(
                sum(1 << j for j, on in enumerate(bits[i : i + 8]) if on)
                for i in range(0, count, 8)
            )
            pdu = bytes([1, len(packed)]) + packed
        writer.write(base.mbap(tid, pdu, unit))
        await writer.drain()


async def test_refused_coils_are_located_too(port):
    server = await base.RawServer(coil_plc).start(port)
    tags = [tag(f"c{a}", f"co:{a}", DataType.BOOL) for a in (5, 30, 47, 60, 80, 99)]
    driver, _ = make_driver(port, tags)
    try:
        first, again, spent = await read_twice(driver, tags)
    finally:
        server.close()
    for batch in (first, again):
        assert batch["c60"].reason == REFUSED
        assert {a: batch[f"c{a}"].value for a in (5, 30, 47, 80, 99)} == {
            5: False,
            30: True,
            47: False,
            80: False,
            99: True,
        }
    assert spent == 2  # 5..47 and 80..99, nothing in between
    path, key = driver._store
    assert load_refused(path, key) == {"co": [(48, 80)]}
