"""The ``orders:`` section: lines, counters, states, downloads, the reason tree, the
calendar and the report, and every mistake as ``file:line: what is wrong`` (never a
traceback, whatever the file holds)."""

from __future__ import annotations

import copy
import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from hmi.core.orders.config import read_orders
from hmi.core.orders.model import MachineState, StopKind
from hmi.core.project.loader import check_project

HEAD = """\
project:
  name: Orders config
  lines:
    line1: Line 1 - Extrusion press
    line2: Line 2 - Filling line
devices:
  plc: {protocol: modbus, host: 127.0.0.1}
tags:
  - {name: line1.profile_count, device: plc, address: "hr:0", type: uint32}
  - {name: line1.scrap_count, device: plc, address: "hr:2", type: uint32}
  - {name: line1.billet_count, device: plc, address: "hr:4", type: uint16}
  - {name: line1.state, device: plc, address: "hr:5", type: int16}
  - {name: line1.die_number, device: plc, address: "hr:6", type: string, length: 10, writable: true}
  - {name: line1.order_target, device: plc, address: "hr:12", type: uint32, writable: true}
  - {name: line1.ram_speed, device: plc, address: "hr:14", type: float32}
  - {name: line2.filled_count, device: plc, address: "hr:20", type: uint32}
  - {name: line2.rejected_count, device: plc, address: "hr:22", type: int16}
  - {name: line2.state, device: plc, address: "hr:23", type: int16}
  - {name: line2.infeed_starved, device: plc, address: "co:0", type: bool}
  - {name: line2.outfeed_blocked, device: plc, address: "co:1", type: bool}
  - {name: line2.product_sp, device: plc, address: "hr:30", type: string, length: 16,
     writable: true}
  - {name: line2.order_target, device: plc, address: "hr:40", type: uint32}
"""

ORDERS = """\
orders:
  micro_stop: 2m
  lines:
    line1:
      type: extrusion
      ideal_cycle: 40s
      counters:
        good: line1.profile_count
        scrap: {tag: line1.scrap_count, max_rate: 300/min, max_jump: 50}
        billets: {tag: line1.billet_count}
      state:
        tag: line1.state
        values: {2: running, 1: idle, 0: idle, 3: fault, 4: changeover}
      micro_stop: 90s
      download:
        die_number: line1.die_number
        target: line1.order_target
    line2:
      type: filling
      ideal_cycle: 0.125s
      counters: {good: line2.filled_count, scrap: {tag: line2.rejected_count, bits: 15}}
      state:
        tag: line2.state
        values: {2: running, 1: idle, 3: fault}
        default: fault
        starved: line2.infeed_starved
        flags: {blocked: line2.outfeed_blocked}
      download: {product: line2.product_sp}
  reasons:
    planned:
      Changeover: [Die change, Alloy change, Product change]
      Break: [Meal break, Meeting]
      Maintenance: [Planned maintenance]
    unplanned:
      Mechanical: [Die jam, Puller fault, {Slow ram: speed}]
      Setup: {Die trial: , Adjustments: small_stop}
      Material: [No billets, Wrong alloy]
  scrap_reasons: [Surface defect, Wrong length, Start-up scrap]
  startup_scrap: [Start-up scrap]
  calendar:
    timezone: Europe/Rome
    shifts:
      - {name: Morning, start: "06:00", end: "14:00", breaks: [{at: "10:00", length: 15m}]}
      - {name: Afternoon, start: "14:00", end: "22:00", breaks: [{at: "18:00", length: 30m}]}
      - {name: Night, start: "22:00", end: "06:00"}
    days: [mon-sat]
    holidays: ["2026-12-25", 2027-01-01]
    planned_downtime:
      - {line: line1, start: "2026-12-10 06:00", end: "2026-12-10 10:00",
         reason: Planned maintenance}
      - {start: 2026-08-10, end: 2026-08-21}
  report:
    at_shift_end: false
    keep: 30d
"""


def load(tmp_path: Path, text: str):
    (tmp_path / "project.yaml").write_text(HEAD + text, encoding="utf-8")
    project, problems = check_project(tmp_path)
    assert project is not None and problems == [], problems
    return project


def messages(tmp_path: Path, text: str) -> list[str]:
    config, problems = read_orders(load(tmp_path, text))
    assert config is not None
    return [str(p) for p in problems]


