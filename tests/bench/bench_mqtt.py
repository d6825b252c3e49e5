"""The MQTT namespace target on a local Mosquitto, two ways.

Drain: the 350,000 events of a day of 20 lines (``bench_mes_drain``'s) drained by the
delivery worker through the MQTT target (QoS 1, 500 a batch, each batch acknowledged
before the outbox lets it go) to a plant subscriber in a process of its own: events/s and
time to drain (target <= 10 min), while a new order's events are written every 0.25 s and
go out on the live lane: latency from their commit to the subscriber, p50 and p99 (target
p99 <= 5 s). The naive way in the same run: one publish waited for per event (the same
worker with a batch of 1) on 2,000 events, its rate scaled to the whole backlog.

Live values: 10,000 tag changes a second (5,000 tags of 20 lines, each changing twice a
second, fed as the engine does in batches every 100 ms) for 20 s: the CPU share of one
core the publishing takes (the target's publisher and paho's network thread; target <=
15%), and of the whole process with the feeding. The naive way in the same run: each
change published at once with its own ``json.dumps`` and ``publish`` call.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from hmi.core import outbox
from hmi.core.mes.config import TargetConfig
from hmi.core.mes.delivery import Delivery
from hmi.core.mes.mqtt import MqttTarget
from hmi.core.mes.mqtt_link import MqttSettings, connect_client
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.secrets import FileStore
from hmi.core.store import Writer
from hmi.core.tags import good
from tests.bench.bench_mes_drain import (
    DRAIN_LIMIT_S,
    EVENTS,
    LINES,
    LIVE_EVERY_S,
    _state,
    day_of_events,
    drain_figures,
    make_store,
)
from tests.bench.common import cpu_seconds, report, thread_cpu_seconds
from tests.mosquitto import PASSWORD, USER, Mosquitto

ROOT = "acme/turin/extrusion"
NAIVE_EVENTS = 2_000
TAGS = 5_000
CHANGES_PER_S = 10_000
FEED_EVERY_S = 0.1
LIVE_S = 20.0


# -- the plant's subscriber, in a process of its own ---------------------------------------


def watch(port: int, topics: str) -> None:
    """Subscribe and print ``{"received": n, ...}`` each 0.2 s and each live event's
    arrival; ``--watch`` runs this."""
    received = 0
    keys: set[str] = set()
    last_seq: dict[str, int] = {}
    out_of_order = 0
    lock = threading.Lock()  # the counts, and one line at a time on stdout
    ready = threading.Event()

    def say(data: dict[str, Any]) -> None:  # called with the lock held
        sys.stdout.write(json.dumps(data) + "\n")
        sys.stdout.flush()

    def on_message(_c: Any, _u: Any, message: Any) -> None:
        nonlocal received, out_of_order
        payload = message.payload
        with lock:
            received += 1
            if b'"key"' not in payload:
                return
            event = json.loads(payload)
            if event["key"] in keys:
                return
            keys.add(event["key"])
            if event["seq"] <= last_seq.get(event["stream"], 0):
                out_of_order += 1
            last_seq[event["stream"]] = event["seq"]
            if event["stream"].startswith("LIVE-"):
                say({"live": event["key"], "t": time.time()})

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="plant")
    client.username_pw_set(USER, PASSWORD)
    client.on_message = on_message
    client.on_subscribe = lambda *_: ready.set()
    client.connect("127.0.0.1", port)
    client.subscribe(topics, qos=1)
    client.loop_start()
    ready.wait(10)
    with lock:
        say({"ready": True})
    while True:
        time.sleep(0.2)
        with lock:
            say({"received": received, "unique": len(keys), "out_of_order": out_of_order})


class Plant:
    """The subscriber process and what it said."""

    def __init__(self, port: int, topics: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.bench_mqtt", "--watch", str(port), topics],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.figures: dict[str, int] = {"received": 0, "unique": 0, "out_of_order": 0}
        self.arrivals: dict[str, float] = {}
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.ready.wait(15):
            raise SystemExit("the subscriber did not start")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            data = json.loads(line)
            if "live" in data:
                self.arrivals[data["live"]] = data["t"]
            elif "ready" in data:
                self.ready.set()
            else:
                self.figures = data

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# -- drain -----------------------------------------------------------------------------------


def settings(broker: Mosquitto, client_id: str) -> MqttSettings:
    return MqttSettings(
        "127.0.0.1", broker.port, username=USER, password_secret="broker", client_id=client_id
    )


def drain(broker, secrets, plant: Plant, path: Path, total: int, name: str, batch: int, live: bool):
    """Seconds to drain the store's outbox to the broker (the subscriber has them all),
    and the live events' latencies from commit to the subscriber."""
    writer = Writer(path, flush_interval=0.05).start()
    before = plant.figures["unique"]
    committed: dict[str, float] = {}
    stop = threading.Event()

    def live_orders() -> None:
        n = 0
        while not stop.wait(LIVE_EVERY_S):
            n += 1
            order = f"LIVE-{name}-{n}"
            event = outbox.event(
                order, "order.state", _state(order, "line1", "create", "released", 0), time.time()
            )
            writer.submit(
                lambda conn, e=event: outbox.write(conn, [e]),
                durable=True,
                on_commit=lambda k=event.key: committed.__setitem__(k, time.time()),
            )

    def make() -> MqttTarget:  # as the running station has it: attached
        target = MqttTarget(name, settings(broker, f"bench-{name}"), ROOT, station="bench",
                            secrets=secrets, batch=batch)  # fmt: skip
        target.attach(Project(name="bench", root="."), {})
        return target

    started = time.monotonic()
    delivery = Delivery(TargetConfig(name, "mqtt", make, batch), writer).load().start()
    feeder = threading.Thread(target=live_orders, daemon=True)
    if live:
        feeder.start()
    drained = None
    while time.monotonic() - started < DRAIN_LIMIT_S:
        got = plant.figures["unique"] - before
        if drained is None and got >= total:
            drained = time.monotonic() - started
            stop.set()
        if drained is not None and got >= total + len(committed):
            break
        time.sleep(0.1)
    stop.set()
    delivery.stop()
    target = delivery._target
    if isinstance(target, MqttTarget):
        target.detach()
    writer.stop()
    if drained is None:
        raise SystemExit(f"{name}: not drained within {DRAIN_LIMIT_S:g} s")
    latencies = [plant.arrivals[k] - t for k, t in committed.items() if k in plant.arrivals]
    assert len(latencies) == len(committed), "a live event never arrived"
    return drained, latencies


