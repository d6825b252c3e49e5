"""The alarm manager on a real engine and a real SQLite store, driven step by step."""

import csv
import io
import sqlite3

import pytest

from hmi.core.alarms import ALL, AlarmCommandError, AlarmManager, AlarmState
from hmi.core.alarms.definitions import AlarmDef, AlarmKind
from hmi.core.alarms.states import Action
from hmi.core.engine import TagEngine
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.store import Writer
from hmi.core.tags import TagValue

S = AlarmState
K = AlarmKind


class Clock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def make_project(count=3):
    tags = [TagConfig(f"t{i}", DataType.FLOAT32, "plc", str(i), units="bar") for i in range(count)]
    tags.append(TagConfig("run", DataType.BOOL, "plc", "r"))
    device = DeviceConfig("plc", "simulator", line="line1")
    return Project(
        "test",
        ".",
        devices={"plc": device},
        tags={t.name: t for t in tags},
        lines={"line1": "Line 1"},
    )


def hi(index, priority=3, **fields):
    return AlarmDef(
        id=f"t{index}.hi",
        tag=f"t{index}",
        kind=K.HI,
        priority=priority,
        message=f"t{index} high: {{value:.0f}} {{units}}",
        limit=10.0,
        line="line1",
        units="bar",
        **fields,
    )


class Plant:
    """An engine, a store and a manager on one fake clock."""

    def __init__(self, tmp_path, alarms, count=3):
        self.clock = Clock()
        self.project = make_project(count)
        self.writer = Writer(tmp_path / "hmi.db", flush_interval=0.01).start()
        self.published = {}
        self.events = []
        self.alarms = alarms
        self.manager = self.new_manager()

    def new_manager(self):
        self.engine = TagEngine(self.project, clock=self.clock)
        manager = AlarmManager(
            self.project,
            self.writer,
            alarms=self.alarms,
            clock=self.clock,
            publish=lambda batch: self.published.update(
                {name: tv.value for name, tv in batch.items()}
            ),
        )
        manager.on_event(self.events.extend)
        manager.attach(self.engine)
        manager.start(run_thread=False)
        manager.step()
        return manager

    def put(self, **values):
        now = self.clock.now
        self.engine.publish({name: TagValue(v, ts=now) for name, v in values.items()})
        self.manager.step()

    def wait(self, seconds):
        self.clock.now += seconds
        self.manager.step()

    def state(self, alarm_id):
        return self.manager.get(alarm_id).state

    def journal_rows(self):
        assert self.writer.flush(10)
        with sqlite3.connect(self.writer.path) as conn:
            return conn.execute("SELECT count(*) FROM alarm_journal").fetchone()[0]

    def close(self):
        self.manager.stop()
        self.writer.stop()


@pytest.fixture
def plant(tmp_path):
    made = Plant(tmp_path, [hi(0, priority=3), hi(1, priority=1), hi(2, priority=3)])
    yield made
    made.close()


def test_acknowledge_one_a_selection_or_all_always_with_the_user(plant):
    plant.put(t0=11, t1=11, t2=11)
    assert plant.manager.counts().unacked == 3
    assert plant.manager.acknowledge("t0.hi", "anna", "checked the valve") == ["t0.hi"]
    assert plant.manager.acknowledge(["t0.hi", "t1.hi"], "anna") == ["t1.hi"]  # t0 was done
    assert plant.manager.acknowledge(ALL, "ben") == ["t2.hi"]
    assert {a.state for a in plant.manager.active()} == {S.ACKED}
    with pytest.raises(AlarmCommandError, match="name of the user"):
        plant.manager.acknowledge(ALL, " ")
    with pytest.raises(AlarmCommandError, match="'nope'"):
        plant.manager.acknowledge(["t0.hi", "nope"], "anna")
    plant.manager.step()
    assert plant.writer.flush(10)
    acks = plant.manager.query(actions=[Action.ACKNOWLEDGE], newest_first=False)
    assert [(e.alarm_id, e.user, e.comment) for e in acks] == [
        ("t0.hi", "anna", "checked the valve"),
        ("t1.hi", "anna", ""),
        ("t2.hi", "ben", ""),
    ]
    assert acks[0].from_state is S.UNACKED and acks[0].to_state is S.ACKED