def with_change(old: str, new: str) -> str:
    assert old in ORDERS, old
    return ORDERS.replace(old, new, 1)


def line_no(text: str, needle: str) -> int:
    """The line of ``needle`` in project.yaml (HEAD + text), 1-based."""
    full = HEAD + text
    assert needle in full, needle
    return full[: full.index(needle)].count("\n") + 1


def test_the_whole_section_is_read(tmp_path):
    config, problems = read_orders(load(tmp_path, ORDERS))
    assert problems == []
    assert config is not None
    one, two = config.lines["line1"], config.lines["line2"]
    assert (one.title, one.type, one.ideal_cycle_s, one.micro_stop_s) == (
        "Line 1 - Extrusion press", "extrusion", 40.0, 90.0
    )  # fmt: skip
    assert two.micro_stop_s == 120.0  # the section's default
    roles, roles_two = one.roles, two.roles
    (good,), (scrap,), (billets,) = roles["good"], roles["scrap"], roles["billets"]
    # uint32 wraps at 2**32; default max rate twice the ideal: 2 / 40 s = 0.05 pieces/s
    assert (good.tag, good.modulus, good.max_jump, good.max_rate) == (
        "line1.profile_count", 2**32, 1000, 0.05
    )  # fmt: skip
    assert (scrap.max_rate, scrap.max_jump) == (5.0, 50)  # 300/min = 5/s
    assert billets.modulus == 2**16  # uint16
    assert roles_two["scrap"][0].modulus == 2**15  # bits: 15 of an int16
    assert roles_two["good"][0].max_rate == 16.0  # 2 / 0.125 s
    assert set(one.counters) == {"line1.profile_count", good.tag, scrap.tag, billets.tag}
    assert one.state is not None and one.state.tag == "line1.state"
    assert one.state.values == {
        2: MachineState.RUNNING, 1: MachineState.IDLE, 0: MachineState.IDLE,
        3: MachineState.FAULT, 4: MachineState.CHANGEOVER,
    }  # fmt: skip
    assert one.state.default is MachineState.IDLE
    assert two.state is not None and two.state.default is MachineState.FAULT
    assert two.state.flags == {
        MachineState.STARVED: "line2.infeed_starved",
        MachineState.BLOCKED: "line2.outfeed_blocked",
    }
    assert one.download == {"die": "line1.die_number", "target": "line1.order_target"}
    assert two.download == {"product": "line2.product_sp"}
    assert one.tags == {
        "line1.profile_count", "line1.scrap_count", "line1.billet_count", "line1.state"
    }  # fmt: skip


def test_the_reason_tree_and_its_losses(tmp_path):
    config, _ = read_orders(load(tmp_path, ORDERS))
    assert config is not None
    tree = config.tree()
    assert list(tree) == [StopKind.PLANNED, StopKind.UNPLANNED]
    assert list(tree[StopKind.UNPLANNED]) == ["Mechanical", "Setup", "Material"]
    losses = {r.name: r.loss for r in config.reasons}
    assert losses["Die change"] == "planned"  # planned: out of planned busy time
    assert losses["Die jam"] == "breakdown"  # unplanned by default
    assert losses["Slow ram"] == "speed"  # named in the list
    assert losses["Die trial"] == "setup"  # its category says setup
    assert losses["Adjustments"] == "small_stop"  # named in the mapping
    jam = config.reason("unplanned/Mechanical/Die jam")
    assert jam is not None and jam.kind is StopKind.UNPLANNED and jam.category == "Mechanical"
    assert config.reason("die JAM") == jam  # a name is unique: found by name too
    assert config.reason("unplanned/Mechanical/Nothing") is None
    assert config.scrap_reasons == ("Surface defect", "Wrong length", "Start-up scrap")
    assert config.startup_scrap == frozenset({"Start-up scrap"})
    assert (config.report_at_shift_end, config.report_keep_s) == (False, 30 * 86400.0)


