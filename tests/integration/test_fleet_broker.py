"""The fleet follows lines on a real Mosquitto: they appear from the retained topics the
stations left, go offline when a station's last will arrives and when nothing is heard of
them, a payload that cannot be read marks its line only, and a broker that cannot be
reached (or refuses the credentials) leaves every line unknown with why."""

from __future__ import annotations

import json
import socket
import time

import pytest

from hmi.core.fleet import OFFLINE, RUNNING, STOPPED, UNKNOWN, Fleet, FleetConfig, Naming
from hmi.core.mes import MqttSettings, connect_client
from hmi.core.mes.mqtt_link import Will
from hmi.core.secrets import FileStore
from tests.helpers import wait_until
from tests.mosquitto import PASSWORD, USER

TIMEOUT = 10.0
ROOTS = ("acme/+/+",)
PRESS = "acme/turin/extrusion/line1"
FILLER = "acme/lyon/filling/line2"


@pytest.fixture
def secrets(tmp_path) -> FileStore:
    store = FileStore(tmp_path / "config")
    store.set("broker", PASSWORD)
    store.set("stale", "not-the-password")
    return store


def settings(broker, client_id: str, secret: str = "broker") -> MqttSettings:
    return MqttSettings(
        host="127.0.0.1",
        port=broker.port,
        username=USER,
        password_secret=secret,
        client_id=client_id,
    )


class Station:
    """A line PC on the broker: its station topic with a last will, retained messages."""

    def __init__(self, broker, secrets, name: str, root: str):
        self.name, self.root = name, root
        will = Will(f"{root}/_stations/{name}", json.dumps({"online": False}).encode())
        self.client = connect_client(
            settings(broker, f"station-{name}"), will=will, clean=True, secrets=secrets
        )
        self.send(f"_stations/{name}", {"online": True})

    def send(self, topic: str, payload: object) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.client.publish(f"{self.root}/{topic}", body, qos=1, retain=True)
        info.wait_for_publish(TIMEOUT)

    def health(self, line: str, **more: object) -> None:
        payload = {"online": True, "station": self.name, "version": "0.1.0", "uptime_s": 60,
                   "devices": {"plc": "ok"}, "backlog": 0, "ts": 0} | more  # fmt: skip
        payload.pop("ts")  # no stamp: the test's clock is not the station's
        self.send(f"{line}/health", payload)

    def die(self) -> None:
        """Gone without a word (power cut): the broker publishes its will."""
        self.client.loop_stop()
        sock = self.client.socket()
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def stations(mosquitto, secrets):
    made: list[Station] = []

    def station(name: str, root: str) -> Station:
        made.append(Station(mosquitto, secrets, name, root))
        return made[-1]

    station.made = made
    yield station
    for each in made:
        try:
            each.close()
        except OSError:
            pass


@pytest.fixture
def follow(mosquitto, secrets):
    started: list[Fleet] = []

    def start(offline_after: float = 30.0, secret: str = "broker", **naming: Naming) -> Fleet:
        config = FleetConfig(
            ROOTS,
            settings(mosquitto, f"fleet-{len(started)}", secret),
            offline_after=offline_after,
            lines={key.replace("__", "/"): value for key, value in naming.items()},
        )
        started.append(Fleet(config, secrets=secrets).start())
        return started[-1]

    yield start
    for fleet in started:
        fleet.stop()


def plant(stations) -> tuple[Station, Station]:
    """Two stations that published their lines before the fleet started."""
    press = stations("press-pc", "acme/turin/extrusion")
    press.health("line1", oee={"oee": 0.72}, backlog=3)
    press.send("line1/orders/current", {"number": "A-1001", "product": "6060 frame",
                                        "state": "running", "good": 450, "scrap": 5,
                                        "target": 1000})  # fmt: skip
    high = {"active": True, "acknowledged": False, "priority": 2, "message": "Ram pressure high"}
    press.send("line1/alarms/ram_pressure.hi", high)
    press.send("line1/alarms/oil.lo", {"active": True, "acknowledged": True, "priority": 3})
    filler = stations("filler-pc", "acme/lyon/filling")
    filler.health("line2", devices={"filler_plc": "timeout after 4.0 s"})
    filler.send("line2/orders/current", {"number": "B-7", "state": "held", "good": 10,
                                         "scrap": 0, "target": 500})  # fmt: skip
    return press, filler