def test_the_alarm_list_is_highest_priority_first_then_newest(plant):
    plant.put(t0=11)
    plant.wait(1)
    plant.put(t2=11)
    plant.wait(1)
    plant.put(t1=11)
    assert [a.id for a in plant.manager.active()] == ["t1.hi", "t2.hi", "t0.hi"]
    first = plant.manager.active()[0]
    assert first.message == "t1 high: 11 bar" and first.needs_ack
    plant.put(t0=5)  # returned to normal, still waiting for acknowledgement
    assert plant.state("t0.hi") is S.RTN_UNACKED
    plant.manager.acknowledge("t0.hi", "anna")
    assert [a.id for a in plant.manager.active()] == ["t1.hi", "t2.hi"]


def test_events_carry_time_tag_states_priority_value_and_message(plant):
    plant.put(t1=12)
    event = plant.events[-1]
    assert (event.time, event.alarm_id, event.tag, event.line) == (
        plant.clock.now,
        "t1.hi",
        "t1",
        "line1",
    )
    assert (event.action, event.from_state, event.to_state) == (
        Action.ACTIVATE,
        S.NORMAL,
        S.UNACKED,
    )
    assert (event.priority, event.value, event.message) == (1, 12.0, "t1 high: 12 bar")


def test_a_latched_alarm_stays_until_acknowledged_and_reset(tmp_path):
    plant = Plant(tmp_path, [hi(0, latch=True)])
    try:
        plant.put(t0=11)
        plant.put(t0=5)
        assert plant.state("t0.hi") is S.LATCHED
        assert plant.manager.reset("t0.hi", "anna", "found a stuck valve") == ["t0.hi"]
        assert plant.state("t0.hi") is S.NORMAL
        plant.manager.step()
        actions = [e.action for e in plant.events]
        assert actions == [Action.ACTIVATE, Action.CLEAR, Action.ACKNOWLEDGE, Action.RESET]
        plant.put(t0=11)
        plant.manager.acknowledge("t0.hi", "anna")
        assert plant.manager.reset("t0.hi", "anna") == []  # still active: nothing to reset
        assert plant.state("t0.hi") is S.ACKED
    finally:
        plant.close()


def test_shelving_hides_an_alarm_for_its_time_then_it_is_announced_again(plant):
    plant.put(t0=11)
    assert plant.manager.shelve("t0.hi", "30m", "sensor being replaced", "anna") == ["t0.hi"]
    shelved = plant.manager.get("t0.hi")
    assert shelved.state is S.SHELVED and shelved.shelved_until == plant.clock.now + 1800
    assert (shelved.shelve_reason, shelved.shelved_by) == ("sensor being replaced", "anna")
    assert plant.manager.active() == []
    plant.put(t0=5)
    plant.put(t0=12)  # the process still moves; nothing is announced
    plant.wait(1799)
    assert plant.state("t0.hi") is S.SHELVED
    plant.wait(2)
    assert plant.state("t0.hi") is S.UNACKED  # still active when the shelving ran out
    last = plant.events[-1]
    assert (last.action, last.user, last.comment) == (Action.UNSHELVE, "system", "shelving expired")


def test_one_shot_shelving_ends_when_the_alarm_returns_to_normal(plant):
    plant.put(t0=11)
    plant.manager.shelve(["t0.hi"], 3600, "known leak", "anna", one_shot=True)
    plant.put(t0=5)
    assert plant.state("t0.hi") is S.NORMAL
    plant.put(t0=11)
    assert plant.state("t0.hi") is S.UNACKED


def test_shelving_and_out_of_service_need_a_reason_and_a_sensible_time(plant):
    with pytest.raises(AlarmCommandError, match="needs a reason"):
        plant.manager.shelve("t0.hi", "1h", "", "anna")
    with pytest.raises(AlarmCommandError, match="unknown unit"):
        plant.manager.shelve("t0.hi", "1 fortnight", "why", "anna")
    with pytest.raises(AlarmCommandError, match="at most 7 days"):
        plant.manager.shelve("t0.hi", 8 * 86400, "why", "anna")
    with pytest.raises(AlarmCommandError, match="needs a reason"):
        plant.manager.set_out_of_service("t0.hi", " ", "anna")


