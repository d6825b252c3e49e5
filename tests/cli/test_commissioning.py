"""``hmi read``, ``hmi write`` and ``hmi run --headless`` against ``hmi sim`` on loopback."""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hmi.core.paths import demo_project_dir
from tests.cli.test_check import hmi
from tests.helpers import free_port


def wait_port(port: int, timeout: float = 20.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"port {port} never opened")


def plant_ports(project: Path) -> tuple[int, int]:
    """The Modbus and OPC UA ports a copy of the demo project points at."""
    text = (project / "project.yaml").read_text(encoding="utf-8")
    modbus = re.search(r"port: (\d+)", text)
    opcua = re.search(r"opc\.tcp://127\.0\.0\.1:(\d+)", text)
    assert modbus and opcua
    return int(modbus[1]), int(opcua[1])


def demo_copy(dest: Path, modbus_port: int, opcua_port: int) -> Path:
    """The demo project pointed at other ports, so tests never clash with a running demo."""
    shutil.copytree(demo_project_dir(), dest)
    project = dest / "project.yaml"
    text = project.read_text(encoding="utf-8")
    text = text.replace("port: 5020", f"port: {modbus_port}")
    text = text.replace("127.0.0.1:4840", f"127.0.0.1:{opcua_port}")
    project.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    modbus_port, opcua_port = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hmi", "sim", "--quiet",
         "--modbus-port", str(modbus_port), "--opcua-port", str(opcua_port)],
    )
    try:
        wait_port(modbus_port)
        wait_port(opcua_port)
        yield demo_copy(tmp_path_factory.mktemp("p") / "demo", modbus_port, opcua_port)
    finally:
        proc.terminate()
        proc.wait(10)


def json_lines(text: str) -> dict[str, dict]:
    rows = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return {row["name"]: row for row in rows}


def test_read_prints_one_json_line_per_tag_with_quality(plant):
    proc = hmi("read", str(plant), "line1.billet_temp", "line2.tank_level", "line1.speed_ratio")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json_lines(proc.stdout)
    assert set(rows) == {"line1.billet_temp", "line2.tank_level", "line1.speed_ratio"}
    assert 300 < rows["line1.billet_temp"]["value"] < 600
    assert 0 <= rows["line2.tank_level"]["value"] <= 100
    assert all(row["quality"] == "good" and row["ts"] for row in rows.values())


def test_read_of_an_unknown_tag_says_so_and_exits_1(plant):
    proc = hmi("read", str(plant), "line1.billet_temp", "line1.billet_tmp")
    assert proc.returncode == 1
    rows = json_lines(proc.stdout)
    assert rows["line1.billet_tmp"]["quality"] == "bad"
    assert rows["line1.billet_tmp"]["reason"] == (
        "unknown tag 'line1.billet_tmp'; did you mean 'line1.billet_temp'?"
    )
    assert rows["line1.billet_temp"]["quality"] == "good"
    assert "Traceback" not in proc.stderr


def test_read_answers_every_name_in_the_order_asked(plant):
    names = ["line1.state", "line2.tank_level", "line1.state", "line1.speed_ratio"]
    proc = hmi("read", str(plant), *names)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["name"] for row in rows] == names
    assert rows[0]["value"] == rows[2]["value"] and rows[0]["quality"] == "good"


def test_read_reads_only_what_was_asked(plant, tmp_path):
    # a tag on an address the simulated PLC refuses, beside the ones asked for
    project = demo_copy(tmp_path / "demo", *plant_ports(plant))
    tags = project / "tags" / "press.yaml"
    tags.write_text(
        tags.read_text(encoding="utf-8")
        + "  - name: line1.unmapped\n"
        + "    device: press_plc\n"
        + "    address: hr:5000\n"
        + "    type: float32\n",
        encoding="utf-8",
    )
    proc = hmi("read", str(project), "line1.billet_temp", "line1.ram_speed")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""  # no warning about the tag nobody asked for
    assert set(json_lines(proc.stdout)) == {"line1.billet_temp", "line1.ram_speed"}
    proc = hmi("read", str(project), "line1.unmapped")
    assert proc.returncode == 1
    row = json_lines(proc.stdout)["line1.unmapped"]
    assert row["reason"] == "Modbus exception 2: illegal data address"


@pytest.mark.parametrize(
    ("tag", "value"), [("line1.ram_speed_sp", "15.5"), ("line2.filler_speed_sp", "380")]
)
def test_write_reads_back_on_both_protocols(plant, tag, value):
    proc = hmi("write", str(plant), tag, value)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == "done" and result["readback"] == pytest.approx(float(value))
    back = json_lines(hmi("read", str(plant), tag).stdout)[tag]
    assert back["value"] == pytest.approx(float(value))


@pytest.mark.parametrize(
    ("tag", "value", "phrase"),
    [("line1.ram_speed_sp", "999", "outside the range"), ("line1.billet_temp", "1", "read-only")],
)
def test_bad_writes_are_refused_with_the_reason(plant, tag, value, phrase):
    proc = hmi("write", str(plant), tag, value)
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["status"] == "refused" and phrase in result["message"]


def test_headless_run_prints_a_live_summary_and_stops_by_itself(plant):
    proc = hmi("run", str(plant), "--headless", "--seconds", "3", "--every", "1")
    assert proc.returncode == 0, proc.stderr
    assert "press_plc" in proc.stdout and "online" in proc.stdout
    assert "line2.filled_count" in proc.stdout and "bottles" in proc.stdout


def test_reading_a_plc_that_is_off_gives_bad_quality_with_the_reason(tmp_path):
    dead = demo_copy(tmp_path / "demo", free_port(), free_port())
    proc = hmi("read", str(dead), "line1.billet_temp")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    row = json_lines(proc.stdout)["line1.billet_temp"]
    assert row["quality"] == "bad" and row["reason"]


def test_browse_lists_the_filler_variables_for_import(plant):
    proc = hmi("browse", str(plant), "filler_plc")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    ids = {row["node_id"] for row in rows}
    assert "ns=2;s=Filler.Tank.Level" in ids
    level = next(r for r in rows if r["node_id"] == "ns=2;s=Filler.Tank.Level")
    assert (level["browse_path"], level["data_type"], level["type"]) == (
        "Filler/Tank/Level",
        "Double",
        "float64",
    )
    # the types the demo declares are the ones browsing suggests
    declared = {"ns=2;s=Filler.State": "int32", "ns=2;s=Filler.Tank.SupplyValve": "float32"}
    assert {r["node_id"]: r["type"] for r in rows if r["node_id"] in declared} == declared


def test_browse_of_a_modbus_device_says_it_cannot(plant):
    proc = hmi("browse", str(plant), "press_plc")
    assert proc.returncode == 1 and "cannot browse" in proc.stderr
    assert "Traceback" not in proc.stderr
