"""The audit chain's head upstream: ``audit.head`` events at the start, once after a burst
of records has gone quiet, and periodically; the receiver validates them against the
contract, and the copy it keeps exposes a trail rewritten at the station (head file
included) that the station's own check cannot see."""

from __future__ import annotations

import sqlite3
import time

import pytest

from hmi.core.access import Access
from hmi.core.audit import AuditTrail, Head, verify
from hmi.core.audit.chain import digest, head_path, write_head
from hmi.core.mes.audit_head import HeadSender, verify_against
from hmi.core.mes.config import AuditHead
from hmi.core.mes.http import HttpTarget
from hmi.core.outbox import read
from tests.mes.receiver import Receiver

from .conftest import store, wait_until


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def heads(writer) -> list[dict]:
    conn = sqlite3.connect(writer.path)
    try:
        return [e.payload for e in read(conn, 1000) if e.kind == "audit.head"]
    finally:
        conn.close()


def test_sent_at_the_start_after_a_quiet_period_and_periodically(tmp_path):
    writer = store(tmp_path / "hmi.db")
    ticks, head = Ticks(), [Head(0)]
    sender = HeadSender(AuditHead(every=3600.0, settle=30.0), lambda: head[0], writer,
                        monotonic=ticks)  # fmt: skip
    try:
        assert sender.tick()  # the start: the MES learns where the chain stands
        for second, seq in ((1, 1), (2, 2), (3, 3)):  # a burst of records
            ticks.now += second
            head[0] = Head(seq, f"{seq:064x}")
            assert not sender.tick()
        ticks.now += 29.0
        assert not sender.tick()  # still within the quiet period after the last record
        ticks.now += 1.0
        assert sender.tick()  # quiet for 30 s: the burst costs one event
        ticks.now += 600.0
        assert not sender.tick()  # nothing new, not yet the hour
        ticks.now += 3600.0
        assert sender.tick()  # the hour: sent although nothing was added
        assert [(h["seq"], h["hash"][-1]) for h in heads(writer)] == [(0, "0"), (3, "3"), (3, "3")]
    finally:
        writer.stop()


def _rewrite(path, seq: int, user: str) -> None:
    """Edit record ``seq`` and re-chain every record after it, as someone with the file and
    the know-how would, then replace the head file too."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT seq, ts, user, action, target, station, reason, detail, prev FROM audit "
            "WHERE seq >= ? ORDER BY seq",
            (seq,),
        ).fetchall()
        prev = rows[0][8]
        for n, ts, who, action, target, station, reason, detail, _ in rows:
            who = user if n == seq else who
            this = digest(prev, ts, who, action, target, station, reason, detail)
            conn.execute(
                "UPDATE audit SET user = ?, prev = ?, hash = ? WHERE seq = ?", (who, prev, this, n)
            )
            prev = this
        conn.commit()
    finally:
        conn.close()
    write_head(head_path(path), Head(rows[-1][0], prev), anew=True)


def test_the_mes_copy_exposes_a_trail_rewritten_at_the_station(tmp_path):
    writer = store(tmp_path / "hmi.db")
    access = Access()
    trail = AuditTrail(writer, "press-pc")
    assert trail.prepare() is None
    access.add_recorder(trail.record)
    try:
        for n in range(5):
            access.record("op1", "tags.write", f"line1.setpoint_{n}", old=n, new=n + 1)
        assert writer.flush(10) and wait_until(lambda: trail.head.seq == 5)
        sender = HeadSender(AuditHead(), lambda: trail.head, writer)
        assert sender.tick()
        with Receiver() as receiver:
            mes = HttpTarget("plant", receiver.url, timeout=5.0, station="press-pc")
            conn = sqlite3.connect(writer.path)
            outcomes = mes.send(read(conn, 100))
            conn.close()
            mes.close()
        assert all(o.accepted for o in outcomes) and receiver.invalid == []
        (copy,) = [m for m in receiver.messages if m["kind"] == "audit.head"]
        assert copy["stream"] == "audit" and copy["line"] == ""
        kept = copy["AuditTrail"]
        assert kept["Position"] == 5 and kept["Hash"] == trail.head.hash
        assert verify_against(writer.path, kept["Position"], kept["Hash"]).ok  # sound now
        _rewrite(writer.path, 3, "sup1")  # op1's third write now looks like sup1's
        assert verify(writer.path).ok  # the station's own check is fooled
        verdict = verify_against(writer.path, kept["Position"], kept["Hash"])
        assert not verdict.ok and verdict.seq == 5
        assert "the trail was rewritten" in verdict.problem
    finally:
        writer.stop()


def test_the_capability_sends_the_head_when_the_station_starts_and_as_it_grows(
    tmp_path, monkeypatch
):
    from hmi.core.capability import CapabilityContext
    from hmi.core.engine import TagEngine
    from hmi.core.i18n import Translator
    from hmi.core.live import LiveTags
    from hmi.core.mes import target as target_module
    from hmi.core.mes.capability import MesCapability
    from hmi.core.project.loader import load_project

    from .conftest import project_text

    section = """\
