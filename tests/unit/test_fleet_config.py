"""The ``fleet:`` section: the broker (the MQTT keys every entry shares, or simulated),
the roots followed and the lines' names and screens; every mistake at its file:line."""

from __future__ import annotations

from pathlib import Path

from hmi.core.checks import check_all
from hmi.core.fleet import FleetModel, Naming, read_fleet

HEAD = """\
project:
  name: Fleet config
  lines: {line1: Line 1}
"""
SCREEN = "screen: {name: press, title: Press, level: 2}\nsymbols: []\n"


def load(tmp_path: Path, fleet: str):
    (tmp_path / "screens").mkdir(exist_ok=True)
    (tmp_path / "screens" / "press.yaml").write_text(SCREEN, encoding="utf-8")
    (tmp_path / "project.yaml").write_text(HEAD + fleet, encoding="utf-8")
    project, problems = check_all(tmp_path)
    return project, [str(p) for p in problems]


def test_a_full_section_reads_with_its_broker_roots_and_lines(tmp_path):
    project, problems = load(
        tmp_path,
        "fleet:\n"
        "  broker: {host: broker.plant.local, tls: true, username: sup, password_secret: b}\n"
        "  roots: [acme/+/+, beta/plant/+]\n"
        "  offline_after: 1m\n"
        "  lines:\n"
        "    acme/turin/extrusion/line1: {name: Press 1, screen: press}\n"
        "    beta/plant/fill/l2: Filler 2\n",
    )
    assert problems == []
    config, _ = read_fleet(project)
    assert config is not None and not config.simulated
    assert (config.broker.host, config.broker.port, config.broker.tls) == (
        "broker.plant.local",
        8883,
        True,
    )
    assert config.broker.client_id.startswith("linea-") and config.broker.client_id.endswith(
        "-fleet"
    )
    assert config.roots == ("acme/+/+", "beta/plant/+")
    assert config.offline_after == 60.0
    assert config.lines == {
        "acme/turin/extrusion/line1": Naming("Press 1", "press"),
        "beta/plant/fill/l2": Naming("Filler 2"),
    }


def test_a_simulated_broker_needs_nothing_else(tmp_path):
    project, problems = load(tmp_path, "fleet:\n  broker: simulated\n  roots: [acme/+/+]\n")
    assert problems == []
    config, _ = read_fleet(project)
    assert config is not None and config.simulated and config.broker is None


def test_each_mistake_is_said_at_its_line(tmp_path):
    _, problems = load(
        tmp_path,
        "fleet:\n"  # line 4
        "  broker: {host: broker.plant.local, password: hunter2}\n"
        "  roots: [acme/#, acme//x, ok/+/+]\n"
        "  offline_after: 1s\n"
        "  colour: red\n"
        "  lines:\n"
        "    elsewhere/l1: {name: Lost}\n"
        "    ok/a/b/line1: {name: Press, screen: pres}\n",
    )
    text = "\n".join(problems)
    assert "project.yaml:5: fleet: broker: password: a password is never written" in text
    assert "hunter2" not in text
    assert "project.yaml:6: fleet: roots: 'acme/#': # would follow every topic" in text
    assert "project.yaml:6: fleet: roots: 'acme//x' has an empty level" in text
    assert "project.yaml:7: fleet: offline_after: 1s is too short" in text
    assert "project.yaml:8: fleet: unknown field 'colour'" in text
    assert (
        "project.yaml:10: fleet: lines: elsewhere/l1: not a line under the roots (ok/+/+)" in text
    )
    assert "project.yaml:11: fleet: lines: ok/a/b/line1: unknown screen 'pres'" in text
    assert "did you mean 'press'" in text


def test_a_missing_broker_and_roots_are_asked_for(tmp_path):
    _, problems = load(tmp_path, "fleet:\n  offline_after: 30s\n")
    text = "\n".join(problems)
    assert "project.yaml:4: fleet: broker: missing" in text
    assert "project.yaml:4: fleet: roots: missing" in text


def test_a_line_the_project_names_shows_before_it_is_heard_of():
    model = FleetModel(["acme/+/+"], {"acme/turin/extrusion/line1": Naming("Press 1", "press")})
    (line,) = model.lines()
    assert (line.title, line.screen, line.state, line.site) == ("Press 1", "press", "unknown",
                                                                "turin")  # fmt: skip
    assert line.abnormal


