import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from hmi.core.store import Writer, connect, migrate

SCHEMA = ["CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)", "CREATE INDEX t_v ON t (v)"]


def insert(k, v="x"):
    return lambda conn: conn.execute("INSERT INTO t (k, v) VALUES (?, ?)", (k, v))


@pytest.fixture
def writer(tmp_path):
    w = Writer(tmp_path / "hmi.db", flush_interval=0.02, retry_interval=0.05)
    migrate(w.conn, "test", SCHEMA)
    w.start()
    yield w
    w.stop()


def count(path) -> int:
    with connect(path, readonly=True) as conn:
        return conn.execute("SELECT count(*) FROM t").fetchone()[0]


def test_the_file_is_in_wal_mode_and_migrations_run_once_in_order(tmp_path):
    conn = connect(tmp_path / "a.db")
    migrate(conn, "test", SCHEMA[:1])
    migrate(conn, "test", SCHEMA)  # only the new step runs
    migrate(conn, "test", SCHEMA)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert {"t", "t_v"} <= names


def test_jobs_are_committed_in_batches_and_flush_waits_for_them(writer):
    for k in range(5000):
        writer.submit(insert(k))
    assert writer.flush(10)
    assert count(writer.path) == 5000
    assert writer.committed_jobs == 5000 and writer.pending == 0


def test_a_job_that_fails_on_its_own_is_dropped_and_the_rest_are_kept(writer):
    writer.submit(insert(1))
    writer.submit(insert(1))  # duplicate key: this job is wrong, not the disk
    writer.submit(insert(2))
    assert writer.flush(5)
    assert count(writer.path) == 2 and writer.dropped_jobs == 1
    assert writer.problem is None


def test_a_full_disk_keeps_jobs_in_memory_and_they_land_when_space_returns(writer):
    health = []
    writer.on_health = health.append
    page_count = writer.conn.execute("PRAGMA page_count").fetchone()[0]
    writer.submit(lambda conn: conn.execute(f"PRAGMA max_page_count = {page_count + 1}"))
    assert writer.flush(5)
    big = "x" * 20_000
    for k in range(20):
        writer.submit(insert(k, big))
    deadline = time.monotonic() + 5
    while writer.problem is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert writer.problem and "full" in writer.problem
    assert writer.pending == 20  # nothing lost, nothing committed half-way
    writer.conn.execute("PRAGMA max_page_count = 1073741823")  # space returns
    assert writer.flush(10)
    assert count(writer.path) == 20 and writer.problem is None
    assert health[0] and "full" in health[0] and health[-1] is None


def test_stop_commits_what_is_pending(tmp_path):
    w = Writer(tmp_path / "s.db", flush_interval=60)
    migrate(w.conn, "test", SCHEMA)
    w.start()
    for k in range(100):
        w.submit(insert(k))
    w.stop()
    assert count(tmp_path / "s.db") == 100


def test_a_killed_process_leaves_a_sound_file_missing_at_most_the_last_moment(tmp_path):
    path = tmp_path / "k.db"
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(os.getcwd())!r})
        from hmi.core.store import Writer, migrate
        w = Writer({str(path)!r}, flush_interval=0.05)
        migrate(w.conn, "test", {SCHEMA!r})
        w.start()
        k = 0
        while True:
            w.submit(lambda c, k=k: c.execute("INSERT INTO t (k, v) VALUES (?, 'x')", (k,)))
            k += 1
            if k % 200 == 0:
                print(k, flush=True)
                time.sleep(0.01)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    submitted = 0
    deadline = time.monotonic() + 10
    while submitted < 20_000 and time.monotonic() < deadline:
        submitted = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(5)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows, top = conn.execute("SELECT count(*), max(k) FROM t").fetchone()
    assert rows == top + 1  # committed rows form an unbroken prefix: no gaps
    assert rows >= submitted - 10_000  # only the last moments are missing
