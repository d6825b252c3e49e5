"""Tag engine: 10,000 values/s through scaling, deadband and publish to 5 subscribers.

Reports the CPU share of the engine's thread, against the naive way in the same run:
each value delivered on its own to five thread-safe queues.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time

from hmi.core.engine import TagEngine
from hmi.core.project.models import DeviceConfig, Project, Scaling, TagConfig
from hmi.core.scan import run_periodic
from hmi.core.tags import TagValue
from tests.bench.common import report

TAGS = 2000
RATE = 10_000  # values per second
PERIOD = 0.1
SECONDS = 5.0
SUBSCRIBERS = 5


def make_project() -> Project:
    tags = {
        f"t{i}": TagConfig(
            name=f"t{i}",
            device="plc",
            address=str(i),
            deadband=0.05,
            scaling=Scaling(0, 32000, 0, 600) if i % 2 else None,
        )
        for i in range(TAGS)
    }
    return Project(name="bench", root=".", devices={"plc": DeviceConfig("plc", "x")}, tags=tags)


def batches():
    """Each cycle a batch of RATE*PERIOD values; most change beyond the deadband."""
    per_batch = int(RATE * PERIOD)
    k = 0
    while True:
        now = time.time()
        yield {
            f"t{(k * per_batch + j) % TAGS}": TagValue(float((k + j) % 997), ts=now)
            for j in range(per_batch)
        }
        k += 1


def run_on_loop_thread(publish, consumers_start, consumers_stop) -> tuple[float, int]:
    """Publish at RATE for SECONDS on a loop thread; return its CPU share and values sent."""
    result: dict[str, float] = {}
    source = batches()
    sent = 0

    async def cycle():
        nonlocal sent
        batch = next(source)
        publish(batch)
        sent += len(batch)

    async def main():
        t0, c0 = time.perf_counter(), time.thread_time()
        task = asyncio.create_task(run_periodic(PERIOD, cycle))
        await asyncio.sleep(SECONDS)
        task.cancel()
        result["cpu"] = (time.thread_time() - c0) / (time.perf_counter() - t0)

    consumers_start()
    thread = threading.Thread(target=lambda: asyncio.run(main()))
    thread.start()
    thread.join()
    consumers_stop()
    return result["cpu"], sent


def engine_way() -> tuple[float, int, int]:
    engine = TagEngine(make_project())
    stop = threading.Event()
    received = [0]
    threads = []
    for i in range(SUBSCRIBERS):
        ready = threading.Event()
        sub = engine.subscribe(f"s{i}", latest_only=(i == 0), wake=ready.set)

        def consume(sub=sub, ready=ready):
            while not stop.is_set():
                if ready.wait(0.05):
                    ready.clear()
                    for batch in sub.take():
                        received[0] += len(batch)

        threads.append(threading.Thread(target=consume))
    cpu, sent = run_on_loop_thread(
        engine.publish,
        lambda: [t.start() for t in threads],
        lambda: (stop.set(), [t.join() for t in threads]),
    )
    return cpu, sent, received[0]


def naive_way() -> tuple[float, int, int]:
    """Per value: scale, compare, then put on each subscriber's queue.Queue."""
    project = make_project()
    last: dict[str, float] = {}
    queues = [queue.Queue() for _ in range(SUBSCRIBERS)]
    stop = threading.Event()
    received = [0]

    def publish(batch):
        for name, tv in batch.items():
            tag = project.tags[name]
            value = tag.scaling.to_eng(tv.value) if tag.scaling else tv.value
            if name in last and abs(value - last[name]) < tag.deadband:
                continue
            last[name] = value
            for q in queues:
                q.put((name, TagValue(value, tv.quality, tv.source_ts, tv.ts)))

    def consume(q):
        while not stop.is_set():
            try:
                q.get(timeout=0.05)
                received[0] += 1
            except queue.Empty:
                pass

    threads = [threading.Thread(target=consume, args=(q,)) for q in queues]
    cpu, sent = run_on_loop_thread(
        publish,
        lambda: [t.start() for t in threads],
        lambda: (stop.set(), [t.join() for t in threads]),
    )
    return cpu, sent, received[0]


def main() -> None:
    cpu, sent, received = engine_way()
    naive_cpu, _, naive_received = naive_way()
    report(
        "engine",
        values_per_s=sent / SECONDS,
        subscribers=SUBSCRIBERS,
        engine_thread_cpu_share=cpu,
        naive_thread_cpu_share=naive_cpu,
        cpu_ratio_naive_over_engine=naive_cpu / cpu if cpu else None,
        values_delivered=received,
        naive_values_delivered=naive_received,
        target_cpu_share=0.30,
    )


if __name__ == "__main__":
    main()