def test_out_of_service_takes_an_alarm_away_until_it_is_returned(plant):
    plant.put(t0=11)
    assert plant.manager.set_out_of_service("t0.hi", "transmitter removed", "max") == ["t0.hi"]
    status = plant.manager.get("t0.hi")
    assert (status.state, status.oos_reason, status.oos_by) == (
        S.OUT_OF_SERVICE,
        "transmitter removed",
        "max",
    )
    plant.put(t0=5)
    plant.put(t0=15)
    assert plant.manager.counts().out_of_service == 1 and plant.manager.active() == []
    assert plant.manager.return_to_service("t0.hi", "max", "new transmitter") == ["t0.hi"]
    assert plant.state("t0.hi") is S.UNACKED


def test_a_condition_suppresses_alarms_by_design(tmp_path):
    plant = Plant(tmp_path, [hi(0, condition="run"), hi(1)])
    try:
        plant.put(run=False, t0=11, t1=11)
        assert plant.state("t0.hi") is S.SUPPRESSED and plant.state("t1.hi") is S.UNACKED
        assert plant.manager.counts().suppressed == 1
        plant.put(run=True)
        assert plant.state("t0.hi") is S.UNACKED
    finally:
        plant.close()


def test_a_restart_keeps_standing_alarms_and_does_not_announce_them_again(tmp_path):
    plant = Plant(tmp_path, [hi(0), hi(1), hi(2)])
    plant.put(t0=11, t1=11, t2=11)
    plant.manager.acknowledge("t0.hi", "anna", "seen")
    plant.manager.shelve("t2.hi", "2h", "maintenance", "anna")
    plant.manager.step()
    until = plant.manager.get("t2.hi").shelved_until
    plant.manager.stop()
    rows = plant.journal_rows()
    plant.events.clear()

    plant.clock.now += 60
    plant.manager = plant.new_manager()  # a new process on the same store
    assert plant.state("t0.hi") is S.ACKED
    assert plant.state("t1.hi") is S.UNACKED
    restored = plant.manager.get("t2.hi")
    assert (restored.state, restored.shelved_until, restored.shelve_reason) == (
        S.SHELVED,
        until,
        "maintenance",
    )
    plant.put(t0=11, t1=11, t2=11)  # the values come back, still in alarm
    assert plant.events == []  # nothing announced again
    assert plant.journal_rows() == rows
    assert plant.manager.counts().unacked == 1
    plant.put(t0=5, t1=5)
    assert plant.state("t0.hi") is S.NORMAL and plant.state("t1.hi") is S.RTN_UNACKED
    plant.close()


def test_a_flood_of_a_thousand_alarms_in_one_batch_is_journaled_completely(tmp_path):
    count = 1000
    plant = Plant(tmp_path, [hi(i) for i in range(count)], count=count)
    try:
        deliveries = []
        plant.manager.on_event(lambda events: deliveries.append(len(events)))
        plant.put(**{f"t{i}": 50.0 for i in range(count)})
        assert deliveries == [count]  # one delivery, not a thousand
        assert plant.journal_rows() == count
        assert plant.manager.counts().unacked == count
        assert plant.published["_sys.alarms.unacked_count"] == count
        assert plant.published["_sys.alarms.flood"] is True
        plant.manager.acknowledge(ALL, "anna")
        plant.manager.step()
        assert plant.journal_rows() == 2 * count
        with sqlite3.connect(plant.writer.path) as conn:
            standing = conn.execute("SELECT count(*) FROM alarm_state WHERE acked = 1")
            assert standing.fetchone()[0] == count
    finally:
        plant.close()


def test_summary_tags_are_published_for_the_banner_and_each_alarm(plant):
    assert plant.published["_sys.alarms.listed_count"] == 0
    assert plant.published["_sys.alarm.t1.hi"] == "normal"
    plant.put(t1=11, t2=11)
    assert plant.published["_sys.alarms.unacked_count"] == 2
    assert plant.published["_sys.alarms.priority1.unacked_count"] == 1
    assert plant.published["_sys.alarms.line1.highest_priority"] == 1
    assert plant.published["_sys.alarm.t1.hi"] == "unacked"
    events = plant.published["_sys.alarms.events"]
    assert [e["alarm_id"] for e in events] == ["t1.hi", "t2.hi"]
    plant.manager.acknowledge(ALL, "anna")
    plant.manager.step()
    assert plant.published["_sys.alarms.unacked_count"] == 0
    assert plant.published["_sys.alarms.active_count"] == 2