def test_the_calendar_is_read_in_its_zone(tmp_path):
    config, _ = read_orders(load(tmp_path, ORDERS))
    assert config is not None
    calendar = config.calendar
    rome = ZoneInfo("Europe/Rome")
    assert [s.name for s in calendar.shifts] == ["Morning", "Afternoon", "Night"]

    def t(*when):
        return datetime(*when, tzinfo=rome).timestamp()

    # 10 Dec 2026 (Thursday), Morning 06:00-14:00 less the 15 min break = 7.75 h;
    # line1 is also out 06:00-10:00 for maintenance: 7.75 - 4 = 3.75 h
    assert (
        calendar.planned_busy_time(t(2026, 12, 10, 6), t(2026, 12, 10, 14), "line2") == 7.75 * 3600
    )
    assert (
        calendar.planned_busy_time(t(2026, 12, 10, 6), t(2026, 12, 10, 14), "line1") == 3.75 * 3600
    )
    # holidays written quoted and as a YAML date: no shift starts on either
    assert calendar.shift_at(t(2026, 12, 25, 10)) is None
    assert calendar.shift_at(t(2027, 1, 1, 10)) is None
    # 10-21 Aug (dates alone: from the first day's midnight to the last day's end) for all
    assert calendar.planned_busy_time(t(2026, 8, 10), t(2026, 8, 22), "line2") == 0.0
    # Saturday 22 Aug: Friday's night shift after the shutdown's midnight 00:00-06:00 (6 h)
    # + Morning 7.75 h = 13.75 h
    assert calendar.planned_busy_time(t(2026, 8, 22), t(2026, 8, 22, 14), "line2") == 13.75 * 3600
    # Sunday: no shift starts (mon-sat)
    assert calendar.planned_busy_time(t(2026, 3, 8, 6), t(2026, 3, 8, 22), "line1") == 0.0


def test_a_project_without_the_section_has_no_orders(tmp_path):
    assert read_orders(load(tmp_path, "")) == (None, [])


MISTAKES = [
    # (replace, with, the text of the line the problem is on, what the message says)
    ("good: line1.profile_count", "good: line1.profile_cont", "good: line1.profile_cont",
     "unknown tag 'line1.profile_cont'; did you mean 'line1.profile_count'?"),
    ("    line2:\n      type: filling", "    line3:\n      type: filling", "line3:",
     "unknown line 'line3'; did you mean 'line2'? (lines are named under project: lines:)"),
    ("good: line1.profile_count", "good: line1.ram_speed", "good: line1.ram_speed",
     "good: tag 'line1.ram_speed' is float32; a counter must be an integer tag"),
    ("3: fault, 4: changeover", "3: fault, 4: setup", "values: {2: running",
     "4: unknown state 'setup'; the states are running, idle, fault, changeover, starved, blocked"),
    ("ideal_cycle: 40s", "ideal_cycle: 40 parsecs", "ideal_cycle: 40 parsecs",
     "ideal_cycle: unknown unit 'parsecs'"),
    ("micro_stop: 90s", "micro_stop: 5h", "micro_stop: 5h",
     "micro_stop: 5h is too long; use 0 to 1h, e.g. 2m"),
    ('{name: Night, start: "22:00"', '{name: Night, start: "21:00"', "name: Night",
     "shift Night overlaps shift Afternoon (mon 21:00-22:00); move its start or end"),
    ("Material: [No billets, Wrong alloy]", "Material: [No billets, Die jam]",
     "Material: [No billets",
     "reason 'Die jam' is already in unplanned: Mechanical (line "),
    ("download: {product: line2.product_sp}", "download: {target: line2.order_target}",
     "download: {target: line2.order_target}",
     "target: tag 'line2.order_target' is not writable; write writable: true on the tag"),
    ("starved: line2.infeed_starved", "starved: line2.state", "starved: line2.state",
     "starved: tag 'line2.state' is int16; a state flag is a bool tag"),
    ('start: "14:00"', "start: 14:00", "start: 14:00",
     'start: got the number 840; write the time in quotes, e.g. "14:00"'),
    ('breaks: [{at: "10:00", length: 15m}]', 'breaks: [{at: "13:50", length: 15m}]',
     'at: "13:50"', "the break 13:50 for 15 min is not inside shift Morning (06:00-14:00)"),
    ("timezone: Europe/Rome", "timezone: Europe/Roma", "timezone: Europe/Roma",
     "timezone: unknown time zone 'Europe/Roma'; did you mean 'Europe/Rome'?"),
    ("startup_scrap: [Start-up scrap]", "startup_scrap: [Startup scrap]",
     "startup_scrap: [Startup scrap]",
     "startup_scrap: 'Startup scrap' is not in scrap_reasons; did you mean 'Start-up scrap'?"),
    ("{Slow ram: speed}", "{Slow ram: sped}", "Mechanical: [Die jam",
     "reason 'Slow ram': unknown loss 'sped'; did you mean 'speed'?"),
    ("Break: [Meal break, Meeting]", "Break: [Meal break, {Meeting: breakdown}]", "Break: [Meal",
     "reason 'Meeting': unknown loss 'breakdown'; a planned reason is out of planned busy"),
    ("- {line: line1, start:", "- {line: line9, start:", "line: line9",
     "line: unknown line 'line9'; did you mean 'line2'?"),
    ('end: "2026-12-10 10:00"', 'end: "2026-12-10 05:00"', 'end: "2026-12-10 05:00"',
     "end: is not after start:"),
    ("reason: Planned maintenance}", "reason: Die jam}", "reason: Die jam}",
     "reason: 'Die jam' is not a planned reason"),
    ("counters: {good: line2.filled_count,", "counters: {billets: line1.billet_count, "
     "good: line2.filled_count,", "counters: {billets",
     "unknown counter 'billets'"),
    ("scrap: {tag: line1.scrap_count,", "scrap: {tag: line1.profile_count,",
     "scrap: {tag: line1.profile_count",
     "scrap: tag 'line1.profile_count' already counts line1 good; a piece would be counted twice"),
    ("  reasons:\n    planned:", "  reasons:\n    planed:\n      X: [Y]\n    planned:", "planed:",
     "unknown kind of stop 'planed'; did you mean 'planned'?"),
    ("max_rate: 300/min", "max_rate: 300/fortnight", "max_rate: 300/fortnight",
     "max_rate: expected pieces per time above 0, e.g. 5/s"),
    ("bits: 15", "bits: 33", "bits: 33", "bits: 33 is more than the 16 bits of int16"),
    ("days: [mon-sat]", "days: [mon-sab]", "days: [mon-sab]",
     "days: expected days such as [mon, tue, wed] or [mon-fri], got 'mon-sab'"),
    ('holidays: ["2026-12-25"', 'holidays: ["2026-12-32"', "holidays:",
     "holidays: expected a date such as"),
    ("type: extrusion", "type: extruder", "type: extruder",
     "type: expected extrusion or filling, got 'extruder'"),
    ("die_number: line1.die_number", "die_nummer: line1.die_number", "die_nummer:",
     "unknown order field 'die_nummer'; did you mean 'die_number'?"),
    ("keep: 30d", "keep: 1h", "keep: 1h", "keep: 1h is too short; use 1 day to 100 years"),
    ("Break: [Meal break, Meeting]", "Break: [Meal break, meal break]", "Break: [Meal",
     "reason 'meal break' is already in planned: Break"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "where", "says"), MISTAKES)
