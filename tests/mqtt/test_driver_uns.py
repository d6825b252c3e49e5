"""A supervisor reading a Linea line through its Unified Namespace target: the line's values
with their quality, source time and units, and never a Good value from a station that is
gone (its retained values stay on the broker, its station topic says offline)."""

from __future__ import annotations

import socket

import pytest

from hmi.core.mes.mqtt import MqttTarget
from hmi.core.mes.mqtt_link import MqttSettings
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.secrets import FileStore
from hmi.core.tags import Quality, bad, good
from tests.mosquitto import USER
from tests.mqtt.test_driver_values import (
    SECRET,
    Station,
    device,
    project,
    secret,  # noqa: F401 (the fixture)
    tag,
)

ROOT, STATION = "acme/turin/extrusion", "press-pc-1"
TAGS = f"{ROOT}/line1/tags"


def line_project() -> Project:
    return Project(
        name="line",
        root=".",
        devices={"press": DeviceConfig("press", "simulator", line="line1")},
        tags={
            "speed": TagConfig("speed", DataType.FLOAT64, device="press", units="m/min"),
            "count": TagConfig("count", DataType.INT64, device="press"),
            "temp": TagConfig("temp", DataType.FLOAT64, device="press"),
        },
        lines={"line1": "Line 1"},
    )


def line_target(broker) -> MqttTarget:
    settings = MqttSettings(
        host="127.0.0.1",
        port=broker.port,
        username=USER,
        password_secret=SECRET,
        client_id=f"linea-{STATION}-uns",
        keepalive=5,
    )
    return MqttTarget(
        "uns", settings, ROOT, station=STATION, live_every=0.02, health_every=1.0,
        secrets=FileStore(),
    )  # fmt: skip


def supervisor(broker) -> Project:
    return project(
        device(broker),
        tag("press1.speed", f"{TAGS}/speed"),
        tag("press1.count", f"{TAGS}/count", DataType.INT64),
        tag("press1.temp", f"{TAGS}/temp"),
    )


@pytest.mark.usefixtures("secret")
def test_a_lines_values_then_bad_while_its_station_is_gone(mosquitto, tmp_path):
    line = line_target(mosquitto)
    values = {"speed": good(12.5, source_ts=1000.0), "count": good(7), "temp": good(480.0)}
    line.attach(line_project(), values)
    try:
        with Station(supervisor(mosquitto), tmp_path) as st:
            assert st.value("press1.speed", 12.5).source_ts == 1000.0
            assert st.value("press1.count", 7)
            line.on_values({"count": good(8), "temp": bad("thermocouple open", 480.0)})
            assert st.value("press1.count", 8)
            temp = st.quality("press1.temp", Quality.BAD)
            assert temp.reason == "thermocouple open"
            line.detach()  # the station stops; its last values stay retained
            for name in ("press1.speed", "press1.count"):
                gone = st.quality(name, Quality.BAD)
                assert f"line line1 is offline (station {STATION} stopped)" == gone.reason
                assert gone.value is not None  # the last value shown, marked Bad
            line = line_target(mosquitto)
            line.attach(line_project(), {**values, "count": good(9)})
            assert st.value("press1.count", 9)
            assert st.value("press1.speed", 12.5)
    finally:
        line.detach()


@pytest.mark.usefixtures("secret")
def test_a_supervisor_started_after_the_station_died_shows_its_tags_bad(mosquitto, tmp_path):
    line = line_target(mosquitto)
    line.attach(line_project(), {"speed": good(3.0), "count": good(1), "temp": good(20.0)})
    with Station(supervisor(mosquitto), tmp_path / "first") as st:
        st.value("press1.speed", 3.0)  # published and retained
    client = line._client
    assert client is not None
    client.socket().shutdown(socket.SHUT_RDWR)  # a power cut: the broker sends the will
    client.loop_stop()  # and the station does not come back
    with Station(supervisor(mosquitto), tmp_path / "later") as st:
        dead = st.quality("press1.speed", Quality.BAD)
        assert f"station {STATION} is offline" in dead.reason
    line.detach()
