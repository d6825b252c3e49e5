"""A line PC carrying a whole line: 5 Modbus TCP PLCs x 1,000 tags at 100 ms and one OPC UA
server with 2,000 items at 500 ms, all on 127.0.0.1, through the production runtime.

The PLCs run in two other processes (Modbus, OPC UA), so their CPU is not counted. This
process runs what a line PC runs: the project loaded from its files (CSV tag lists,
alarms, history), ``Runtime`` with its engine, drivers and capabilities (alarms, historian
writing to the local store), and a latest-only subscriber drained at 10 Hz like the
operator screens. Two plants, one after the other on the same running line: the worst
case, where every Modbus analog value and counter changes every 100 ms and every OPC UA
item every 500 ms, and a realistic one (a tenth of the analog values and OPC UA items
change at each poll, a counter steps every 2 s, words and bits rarely; ``register_image``).
Each is measured unpinned (every process on every core, as the machine came) and pinned
(this process on one core, the PLC processes on another, where ``os.sched_setaffinity``
works), so what the PLC processes cost the HMI's cycles shows apart from what it costs
itself.

Measured over ``MEASURE_S`` seconds after a warm-up: cycle time p50/p99 per Modbus device
(the scan scheduler's own figures; target p99 <= 40 ms), the time asyncua takes to decode
one OPC UA publish response (on the driver's own thread) and the driver to hand it to the
engine, the garbage collector's pauses, how late the runtime loop wakes a 5 ms sleeper
(what every response waits for it), values per second into the engine (what the drivers
publish: Modbus sends only what changed) and out of it (changed beyond the deadband), the
CPU share of this process (CPU time / wall time, every thread; target <= 50 % of one core)
and of its threads, its RSS, and the machine's load: the PLC processes and anything else
running compete for the same cores, so the load average and the share of the time the
runtime loop's thread and each PLC process were ready to run but waited for a core are
reported too. Then, in the same run, the naive way on one of the PLCs: one request per
tag. Prints one JSON line: the worst case unpinned at its top level (``case``), as ever,
and the headline figures of every case and pinning under ``variants``.

    python -m tests.bench.bench_line_pc          # LINE_PC_SECONDS=60 for a longer window
    LINE_PC_CASES=realistic python -m tests.bench.bench_line_pc     # one plant only
"""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import multiprocessing as mp
import os
import resource
import struct
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench.common import median, percentile, report

MODBUS_DEVICES = 5
ANALOG, WORDS, COUNTERS, BITS = 600, 200, 100, 100  # 1,000 tags per Modbus PLC
GROUP, SPARE = 20, 4  # tags are laid out in groups of 20 with 4 spare registers between
OPCUA_ITEMS = 2000
MODBUS_PERIOD, OPCUA_PERIOD = 0.1, 0.5
WARMUP_S = 5.0
MEASURE_S = float(os.environ.get("LINE_PC_SECONDS", "30"))
NAIVE_CYCLES = 3
# the plants measured: every value moving at every poll, and a realistic share
CASES = [c for c in os.environ.get("LINE_PC_CASES", "worst,realistic").split(",") if c]
START_TIMEOUT = 90.0


# -- the register map -------------------------------------------------------------------------


def modbus_points() -> list[tuple[str, str, int, str]]:
    """(tag suffix, area, address, type) of one PLC's 1,000 tags."""
    points: list[tuple[str, str, int, str]] = []
    address = 0
    for kind, count, width, data_type in (
        ("ai", ANALOG, 2, "float32"),
        ("wd", WORDS, 1, "int16"),
        ("ct", COUNTERS, 2, "uint32"),
    ):
        for i in range(count):
            if i and i % GROUP == 0:
                address += SPARE
            points.append((f"{kind}_{i:03d}", "hr", address, data_type))
            address += width
        address += SPARE
    points += [(f"bt_{i:03d}", "co", i, "bool") for i in range(BITS)]
    return points


