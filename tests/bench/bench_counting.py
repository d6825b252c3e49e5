"""Production counting: 100 counter increments/s on each of 4 lines, each increment an
outbox event's worth of production. Figures: CPU share of one core (target <= 10 %) and
the time from a counter change to its committed record, p50/p99 (target p99 <= 200 ms),
split in its two parts: until the change is handed to the store's writer (``handed``) and
the durable commit of the job holding it (``commit``).

Linea's way: readings become count steps at once (``Orders.feed_counter``) and a line's
batch goes to the writer as soon as its previous one is on disk (at most one per 20 ms),
else at the tick every 100 ms (``Orders.tick``, as the capability calls it): one durable
transaction per line with the steps, the order totals, the counters' last readings and
the outbox event. Measured in the same run: the same with batches at the tick only (as
counting was before), and the naive way, each increment in its own transaction synced to
disk (FULL) with its count row, order total, counter reading and outbox row.

A change counts as committed when the transaction holding it has committed (the writer
calls back then). CPU is the process's CPU time over the run, less that of the same
feeding loop with nothing behind it.
"""

from __future__ import annotations

import queue
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from unittest.mock import patch

from hmi.core import outbox as outbox_rows
from hmi.core.access import Access
from hmi.core.orders import Order, flow, records, schema
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


def linea(folder: Path, name: str = "linea.db") -> dict[str, list[float] | float | int]:
    """Latencies of every change (and their two parts: waiting to be handed to the writer,
    then the durable commit), the CPU time and the outbox events of Linea's way."""
    writer = Writer(folder / name).start()
    orders = Orders(config(), writer, Access())
    orders.load()
    for line in LINES:
        orders.create(
            Order(f"O-{line}", line, 10**7, product={"product": "W", "bottle_size_l": 1}), "b"
        )
        orders.start(f"O-{line}", "b")
    lock = threading.Lock()
    changes = {line: deque() for line in LINES}  # when each change was fed, not yet handed
    latencies: list[float] = []
    waits: list[float] = []
    disk: list[float] = []
    submit = writer.submit

    def handed(job, *, durable=False, on_commit=None):
        """A job to the writer, from ``step`` or ``tick`` (the lock held): it holds the
        changes of the line whose batch was just taken (its steps no longer pending)."""
        now = time.monotonic()
        held: list[float] = []
        for line in LINES:
            if changes[line] and not orders._pending[line]:
                held = list(changes[line])
                changes[line].clear()
                break
        waits.extend(now - t for t in held)

        def committed() -> None:
            done = time.monotonic()
            latencies.extend(done - t for t in held)
            disk.extend(done - now for _ in held[:1])
            if on_commit is not None:
                on_commit()

        submit(job, durable=durable, on_commit=committed)

    stop = threading.Event()

    def tick() -> None:
        with lock:
            orders.tick()

    def ticker() -> None:
        while not stop.wait(TICK):
            tick()

    def step(line: str, raw: int) -> None:
        with lock:
            changes[line].append(time.monotonic())
            orders.feed_counter(line, "good", raw)

    for line in LINES:  # the baseline readings
        orders.feed_counter(line, "good", 0)
    orders.tick()
    writer.flush(10)
    writer.submit = handed
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
    return {"latencies": latencies, "waits": waits, "disk": disk, "cpu": cpu, "events": events}


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
        ours = linea(folder)
        with patch.object(flow, "MIN_BATCH_S", float("inf")):  # batches only at the tick
            ticked = linea(folder, "ticked.db")
        theirs, their_cpu, their_events = naive(folder)
    increments = len(LINES) * RATE * SECONDS
    latencies, our_cpu = ours["latencies"], ours["cpu"]
    report(
        "counting",
        lines=len(LINES),
        increments_per_s_per_line=RATE,
        seconds=SECONDS,
        increments=len(latencies),
        expected_increments=int(increments),
        cpu_share=(our_cpu - idle_cpu) / SECONDS,
        latency_p50_ms=median(latencies) * 1000,
        latency_p99_ms=percentile(latencies, 99) * 1000,
        latency_max_ms=max(latencies) * 1000,
        handed_p99_ms=percentile(ours["waits"], 99) * 1000,
        commit_p50_ms=median(ours["disk"]) * 1000,
        commit_p99_ms=percentile(ours["disk"], 99) * 1000,
        outbox_events=ours["events"],
        tick_only_cpu_share=(ticked["cpu"] - idle_cpu) / SECONDS,
        tick_only_latency_p50_ms=median(ticked["latencies"]) * 1000,
        tick_only_latency_p99_ms=percentile(ticked["latencies"], 99) * 1000,
        tick_only_commit_p99_ms=percentile(ticked["disk"], 99) * 1000,
        tick_only_outbox_events=ticked["events"],
        naive_cpu_share=(their_cpu - idle_cpu) / SECONDS,
        naive_latency_p50_ms=median(theirs) * 1000,
        naive_latency_p99_ms=percentile(theirs, 99) * 1000,
        naive_outbox_events=their_events,
        p99_ratio_naive_over_linea=percentile(theirs, 99) / percentile(latencies, 99),
        p99_ratio_tick_only_over_linea=percentile(ticked["latencies"], 99)
        / percentile(latencies, 99),
        cpu_ratio_naive_over_linea=(their_cpu - idle_cpu) / max(our_cpu - idle_cpu, 1e-9),
        target_cpu_share=0.10,
        target_p99_ms=200,
    )


if __name__ == "__main__":
    main()
