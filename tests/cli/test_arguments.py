"""Nonsense on the command line ends in one clear line and exit 2, before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_check import hmi


@pytest.mark.parametrize(
    ("args", "option", "phrase"),
    [
        (["sim", "--modbus-port", "70000"], "--modbus-port", "'70000' is not a port; use a whole"),
        (["sim", "--opcua-port", "0"], "--opcua-port", "'0' is not a port"),
        (["sim", "--opcua-port", "http"], "--opcua-port", "'http' is not a port"),
        (["demo", "--modbus-port", "-5"], "--modbus-port", "'-5' is not a port"),
        (["run", "p", "--every", "0"], "--every", "0 is too short; use 100ms to 1 day"),
        (["run", "p", "--every", "-1"], "--every", "duration '-1' is negative"),
        (["run", "p", "--every", "1e308"], "--every", "1e308 is too long"),
        (["run", "p", "--seconds", "0"], "--seconds", "0 is too short"),
        (["demo", "--seconds", "soon"], "--seconds", "expected a duration"),
        (["sim", "--seconds", "-3"], "--seconds", "duration '-3' is negative"),
        (["read", "p", "t", "--timeout", "1e308s"], "--timeout", "1e308s is too long"),
        (["screenshot", "p", "--out", "x.png", "--size", "big"], "--size", "not WIDTHxHEIGHT"),
        (["screenshot", "p", "--out", "x.png", "--size", "1x99999"], "--size", "16 to 16384"),
        (["screenshot", "p", "--out", "x.png", "--wait", "1e308"], "--wait", "too long"),
    ],
)
def test_a_value_out_of_its_range_is_refused_with_exit_2(
    args: list[str], option: str, phrase: str
) -> None:
    proc = hmi(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert f"error: argument {option}" in last and phrase in last, proc.stderr


def test_a_data_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    afile = tmp_path / "state"
    afile.write_text("not a folder")
    for given, said in ((afile, "is a file"), (afile / "sub", f"is inside '{afile}', a file")):
        proc = hmi("run", str(tmp_path), "--headless", "--data-dir", str(given))
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert f"argument --data-dir: '{given}' {said}; give a folder" in proc.stderr


def test_demo_refuses_one_port_for_both_servers() -> None:
    proc = hmi("demo", "--headless", "--modbus-port", "15020", "--opcua-port", "15020")
    assert proc.returncode == 2
    assert "--modbus-port and --opcua-port are both 15020; give two ports" in proc.stderr
