"""Station variants: ``NAME.touch.yaml`` lays out the screens of ``NAME.yaml`` again for
the touch panel; what it may not say is reported as ``file:line``."""

from hmi.core.checks import project_problems
from hmi.core.paths import demo_project_dir
from hmi.core.project.loader import load_project
from hmi.core.screens import load_screens, screens_folder
from tests.unit.test_screens import make_project, messages, write

BASE = """\
screen: {title: Line 1, level: 2, parent: top, line: line1}
symbols:
  - {type: analog, at: [10, 10], tag: line1.billet_temp}
  - {type: setpoint, at: [300, 10], tag: line1.ram_speed_sp}
"""
TOP = "screen: {title: Plant, level: 1}\nsymbols: []\n"
TOUCH = """\
screen:
  size: [1500, 800]
symbols:
  - {type: setpoint, at: [20, 20], size: [400, 92], tag: line1.ram_speed_sp, label: Speed SP}
"""


def test_a_touch_variant_replaces_its_screen_on_touch_and_keeps_its_place(tmp_path):
    write(tmp_path, "top.yaml", TOP)
    write(tmp_path, "line.yaml", BASE)
    write(tmp_path, "line.touch.yaml", TOUCH)
    screens, problems = load_screens(tmp_path, make_project())
    assert messages(problems) == []
    assert [s.name for s in screens] == ["line", "top"]  # no screen named "line.touch"
    line = screens.get("line")
    assert line.for_station("desk") is line and len(line.symbols) == 2
    touch = line.for_station("touch")
    assert touch.size == (1500.0, 800.0) and [s.type for s in touch.symbols] == ["setpoint"]
    assert (touch.name, touch.title, touch.level, touch.parent, touch.line) == (
        "line",
        "Line 1",
        2,
        "top",
        "line1",
    )
    assert touch.source.file.endswith("line.touch.yaml") and touch.source.line == 2
    assert screens.get("top").for_station("touch") is screens.get("top")  # none: itself


def test_variants_of_a_screen_template_follow_its_instances(tmp_path):
    write(
        tmp_path,
        "unit.yaml",
        "screen: {name: '{line}_unit', instances: [{line: line1}, {line: line2}]}\n"
        "symbols:\n  - {type: value, at: [0, 0], tag: '{line}.state'}\n",
    )
    write(
        tmp_path,
        "unit.touch.yaml",
        "screen: {name: '{line}_unit', size: [800, 500], instances: [{line: line2}]}\n"
        "symbols:\n  - {type: state, at: [0, 0], tag: '{line}.state', states: {0: Off}}\n",
    )
    screens, problems = load_screens(tmp_path, make_project())
    assert messages(problems) == []
    assert screens.get("line1_unit").variants == {}
    touch = screens.get("line2_unit").for_station("touch")
    assert touch.size == (800.0, 500.0) and touch.symbols[0].tag == "line2.state"


def test_what_a_variant_may_not_say_is_reported_where_it_is_written(tmp_path):
    write(tmp_path, "line.yaml", BASE)
    write(tmp_path, "top.yaml", TOP)
    write(
        tmp_path,
        "line.touch.yaml",
        "screen:\n  title: Other\n  level: 3\nsymbols: []\n",
    )
    write(tmp_path, "gone.touch.yaml", TOUCH)  # no gone.yaml
    write(tmp_path, "top.tuch.yaml", TOUCH)  # a station that is not one
    write(tmp_path, "top.desk.yaml", "screen: {name: elsewhere}\nsymbols: []\n")
    screens, problems = load_screens(tmp_path, make_project())
    found = messages(problems)
    title = "line.touch.yaml:2: a touch variant takes 'title' from its screen in line.yaml"
    assert f"{title}; remove it here" in found
    assert any(m.startswith("line.touch.yaml:3: a touch variant takes 'level'") for m in found)
    assert any(m.startswith("gone.touch.yaml:1: a touch variant of 'gone.yaml'") for m in found)
    assert any(
        m.startswith("top.tuch.yaml:1: 'tuch' is not a station") and "did you mean 'touch'" in m
        for m in found
    )
    assert any(
        m.startswith("top.desk.yaml:1: no screen named 'elsewhere' to lay out for desk")
        for m in found
    )
    assert len(found) == 5, found
    assert screens.get("line").for_station("touch").title == "Line 1"  # still the base's
    assert "elsewhere" not in screens and "top.tuch" not in screens


def test_a_variant_defined_twice_is_one_problem(tmp_path):
    write(tmp_path, "top.yaml", TOP)
    write(tmp_path, "line.yaml", BASE)
    write(tmp_path, "line.touch.yaml", TOUCH)
    write(tmp_path, "line.touch.yml", TOUCH)
    _, problems = load_screens(tmp_path, make_project())
    assert [m.split(": ", 1)[1][:46] for m in messages(problems)] == [
        "the touch variant of 'line' is defined twice ("
    ]


def test_the_demo_has_touch_variants_that_hmi_check_finds_right():
    demo = load_project(demo_project_dir())
    screens, problems = load_screens(screens_folder(demo), demo)
    variants = {s.name for s in screens if "touch" in s.variants}
    assert {"overview", "line1_press", "line2_filling"} <= variants
    assert not [p for p in problems if ".touch." in p.source.file]
    assert not [p for p in project_problems(demo) if ".touch." in p.source.file]
