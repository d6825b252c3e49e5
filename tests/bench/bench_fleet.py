"""The plant-wide view: 50 lines x 200 tags at 1 Hz through one Mosquitto to one supervisor.

Publisher processes (10 lines each, one MQTT connection per line) publish every tag once
a second, spread over the second, as the UNS JSON of the MQTT conventions
(``{root}/{line}/tags/{tag}``: ``{"v", "q", "ts"}``, retained, QoS 0): 10,000 messages a
second. The supervisor, a process of its own, runs a project of 10,000 tags on one ``mqtt``
device in the Runtime (engine and driver, as the HMI runs them) and a consumer of the
engine's batches; it measures, over a window, the end-to-end latency from each value's
publish time (its ``ts``) to the consumer holding it (p50/p99; target p99 <= 1 s), the
values delivered a second and its own CPU share (CPU seconds per second, of one core).

The naive way, measured in the same run against the same publishers: a subscriber that
makes one subscription per tag and, on paho's thread, decodes each message and passes it
to the same engine on its own (one hand-off to the runtime loop per message). Both speak
MQTT 5, a project's default; the driver is measured over MQTT 3.1.1 too.

    python -m tests.bench fleet [--seconds 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench.common import cpu_seconds, median, percentile, report, thread_cpu_seconds

LINES = 50
TAGS = 200
LINES_PER_PUBLISHER = 10
TICKS = 20  # a publisher publishes a twentieth of its tags every 50 ms
ROOT = "acme/turin/extrusion"
SECRET = "bench_broker"
WARMUP_S = 3.0
# what runs the supervisor, and over which MQTT version (5 is the default of a project)
PHASES = {"driver": ("driver", "5"), "naive": ("naive", "5"), "driver311": ("driver", "3.1.1")}
SETTLE_TIMEOUT = 60.0


def topic(line: int, tag: int) -> str:
    return f"{ROOT}/line{line:02d}/tags/t{tag:03d}"


def tag_name(line: int, tag: int) -> str:
    return f"line{line:02d}.t{tag:03d}"


# -- the lines ----------------------------------------------------------------------------


def publish(port: int, first: int, stop: Any, sent: Any) -> None:
    """A publisher process: LINES_PER_PUBLISHER lines, each its own connection."""
    import paho.mqtt.client as mqtt

    from tests.mosquitto import PASSWORD, USER

    clients = []
    for line in range(first, first + LINES_PER_PUBLISHER):
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-line{line}")
        client.username_pw_set(USER, PASSWORD)
        client.max_queued_messages_set(0)
        client.connect("127.0.0.1", port)
        client.loop_start()
        clients.append((line, client, [topic(line, t) for t in range(TAGS)]))
    per_tick = TAGS // TICKS
    tick, count, start = 0, 0, time.monotonic()
    while not stop.is_set():
        part = tick % TICKS
        second = tick // TICKS
        for _line, client, topics in clients:
            for t in range(part * per_tick, (part + 1) * per_tick):
                ts = int(time.time() * 1000)
                payload = f'{{"v":{second + t / 1000:.3f},"q":"good","ts":{ts}}}'
                client.publish(topics[t], payload, qos=0, retain=True)
                count += 1
        tick += 1
        with sent.get_lock():
            sent.value = count
        delay = start + tick / TICKS - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    for _, client, _ in clients:
        client.disconnect()
        client.loop_stop()


# -- the supervisor -----------------------------------------------------------------------


def supervise(
    mode: str, protocol: str, port: int, folder: str, seconds: float, results: Any
) -> None:
    """A supervisor process: the project's engine fed by the driver or the naive way."""
    try:
        results.put(_supervise(mode, protocol, port, Path(folder), seconds))
    except Exception as exc:  # the parent reports it
        results.put({"error": f"{type(exc).__name__}: {exc}"})


def _supervise(mode: str, protocol: str, port: int, folder: Path, seconds: float) -> dict[str, Any]:
    from hmi.core.capability import CapabilityRegistry
    from hmi.core.plugins import DriverRegistry
    from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
    from hmi.core.runtime import Runtime

    device = DeviceConfig(
        "broker",
        "mqtt",
        {
            "host": "127.0.0.1",
            "port": port,
            "username": "line1",
            "password_secret": SECRET,
            "protocol": protocol,
        },
    )
    tags = [
        TagConfig(tag_name(line, t), DataType.FLOAT64, "broker", topic(line, t))
        for line in range(LINES)
        for t in range(TAGS)
    ]
    project = Project(
        name="fleet", root=".", devices={"broker": device}, tags={t.name: t for t in tags}
    )
    registry = None if mode == "driver" else DriverRegistry()  # naive: no driver at all
    runtime = Runtime(project, folder / f"{mode}-{protocol}", registry, CapabilityRegistry())
    runtime.start()
    naive = NaiveSubscriber(runtime, port, tags, protocol) if mode == "naive" else None
    try:
        woken = threading.Event()
        sub = runtime.submit(_subscribe(runtime, woken)).result(10)
        names = {t.name for t in tags}
        seen: set[str] = set()
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while len(seen) < len(names):  # every tag has had a value once
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(seen)} of {len(names)} tags had a value")
            woken.wait(1.0)
            woken.clear()
            for batch in sub.take():
                seen.update(n for n, tv in batch.items() if tv.source_ts is not None)
        time.sleep(WARMUP_S)
        sub.take()
        latencies: list[float] = []
        threads0 = thread_cpu_seconds()
        cpu0, t0 = cpu_seconds(), time.monotonic()
        while time.monotonic() - t0 < seconds:
            woken.wait(0.5)
            woken.clear()
            now = time.time()
            for batch in sub.take():
                latencies.extend(now - tv.source_ts for tv in batch.values() if tv.source_ts)
        elapsed = time.monotonic() - t0
        cpu = (cpu_seconds() or 0.0) - (cpu0 or 0.0)
        threads1 = thread_cpu_seconds()
        threads = {k: round(v - threads0.get(k, 0.0), 2) for k, v in threads1.items()}
        return {
            "p50_ms": percentile(latencies, 50) * 1000,
            "p99_ms": percentile(latencies, 99) * 1000,
            "max_ms": max(latencies) * 1000 if latencies else float("nan"),
            "values_per_s": len(latencies) / elapsed,
            "cpu_share": cpu / elapsed,
            "threads": threads,
        }
    finally:
        if naive is not None:
            naive.stop()
        runtime.stop()


