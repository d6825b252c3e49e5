"""``hmi check`` as a plant engineer runs it: a real process, its output and exit code."""

import subprocess
import sys
from pathlib import Path

from hmi.core.paths import demo_project_dir


def hmi(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


def test_the_demo_project_is_valid():
    proc = hmi("check", str(demo_project_dir()))
    assert proc.returncode == 0, proc.stderr
    assert "OK" in proc.stdout and "device(s)" in proc.stdout


def test_every_problem_is_listed_as_file_line_without_a_traceback(tmp_path):
    (tmp_path / "project.yaml").write_text(
        "project:\n"
        "  name: Broken\n"
        "devices:\n"
        "  plc:\n"
        "    protocol: modbus\n"
        "    host: 127.0.0.1\n"
        "  ua:\n"
        "    protocol: opcua\n"
        "    endpoint: http://nowhere\n"
        "tags:\n"
        "  - name: a\n"
        "    device: plc\n"
        "    address: hx:5\n"
        "  - name: a\n"
        "    device: plc\n"
        "    address: hr:1\n"
        "  - name: b\n"
        "    device: pcl\n"
        "    address: hr:2\n"
        "  - name: c\n"
        "    expr: 'a + nothing'\n"
        "  - name: d\n"
        "    device: plc\n"
        "    address: hr:3\n"
        "    type: flaot32\n",
        encoding="utf-8",
    )
    proc = hmi("check", str(tmp_path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    expected = {
        "project.yaml:9": "endpoint",  # not opc.tcp
        "project.yaml:13": "hx",  # unknown Modbus area
        "project.yaml:14": "duplicate",
        "project.yaml:18": "unknown device 'pcl'",
        "project.yaml:21": "nothing",  # unknown reference in an expression
        "project.yaml:25": "flaot32",
    }
    for where, phrase in expected.items():
        assert any(ln.startswith(where) and phrase in ln for ln in lines), (where, proc.stderr)


def test_a_missing_project_is_a_clear_error(tmp_path):
    proc = hmi("check", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "nope" in proc.stderr


def test_screen_file_mistakes_are_part_of_the_check(tmp_path):
    (tmp_path / "project.yaml").write_text(
        "project:\n  name: S\n"
        "devices:\n  sim:\n    protocol: simulator\n    model: press\n"
        "tags:\n  - name: t\n    device: sim\n    address: billet_temp\n",
        encoding="utf-8",
    )
    (tmp_path / "screens").mkdir()
    (tmp_path / "screens" / "main.yaml").write_text(
        "screen:\n  name: main\n  title: Main\n"
        "symbols:\n"
        "  - type: value\n    at: [10, 10]\n    tag: t\n"
        "  - type: value\n    at: [10, 100]\n    tag: tt\n"
        "  - type: gauge\n    at: [10, 200]\n    tag: t\n",
        encoding="utf-8",
    )
    proc = hmi("check", str(tmp_path))
    assert proc.returncode == 2, proc.stdout
    assert "Traceback" not in proc.stderr
    assert any(
        ln.startswith("screens/main.yaml:10") and "unknown tag 'tt'" in ln
        for ln in proc.stderr.splitlines()
    ), proc.stderr
    assert "gauge" in proc.stderr


def test_alarm_definition_mistakes_are_part_of_the_check(tmp_path):
    (tmp_path / "project.yaml").write_text(
        "project:\n  name: A\n"
        "devices:\n  sim:\n    protocol: simulator\n    model: press\n"
        "tags:\n  - name: t\n    device: sim\n    address: billet_temp\n"
        "alarms:\n"
        "  - tag: tt\n    hi: 10\n"
        "  - tag: t\n    hi: 10\n    lo: 20\n",
        encoding="utf-8",
    )
    proc = hmi("check", str(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert any(ln.startswith("project.yaml:12") and "'tt'" in ln for ln in lines), proc.stderr
    assert any(ln.startswith("project.yaml:") and "lo" in ln and "hi" in ln for ln in lines[1:])