# -- live values -----------------------------------------------------------------------------


def plant_project() -> Project:
    devices = {f"plc{li}": DeviceConfig(f"plc{li}", "simulator", line=f"line{li}")
               for li in range(1, LINES + 1)}  # fmt: skip
    tags = {}
    for i in range(TAGS):
        li = i % LINES + 1
        name = f"line{li}.t{i}"
        tags[name] = TagConfig(name, DataType.FLOAT64, device=f"plc{li}", units="bar")
    lines = {f"line{li}": f"Line {li}" for li in range(1, LINES + 1)}
    return Project(name="bench", root=".", devices=devices, tags=tags, lines=lines)


def feed(on_values: Any, names: list[str], seconds: float) -> int:
    """CHANGES_PER_S changes a second, in batches every FEED_EVERY_S, as the engine hands
    them out; the number of changes made."""
    per_batch = int(CHANGES_PER_S * FEED_EVERY_S)
    made, k = 0, 0
    start = time.monotonic()
    tick = 0
    while time.monotonic() - start < seconds:
        now = time.time()
        batch = {}
        for _ in range(per_batch):
            name = names[k % len(names)]
            batch[name] = good(float(k), source_ts=now, ts=now)
            k += 1
        on_values(batch)
        made += per_batch
        tick += 1
        wait = start + tick * FEED_EVERY_S - time.monotonic()
        if wait > 0:
            time.sleep(wait)
    return made


def cpu_window(threads: tuple[str, ...], run: Any) -> tuple[float, float, Any]:
    """CPU share (of one core) of the named threads and of the process while ``run()``."""
    before, whole = thread_cpu_seconds(), cpu_seconds() or 0.0
    started = time.monotonic()
    result = run()
    elapsed = time.monotonic() - started
    after, whole_after = thread_cpu_seconds(), cpu_seconds() or 0.0
    used = sum(after.get(t, 0.0) - before.get(t, 0.0) for t in after if t.startswith(threads))
    return used / elapsed, (whole_after - whole) / elapsed, result


