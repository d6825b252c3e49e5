"""``hmi demo``: the simulated plant and the HMI on it, with no argument and no service;
and a clear stop when its plant cannot serve where the demo looks for it."""

import socket
import subprocess
import sys

from hmi.cli import _wait_for_port
from tests.cli.test_check import hmi
from tests.helpers import free_port


def test_headless_demo_shows_both_lines_live_and_stops_by_itself():
    ports = ("--modbus-port", str(free_port()), "--opcua-port", str(free_port()))
    proc = hmi("demo", "--headless", "--seconds", "6", "--every", "3", *ports)
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().split("\n\n")[-1]  # the last summary printed
    assert "device press_plc        online" in last
    assert "device filler_plc       online" in last
    for tag in ("line1.billet_temp", "line2.tank_level", "line1.speed_ratio"):
        row = next(line for line in last.splitlines() if tag in line)
        assert "no value yet" not in row and "[bad" not in row, row


def test_demo_stops_when_another_program_holds_its_port():
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        taken = other.getsockname()[1]
        proc = hmi(
            "demo", "--headless", "--seconds", "5",
            "--modbus-port", str(taken), "--opcua-port", str(free_port()),
        )  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"port {taken} on 127.0.0.1, where the simulated plant serves modbus" in proc.stderr
    assert f"hmi demo --modbus-port {taken + 1}" in proc.stderr
    assert proc.stdout == ""  # no summary of whatever answered there


def test_a_plant_that_dies_at_start_is_noticed_at_once():
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait(10)
    # a wait of 1000 s that the dead process ends at once (else the test's timeout hits)
    assert not _wait_for_port(free_port(), 1000.0, dead)
