"""Production counting: 100 counter increments/s on each of 4 lines, each increment an
outbox event's worth of production. Figures: CPU share of one core (target <= 10 %) and
the time from a counter change to its committed record, p50/p99 (target p99 <= 200 ms).

Linea's way: readings become count steps at once (``Orders.feed_counter``), and every
100 ms (``Orders.tick``, as the capability calls it) one durable transaction per line
writes the steps, the order totals, the counters' last readings and the outbox event.
The naive way, measured in the same run: each increment in its own transaction synced to
disk (FULL), with its count row, order total, counter reading and outbox row.

A change counts as committed when the transaction holding it has committed (the service
tells its watchers then). CPU is the process's CPU time over the run, less that of the
same feeding loop with nothing behind it.
"""

from __future__ import annotations

import queue
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from hmi.core.access import Access
from hmi.core.orders import Order, records, schema
from hmi.core.orders import outbox as outbox_rows
from hmi.core.orders.calendar import ShiftCalendar
from hmi.core.orders.config import CounterConfig, LineConfig, OrdersConfig
from hmi.core.orders.model import CountStep
from hmi.core.orders.service import Orders
from hmi.core.store import Writer, connect
from tests.bench.common import median, percentile, report

LINES = [f"line{i}" for i in range(1, 5)]
RATE = 100  # increments per second per line
SECONDS = 6.0
TICK = 0.1


def config() -> OrdersConfig:
    lines = {
        line: LineConfig(
            line,
            line,
            "filling",
            0.01,
            {"good": CounterConfig("good", f"{line}.good", 2**32, 1000, 200.0)},
            None,
            60.0,
            {},
        )
        for line in LINES
    }
    return OrdersConfig(lines=lines, calendar=ShiftCalendar.from_config(timezone="UTC"))


def feed(step, seconds: float) -> float:
    """Call ``step(line, raw)`` RATE times a second per line for ``seconds``; the CPU time
    the process spent meanwhile."""
    cpu = time.process_time()
    start = time.monotonic()
    raw = 0
    period = 1.0 / RATE
    n = 0
    while (now := time.monotonic()) - start < seconds:
        raw += 1
        for line in LINES:
            step(line, raw)
        n += 1
        delay = start + n * period - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    del now
    return time.process_time() - cpu


def linea(folder: Path) -> tuple[list[float], float, int]:
    writer = Writer(folder / "linea.db").start()
    orders = Orders(config(), writer, Access())
    orders.load()
    for line in LINES:
        orders.create(
            Order(f"O-{line}", line, 10**7, product={"product": "W", "bottle_size_l": 1}), "b"
        )
        orders.start(f"O-{line}", "b")
    lock = threading.Lock()
    changes = {line: deque() for line in LINES}  # (raw, when changed), not yet submitted
    submitted = {line: deque() for line in LINES}  # per job: the changes it holds
    latencies: list[float] = []

    def committed(line: str) -> None:
        now = time.monotonic()
        with lock:
            held = submitted[line].popleft() if submitted[line] else []
        latencies.extend(now - t for t in held)

    orders.watch(committed)
    stop = threading.Event()

    def tick() -> None:
        with lock:
            for line in LINES:
                if changes[line]:
                    submitted[line].append([t for _, t in changes[line]])
                    changes[line].clear()
            orders.tick()

    def ticker() -> None:
        while not stop.wait(TICK):
            tick()

    def step(line: str, raw: int) -> None:
        with lock:
            orders.feed_counter(line, "good", raw)
            changes[line].append((raw, time.monotonic()))

    for line in LINES:  # the baseline readings
        orders.feed_counter(line, "good", 0)
    orders.tick()
    writer.flush(10)
    thread = threading.Thread(target=ticker)
    thread.start()
    cpu = feed(step, SECONDS)
    stop.set()
    thread.join()
    cpu_after = time.process_time()
    tick()
    writer.flush(30)
    cpu += time.process_time() - cpu_after
    events = len(orders.outbox(10**7))
    orders.close()
    writer.stop()
    return latencies, cpu, events


def naive(folder: Path) -> tuple[list[float], float, int]:
    conn = connect(folder / "naive.db")
    schema.prepare(conn)
    for line in LINES:
        conn.execute(
            "INSERT INTO orders (number, line, target, state) VALUES (?, ?, ?, 'running')",
            (f"O-{line}", line, 10**9),
        )
    conn.execute("PRAGMA synchronous=FULL")
    work: queue.Queue = queue.Queue()
    latencies: list[float] = []

    def commit_each() -> None:
        while (item := work.get()) is not None:
            line, raw, changed = item
            step = CountStep(line, "good", 1, raw - 1, raw, "count", time.time(), f"O-{line}")
            conn.execute("BEGIN IMMEDIATE")
            records.insert_steps(conn, [step], "plc")
            records.add_totals(conn, f"O-{line}", 1, 0, 0)
            records.set_counter_state(conn, [(line, "good", raw, step.ts)])
            payload = {"line": line, "counts": {"good": 1}, "raw": raw}
            outbox_rows.write(conn, [outbox_rows.event(f"O-{line}", "count", payload, step.ts)])
            conn.execute("COMMIT")
            latencies.append(time.monotonic() - changed)

    thread = threading.Thread(target=commit_each)
    thread.start()
    cpu = feed(lambda line, raw: work.put((line, raw, time.monotonic())), SECONDS)
    cpu_after = time.process_time()
    work.put(None)
    thread.join()
    cpu += time.process_time() - cpu_after
    events = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    conn.close()
    return latencies, cpu, events


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        idle_cpu = feed(lambda line, raw: None, SECONDS)
        ours, our_cpu, our_events = linea(folder)
        theirs, their_cpu, their_events = naive(folder)
    increments = len(LINES) * RATE * SECONDS
    report(
        "counting",
        lines=len(LINES),
        increments_per_s_per_line=RATE,
        seconds=SECONDS,
        increments=len(ours),
        expected_increments=int(increments),
        cpu_share=(our_cpu - idle_cpu) / SECONDS,
        latency_p50_ms=median(ours) * 1000,
        latency_p99_ms=percentile(ours, 99) * 1000,
        outbox_events=our_events,
        naive_cpu_share=(their_cpu - idle_cpu) / SECONDS,
        naive_latency_p50_ms=median(theirs) * 1000,
        naive_latency_p99_ms=percentile(theirs, 99) * 1000,
        naive_outbox_events=their_events,
        p99_ratio_naive_over_linea=percentile(theirs, 99) / percentile(ours, 99),
        cpu_ratio_naive_over_linea=(their_cpu - idle_cpu) / max(our_cpu - idle_cpu, 1e-9),
        target_cpu_share=0.10,
        target_p99_ms=200,
    )


if __name__ == "__main__":
    main()
