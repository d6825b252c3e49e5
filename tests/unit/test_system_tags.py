"""System tags a capability declares for a project (a camera's defect rate, a line's order
figures) are typed, so an alarm, the history, a trend, a screen and a line's counters take
them as they take project tags, and refuse a misspelt or unfit one at its line."""

from __future__ import annotations

from pathlib import Path

from hmi.core.alarms import AlarmKind, load_alarms
from hmi.core.capability import project_system_tags
from hmi.core.historian.config import Kind, Mode, read_config
from hmi.core.orders import read_orders
from hmi.core.orders.capability import LINE_FIELDS
from hmi.core.project.loader import check_project
from hmi.core.project.models import DataType
from hmi.core.screens import load_screens
from hmi.core.trendviews import read_trendviews
from hmi.core.vision.capability import CAMERA_FIELDS

RATE = "_sys.vision.press_cam.defect_rate"

HEAD = """\
project:
  name: System tags
  lines: {line1: Line 1, line2: Line 2}
devices:
  plc: {protocol: modbus, host: 127.0.0.1, line: line1}
tags:
  - {name: line1.profile_count, device: plc, address: "hr:0", type: uint32}
  - {name: line1.temp, device: plc, address: "hr:2", type: float32, units: °C}
vision:
  cameras:
    press_cam: {line: line1, source: sim:press, model: nowhere}
"""


def load(tmp_path: Path, text: str = ""):
    (tmp_path / "project.yaml").write_text(HEAD + text, encoding="utf-8")
    project, problems = check_project(tmp_path)
    assert project is not None and problems == [], problems
    return project


def line_of(tmp_path: Path, needle: str) -> int:
    text = (tmp_path / "project.yaml").read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def at(problems, line: int) -> list[str]:
    return [p.message for p in problems if p.source.line == line]


# -- what the capabilities declare ----------------------------------------------------------


def test_each_camera_and_order_line_declares_its_tags_typed_on_its_line(tmp_path):
    project = load(tmp_path, "orders:\n  lines: {line2: {type: filling}}\n")
    system = project_system_tags(project)
    rate = system.get(RATE)
    assert rate is not None
    assert (rate.data_type, rate.units, rate.options) == (DataType.FLOAT64, "%", {"line": "line1"})
    good = system.get("_sys.vision.press_cam.good")
    assert good is not None and good.data_type.integer and good.units == "pcs"
    state = system.get("_sys.vision.press_cam.state")
    assert state is not None and state.data_type is DataType.STRING
    progress = system.get("_sys.orders.line2.progress")
    assert progress is not None and progress.units == "%" and progress.options == {"line": "line2"}
    assert system.get("_sys.orders.line1.progress") is None  # line1 makes no orders here
    unassigned = system.get("_sys.orders.unassigned_stops")
    assert unassigned is not None and unassigned.data_type.integer
    for health in ("_sys.vision.health", "_sys.historian.health", "_sys.store.health"):
        tag = system.get(health)
        assert tag is not None and tag.data_type is DataType.STRING, health
    assert system.get("_sys.vision.other_cam.defect_rate") is None  # no such camera
    fields = {n.rsplit(".", 1)[1] for n in system.tags if n.startswith("_sys.vision.press_cam.")}
    assert fields == set(CAMERA_FIELDS)  # every field the camera publishes, none invented
    figures = {n.rsplit(".", 1)[1] for n in system.tags if n.startswith("_sys.orders.line2.")}
    assert figures == set(LINE_FIELDS)
    assert system.known("_sys.alarms.line1.listed_count")  # published, not typed
    assert system.get("_sys.alarms.line1.listed_count") is None
    assert project_system_tags(project) is system  # asked again: the same answer


def test_without_orders_section_only_its_health_is_declared(tmp_path):
    system = project_system_tags(load(tmp_path))
    assert system.get("_sys.orders.health") is not None
    assert not [n for n in system.tags if n.startswith("_sys.orders.line")]
    assert system.get("_sys.orders.unassigned_stops") is None