def register_image(
    tick: int, points: list[tuple[str, str, int, str]], size: int, realistic: bool = False
) -> list[int]:
    """Every holding register at ``tick``: analog values move, counters count, words step.

    The worst case moves every analog value and every counter at every tick. A
    ``realistic`` plant moves a tenth of the analog values at each tick (each one every
    tenth tick), steps a counter every 20 ticks (a part every 2 s) and the words as
    rarely as the worst case does."""
    image = [0] * size
    for suffix, area, address, data_type in points:
        if area != "hr":
            continue
        index = int(suffix[3:])
        if data_type == "float32":
            moved = tick - (tick + index) % 10 if realistic else tick
            value = 100.0 + index + 5.0 * math.sin(moved / 10.0 + index)
            hi, lo = struct.unpack(">2H", struct.pack(">f", value))
            image[address], image[address + 1] = hi, lo
        elif data_type == "uint32":
            count = (tick + index) // 20 if realistic else tick
            count += index * 1000
            image[address], image[address + 1] = count >> 16, count & 0xFFFF
        else:
            image[address] = (index + tick // 50) & 0x7FFF
    return image


def coil_image(tick: int) -> list[bool]:
    """The coils at ``tick``: a few flip every 50 ticks (5 s), in both cases."""
    return [(i + tick // 50) % 7 == 0 for i in range(BITS)]


# -- the PLC processes ------------------------------------------------------------------------


def serve_modbus(ports: list[int], ready: Any, stop: Any, cpu: Any, realistic: Any) -> None:
    """Entry point of a Modbus process (spawned: imports nothing from the parent)."""
    logging.basicConfig(level=logging.CRITICAL)
    asyncio.run(_serve_modbus(ports, ready, stop, cpu, realistic))


async def _serve_modbus(ports: list[int], ready: Any, stop: Any, cpu: Any, realistic: Any) -> None:
    from pymodbus.server import ModbusTcpServer
    from pymodbus.simulator import DataType, SimData, SimDevice

    points = modbus_points()
    size = max(address + 2 for _, area, address, _ in points if area == "hr")
    servers = []
    for port in ports:
        device = SimDevice(
            id=1,
            simdata=(
                [SimData(0, count=BITS, values=False, datatype=DataType.BITS)],
                [SimData(0, count=16, values=False, datatype=DataType.BITS)],
                [SimData(0, values=register_image(0, points, size), datatype=DataType.REGISTERS)],
                [SimData(0, count=16, datatype=DataType.REGISTERS)],
            ),
        )
        server = ModbusTcpServer(device, address=("127.0.0.1", port))
        await server.serve_forever(background=True)
        servers.append(server)
    ready.set()
    loop = asyncio.get_running_loop()
    deadline, tick = loop.time(), 0
    while not stop.is_set():
        tick += 1
        image = register_image(tick, points, size, bool(realistic.value))
        bits = coil_image(tick)
        for server in servers:
            await server.async_setValues(1, 16, 0, image)
            if tick % 50 == 0:
                await server.async_setValues(1, 5, 0, bits)
        cpu.value = time.process_time()
        deadline = max(deadline + MODBUS_PERIOD, loop.time())
        await asyncio.sleep(deadline - loop.time())
    for server in servers:
        await server.shutdown()


def serve_opcua(port: int, ready: Any, stop: Any, cpu: Any, realistic: Any) -> None:
    """Entry point of the OPC UA process."""
    logging.basicConfig(level=logging.CRITICAL)
    asyncio.run(_serve_opcua(port, ready, stop, cpu, realistic))


async def _serve_opcua(port: int, ready: Any, stop: Any, cpu: Any, realistic: Any) -> None:
    import datetime as dt

    from asyncua import Server, ua

    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/line")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    ns = await server.register_namespace("urn:linea:line")
    folder = await server.nodes.objects.add_object(ns, "Line")
    ids = [
        (await folder.add_variable(f"ns={ns};s=Line.V{i:04d}", f"V{i:04d}", 0.0)).nodeid
        for i in range(OPCUA_ITEMS)
    ]
    await server.start()
    ready.set()
    write, double = server.write_attribute_value, ua.VariantType.Double
    loop = asyncio.get_running_loop()
    deadline, tick = loop.time(), 0
    while not stop.is_set():
        tick += 1
        stamp = dt.datetime.now(dt.UTC)
        for i, node_id in enumerate(ids):
            if realistic.value and (tick + i) % 10:  # a tenth of the items at each tick
                continue
            value = ua.Variant(tick + i * 1e-4, double)
            await write(node_id, ua.DataValue(value, SourceTimestamp=stamp))
        cpu.value = time.process_time()
        deadline = max(deadline + OPCUA_PERIOD, loop.time())
        await asyncio.sleep(deadline - loop.time())
    await server.stop()


# -- the project ------------------------------------------------------------------------------


def write_project(folder: Path, modbus_ports: list[int], opcua_port: int) -> None:
    """A project as a plant engineer writes it: devices in project.yaml, tag lists in CSV,
    alarms on a tenth of the analog values, history of a sixth of them."""
    tags = folder / "tags"
    tags.mkdir(parents=True)
    devices, includes, alarms = [], [], []
    header = "name,device,address,type,units,deadband,scan,description\n"
    for n, port in enumerate(modbus_ports, 1):
        plc = f"plc{n}"
        devices.append(
            f"  {plc}:\n    protocol: modbus\n    line: line1\n"
            f"    host: 127.0.0.1\n    port: {port}\n    unit: 1\n"
        )
        rows = []
        for suffix, area, address, data_type in modbus_points():
            deadband = "0.5" if suffix.startswith("ai") and int(suffix[3:]) % 2 else ""
            units = "°C" if suffix.startswith("ai") else ""
            rows.append(
                f"{plc}.{suffix},{plc},{area}:{address},{data_type},{units},{deadband},fast,"
                f"{suffix} of {plc}\n"
            )
        (tags / f"{plc}.csv").write_text(header + "".join(rows), encoding="utf-8")
        includes.append(f"  - tags/{plc}.csv\n")
        for i in range(0, ANALOG, 10):  # one in ten of these is reached every few seconds
            margin = 4.5 if i % 100 == 0 else 6.0
            alarms.append(
                f"  - tag: {plc}.ai_{i:03d}\n    hi: {100 + i + margin}\n"
                f"    lo: {100 + i - margin}\n    deadband: 0.5\n    on_delay: 1s\n"
            )
        alarms.append(f"  - device: {plc}\n    priority: 1\n")
    devices.append(
        f"  ua:\n    protocol: opcua\n    line: line1\n"
        f"    endpoint: opc.tcp://127.0.0.1:{opcua_port}/line\n    security: None\n"
    )
    rows = [
        f"ua.v{i:04d},ua,ns=2;s=Line.V{i:04d},float64,,,normal,item {i}\n"
        for i in range(OPCUA_ITEMS)
    ]
    (tags / "ua.csv").write_text(header + "".join(rows), encoding="utf-8")
    includes.append("  - tags/ua.csv\n")
    alarms.append("  - device: ua\n    priority: 1\n")
    history = (
        "historian:\n  default: {mode: off, max_interval: 10m, retention: 90d}\n  tags:\n"
        "    'plc*.ai_?[0-9][05]': {mode: swinging_door, deviation: 0.2}\n"
        "    'plc*.ct_0[0-4]?': {mode: interval, interval: 1m}\n"
        "    'ua.v0[0-2]??': {mode: swinging_door, deviation: 0.05}\n"
    )
    (folder / "project.yaml").write_text(
        "project:\n  name: Line PC bench\n  lines:\n    line1: Line 1\n\n"
        "scan_classes:\n  fast: 100ms\n  normal: 500ms\n  slow: 10s\n\n"
        "devices:\n" + "".join(devices) + "\ninclude:\n" + "".join(includes) + "\n"
        "alarms:\n" + "".join(alarms) + "\n" + history,
        encoding="utf-8",
    )


# -- measuring --------------------------------------------------------------------------------


class EngineTraffic:
    """Values into the engine (every batch a driver publishes) and out of it (changed)."""

    def __init__(self, engine: Any) -> None:
        from hmi.core.subscription import Subscription

        self.into = 0
        self.out = 0
        publish = engine.publish

        def counting_publish(batch: Any) -> None:
            self.into += len(batch)
            publish(batch)

        engine.publish = counting_publish  # drivers get the engine as their sink

        traffic = self

        class Counting(Subscription):
            def offer(self, batch: Any) -> None:
                traffic.out += len(batch)

        engine.add_subscription(Counting("bench counter"))


class PublishTimer:
    """Time each OPC UA publish response takes from arrival to the engine (instrumented
    here, in the benchmark only: the subscription's callback is wrapped)."""

    def __init__(self) -> None:
        from drivers.opcua import monitor

        self.durations: list[float] = []
        self.values = 0
        original = monitor.ScanSubscription._on_publish
        timer = self

        def timed(sub: Any, result: Any) -> None:
            started = time.perf_counter()
            original(sub, result)
            timer.durations.append(time.perf_counter() - started)

        monitor.ScanSubscription._on_publish = timed


class DecodeTimer:
    """Time asyncua's decoding of each publish response (up to 2,000 items, decoded in one
    piece on the runtime loop before the driver sees it); benchmark only."""

    def __init__(self) -> None:
        from asyncua import ua
        from asyncua.client import ua_session

        self.durations: list[float] = []
        original = ua_session.struct_from_binary
        timer = self

        def timed(kind: Any, data: Any) -> Any:
            started = time.perf_counter()
            decoded = original(kind, data)
            if kind is ua.PublishResponse:
                timer.durations.append(time.perf_counter() - started)
            return decoded

        ua_session.struct_from_binary = timed


class GcTimer:
    """The pauses of Python's cyclic garbage collector (every thread waits for them), by
    generation: a full collection walks every object the process holds."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._started)

    def since(self, counts: dict[int, int], wall: float) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for generation, pauses in self.pauses.items():
            new = pauses[counts[generation] :]
            out[f"gen{generation}"] = {
                "per_s": round(len(new) / wall, 2),
                "max_ms": round(max(new, default=0.0) * 1e3, 2),
            }
        return out

    def counts(self) -> dict[int, int]:
        return {generation: len(p) for generation, p in self.pauses.items()}


async def probe_lag(lags: list[float], step: float = 0.005) -> None:
    """How late the runtime loop wakes a 5 ms sleeper: what any response waits for it."""
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time()
        await asyncio.sleep(step)
        lags.append(loop.time() - asked - step)


class ScreenDrain(threading.Thread):
    """The operator screens: a latest-only subscriber taken at 10 Hz on its own thread."""

    def __init__(self, engine: Any) -> None:
        super().__init__(name="screens", daemon=True)
        from hmi.core.subscription import Subscription

        self.sub = engine.add_subscription(Subscription("screens", latest_only=True))
        self.halt = threading.Event()
        self.taken = 0

    def run(self) -> None:
        while not self.halt.wait(0.1):
            for batch in self.sub.take():
                self.taken += len(batch)


def rss_mb() -> tuple[float, float]:
    """Current and peak resident memory of this process, in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:  # not Linux: the peak alone
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def thread_cpu() -> dict[str, float]:
    """CPU seconds of each named thread of this process (Linux; empty elsewhere): the
    runtime loop's share says how busy the one thread every driver shares is."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for thread in threading.enumerate():
        try:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        except (OSError, TypeError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[thread.name] = out.get(thread.name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def runqueue_wait(pids: list[int]) -> dict[str, float]:
    """Seconds the runtime loop's thread and each PLC process spent ready to run but
    waiting for a core (Linux schedstat; empty elsewhere): what the machine's other work
    costs them, which no change in this process can save."""
    paths = {
        t.name: f"/proc/self/task/{t.native_id}/schedstat"
        for t in threading.enumerate()
        if t.name == "hmi-runtime"
    }
    paths |= {f"plc process {n}": f"/proc/{pid}/schedstat" for n, pid in enumerate(pids, 1)}
    out: dict[str, float] = {}
    for name, path in paths.items():
        try:
            out[name] = int(Path(path).read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue
    return out


def quantiles_ms(samples: list[float]) -> dict[str, float]:
    return {
        "p50": round(median(samples) * 1e3, 2),
        "p99": round(percentile(samples, 99) * 1e3, 2),
    }


class Probes:
    """Everything measured in this process, installed once before the runtime starts."""

    def __init__(self, runtime: Any) -> None:
        self.traffic = EngineTraffic(runtime.engine)
        self.publishes = PublishTimer()
        self.decodes = DecodeTimer()
        self.collections = GcTimer()
        self.screens = ScreenDrain(runtime.engine)
        self.lags: list[float] = []


CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def pin(pinned: bool, server_pids: list[int]) -> bool:
    """Pinned: every thread of this process on one core and the PLC processes on another,
    so neither waits for the other's core; unpinned: everything on every core, as the
    machine came. False where affinity cannot be set (not Linux, one core)."""
    if len(CORES) < 2:
        return False
    mine, theirs = ({CORES[0]}, {CORES[1]}) if pinned else (set(CORES), set(CORES))
    try:
        for tid in os.listdir("/proc/self/task"):
            os.sched_setaffinity(int(tid), mine)
        for pid in server_pids:
            for tid in os.listdir(f"/proc/{pid}/task"):
                os.sched_setaffinity(int(tid), theirs)
    except OSError:
        return False
    return True


def measure(
    runtime: Any,
    probes: Probes,
    server_cpu: tuple[Any, Any],
    server_pids: list[int],
    device_tags: list[str],
) -> dict[str, Any]:
    """The figures of the next ``MEASURE_S`` seconds."""
    traffic, publishes, decodes = probes.traffic, probes.publishes, probes.decodes
    lags = probes.lags
    drivers = {n: d for n, d in runtime.engine.drivers.items() if n.startswith("plc")}
    scans = {n: d.stats.scans["fast"] for n, d in drivers.items()}
    cycles0 = {n: s.cycles for n, s in scans.items()}
    overruns0 = {n: s.overruns for n, s in scans.items()}
    requests0 = sum(d.stats.requests for d in drivers.values())
    publishes0, decodes0, lags0 = len(publishes.durations), len(decodes.durations), len(lags)
    into0, out0, taken0 = traffic.into, traffic.out, probes.screens.taken
    gc0 = probes.collections.counts()
    load0 = os.getloadavg()[0]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    servers0 = [each.value for each in server_cpu]
    threads0 = thread_cpu()
    waits0 = runqueue_wait(server_pids)
    time.sleep(MEASURE_S)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    threads = {n: c - threads0.get(n, 0.0) for n, c in thread_cpu().items()}
    waits = {n: w - waits0.get(n, 0.0) for n, w in runqueue_wait(server_pids).items()}
    servers = [each.value - at0 for each, at0 in zip(server_cpu, servers0, strict=True)]
    rss, rss_peak = rss_mb()
    cycles = {n: s.cycles - cycles0[n] for n, s in scans.items()}
    per_device: dict[str, Any] = {}
    all_durations: list[float] = []
    for name, stats in scans.items():
        durations = list(stats.duration)[-cycles[name] :] if cycles[name] else []
        lateness = list(stats.lateness)[-cycles[name] :] if cycles[name] else []
        all_durations += durations
        per_device[name] = {
            "cycle_ms": quantiles_ms(durations),
            "late_ms_p99": round(percentile(lateness, 99) * 1e3, 2),
            "cycles_per_s": round(cycles[name] / wall, 2),
            "overruns": stats.overruns - overruns0[name],
        }
    requests = sum(d.stats.requests for d in drivers.values()) - requests0
    ua_publishes = publishes.durations[publishes0:]
    ua_decodes = decodes.durations[decodes0:]
    loop_lags = lags[lags0:]
    bad = [n for n in device_tags if not runtime.engine.values[n].good]
    total_cycles = sum(cycles.values())
    worst_p99 = max(d["cycle_ms"]["p99"] for d in per_device.values())
    return {
        "modbus_cycle_ms_p50_worst": max(d["cycle_ms"]["p50"] for d in per_device.values()),
        "modbus_cycle_ms_p99_worst": worst_p99,
        "modbus_cycle_ms_all": quantiles_ms(all_durations),
        "modbus_requests_per_cycle": round(requests / max(total_cycles, 1), 1),
        "per_device": per_device,
        "opcua_publish_ms": quantiles_ms(ua_publishes),
        "opcua_publishes_per_s": round(len(ua_publishes) / wall, 2),
        "opcua_decode_ms": quantiles_ms(ua_decodes),
        "loop_lag_ms": quantiles_ms(loop_lags) | {"max": round(max(loop_lags, default=0) * 1e3, 2)},
        "gc_pauses": probes.collections.since(gc0, wall),
        "values_into_engine_per_s": round((traffic.into - into0) / wall),
        "values_changed_per_s": round((traffic.out - out0) / wall),
        "values_to_screens_per_s": round((probes.screens.taken - taken0) / wall),
        "cpu_share": round(cpu / wall, 3),
        "cpu_us_per_value": round(cpu / max(traffic.into - into0, 1) * 1e6, 2),
        "thread_cpu_share": {
            n: round(c / wall, 3) for n, c in sorted(threads.items(), key=lambda i: -i[1]) if c
        },
        "runqueue_wait_share": {n: round(w / wall, 3) for n, w in waits.items()},
        "plc_processes_cpu_share": [round(each / wall, 3) for each in servers],
        # other work on this machine, at the start and the end of the window
        "load_average_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
        "rss_mb": round(rss, 1),
        "rss_peak_mb": round(rss_peak, 1),
        "tags_not_good_at_end": len(bad),
        "targets_met": worst_p99 <= 40 and cpu / wall <= 0.5,
    }


def run_line(
    folder: Path,
    data_dir: Path,
    server_cpu: tuple[Any, Any],
    server_pids: list[int],
    realistic: Any,
) -> dict[str, Any]:
    """Start the line PC once, then measure each case, unpinned and pinned."""
    from hmi.core.project.loader import load_project
    from hmi.core.runtime import Runtime

    loaded = time.perf_counter()
    project = load_project(folder)
    load_s = time.perf_counter() - loaded
    runtime = Runtime(project, data_dir)
    probes = Probes(runtime)
    device_tags = [t.name for t in project.tags.values() if not t.derived]
    runtime.start()
    probes.screens.start()
    lag_probe = runtime.submit(probe_lag(probes.lags))
    variants: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + START_TIMEOUT
        values = runtime.engine.values
        while sum(1 for n in device_tags if (v := values.get(n)) is not None and v.good) < len(
            device_tags
        ):
            if time.monotonic() > deadline:
                missing = [n for n in device_tags if not (values.get(n) and values[n].good)]
                raise SystemExit(f"{len(missing)} tags never turned Good, e.g. {missing[:3]}")
            time.sleep(0.1)
        for case in CASES:
            realistic.value = case == "realistic"
            for pinned in (False, True):
                if not pin(pinned, server_pids) and pinned:
                    continue  # no affinity here: the unpinned figures alone
                time.sleep(WARMUP_S)
                label = f"{case}, {'pinned' if pinned else 'unpinned'}"
                variants[label] = measure(runtime, probes, server_cpu, server_pids, device_tags)
    finally:
        pin(False, server_pids)
        probes.screens.halt.set()
        lag_probe.cancel()
        runtime.stop()
    return {"project_load_s": round(load_s, 2), "variants": variants}


async def naive_run(port: int) -> dict[str, float]:
    """One PLC read the naive way: one request per tag, tag after tag."""
    from pymodbus.client import AsyncModbusTcpClient

    client = AsyncModbusTcpClient("127.0.0.1", port=port, retries=0, reconnect_delay=0)
    await client.connect()
    points = modbus_points()
    durations: list[float] = []
    formats = {"float32": ">f", "uint32": ">I", "int16": ">h"}
    values: dict[str, object] = {}
    cpu0 = time.process_time()
    try:
        for _ in range(NAIVE_CYCLES):
            started = time.perf_counter()
            for suffix, area, address, data_type in points:
                if area == "co":
                    response = await client.read_coils(address, count=1, device_id=1)
                    values[suffix] = bool(response.bits[0])
                    continue
                count = 2 if data_type in ("float32", "uint32") else 1
                response = await client.read_holding_registers(address, count=count, device_id=1)
                raw = struct.pack(f">{count}H", *response.registers)
                values[suffix] = struct.unpack(formats[data_type], raw)[0]
            durations.append(time.perf_counter() - started)
    finally:
        client.close()
    cpu = time.process_time() - cpu0
    assert len(values) == len(points)
    return {
        "cycle_ms": median(durations) * 1e3,
        "requests_per_cycle": float(len(points)),
        "cpu_us_per_value": cpu / (NAIVE_CYCLES * len(points)) * 1e6,
    }


def main() -> None:
    from tests.helpers import free_port

    logging.basicConfig(level=logging.ERROR)
    modbus_ports = [free_port() for _ in range(MODBUS_DEVICES)]
    opcua_port = free_port()
    spawn = mp.get_context("spawn")
    stop = spawn.Event()
    modbus_ready, opcua_ready = spawn.Event(), spawn.Event()
    modbus_cpu, opcua_cpu = spawn.Value("d", 0.0), spawn.Value("d", 0.0)
    realistic = spawn.Value("b", 0)  # which plant the PLC processes play
    servers = [
        spawn.Process(
            target=serve_modbus,
            args=(modbus_ports, modbus_ready, stop, modbus_cpu, realistic),
            daemon=True,
        ),
        spawn.Process(
            target=serve_opcua,
            args=(opcua_port, opcua_ready, stop, opcua_cpu, realistic),
            daemon=True,
        ),
    ]
    for server in servers:
        server.start()
    try:
        if not (modbus_ready.wait(30) and opcua_ready.wait(60)):
            raise SystemExit("the PLC processes did not start")
        with tempfile.TemporaryDirectory(prefix="line-pc-") as tmp:
            folder = Path(tmp) / "project"
            write_project(folder, modbus_ports, opcua_port)
            pids = [server.pid for server in servers if server.pid is not None]
            line = run_line(folder, Path(tmp) / "data", (modbus_cpu, opcua_cpu), pids, realistic)
        naive = asyncio.run(naive_run(modbus_ports[0]))
    finally:
        stop.set()
        for server in servers:
            server.join(10)
            if server.is_alive():
                server.terminate()
    variants = line["variants"]
    case = "worst, unpinned" if "worst, unpinned" in variants else next(iter(variants))
    worst = variants[case]
    cycle_p50 = max(worst["modbus_cycle_ms_all"]["p50"], 1e-6)
    report(
        "line_pc",
        modbus_devices=MODBUS_DEVICES,
        modbus_tags=MODBUS_DEVICES * (ANALOG + WORDS + COUNTERS + BITS),
        opcua_items=OPCUA_ITEMS,
        measure_s=MEASURE_S,
        project_load_s=line["project_load_s"],
        case=case,  # the figures at this level; every case under "variants"
        **worst,
        naive_cycle_ms=naive["cycle_ms"],
        naive_requests_per_cycle=naive["requests_per_cycle"],
        naive_cpu_us_per_value=naive["cpu_us_per_value"],
        cycle_ratio=naive["cycle_ms"] / cycle_p50,
        requests_ratio=naive["requests_per_cycle"] / max(worst["modbus_requests_per_cycle"], 1e-6),
        variants={label: headline(figures) for label, figures in variants.items()},
    )


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """What a case is judged by, for the line of every case beside the worst one."""
    keys = (
        "modbus_cycle_ms_p50_worst",
        "modbus_cycle_ms_p99_worst",
        "modbus_cycle_ms_all",
        "loop_lag_ms",
        "values_into_engine_per_s",
        "values_changed_per_s",
        "cpu_share",
        "cpu_us_per_value",
        "thread_cpu_share",
        "runqueue_wait_share",
        "plc_processes_cpu_share",
        "load_average_1min",
        "rss_mb",
        "tags_not_good_at_end",
        "targets_met",
    )
    return {key: figures[key] for key in keys}


if __name__ == "__main__":
    main()
