"""Live values of a Sparkplug B edge node through Mosquitto to a host application.

A plant of 4 devices x 250 tags; each engine batch changes 100 tags (a scan). The node
(``SparkplugTarget``) is handed the batches as the runtime hands them (``on_values``, which
only enqueues); its thread sends one DDATA per device and batch, by alias. A host in its
own process decodes every message with ``hmi.core.mes.sparkplug_payload`` and counts the
values; the figures are the values a second end to end (from the first batch handed over
to the host holding the last value), the latency from a value's timestamp to the host
(p50/p99; the batches are handed over as fast as they can be taken, so this is the
latency of a burst), and the CPU time per 1000 values of the node's process.

The naive way, measured in the same run against the same broker and host: each value
published as a DDATA of its own, on the caller's thread.

    python -m tests.bench sparkplug [--values 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.common import cpu_seconds, median, percentile, report

DEVICES, TAGS, CHANGED = 4, 250, 100
GROUP, NODE = "bench", "node1"
WAIT_S = 120.0


def host(port: int, expected: int, ready: Any, results: Any) -> None:
    """The host application's process: every DDATA decoded, its values counted."""
    import paho.mqtt.client as mqtt

    from hmi.core.mes.sparkplug_payload import decode
    from tests.mosquitto import PASSWORD, USER

    latencies: list[float] = []
    state = {"last": 0.0}
    done = mp.Event()

    def on_message(client: Any, userdata: Any, message: Any) -> None:
        if "/DDATA/" not in message.topic:
            return
        now = time.time() * 1000
        for metric in decode(message.payload).metrics:
            latencies.append(now - (metric.timestamp or now))
        state["last"] = time.monotonic()
        if len(latencies) >= expected:
            done.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-host")
    client.username_pw_set(USER, PASSWORD)
    client.on_message = on_message
    client.on_subscribe = lambda *a: ready.set()
    client.connect("127.0.0.1", port)
    client.subscribe(f"spBv1.0/{GROUP}/#", qos=0)
    client.loop_start()
    done.wait(WAIT_S)
    client.disconnect()
    client.loop_stop()
    results.put({"values": len(latencies), "last": state["last"],
                 "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)})  # fmt: skip


def plant() -> Any:
    from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig

    devices = {f"d{d}": DeviceConfig(f"d{d}", "simulator") for d in range(DEVICES)}
    tags = [
        TagConfig(f"d{d}.t{t:03d}", DataType.FLOAT64, device=f"d{d}", address=str(t))
        for d in range(DEVICES)
        for t in range(TAGS)
    ]
    return Project("bench", ".", devices=devices, tags={t.name: t for t in tags})


def batches(count: int) -> list[dict[str, Any]]:
    """``count`` values as engine batches of CHANGED tags spread over the devices."""
    from hmi.core.tags import good

    names = [f"d{d}.t{t:03d}" for t in range(TAGS) for d in range(DEVICES)]
    out, i = [], 0
    while i < count:
        out.append({names[(i + k) % len(names)]: good(float(i + k)) for k in range(CHANGED)})
        i += CHANGED
    return out


def run(mode: str, port: int, secrets: Any, count: int) -> dict[str, float]:
    """One round: a host process, then the batches through the node (or the naive way)."""
    from hmi.core.mes.mqtt_link import MqttSettings, connect_client
    from hmi.core.mes.sparkplug import SparkplugTarget
    from hmi.core.mes.sparkplug_payload import DataType, Metric, Payload, encode
    from hmi.core.tags import good
    from tests.mosquitto import USER

    work = batches(count)
    ready, results = mp.Event(), mp.Queue()
    process = mp.Process(target=host, args=(port, len(work) * CHANGED, ready, results))
    process.start()
    assert ready.wait(30), "the host did not subscribe"
    settings = MqttSettings("127.0.0.1", port, username=USER, password_secret="broker",
                            client_id=f"bench-{mode}")  # fmt: skip
    target = SparkplugTarget("bench", settings, group=GROUP, node=NODE, secrets=secrets)
    target.attach(plant(), {})
    target.open()
    own = dataclasses.replace(settings, client_id=f"bench-{mode}-values")
    client = connect_client(own, clean=True, secrets=secrets) if mode == "naive" else None
    aliases = {f"d{d}.t{t:03d}": 10 + d * TAGS + t for d in range(DEVICES) for t in range(TAGS)}
    cpu0, start = cpu_seconds(), time.monotonic()
    for batch in work:
        stamped = {n: good(v.value) for n, v in batch.items()}  # handed over now
        if client is None:
            target.on_values(stamped)
            continue
        for name, value in stamped.items():  # the naive way: a message per value
            metric = Metric(None, aliases[name], round(value.ts * 1000), DataType.DOUBLE,
                            value.value)  # fmt: skip
            payload = encode(Payload(round(time.time() * 1000), [metric], seq=0), datatypes=False)
            client.publish(f"spBv1.0/{GROUP}/DDATA/{NODE}/{name.split('.')[0]}", payload)
    got = results.get(timeout=WAIT_S)
    cpu = (cpu_seconds() or 0.0) - (cpu0 or 0.0)
    process.join(10)
    target.detach()
    if client is not None:
        client.disconnect()
        client.loop_stop()
    elapsed = got["last"] - start if got["last"] else float("nan")
    values = got["values"]
    assert values == len(work) * CHANGED, f"{mode}: the host got {values} values"
    return {"per_s": values / elapsed, "p50_ms": got["p50"], "p99_ms": got["p99"],
            "cpu_ms_per_1000": 1000 * cpu / values * 1000}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from hmi.core.secrets import FileStore
    from tests.mosquitto import PASSWORD, Mosquitto

    with tempfile.TemporaryDirectory(prefix="bench-sparkplug-") as folder:
        os.environ["LINEA_HMI_HOME"] = folder
        secrets = FileStore(Path(folder) / "config")
        secrets.set("broker", PASSWORD)
        broker = Mosquitto(Path(folder) / "broker").start()
        try:
            rounds: dict[str, list[dict[str, float]]] = {"node": [], "naive": []}
            for _ in range(args.rounds):
                for mode in rounds:
                    rounds[mode].append(run(mode, broker.port, secrets, args.values))
        finally:
            broker.remove()

    def med(mode: str, key: str) -> float:
        return median([r[key] for r in rounds[mode]])

    report(
        "sparkplug",
        values=args.values,
        rounds=args.rounds,
        node_values_per_s=med("node", "per_s"),
        node_p50_ms=med("node", "p50_ms"),
        node_p99_ms=med("node", "p99_ms"),
        node_cpu_ms_per_1000=med("node", "cpu_ms_per_1000"),
        naive_values_per_s=med("naive", "per_s"),
        naive_p50_ms=med("naive", "p50_ms"),
        naive_p99_ms=med("naive", "p99_ms"),
        naive_cpu_ms_per_1000=med("naive", "cpu_ms_per_1000"),
        ratio=med("node", "per_s") / med("naive", "per_s"),
    )


if __name__ == "__main__":
    main()
