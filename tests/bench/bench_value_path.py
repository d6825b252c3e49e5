"""The path of a value inside the HMI, without sockets: Modbus response frames decoded by
the driver, the engine (deadband, derived tags), the live fan-out to its subscribers,
alarms and the historian writing to the local store, as on the line PC of
``bench_line_pc`` (5 Modbus PLCs x 1,000 tags at 100 ms, 2,000 OPC UA items at 500 ms).

The production ``Runtime`` runs the line PC's project with the real ``ModbusDriver``,
whose connection hands back real response frames cut from an in-memory register image
instead of a socket (decoded by the link's own decoder, as over TCP), and OPC UA batches
come from a thread of their own, as from the OPC UA driver's thread. A latest-only
subscriber drained at 10 Hz stands for the screens.

Two plants: the worst case (every analog value and counter changes at every poll: 50,000
values/s) and a realistic one (a tenth of the analog values per poll, counters stepping
every 2 s, bits rarely; a tenth of the OPC UA items per publish). For each: values per
second into the engine and out of it, the CPU of the runtime loop's thread and of the
whole process per value into the engine, each thread's share, and the Modbus cycle time
(here pure CPU: no network). Then, in the same run, the naive way on the worst case:
each register response decoded by pymodbus, each tag unpacked on its own and handed to
the engine on its own (one call per value, changed or not). Prints one JSON line.

    python -m tests.bench.bench_value_path     # VALUE_PATH_SECONDS=20 for a longer window
"""

from __future__ import annotations

import asyncio
import logging
import os
import struct
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench.bench_line_pc import (
    MODBUS_DEVICES,
    MODBUS_PERIOD,
    OPCUA_ITEMS,
    OPCUA_PERIOD,
    EngineTraffic,
    ScreenDrain,
    coil_image,
    modbus_points,
    register_image,
    thread_cpu,
    write_project,
)
from tests.bench.common import median, percentile, report

MEASURE_S = float(os.environ.get("VALUE_PATH_SECONDS", "10"))
WARMUP_S = 3.0
TICKS = 200  # register images made before the run and replayed: 20 s of a plant


class Plant:
    """Register and coil images of every tick, made before measuring, for both cases."""

    def __init__(self) -> None:
        self.points = modbus_points()
        size = max(address + 2 for _, area, address, _ in self.points if area == "hr")
        self.realistic = False
        self.images = {
            case: [
                struct.pack(f">{size}H", *register_image(tick, self.points, size, case))
                for tick in range(TICKS)
            ]
            for case in (False, True)
        }
        self.coils = [coil_image(tick) for tick in range(TICKS)]

    def tick(self) -> int:
        return int(time.monotonic() / MODBUS_PERIOD) % TICKS

    def registers(self) -> bytes:
        return self.images[self.realistic][self.tick()]


