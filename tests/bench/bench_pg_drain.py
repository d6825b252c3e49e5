"""MES backlog drain to PostgreSQL: the day of 350,000 events of bench_mes_drain (20
lines: order states, counts every few seconds, scrap, stops) drained by the delivery
worker through the PostgreSQL target (its default batch of 1000 events per transaction)
into a throw-away PostgreSQL on 127.0.0.1 (fsync on): events/s and time to drain (target
<= 10 min), while a new order's events are written every 0.25 s during the drain and go
out on the live lane: latency from their local commit to the database's (the row's
received_at, the time of its transaction on the server's clock, the same machine's),
p50 and p99 (target p99 <= 5 s).

The naive way, measured in the same run: one INSERT and commit per event (the same
worker with a batch of 1, the same server) on 3,000 events, its rate scaled to the whole
backlog.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from hmi.core import outbox
from hmi.core.mes.config import TargetConfig
from hmi.core.mes.delivery import Delivery
from hmi.core.mes.postgres import PostgresTarget
from hmi.core.postgres import PgSettings
from hmi.core.secrets import FileStore
from hmi.core.store import Writer
from tests.bench.bench_mes_drain import (
    DRAIN_LIMIT_S,
    EVENTS,
    LIVE_EVERY_S,
    NAIVE_EVENTS,
    _state,
    day_of_events,
    drain_figures,
    make_store,
)
from tests.bench.common import report
from tests.postgres import Postgres


def count(db: Postgres, schema: str) -> int:
    with db.connect() as conn:
        return conn.execute(f"SELECT count(*) FROM {schema}.production_events").fetchone()[0]


def worker(db: Postgres, secrets: FileStore, writer: Writer, schema: str, batch: int | None):
    settings = PgSettings(
        db.host, db.database, db.user, "bench_db", port=db.port, sslmode="disable", schema=schema
    )

    def make() -> PostgresTarget:
        return PostgresTarget(schema, settings, station="bench", secrets=secrets)

    return Delivery(TargetConfig(schema, "postgres", make, batch), writer).load().start()


def drain(db, secrets, path: Path, total: int, schema: str, batch: int | None, live: bool):
    """Seconds to drain the store's outbox into ``schema``, and the live events' latencies."""
    writer = Writer(path, flush_interval=0.05).start()
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
    delivery = worker(db, secrets, writer, schema, batch)
    feeder = threading.Thread(target=live_orders, daemon=True)
    if live:
        feeder.start()
    drained = None
    while time.monotonic() - started < DRAIN_LIMIT_S:
        got = count(db, schema) if delivery.sent else 0
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
        raise SystemExit(f"{schema}: not drained within {DRAIN_LIMIT_S:g} s")
    latencies: list[float] = []
    if committed:
        with db.connect() as conn:
            arrived = dict(
                conn.execute(
                    f"SELECT key, extract(epoch FROM received_at)::float8 FROM "
                    f"{schema}.production_events WHERE key = ANY(%s)",
                    (list(committed),),
                ).fetchall()
            )
        latencies = [arrived[k] - t for k, t in committed.items() if k in arrived]
        assert len(latencies) == len(committed), "a live event never arrived"
    return drained, latencies


def in_order(db: Postgres, schema: str) -> bool:
    """Each stream's seqs arrived as 1, 2, 3, ... with none twice."""
    with db.connect() as conn:
        bad = conn.execute(
            f"SELECT count(*) FROM (SELECT seq, row_number() OVER (PARTITION BY stream "
            f"ORDER BY arrival) AS n FROM {schema}.production_events) x WHERE seq <> n"
        ).fetchone()[0]
    return bad == 0


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    events = day_of_events()
    assert len(events) == EVENTS, len(events)
    make_store(folder / "day.db", events)
    naive_events = [  # the same events on streams of their own
        outbox.event(f"naive-{e.stream}", e.kind, json.loads(e.payload), e.ts)
        for e in events[:NAIVE_EVENTS]
    ]
    make_store(folder / "naive.db", naive_events)
    secrets = FileStore(folder / "config")
    db = Postgres().start()
    try:
        secrets.set("bench_db", db.password)
        seconds, latencies = drain(db, secrets, folder / "day.db", EVENTS, "mes", None, True)
        naive_seconds, _ = drain(
            db, secrets, folder / "naive.db", NAIVE_EVENTS, "naive", 1, live=False
        )
        ordered = in_order(db, "mes")
        kept = count(db, "mes")
        with sqlite3.connect(folder / "day.db") as conn:
            quarantined = conn.execute("SELECT count(*) FROM mes_quarantine").fetchone()[0]
    finally:
        db.remove()
        shutil.rmtree(folder, ignore_errors=True)
    report(
        "pg_drain",
        **drain_figures(seconds, latencies, naive_seconds),
        rows=kept,
        in_order=ordered,
        quarantined=quarantined,
    )


if __name__ == "__main__":
    main()
