"""``hmi browse --write``: a tag file of the chosen variables that ``hmi check`` accepts
once included and that ``hmi read`` reads Good, against ``hmi sim``'s filler on loopback."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_check import hmi
from tests.cli.test_commissioning import wait_port
from tests.helpers import free_port


@pytest.fixture(scope="module")
def filler_port():
    modbus_port, opcua_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hmi", "sim", "--quiet",
         "--modbus-port", str(modbus_port), "--opcua-port", str(opcua_port)],
    )  # fmt: skip
    try:
        wait_port(opcua_port)
        yield opcua_port
    finally:
        proc.terminate()
        proc.wait(10)


def project(folder: Path, port: int, extra: str = "") -> Path:
    """A project with the filler's device and no tag of it yet (a name of its own, so its
    data folder is its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.yaml").write_text(
        f"project:\n  name: Browse {folder.parent.name}\n  lines: {{line2: Filling}}\n"
        "devices:\n"
        "  filler_plc:\n"
        "    protocol: opcua\n"
        "    line: line2\n"
        f"    endpoint: opc.tcp://127.0.0.1:{port}\n" + extra,
        encoding="utf-8",
    )
    return folder


def include(folder: Path, *files: str) -> None:
    """Make ``files`` the project's includes (the section is the file's last)."""
    text = (folder / "project.yaml").read_text(encoding="utf-8").split("include:\n")[0]
    listed = "".join(f"  - {f}\n" for f in files)
    (folder / "project.yaml").write_text(text + f"include:\n{listed}", encoding="utf-8")


def test_browse_prints_linea_types_and_filters_by_pattern(filler_port, tmp_path):
    folder = project(tmp_path / "p", filler_port)
    proc = hmi("browse", str(folder), "filler_plc", "--match", "Filler.Tank.*")
    assert proc.returncode == 0, proc.stderr
    rows = {r["browse_path"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert set(rows) == {
        "Filler/Tank/Level",
        "Filler/Tank/LevelSetpoint",
        "Filler/Tank/SupplyValve",
        "Filler/Tank/Temperature",
    }
    assert (rows["Filler/Tank/Level"]["data_type"], rows["Filler/Tank/Level"]["type"]) == (
        "Double",
        "float64",
    )
    assert rows["Filler/Tank/SupplyValve"]["type"] == "float32"
    by_id = hmi("browse", str(folder), "filler_plc", "--match", "ns=2;s=Filler.State")
    assert [json.loads(line)["type"] for line in by_id.stdout.splitlines()] == ["int32"]


def test_a_written_yaml_file_passes_check_and_reads_good(filler_port, tmp_path):
    folder = project(
        tmp_path / "p",
        filler_port,
        'tags:\n  - name: line2.speed\n    expr: "1 + 1"\n',  # takes the name Filler/Speed wants
    )
    target = folder / "tags" / "filler.yaml"
    proc = hmi("browse", str(folder), "filler_plc", "--match", "Filler.*", "--write", str(target))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("wrote 22 tag(s) to ")
    assert "  - tags/filler.yaml" in proc.stdout  # how to include it
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Tags of filler_plc (opc.tcp://127.0.0.1:")
    assert '  - name: line2.tank_level\n    device: filler_plc\n    address: "ns=2;s=Filler' in text
    assert "  - name: line2.speed_2\n" in text  # line2.speed is taken by the derived tag
    assert "  - name: line2.counters_filled\n" in text and "    type: uint32\n" in text
    assert "    writable: true\n" in text  # the setpoints and commands

    include(folder, "tags/filler.yaml")
    check = hmi("check", str(folder))
    assert check.returncode == 0, check.stderr
    assert "23 tag(s)" in check.stdout

    read = hmi("read", str(folder), "line2.tank_level", "line2.state", "line2.product")
    assert read.returncode == 0, read.stdout + read.stderr
    values = {r["name"]: r for r in map(json.loads, read.stdout.splitlines())}
    assert all(v["quality"] == "good" for v in values.values())
    assert isinstance(values["line2.product"]["value"], str)

    again = hmi("browse", str(folder), "filler_plc", "--match", "Filler.*", "--write", str(target))
    assert again.returncode == 1 and "exists; add --force to replace it" in again.stderr
    forced = hmi(
        "browse", str(folder), "filler_plc", "--match", "Filler.*", "--write", str(target),
        "--force",
    )  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert "line2.tank_level_2" not in target.read_text(encoding="utf-8")  # its own names
    assert "to use them" not in forced.stdout  # included already
    assert hmi("check", str(folder)).returncode == 0


def test_a_csv_file_and_what_the_project_has_already_is_left_out(filler_port, tmp_path):
    folder = project(tmp_path / "p", filler_port)
    counters = folder / "tags" / "counters.csv"
    proc = hmi(
        "browse", str(folder), "filler_plc", "--match", "Filler/Counters/*",
        "--write", str(counters), "--prefix", "filler", "--scan", "slow",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(counters.read_text(encoding="utf-8").splitlines()))
    assert [r["name"] for r in rows] == [
        "filler.filled",
        "filler.last_reject_reason",
        "filler.rejected",
    ]
    assert {r["type"] for r in rows} == {"uint32", "string"}
    assert {r["scan"] for r in rows} == {"slow"} and {r["writable"] for r in rows} == {"false"}
    include(folder, "tags/counters.csv")
    assert hmi("check", str(folder)).returncode == 0

    rest = folder / "tags" / "rest.yaml"
    proc = hmi("browse", str(folder), "filler_plc", "--write", str(rest))
    assert proc.returncode == 0, proc.stderr
    assert "wrote 27 tag(s)" in proc.stdout
    assert "left out Filler/Counters/Filled: the project has it already as filler.filled" in (
        proc.stdout
    )
    include(folder, "tags/counters.csv", "tags/rest.yaml")
    check = hmi("check", str(folder))
    assert check.returncode == 0, check.stderr
    assert "30 tag(s)" in check.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--match", "Nothing.*", "--write", "t.yaml"], "no variable of filler_plc matches"),
        (["--write", "tags.txt"], "must end in .yaml, .yml or .csv"),
        (["--write", "t.yaml", "--prefix", "2nd line"], "--prefix '2nd line' cannot start"),
        (["--write", "t.yaml", "--scan", "often"], "--scan 'often' is not a scan class"),
    ],
)
def test_what_cannot_be_written_is_said_and_nothing_is_written(
    filler_port, tmp_path, args, message
):
    folder = project(tmp_path / "p", filler_port)
    proc = hmi("browse", str(folder), "filler_plc", *args, cwd=tmp_path)
    assert proc.returncode == 1 and message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "t.yaml").exists() and not (tmp_path / "tags.txt").exists()