def test_lines_appear_from_the_retained_topics(stations, follow):
    plant(stations)
    fleet = follow(**{PRESS.replace("/", "__"): Naming("Press 1", "line1_press")})
    wait_until(lambda: len(fleet.lines()) == 2 and all(s.order for s in fleet.lines()),
               TIMEOUT, "both lines with their orders")  # fmt: skip
    wait_until(lambda: fleet.line(PRESS).active_alarms == 2, TIMEOUT, "the press's alarms")
    press, filler = fleet.line(PRESS), fleet.line(FILLER)
    assert (press.site, press.area, press.line) == ("turin", "extrusion", "line1")
    assert (press.title, press.screen, press.station) == ("Press 1", "line1_press", "press-pc")
    assert press.state == RUNNING
    assert press.order.number == "A-1001" and press.order.progress == pytest.approx(0.45)
    assert (press.oee, press.backlog) == (pytest.approx(0.72), 3)
    assert (press.highest_priority, press.unacknowledged) == (2, 1)
    assert filler.state == STOPPED and "B-7" in filler.reason
    assert filler.device_problems == {"filler_plc": "timeout after 4.0 s"}
    assert [s.site for s in fleet.lines()] == ["lyon", "turin"]
    assert fleet.problem is None


def test_a_cleared_alarm_and_a_finished_order_leave_the_tile(stations, follow):
    press, _ = plant(stations)
    fleet = follow()
    wait_until(lambda: (s := fleet.line(PRESS)) is not None and s.active_alarms == 2, TIMEOUT,
               "the press's alarms")  # fmt: skip
    press.send("line1/alarms/ram_pressure.hi", b"")  # retained message removed
    press.send("line1/orders/current", b"")
    wait_until(lambda: fleet.line(PRESS).highest_priority == 3, TIMEOUT, "the alarm cleared")
    wait_until(lambda: fleet.line(PRESS).order is None, TIMEOUT, "the order gone")
    assert fleet.line(PRESS).state == "idle"


def test_a_line_goes_offline_when_its_station_s_will_arrives(stations, follow):
    press, _ = plant(stations)
    fleet = follow()
    wait_until(lambda: len(fleet.lines()) == 2, TIMEOUT, "both lines")
    press.die()
    wait_until(lambda: fleet.line(PRESS).state == OFFLINE, TIMEOUT, "the press offline")
    assert "press-pc" in fleet.line(PRESS).reason
    assert fleet.line(PRESS).order.number == "A-1001"  # what was known stays, marked offline
    assert fleet.line(FILLER).state == STOPPED  # the other station is not touched


def test_a_line_whose_station_went_before_the_fleet_started_shows_offline(stations, follow):
    press, _ = plant(stations)
    press.die()
    fleet = follow()
    wait_until(lambda: len(fleet.lines()) == 2, TIMEOUT, "both lines")
    wait_until(lambda: fleet.line(PRESS).state == OFFLINE, TIMEOUT, "the press offline")


def test_a_silent_line_goes_offline_and_comes_back_with_its_health(stations, follow):
    press, filler = plant(stations)
    fleet = follow(offline_after=1.0)
    wait_until(lambda: len(fleet.lines()) == 2, TIMEOUT, "both lines")
    filler.health("line2")
    wait_until(lambda: fleet.line(PRESS).state == OFFLINE, TIMEOUT, "the press silent")
    assert "nothing heard" in fleet.line(PRESS).reason
    press.health("line1")
    wait_until(lambda: fleet.line(PRESS).state == RUNNING, TIMEOUT, "the press back")


def test_a_malformed_health_marks_that_line_with_why_and_the_rest_reads_on(stations, follow):
    press, filler = plant(stations)
    fleet = follow()
    wait_until(lambda: len(fleet.lines()) == 2, TIMEOUT, "both lines")
    filler.send("line2/health", b'{"online": tru')
    wait_until(lambda: fleet.line(FILLER).problem, TIMEOUT, "the filler marked")
    problem = fleet.line(FILLER).problem
    assert problem.startswith(f"{FILLER}/health: not JSON"), problem
    assert fleet.line(FILLER).abnormal
    press.send("line1/orders/current", {"number": "A-1002", "state": "running", "good": 1,
                                        "target": 10})  # fmt: skip
    wait_until(lambda: fleet.line(PRESS).order.number == "A-1002", TIMEOUT, "the press reads on")
    assert fleet.line(PRESS).problem == ""
    filler.send("line2/alarms/x", {"active": True, "priority": 9})
    wait_until(lambda: "priority" in fleet.line(FILLER).problem, TIMEOUT, "a wrong priority")
    filler.health("line2")
    filler.send("line2/alarms/x", b"")
    wait_until(lambda: fleet.line(FILLER).problem == "", TIMEOUT, "readable again")
    assert fleet.line(FILLER).state == STOPPED


