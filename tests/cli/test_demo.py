"""``hmi demo``: the simulated plant and the HMI on it, with no argument and no service."""

from tests.cli.test_check import hmi


def test_headless_demo_shows_both_lines_live_and_stops_by_itself():
    proc = hmi("demo", "--headless", "--seconds", "6", "--every", "3")
    assert proc.returncode == 0, proc.stderr
    last = proc.stdout.strip().split("\n\n")[-1]  # the last summary printed
    assert "device press_plc        online" in last
    assert "device filler_plc       online" in last
    for tag in ("line1.billet_temp", "line2.tank_level", "line1.speed_ratio"):
        row = next(line for line in last.splitlines() if tag in line)
        assert "no value yet" not in row and "[bad" not in row, row