def test_silence_turns_a_line_offline_only_while_the_broker_is_reachable():
    now = [1000.0]
    model = FleetModel(["acme/+/+"], offline_after=30.0, clock=lambda: now[0])
    model.receive("acme/t/e/l1/health", b'{"online": true, "station": "s1"}')
    now[0] += 31
    model.set_link("connection lost")
    assert not model.expire()
    assert model.line("acme/t/e/l1").state == "unknown"
    model.set_link(None)
    assert model.expire()
    assert model.line("acme/t/e/l1").reason == "nothing heard for 31 s"


def test_a_retained_health_from_long_ago_is_offline():
    model = FleetModel(["acme/+/+"], offline_after=30.0, clock=lambda: 10_000.0)
    model.receive("acme/t/e/l1/health", b'{"online": true, "ts": 9000000}')
    line = model.line("acme/t/e/l1")
    assert (line.state, line.reason) == ("offline", "last health 1000 s old")


def test_topics_outside_the_roots_and_unknown_kinds_are_ignored():
    model = FleetModel(["acme/+/+"])
    assert not model.receive("other/t/e/l1/health", b'{"online": true}')
    assert not model.receive("acme/t/e/l1/tags/speed", b'{"v": 1}')
    assert model.lines() == []


def test_the_station_s_own_lines_open_their_screens_unless_named_otherwise(tmp_path):
    project, problems = load(
        tmp_path,
        "fleet:\n"
        "  broker: simulated\n"
        "  roots: [acme/+/+]\n"
        "  local: acme/demo/lines\n"
        "  lines:\n"
        "    acme/demo/lines/line1: {name: Press, screen: press}\n",
    )
    assert problems == []
    config, _ = read_fleet(project)
    assert config.local == "acme/demo/lines"
    assert config.lines["acme/demo/lines/line1"] == Naming("Press", "press")


def test_a_local_root_outside_the_roots_or_with_a_wildcard_is_refused(tmp_path):
    _, problems = load(tmp_path, "fleet:\n  broker: simulated\n  roots: [acme/+/+]\n"
                                 "  local: beta/x/y\n")  # fmt: skip
    assert problems == ["project.yaml:7: fleet: local: 'beta/x/y' is under none of the roots "
                        "(acme/+/+)"]  # fmt: skip
    _, problems = load(tmp_path, "fleet:\n  broker: simulated\n  roots: [acme/+/+]\n"
                                 "  local: acme/+/y\n")  # fmt: skip
    assert (
        "project.yaml:7: fleet: local: 'acme/+/y' is where this station's lines go" in (problems[0])
    )


def test_the_station_s_own_lines_come_from_its_own_values():
    from hmi.core.fleet.local import LocalLines
    from hmi.core.project.models import DeviceConfig, Project
    from hmi.core.tags import bad, good

    project = Project(
        name="p", root=".", lines={"line1": "Line 1 - Press"},
        devices={"plc": DeviceConfig("plc", "modbus", line="line1")},
    )  # fmt: skip
    model = FleetModel(["acme/+/+"])
    local = LocalLines(model, "acme/demo/lines", project, "st1")
    values = {
        "_sys.device.plc": good("online"),
        "_sys.orders.line1.order": good("A-7"),
        "_sys.orders.line1.state": good("running"),
        "_sys.orders.line1.good": good(40),
        "_sys.orders.line1.scrap": good(2),
        "_sys.orders.line1.target": good(100),
        "_sys.orders.line1.oee": good(81.5),
        "_sys.alarms.line1.listed_count": good(3),
        "_sys.alarms.line1.unacked_count": good(1),
        "_sys.alarms.line1.highest_priority": good(2),
    }
    assert set(values) <= set(local.tags)
    local.feed(values)
    line = model.line("acme/demo/lines/line1")
    assert (line.title, line.station, line.state) == ("Line 1 - Press", "st1", "running")
    assert line.order.progress == 0.4 and line.oee == 0.815
    assert (line.active_alarms, line.unacknowledged, line.highest_priority) == (3, 1, 2)
    values["_sys.device.plc"] = bad("connection refused", "offline")
    values["_sys.alarms.line1.listed_count"] = good(0)
    values["_sys.orders.line1.order"] = good("")
    local.feed(values)
    line = model.line("acme/demo/lines/line1")
    assert line.device_problems == {"plc": "connection refused"}
    assert line.highest_priority is None and line.order is None and line.state == "idle"
