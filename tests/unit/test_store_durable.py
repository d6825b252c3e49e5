"""The store's durable tier, commit callbacks, and a stop that leaves nothing behind."""

from __future__ import annotations

import sqlite3
import threading
import time

from hmi.core.store import Writer, connect, migrate

SCHEMA = ["CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"]


def make(tmp_path, name="d.db", **options) -> Writer:
    w = Writer(tmp_path / name, flush_interval=0.02, retry_interval=0.05, **options)
    migrate(w.conn, "test", SCHEMA)
    return w.start()


def test_a_batch_with_a_durable_job_commits_with_full_sync_and_the_rest_with_normal(tmp_path):
    w = make(tmp_path)
    seen: list[tuple[str, int]] = []

    def probe(label):
        def job(conn: sqlite3.Connection) -> None:
            seen.append((label, conn.execute("PRAGMA synchronous").fetchone()[0]))

        return job

    w.submit(probe("plain"))
    assert w.flush(5)
    w.submit(probe("durable"), durable=True)
    assert w.flush(5)
    w.submit(probe("after"))
    assert w.flush(5)
    w.stop()
    assert seen == [("plain", 1), ("durable", 2), ("after", 1)]  # NORMAL=1, FULL=2


def test_on_commit_runs_after_the_commit_and_never_for_a_dropped_job(tmp_path):
    w = make(tmp_path)
    calls: list[str] = []

    def insert(k):
        return lambda conn: conn.execute("INSERT INTO t (k, v) VALUES (?, 'x')", (k,))

    def committed(label):
        def callback() -> None:
            with connect(w.path, readonly=True) as reader:  # visible to another connection
                calls.append(f"{label}:{reader.execute('SELECT count(*) FROM t').fetchone()[0]}")

        return callback

    w.submit(insert(1), on_commit=committed("first"))
    w.submit(insert(1), on_commit=committed("duplicate"))  # refused on its own: dropped
    w.submit(insert(2), on_commit=committed("second"))
    assert w.flush(5)
    w.stop()
    assert "duplicate" not in " ".join(calls)
    assert calls[0].startswith("first:") and calls[-1] == "second:2"


def test_a_job_that_reads_then_writes_waits_for_another_connection_and_sees_its_row(tmp_path):
    """BEGIN IMMEDIATE: the job's read is taken under the write lock, after another
    process's transaction ended, so it neither misses that row nor fails and retries."""
    health: list[str | None] = []
    w = make(tmp_path, on_health=health.append)
    other = connect(tmp_path / "d.db")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (k, v) VALUES (7, 'other')")

    def next_one(conn: sqlite3.Connection) -> None:
        top = conn.execute("SELECT max(k) FROM t").fetchone()[0] or 0
        conn.execute("INSERT INTO t (k, v) VALUES (?, 'writer')", (top + 100,))

    w.submit(next_one, durable=True)
    time.sleep(0.3)  # the writer is waiting for the lock meanwhile
    other.execute("COMMIT")
    assert w.flush(5)
    w.stop()
    assert other.execute("SELECT k FROM t WHERE v = 'writer'").fetchall() == [(107,)]
    assert health == []  # no retry: the store never reported a problem


def test_a_job_submitted_while_the_writer_takes_an_empty_batch_is_committed_at_stop(tmp_path):
    """The interleaving a loaded machine produces: the writer's pass has taken an empty
    batch when a job is submitted and stop() begins, before the pass looks at the flag."""
    taken, stop_called = threading.Event(), threading.Event()

    class Interleaved(Writer):
        raced = False

        def _commit_pending(self) -> bool:
            ok = super()._commit_pending()
            if not self.raced:
                self.raced = True
                taken.set()
                stop_called.wait(5)
                time.sleep(0.05)  # stop() has set the flag and waits in join() by now
            return ok

    w = Interleaved(tmp_path / "r.db", flush_interval=0.02)
    migrate(w.conn, "test", SCHEMA)
    w.start()
    assert taken.wait(5)
    w.submit(lambda c: c.execute("INSERT INTO t (k, v) VALUES (1, 'late')"))
    stop_called.set()
    w.stop()
    with connect(tmp_path / "r.db", readonly=True) as conn:
        assert conn.execute("SELECT v FROM t").fetchall() == [("late",)]