def test_each_mistake_is_a_problem_at_its_line(tmp_path, old, new, where, says):
    text = with_change(old, new)
    found = messages(tmp_path, text)
    expected_line = line_no(text, where)
    at_line = [m for m in found if m.startswith(f"project.yaml:{expected_line}: ")]
    assert any(says in m for m in at_line), (expected_line, found)


def test_download_alias_fields_and_wrong_field_types(tmp_path):
    text = with_change(
        "die_number: line1.die_number",
        "die_number: line1.die_number\n        billet_length_mm: line1.die_number",
    )
    found = messages(tmp_path, text)
    assert found == [
        f"project.yaml:{line_no(text, 'billet_length_mm')}: orders: lines: line1: download: "
        "billet_length_mm: tag 'line1.die_number' is string; billet_length_mm needs a number tag"
    ]


def test_a_line_without_type_or_ideal_cycle_is_left_out(tmp_path):
    text = with_change("      type: filling\n      ideal_cycle: 0.125s\n", "")
    config, problems = read_orders(load(tmp_path, text))
    assert config is not None and list(config.lines) == ["line1"]
    at = line_no(text, "    line2:\n")
    assert [str(p) for p in problems] == [
        f"project.yaml:{at}: orders: lines: line2: type: missing; one of extrusion, filling",
        f"project.yaml:{at}: orders: lines: line2: ideal_cycle: missing; the ideal time per "
        "piece, e.g. 40s",
    ]


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ("orders: [1, 2]", "orders: expected a mapping with lines:, got [1, 2]"),
        ("orders:\n  micro_stop: 1m", "orders: lines: missing"),
        ("orders:\n  lines: 3", "orders: lines: expected a mapping such as"),
        ("orders:\n  lines: {line1: 5}", "orders: lines: line1: expected a mapping with type:"),
        ("orders:\n  lines: {}\n  calendar: {shifts: 7}", "shifts: expected a list such as"),
        ("orders:\n  lines: {}\n  calendar: {shifts: [7]}", "expected a mapping with name:"),
        ("orders:\n  lines: {}\n  reasons: {unplanned: {X: []}}", "X: no reasons; list at least"),
        ("orders:\n  lines: {}\n  reasons: {unplanned: {A/B: [x]}}", "without '/'"),
        ("orders:\n  lines: {}\n  scrap_reasons: [a, A]", "'A' is listed twice (first at line"),
        (
            "orders:\n  lines: {}\n  calendar: {shifts: [{name: X, start: '06:00', end: '06:00'}]}",
            "the shift ends when it starts (06:00)",
        ),
        (
            "orders:\n  lines: {}\n  calendar: {shifts: [{name: X, start: '06:00', end: '14:00'},"
            " {name: x, start: '14:00', end: '22:00'}]}",
            "shift name 'x' is used twice",
        ),
        (
            "orders:\n  lines: {}\n  calendar: {shifts: [{name: X, start: '06:00', end: '14:00', "
            "breaks: [{at: '10:00', length: 30m}, {at: '10:15', length: 15m}]}]}",
            "the break at 10:15 starts before the one before it ends",
        ),
        (
            "orders:\n  lines: {line1: {type: extrusion, ideal_cycle: 1s, state: {}}}",
            "state: expected tag: (with values:) or flag tags",
        ),
        (
            "orders:\n  lines: {line1: {type: extrusion, ideal_cycle: 1s, "
            "state: {tag: line1.state}}}",
            "values: missing; map the tag's values to states",
        ),
        (
            "orders:\n  lines: {line1: {type: extrusion, ideal_cycle: 1s, "
            "state: {tag: line1.state, values: {x: running}}}}",
            "'x': expected a whole number, the values of int16 tag 'line1.state'",
        ),
        (
            "orders:\n  lines: {line1: {type: extrusion, ideal_cycle: 1s, counters: {scrap: "
            "line1.scrap_count}}}",
            "good: missing; the tag that counts good pieces",
        ),
    ],
)
def test_malformed_sections_are_problems_not_tracebacks(tmp_path, section, says):
    (tmp_path / "project.yaml").write_text(HEAD + section + "\n", encoding="utf-8")
    project, _ = check_project(tmp_path)
    assert project is not None
    config, problems = read_orders(project)
    assert config is not None
    assert any(says in str(p) for p in problems), [str(p) for p in problems]
    assert all(p.source.file == "project.yaml" and p.source.line > 0 for p in problems)


