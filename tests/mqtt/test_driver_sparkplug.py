"""A supervisor reading a Linea line through its Sparkplug B target: the line was publishing
before the supervisor started (births are not retained), so the driver asks the node for
its births, then follows its data by alias, the line's quality, and its death."""

from __future__ import annotations

import threading

import pytest

from hmi.core.mes.mqtt_link import MqttSettings
from hmi.core.mes.sparkplug import SparkplugTarget
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.secrets import FileStore
from hmi.core.tags import Quality, bad, good
from tests.mosquitto import USER
from tests.mqtt.test_driver_values import (
    SECRET,
    TIMEOUT,
    Publisher,
    Station,
    device,
    project,
    secret,  # noqa: F401 (the fixture)
    tag,
)

GROUP, NODE = "turin", "press-pc-1"
BASE = f"spBv1.0/{GROUP}"


def line_project() -> Project:
    devices = {"press": DeviceConfig("press", "simulator", line="line1")}
    tags = [
        TagConfig("line1.speed", DataType.FLOAT32, device="press", address="a"),
        TagConfig("line1.count", DataType.INT32, device="press", address="b"),
        TagConfig("line1.recipe", DataType.STRING, device="press", address="c"),
        TagConfig("line1.oee", DataType.FLOAT64, expr="1.0"),
    ]
    return Project("line", ".", devices=devices, tags={t.name: t for t in tags})


@pytest.fixture
def line_node(mosquitto, request):
    request.getfixturevalue("secret")  # the broker password in the station's store
    settings = MqttSettings(
        host="127.0.0.1",
        port=mosquitto.port,
        username=USER,
        password_secret=SECRET,
        client_id="linea-press-pc-1-spb",
        keepalive=5,
    )
    target = SparkplugTarget(
        "scada", settings, group=GROUP, node=NODE, station="press-pc-1", secrets=FileStore()
    )
    values = {
        "line1.speed": good(12.5, source_ts=1_700_000_000.25),
        "line1.count": good(-3),
        "line1.recipe": good("6060 billet"),
        "line1.oee": good(0.75),
    }
    births = Publisher(mosquitto)  # the births go out before any supervisor listens
    born, listening = threading.Event(), threading.Event()
    births.client.on_message = lambda c, u, m: born.set()
    births.client.on_subscribe = lambda c, u, mid, codes, p: listening.set()
    births.client.subscribe(f"{BASE}/DBIRTH/{NODE}/press", qos=1)
    assert listening.wait(TIMEOUT)
    target.attach(line_project(), values)
    assert born.wait(TIMEOUT), "the line's births"
    births.close()
    yield target
    target.detach()


def supervisor(broker, **options) -> Project:
    def metric(name: str, metric: str, data_type=DataType.FLOAT64, where=f"DDATA/{NODE}/press"):
        return tag(name, f"{BASE}/{where} payload=sparkplug metric={metric}", data_type)

    return project(
        device(broker, **options),
        metric("press1.speed", "line1.speed"),
        metric("press1.count", "line1.count", DataType.INT32),
        metric("press1.recipe", "line1.recipe", DataType.STRING),
        metric("press1.oee", "line1.oee", where=f"NDATA/{NODE}"),
    )


def test_births_asked_at_connection_then_data_by_alias_quality_and_death(
    mosquitto, line_node, tmp_path
):
    with Station(supervisor(mosquitto), tmp_path) as st:
        speed = st.value("press1.speed", 12.5)
        assert speed.source_ts == pytest.approx(1_700_000_000.25)
        assert st.value("press1.count", -3)
        assert st.value("press1.recipe", "6060 billet")
        assert st.value("press1.oee", 0.75)
        line_node.on_values({"line1.count": good(-7), "line1.oee": good(0.5)})
        assert st.value("press1.count", -7)  # by alias alone, typed by the birth
        assert st.value("press1.oee", 0.5)
        line_node.on_values({"line1.speed": bad("PLC not answering", value=12.5)})
        lost = st.quality("press1.speed", Quality.BAD)
        assert "quality 0" in lost.reason
        line_node.on_values({"line1.speed": good(13.0)})
        assert st.value("press1.speed", 13.0)
        line_node.detach()  # the station stops: its NDEATH
        for name in ("press1.speed", "press1.count", "press1.oee"):
            dead = st.quality(name, Quality.BAD)
            assert f"edge node {NODE} went offline (NDEATH)" in dead.reason


def test_without_rebirth_the_tags_wait_saying_why(mosquitto, line_node, tmp_path):
    with Station(supervisor(mosquitto, rebirth=False), tmp_path) as st:
        st.wait(lambda v: "press1.speed" in v, what="a first word on press1.speed")
        waiting = st.values["press1.speed"]
        assert waiting.quality is Quality.BAD
        assert "Sparkplug keeps nothing retained" in waiting.reason
        line_node.on_values({"line1.count": good(5)})  # by alias: no birth explains it
        st.wait(lambda v: "no birth of device press" in v["press1.count"].reason)
