"""``hmi paths`` and the log file of ``hmi run``, as real processes in a throw-away home."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from hmi.core.paths import demo_project_dir


def hmi(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LINEA_HMI_HOME": str(home)}
    env.pop("LINEA_HMI_DATA", None)
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_paths_prints_every_folder_and_the_log_file(tmp_path):
    proc = hmi(tmp_path, "paths")
    assert proc.returncode == 0, proc.stderr
    lines = dict(line.split(maxsplit=1) for line in proc.stdout.splitlines() if line)
    assert lines["data"] == str(tmp_path / "data")
    assert lines["config"] == str(tmp_path / "config")
    assert lines["logs"] == str(tmp_path / "logs")
    assert lines["cache"] == str(tmp_path / "cache")
    assert f"log file  {tmp_path / 'logs' / 'linea-hmi.log'}" in proc.stdout
    assert not any(tmp_path.iterdir())  # telling where creates nothing


def test_paths_of_the_demo_as_json_names_the_client_certificate_folder(tmp_path):
    proc = hmi(tmp_path, "paths", str(demo_project_dir()), "--json")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["log_file"] == str(tmp_path / "logs" / "linea-hmi.log")
    project = found["project"]
    assert project["name"] == "Demo plant"
    assert project["folder"] == str(demo_project_dir())
    data = tmp_path / "data" / "demo-plant"
    assert project["data"] == str(data)
    assert project["store"] == str(data / "hmi.db")
    assert list(project["certificates"]) == ["filler_plc"]  # the OPC UA device only
    cert = project["certificates"]["filler_plc"]
    assert cert["folder"] == str(data / "pki" / "filler_plc")
    assert cert["certificate"] == str(data / "pki" / "filler_plc" / "client_cert.der")


def test_paths_of_the_demo_as_text_says_where_the_certificate_is(tmp_path):
    proc = hmi(tmp_path, "paths", str(demo_project_dir()))
    assert proc.returncode == 0, proc.stderr
    assert "project 'Demo plant'" in proc.stdout
    pki = tmp_path / "data" / "demo-plant" / "pki" / "filler_plc"
    assert f"filler_plc  {pki / 'client_cert.der'}" in proc.stdout


def test_paths_lists_the_copies_taken_before_upgrades_newest_first(tmp_path):
    data = tmp_path / "data" / "demo-plant"
    data.mkdir(parents=True)
    older, newer = data / "hmi.db.before-0.1.0", data / "hmi.db.before-0.2.0"
    for age, copy in ((200, older), (100, newer)):
        copy.write_bytes(b"")
        os.utime(copy, (time.time() - age, time.time() - age))
    (data / "hmi.db.before-0.3.0.partial").write_bytes(b"")  # a copy that never finished
    proc = hmi(tmp_path, "paths", str(demo_project_dir()), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["project"]["store_copies"] == [str(newer), str(older)]
    text = hmi(tmp_path, "paths", str(demo_project_dir())).stdout
    assert f"copy   {newer}" in text and f"copy   {older}" in text


def test_paths_without_a_project_as_json(tmp_path):
    proc = hmi(tmp_path, "paths", "--json")
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["data"] == str(tmp_path / "data") and found["project"] is None


def test_paths_of_a_bad_project_lists_its_problems_and_exits_2(tmp_path):
    (tmp_path / "project.yaml").write_text(
        "project:\n  name: Broken\ndevices:\n  plc:\n    protocol: modbsu\n", encoding="utf-8"
    )
    proc = hmi(tmp_path / "home", "paths", str(tmp_path), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "project.yaml:" in proc.stderr and "problem(s)" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = hmi(tmp_path / "home", "paths", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_run_writes_the_startup_banner_to_the_log_file_and_check_does_not(tmp_path):
    project = tmp_path / "line"
    project.mkdir()
    (project / "project.yaml").write_text(
        "project:\n  name: Press line\n"
        "devices:\n  sim:\n    protocol: simulator\n    model: press\n"
        "tags:\n  - name: t\n    device: sim\n    address: billet_temp\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    assert hmi(home, "check", str(project)).returncode == 0
    assert not (home / "logs").exists()

    proc = hmi(home, "run", str(project), "--headless", "--seconds", "1", "--every", "1")
    assert proc.returncode == 0, proc.stderr
    text = (home / "logs" / "linea-hmi.log").read_text(encoding="utf-8")
    assert "INFO hmi: Linea HMI " in text and " started " in text
    assert f"project 'Press line' in {project}" in text
    assert "drivers: modbus, mqtt, opcua, simulator" in text
    assert "capabilities: " in text
    assert text.rstrip().endswith("Linea HMI stopped")
    assert "INFO hmi:" not in proc.stderr  # stderr stays at warnings