def test_the_journal_is_searchable_and_exports_to_csv(plant):
    start = plant.clock.now
    plant.put(t0=11)
    plant.wait(10)
    plant.put(t1=11)
    plant.wait(10)
    plant.put(t1=5)
    plant.manager.acknowledge("t1.hi", "anna", "valve 7 reset")
    plant.manager.step()
    assert plant.writer.flush(10)
    query = plant.manager.query
    assert len(query()) == 4
    assert [e.alarm_id for e in query(tag="t0")] == ["t0.hi"]
    assert [e.alarm_id for e in query(tag="t*", priority=1)] == ["t1.hi"] * 3
    assert [e.action for e in query(start=start + 5, end=start + 15)] == [Action.ACTIVATE]
    assert [e.comment for e in query(text="VALVE 7")] == ["valve 7 reset"]
    assert query(text="100%_") == []  # wildcards in the text are taken literally
    out = io.StringIO()
    assert plant.manager.export_csv(out, tag="t1") == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["action"] for r in rows] == ["activate", "clear", "acknowledge"]
    assert rows[2]["user"] == "anna" and rows[0]["message"] == "t1 high: 11 bar"


def test_kpis_come_from_the_journal(plant):
    for _ in range(4):  # t0 chatters: 4 activations within a minute
        plant.put(t0=11)
        plant.wait(5)
        plant.put(t0=5)
        plant.wait(5)
    plant.put(t1=11)
    assert plant.writer.flush(10)
    kpis = plant.manager.kpis()
    assert kpis.activations == 5
    assert [(b.alarm_id, b.count) for b in kpis.bad_actors] == [("t0.hi", 4), ("t1.hi", 1)]
    assert [c.alarm_id for c in kpis.chattering] == ["t0.hi"]
    assert kpis.priority_counts == {1: 1, 2: 0, 3: 4, 4: 0}
    out = io.StringIO()
    plant.manager.write_kpi_report(out)
    assert "bad_actor,t0.hi,4" in out.getvalue()


def test_the_manager_receives_only_the_tags_it_watches_never_its_own_outputs(tmp_path):
    plant = Plant(tmp_path, [hi(0)])
    try:
        engine, manager = plant.engine, plant.manager
        # its summary goes into the engine like any system tag, as the runtime does
        manager._publish = engine.publish_system
        plant.put(t0=12.0, t1=50.0)  # t1 has no alarm: not its business either
        assert plant.state("t0.hi") is S.UNACKED
        assert any(name.startswith("_sys.alarms.") for name in engine.values)
        assert manager._sub.take() == []  # nothing of its own came back to it
        plant.put(t0=13.0)
        assert manager._sub.tags == {"t0"}
    finally:
        plant.close()


def test_alarm_actions_ask_the_permission_hook_and_a_hold_refuses_them_all(plant):
    plant.put(t0=12.0)
    asked = []

    def policy(user, permission, target):
        asked.append((user, permission, target))
        return None if user == "lead" else f"{user} may not do that"

    access = plant.manager.access
    access.set_policy(policy)
    with pytest.raises(AlarmCommandError, match="anna may not do that"):
        plant.manager.acknowledge("t0.hi", "anna")
    with pytest.raises(AlarmCommandError, match="anna may not do that"):
        plant.manager.shelve("t0.hi", "1h", "sensor swap", "anna")
    assert plant.state("t0.hi") is S.UNACKED
    assert asked == [("anna", "alarms.acknowledge", "t0.hi"), ("anna", "alarms.shelve", "t0.hi")]

    release = access.hold("replaying the past: actions are off")
    with pytest.raises(AlarmCommandError, match="replaying the past"):
        plant.manager.acknowledge(ALL, "lead")
    release()
    assert plant.manager.acknowledge("t0.hi", "lead") == ["t0.hi"]
    assert plant.state("t0.hi") is S.ACKED