mes:
  audit_head: {every: 1h, settle: 0s}
  targets:
    plant: {kind: fake}
"""
    monkeypatch.setitem(target_module.TARGET_KINDS, "fake", "tests.mes.conftest:FakeTarget")
    (tmp_path / "project.yaml").write_text(project_text("head", section), encoding="utf-8")
    project = load_project(tmp_path)
    writer = store(tmp_path / "hmi.db")
    access = Access()
    trail = AuditTrail(writer, "press-pc")
    trail.prepare()
    access.add_recorder(trail.record)
    services = {"audit": trail, "orders": object()}
    context = CapabilityContext(
        MesCapability, project, tmp_path, writer, LiveTags(TagEngine(project, access=access)),
        access, Translator(), None, services=services.get,
    )  # fmt: skip
    capability = MesCapability(context)
    capability.start()
    try:
        assert wait_until(lambda: len(heads(writer)) == 1, 10)
        access.record("op1", "alarms.ack", "line1.ram_pressure.hi")
        started = time.monotonic()
        assert wait_until(lambda: [h["seq"] for h in heads(writer)][-1:] == [1], 10)
        assert time.monotonic() - started < 5.0
    finally:
        capability.stop()
        writer.stop()


def test_hmi_mes_audit_checks_the_trail_against_the_mes_copy(tmp_path, capsys):
    from hmi.cli import main

    from .conftest import project_text

    folder, data = tmp_path / "plant", tmp_path / "data"
    folder.mkdir()
    (folder / "project.yaml").write_text(project_text("audit", ""), encoding="utf-8")
    writer = store(data / "hmi.db")
    access, trail = Access(), AuditTrail(writer, "press-pc")
    trail.prepare()
    access.add_recorder(trail.record)
    for n in range(4):
        access.record("op1", "tags.write", f"line1.setpoint_{n}")
    assert writer.flush(10) and wait_until(lambda: trail.head.seq == 4)
    held = trail.head
    writer.stop()
    args = [str(folder), "--data-dir", str(data)]
    assert main(["mes", "audit", *args, "4", held.hash]) == 0
    assert capsys.readouterr().out.startswith("audit trail: sound, 4 records; record 4 is")
    _rewrite(data / "hmi.db", 2, "sup1")
    assert main(["mes", "audit", *args, "4", held.hash]) == 1
    err = capsys.readouterr().err
    assert err == (
        "audit trail: record 4 is not the one the head (audit-head-at-the-MES.json) names: "
        "the trail was rewritten from there\n"
    )
    with pytest.raises(SystemExit) as refused:
        main(["mes", "audit", *args, "4", "not-a-hash"])
    assert refused.value.code == 2
    assert "'not-a-hash' is not a SHA-256 (64 hex digits)" in capsys.readouterr().err
