"""Tag files from browsed variables: names, fields, and a file the project loader accepts."""

from __future__ import annotations

import pytest

from drivers.opcua.tagfile import TagFileError, matches, write_tag_file
from hmi.core.checks import check_all

PROJECT = """project:
  name: Tag file test
  lines: {line2: Filling}
devices:
  filler_plc:
    protocol: opcua
    line: line2
    endpoint: opc.tcp://127.0.0.1:4840
"""


def row(path: str, type_: str | None = "float64", **kw) -> dict:
    ident = path.replace("/", ".")
    return {
        "node_id": f"ns=2;s={ident}",
        "browse_path": path,
        "data_type": "Double",
        "type": type_,
        "writable": False,
        "units": "",
        "range": None,
        "max_length": None,
        "description": "",
        **kw,
    }


ROWS = [
    row("Filler/Tank/Level", units="%", range=[0.0, 100.0], description="Tank level"),
    row("Filler/Tank/Temperature", units="°C", description='Product "in" tank\x85'),
    row("Filler/Speed", writable=True, description="Speed"),
    row("Filler/FaultCode", "uint16", data_type="UInt16"),
    row("Filler/Product", "string", data_type="String", max_length=40),
    row("Filler/Note", "string", data_type="LocalizedText"),
    row("Filler/Running", "bool", data_type="Boolean", range=[0.0, 1.0]),
    row("Filler/3rd Axis", "int32"),
    row("Filler/class", "int32"),
    row("Filler/Température", "float32"),
    row("Filler/Tank-Level", "float64"),  # becomes tank_level too: made unique
    row("Filler/Series", None, data_type="Int32[]"),
    row("Filler/Blob", None, data_type="ByteString"),
]


def load(folder, *includes):
    text = PROJECT + "include:\n" + "".join(f"  - {f}\n" for f in includes)
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    return check_all(folder)


@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_the_file_loads_and_keeps_what_the_server_said(tmp_path, suffix):
    project, problems = load(tmp_path)
    assert not problems and project is not None
    target = tmp_path / "tags" / f"filler{suffix}"
    plan, include = write_tag_file(
        project, project.devices["filler_plc"], ROWS, target, ["Filler.*"]
    )
    assert include == f"tags/filler{suffix}"
    assert plan.skipped == [
        ("Filler/Series", "no tag type holds data type Int32[]"),
        ("Filler/Blob", "no tag type holds data type ByteString"),
    ]
    loaded, problems = load(tmp_path, include)
    assert problems == []
    tags = loaded.tags
    assert sorted(tags) == sorted(
        [
            "line2.tank_level",
            "line2.tank_temperature",
            "line2.speed",
            "line2.fault_code",
            "line2.product",
            "line2.note",
            "line2.running",
            "line2.n3rd_axis",
            "line2.class_",
            "line2.température",
            "line2.tank_level_2",
        ]
    )
    level = tags["line2.tank_level"]
    assert (level.units, level.eng_range, level.description) == ("%", (0.0, 100.0), "Tank level")
    assert level.address == "ns=2;s=Filler.Tank.Level" and level.device == "filler_plc"
    assert tags["line2.tank_temperature"].units == "°C"
    assert tags["line2.tank_temperature"].description == 'Product "in" tank'
    assert tags["line2.speed"].writable and tags["line2.speed"].description == ""
    assert not tags["line2.fault_code"].writable
    assert (tags["line2.product"].length, tags["line2.note"].length) == (40, 255)
    assert tags["line2.running"].eng_range is None  # a range is for numbers only
    assert str(tags["line2.fault_code"].data_type) == "uint16"


def test_names_avoid_the_projects_tags_but_not_the_files_own(tmp_path):
    (tmp_path / "other.yaml").write_text(
        'tags:\n  - name: line2.speed\n    expr: "1"\n', encoding="utf-8"
    )
    project, problems = load(tmp_path, "other.yaml")
    assert not problems
    target = tmp_path / "filler.yaml"
    device = project.devices["filler_plc"]
    write_tag_file(project, device, ROWS[:3], target, [])
    assert "name: line2.speed_2\n" in target.read_text(encoding="utf-8")
    project, problems = load(tmp_path, "other.yaml", "filler.yaml")
    assert not problems
    with pytest.raises(TagFileError, match="exists; add --force"):
        write_tag_file(project, device, ROWS[:3], target, [])
    before = target.read_text(encoding="utf-8")
    _, include = write_tag_file(project, device, ROWS[:3], target, [], force=True)
    assert include is None  # included already
    assert "line2.speed_3" not in target.read_text(encoding="utf-8")
    assert before.splitlines()[3:] == target.read_text(encoding="utf-8").splitlines()[3:]

    # a node the project has a tag for elsewhere is left out
    again = tmp_path / "again.yaml"
    with pytest.raises(
        TagFileError, match=r"Level: the project has it already as line2\.tank_level"
    ):
        write_tag_file(project, device, ROWS[:2], again, [])
    assert not again.exists()


def test_no_prefix_and_an_explicit_one(tmp_path):
    project, _ = load(tmp_path)
    device = project.devices["filler_plc"]
    plan, _ = write_tag_file(project, device, ROWS[:1], tmp_path / "a.csv", [], prefix="")
    assert plan.tags[0]["name"] == "level"  # one node: its parent folders are shared
    plan, _ = write_tag_file(project, device, ROWS[:2], tmp_path / "b.csv", [], prefix="l2.tank")
    assert [t["name"] for t in plan.tags] == ["l2.tank.level", "l2.tank.temperature"]


@pytest.mark.parametrize(
    ("pattern", "hit"),
    [
        ("Filler.*", True),
        ("Filler/Tank/*", True),
        ("*Level", True),
        ("ns=2;s=Filler.Tank.Level", True),
        ("Filler.Tank.Level", True),
        ("filler.*", False),  # case matters, as in NodeIds
        ("Tank.*", False),
    ],
)
def test_patterns_match_the_browse_path_or_the_node_id(pattern, hit):
    assert matches(ROWS[0], [pattern]) is hit
