"""The ``alarms:`` section: each kind read into definitions, each mistake at its file:line."""

import textwrap

import pytest

from hmi.core.alarms import AlarmKind, alarm_problems, load_alarms
from hmi.core.alarms.messages import format_message, message_problem
from hmi.core.paths import demo_project_dir
from hmi.core.project.loader import check_project, load_project

HEAD = """\
project:
  name: Alarm test
  lines:
    line1: Line 1
    line2: Line 2
devices:
  plc:
    protocol: simulator
    line: line1
    model: press
  spare:
    protocol: simulator
    model: filler
    enabled: false
tags:
  - name: line1.pressure
    device: plc
    address: ram_pressure
    type: float32
    units: bar
    description: Ram pressure
  - {name: line1.speed, device: plc, address: ram_speed, type: float32}
  - {name: line1.speed_sp, device: plc, address: ram_speed_sp, type: float32}
  - {name: line1.running, device: plc, address: running, type: bool}
  - {name: line1.state, device: plc, address: state, type: uint16}
  - {name: line1.alloy, device: plc, address: alloy, type: string, length: 20}
  - {name: line2.ratio, expr: "line1.speed * 2"}
alarms:
"""


def project_with(tmp_path, alarms: str):
    """A project whose alarms section is ``alarms``; returns it and its text."""
    text = HEAD + textwrap.indent(textwrap.dedent(alarms), "  ")
    (tmp_path / "project.yaml").write_text(text, encoding="utf-8")
    project, problems = check_project(tmp_path)
    assert problems == [], problems
    return project, text


