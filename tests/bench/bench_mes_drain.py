"""MES backlog drain over HTTP: 350,000 events in the outbox (a day of 20 lines: order
states, counts every few seconds, scrap, stops) drained by the delivery worker through the
HTTP target (its default batch of 500) to the test MES receiver (a process of its own
that checks every 100th request against the OpenAPI contract): events/s and time to
drain (target <= 10 min), while a new order's events are written every 0.25 s during the
drain and go out on the live lane: latency from their commit to the receiver, p50 and p99
(target p99 <= 5 s).

The naive way, measured in the same run: one request per event (the same worker with a
batch of 1, the same receiver) on 3,000 events, its rate scaled to the whole backlog.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from hmi.core import outbox
from hmi.core.mes.config import TargetConfig
from hmi.core.mes.delivery import Delivery
from hmi.core.mes.http import HttpTarget
from hmi.core.mes.schema import create as create_mes_tables
from hmi.core.orders.schema import prepare as create_orders_tables
from hmi.core.store import Writer, connect
from tests.bench.common import median, percentile, report

EVENTS = 350_000
LINES = 20
ORDERS_PER_LINE = 12
STOPS_PER_LINE = 40
NAIVE_EVENTS = 3_000
LIVE_EVERY_S = 0.25
DRAIN_LIMIT_S = 900.0
DAY_START = 1_796_364_000.0  # 2026-12-04 06:00 UTC


def _state(order: str, line: str, action: str, state: str, good: int) -> dict[str, Any]:
    return {
        "order": order,
        "line": line,
        "action": action,
        "state": state,
        "user": "op1",
        "reason": "",
        "target": 1500,
        "good": good,
        "scrap": good // 50,
        "uninspected": 0,
        "product": {"die": "D-101", "alloy": "6060", "billet_length_mm": 600},
    }


def _stop(n: int, line: str, order: str, start: float, end: float | None) -> dict[str, Any]:
    return {
        "id": n,
        "line": line,
        "start": start,
        "end": end,
        "state": "fault",
        "micro": False,
        "reason": "",
        "by": "",
        "comment": "",
        "order": order,
    }


def day_of_events() -> list[outbox.Pending]:
    """EVENTS events of LINES lines, in time order, shaped as the orders capability writes
    them (each order's its own stream, in sequence)."""
    per_line = EVENTS // LINES
    counts = per_line - ORDERS_PER_LINE * 4 - STOPS_PER_LINE * 2
    step = 86400.0 / counts
    every_stop = counts // STOPS_PER_LINE
    rows: list[tuple[float, str, str, dict[str, Any]]] = []
    for li in range(LINES):
        line = f"line{li + 1}"
        per_order = counts // ORDERS_PER_LINE
        for k in range(counts):
            o = min(k // per_order, ORDERS_PER_LINE - 1)
            order = f"{line}-O{o + 1}"
            ts = DAY_START + k * step + li * 0.01
            first = k == o * per_order
            if first:
                rows.append(
                    (ts - 0.003, order, "order.state", _state(order, line, "create", "released", 0))
                )
                rows.append(
                    (ts - 0.002, order, "order.state", _state(order, line, "start", "running", 0))
                )
            raw = 1000 + k * 3
            payload = {
                "line": line,
                "order": order,
                "counts": {"good": 3},
                "steps": [["good", 3, raw, raw + 3, "count", ts, f"{line}.profile_count"]],
            }
            rows.append((ts, order, "count", payload))
            if k % every_stop == 7 and k // every_stop < STOPS_PER_LINE:
                n = li * 1000 + k
                rows.append((ts + 0.001, order, "downtime.start", _stop(n, line, order, ts, None)))
                rows.append((ts + 0.002, order, "downtime.end", _stop(n, line, order, ts, ts + 60)))
            last = k == (o + 1) * per_order - 1 and o < ORDERS_PER_LINE - 1
            if last or k == counts - 1:
                scrap = {
                    "order": order,
                    "line": line,
                    "quantity": 2,
                    "reason": "Surface defect",
                    "kg": 1.5,
                    "user": "op1",
                }
                rows.append((ts + 0.003, order, "scrap", scrap))
                rows.append(
                    (
                        ts + 0.004,
                        order,
                        "order.state",
                        _state(order, line, "complete", "completed", per_order * 3),
                    )
                )
    rows.sort(key=lambda r: r[0])
    return [outbox.event(stream, kind, payload, ts) for ts, stream, kind, payload in rows]


def make_store(path: Path, events: list[outbox.Pending]) -> None:
    conn = connect(path)
    create_orders_tables(conn)
    create_mes_tables(conn)
    for start in range(0, len(events), 20_000):
        with conn:
            outbox.write(conn, events[start : start + 20_000])
    conn.close()


class MesProcess:
    """The test receiver in its own process."""

    def __init__(self, validate_every: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.mes.receiver", "--validate-every", str(validate_every)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = json.loads(self.proc.stdout.readline())["port"]
        self.url = f"http://127.0.0.1:{self.port}/mes"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stats", timeout=10) as r:
            return json.loads(r.read())

    def arrivals(self, keys: list[str]) -> dict[str, float | None]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/_arrivals", data=json.dumps(keys).encode()
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def worker(name: str, url: str, writer: Writer, batch: int | None) -> Delivery:
    def make() -> HttpTarget:
        return HttpTarget(name, url, station="bench", timeout=10.0)

    return Delivery(TargetConfig(name, "http", make, batch), writer).load().start()


def drain(mes: MesProcess, path: Path, total: int, name: str, batch: int | None, live: bool):
    """Seconds to drain the store's outbox to the receiver, and the live events' latencies."""
    writer = Writer(path, flush_interval=0.05).start()
    before = mes.stats()["received"]
    committed: dict[str, float] = {}
    stop = threading.Event()

    def live_orders() -> None:  # a new order's events during the drain, on streams of their own
        n = 0
        while not stop.wait(LIVE_EVERY_S):
            n += 1
            event = outbox.event(
                f"LIVE-{n}",
                "order.state",
                _state(f"LIVE-{n}", "line1", "create", "released", 0),
                time.time(),
            )
            writer.submit(
                lambda conn, e=event: outbox.write(conn, [e]),
                durable=True,
                on_commit=lambda k=event.key: committed.__setitem__(k, time.time()),
            )

    started = time.monotonic()
    delivery = worker(name, mes.url, writer, batch)
    feeder = threading.Thread(target=live_orders, daemon=True)
    if live:
        feeder.start()
    drained = None
    while time.monotonic() - started < DRAIN_LIMIT_S:
        got = mes.stats()["received"] - before
        if drained is None and got >= total:
            drained = time.monotonic() - started
            stop.set()
        if drained is not None and got >= total + len(committed):
            break
        time.sleep(0.2)
    stop.set()
    delivery.stop()
    writer.stop()
    if drained is None:
        raise SystemExit(f"{name}: not drained within {DRAIN_LIMIT_S:g} s")
    latencies = []
    if committed:
        arrived = mes.arrivals(list(committed))
        latencies = [arrived[k] - t for k, t in committed.items() if arrived.get(k) is not None]
        assert len(latencies) == len(committed), "a live event never arrived"
    return drained, latencies


def drain_figures(seconds: float, latencies: list[float], naive_seconds: float) -> dict:
    """The figures every drain benchmark prints: the day's drain against the targets, the
    live events' latency during it, and the naive way's rate measured in the same run."""
    rate, naive_rate = EVENTS / seconds, NAIVE_EVENTS / naive_seconds
    return {
        "events": EVENTS,
        "lines": LINES,
        "drain_s": seconds,
        "events_per_s": rate,
        "target_drain_s": 600,
        "live_events": len(latencies),
        "live_p50_s": median(latencies),
        "live_p99_s": percentile(latencies, 99),
        "target_live_p99_s": 5,
        "naive_events_per_s": naive_rate,
        "naive_drain_s": EVENTS / naive_rate,
        "ratio": rate / naive_rate,
    }


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-mes-"))
    events = day_of_events()
    assert len(events) == EVENTS, len(events)
    make_store(folder / "day.db", events)
    naive_events = [  # the same events on streams of their own
        outbox.event(f"naive-{e.stream}", e.kind, json.loads(e.payload), e.ts)
        for e in events[:NAIVE_EVENTS]
    ]
    make_store(folder / "naive.db", naive_events)
    mes = MesProcess(validate_every=100)
    try:
        seconds, latencies = drain(mes, folder / "day.db", EVENTS, "mes", None, live=True)
        naive_seconds, _ = drain(mes, folder / "naive.db", NAIVE_EVENTS, "naive", 1, live=False)
        stats = mes.stats()
        with sqlite3.connect(folder / "day.db") as conn:
            quarantined = conn.execute("SELECT count(*) FROM mes_quarantine").fetchone()[0]
    finally:
        mes.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report(
        "mes_drain",
        **drain_figures(seconds, latencies, naive_seconds),
        requests=stats["requests"],
        connections=stats["connections"],
        duplicates=stats["duplicates"],
        invalid=len(stats["invalid"]),
        in_order=stats["in_order"],
        quarantined=quarantined,
    )


if __name__ == "__main__":
    main()
