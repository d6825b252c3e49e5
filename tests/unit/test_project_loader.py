"""Loading a project folder: typed fields from a good one, file:line messages for mistakes."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from hmi.core.project import loader
from hmi.core.project import tags as tag_entries
from hmi.core.project.derived import derived_order
from hmi.core.project.durations import parse_duration
from hmi.core.project.loader import Section, check_project, load_project
from hmi.core.project.models import (
    DataType,
    Problem,
    Project,
    ProjectError,
    Scaling,
    ScanClass,
    Source,
    TagConfig,
)

MARK = "# <-"

GOOD_PROJECT = """\
project:
  name: Demo plant
  lines:                       # line id -> display name
    line1: Line 1 - Extrusion press
    line2: Line 2 - Filling line

scan_classes:
  fast: 100ms
  normal: 1s
  slow: 10s
  crawl: 2.5 s

devices:
  press_plc:
    protocol: modbus
    line: line1
    host: 127.0.0.1
    port: 5020
    unit: 1
    timeout: 1s
    retries: 1
    max_gap: 16
    byte_order: big
    word_order: big
  filler_plc:
    protocol: opcua
    line: line2
    description: Filler controller
    endpoint: opc.tcp://127.0.0.1:4840
    security: None
    mode: SignAndEncrypt
    enabled: false

include:
  - tags/press.yaml
  - tags/filler.csv

tags:
  - name: line1.billet_temp
    device: press_plc
    address: hr:100
    type: float32
    units: °C
    range: [0, 600]
    scale: {raw: [0, 6000], eng: [0, 600]}
    deadband: 0.5
    scan: fast
    writable: false
    description: Billet temperature at the container entry
  - name: line1.speed_ratio
    expr: "line1.ram_speed / max(line1.ram_speed_sp, 0.1) * 100"
    units: "%"
    decimals: 1

alarms:
  - tag: line1.billet_temp
    hi: 550
"""

PRESS_TAGS = """\
tags:
  - name: line1.ram_speed
    device: press_plc
    address: hr:10
    type: int16
    range: [0, 50]
    scale: {raw: [0, 500]}
  - name: line1.ram_speed_sp
    device: press_plc
    address: hr:12
    writable: true
    byte_order: little
    word_order: big
  - name: line1.recipe
    device: press_plc
    address: hr:200
    type: string
    length: 16
"""

FILLER_CSV = (
    "name;device;address;type;range_lo;range_hi;deadband;scan\n"
    'line2.speed;filler_plc;"ns=2;s=Filler.Speed";float64;0;120;0,5;slow\n'
)

BASE = """\
project:
  name: Checked
  lines: {line1: Line 1, line2: Line 2}
devices:
  press_plc: {protocol: modbus, line: line1, host: 127.0.0.1}
  filler_plc: {protocol: opcua, line: line2, endpoint: "opc.tcp://127.0.0.1:4840"}
tags:
  - name: line1.ram_speed
    device: press_plc
    address: hr:10
"""


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def marked_line(text: str) -> int:
    """1-based line of the single line that carries the marker comment."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if MARK in line]
    assert len(lines) == 1, f"expected one {MARK!r} marker"
    return lines[0]


