"""Retention: old history goes in small chunks between writes; recent history stays."""

from __future__ import annotations

import time

from hmi.core.historian.retention import PurgeJob, Retention
from hmi.core.historian.storage import SCHEMA, InsertJob, register_tags
from hmi.core.store import Writer, connect, migrate

HOUR_MS = 3_600_000
NOW = 1_700_000_000.0
DAY_S = 86_400


def test_old_points_and_rollups_go_chunk_by_chunk_and_recent_ones_stay(tmp_path):
    path = tmp_path / "hmi.db"
    writer = Writer(path, flush_interval=0.01)
    migrate(writer.conn, "historian", SCHEMA)
    ids = register_tags(writer.conn, {"short": 0, "forever": 0, "gone": 0})
    numeric = frozenset(ids.values())
    writer.start()
    start = int((NOW - 10 * DAY_S) * 1000)
    for tag in ids.values():  # ten days, a point every 30 s
        rows = [(tag, start + i * 30_000, float(i), 0) for i in range(10 * 2880)]
        writer.submit(InsertJob(rows, [], [], 1, numeric))
    assert writer.flush(20)
    retention = {"short": 2 * DAY_S, "forever": None}
    jobs: list[PurgeJob] = []

    def submit(job):
        jobs.append(job)
        writer.submit(job)

    purger = Retention(
        submit, lambda name: retention.get(name, 5 * DAY_S), ids, chunk=1000, check_every=3600
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        purger.step(NOW)
        # recording goes on between the chunks
        newest = (ids["forever"], int(NOW * 1000) + len(jobs), 1.0, 0)
        writer.submit(InsertJob([newest], [], [], 2, numeric))
        assert writer.flush(5)
        if jobs and jobs[-1].ran and not purger._plan:
            break
    assert all(job.deleted <= 1000 for job in jobs) and len(jobs) > 20
    conn = connect(path)

    def oldest(name, table="hist_sample"):
        return conn.execute(f"SELECT min(t) FROM {table} WHERE tag = ?", (ids[name],)).fetchone()[0]

    cutoff_short = int((NOW - 2 * DAY_S) * 1000)
    cutoff_short -= cutoff_short % HOUR_MS
    assert cutoff_short <= oldest("short") < cutoff_short + 30_000
    assert oldest("short", "hist_rollup") >= cutoff_short
    cutoff_gone = int((NOW - 5 * DAY_S) * 1000)
    assert cutoff_gone - HOUR_MS <= oldest("gone") <= cutoff_gone
    assert oldest("forever") == start
    purger.step(NOW)  # counts the last chunk
    expected = sum((oldest(name) - start) // 30_000 for name in ("short", "gone"))
    assert purger.purged == expected
    writer.stop()