def test_refused_credentials_are_said_and_no_line_is_shown_as_live(stations, follow):
    plant(stations)
    fleet = follow(secret="stale")
    wait_until(lambda: fleet.problem is not None and "auth" in fleet.problem, TIMEOUT,
               "the refusal")  # fmt: skip
    assert "stale" in fleet.problem and PASSWORD not in fleet.problem
    assert fleet.lines() == []


def test_the_broker_away_leaves_every_line_unknown_until_it_is_back(mosquitto, stations, follow):
    plant(stations)
    fleet = follow()
    wait_until(lambda: len(fleet.lines()) == 2, TIMEOUT, "both lines")
    mosquitto.stop()
    wait_until(lambda: fleet.problem is not None, TIMEOUT, "the link lost")
    assert {s.state for s in fleet.lines()} == {UNKNOWN}
    assert all("broker" in s.reason for s in fleet.lines())
    mosquitto.start()
    wait_until(lambda: fleet.problem is None, 40.0, "the link back")
    # the broker published the stations' wills as it went down: each says it is back
    for station in stations.made:
        wait_until(station.client.is_connected, 40.0, f"{station.name} connected again")
        station.send(f"_stations/{station.name}", {"online": True})
    wait_until(lambda: fleet.line(PRESS).state == RUNNING, TIMEOUT, "the press known again")


def test_the_station_follows_its_fleet_and_publishes_its_figures(
    mosquitto, stations, tmp_path, monkeypatch
):
    """The capability in a running station: the fleet's counts as system tags, the
    station's own line beside those the broker brings, health ok while connected."""
    from hmi.core.checks import check_all
    from hmi.core.runtime import Runtime

    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    FileStore().set("broker_supervisor", PASSWORD)
    folder = tmp_path / "plant"
    folder.mkdir()
    (folder / "project.yaml").write_text(
        "project:\n  name: Supervisor\n  lines: {line9: Line 9}\n"
        "fleet:\n"
        f"  broker: {{host: 127.0.0.1, port: {mosquitto.port}, username: {USER},\n"
        "           password_secret: broker_supervisor}\n"
        "  roots: [acme/+/+]\n"
        "  local: acme/hq/own\n",
        encoding="utf-8",
    )
    project, problems = check_all(folder)
    assert problems == [] and project is not None
    plant(stations)
    runtime = Runtime(project, tmp_path / "data")
    runtime.start()
    try:
        values = runtime.engine.values
        wait_until(lambda: getattr(values.get("_sys.fleet.lines"), "value", 0) == 3, TIMEOUT,
                   "two lines from the broker and the station's own")  # fmt: skip
        assert values["_sys.fleet.health"].value == "ok"
        assert values["_sys.fleet.stopped"].value == 1  # the filler's order is held
        assert values["_sys.fleet.in_alarm"].value == 1
        own = runtime.service("fleet").line("acme/hq/own/line9")
        assert own is not None and own.title == "Line 9" and own.state == "idle"
        stations.made[0].die()
        wait_until(lambda: values["_sys.fleet.offline"].value == 1, TIMEOUT, "the press offline")
    finally:
        runtime.stop()


def test_a_broker_nobody_answers_on_is_said_and_the_fleet_stops_at_once(secrets):
    from tests.helpers import free_port

    config = FleetConfig(ROOTS, MqttSettings(host="127.0.0.1", port=free_port(),
                                             client_id="fleet-x"))  # fmt: skip
    fleet = Fleet(config, secrets=secrets).start()
    try:
        wait_until(lambda: fleet.problem is not None, TIMEOUT, "the refusal")
        assert "connection refused" in fleet.problem and "is the broker running" in fleet.problem
    finally:
        started = time.monotonic()
        fleet.stop()
        assert time.monotonic() - started < 5.0  # not left to its join timeout
