"""Alarm help (cause, consequence, corrective action) and the first-out alarm of a line."""

import pytest

from hmi.core.alarms import AlarmState, load_alarms
from hmi.core.alarms.definitions import AlarmDef, AlarmKind
from hmi.core.paths import demo_project_dir
from hmi.core.project.loader import load_project
from tests.unit.test_alarm_definitions import by_id, line_of, project_with
from tests.unit.test_alarm_manager import Plant

K = AlarmKind


def test_help_is_read_per_entry_and_a_limit_may_have_its_own(tmp_path):
    project, _ = project_with(
        tmp_path,
        """\
        - tag: line1.pressure
          hihi: {limit: 310, priority: 1, action: "Stop the press now"}
          hi: 290
          bad_quality: true
          cause: "Billet too cold"
          consequence: "The press trips at 320 bar"
          action: "Slow the ram"
        - device: plc
          cause: "Cable or PLC power"
          action: "Check the PLC's network light"
        """,
    )
    alarms, problems = load_alarms(project)
    assert problems == []
    found = by_id(alarms)
    hi, hihi, comm = found["line1.pressure.hi"], found["line1.pressure.hihi"], found["plc.comm"]
    assert (hi.cause, hi.consequence, hi.action) == (
        "Billet too cold",
        "The press trips at 320 bar",
        "Slow the ram",
    )
    assert (hihi.cause, hihi.action) == ("Billet too cold", "Stop the press now")
    lost = found["line1.pressure.bad_quality"]  # the process's help is not the signal's
    assert (lost.cause, lost.consequence, lost.action) == ("", "", "")
    assert (comm.cause, comm.consequence, comm.action) == (
        "Cable or PLC power",
        "",
        "Check the PLC's network light",
    )


def test_help_that_is_not_text_or_too_long_is_reported_at_its_line(tmp_path):
    _, text = project_with(tmp_path, "- {tag: line1.pressure, hi: 290}\n")
    (tmp_path / "project.yaml").write_text(
        text
        + "  - tag: line1.speed\n"
        + "    hi: 20\n"
        + "    cause: [a, b]   # CAUSE\n"
        + f"    action: {'x' * 1200}   # ACTION\n",
        encoding="utf-8",
    )
    project = load_project(tmp_path)
    alarms, problems = load_alarms(project)
    written = (tmp_path / "project.yaml").read_text(encoding="utf-8")
    assert [(p.source.line, p.message) for p in problems] == [
        (line_of(written, "CAUSE"), "alarm on 'line1.speed': cause: expected text, got ['a', 'b']"),
        (
            line_of(written, "ACTION"),
            "alarm on 'line1.speed': action: 1200 characters; keep it under 1000 to read",
        ),
    ]
    assert "line1.speed.hi" not in by_id(alarms)


def test_the_demo_alarms_that_can_trip_a_line_have_help():
    alarms, problems = load_alarms(load_project(demo_project_dir()))
    assert problems == []
    tripping = [a for a in alarms if a.priority <= 2 and a.kind is not K.COMM]
    assert tripping and all(a.cause and a.consequence and a.action for a in tripping)


def alarm(tag, priority, line="line1"):
    return AlarmDef(
        id=f"{tag}.hi", tag=tag, kind=K.HI, priority=priority, message=tag, limit=10.0, line=line
    )


@pytest.fixture
def trip(tmp_path):
    made = Plant(tmp_path, [alarm("t0", 1), alarm("t1", 2), alarm("t2", 3)])
    yield made
    made.close()


def first_outs(plant):
    return [a.id for a in plant.manager.alarms() if a.first_out]


def test_the_first_tripping_alarm_is_first_out_until_acknowledged(trip):
    trip.put(t2=11)  # priority 3 does not trip a line
    assert first_outs(trip) == []
    trip.put(t1=11)
    trip.wait(0.5)
    trip.put(t0=11)  # the cascade: the line is already tripped
    assert first_outs(trip) == ["t1.hi"]
    assert trip.published["_sys.alarms.line1.first_out"] == "t1.hi"
    assert [a.id for a in trip.manager.active() if a.first_out] == ["t1.hi"]
    trip.manager.acknowledge("t0.hi", "anna")
    assert first_outs(trip) == ["t1.hi"]  # acknowledging a consequence changes nothing
    trip.manager.acknowledge("t1.hi", "anna")
    trip.manager.step()
    assert first_outs(trip) == []
    assert trip.published["_sys.alarms.line1.first_out"] == ""


def test_a_new_trip_after_the_line_is_healthy_again_has_its_own_first_out(trip):
    trip.put(t0=11)
    assert first_outs(trip) == ["t0.hi"]
    trip.put(t0=5)  # returned to normal, not yet acknowledged: still the first-out
    assert trip.state("t0.hi") is AlarmState.RTN_UNACKED and first_outs(trip) == ["t0.hi"]
    trip.manager.acknowledge("t0.hi", "anna")
    trip.put(t1=11)
    assert first_outs(trip) == ["t1.hi"]


def test_no_first_out_while_another_tripping_alarm_stands(trip):
    trip.put(t0=11)
    trip.manager.acknowledge("t0.hi", "anna")  # the mark is gone, the alarm still stands
    trip.put(t1=11)
    assert first_outs(trip) == []