async def _subscribe(runtime: Any, woken: threading.Event) -> Any:
    return runtime.engine.subscribe("bench", wake=woken.set, max_batches=1_000_000)


class NaiveSubscriber:
    """One subscription per tag; on paho's thread each message is decoded and handed to
    the engine on the runtime loop by itself."""

    def __init__(self, runtime: Any, port: int, tags: list[Any], protocol: str):
        import paho.mqtt.client as mqtt

        from hmi.core.tags import TagValue
        from tests.mosquitto import PASSWORD, USER

        self.by_topic = {t.address: t.name for t in tags}
        self.loop, self.engine, self.value = runtime.loop, runtime.engine, TagValue
        version = mqtt.MQTTv5 if protocol == "5" else mqtt.MQTTv311
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id="bench-naive", protocol=version
        )
        self.client.username_pw_set(USER, PASSWORD)
        self.client.on_message = self.on_message
        self.client.connect("127.0.0.1", port)
        for address in self.by_topic:
            self.client.subscribe(address, qos=0)
        self.client.loop_start()

    def on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        name = self.by_topic.get(message.topic)
        if name is None:
            return
        doc = json.loads(message.payload)
        tv = self.value(float(doc["v"]), 0, doc["ts"] / 1000.0, time.time(), "")
        self.loop.call_soon_threadsafe(self.engine.publish, {name: tv})

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


# -- the run ------------------------------------------------------------------------------


def run_supervisor(
    ctx: Any, mode: str, protocol: str, port: int, folder: str, seconds: float
) -> dict:
    results = ctx.Queue()
    process = ctx.Process(target=supervise, args=(mode, protocol, port, folder, seconds, results))
    process.start()
    try:
        outcome = results.get(timeout=SETTLE_TIMEOUT + WARMUP_S + seconds + 60)
    finally:
        process.join(30)
        if process.is_alive():
            process.kill()
    if "error" in outcome:
        raise RuntimeError(f"{mode} supervisor: {outcome['error']}")
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring window")
    parser.add_argument("--rounds", type=int, default=2, help="every phase, alternated")
    args = parser.parse_args()
    from hmi.core.secrets import FileStore
    from tests.mosquitto import PASSWORD, Mosquitto

    folder = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    os.environ["LINEA_HMI_HOME"] = str(folder / "home")
    os.environ["LINEA_HMI_SECRETS"] = "file"
    FileStore().set(SECRET, PASSWORD)
    broker = Mosquitto(folder / "broker").start()
    ctx = mp.get_context("spawn")
    stop, sent = ctx.Event(), [ctx.Value("l", 0) for _ in range(LINES // LINES_PER_PUBLISHER)]
    publishers = [
        ctx.Process(target=publish, args=(broker.port, k * LINES_PER_PUBLISHER, stop, sent[k]))
        for k in range(LINES // LINES_PER_PUBLISHER)
    ]
    for process in publishers:
        process.start()
    started = time.monotonic()
    runs: dict[str, list[dict]] = {phase: [] for phase in PHASES}
    try:
        for _ in range(args.rounds):
            for phase, (mode, protocol) in PHASES.items():
                outcome = run_supervisor(
                    ctx, mode, protocol, broker.port, str(folder), args.seconds
                )
                runs[phase].append(outcome)
    finally:
        stop.set()
        for process in publishers:
            process.join(10)
            if process.is_alive():
                process.kill()
        published = sum(s.value for s in sent) / (time.monotonic() - started)
        broker.remove()
        shutil.rmtree(folder, ignore_errors=True)

    def med(mode: str, key: str) -> float:
        return median([r[key] for r in runs[mode]])

    report(
        "fleet",
        lines=LINES,
        tags=LINES * TAGS,
        published_per_s=published,
        driver_p50_ms=med("driver", "p50_ms"),
        driver_p99_ms=med("driver", "p99_ms"),
        driver_max_ms=med("driver", "max_ms"),
        driver_values_per_s=med("driver", "values_per_s"),
        driver_cpu_share=med("driver", "cpu_share"),
        naive_p50_ms=med("naive", "p50_ms"),
        naive_p99_ms=med("naive", "p99_ms"),
        naive_values_per_s=med("naive", "values_per_s"),
        naive_cpu_share=med("naive", "cpu_share"),
        driver311_p99_ms=med("driver311", "p99_ms"),
        driver311_cpu_share=med("driver311", "cpu_share"),
        cpu_ratio=med("naive", "cpu_share") / max(med("driver", "cpu_share"), 1e-9),
        p99_ratio=med("naive", "p99_ms") / max(med("driver", "p99_ms"), 1e-9),
        p99_target_met=med("driver", "p99_ms") <= 1000,
        rounds=args.rounds,
        window_s=args.seconds,
        threads={phase: runs[phase][-1]["threads"] for phase in PHASES},
    )


if __name__ == "__main__":
    main()
