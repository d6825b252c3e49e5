"""The audit trail on a real store: appended durably and chained, read back, and every
kind of tampering found by ``verify``: an edited value, a removed record, swapped records,
a rewritten record, a cut-off tail (also when the station starts on it)."""

from __future__ import annotations

import io
import itertools
import sqlite3

import pytest

from hmi.core.access import Access
from hmi.core.audit import TRUNCATED, AuditTrail, export_csv, head_path, search, verify
from hmi.core.store import Writer

RECORDS = 40


def fill(path, count=RECORDS, station="press-pc", start=1_700_000_000.0):
    """A store with ``count`` records, written through ``Access`` as the runtime does."""
    writer = Writer(path, flush_interval=0.02).start()
    trail = AuditTrail(writer, station)
    trail.prepare()
    access = Access(clock=iter(start + i for i in range(count)).__next__)
    access.add_recorder(trail.record)
    for i in range(count):
        access.record(f"op{i % 3}", "tags.write", f"line1.t{i}", old=i, new=i + 1,
                      status="done", reason="trial" if i % 5 == 0 else "")  # fmt: skip
    assert writer.flush(5)
    writer.stop()
    return trail


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "hmi.db"
    fill(path)
    return path


def tamper(path, *statements):
    conn = sqlite3.connect(path)
    with conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


def test_records_are_chained_in_order_with_user_time_station_and_reason(store):
    verdict = verify(store)
    assert verdict.ok and verdict.count == RECORDS, verdict.problem
    rows = search(store, newest_first=False, limit=100)
    assert [r.seq for r in rows] == list(range(1, RECORDS + 1))
    assert rows[0].prev == "0" * 64 and all(b.prev == a.hash for a, b in itertools.pairwise(rows))
    assert (rows[5].user, rows[5].station, rows[5].reason) == ("op2", "press-pc", "trial")
    assert rows[5].details == {"new": 6, "old": 5, "status": "done"}
    head = head_path(store).read_text()
    assert f'"seq": {RECORDS}' in head and rows[-1].hash in head


def test_an_edited_value_is_named(store):
    tamper(store, "UPDATE audit SET detail = replace(detail, '\"new\": 17', '\"new\": 71') "
                  "WHERE seq = 17")  # fmt: skip
    verdict = verify(store)
    assert verdict.seq == 17 and "record 17" in verdict.problem and "edited" in verdict.problem


def test_a_removed_record_is_named(store):
    tamper(store, "DELETE FROM audit WHERE seq = 9")
    verdict = verify(store)
    assert verdict.seq == 9 and verdict.problem.startswith("record 9 removed")


def test_removed_records_renumbered_to_hide_the_gap_are_found(store):
    tamper(store, "DELETE FROM audit WHERE seq = 9",
           "UPDATE audit SET seq = seq - 1 WHERE seq > 9")  # fmt: skip
    verdict = verify(store)
    assert verdict.seq == 9 and "does not follow record 8" in verdict.problem


def test_swapped_records_are_named(store):
    tamper(store, "UPDATE audit SET seq = -1 WHERE seq = 12",
           "UPDATE audit SET seq = 12 WHERE seq = 13",
           "UPDATE audit SET seq = 13 WHERE seq = -1")  # fmt: skip
    verdict = verify(store)
    assert verdict.seq == 12
    assert "record 12 out of order: it was written after record 13" in verdict.problem


def test_a_record_rewritten_with_a_fresh_hash_is_found_at_the_next(store):
    from hmi.core.audit.chain import digest  # what someone who read the code would do

    conn = sqlite3.connect(store)
    row = conn.execute("SELECT ts, user, action, target, station, reason, detail, prev "
                       "FROM audit WHERE seq = 20").fetchone()  # fmt: skip
    ts, _, action, target, station, reason, detail, prev = row
    forged = digest(prev, ts, "nobody", action, target, station, reason, detail)
    with conn:
        conn.execute("UPDATE audit SET user = 'nobody', hash = ? WHERE seq = 20", (forged,))
    conn.close()
    verdict = verify(store)
    assert verdict.seq == 21 and "does not follow record 20" in verdict.problem


def test_a_cut_off_tail_is_named_from_the_head_kept_outside(store):
    tamper(store, f"DELETE FROM audit WHERE seq > {RECORDS - 5}")
    verdict = verify(store)
    assert verdict.problem == (
        f"records {RECORDS - 4} to {RECORDS} removed: the trail ends at record {RECORDS - 5}, "
        f"its head (audit-head.json) at {RECORDS}"
    )


def test_a_missing_head_file_is_reported(store):
    head_path(store).unlink()
    assert "audit-head.json is missing" in verify(store).problem


def test_a_station_that_starts_on_a_cut_off_trail_records_it_and_verify_keeps_saying_so(store):
    tamper(store, f"DELETE FROM audit WHERE seq > {RECORDS - 5}")
    trail = fill(store, count=3)  # the station starts again and goes on recording
    assert trail.head.seq == RECORDS - 5 + 4
    rows = search(store, action=TRUNCATED)
    assert len(rows) == 1 and rows[0].details["expected_seq"] == RECORDS
    verdict = verify(store)
    assert verdict.seq == RECORDS - 4 and "found its trail cut short" in verdict.problem


def test_two_processes_appending_to_one_store_keep_one_chain(tmp_path):
    path = tmp_path / "hmi.db"
    writers = [Writer(path, flush_interval=0.01).start() for _ in range(2)]
    trails = [AuditTrail(w, f"station{i}") for i, w in enumerate(writers)]
    for trail in trails:
        trail.prepare()
    for i in range(200):
        trails[i % 2].append("op1", "tags.write", f"t{i}", new=i)
        if i % 7 == 0:
            assert writers[i % 2].flush(5)
    for writer in writers:
        assert writer.flush(5)
        writer.stop()
    verdict = verify(path)
    assert verdict.ok and verdict.count == 200, verdict.problem


def test_export_writes_the_period_asked_as_csv(store):
    out = io.StringIO()
    count = export_csv(store, out, 1_700_000_010.0, 1_700_000_020.0)
    lines = out.getvalue().splitlines()
    assert count == 10 and len(lines) == 11
    assert lines[0] == "seq,time,user,action,target,station,reason,detail,hash"
    assert lines[1].startswith("11,") and ",op1,tags.write,line1.t10,press-pc,trial," in lines[1]