class FrameClient:
    """What the link talks to instead of a pymodbus client: each read answered with a
    real response frame, decoded by the link's own decoder as the transport does."""

    connected = True

    def __init__(self, plant: Plant) -> None:
        from drivers.modbus.link import _TolerantDecoder

        self.plant = plant
        self.decoder = _TolerantDecoder(False)

    async def read_holding_registers(self, address: int, count: int, device_id: int) -> Any:
        image = self.plant.registers()
        frame = bytes((3, 2 * count)) + image[2 * address : 2 * (address + count)]
        return self.decoder.decode(frame)

    async def read_coils(self, address: int, count: int, device_id: int) -> Any:
        bits = self.plant.coils[self.plant.tick()][address : address + count]
        packed = bytearray((len(bits) + 7) // 8)
        for i, bit in enumerate(bits):
            if bit:
                packed[i // 8] |= 1 << (i % 8)
        return self.decoder.decode(bytes((1, len(packed))) + bytes(packed))

    def close(self) -> None:
        pass


def in_memory_driver(plant: Plant) -> type:
    from drivers.modbus import ModbusDriver

    class InMemoryModbus(ModbusDriver):
        async def start(self) -> None:
            self._link._client = FrameClient(plant)
            self._link._lost = asyncio.get_running_loop().create_future()
            await super().start()

    return InMemoryModbus


class OpcuaFeed(threading.Thread):
    """2,000 items every 500 ms handed to the engine's loop from a thread of its own."""

    def __init__(self, runtime: Any, plant: Plant) -> None:
        super().__init__(name="opcua feed", daemon=True)
        self.runtime, self.plant = runtime, plant
        self.halt = threading.Event()

    def run(self) -> None:
        from hmi.core.tags import good

        names = [f"ua.v{i:04d}" for i in range(OPCUA_ITEMS)]
        publish, loop = self.runtime.engine.publish, self.runtime.loop
        tick = 0
        while not self.halt.wait(OPCUA_PERIOD):
            tick += 1
            ts = time.time()
            if self.plant.realistic:  # a tenth of the items at each publish
                batch = {n: good(tick + i * 1e-4, ts, ts) for i, n in enumerate(names)
                         if (tick + i) % 10 == 0}  # fmt: skip
            else:
                batch = {n: good(tick + i * 1e-4, ts, ts) for i, n in enumerate(names)}
            loop.call_soon_threadsafe(publish, batch)


def window(runtime: Any, traffic: Any, seconds: float) -> dict[str, Any]:
    """Figures of the next ``seconds``."""
    drivers = [d for n, d in runtime.engine.drivers.items() if n.startswith("plc")]
    cycles0 = [d.stats.scans["fast"].cycles for d in drivers]
    into0, out0 = traffic.into, traffic.out
    threads0 = thread_cpu()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    time.sleep(seconds)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    threads = {n: c - threads0.get(n, 0.0) for n, c in thread_cpu().items()}
    into, out = traffic.into - into0, traffic.out - out0
    durations: list[float] = []
    for driver, at0 in zip(drivers, cycles0, strict=True):
        stats = driver.stats.scans["fast"]
        durations += list(stats.duration)[-(stats.cycles - at0) :] if stats.cycles > at0 else []
    runtime_cpu = threads.get("hmi-runtime", 0.0)
    return {
        "values_into_engine_per_s": round(into / wall),
        "values_changed_per_s": round(out / wall),
        "runtime_thread_cpu_share": round(runtime_cpu / wall, 3),
        "process_cpu_share": round(cpu / wall, 3),
        "runtime_us_per_value": round(runtime_cpu / max(into, 1) * 1e6, 2),
        "process_us_per_value": round(cpu / max(into, 1) * 1e6, 2),
        "modbus_cycle_ms": {
            "p50": round(median(durations) * 1e3, 2),
            "p99": round(percentile(durations, 99) * 1e3, 2),
        },
        "thread_cpu_share": {
            n: round(c / wall, 3) for n, c in sorted(threads.items(), key=lambda i: -i[1]) if c
        },
    }


def linea_way(folder: Path, data_dir: Path, plant: Plant) -> dict[str, Any]:
    from hmi.core.plugins import DriverRegistry
    from hmi.core.project.loader import load_project
    from hmi.core.runtime import Runtime

    project = load_project(folder)
    registry = DriverRegistry({"modbus": in_memory_driver(plant)})
    runtime = Runtime(project, data_dir, registry=registry)
    traffic = EngineTraffic(runtime.engine)
    screens = ScreenDrain(runtime.engine)
    feed = OpcuaFeed(runtime, plant)
    runtime.start()
    screens.start()
    feed.start()
    out: dict[str, Any] = {}
    try:
        for case in ("worst", "realistic"):
            plant.realistic = case == "realistic"
            time.sleep(WARMUP_S)
            out[case] = window(runtime, traffic, MEASURE_S)
        bad = [n for n, v in runtime.engine.values.items() if n.startswith("plc") and not v.good]
        out["tags_not_good_at_end"] = len(bad)
    finally:
        feed.halt.set()
        screens.halt.set()
        runtime.stop()
    return out


async def naive_poll(runtime: Any, plant: Plant, device: str) -> None:
    """One PLC the naive way: pymodbus decodes each response, each tag is unpacked from
    its registers on its own and handed to the engine on its own."""
    from pymodbus.pdu import DecodePDU

    from hmi.core.tags import good

    decoder = DecodePDU(False)
    formats = {"float32": (">f", 2), "uint32": (">I", 2), "int16": (">h", 1)}
    points = plant.points
    registers = [(f"{device}.{s}", a, *formats[t]) for s, area, a, t in points if area == "hr"]
    coils = [(f"{device}.{s}", a) for s, area, a, _ in points if area == "co"]
    blocks = range(0, max(a + n for _, a, _, n in registers), 125)
    publish = runtime.engine.publish
    loop = asyncio.get_running_loop()
    deadline = loop.time()
    while True:
        image = plant.registers()
        words: list[int] = []
        for start in blocks:
            count = min(125, len(image) // 2 - start)
            frame = bytes((3, 2 * count)) + image[2 * start : 2 * (start + count)]
            words += decoder.decode(frame).registers
        ts = time.time()
        for name, address, code, size in registers:
            raw = struct.pack(f">{size}H", *words[address : address + size])
            publish({name: good(struct.unpack(code, raw)[0], None, ts)})
        bits = plant.coils[plant.tick()]
        for name, address in coils:
            publish({name: good(bool(bits[address]), None, ts)})
        deadline = max(deadline + MODBUS_PERIOD, loop.time())
        await asyncio.sleep(deadline - loop.time())


def naive_way(folder: Path, data_dir: Path, plant: Plant) -> dict[str, Any]:
    from hmi.core.plugins import DriverRegistry
    from hmi.core.project.loader import load_project
    from hmi.core.runtime import Runtime

    project = load_project(folder)
    runtime = Runtime(project, data_dir, registry=DriverRegistry({}))
    traffic = EngineTraffic(runtime.engine)
    screens = ScreenDrain(runtime.engine)
    feed = OpcuaFeed(runtime, plant)
    runtime.start()
    screens.start()
    feed.start()
    plant.realistic = False
    polls = [
        runtime.submit(naive_poll(runtime, plant, f"plc{n}")) for n in range(1, MODBUS_DEVICES + 1)
    ]
    try:
        time.sleep(WARMUP_S)
        return window(runtime, traffic, MEASURE_S)
    finally:
        for poll in polls:
            poll.cancel()
        feed.halt.set()
        screens.halt.set()
        runtime.stop()


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    plant = Plant()
    with tempfile.TemporaryDirectory(prefix="value-path-") as tmp:
        folder = Path(tmp) / "project"
        write_project(folder, [5020 + n for n in range(MODBUS_DEVICES)], 4840)
        linea = linea_way(folder, Path(tmp) / "data", plant)
        naive = naive_way(folder, Path(tmp) / "naive", plant)
    worst = linea["worst"]
    report(
        "value_path",
        measure_s=MEASURE_S,
        load_average_1min=round(os.getloadavg()[0], 2),  # other work on this machine
        cpus=os.cpu_count(),
        worst=worst,
        realistic=linea["realistic"],
        naive_worst=naive,
        runtime_cpu_ratio_naive_over_linea=round(
            naive["runtime_us_per_value"] / max(worst["runtime_us_per_value"], 1e-9), 2
        ),
        tags_not_good_at_end=linea["tags_not_good_at_end"],
    )


if __name__ == "__main__":
    main()