def line_of(text: str, marker: str) -> int:
    """The 1-based line holding ``marker`` (a YAML comment in the test text)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"{marker} not in the text")


def by_id(alarms):
    return {alarm.id: alarm for alarm in alarms}


def test_each_kind_becomes_its_own_alarm_with_defaults_filled_in(tmp_path):
    project, _ = project_with(
        tmp_path,
        """\
        - tag: line1.pressure
          hihi: {limit: 300, priority: 1, message: "Very high {value:.0f}"}
          hi: 270
          lo: 20
          lolo: 10
          deadband: 2
          on_delay: 2s
          off_delay: 500ms
          message: "Pressure {value:.1f} {units}"
          condition: line1.running
          bad_quality: true
        - tag: line1.running
          state: false
          latch: true
          priority: low
        - tag: line1.state
          equals: [3, 4]
          id: press_state
        - tag: line1.speed
          deviation: {setpoint: line1.speed_sp, hi: 2, lo: -1.5}
          rate: {hi: 5, lo: -8, per: 1s}
        - tag: line2.ratio
          hi: 10
        - device: plc
          priority: 1
        """,
    )
    alarms, problems = load_alarms(project)
    assert problems == []
    found = by_id(alarms)
    assert set(found) == {
        "line1.pressure.hihi",
        "line1.pressure.hi",
        "line1.pressure.lo",
        "line1.pressure.lolo",
        "line1.pressure.bad_quality",
        "line1.running.state",
        "press_state.state",
        "line1.speed.dev_hi",
        "line1.speed.dev_lo",
        "line1.speed.rate_hi",
        "line1.speed.rate_lo",
        "line2.ratio.hi",
        "plc.comm",  # configured; the disabled device has none
    }
    hihi, hi = found["line1.pressure.hihi"], found["line1.pressure.hi"]
    assert (hihi.priority, hihi.message, hihi.limit) == (1, "Very high {value:.0f}", 300)
    assert (hi.priority, hi.message, hi.deadband) == (3, "Pressure {value:.1f} {units}", 2)
    assert (hi.on_delay, hi.off_delay, hi.condition) == (2.0, 0.5, "line1.running")
    assert found["line1.pressure.lolo"].priority == 2  # lolo/hihi default to high
    assert hi.line == "line1" and hi.units == "bar" and hi.device == "plc"
    quality = found["line1.pressure.bad_quality"]
    assert quality.kind is AlarmKind.BAD_QUALITY and "bad signal" in quality.message
    running = found["line1.running.state"]
    assert (running.match, running.latch, running.priority) == ((False,), True, 4)
    assert found["press_state.state"].match == (3.0, 4.0)
    dev_lo = found["line1.speed.dev_lo"]
    assert (dev_lo.setpoint, dev_lo.limit) == ("line1.speed_sp", -1.5)
    rate = found["line1.speed.rate_lo"]
    assert (rate.limit, rate.per, rate.deadband) == (-8, 1.0, 0.0)
    assert found["line2.ratio.hi"].line == "line2"  # a derived tag: from its name
    comm = found["plc.comm"]
    assert (comm.tag, comm.priority, comm.line) == ("_sys.device.plc", 1, "line1")


def test_every_enabled_device_gets_one_communication_alarm_without_a_section(tmp_path):
    (tmp_path / "project.yaml").write_text(HEAD.replace("alarms:\n", ""), encoding="utf-8")
    alarms, problems = load_alarms(load_project(tmp_path))
    assert problems == []
    assert [(a.id, a.kind) for a in alarms] == [("plc.comm", AlarmKind.COMM)]


def test_an_entry_can_be_kept_but_disabled_even_a_communication_alarm(tmp_path):
    project, _ = project_with(
        tmp_path,
        """\
        - {tag: line1.pressure, hi: 3, enabled: false}
        - {tag: line1.speed, hi: {limit: 3, id: PT101_HI}}
        - {device: plc, enabled: false}
        """,
    )
    alarms, problems = load_alarms(project)
    assert problems == [] and [a.id for a in alarms] == ["PT101_HI"]


MISTAKES = [
    (
        "- tag: line1.presure  # M\n  hi: 1\n",
        "unknown tag 'line1.presure'; did you mean 'line1.pressure'?",
    ),
    (
        "- tag: line1.pressure\n  lo: 50\n  hi: 40  # M\n",
        "hi 40 must be above lo 50 (limits go lolo < lo < hi < hihi)",
    ),
    ("- tag: line1.pressure\n  hi: 300\n  hihi: 300  # M\n", "hihi 300 must be above hi 300"),
    (
        "- tag: line1.pressure\n  lo: 10\n  hi: 12\n  deadband: 5  # M\n",
        "deadband 5 must be smaller than the gap",
    ),
    (
        "- tag: line1.alloy\n  hi: 3  # M\n",
        "hi: limits need a numeric tag, but 'line1.alloy' is string",
    ),
    ("- tag: line1.running\n  lo: 0  # M\n", "use 'state:' or 'equals:' instead"),
    (
        "- tag: line1.pressure\n  hi: 3\n  priority: 5  # M\n",
        "priority: expected 1 (critical), 2 (high), 3 (medium) or 4 (low), got 5",
    ),
    (
        "- tag: line1.pressure\n  hi: {limit: 3, priority: urgent}  # M\n",
        "priority: expected 1 (critical)",
    ),
    (
        "- tag: line1.pressure\n  hi: 3\n  on_delay: 2 parsecs  # M\n",
        "on_delay: unknown unit 'parsecs'",
    ),
    (
        "- tag: line1.pressure\n  hi: 3\n  off_delay: -1s  # M\n",
        "off_delay: duration '-1s' is negative",
    ),
    (
        "- tag: line1.pressure\n  hi: 3\n  condition: line1.running and  # M\n",
        "condition: syntax error",
    ),
    (
        "- tag: line1.pressure\n  hi: 3\n  condition: line1.runing  # M\n",
        "condition reads unknown tag 'line1.runing'; did you mean 'line1.running'?",
    ),
    (
        "- tag: line1.speed\n  deviation: {setpoint: line1.sped_sp, hi: 2}  # M\n",
        "unknown setpoint tag 'line1.sped_sp'; did you mean 'line1.speed_sp'?",
    ),
    (
        "- tag: line1.speed\n  deviation:\n    setpoint: line1.speed_sp\n    lo: 2  # M\n",
        "lo: how far to below; write it negative, e.g. lo: -2",
    ),
    ("- tag: line1.speed\n  rate: {hi: 5, per: 0s}  # M\n", "per: must be longer than 0"),
    (
        "- tag: line1.pressure\n  hi: 3\n- tag: line1.pressure\n  hi: 4  # M\n",
        "duplicate alarm id 'line1.pressure.hi'",
    ),
    (
        "- tag: line1.pressure\n  hi: {limit: 3, id: x}\n"
        "- tag: line1.speed\n  lo: {limit: 1, id: x}  # M\n",
        "duplicate alarm id 'x'",
    ),
    (
        '- tag: line1.pressure\n  hi: 3\n  message: "{value.__class__}"  # M\n',
        "message: unknown field {value.__class__}",
    ),
    (
        '- tag: line1.pressure\n  hi: 3\n  message: "{value[0]}"  # M\n',
        "message: unknown field {value[0]}",
    ),
    (
        '- tag: line1.pressure\n  hi: 3\n  message: "oops {"  # M\n',
        "write {{ and }} for literal braces",
    ),
    ("- tag: line1.pressure  # M\n  deadband: 1\n", "gives no alarm; add limits"),
    ("- tag: line1.pressure\n  hi: 3\n  hysteresis: 1  # M\n", "unknown field 'hysteresis'"),
    (
        "- tag: line1.state\n  equals: [3, three]  # M\n",
        "equals: 'line1.state' needs a number, got 'three'",
    ),
    ("- tag: line1.state\n  state: true\n  equals: 3  # M\n", "give either 'state:' or 'equals:'"),
    ("- device: plcc  # M\n", "unknown device 'plcc'; did you mean 'plc'?"),
    ("- tag: line1.pressure\n  hi: 3\n  line: line3  # M\n", "unknown line 'line3'"),
    ("- tag: line1.pressure\n  hi: 3\n  latch: sometimes  # M\n", "latch: expected true or false"),
    ("- hi: 3  # M\n", "needs 'tag: <tag name>' or 'device: <device name>'"),
    ("- just text  # M\n", "expected a mapping such as 'tag: line1.ram_pressure'"),
]


@pytest.mark.parametrize(("alarms", "expected"), MISTAKES, ids=[m[1][:40] for m in MISTAKES])
def test_a_mistake_is_reported_at_its_line_with_what_would_be_right(tmp_path, alarms, expected):
    project, text = project_with(tmp_path, alarms)
    problems = alarm_problems(project)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.source.file == "project.yaml"
    assert problem.source.line == line_of(text, "# M"), str(problem)
    assert expected in problem.message


def test_an_entry_with_a_mistake_is_left_out_and_the_rest_still_load(tmp_path):
    project, _ = project_with(
        tmp_path,
        """\
        - tag: line1.pressure
          hi: 3
          priority: 9
        - tag: line1.speed
          lo: 1
        """,
    )
    alarms, problems = load_alarms(project)
    assert len(problems) == 1
    assert [a.id for a in alarms] == ["line1.speed.lo", "plc.comm"]


def test_the_screen_to_jump_to_must_exist(tmp_path):
    (tmp_path / "screens").mkdir()
    screen = "screen:\n  name: press\n  title: Press\nsymbols: []\n"
    (tmp_path / "screens" / "press.yaml").write_text(screen, encoding="utf-8")
    project, text = project_with(
        tmp_path,
        """\
        - tag: line1.pressure
          hi: 3
          screen: press
        - tag: line1.speed
          hi: 3
          screen: pres  # M
        """,
    )
    problems = alarm_problems(project)
    assert [(p.source.line, p.message) for p in problems] == [
        (
            line_of(text, "# M"),
            "alarm on 'line1.speed': unknown screen 'pres'; did you mean 'press'?",
        )
    ]


def test_a_section_that_is_not_a_list_is_one_problem(tmp_path):
    (tmp_path / "project.yaml").write_text(HEAD + "  tag: line1.pressure\n", encoding="utf-8")
    project, _ = check_project(tmp_path)
    problems = alarm_problems(project)
    assert len(problems) == 1
    assert problems[0].source.line == HEAD.count("\n")
    assert "expected a list of entries" in problems[0].message


def test_the_demo_project_alarms_are_valid_and_cover_every_kind():
    project = load_project(demo_project_dir())
    alarms, problems = load_alarms(project)
    assert problems == []
    kinds = {alarm.kind for alarm in alarms}
    assert {AlarmKind.HIHI, AlarmKind.HI, AlarmKind.LO, AlarmKind.STATE} <= kinds
    assert {AlarmKind.DEV_HI, AlarmKind.RATE_HI, AlarmKind.BAD_QUALITY, AlarmKind.COMM} <= kinds
    assert all(alarm.screen for alarm in alarms if alarm.kind is AlarmKind.HI)


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        ("P {value:.1f} {units}", {"value": 271.26, "units": "bar"}, "P 271.3 bar"),
        ("P {value:.1f}", {"value": None}, "P "),  # no value yet: not a failure
        ("P {value:.1f}", {"value": "n/a"}, "P n/a"),  # a spec that does not fit
        ("{{literal}} {limit:g}", {"limit": 270.0}, "{literal} 270"),
        ("{reason}", {}, ""),
    ],
)
def test_messages_are_formatted_safely(template, fields, expected):
    assert message_problem(template) is None
    assert format_message(template, fields) == expected


@pytest.mark.parametrize(
    "template", ["{value.real}", "{value[0]}", "{0}", "{}", "{value!r}", "{value:{limit}}"]
)
def test_messages_that_reach_into_objects_are_refused(template):
    assert message_problem(template) is not None