def live_values(broker: Mosquitto, secrets: FileStore) -> dict[str, float]:
    project = plant_project()
    names = list(project.tags)
    target = MqttTarget("uns", settings(broker, "bench-uns"), ROOT, station="bench",
                        secrets=secrets)  # fmt: skip
    target.attach(project, {})
    time.sleep(1.0)  # connected, the health out
    paho_threads = ("paho-mqtt-client-", "hmi-uns-")
    share, process, made = cpu_window(paho_threads, lambda: feed(target.on_values, names, LIVE_S))
    published = target.published
    target.detach()

    client = connect_client(settings(broker, "bench-naive"), secrets=secrets)
    topics = {n: f"{ROOT}/{n.split('.')[0]}/tags/{n}" for n in names}
    work: list[dict] = []
    wake = threading.Condition()
    leave = threading.Event()
    sent = 0

    def naive_publisher() -> None:  # each change: its own dumps and publish, at once
        nonlocal sent
        while not leave.is_set():
            with wake:
                while not work and not leave.is_set():
                    wake.wait(0.1)
                batches = work[:]
                work.clear()
            for batch in batches:
                for name, tv in batch.items():
                    body = {"v": tv.value, "q": "good", "ts": int(tv.source_ts * 1000),
                            "units": "bar"}  # fmt: skip
                    client.publish(topics[name], json.dumps(body), qos=0, retain=True)
                    sent += 1

    def on_values(batch: dict) -> None:
        with wake:
            work.append(batch)
            wake.notify()

    thread = threading.Thread(target=naive_publisher, name="hmi-uns-naive", daemon=True)
    thread.start()

    def run() -> int:
        made = feed(on_values, names, LIVE_S)
        deadline = time.monotonic() + 60
        while sent < made and time.monotonic() < deadline:  # until it caught up
            time.sleep(0.01)
        return made

    naive_share, naive_process, naive_made = cpu_window(paho_threads, run)
    leave.set()  # its thread ends after its CPU time was read
    thread.join(10)

    client.disconnect()
    client.loop_stop()
    return {
        "live_changes_per_s": made / LIVE_S,
        "live_tags": TAGS,
        "live_published": published,
        "live_cpu_share": share,
        "live_process_cpu_share": process,
        "target_live_cpu_share": 0.15,
        "naive_live_published": sent,
        "naive_live_kept_up": sent >= naive_made,
        "naive_live_cpu_share": naive_share,
        "naive_live_process_cpu_share": naive_process,
        "live_ratio": naive_share / share if share else float("nan"),
    }


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-mqtt-"))
    broker = Mosquitto(folder / "broker").start()
    secrets = FileStore(folder / "config")
    secrets.set("broker", PASSWORD)
    try:
        live = live_values(broker, secrets)
        events = day_of_events()
        assert len(events) == EVENTS, len(events)
        make_store(folder / "day.db", events)
        naive_events = [
            outbox.event(f"naive-{e.stream}", e.kind, json.loads(e.payload), e.ts)
            for e in events[:NAIVE_EVENTS]
        ]
        make_store(folder / "naive.db", naive_events)
        plant = Plant(broker.port, f"{ROOT}/+/events/#")
        try:
            seconds, latencies = drain(broker, secrets, plant, folder / "day.db", EVENTS, "uns",
                                       500, live=True)  # fmt: skip
            naive_s, _ = drain(broker, secrets, plant, folder / "naive.db", NAIVE_EVENTS,
                               "naive", 1, live=False)  # fmt: skip
            figures = plant.figures
        finally:
            plant.stop()
    finally:
        broker.remove()
        shutil.rmtree(folder, ignore_errors=True)
    report(
        "mqtt",
        **drain_figures(seconds, latencies, naive_s),
        received=figures["received"],
        duplicates=figures["received"] - figures["unique"],
        out_of_order=figures["out_of_order"],
        **live,
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--watch"]:
        watch(int(sys.argv[2]), sys.argv[3])
    else:
        main()
