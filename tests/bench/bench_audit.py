"""Audit trail: records appended per second with chaining while the tag engine publishes
10,000 values/s (target >= 2,000 records/s, without slowing the engine: its publish latency
is measured with no audit, with Linea's and with the naive recorder), and ``verify`` of
1,000,000 records (target <= 10 s).

Naive ways measured in the same run: a recorder that appends each record in its own
transaction synced to disk, on the caller's thread (reading the last hash each time), and
a verify that fetches each record by number and hashes it as JSON (timed on 100,000
records and scaled).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from hmi.core.access import Access, ActionRecord
from hmi.core.audit import AuditTrail, head_path, verify
from hmi.core.audit.chain import COMPONENT, GENESIS, SCHEMA, Head, digest, write_head
from hmi.core.engine import TagEngine
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.scan import run_periodic
from hmi.core.store import Writer, connect, migrate
from hmi.core.tags import Batch, TagValue
from tests.bench.common import median, percentile, report

TAGS = 2000
PERIOD = 0.02
PER_BATCH = 200  # 10,000 values/s
SECONDS = 3.0
MAX_RECORDS = 200_000
VERIFY_RECORDS = 1_000_000
NAIVE_VERIFY = 100_000


def make_project() -> Project:
    tags = {f"t{i}": TagConfig(f"t{i}", DataType.FLOAT32, "plc", str(i)) for i in range(TAGS)}
    return Project("bench", ".", devices={"plc": DeviceConfig("plc", "bench")}, tags=tags)


class NaiveRecorder:
    """Each record in its own durable transaction, on the thread that acted."""

    def __init__(self, path: Path):
        self.conn = connect(path)
        self.conn.execute("PRAGMA synchronous=FULL")

    def __call__(self, entry: ActionRecord) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = last if last else (0, GENESIS)
        detail = json.dumps(dict(entry.detail), sort_keys=True, default=str)
        text = json.dumps([prev, entry.ts, entry.user, entry.action, entry.target, detail])
        conn.execute(
            "INSERT INTO audit (seq, ts, user, action, target, station, reason, detail, prev, "
            "hash) VALUES (?, ?, ?, ?, ?, 'bench', '', ?, ?, ?)",
            (
                seq + 1,
                entry.ts,
                entry.user,
                entry.action,
                entry.target,
                detail,
                prev,
                hashlib.sha256(text.encode()).hexdigest(),
            ),
        )
        conn.execute("COMMIT")


def engine_with_audit(folder: Path, kind: str) -> dict[str, float]:
    """Publish latencies of the engine (seconds) and records/s committed, for ``kind``:
    none, ours or naive."""
    path = folder / f"{kind}.db"
    writer = Writer(path).start()
    access = Access()
    trail = AuditTrail(writer, "bench")
    trail.prepare()
    if kind == "ours":
        access.add_recorder(trail.record)
    elif kind == "naive":
        access.add_recorder(NaiveRecorder(path))
    engine = TagEngine(make_project())
    latencies: list[float] = []
    stop = threading.Event()
    recorded = [0]

    def operator() -> None:  # someone acting as fast as the recorder lets them
        while not stop.is_set() and recorded[0] < MAX_RECORDS:
            access.record(
                "op1",
                "tags.write",
                f"t{recorded[0] % TAGS}",
                old=1.0,
                new=2.0,
                status="done",
                message="",
            )
            recorded[0] += 1

    k = [0]

    async def cycle() -> None:
        now = time.time()
        batch: Batch = {
            f"t{(k[0] * PER_BATCH + j) % TAGS}": TagValue(float(k[0] + j), ts=now)
            for j in range(PER_BATCH)
        }
        k[0] += 1
        started = time.perf_counter()
        engine.publish(batch)
        latencies.append(time.perf_counter() - started)

    async def drive() -> float:
        task = asyncio.create_task(run_periodic(PERIOD, cycle))
        await asyncio.sleep(0.3)
        latencies.clear()
        thread = threading.Thread(target=operator) if kind != "none" else None
        started = time.perf_counter()
        if thread:
            thread.start()
        await asyncio.sleep(SECONDS)
        stop.set()
        if thread:
            thread.join(30)
        task.cancel()
        return started

    started = asyncio.run(drive())
    writer.flush(60)
    elapsed = time.perf_counter() - started  # until every record is committed
    writer.stop()
    committed = 0
    if kind != "none":
        with connect(path, readonly=True) as conn:
            committed = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    return {
        "publish_ms": median(latencies) * 1000,
        "publish_p99_ms": percentile(latencies, 99) * 1000,
        "records_per_s": committed / elapsed,
        "records": committed,
    }


def make_trail(path: Path, count: int) -> None:
    """``count`` chained records written straight into a store (not a measured part)."""
    conn = connect(path)
    migrate(conn, COMPONENT, SCHEMA)
    prev, ts = GENESIS, 1_700_000_000.0
    chunk = []
    conn.execute("BEGIN")
    for seq in range(1, count + 1):
        detail = f'{{"new": {seq}, "old": {seq - 1}, "status": "done"}}'
        this = digest(prev, ts + seq, "op1", "tags.write", f"t{seq % TAGS}", "bench", "", detail)
        chunk.append(
            (seq, ts + seq, "op1", "tags.write", f"t{seq % TAGS}", "bench", "", detail, prev, this)
        )
        prev = this
        if len(chunk) == 50_000:
            conn.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk)
            chunk.clear()
    conn.executemany("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", chunk)
    conn.execute("COMMIT")
    conn.close()
    write_head(head_path(path), Head(count, prev))


def naive_verify(path: Path, count: int) -> None:
    """Each record fetched by its number and hashed as JSON, as a first version would."""
    conn = sqlite3.connect(path)
    prev = GENESIS
    for seq in range(1, count + 1):
        row = conn.execute(
            "SELECT ts, user, action, target, station, reason, detail, prev FROM audit "
            "WHERE seq = ?",
            (seq,),
        ).fetchone()
        text = json.dumps(list(row), ensure_ascii=False)
        hashlib.sha256(text.encode()).hexdigest()
        assert row[7] == prev
        prev = conn.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()[0]
    conn.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        runs = {kind: engine_with_audit(base, kind) for kind in ("none", "ours", "naive")}
        path = base / "verify.db"
        make_trail(path, VERIFY_RECORDS)
        started = time.perf_counter()
        verdict = verify(path)
        verify_s = time.perf_counter() - started
        assert verdict.ok and verdict.count == VERIFY_RECORDS, verdict.problem
        started = time.perf_counter()
        naive_verify(path, NAIVE_VERIFY)
        naive_s = (time.perf_counter() - started) * VERIFY_RECORDS / NAIVE_VERIFY
    none, ours, naive = runs["none"], runs["ours"], runs["naive"]
    report(
        "audit",
        records_per_s=ours["records_per_s"],
        naive_records_per_s=naive["records_per_s"],
        append_ratio_ours_over_naive=ours["records_per_s"] / max(naive["records_per_s"], 1e-9),
        publish_ms_without_audit=none["publish_ms"],
        publish_p99_ms_without_audit=none["publish_p99_ms"],
        publish_ms_with_audit=ours["publish_ms"],
        publish_p99_ms_with_audit=ours["publish_p99_ms"],
        publish_ms_with_naive_audit=naive["publish_ms"],
        publish_p99_ms_with_naive_audit=naive["publish_p99_ms"],
        verify_records=VERIFY_RECORDS,
        verify_s=verify_s,
        naive_verify_s_scaled=naive_s,
        verify_ratio_naive_over_ours=naive_s / verify_s,
    )


if __name__ == "__main__":
    main()
