"""CSV tag lists as saved by a spreadsheet, read alone and through a project."""

from __future__ import annotations

from pathlib import Path

from hmi.core.project.csvtags import parse_csv_tags, read_csv_tags
from hmi.core.project.loader import check_project
from hmi.core.project.models import DataType, Scaling
from hmi.core.project.tagfields import CSV_COLUMNS, CSV_PAIRS, TAG_FIELDS


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_comma_file_with_case_insensitive_header_blank_and_comment_rows() -> None:
    text = (
        "# exported from the press tag list\n"
        "Name, DEVICE ,Address,Type,Range_Lo,range_hi,Raw Lo,raw_hi,Writable\n"
        "\n"
        "line1.temp,press_plc,hr:100,float32,0,600,0,6000,yes\n"
        "# line1.old,press_plc,hr:1\n"
        ",,,,,,,,\n"
        'line1.mode,press_plc,"hr:5.3",bool,,,,,\n'
    )
    rows, problems = parse_csv_tags(text, "tags/press.csv")
    assert problems == []
    assert [row.source.line for row in rows] == [4, 7]
    assert all(row.source.file == "tags/press.csv" for row in rows)
    assert rows[0].fields == {
        "name": "line1.temp",
        "device": "press_plc",
        "address": "hr:100",
        "type": "float32",
        "range": ["0", "600"],
        "scale": {"raw": ["0", "6000"]},
        "writable": "yes",
    }
    assert rows[1].fields == {
        "name": "line1.mode",
        "device": "press_plc",
        "address": "hr:5.3",
        "type": "bool",
    }


def test_semicolon_file_with_bom_quotes_and_decimal_commas(tmp_path: Path) -> None:
    content = (
        "name;device;address;type;range_lo;range_hi;deadband;description\n"
        'line2.speed;filler_plc;"ns=2;s=Filler.Speed";float32;0;1,5;0,05;"Speed; measured"\n'
        'line2.note;filler_plc;"ns=2;s=Note";string;;;;"two\nlines"\n'
        "line2.count;filler_plc;ns=2;i=7;uint32;0;10;1;Bottle counter\n"
    )
    path = write_bytes(tmp_path / "filler.csv", "\ufeff".encode() + content.encode())
    rows, problems = read_csv_tags(path, "filler.csv")
    assert rows[0].fields["name"] == "line2.speed"  # the BOM is not part of the first column
    assert rows[0].fields["address"] == "ns=2;s=Filler.Speed"
    assert rows[0].fields["range"] == ["0", "1.5"]
    assert rows[0].fields["deadband"] == "0.05"
    assert rows[0].fields["description"] == "Speed; measured"
    assert rows[1].fields["description"] == "two\nlines"
    assert [row.source.line for row in rows] == [2, 3]
    # an unquoted ';' inside an address splits the cell: reported on the row's own line
    assert len(problems) == 1
    assert problems[0].source.line == 5
    assert "9 cells but the header names 8 columns" in problems[0].message
    assert "'Bottle counter'" in problems[0].message


def test_excel_separator_hint_line_is_honoured() -> None:
    rows, problems = parse_csv_tags("sep=;\nname;expr\ntotal;a + b\n", "t.csv")
    assert problems == []
    assert rows[0].fields == {"name": "total", "expr": "a + b"}
    assert rows[0].source.line == 3


def test_header_mistakes_are_reported_on_the_header_line() -> None:
    rows, problems = parse_csv_tags("\n\nname,unit,device,name\nx,mm,plc,y\n", "t.csv")
    messages = [(p.source.line, p.message) for p in problems]
    assert (3, "unknown column 'unit' (column 2); did you mean 'units'?") in messages
    assert any(line == 3 and "column 'name' appears twice" in m for line, m in messages)
    assert rows[0].fields == {"name": "x", "device": "plc"}


def test_missing_name_column_or_empty_file() -> None:
    rows, problems = parse_csv_tags("device,address\nplc,hr:1\n", "t.csv")
    assert rows == []
    assert problems[0].source.line == 1
    assert "no 'name' column" in problems[0].message
    rows, problems = parse_csv_tags("# only a comment\n\n", "t.csv")
    assert rows == []
    assert "the CSV file is empty" in problems[0].message


def test_half_given_pairs_name_the_missing_column() -> None:
    text = "name,range_lo,range_hi,raw_lo,raw_hi\na,0,,,\nb,,,,100\nc,0,1,0,10\n"
    rows, problems = parse_csv_tags(text, "t.csv")
    assert [(p.source.line, p.message) for p in problems] == [
        (2, "'range_lo' is given but 'range_hi' is empty; give both or neither"),
        (3, "'raw_hi' is given but 'raw_lo' is empty; give both or neither"),
    ]
    assert [row.fields["name"] for row in rows] == ["c"]