def line_in(text: str, fragment: str) -> int:
    """1-based line of the first line of ``text`` that starts with ``fragment``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(fragment))


def good_project(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "project.yaml": GOOD_PROJECT,
            "tags/press.yaml": PRESS_TAGS,
            "tags/filler.csv": FILLER_CSV,
        },
    )


# -- a good project -----------------------------------------------------------------------


def test_good_project_loads_with_typed_fields(tmp_path: Path) -> None:
    project = load_project(good_project(tmp_path))
    assert project.name == "Demo plant"
    assert project.root == str(tmp_path)
    assert project.source == Source("project.yaml")
    assert project.lines == {"line1": "Line 1 - Extrusion press", "line2": "Line 2 - Filling line"}
    assert project.scan_classes == {
        "fast": ScanClass("fast", 0.1),
        "normal": ScanClass("normal", 1.0),
        "slow": ScanClass("slow", 10.0),
        "crawl": ScanClass("crawl", 2.5),
    }

    press = project.devices["press_plc"]
    assert (press.protocol, press.line, press.enabled) == ("modbus", "line1", True)
    assert press.options == {
        "host": "127.0.0.1",
        "port": 5020,
        "unit": 1,
        "timeout": "1s",
        "retries": 1,
        "max_gap": 16,
        "byte_order": "big",
        "word_order": "big",
    }
    assert type(press.options) is dict
    assert press.source == Source("project.yaml", line_in(GOOD_PROJECT, "  press_plc:"))
    filler = project.devices["filler_plc"]
    assert (filler.protocol, filler.enabled, filler.description) == (
        "opcua",
        False,
        "Filler controller",
    )
    assert filler.options["security"] == "None"

    temp = project.tags["line1.billet_temp"]
    assert temp == TagConfig(
        name="line1.billet_temp",
        data_type=DataType.FLOAT32,
        device="press_plc",
        address="hr:100",
        units="°C",
        description="Billet temperature at the container entry",
        eng_range=(0.0, 600.0),
        scaling=Scaling(0.0, 6000.0, 0.0, 600.0),
        deadband=0.5,
        scan_class="fast",
        writable=False,
        source=Source("project.yaml", line_in(GOOD_PROJECT, "  - name: line1.billet_temp")),
    )
    ratio = project.tags["line1.speed_ratio"]
    assert ratio.derived and ratio.device is None and ratio.address == ""
    assert ratio.expr == "line1.ram_speed / max(line1.ram_speed_sp, 0.1) * 100"
    assert (ratio.units, ratio.decimals, ratio.scan_class) == ("%", 1, "normal")

    speed = project.tags["line1.ram_speed"]
    assert speed.data_type is DataType.INT16
    assert speed.scaling == Scaling(0.0, 500.0, 0.0, 50.0)  # eng taken from the range
    assert speed.source == Source("tags/press.yaml", 2)
    setpoint = project.tags["line1.ram_speed_sp"]
    assert setpoint.data_type is DataType.FLOAT32
    assert setpoint.writable is True
    assert setpoint.options == {"byte_order": "little", "word_order": "big"}
    recipe = project.tags["line1.recipe"]
    assert (recipe.data_type, recipe.length) == (DataType.STRING, 16)

    filler_speed = project.tags["line2.speed"]
    assert filler_speed.address == "ns=2;s=Filler.Speed"
    assert filler_speed.deadband == 0.5
    assert filler_speed.scan_class == "slow"
    assert filler_speed.source == Source("tags/filler.csv", 2)

    assert [tag.name for tag in project.device_tags("press_plc")] == [
        "line1.ram_speed",
        "line1.ram_speed_sp",
        "line1.recipe",
        "line1.billet_temp",
    ]


def test_later_sections_are_kept_with_their_lines(tmp_path: Path) -> None:
    project = load_project(good_project(tmp_path))
    alarms = project.extra["alarms"]
    assert isinstance(alarms, Section)
    alarms_line = line_in(GOOD_PROJECT, "alarms:")
    assert alarms.source == Source("project.yaml", alarms_line)
    assert alarms.data[0]["hi"] == 550
    assert alarms.source_at(0, "hi") == Source("project.yaml", alarms_line + 2)
    assert alarms.source_at(5, "nothing") == Source("project.yaml", alarms_line + 1)  # the list


def test_sections_named_by_the_caller_are_kept_too(tmp_path: Path) -> None:
    text = BASE.replace("tags:\n", "recipes:\n  - {name: R1}\nalarms: []\ntags:\n", 1)
    root = write(tmp_path, {"project.yaml": text})
    project, problems = check_project(root)
    assert [p.message for p in problems] == ["unknown section 'recipes'; no section has that name"]
    assert project is not None and "recipes" not in project.extra
    project, problems = check_project(root, sections=["recipes"])
    assert problems == []
    assert project is not None and set(project.extra) == {"recipes", "alarms"}
    recipes = project.extra["recipes"]
    assert recipes == Section("recipes", [{"name": "R1"}], Source("project.yaml", 7))
    assert recipes.source_at(0) == Source("project.yaml", 8)
    project, problems = check_project(
        write(tmp_path, {"project.yaml": text.replace("recip", "recep")}), sections=("recipes",)
    )
    assert [p.message for p in problems] == ["unknown section 'recepes'; did you mean 'recipes'?"]


def test_the_project_file_path_works_as_well_as_its_folder(tmp_path: Path) -> None:
    root = good_project(tmp_path)
    by_file = load_project(root / "project.yaml")
    by_folder = load_project(str(root))
    assert by_file.tags == by_folder.tags
    assert list(by_file.tags) == list(by_folder.tags)


def test_derived_order_puts_inputs_first(tmp_path: Path) -> None:
    text = BASE + textwrap.indent(
        textwrap.dedent(
            """\
            - name: c
              expr: b + a
            - name: a
              expr: line1.ram_speed * 2
            - name: b
              expr: a + 1
            - name: d
              expr: "1"
            """
        ),
        "  ",
    )
    project = load_project(write(tmp_path, {"project.yaml": text}))
    assert derived_order(project) == ["a", "b", "c", "d"]
    assert loader.derived_order is derived_order


def test_derived_order_refuses_a_hand_built_loop() -> None:
    project = Project(
        name="p",
        root=".",
        tags={
            "a": TagConfig("a", expr="b + 1", source=Source("x.yaml", 3)),
            "b": TagConfig("b", expr="a * 2", source=Source("x.yaml", 5)),
        },
    )
    with pytest.raises(ProjectError) as caught:
        derived_order(project)
    assert "a (x.yaml:3) -> b (x.yaml:5) -> a" in str(caught.value)


def test_an_empty_project_file_is_an_empty_project(tmp_path: Path) -> None:
    project = load_project(write(tmp_path / "plant_a", {"project.yaml": ""}))
    assert project.name == "plant_a"
    assert project.tags == {} and project.devices == {}
    assert set(project.scan_classes) == {"fast", "normal", "slow"}


def test_include_patterns_and_utf8_bom_yaml(tmp_path: Path) -> None:
    text = BASE.replace("tags:\n", "include: ['tags/*.yaml']\ntags:\n")
    files = {
        "project.yaml": text,
        "tags/a.yaml": "\ufefftags:\n  - {name: a1, device: press_plc, address: hr:1}\n",
        "tags/b.yaml": "tags:\n  - {name: b1, expr: a1 + 1}\n",
    }
    project = load_project(write(tmp_path, files))
    assert {"a1", "b1"} <= set(project.tags)
    assert project.tags["b1"].source == Source("tags/b.yaml", 2)


# -- one mistake at a time ---------------------------------------------------------------

TAG_MISTAKES = {
    "unknown device": (
        """\
        - name: t
          device: pres_plc  # <-
          address: hr:1
        """,
        "tag 't': unknown device 'pres_plc' (devices: press_plc, filler_plc)",
    ),
    "missing address": (
        """\
        - name: t  # <-
          device: press_plc
        """,
        "tag 't': device tag needs an address",
    ),
    "empty address": (
        """\
        - name: t
          device: press_plc
          address: ""  # <-
        """,
        "tag 't': device tag needs an address",
    ),
    "neither device nor expr": (
        """\
        - name: t  # <-
          units: mm
        """,
        "give a device and an address (a device tag) or an expr (a derived tag)",
    ),
    "address for a derived tag": (
        """\
        - name: t
          expr: line1.ram_speed * 2
          address: hr:4  # <-
        """,
        "tag 't': address given for a derived tag",
    ),
    "device for a derived tag": (
        """\
        - name: t
          device: press_plc  # <-
          expr: line1.ram_speed * 2
        """,
        "a derived tag (with expr) has no device",
    ),
    "wrong type": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          type: flaot32  # <-
        """,
        "type 'flaot32' unknown; did you mean 'float32'? use one of bool, int16",
    ),
    "range lo above hi": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          range: [600, 0]  # <-
        """,
        "range [600, 0]: lo must be below hi",
    ),
    "range lo equal hi": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          range: [5, 5]  # <-
        """,
        "range [5, 5]: lo must be below hi",
    ),
    "range not a pair": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          range: [0, high]  # <-
        """,
        "range: expected two numbers [lo, hi], got [0, 'high']",
    ),
    "scale raw lo equal hi": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          scale:
            raw: [5, 5]  # <-
            eng: [0, 100]
        """,
        "scale raw lo and hi are both 5; they must differ",
    ),
    "scale without eng or range": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          scale: {raw: [0, 100]}  # <-
        """,
        "scale needs eng: [lo, hi] or a tag range",
    ),
    "unknown scale field": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          range: [0, 1]
          scale:
            raw: [0, 10]
            engineering: [0, 1]  # <-
        """,
        "unknown field 'engineering'",
    ),
    "scale on a bool": (
        """\
        - name: t
          device: press_plc
          address: co:1
          type: bool
          scale: {raw: [0, 1], eng: [0, 10]}  # <-
        """,
        "scale is only for numeric tags (type is bool)",
    ),
    "unknown scan class": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          scan: fsat  # <-
        """,
        "tag 't': unknown scan class 'fsat'; did you mean 'fast'?",
    ),
    "deadband not a number": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          deadband: abc  # <-
        """,
        "tag 't': deadband: expected a number, got 'abc'",
    ),
    "negative deadband": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          deadband: -1  # <-
        """,
        "deadband -1 is negative; use 0 or more",
    ),
    "writable not a flag": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          writable: perhaps  # <-
        """,
        "writable: expected true or false, got 'perhaps'",
    ),
    "decimals out of range": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          decimals: 40  # <-
        """,
        "decimals: expected a whole number 0..15, got 40",
    ),
    "units given a list": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          units: [mm]  # <-
        """,
        "units: expected text, got ['mm']",
    ),
    "byte order": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          byte_order: middle  # <-
        """,
        "byte_order: expected big or little, got 'middle'",
    ),
    "string without length": (
        """\
        - name: t  # <-
          device: press_plc
          address: hr:1
          type: string
        """,
        "a string tag needs its length in characters",
    ),
    "length on a number": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          length: 8  # <-
        """,
        "length is only for string tags (type is float32)",
    ),
    "unknown field": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          unit: mm  # <-
        """,
        "tag 't': unknown field 'unit'; did you mean 'units'?",
    ),
    "same key twice": (
        """\
        - name: t
          device: press_plc
          address: hr:1
          units: mm
          units: m  # <-
        """,
        "'units' is written twice in tags[1] (first at line",
    ),
    "duplicate tag": (
        """\
        - name: line1.ram_speed  # <-
          device: press_plc
          address: hr:11
        """,
        "tag 'line1.ram_speed': duplicate tag name; the first one is at project.yaml:8",
    ),
    "invalid name": (
        """\
        - name: line1.3rd_stand  # <-
          device: press_plc
          address: hr:11
        """,
        "tag name 'line1.3rd_stand' is not valid",
    ),
    "reserved word in name": (
        """\
        - name: line1.if  # <-
          device: press_plc
          address: hr:11
        """,
        "'if' is a reserved word",
    ),
    "function name as tag name": (
        """\
        - name: max  # <-
          device: press_plc
          address: hr:11
        """,
        "tag name 'max' is the name of a function",
    ),
    "no name": (
        """\
        - device: press_plc  # <-
          address: hr:11
        """,
        "a tag needs a name",
    ),
    "not a mapping": (
        """\
        - line1.speed  # <-
        """,
        "a tag must be a mapping such as 'name: line1.speed', got 'line1.speed'",
    ),
    "expression syntax": (
        """\
        - name: t
          expr: "line1.ram_speed +* 2"  # <-
        """,
        "tag 't': expr: syntax error at column 18",
    ),
    "expression function": (
        """\
        - name: t
          expr: "open('/etc/passwd')"  # <-
        """,
        "tag 't': expr: unknown function 'open' at column 1",
    ),
    "expression attribute": (
        """\
        - name: t
          expr: "line1.ram_speed.__class__"  # <-
        """,
        "name 'line1.ram_speed.__class__' is not allowed",
    ),
    "expression unknown tag": (
        """\
        - name: t
          expr: line1.ram_sped * 2  # <-
        """,
        "tag 't': expr reads unknown tag 'line1.ram_sped'; did you mean 'line1.ram_speed'?",
    ),
    "derived writable": (
        """\
        - name: t
          expr: line1.ram_speed * 2
          writable: true  # <-
        """,
        "a derived tag cannot be writable",
    ),
    "derived self loop": (
        """\
        - name: t  # <-
          expr: t + 1
        """,
        "derived tags read each other in a loop: t (project.yaml:11) -> t",
    ),
    "derived loop": (
        """\
        - name: a  # <-
          expr: b + 1
        - name: b
          expr: c * 2
        - name: c
          expr: a - line1.ram_speed
        """,
        "loop: a (project.yaml:11) -> b (project.yaml:13) -> c (project.yaml:15) -> a",
    ),
}


@pytest.mark.parametrize("case", TAG_MISTAKES, ids=list(TAG_MISTAKES))
def test_each_tag_mistake_is_reported_at_its_line(tmp_path: Path, case: str) -> None:
    snippet, phrase = TAG_MISTAKES[case]
    text = BASE + textwrap.indent(textwrap.dedent(snippet), "  ")
    project, problems = check_project(write(tmp_path, {"project.yaml": text}))
    assert project is not None
    assert len(problems) == 1, problems
    assert problems[0].source == Source("project.yaml", marked_line(text))
    assert phrase in problems[0].message
    assert "line1.ram_speed" in project.tags
    if case != "same key twice":  # there the later value is used, as YAML says
        assert "t" not in project.tags  # a broken tag never reaches the engine


PROJECT_MISTAKES = {
    "bad duration": (
        """\
        scan_classes:
          fast: 100 parsecs  # <-
        """,
        "scan class 'fast': unknown unit 'parsecs' in '100 parsecs'; use one of",
    ),
    "duration not a duration": (
        """\
        scan_classes:
          fast: quick  # <-
        """,
        "expected a duration (e.g. 100ms, 1s, 2.5 s, 1m), got 'quick'",
    ),
    "zero duration": (
        """\
        scan_classes:
          fast: 0s  # <-
        """,
        "scan class 'fast': 0s is too short; use 10ms to 1 day",
    ),
    "scan period too short": (
        """\
        scan_classes:
          fast: 1e-9s  # <-
        """,
        "scan class 'fast': 1e-9s is too short; use 10ms to 1 day, e.g. 100ms",
    ),
    "scan period too long": (
        """\
        scan_classes:
          slow: 1e308s  # <-
        """,
        "scan class 'slow': 1e308s is too long",
    ),
    "duplicate device": (
        """\
        devices:
          press_plc: {protocol: modbus}
          press_plc: {protocol: opcua}  # <-
        """,
        "duplicate device 'press_plc'; the first one is at line 2",
    ),
    "device without protocol": (
        """\
        devices:
          press_plc:  # <-
            protocl: modbus
        """,
        "device 'press_plc': protocol is missing, e.g. 'protocol: modbus'; is 'protocl'",
    ),
    "device not a mapping": (
        """\
        devices:
          press_plc: modbus  # <-
        """,
        "device 'press_plc': expected settings such as 'protocol: modbus', got 'modbus'",
    ),
    "devices not a mapping": (
        """\
        devices:  # <-
          - press_plc
        """,
        "devices: expected a mapping of device name -> settings, got ['press_plc']",
    ),
    "device on an unknown line": (
        """\
        project:
          lines: {line1: Line 1}
        devices:
          press_plc:
            protocol: modbus
            line: line3  # <-
        """,
        "device 'press_plc': unknown line 'line3' (lines: line1)",
    ),
    "device enabled not a flag": (
        """\
        devices:
          press_plc:
            protocol: modbus
            enabled: sometimes  # <-
        """,
        "enabled: expected true or false, got 'sometimes'",
    ),
    "unknown section": (
        """\
        tag:  # <-
          - name: x
        """,
        "unknown section 'tag'; did you mean 'tags'?",
    ),
    "unknown project field": (
        """\
        project:
          name: P
          colour: grey  # <-
        """,
        "project: unknown field 'colour'; the fields are name, lines",
    ),
    "lines not a mapping": (
        """\
        project:
          lines: [line1, line2]  # <-
        """,
        "project: lines: expected a mapping of line id -> display name",
    ),
    "tags not a list": (
        """\
        tags:  # <-
          name: x
        """,
        "tags: expected a list of tags (- name: ...), got {'name': 'x'}",
    ),
    "include file missing": (
        """\
        include:
          - tags/pres.yaml  # <-
        """,
        "include file 'tags/pres.yaml' not found; did you mean 'tags/press.yaml'?",
    ),
    "include pattern matches nothing": (
        """\
        include:
          - tags/*.xlsx  # <-
        """,
        "include 'tags/*.xlsx' matches no file",
    ),
    "include of another kind of file": (
        """\
        include:
          - tags/readme.txt  # <-
        """,
        "include 'tags/readme.txt': use a .yaml, .yml or .csv tag file",
    ),
    "include twice": (
        """\
        include:
          - tags/press.yaml
          - tags/../tags/press.yaml  # <-
        """,
        "'tags/press.yaml' is already included at project.yaml:2",
    ),
    "include of the project itself": (
        """\
        include:
          - project.yaml  # <-
        """,
        "a project cannot include its own project.yaml",
    ),
    "yaml syntax": (
        """\
        devices:
          press_plc: {protocol: modbus  # <-
        tags: []
        """,
        "YAML syntax error: the '{' opened here is not closed: a ',' or '}' is missing "
        "(YAML read on to line 3)",
    ),
    "tab indentation": (
        "devices:\n\tpress_plc: {protocol: modbus}  # <-\n",
        "YAML does not allow tabs for indentation; indent with spaces",
    ),
}


@pytest.mark.parametrize("case", PROJECT_MISTAKES, ids=list(PROJECT_MISTAKES))
def test_each_project_mistake_is_reported_at_its_line(tmp_path: Path, case: str) -> None:
    snippet, phrase = PROJECT_MISTAKES[case]
    text = textwrap.dedent(snippet)
    files = {
        "project.yaml": text,
        "tags/press.yaml": "tags: []\n",
        "tags/readme.txt": "not tags\n",
    }
    _, problems = check_project(write(tmp_path, files))
    assert len(problems) == 1, problems
    assert problems[0].source == Source("project.yaml", marked_line(text))
    assert phrase in problems[0].message


def test_a_yaml_syntax_error_in_the_project_file_gives_no_project(tmp_path: Path) -> None:
    project, problems = check_project(write(tmp_path, {"project.yaml": "devices: [a\n"}))
    assert project is None
    assert problems[0].source.file == "project.yaml"
    assert problems[0].source.line == 1  # where the '[' was opened, not where YAML gave up
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path)
    assert caught.value.problems == problems


@pytest.mark.parametrize(
    ("files", "file", "line", "phrase"),
    [
        (
            {"tags/press.yaml": "tags:\n  - name: a\n    device: press_plc\n   address: x\n"},
            "tags/press.yaml",
            4,
            "YAML syntax error",
        ),
        (
            {"tags/press.yaml": "tag:\n  - {name: a, device: press_plc, address: x}\n"},
            "tags/press.yaml",
            1,
            "unknown section 'tag' in a tag file; did you mean 'tags'?",
        ),
        (
            {"tags/press.yaml": "- {name: a, device: press_plc, address: x}\n"},
            "tags/press.yaml",
            1,
            "a tag file must start with 'tags:' followed by the list of tags",
        ),
        (
            {"tags/press.yaml": b"tags:\n  - name: a\n    units: \xb0C\n"},
            "tags/press.yaml",
            3,
            "not UTF-8 text (byte 0xb0); save the file as UTF-8",
        ),
    ],
)
def test_mistakes_in_included_files_name_that_file(
    tmp_path: Path, files: dict, file: str, line: int, phrase: str
) -> None:
    text = BASE.replace("tags:\n", "include: [tags/press.yaml]\ntags:\n")
    project, problems = check_project(write(tmp_path, {"project.yaml": text, **files}))
    assert project is not None
    assert len(problems) == 1, problems
    assert problems[0].source == Source(file, line)
    assert phrase in problems[0].message


def test_a_missing_folder_or_project_file(tmp_path: Path) -> None:
    project, problems = check_project(tmp_path / "nowhere")
    assert project is None
    assert "does not exist; give a project folder or its project.yaml" in problems[0].message
    project, problems = check_project(tmp_path)
    assert project is None
    assert "no project.yaml in this folder" in problems[0].message


# -- everything at once, and nothing unexpected ------------------------------------------


def test_every_mistake_is_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = BASE.replace("tags:\n", "include: [tags/extra.yaml, tags/more.csv]\ntags:\n") + (
        "  - name: bad\n"
        "    device: press_plc\n"
        "    address: hr:2\n"
        "    type: real\n"
        "    deadband: -2\n"
        "    scan: fsat\n"
    )
    files = {
        "project.yaml": text,
        "tags/extra.yaml": "tags:\n  - {name: e, expr: 'nope + 1'}\n",
        "tags/more.csv": "name,device,address\nm,ghost_plc,hr:1\n",
    }
    project, problems = check_project(write(tmp_path, files))
    assert project is not None
    where = [(p.source.file, p.source.line) for p in problems]
    assert where == [
        ("project.yaml", 15),
        ("project.yaml", 16),
        ("project.yaml", 17),
        ("tags/extra.yaml", 2),
        ("tags/more.csv", 2),
    ]
    messages = " | ".join(p.message for p in problems)
    for phrase in (
        "type 'real' unknown",
        "deadband -2 is negative",
        "unknown scan class 'fsat'",
        "expr reads unknown tag 'nope'",
        "unknown device 'ghost_plc'",
    ):
        assert phrase in messages
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path)
    assert len(caught.value.problems) == 5
    assert str(caught.value).splitlines()[0].startswith("project.yaml:15: tag 'bad': type")


def test_an_unexpected_failure_becomes_a_problem_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(text: str) -> None:
        raise RuntimeError("compiler exploded")

    monkeypatch.setattr(tag_entries, "compile_expr", explode)
    text = BASE + "  - {name: t, expr: line1.ram_speed}\n"
    project, problems = check_project(write(tmp_path, {"project.yaml": text}))
    assert project is not None
    assert "line1.ram_speed" in project.tags  # the rest was still read
    assert len(problems) == 1
    assert problems[0].source == Source("project.yaml", 11)
    assert "a fault in Linea HMI (compiler exploded)" in problems[0].message
    assert "RuntimeError" not in problems[0].message  # no Python words for the engineer


def test_validators_see_the_checked_project_and_add_their_problems(tmp_path: Path) -> None:
    seen: list[Project] = []

    def validate(project: Project) -> list[Problem]:
        seen.append(project)
        tag = project.tags["line1.ram_speed"]
        return [Problem(tag.source, f"tag '{tag.name}': address '{tag.address}' is odd")]

    project, problems = check_project(write(tmp_path, {"project.yaml": BASE}), validate)
    assert seen == [project]
    assert [str(p) for p in problems] == [
        "project.yaml:8: tag 'line1.ram_speed': address 'hr:10' is odd"
    ]


def test_a_failing_validator_is_reported(tmp_path: Path) -> None:
    def validate(project: Project) -> list[Problem]:
        raise KeyError("modbus")

    _, problems = check_project(write(tmp_path, {"project.yaml": BASE}), validate)
    assert len(problems) == 1
    message = problems[0].message
    assert "could not read the protocol checks: a fault in Linea HMI ('modbus')" in message


# -- durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("100ms", 0.1),
        ("1s", 1.0),
        ("2.5 s", 2.5),
        ("1m", 60.0),
        ("1.5min", 90.0),
        ("1h", 3600.0),
        ("250us", 0.00025),
        ("3", 3.0),
        (3, 3.0),
        (0.25, 0.25),
        (" 10 S ", 10.0),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("fast", "expected a duration"),
        ("10 parsecs", "unknown unit 'parsecs'"),
        ("-1s", "is negative"),
        (True, "expected a duration"),
        ([1], "expected a duration"),
        (float("inf"), "not a finite number"),
    ],
)
def test_bad_durations(value: object, phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        parse_duration(value)


# -- what one unreadable file must not cause, and how it is said ------------------------


def demo_copy(tmp_path: Path) -> Path:
    from tests.fuzz.mutations import copy_demo

    return copy_demo(tmp_path / "demo")


def new_problems(root: Path, baseline: list[Problem]) -> list[str]:
    """Every problem of the project at ``root`` that the unbroken demo does not have."""
    from hmi.core.checks import check_all

    before = {str(problem) for problem in baseline}
    return [str(problem) for problem in check_all(root)[1] if str(problem) not in before]


@pytest.fixture
def demo_baseline(tmp_path: Path) -> list[Problem]:
    from hmi.core.checks import check_all

    return check_all(demo_copy(tmp_path / "clean"))[1]


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (
            lambda path: path.write_text("tags:\n  - name: 'open\n", encoding="utf-8"),
            "tags/press.yaml:2: YAML syntax error: the quote opened here is never closed",
        ),
        (
            lambda path: path.write_bytes(b"tags:\n  - name: \xff\n"),
            "tags/press.yaml:2: not UTF-8 text (byte 0xff); save the file as UTF-8",
        ),
        (
            lambda path: (path.unlink(), path.mkdir()),
            "project.yaml:INCLUDE: include 'tags/press.yaml' is a folder; name the tag files",
        ),
        (
            lambda path: path.unlink(),
            "project.yaml:INCLUDE: include file 'tags/press.yaml' not found",
        ),
        (
            lambda path: path.write_text("tgas:\n  - name: a\n", encoding="utf-8"),
            "tags/press.yaml:1: unknown section 'tgas' in a tag file; did you mean 'tags'?",
        ),
    ],
    ids=["syntax", "not utf-8", "a folder", "missing", "misspelt section"],
)
def test_an_unreadable_tag_file_is_one_problem_not_one_per_tag_it_held(
    tmp_path: Path, demo_baseline: list[Problem], break_it, expected: str
) -> None:
    root = demo_copy(tmp_path)
    break_it(root / "tags" / "press.yaml")
    include = line_in((root / "project.yaml").read_text(encoding="utf-8"), "  - tags/press.yaml")
    # derived tags, alarms, history, trends and screens all name the press's tags: none of
    # them says "unknown tag", which would only point away from the real problem
    found = new_problems(root, demo_baseline)
    assert len(found) == 1 and found[0].startswith(expected.replace("INCLUDE", str(include)))


def test_a_tag_file_that_cannot_be_read_for_permissions_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_baseline: list[Problem]
) -> None:
    root = demo_copy(tmp_path)
    locked = root / "tags" / "press.yaml"
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert new_problems(root, demo_baseline) == [
        "tags/press.yaml:1: cannot read the file: permission denied; "
        "let the user who runs Linea HMI read it"
    ]


def test_a_refused_tag_is_reported_once_not_again_where_it_is_used(
    tmp_path: Path, demo_baseline: list[Problem]
) -> None:
    root = demo_copy(tmp_path)
    press = root / "tags" / "press.yaml"
    text = press.read_text(encoding="utf-8")
    broken = text.replace("type: float32", "type: flaot32", 1)
    assert broken != text
    press.write_text(broken, encoding="utf-8")
    found = new_problems(root, demo_baseline)
    assert len(found) == 1 and "type 'flaot32' unknown; did you mean 'float32'?" in found[0]


def test_a_refused_scan_class_is_reported_once_not_for_each_tag(tmp_path: Path) -> None:
    text = BASE.replace("tags:\n", "scan_classes:\n  quick: 1e-9s  # <-\ntags:\n")
    text += "".join(
        f"  - {{name: t{i}, device: press_plc, address: 'hr:{i}', scan: quick}}\n"
        for i in range(20)
    )
    project, problems = check_project(write(tmp_path, {"project.yaml": text}))
    assert [str(p) for p in problems] == [
        f"project.yaml:{marked_line(text)}: scan class 'quick': 1e-9s is too short; "
        "use 10ms to 1 day, e.g. 100ms"
    ]
    assert project is not None and "t0" not in project.tags


def test_a_project_folder_that_cannot_be_read_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"project.yaml": BASE})
    is_file = Path.is_file

    def refuse(path: Path) -> bool:
        if path.parent == tmp_path:
            raise PermissionError(13, "Permission denied", str(tmp_path))
        return is_file(path)

    monkeypatch.setattr(Path, "is_file", refuse)
    project, problems = check_project(tmp_path)
    assert project is None
    assert [str(p) for p in problems] == [
        f"{tmp_path}: cannot read the folder {tmp_path}: permission denied; "
        "let the user who runs Linea HMI read it"
    ]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads all")
def test_files_and_folders_without_read_permission_say_so(tmp_path: Path) -> None:
    write(tmp_path, {"project.yaml": BASE + "include: [tags/a.yaml]\n", "tags/a.yaml": "tags: []"})
    (tmp_path / "tags" / "a.yaml").chmod(0)
    try:
        _, problems = check_project(tmp_path)
    finally:
        (tmp_path / "tags" / "a.yaml").chmod(0o644)
    assert [str(p) for p in problems] == [
        "tags/a.yaml:1: cannot read the file: permission denied; "
        "let the user who runs Linea HMI read it"
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"project.yaml": ""}, []),  # an empty project is a project
        ({"project.yaml": "include: [t.csv]\n", "t.csv": ""}, ["t.csv:1: the CSV file is empty"]),
        ({"project.yaml": "tags: 5\n"}, ["project.yaml:1: tags: expected a list of tags"]),
    ],
)
def test_an_empty_or_useless_file_gets_line_1(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    _, problems = check_project(write(tmp_path, files))
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected, strict=True):
        assert str(problem).startswith(start)


def test_an_internal_fault_names_no_python_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object) -> None:
        raise KeyError("devices")

    monkeypatch.setattr(loader.ProjectReader, "read_scan_classes", explode)
    text = BASE.replace("tags:\n", "scan_classes: {fast: 100ms}\ntags:\n")
    _, problems = check_project(write(tmp_path, {"project.yaml": text}))
    assert [p.source.line for p in problems] == [line_in(text, "scan_classes")]
    assert "KeyError" not in problems[0].message
    assert "a fault in Linea HMI ('devices')" in problems[0].message


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ([1], "expected a duration (e.g. 100ms, 1s, 2.5 s, 1m), got [1]"),
        ({"a": 1}, "got {'a': 1}"),
        ("9" * 500 + "s", "..."),
    ],
)
def test_a_wrong_duration_is_named_as_written_and_short(value: object, phrase: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(value)
    assert phrase in str(caught.value) and len(str(caught.value)) < 300
    assert "list" not in str(caught.value) and "dict" not in str(caught.value)


def test_durations_of_every_section_are_checked_against_their_range(tmp_path: Path) -> None:
    from hmi.core.checks import check_all

    text = BASE + (
        "alarms:\n"
        "  - tag: line1.ram_speed\n"
        "    hi: 20\n"
        "    on_delay: 1e308s  # <- on_delay\n"
        "    rate: {hi: 2, per: 1e-9s}  # <- per\n"
        "historian:\n"
        "  tags:\n"
        "    line1.ram_speed: {mode: interval, interval: 1e308s}  # <- interval\n"
        "trends:\n"
        "  - name: Speed\n"
        "    span: 1e308s  # <- span\n"
        "    pens: [line1.ram_speed]\n"
    )
    _, problems = check_all(write(tmp_path, {"project.yaml": text}))
    marked = {
        n: line.split(MARK)[1].strip()
        for n, line in enumerate(text.splitlines(), 1)
        if MARK in line
    }
    assert {p.source.line: p.message for p in problems}.keys() == marked.keys(), problems
    for problem in problems:
        key = marked[problem.source.line]
        assert f"{key}: 1e" in problem.message or f"{key} 1e" in problem.message, problem
        assert "too long" in problem.message or "too short" in problem.message, problem


@pytest.mark.parametrize(
    ("pattern", "phrase"),
    [
        ("/**/*.yaml", "'**' searches inside the project folder only"),
        ("../**/*.yaml", "'**' searches inside the project folder only"),
        ("/nowhere-at-all/*.yaml", "include '/nowhere-at-all/*.yaml' matches no file"),
    ],
)
def test_an_include_pattern_never_searches_the_whole_disk(
    tmp_path: Path, pattern: str, phrase: str
) -> None:
    text = BASE + f'include:\n  - "{pattern}"  # <-\n'
    _, problems = check_project(write(tmp_path, {"project.yaml": text}))
    assert [p.source.line for p in problems] == [marked_line(text)]
    assert phrase in problems[0].message


def test_an_absolute_include_pattern_is_read(tmp_path: Path) -> None:
    shared = write(tmp_path / "shared", {"a.yaml": "tags:\n  - {name: s.a, expr: '1'}\n"})
    project_dir = tmp_path / "plant"
    write(project_dir, {"project.yaml": BASE + f"include: ['{shared.as_posix()}/*.yaml']\n"})
    project, problems = check_project(project_dir)
    assert problems == [] and project is not None and "s.a" in project.tags


def test_a_pattern_that_names_too_many_files_is_refused(tmp_path: Path) -> None:
    from hmi.core.project.includes import MAX_INCLUDED

    files = {f"tags/t{i}.yaml": "tags: []\n" for i in range(MAX_INCLUDED + 1)}
    text = BASE + "include: ['tags/*.yaml']  # <-\n"
    _, problems = check_project(write(tmp_path, {"project.yaml": text, **files}))
    assert [str(p) for p in problems] == [
        f"project.yaml:{marked_line(text)}: include 'tags/*.yaml' matches more than "
        f"{MAX_INCLUDED} files"
    ]
