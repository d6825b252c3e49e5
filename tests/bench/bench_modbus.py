"""Modbus block reads against one request per tag, on the same server and client library.

A pymodbus server in a separate process holds 2000 holding registers; 1000 contiguous
float32 tags are polled every 100 ms by ModbusDriver for about 10 s, then read the naive
way (one read_holding_registers per tag) for a few cycles. Prints one JSON line.

    python -m tests.bench.bench_modbus
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import socket
import statistics
import struct
import time

TAGS = 1000
PERIOD = 0.1
POLL_SECONDS = 10.0
NAIVE_CYCLES = 5


def _value(index: int) -> float:
    return index * 0.5


def _serve_plc(port: int, ready) -> None:
    """Entry point of the server process."""
    from pymodbus.server import ModbusTcpServer
    from pymodbus.simulator import DataType, SimData, SimDevice

    async def serve() -> None:
        values = [_value(i) for i in range(TAGS)]
        device = SimDevice(id=1, simdata=[SimData(0, values=values, datatype=DataType.FLOAT32)])
        server = ModbusTcpServer(device, address=("127.0.0.1", port))
        await server.serve_forever(background=True)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(serve())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


class _CountingSink:
    def __init__(self) -> None:
        self.batches = 0
        self.latest: dict = {}

    def publish(self, batch) -> None:
        self.batches += 1
        self.latest.update(batch)

    def device_state(self, state) -> None:
        pass


async def _driver_run(port: int) -> dict:
    from drivers.modbus import ModbusDriver
    from hmi.core.driver import DriverContext
    from hmi.core.project.models import DataType, DeviceConfig, ScanClass, TagConfig

    tags = [
        TagConfig(f"t{i}", DataType.FLOAT32, "bench", f"hr:{2 * i}", scan_class="fast")
        for i in range(TAGS)
    ]
    device = DeviceConfig("bench", "modbus", {"host": "127.0.0.1", "port": port})
    sink = _CountingSink()
    driver = ModbusDriver(DriverContext(device, tags, {"fast": ScanClass("fast", PERIOD)}, sink))
    await driver.start()
    stats = driver.stats.scans["fast"]
    try:
        while not (sink.latest and all(v.good for v in sink.latest.values())):
            await asyncio.sleep(0.05)
        # measure from here: connected and warmed up
        cycles0, requests0 = stats.cycles, driver.stats.requests
        wall0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.sleep(POLL_SECONDS)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        cycles, requests = stats.cycles - cycles0, driver.stats.requests - requests0
        durations = list(stats.duration)[-cycles:]
        lateness = list(stats.lateness)[-cycles:]
    finally:
        await driver.stop()
    wrong = [n for n, v in sink.latest.items() if v.value != _value(int(n[1:])) or not v.good]
    return {
        "cycles": cycles,
        "cycle_ms_median": statistics.median(durations) * 1000,
        "cycle_ms_p99": _p99(durations) * 1000,
        "requests_per_cycle": requests / cycles,
        "lateness_ms_p99": _p99(lateness) * 1000,
        "overruns": stats.overruns,
        "cpu_share": cpu / wall,
        "wrong_values": len(wrong),
    }


async def _naive_run(port: int) -> dict:
    from pymodbus.client import AsyncModbusTcpClient

    client = AsyncModbusTcpClient("127.0.0.1", port=port, retries=0, reconnect_delay=0)
    await client.connect()
    durations: list[float] = []
    requests = 0
    try:
        for _ in range(NAIVE_CYCLES):
            started = time.perf_counter()
            values = {}
            for i in range(TAGS):
                response = await client.read_holding_registers(2 * i, count=2, device_id=1)
                requests += 1
                values[f"t{i}"] = struct.unpack(">f", struct.pack(">2H", *response.registers))[0]
            durations.append(time.perf_counter() - started)
    finally:
        client.close()
    assert values["t999"] == _value(999)
    return {
        "cycle_ms_median": statistics.median(durations) * 1000,
        "requests_per_cycle": requests / NAIVE_CYCLES,
    }


def main() -> None:
    port = _free_port()
    spawn = multiprocessing.get_context("spawn")
    ready = spawn.Event()
    server = spawn.Process(target=_serve_plc, args=(port, ready), daemon=True)
    server.start()
    try:
        if not ready.wait(30):
            raise SystemExit("the Modbus server process did not start")
        blocks = asyncio.run(_driver_run(port))
        naive = asyncio.run(_naive_run(port))
    finally:
        server.terminate()
        server.join(5)
    result = {
        "bench": "modbus",
        "tags": TAGS,
        "period_ms": PERIOD * 1000,
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in blocks.items()},
        "naive_cycle_ms_median": round(naive["cycle_ms_median"], 3),
        "naive_requests_per_cycle": naive["requests_per_cycle"],
        "requests_ratio": round(naive["requests_per_cycle"] / blocks["requests_per_cycle"], 2),
        "cycle_time_ratio": round(naive["cycle_ms_median"] / blocks["cycle_ms_median"], 2),
    }
    result["targets_met"] = result["cycle_ms_p99"] <= 40 and result["requests_ratio"] >= 20
    print(json.dumps(result))


if __name__ == "__main__":
    main()
