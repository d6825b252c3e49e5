"""Requests per poll of the cost planner against the fewest possible and a fixed gap of 16.

Two maps, each served by a pymodbus server in a separate process on loopback:

* sparse: 150 float32 tags, 50 contiguous, 50 every 20 registers, 50 every 10 around a
  refused range of 6 registers (between two of them);
* between: 20 int16 tags, a refused range of 10 registers, 20 more int16 tags.

For each map: the requests of the first poll (which locates the refused range), of the
polls after it, the fewest possible (an exhaustive search over request boundaries, with
the refused range known), the requests with ``max_gap: 16`` (the old fixed-gap planning),
readable registers wrongly marked refused, and the median cycle of a one-shot read of
every tag on loopback with each planning. Prints one JSON line.

    python -m tests.bench.bench_modbus_plan
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from dataclasses import dataclass

from tests.helpers import free_port

CYCLES = 40
LIMIT = 125


@dataclass(frozen=True)
class Map:
    name: str
    tags: tuple[tuple[int, int], ...]  # (address, registers)
    refused: tuple[int, int]  # [start, end) the server refuses
    size: int  # registers the server has, refused ones included


def _sparse() -> Map:
    tags = [(2 * i, 2) for i in range(50)]
    tags += [(200 + 20 * i, 2) for i in range(50)]
    tags += [(2000 + 10 * i, 2) for i in range(50)]  # 2243..2248 between two of them
    return Map("sparse", tuple(tags), (2243, 2249), 2600)


def _between() -> Map:
    tags = [(100 + i, 1) for i in range(20)] + [(130 + i, 1) for i in range(20)]
    return Map("between", tuple(tags), (120, 130), 200)


SPARSE = _sparse()
BETWEEN = _between()


def fewest_requests(tags, refused: tuple[int, int], limit: int = LIMIT) -> int:
    """The fewest requests that read every tag register and no refused one: for each
    needed address, the best over every request that may start there (any end)."""
    needed = sorted({a for start, size in tags for a in range(start, start + size)})
    best = [0] * (len(needed) + 1)
    for i in range(len(needed) - 1, -1, -1):
        options = []
        for j in range(i, len(needed)):
            if needed[j] - needed[i] + 1 > limit:
                break
            if j > i and needed[j - 1] < refused[1] and refused[0] < needed[j]:
                break  # a request from needed[i] to needed[j] would cross the refused range
            options.append(1 + best[j + 1])
        best[i] = min(options)
    return best[0]


def _value(address: int) -> int:
    return (address * 7) % 65536


def _serve(maps: list[Map], ports: list[int], ready) -> None:
    """Entry point of the server process: one server per map, refused range left out."""
    from pymodbus.server import ModbusTcpServer
    from pymodbus.simulator import DataType, SimData, SimDevice

    async def serve() -> None:
        for each, port in zip(maps, ports, strict=True):
            lo, hi = each.refused
            blocks = [
                SimData(0, values=[_value(a) for a in range(lo)], datatype=DataType.REGISTERS),
                SimData(
                    hi,
                    values=[_value(a) for a in range(hi, each.size)],
                    datatype=DataType.REGISTERS,
                ),
            ]
            bits = [SimData(0, count=16, values=False, datatype=DataType.BITS)]
            inputs = [SimData(0, count=1, datatype=DataType.REGISTERS)]
            device = SimDevice(id=1, simdata=(bits, bits, blocks, inputs))
            server = ModbusTcpServer(device, address=("127.0.0.1", port))
            await server.serve_forever(background=True)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(serve())


class _Sink:
    def publish(self, batch) -> None:
        pass

    def device_state(self, state) -> None:
        pass


async def _measure(each: Map, port: int, **options) -> dict:
    from hmi.core.project.models import DataType, TagConfig

    kind = {1: DataType.UINT16, 2: DataType.UINT32}
    tags = [
        TagConfig(f"t{a}", kind[n], "bench", f"hr:{a}", scan_class="fast") for a, n in each.tags
    ]
    settings = {"host": "127.0.0.1", "port": port, **options}
    with tempfile.TemporaryDirectory(prefix="bench-modbus-plan-") as folder:
        return await _measure_in(each, tags, settings, folder)


async def _measure_in(each: Map, tags: list, settings: dict, folder: str) -> dict:
    from drivers.modbus import ModbusDriver
    from drivers.modbus.address import Area
    from hmi.core.driver import DriverContext
    from hmi.core.project.models import DataType, DeviceConfig, ScanClass

    kind = {1: DataType.UINT16, 2: DataType.UINT32}
    device = DeviceConfig("bench", "modbus", settings)
    ctx = DriverContext(device, tags, {"fast": ScanClass("fast", 1.0)}, _Sink(), folder)
    driver = ModbusDriver(ctx)
    durations: list[float] = []
    try:
        first = await driver.read(tags)
        first_requests = driver.stats.requests
        before = driver.stats.requests
        for _ in range(CYCLES):
            started = time.perf_counter()
            batch = await driver.read(tags)
            durations.append(time.perf_counter() - started)
        steady = (driver.stats.requests - before) / CYCLES
    finally:
        await driver.stop()
    lo, hi = each.refused
    # what the driver now takes as refused
    marked = [a for a0, b0 in driver._refused[Area.HOLDING] for a in range(a0, b0)]
    wrong = [
        name
        for name, tv in {**first, **batch}.items()
        if not tv.good or tv.value != _expected(int(name[1:]), kind, each)
    ]
    return {
        "first_poll_requests": first_requests,
        "requests_per_poll": steady,
        "cycle_ms_median": statistics.median(durations) * 1000,
        "readable_marked_refused": sum(1 for a in marked if not lo <= a < hi),
        "refused_found": len([a for a in marked if lo <= a < hi]),
        "wrong_values": len(wrong),
    }


def _expected(address: int, kind, each: Map) -> int:
    size = dict(each.tags)[address]
    if size == 1:
        return _value(address)
    return (_value(address) << 16) | _value(address + 1)


async def _run(maps: list[Map], ports: list[int]) -> dict:
    out: dict = {}
    for each, port in zip(maps, ports, strict=True):
        cost = await _measure(each, port)
        fixed = await _measure(each, port, max_gap=16)
        fewest = fewest_requests(each.tags, each.refused)
        out[each.name] = {
            "tags": len(each.tags),
            "fewest_possible": fewest,
            **{k: round(v, 3) if isinstance(v, float) else v for k, v in cost.items()},
            "fixed_gap16_requests_per_poll": fixed["requests_per_poll"],
            "fixed_gap16_cycle_ms_median": round(fixed["cycle_ms_median"], 3),
            "requests_ratio_fixed_over_cost": round(
                fixed["requests_per_poll"] / cost["requests_per_poll"], 2
            ),
            "at_fewest": cost["requests_per_poll"] == fewest,
        }
    return out


def main() -> None:
    maps = [SPARSE, BETWEEN]
    ports = [free_port() for _ in maps]
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Event()
    server = spawn.Process(target=_serve, args=(maps, ports, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise SystemExit("the Modbus server process did not start")
        with tempfile.TemporaryDirectory(prefix="bench-home-") as home:
            os.environ.setdefault("LINEA_HMI_HOME", home)
            figures = asyncio.run(_run(maps, ports))
    finally:
        server.terminate()
        server.join(5)
    result = {"bench": "modbus_plan", "cycles": CYCLES, **figures}
    result["targets_met"] = all(
        m["at_fewest"] and m["readable_marked_refused"] == 0 and m["wrong_values"] == 0
        for m in figures.values()
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
