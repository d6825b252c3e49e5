"""The fleet reads what Linea's own Unified Namespace target publishes: a station's line
appears with its devices, running order and alarm, and goes offline when the station
closes (its goodbye) or dies (its last will)."""

from __future__ import annotations

import socket

from hmi.core.fleet import OFFLINE, RUNNING, Fleet, FleetConfig
from hmi.core.mes import MqttSettings
from hmi.core.tags import good
from tests.helpers import wait_until
from tests.mosquitto import USER
from tests.mqtt.test_mqtt_live import project
from tests.mqtt.test_mqtt_target import ROOT, secrets, uns  # noqa: F401 - fixture

TIMEOUT = 10.0
LINE1 = f"{ROOT}/line1"
ALARM = {
    "time": 1700000000.0, "alarm_id": "press_overtemp", "tag": "temp", "line": "line1",
    "from_state": "normal", "to_state": "unacked", "priority": 2,
    "message": "Press over temperature",
}  # fmt: skip


def follow(broker, secrets) -> Fleet:  # noqa: F811 - the fixture imported above
    settings = MqttSettings(host="127.0.0.1", port=broker.port, username=USER,
                            password_secret="broker", client_id="fleet-sup")  # fmt: skip
    return Fleet(FleetConfig(("acme/+/+",), settings), secrets=secrets).start()


def station(broker, secrets):  # noqa: F811
    target = uns(broker, secrets, live_every=0.02, health_every=1.0)
    target.attach(project(), {})
    target.open()
    line = "_sys.orders.line1."
    target.on_values({"_sys.device.press": good("online"), "_sys.device.filler": good("online")})
    target.on_values({line + "order": good("WO-7"), line + "state": good("running"),
                      line + "good": good(40), line + "scrap": good(2),
                      line + "target": good(500), line + "oee": good(71.0)})  # fmt: skip
    target.on_values({"_sys.alarms.events": good((ALARM,))})
    return target


def test_a_station_s_line_appears_as_its_namespace_says(mosquitto, secrets):  # noqa: F811
    target = station(mosquitto, secrets)
    fleet = follow(mosquitto, secrets)
    try:
        wait_until(lambda: (s := fleet.line(LINE1)) is not None and s.order is not None
                   and s.highest_priority == 2 and s.state == RUNNING, TIMEOUT,
                   "line 1 running its order, in alarm")  # fmt: skip
        line = fleet.line(LINE1)
        assert (line.station, line.order.number, line.order.progress) == ("st1", "WO-7", 0.08)
        assert line.oee == 0.71 and line.devices == {"press": "ok"}
        assert line.unacknowledged == 1 and line.problem == ""
        assert fleet.line(f"{ROOT}/line2").devices == {"filler": "ok"}
        target.detach()  # the station closes: it says so
        wait_until(lambda: fleet.line(LINE1).state == OFFLINE, TIMEOUT, "line 1 offline")
    finally:
        fleet.stop()


def test_a_station_that_dies_goes_offline_by_its_will(mosquitto, secrets):  # noqa: F811
    target = station(mosquitto, secrets)
    fleet = follow(mosquitto, secrets)
    try:
        wait_until(lambda: (s := fleet.line(LINE1)) is not None and s.state == RUNNING,
                   TIMEOUT, "line 1 running")  # fmt: skip
        client = target._client  # the station's connection, cut as by a power failure
        client.loop_stop()
        client.socket().shutdown(socket.SHUT_RDWR)
        wait_until(lambda: fleet.line(LINE1).state == OFFLINE, TIMEOUT, "line 1 offline")
        assert fleet.line(LINE1).reason == "station st1 offline"
    finally:
        fleet.stop()
        target.close()