def test_a_file_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "t.csv", b"name;units\nline1.temp;\xb0C\n")
    rows, problems = read_csv_tags(path, "t.csv")
    assert rows == []
    assert problems[0].source.line == 2
    assert "not UTF-8" in problems[0].message
    assert "CSV UTF-8" in problems[0].message


PROJECT = """\
project:
  name: CSV plant
  lines: {line2: Line 2}
devices:
  filler_plc: {protocol: opcua, line: line2, endpoint: "opc.tcp://127.0.0.1:4840"}
include:
  - tags/filler.csv
"""


def make_project(tmp_path: Path, csv_bytes: bytes) -> Path:
    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    write_bytes(tmp_path / "tags" / "filler.csv", csv_bytes)
    return tmp_path


def test_csv_tags_load_into_typed_tags(tmp_path: Path) -> None:
    csv_text = (
        "Name;Device;Address;Type;Units;Range_lo;Range_hi;Raw_lo;Raw_hi;Deadband;Scan;"
        "Writable;Decimals;Description;Byte_order;Word_order;Length\n"
        '# line 2 filler\nline2.speed;filler_plc;"ns=2;s=Speed";float64;bpm;0;120;0;1200;0,5;fast;'
        "ja;1;Filling speed;little;big;\n"
        'line2.batch;filler_plc;"ns=2;s=Batch";string;;;;;;;;;;;;;16\n'
    )
    csv_text = csv_text.replace("ja", "x")
    project, problems = check_project(make_project(tmp_path, "\ufeff".encode() + csv_text.encode()))
    assert problems == []
    assert project is not None
    speed = project.tags["line2.speed"]
    assert speed.data_type is DataType.FLOAT64
    assert speed.device == "filler_plc"
    assert speed.address == "ns=2;s=Speed"
    assert speed.units == "bpm"
    assert speed.eng_range == (0.0, 120.0)
    assert speed.scaling == Scaling(0.0, 1200.0, 0.0, 120.0)
    assert speed.deadband == 0.5
    assert speed.scan_class == "fast"
    assert speed.writable is True
    assert speed.decimals == 1
    assert speed.options == {"byte_order": "little", "word_order": "big"}
    assert speed.source.file == "tags/filler.csv"
    assert speed.source.line == 3
    batch = project.tags["line2.batch"]
    assert (batch.data_type, batch.length, batch.source.line) == (DataType.STRING, 16, 4)


def test_csv_row_mistakes_carry_the_csv_line(tmp_path: Path) -> None:
    csv_text = (
        "name,device,address,type,deadband,scan,colour\n"
        "line2.a,filler_plc,x,float32,abc,,\n"
        "\n"
        "line2.b,filer_plc,y,flaot32,,,\n"
        "line2.c,filler_plc,,int16,,fsat,\n"
        "line2.a,filler_plc,z,,,,\n"
    )
    project, problems = check_project(make_project(tmp_path, csv_text.encode()))
    assert project is not None
    found = [(p.source.file, p.source.line, p.message) for p in problems]
    expected = [
        (1, "unknown column 'colour' (column 7); the columns are name, device"),
        (2, "tag 'line2.a': deadband: expected a number, got 'abc'"),
        (4, "tag 'line2.b': type 'flaot32' unknown; did you mean 'float32'?"),
        (4, "tag 'line2.b': unknown device 'filer_plc' (devices: filler_plc)"),
        (5, "tag 'line2.c': device tag needs an address"),
        (5, "tag 'line2.c': unknown scan class 'fsat'; did you mean 'fast'?"),
        (6, "tag 'line2.a': duplicate tag name; the first one is at tags/filler.csv:2"),
    ]
    for line, phrase in expected:
        assert any(
            file == "tags/filler.csv" and at == line and phrase in message
            for file, at, message in found
        ), (line, phrase, found)
    assert len(found) == len(expected)
    assert project.tags == {}


def test_the_columns_are_the_tag_fields_with_the_two_pairs_spread_over_two_columns() -> None:
    assert CSV_COLUMNS == (
        "name",
        "device",
        "address",
        "type",
        "units",
        "range_lo",
        "range_hi",
        "raw_lo",
        "raw_hi",
        "deadband",
        "scan",
        "writable",
        "decimals",
        "description",
        "expr",
        "byte_order",
        "word_order",
        "length",
    )
    plain = [field for field in TAG_FIELDS if field not in CSV_PAIRS]
    assert [column for column in CSV_COLUMNS if column in TAG_FIELDS] == plain
    header = ",".join(CSV_COLUMNS)
    row = "t,plc,hr:1,int16,bar,0,10,0,1000,0.5,fast,yes,1,Pressure,,little,big,"
    rows, problems = parse_csv_tags(f"{header}\n{row}\n", "t.csv")
    assert problems == []
    assert set(rows[0].fields) <= set(TAG_FIELDS)
    assert rows[0].fields["range"] == ["0", "10"]
    assert rows[0].fields["scale"] == {"raw": ["0", "1000"]}
