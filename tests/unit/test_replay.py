"""Replay rebuilds a past moment from what was really stored: each value equals the
historian's record at that moment, quality included; alarm states come from the journal;
a tag the historian does not keep says so."""

from __future__ import annotations

import pytest

from hmi.core.alarms import AlarmManager, AlarmStateHistory
from hmi.core.alarms.definitions import AlarmDef, AlarmKind
from hmi.core.engine import TagEngine
from hmi.core.project.models import DataType
from hmi.core.replay import BEFORE_HISTORY, NOT_RECORDED, Replay, ReplayTags
from hmi.core.tags import Quality, TagValue
from tests.unit.test_historian_recorder import T0, Rig, ms

TAGS = {
    "temp": DataType.FLOAT64,
    "state": DataType.INT16,
    "name": DataType.STRING,
    "spare": DataType.FLOAT64,
}
POLICIES = {"tags": {"temp": "exception", "state": "exception", "name": "exception"}}


@pytest.fixture
def rig(tmp_path):
    made = Rig(tmp_path, TAGS, POLICIES)
    yield made
    made.close()


def record(rig, samples):
    for at, name, value, *quality in samples:
        rig.publish(name, value, at, quality[0] if quality else Quality.GOOD)
        rig.cycle(at)
    rig.cycle(samples[-1][0] + 1)


def test_values_are_the_stored_ones_at_their_moments_and_between(rig):
    samples = [
        (T0 + 0, "temp", 450.0),
        (T0 + 0, "state", 1),
        (T0 + 0, "name", "6060"),
        (T0 + 10, "temp", 470.0),
        (T0 + 12, "state", 2),
        (T0 + 20, "temp", 460.0, Quality.BAD),
        (T0 + 30, "name", "6082"),
    ]
    record(rig, samples)
    replay = Replay(rig.query, continuous=lambda tag: tag == "temp")
    for at, name, value, *quality in samples:
        stored = rig.query.value_at(name, ms(at))
        shown = replay.state_at(at, [name])[name]
        assert (shown.value, shown.quality) == (stored.value, stored.quality)
        if not quality:
            assert shown.value == value and shown.quality is Quality.GOOD
    between = replay.state_at(T0 + 5, ["temp", "state", "name"])
    assert between["temp"].value == pytest.approx(460.0)  # drawn as trends draw it
    assert between["state"].value == 1 and between["name"].value == "6060"  # held
    assert between["temp"].source_ts == pytest.approx(T0 + 5)
    bad = replay.state_at(T0 + 25, ["temp"])["temp"]
    assert bad.quality is Quality.BAD and bad.value == 470.0  # Bad as recorded, last value kept
    assert bad.reason == "recorded as bad"
    early = replay.state_at(T0 - 60, ["temp", "spare"])
    assert early["temp"].quality is Quality.BAD and early["temp"].reason == BEFORE_HISTORY
    assert early["spare"].reason == NOT_RECORDED


def test_moving_offers_only_what_changed_to_subscribers(rig):
    record(rig, [(T0, "temp", 450.0), (T0, "state", 1), (T0 + 10, "state", 2)])
    tags = ReplayTags(
        Replay(rig.query, continuous=lambda tag: False), T0 + 1, lambda: {"temp", "state"}
    )
    sub = tags.subscribe("ui", latest_only=True)
    first = sub.take()[0]
    assert first["state"].value == 1 and first["temp"].value == 450.0
    assert tags.move_to(T0 + 11) == {"state": tags.shown["state"]}
    assert sub.take() == [{"state": tags.shown["state"]}] and tags.shown["state"].value == 2
    assert tags.values.get("name").reason  # asked later: looked up at the moment
    tags.unsubscribe(sub)
    tags.move_to(T0 + 1)
    assert sub.take() == []


def test_alarm_states_come_from_the_journal(tmp_path, rig):
    clock = [T0]
    alarm = AlarmDef(
        id="temp.hi", tag="temp", kind=AlarmKind.HI, priority=2, message="hot", limit=500.0
    )
    manager = AlarmManager(
        rig.project, rig.writer, alarms=[alarm], clock=lambda: clock[0], publish=lambda b: None
    )
    engine = TagEngine(rig.project, clock=lambda: clock[0])
    manager.attach(engine)
    manager.start(run_thread=False)

    def put(at, value):
        clock[0] = at
        engine.publish({"temp": TagValue(value, ts=at)})
        manager.step()

    put(T0 + 0, 450.0)
    put(T0 + 10, 520.0)  # raised
    clock[0] = T0 + 20
    manager.acknowledge("temp.hi", "anna")
    manager.step()
    put(T0 + 30, 450.0)  # cleared
    assert rig.writer.flush(5)
    states = AlarmStateHistory(manager)
    replay = Replay(rig.query, states)
    tag = "_sys.alarm.temp.hi"
    seen = [replay.state_at(T0 + s, [tag])[tag].value for s in (5, 15, 25, 35)]
    assert seen == ["normal", "unacked", "acked", "normal"]
    manager.stop()


def test_the_stations_own_tags_stay_live_while_the_screens_replay(rig):
    record(rig, [(T0, "temp", 450.0), (T0 + 10, "temp", 470.0)])
    live = TagEngine(rig.project)
    live.publish_system({"_sys.device.plc": TagValue("online", ts=T0 + 100)})
    tags = ReplayTags(Replay(rig.query), T0 + 1, lambda: {"temp", "_sys.device.plc"}, live=live)
    sub = tags.subscribe("ui", latest_only=True)
    first = {}
    for batch in sub.take():
        first.update(batch)
    assert first["temp"].value == pytest.approx(452.0)
    assert first["_sys.device.plc"].value == "online"  # the present, not "not recorded"
    live.publish_system({"_sys.device.plc": TagValue("offline", ts=T0 + 101)})
    seen = {}
    for batch in sub.take():
        seen.update(batch)
    assert seen["_sys.device.plc"].value == "offline"  # followed while paused
    tags.close()
    live.publish_system({"_sys.device.plc": TagValue("online", ts=T0 + 102)})
    assert sub.take() == []
