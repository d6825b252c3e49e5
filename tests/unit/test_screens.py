from pathlib import Path

import pytest

from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.screens import DESIGN_SIZE, StateStyle, load_screens


def make_project() -> Project:
    def tag(name: str, **kw) -> TagConfig:
        return TagConfig(name=name, device="plc", address="x", **kw)

    tags = [
        tag("line1.billet_temp", units="°C", eng_range=(0.0, 600.0)),
        tag("line1.ram_speed_sp", units="mm/s", eng_range=(1.0, 25.0), writable=True),
        tag("line1.state", data_type=DataType.INT16),
        tag("line1.puller_running", data_type=DataType.BOOL),
        tag("line2.state", data_type=DataType.INT16),
        tag("line2.filler_running", data_type=DataType.BOOL),
        tag("line2.count", data_type=DataType.UINT32),
    ]
    return Project(
        name="p",
        root=".",
        devices={"plc": DeviceConfig("plc", "fake")},
        tags={t.name: t for t in tags},
        lines={"line1": "Line 1", "line2": "Line 2"},
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(problems) -> list[str]:
    return [f"{Path(p.source.file).name}:{p.source.line}: {p.message}" for p in problems]


def test_a_valid_screen_loads_with_defaults_from_the_catalogue(tmp_path):
    write(
        tmp_path,
        "overview.yaml",
        """\
screen:
  title: Plant
  level: 1
symbols:
  - type: analog
    at: [100, 200]
    tag: line1.billet_temp
    normal: [460, 500]
  - type: state
    at: [100, 400]
    tag: line1.state
    states: {0: Stopped, 2: {text: Running, filled: true}, 3: Fault}
  - type: pipe
    points: [[0, 10], [200, 10]]
""",
    )
    screens, problems = load_screens(tmp_path, make_project())
    assert problems == []
    screen = screens.get("overview")
    assert screen.title == "Plant" and screen.level == 1 and screen.size == DESIGN_SIZE
    analog, state, pipe = screen.symbols
    assert analog.at == (100.0, 200.0) and analog.size == (300, 110)
    assert "limits" not in analog.props  # the alarm limits come from the alarms section
    assert state.props["states"][3] == StateStyle("Fault", 0, False)
    assert state.props["states"][2].filled
    assert screen.tags == {"line1.billet_temp", "line1.state"}
    assert pipe.props["points"] == ((0.0, 10.0), (200.0, 10.0))
    assert screens.home is screen


def test_every_mistake_is_reported_with_its_line_and_a_hint(tmp_path):
    write(
        tmp_path,
        "bad.yaml",
        """\
screen:
  title: Bad
symbols:
  - type: tnak
    at: [0, 0]
    tag: line1.billet_temp
  - type: analog
    at: [0, 0]
    tag: line1.billet_tmp
  - type: analog
    at: [0, 0]
    tag: line1.billet_temp
    colour: red
  - type: value
    at: [0, 0]
  - type: analog
    at: [0, 0, 3]
    tag: line1.billet_temp
  - type: setpoint
    at: [0, 0]
    tag: line1.billet_temp
  - type: analog
    at: [0, 0]
    tag: line1.billet_temp
    limits: {hi: 500, lo: 520}
""",
    )
    screens, problems = load_screens(tmp_path, make_project())
    found = messages(problems)
    assert found == [
        "bad.yaml:4: unknown symbol type 'tnak'; did you mean 'tank'?",
        "bad.yaml:9: analog: tag: unknown tag 'line1.billet_tmp'; "
        "did you mean 'line1.billet_temp'?",
        "bad.yaml:13: analog: unknown property 'colour'; the properties of analog are "
        "alarm_priority, alarm_tag, at, decimals, faceplate, label, limits, normal, orientation, "
        "range, size, tag",
        "bad.yaml:14: value: missing required property 'tag'",
        "bad.yaml:17: analog: at: expected [x, y], got [0, 0, 3]",
        "bad.yaml:21: setpoint: tag 'line1.billet_temp' is read-only; "
        "a setpoint needs a writable tag",
        "bad.yaml:25: analog: limits: the alarm limits come from the 'alarms:' section "
        "of the project; remove them here",
    ]
    assert [s.type for s in screens.get("bad").symbols] == ["analog"]  # deprecated, still shown


def test_unknown_property_suggests_the_closest(tmp_path):
    write(
        tmp_path,
        "s.yaml",
        "symbols:\n  - {type: tank, at: [0, 0], tag: line1.billet_temp, lable: x}\n",
    )
    _, problems = load_screens(tmp_path, make_project())
    assert messages(problems) == ["s.yaml:2: tank: unknown property 'lable'; did you mean 'label'?"]


def test_yaml_syntax_errors_name_the_line(tmp_path):
    write(tmp_path, "broken.yaml", "symbols:\n  - type: tank\n    at: [0, 0\n")
    screens, problems = load_screens(tmp_path, make_project())
    assert len(screens) == 0
    assert len(problems) == 1 and "YAML syntax error" in problems[0].message
    assert problems[0].source.line >= 3


def test_symbol_group_template_is_placed_with_its_macros(tmp_path):
    write(
        tmp_path,
        "templates.yaml",
        """\
templates:
  machine:
    params: [line, unit]
    symbols:
      - {type: motor, at: [0, 0], tag: "{line}.{unit}_running", label: "{unit}"}
      - {type: state, at: [0, 90], tag: "{line}.state", states: {0: Stopped}}
""",
    )
    write(
        tmp_path,
        "lines.yaml",
        """\
symbols:
  - {use: machine, at: [100, 50], with: {line: line1, unit: puller}}
  - {use: machine, at: [500, 50], with: {line: line2, unit: filler}}
  - {use: machine, at: [900, 50], with: {line: line3, unit: filler}}
  - {use: machin, at: [0, 0]}
""",
    )
    screens, problems = load_screens(tmp_path, make_project())
    symbols = screens.get("lines").symbols
    assert [(s.type, s.tag, s.at) for s in symbols] == [
        ("motor", "line1.puller_running", (100.0, 50.0)),
        ("state", "line1.state", (100.0, 140.0)),
        ("motor", "line2.filler_running", (500.0, 50.0)),
        ("state", "line2.state", (500.0, 140.0)),
    ]
    assert symbols[0].props["label"] == "puller"
    found = messages(problems)
    assert found[0] == (
        "templates.yaml:5: motor: tag: unknown tag 'line3.filler_running'; "
        "did you mean 'line2.filler_running'?"
    )
    assert found[-1] == "lines.yaml:5: unknown template 'machin'; did you mean 'machine'?"


def test_screen_template_makes_one_screen_per_instance(tmp_path):
    write(tmp_path, "top.yaml", "screen: {name: overview, level: 1}\n")
    write(
        tmp_path,
        "line.yaml",
        """\
screen:
  name: "{line}_detail"
  title: "Detail of {line}"
  parent: overview
  line: "{line}"
  instances: [{line: line1}, {line: line2}]
symbols:
  - {type: state, at: [0, 0], tag: "{line}.state", states: {0: Stopped}}
  - {type: nav, at: [0, 100], target: "{other}"}
""",
    )
    screens, problems = load_screens(tmp_path, make_project())
    assert [s.name for s in screens] == ["line1_detail", "line2_detail", "overview"]
    assert screens.get("line2_detail").title == "Detail of line2"
    assert screens.get("line2_detail").symbols[0].tag == "line2.state"
    assert [s.name for s in screens.children("overview")] == ["line1_detail", "line2_detail"]
    assert [s.name for s in screens.path_to("line1_detail")] == ["overview", "line1_detail"]
    assert any("line.yaml:9" in m and "unknown macro {other}" in m for m in messages(problems))


def test_links_between_screens_are_checked(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        """\
screen: {parent: overveiw}
symbols:
  - {type: nav, at: [0, 0], target: b}
  - {type: nav, at: [0, 100], target: c}
""",
    )
    write(tmp_path, "b.yaml", "screen: {name: overview, level: 1}\nsymbols: []\n")
    _, problems = load_screens(tmp_path, make_project())
    assert messages(problems) == [
        "a.yaml:1: parent: unknown screen 'overveiw'; did you mean 'overview'?",
        "a.yaml:3: target: unknown screen 'b'; the screens are a, overview",
        "a.yaml:4: target: unknown screen 'c'; the screens are a, overview",
    ]


def test_device_status_tags_and_devices_are_known(tmp_path):
    write(
        tmp_path,
        "d.yaml",
        """\
symbols:
  - {type: device, at: [0, 0], device: plc}
  - {type: state, at: [0, 100], tag: _sys.device.plc, states: {online: Online}}
  - {type: device, at: [0, 200], device: plx}
""",
    )
    screens, problems = load_screens(tmp_path, make_project())
    assert [s.tags for s in screens.get("d").symbols] == [["_sys.device.plc"], ["_sys.device.plc"]]
    assert messages(problems) == [
        "d.yaml:4: device: device: unknown device 'plx'; did you mean 'plc'?"
    ]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("{level: 7}", "level: expected 1 to 4"),
        ("{size: [0, 100]}", "size: width and height must be above 0"),
        ("{background: missing.svg}", "background 'missing.svg' not found"),
        ("{line: line9}", "unknown line 'line9'"),
        ("{titel: x}", "unknown screen property 'titel'; did you mean 'title'?"),
    ],
)
def test_screen_header_problems(tmp_path, head, expected):
    write(tmp_path, "h.yaml", f"screen: {head}\nsymbols: []\n")
    _, problems = load_screens(tmp_path, make_project())
    assert len(problems) == 1 and expected in problems[0].message