def _mutants(data, rng: random.Random, count: int):
    """Copies of ``data`` with one value somewhere replaced by something wrong."""
    wrong = [None, "", 0, -1, 1e308, True, "x" * 300, [], {}, [1, [2]], {"a": {"b": None}},
             "??", "25:99", "-5s", "2026-02-30", "ünïcödé", 2**70]  # fmt: skip
    for _ in range(count):
        copy_ = copy.deepcopy(data)
        node, path = copy_, []
        for _ in range(rng.randint(1, 7)):
            if isinstance(node, dict) and node:
                key = rng.choice(list(node))
            elif isinstance(node, list) and node:
                key = rng.randrange(len(node))
            else:
                break
            path.append((node, key))
            node = node[key]
        if path:
            parent, key = path[-1]
            if rng.random() < 0.15 and isinstance(parent, dict):
                del parent[key]
            else:
                parent[key] = rng.choice(wrong)
        yield copy_


def test_broken_sections_never_raise(tmp_path):
    """A bounded run of random breakages of the section: each read gives problems (file:line
    and one line each) or a config, never an exception."""
    original = yaml.safe_load(ORDERS)
    rng = random.Random(1234)
    for number, mutant in enumerate(_mutants(original, rng, 150)):
        text = yaml.safe_dump(mutant, sort_keys=False, allow_unicode=True)
        folder = tmp_path / str(number)
        folder.mkdir()
        (folder / "project.yaml").write_text(HEAD + text, encoding="utf-8")
        project, _ = check_project(folder)
        if project is None:
            continue
        config, problems = read_orders(project)
        for problem in problems:
            assert problem.source.file == "project.yaml" and problem.source.line > 0, problem
            assert "\n" not in problem.message and "Traceback" not in problem.message
            assert "a fault in Linea HMI" not in problem.message, (text, problem)
        if mutant.get("orders") is not None:
            assert config is not None