# -- alarms -----------------------------------------------------------------------------------


def alarms(tmp_path: Path, entries: str):
    project = load(tmp_path, "alarms:\n" + entries)
    return load_alarms(project)


def test_a_limit_alarm_on_a_camera_defect_rate_is_on_the_camera_line(tmp_path):
    found, problems = alarms(
        tmp_path,
        f"  - {{tag: {RATE}, hi: 10, on_delay: 30s, priority: 2}}\n"
        "  - {tag: line1.temp, hi: 90, condition: _sys.vision.press_cam.inspected > 5}\n",
    )
    assert problems == []
    alarm = next(a for a in found if a.tag == RATE)
    assert (alarm.kind, alarm.limit, alarm.priority) == (AlarmKind.HI, 10, 2)
    assert (alarm.line, alarm.units, alarm.on_delay, alarm.device) == ("line1", "%", 30.0, None)


def test_a_misspelt_system_tag_gets_the_closest_field(tmp_path):
    _, problems = alarms(tmp_path, "  - {tag: _sys.vision.press_cam.defect_rat, hi: 10}\n")
    line = line_of(tmp_path, "defect_rat,")
    assert at(problems, line) == [
        "alarm on '_sys.vision.press_cam.defect_rat': unknown tag "
        "'_sys.vision.press_cam.defect_rat'; did you mean '_sys.vision.press_cam.defect_rate'?"
    ]


def test_a_camera_the_project_does_not_have_is_unknown(tmp_path):
    _, problems = alarms(tmp_path, "  - {tag: _sys.vision.press_cm.defect_rate, hi: 10}\n")
    (message,) = at(problems, line_of(tmp_path, "press_cm"))
    assert "unknown tag '_sys.vision.press_cm.defect_rate'" in message
    assert "did you mean '_sys.vision.press_cam.defect_rate'?" in message


def test_a_limit_on_a_text_system_tag_is_refused(tmp_path):
    _, problems = alarms(tmp_path, "  - {tag: _sys.vision.press_cam.state, hi: 10}\n")
    (message,) = at(problems, line_of(tmp_path, "press_cam.state"))
    assert "limits need a numeric tag, but '_sys.vision.press_cam.state' is string" in message


def test_an_untyped_system_tag_cannot_carry_an_alarm(tmp_path):
    _, problems = alarms(tmp_path, "  - {tag: _sys.alarms.flood, state: true}\n")
    (message,) = at(problems, line_of(tmp_path, "_sys.alarms.flood"))
    assert "'_sys.alarms.flood' is published without a type" in message


def test_a_device_state_is_no_capability_tag(tmp_path):
    _, problems = alarms(tmp_path, "  - {tag: _sys.device.plc, equals: offline}\n")
    (message,) = at(problems, line_of(tmp_path, "_sys.device.plc"))
    assert message.startswith("alarm on '_sys.device.plc': unknown tag '_sys.device.plc'; ")
    assert "system tag" not in message  # a device's alarm is written device: plc


def test_a_condition_on_an_unknown_system_tag_is_refused(tmp_path):
    _, problems = alarms(
        tmp_path, "  - {tag: line1.temp, hi: 90, condition: _sys.vision.press_cam.inspectd > 5}\n"
    )
    (message,) = at(problems, line_of(tmp_path, "condition"))
    assert "did you mean '_sys.vision.press_cam.inspected'?" in message


# -- history and trends ------------------------------------------------------------------------