def test_symbols_outside_the_design_area_are_reported(tmp_path):
    write(tmp_path, "o.yaml", "symbols:\n  - {type: tank, at: [1900, 0], tag: line1.billet_temp}\n")
    screens, problems = load_screens(tmp_path, make_project())
    assert len(problems) == 1 and "outside the 1920 x 960 design area" in problems[0].message
    assert len(screens.get("o").symbols) == 1  # reported, still shown


def test_missing_folder_is_a_problem_not_an_exception(tmp_path):
    screens, problems = load_screens(tmp_path / "nope", make_project())
    assert len(screens) == 0 and "not found" in problems[0].message


def test_a_key_written_twice_in_a_screen_file_is_reported(tmp_path):
    write(
        tmp_path,
        "twice.yaml",
        "screen: {name: twice}\n"
        "symbols:\n"
        "  - type: analog\n"
        "    at: [0, 0]\n"
        "    tag: line1.billet_temp\n"
        "    at: [10, 10]\n",
    )
    _, problems = load_screens(tmp_path, make_project())
    assert messages(problems) == [
        "twice.yaml:6: 'at' is written twice in symbols[0] (first at line 4); "
        "only the last would count, remove one"
    ]


def test_an_empty_or_unreadable_screen_file_gets_line_1(tmp_path):
    write(tmp_path, "empty.yaml", "")
    (tmp_path / "folder.yaml").mkdir()
    _, problems = load_screens(tmp_path, make_project())
    assert messages(problems) == [
        "empty.yaml:1: the file is empty; a screen file has 'screen:' and 'symbols:'",
        "folder.yaml:1: cannot read the file: it is a folder, not a file",
    ]


