"""What a supervisor does with refused events (retry, discard, export: permissions asked,
refusals and actions recorded) and the capability's system tags in a running station."""

from __future__ import annotations

import json
import threading

import pytest

from hmi.core.access import Access
from hmi.core.capability import CapabilityContext
from hmi.core.engine import TagEngine
from hmi.core.i18n import Translator
from hmi.core.live import LiveTags
from hmi.core.mes import target as target_module
from hmi.core.mes.capability import HEALTH_TAG, MesCapability, target_tag
from hmi.core.mes.config import MesConfig
from hmi.core.mes.service import Mes, MesError
from hmi.core.project.loader import load_project
from hmi.core.tags import Quality

from .conftest import FakeTarget, outbox_ids, project_text, target_config, wait_until, write_events


def policy(user: str, permission: str, target: str) -> str | None:
    return None if user == "sup" else f"{user} may not {permission}"


@pytest.fixture
def refused(writer):
    """A running sync whose target refused the scrap events (8 of 40)."""
    access = Access()
    access.set_policy(policy)
    records = []
    access.add_recorder(records.append)
    write_events(writer, [(f"O-{i % 4}", "scrap" if i % 5 == 0 else "count") for i in range(40)])
    fake = FakeTarget(max_batch=10, refuse_kinds=["scrap"])
    mes = Mes(MesConfig({"fake": target_config(fake)}), writer, access, poll=0.05).load().start()
    assert wait_until(lambda: mes.status()[0].quarantined == 8 and mes.status()[0].backlog == 0)
    yield mes, fake, records
    mes.stop()


def test_retry_is_refused_without_the_permission_and_the_refusal_recorded(refused):
    mes, fake, records = refused
    with pytest.raises(MesError, match=r"op may not mes\.retry"):
        mes.retry("fake", None, "op")
    assert records[-1].action == "mes.retry" and records[-1].detail["status"] == "refused"
    assert mes.status()[0].quarantined == 8 and fake.sent == 40


def test_retry_sends_them_on_the_workers_thread_accepted_leave_refused_count(refused, writer):
    mes, fake, records = refused
    threads = []
    original = fake.send

    def spy(events):
        threads.append(threading.current_thread().name)
        return original(events)

    fake.send = spy
    rows = mes.quarantined("fake")
    fake.refuse_kinds.clear()
    fake.refuse_keys = {rows[0].key}
    result = mes.retry("fake", None, "sup")
    assert (result.accepted, result.refused) == (7, 1)
    assert threads and set(threads) == {"hmi-mes-fake"}
    [left] = mes.quarantined("fake")
    assert left.outbox_id == rows[0].outbox_id and left.attempts == 2
    assert all(r.key in fake.kept for r in rows[1:])
    assert records[-1].action == "mes.retry" and records[-1].user == "sup"
    assert records[-1].detail["accepted"] == 7 and records[-1].detail["refused"] == 1
    # the accepted ones leave the outbox too; the one still refused stays
    assert wait_until(lambda: rows[1].outbox_id not in outbox_ids(writer.path))
    assert left.outbox_id in outbox_ids(writer.path)


def test_a_retry_the_target_cannot_take_now_changes_nothing(refused):
    mes, fake, records = refused
    fake.down = True
    with pytest.raises(MesError, match="fake cannot take them now: 503 unavailable"):
        mes.retry("fake", [mes.quarantined("fake")[0].outbox_id], "sup")
    assert [r.attempts for r in mes.quarantined("fake")] == [1] * 8
    assert records[-1].detail["status"] == "failed"


def test_discard_needs_known_ids_and_a_reason_and_is_recorded(refused, writer):
    mes, _, records = refused
    rows = mes.quarantined("fake")
    with pytest.raises(MesError, match="not in fake's quarantine: 99999"):
        mes.discard("fake", [rows[0].outbox_id, 99999], "sup", "wrong scrap code")
    with pytest.raises(MesError, match="needs a reason"):
        mes.discard("fake", [rows[0].outbox_id], "sup", " ")
    with pytest.raises(MesError, match=r"op may not mes\.discard"):
        mes.discard("fake", [rows[0].outbox_id], "op", "wrong scrap code")
    with pytest.raises(MesError, match=r"no MES target 'fak'.*did you mean 'fake'"):
        mes.discard("fak", [rows[0].outbox_id], "sup", "x")
    assert mes.discard("fake", [r.outbox_id for r in rows[:3]], "sup", "wrong scrap code") == 3
    assert [r.outbox_id for r in mes.quarantined("fake")] == [r.outbox_id for r in rows[3:]]
    assert (
        records[-1].action == "mes.discard" and records[-1].detail["reason"] == "wrong scrap code"
    )
    assert records[-1].detail["keys"] == [r.key for r in rows[:3]]
    assert wait_until(lambda: rows[0].outbox_id not in outbox_ids(writer.path))


def test_export_writes_each_event_with_its_reason(refused, tmp_path):
    mes, _, records = refused
    out = tmp_path / "refused.jsonl"
    assert mes.export("fake", out, "sup") == 8
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 8 and lines[0]["reason"] == "scrap not taken"
    assert lines[0]["event"]["kind"] == "scrap" and "payload" in lines[0]["event"]
    assert records[-1].action == "mes.export" and records[-1].detail["events"] == 8
    with pytest.raises(MesError, match="cannot write"):
        mes.export("fake", tmp_path / "no" / "such" / "folder.jsonl", "sup")
    with pytest.raises(MesError, match=r"op may not mes\.export"):
        mes.export("fake", out, "op")


PROJECT = project_text(
    "tags",
    """\
mes:
  targets:
    plant: {kind: fake, max_batch: 20, backoff: {min: 50ms, max: 100ms}}
""",
)


def test_the_capability_publishes_each_targets_figures_and_its_health(
    tmp_path, monkeypatch, writer
):
    monkeypatch.setitem(target_module.TARGET_KINDS, "fake", "tests.mes.conftest:FakeTarget")
    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    project = load_project(tmp_path)
    access = Access()
    live = LiveTags(TagEngine(project, access=access))
    context = CapabilityContext(
        MesCapability, project, tmp_path, writer, live, access, Translator(), None
    )
    capability = MesCapability(context)
    capability.start()
    try:
        values = context.values
        assert values[target_tag("plant", "state")].value == "ok"
        assert values[HEALTH_TAG].value == "ok"
        fake = capability.mes.deliveries["plant"].target
        fake.down = True
        write_events(writer, [("O-1", "count")] * 30, ts=1.0)
        assert wait_until(lambda: values[target_tag("plant", "state")].value == "failing", 10)
        assert values[HEALTH_TAG].quality is Quality.BAD
        assert "plant failing: 503 unavailable" in values[HEALTH_TAG].reason
        assert values[target_tag("plant", "backlog")].value == 30
        assert values[target_tag("plant", "oldest_s")].value > 1000  # written at ts 1.0
        assert values[target_tag("plant", "last_error")].value == "503 unavailable"
        fake.down = False
        assert wait_until(lambda: values[target_tag("plant", "backlog")].value == 0, 10)
        assert values[HEALTH_TAG].value == "ok" and values[HEALTH_TAG].quality is Quality.GOOD
        assert values[target_tag("plant", "last_success")].value > 0
        assert values[target_tag("plant", "quarantined")].value == 0
        assert capability.summary() == ["mes plant: ok, 0 to send"]
    finally:
        capability.stop()