def test_history_records_a_named_system_tag_and_never_by_default(tmp_path):
    project = load(
        tmp_path,
        "historian:\n"
        "  default: {mode: exception}\n"
        "  tags:\n"
        f"    {RATE}: {{mode: swinging_door, deviation: 0.5}}\n"
        "    _sys.users.*: exception\n"  # published without a type: none to record
        "    _sys.vision.press_cam.state: {mode: swinging_door}\n"
        "    _sys.vision.press_cam.scrp: exception\n",
    )
    config, problems = read_config(project)
    policy = config.policies[RATE]
    assert (policy.mode, policy.deviation, policy.kind) == (Mode.SWINGING_DOOR, 0.5, Kind.NUMBER)
    assert config.policies["_sys.vision.press_cam.state"].mode is Mode.EXCEPTION
    assert config.policies["_sys.vision.press_cam.state"].kind is Kind.TEXT
    assert "line1.temp" in config.policies  # the default records project tags
    assert not {"_sys.vision.press_cam.good", "_sys.store.health"} & set(config.policies)
    assert "pattern '_sys.users.*' matches no tag" in " ".join(
        at(problems, line_of(tmp_path, "_sys.users.*"))
    )
    assert "swinging_door needs a number" in " ".join(
        at(problems, line_of(tmp_path, "press_cam.state"))
    )
    assert "did you mean '_sys.vision.press_cam.scrap'?" in " ".join(
        at(problems, line_of(tmp_path, "press_cam.scrp"))
    )


def test_a_system_pattern_records_the_camera_tags_it_matches(tmp_path):
    project = load(tmp_path, "historian:\n  tags:\n    _sys.vision.press_cam.*: exception\n")
    config, problems = read_config(project)
    assert problems == []
    assert RATE in config.policies and "_sys.vision.health" not in config.policies


def test_a_trend_draws_a_numeric_system_tag_and_refuses_text(tmp_path):
    project = load(
        tmp_path,
        "trends:\n"
        "  - name: Inspection\n"
        f"    pens: [{RATE}, _sys.vision.press_cam.state, _sys.vision.press_cam.latncy_ms]\n",
    )
    views, problems = read_trendviews(project)
    assert [p.tag for p in views[0].pens] == [RATE]
    text = " ".join(p.message for p in problems)
    assert "'_sys.vision.press_cam.state' is a text tag" in text
    assert "did you mean '_sys.vision.press_cam.latency_ms'?" in text


# -- screens and counters ------------------------------------------------------------------------


def test_a_screen_shows_declared_system_tags_and_names_a_misspelt_one(tmp_path):
    project = load(tmp_path)
    folder = tmp_path / "screens"
    folder.mkdir()
    (folder / "s.yaml").write_text(
        "symbols:\n"
        f"  - {{type: value, at: [0, 0], tag: {RATE}}}\n"
        "  - {type: value, at: [0, 100], tag: _sys.alarms.line1.listed_count}\n"
        "  - {type: value, at: [0, 200], tag: _sys.vision.press_cam.scroe}\n"
        "  - {type: value, at: [0, 300], tag: _sys.nothing.here}\n",
        encoding="utf-8",
    )
    screens, problems = load_screens(folder, project)
    assert [s.props["tag"] for s in screens.get("s").symbols] == [
        RATE,
        "_sys.alarms.line1.listed_count",
    ]
    found = [f"{p.source.line}: {p.message}" for p in problems]
    assert len(found) == 2, found
    assert "4: " in found[0] and "did you mean '_sys.vision.press_cam.score'?" in found[0]
    assert found[1].startswith("5: ") and "unknown tag '_sys.nothing.here'" in found[1]


def test_a_line_counts_an_integer_system_tag_only(tmp_path):
    project = load(
        tmp_path,
        "orders:\n"
        "  lines:\n"
        "    line1:\n"
        "      type: extrusion\n"
        "      ideal_cycle: 40s\n"
        "      counters:\n"
        "        good: _sys.vision.press_cam.good\n"
        "        scrap: _sys.vision.press_cam.last_result\n",
    )
    config, problems = read_orders(project)
    assert config is not None
    (message,) = at(problems, line_of(tmp_path, "scrap: _sys"))
    assert "system tag '_sys.vision.press_cam.last_result' is string" in message
    assert "a counter must be an integer tag" in message
    assert [c.tag for c in config.lines["line1"].roles["good"]] == ["_sys.vision.press_cam.good"]