def test_a_screen_folder_that_cannot_be_read_says_so(tmp_path, monkeypatch):
    import os

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "listdir", refuse)
    screens, problems = load_screens(tmp_path, make_project())
    assert len(screens) == 0 and len(problems) == 1
    assert problems[0].message.startswith(f"cannot read the folder '{tmp_path}': permission denied")


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("{type: value, at: [0, 0], tag: line1.billet_temp, decimals: 1000000}", "decimals"),
        ("{type: text, at: [0, 0], text: hi, font_size: 1e308}", "font_size: 1e+308 is out"),
        ("{type: sparkline, at: [0, 0], tag: line1.billet_temp, seconds: 0}", "seconds: 0 is"),
        ("{type: pipe, points: [[0, 0], [9, 9]], width: -3}", "width: -3 is out of range"),
    ],
)
def test_numbers_out_of_their_sane_range_are_refused(tmp_path, symbol, expected):
    write(tmp_path, "s.yaml", f"symbols:\n  - {symbol}\n")
    screens, problems = load_screens(tmp_path, make_project())
    assert len(problems) == 1 and expected in problems[0].message, messages(problems)
    assert problems[0].source.line == 2 and screens.get("s").symbols == ()


def test_a_screen_size_out_of_range_is_refused(tmp_path):
    write(tmp_path, "s.yaml", "screen: {size: [1e308, 900]}\nsymbols: []\n")
    _, problems = load_screens(tmp_path, make_project())
    assert messages(problems) == [
        "s.yaml:1: size: width and height must be 10 to 100000, got ['1e308', 900]"
    ]


def test_templates_that_multiply_are_stopped_at_the_symbol_budget(tmp_path):
    # each level uses the one below ten times: 10^6 symbols if nothing stopped it
    text = "templates:\n  t0: {symbols: [{type: frame, at: [0, 0], size: [1, 1]}]}\n"
    for level in range(1, 6):
        uses = ", ".join([f"{{use: t{level - 1}}}"] * 10)
        text += f"  t{level}: {{symbols: [{uses}]}}\n"
    text += "symbols:\n  - {use: t5}\n"
    write(tmp_path, "many.yaml", text)
    screens, problems = load_screens(tmp_path, make_project())
    assert len(problems) == 1 and "more than 10,000 symbols" in problems[0].message
    assert len(screens.get("many").symbols) <= 10_000
