"""Enumerations in the project, and the screen properties that show numbers as people read
them (enum, format, units, idle_when), each checked by ``hmi check``."""

import textwrap
from pathlib import Path

from hmi.core.checks import check_all
from hmi.core.enums import project_enums, read_enums
from hmi.core.paths import demo_project_dir
from hmi.core.project.loader import load_project
from hmi.core.screens import load_screens
from hmi.core.screens.catalogue import unit_factor

PROJECT = """\
project:
  name: Enum test
  lines: {line1: Line 1}
devices:
  plc: {protocol: simulator, line: line1, model: press}
tags:
  - {name: line1.state, device: plc, address: state, type: uint16}
  - {name: line1.fault_code, device: plc, address: fault_code, type: uint16}
  - {name: line1.length, device: plc, address: extruded_length_mm, type: uint64, units: mm}
  - {name: line1.die, device: plc, address: die_number, type: uint16}
  - {name: line1.running, device: plc, address: running, type: bool}
enums:
"""


def project_in(tmp_path: Path, enums: str, screen: str = ""):
    text = PROJECT + textwrap.indent(textwrap.dedent(enums), "  ")
    (tmp_path / "project.yaml").write_text(text, encoding="utf-8")
    if screen:
        (tmp_path / "screens").mkdir()
        (tmp_path / "screens" / "s.yaml").write_text(textwrap.dedent(screen), encoding="utf-8")
    return text


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def test_tables_give_the_text_of_a_code_as_the_plc_sends_it(tmp_path):
    project_in(
        tmp_path,
        """\
        machine_state: {0: Stopped, 2: Running, 3: Fault}
        flag: {true: "On", false: "Off"}
        grade: {A: First choice, B: Second choice}
        """,
    )
    tables, problems = read_enums(load_project(tmp_path))
    assert problems == []
    state = tables["machine_state"]
    assert (state.text(2), state.text(2.0), state.text(3), state.text(7)) == (
        "Running",
        "Running",
        "Fault",
        None,
    )
    assert tables["flag"].text(True) == "On" and tables["flag"].text(1) is None
    assert tables["grade"].text(" B") == "Second choice" and state.text(None) is None


def test_every_mistake_is_reported_at_its_line_and_the_good_entries_stay(tmp_path):
    text = project_in(
        tmp_path,
        """\
        machine_state:
          0: Stopped
          1: [a, b]       # LIST
          2: Running
          2.0: Again      # TWICE
        empty: {}         # EMPTY
        """,
    )
    project, problems = check_all(tmp_path)
    assert [(p.source.line, p.message) for p in problems] == [
        (
            line_of(text, "LIST"),
            "enum 'machine_state': 1: expected the text to show for this value, got ['a', 'b']",
        ),
        (
            line_of(text, "TWICE"),  # the project reader knows 2 and 2.0 are one key
            "'2.0' is written twice in enums.machine_state (first at line "
            f"{line_of(text, 'LIST') + 1}); only the last would count, remove one",
        ),
        (
            line_of(text, "EMPTY"),
            "enums: empty: expected a mapping of value -> text, "
            "e.g. {0: Stopped, 1: Idle, 2: Running}, got {}",
        ),
    ]
    table = project_enums(project)["machine_state"]
    assert (table.text(0), table.text(2), len(table)) == ("Stopped", "Again", 2)  # the last


def test_a_section_that_is_not_a_mapping_is_one_problem(tmp_path):
    (tmp_path / "project.yaml").write_text(
        PROJECT.replace("enums:\n", "enums: [a, b]\n"), encoding="utf-8"
    )
    _, problems = check_all(tmp_path)
    assert len(problems) == 1 and "enums: expected a mapping of name" in problems[0].message


def test_symbols_name_enums_units_and_expressions_that_exist(tmp_path):
    project_in(
        tmp_path,
        "press_fault: {0: None, 101: Overpressure}\n",
        """\
        screen: {name: s}
        symbols:
          - {type: state, at: [0, 0], tag: line1.fault_code, enum: press_fualt}
          - {type: state, at: [0, 100], tag: line1.state}
          - {type: value, at: [0, 200], tag: line1.length, units: kg}
          - {type: value, at: [0, 300], tag: line1.die, format: id, decimals: 0}
          - {type: value, at: [0, 400], tag: line1.die, idle_when: "not line1.runing"}
          - {type: value, at: [0, 500], tag: line1.length, units: km}
          - {type: value, at: [0, 600], tag: _sys.alarms.line1.listed_count}
          - {type: value, at: [0, 700], tag: _sys.nothing.here}
          - {type: value, at: [300, 0], tag: line1.fault_code, enum: press_fault}
          - {type: state, at: [300, 100], tag: line1.fault_code, enum: press_fault}
        """,
    )
    project = load_project(tmp_path)
    screens, problems = load_screens(tmp_path / "screens", project)
    assert [(p.source.line, p.message) for p in problems] == [
        (3, "state: enum: unknown enum 'press_fualt'; did you mean 'press_fault'?"),
        (
            4,
            "state: needs 'states:' (e.g. {0: Stopped, 2: {text: Running, filled: true}, "
            "3: Fault}) or 'enum: <name>'",
        ),
        (
            5,
            "value: units: 'line1.length' is in mm, which cannot be shown in kg; "
            "give 'scale:' to convert it yourself",
        ),
        (6, "value: decimals: an identifier (format: id) is shown as written; remove it"),
        (7, "value: idle_when: reads unknown tag 'line1.runing'; did you mean 'line1.running'?"),
        (
            10,
            "value: tag: unknown tag '_sys.nothing.here'; the tags are line1.state, "
            "line1.fault_code, line1.length, line1.die, line1.running",
        ),
    ]
    kept = [
        (s.type, s.props.get("units") or s.props.get("enum") or s.tag)
        for s in screens.get("s").symbols
    ]
    assert kept == [
        ("value", "km"),
        ("value", "_sys.alarms.line1.listed_count"),
        ("value", "press_fault"),
        ("state", "press_fault"),
    ]
    _, checked = check_all(tmp_path)
    assert len(checked) == len(problems)  # hmi check reports the same


def test_units_convert_within_one_quantity_only():
    assert unit_factor("mm", "km") == 1e-6
    assert unit_factor("s", "h") == 1 / 3600
    assert unit_factor("kWh", "MWh") == 1e-3
    assert unit_factor("mm", "kg") is None and unit_factor("bottles", "km") is None


def test_the_demo_project_has_the_tables_its_screens_use():
    project = load_project(demo_project_dir())
    tables, problems = read_enums(project)
    assert problems == []
    assert tables["press_fault"].text(101) == "Overpressure"
    assert tables["machine_state"].text(3) == "Fault"