SYSTEM_COUNTERS = """\
      counters:
        good: _sys.vision.press_cam.good
        scrap:
          - line1.scrap_count
          - {tag: _sys.vision.press_cam.scrap, max_jump: 20}
        uninspected: _sys.vision.press_cam.uninspected
        billets: {tag: line1.billet_count}
"""
CAMERAS = """\
vision:
  cameras: {press_cam: {line: line1}, filler_cam: {line: line2}}
"""  # the cameras whose counters a line may name (their other settings do not matter here)
PLC_COUNTERS = """\
      counters:
        good: line1.profile_count
        scrap: {tag: line1.scrap_count, max_rate: 300/min, max_jump: 50}
        billets: {tag: line1.billet_count}
"""


def test_a_role_reads_a_camera_counter_and_several_tags(tmp_path):
    config, problems = read_orders(
        load(tmp_path, with_change(PLC_COUNTERS, SYSTEM_COUNTERS) + CAMERAS)
    )
    assert problems == []
    assert config is not None
    roles = config.lines["line1"].roles
    assert [c.tag for c in roles["scrap"]] == ["line1.scrap_count", "_sys.vision.press_cam.scrap"]
    camera_scrap = roles["scrap"][1]
    assert (camera_scrap.role, camera_scrap.modulus, camera_scrap.max_jump) == (
        "scrap", 2**64, 20
    )  # fmt: skip
    assert [c.tag for c in roles["uninspected"]] == ["_sys.vision.press_cam.uninspected"]
    assert config.lines["line1"].tags >= {
        "_sys.vision.press_cam.good", "line1.scrap_count", "_sys.vision.press_cam.uninspected"
    }  # fmt: skip


SYSTEM_MISTAKES = [
    ("good: _sys.vision.press_cam.good", "good: _sys.visoin.press_cam.good",
     "good: _sys.visoin", "good: no installed capability publishes "
     "'_sys.visoin.press_cam.good'; did you mean '_sys.vision.'?"),
    ("          - {tag: _sys.vision.press_cam.scrap, max_jump: 20}",
     "          - _sys.orders.line1.scrap", "- _sys.orders.line1.scrap",
     "scrap: '_sys.orders.line1.scrap' is the orders' own tag"),
    ("          - line1.scrap_count\n", "          - line1.scrap_cuont\n", "- line1.scrap_cuont",
     "scrap: unknown tag 'line1.scrap_cuont'"),
    ("          - {tag: _sys.vision.press_cam.scrap, max_jump: 20}",
     "          - {tag: line1.scrap_count, max_jump: 20}", "- {tag: line1.scrap_count",
     "scrap: tag 'line1.scrap_count' is listed twice; a piece would be counted twice"),
    ("          - line1.scrap_count\n", "          - line1.billet_count\n",
     "billets: {tag: line1.billet_count}",
     "billets: tag 'line1.billet_count' already counts line1 scrap"),
    ("uninspected: _sys.vision.press_cam.uninspected", "uninspected: []", "uninspected: []",
     "uninspected: an empty list; name one counter tag or more"),
    ("max_jump: 20}", "bits: 65}", "{tag: _sys.vision.press_cam.scrap",
     "bits: expected"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "where", "says"), SYSTEM_MISTAKES)
def test_each_counter_tag_mistake_is_named_at_its_line(tmp_path, old, new, where, says):
    base = with_change(PLC_COUNTERS, SYSTEM_COUNTERS)
    assert old in base, old
    text = base.replace(old, new, 1)
    found = messages(tmp_path, text + CAMERAS)
    expected_line = line_no(text, where)
    at_line = [m for m in found if m.startswith(f"project.yaml:{expected_line}: ")]
    assert any(says in m for m in at_line), (expected_line, found)


def test_a_filling_line_counts_uninspected_bottles_but_no_billets(tmp_path):
    text = with_change(
        "counters: {good: line2.filled_count, scrap:",
        "counters: {uninspected: _sys.vision.filler_cam.uninspected, good: line2.filled_count,"
        " scrap:",
    )
    config, problems = read_orders(load(tmp_path, text + CAMERAS))
    assert problems == [] and config is not None
    assert [c.tag for c in config.lines["line2"].roles["uninspected"]] == [
        "_sys.vision.filler_cam.uninspected"
    ]
