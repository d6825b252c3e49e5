"""The MQTT driver on a real Mosquitto: what each payload becomes in the engine.

``Station`` (used by the other driver tests too) runs a project in the Runtime, as the
HMI does, and waits for the engine's values through a subscription, never by sleeping.
"""

from __future__ import annotations

import json
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from hmi.core.capability import CapabilityRegistry
from hmi.core.driver import DeviceStatus
from hmi.core.engine import device_status_tag
from hmi.core.mes import sparkplug_payload as sparkplug
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.runtime import Runtime
from hmi.core.secrets import FileStore
from hmi.core.tags import Quality, TagValue
from tests.mosquitto import PASSWORD, USER

TIMEOUT = 5.0
SECRET = "broker_supervisor"
UNS = "acme/turin/extrusion/line1/tags"


@pytest.fixture
def secret(monkeypatch):
    """The broker's password kept in the station's secrets file, as ``hmi secret set`` does."""
    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    FileStore().set(SECRET, PASSWORD)
    return SECRET


def device(broker, **options) -> DeviceConfig:
    settings = {
        "host": "127.0.0.1",
        "port": broker.port,
        "username": USER,
        "password_secret": SECRET,
        "reconnect_min": 0.1,
        "reconnect_max": 0.5,
        "demote_for": 0.5,
        **options,
    }
    return DeviceConfig("broker", "mqtt", settings)


def tag(name: str, address: str, data_type=DataType.FLOAT64, **more) -> TagConfig:
    return TagConfig(name, data_type, "broker", address, **more)


def project(dev: DeviceConfig, *tags: TagConfig) -> Project:
    return Project(name="fleet", root=".", devices={dev.name: dev}, tags={t.name: t for t in tags})


class Station:
    """A project running in the Runtime (no capabilities); ``wait`` returns when the
    engine's values satisfy a condition, woken by the engine's own subscription."""

    def __init__(self, proj: Project, folder):
        self.runtime = Runtime(proj, folder, capabilities=CapabilityRegistry())
        self.values: dict[str, TagValue] = {}
        self._woken = threading.Event()

    def __enter__(self) -> Station:
        self.runtime.start()
        self._sub = self.runtime.submit(self._subscribe()).result(TIMEOUT)
        return self

    async def _subscribe(self):
        return self.runtime.engine.subscribe("test", latest_only=True, wake=self._woken.set)

    def __exit__(self, *exc) -> None:
        self.runtime.stop()

    def wait(self, predicate, timeout: float = TIMEOUT, what: str = "values") -> float:
        """Seconds until ``predicate(values)`` held."""
        start = time.monotonic()
        while True:
            for batch in self._sub.take():
                self.values.update(batch)
            if predicate(self.values):
                return time.monotonic() - start
            left = start + timeout - time.monotonic()
            assert left > 0, f"{what} not reached within {timeout} s: {self.values}"
            self._woken.wait(left)
            self._woken.clear()

    def quality(self, name: str, quality: Quality, timeout: float = TIMEOUT) -> TagValue:
        self.wait(lambda v: name in v and v[name].quality is quality, timeout, f"{name} {quality}")
        return self.values[name]

    def value(self, name: str, expected, timeout: float = TIMEOUT) -> TagValue:
        self.wait(
            lambda v: name in v and v[name].quality is Quality.GOOD and v[name].value == expected,
            timeout,
            f"{name} = {expected!r}",
        )
        return self.values[name]

    def status(self, device: str = "broker") -> str:
        tv = self.values.get(device_status_tag(device))
        return tv.value if tv is not None else ""


class Publisher:
    """A line publishing on the broker: retained by default, each publish acknowledged."""

    def __init__(self, broker):
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.username_pw_set(USER, PASSWORD)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def send(self, topic: str, payload, retain: bool = True) -> None:
        if isinstance(payload, dict | list):
            payload = json.dumps(payload)
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(TIMEOUT)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def line(mosquitto):
    publisher = Publisher(mosquitto)
    yield publisher
    publisher.close()


def test_uns_json_raw_and_a_json_path_decode_to_typed_values_with_source_time(
    mosquitto, secret, line, tmp_path
):
    ts_ms = int(time.time() * 1000) - 1500
    line.send(f"{UNS}/speed", {"v": 12.5, "q": "good", "ts": ts_ms, "units": "m/min"})
    line.send(f"{UNS}/count", {"v": 4711, "q": "good", "ts": ts_ms})
    line.send(f"{UNS}/running", {"v": True, "q": "good", "ts": ts_ms})
    line.send(f"{UNS}/product", {"v": "6060-T5 profile", "q": "good", "ts": ts_ms})
    line.send(
        f"{UNS}/pressure", {"v": 210.0, "q": "uncertain", "ts": ts_ms, "reason": "sensor drift"}
    )
    line.send(f"{UNS}/billet", {"v": None, "q": "bad", "ts": ts_ms, "reason": "PLC offline"})
    line.send("plant/oven3/state", {"data": {"temp": 181.5, "zones": [170, 175]}})
    line.send("plant/oven3/door", "1")
    line.send("plant/oven3/recipe", "  AL-6060  ")
    proj = project(
        device(mosquitto),
        tag("l1.speed", f"{UNS}/speed"),
        tag("l1.count", f"{UNS}/count", DataType.UINT32),
        tag("l1.running", f"{UNS}/running", DataType.BOOL),
        tag("l1.product", f"{UNS}/product", DataType.STRING),
        tag("l1.pressure", f"{UNS}/pressure"),
        tag("l1.billet", f"{UNS}/billet"),
        tag("oven.temp", "plant/oven3/state path=data.temp"),
        tag("oven.zone2", "plant/oven3/state path=data.zones.1", DataType.INT16),
        tag("oven.door", "plant/oven3/door payload=raw", DataType.BOOL),
        tag("oven.recipe", "plant/oven3/recipe payload=raw", DataType.STRING),
    )
    with Station(proj, tmp_path) as st:
        names = [t for t in proj.tags]
        st.wait(lambda v: all(n in v for n in names), what="every tag")
        speed = st.value("l1.speed", 12.5)
        assert speed.source_ts == pytest.approx(ts_ms / 1000)
        assert st.value("l1.count", 4711).value.__class__ is int
        assert st.value("l1.running", True).value is True
        assert st.value("l1.product", "6060-T5 profile")
        pressure = st.values["l1.pressure"]
        assert (pressure.quality, pressure.value, pressure.reason) == (
            Quality.UNCERTAIN,
            210.0,
            "sensor drift",
        )
        billet = st.values["l1.billet"]
        assert (billet.quality, billet.reason) == (Quality.BAD, "PLC offline")
        assert st.value("oven.temp", 181.5).source_ts is None  # other JSON has no time of its own
        assert st.value("oven.zone2", 175).value == 175
        assert st.value("oven.door", True)
        assert st.value("oven.recipe", "AL-6060")
        assert st.status() == DeviceStatus.ONLINE.value
        line.send(f"{UNS}/speed", {"v": 13.0, "q": "good", "ts": ts_ms + 1000}, retain=False)
        assert st.value("l1.speed", 13.0).source_ts == pytest.approx(ts_ms / 1000 + 1)


def test_a_wrong_payload_makes_only_its_tag_bad_with_the_reason(mosquitto, secret, line, tmp_path):
    line.send(f"{UNS}/ok", {"v": 1.5})
    line.send(f"{UNS}/garbled", b"\x00\xffnot json")
    line.send(f"{UNS}/count", {"v": "many"})
    line.send(f"{UNS}/fraction", {"v": 2.5})
    line.send(f"{UNS}/small", {"v": 70000})
    line.send(f"{UNS}/novalue", {"q": "good"})
    line.send(f"{UNS}/quality", {"v": 1, "q": "excellent"})
    line.send("plant/oven3/state", {"data": {"humidity": 40}})
    line.send("plant/oven3/raw", "warm")
    proj = project(
        device(mosquitto),
        tag("ok", f"{UNS}/ok"),
        tag("garbled", f"{UNS}/garbled"),
        tag("count", f"{UNS}/count", DataType.INT32),
        tag("fraction", f"{UNS}/fraction", DataType.INT32),
        tag("small", f"{UNS}/small", DataType.INT16),
        tag("novalue", f"{UNS}/novalue"),
        tag("quality", f"{UNS}/quality"),
        tag("temp", "plant/oven3/state path=data.temp"),
        tag("raw", "plant/oven3/raw payload=raw"),
        tag("never", f"{UNS}/never_published"),
    )
    expected = {
        "garbled": f"not JSON on {UNS}/garbled",
        "count": f"text 'many' is not a number (int32 tag) on {UNS}/count",
        "fraction": "2.5 is not a whole number (int32 tag)",
        "small": "70000 is outside the range of int16",
        "novalue": 'no "v" in the message',
        "quality": "q text 'excellent' is not good, uncertain or bad",
        "temp": "no data.temp in the message (path data.temp)",
        "raw": "text 'warm' is not a float64 number on plant/oven3/raw",
        "never": f"no message on {UNS}/never_published yet (nothing retained)",
    }
    with Station(proj, tmp_path) as st:
        st.wait(lambda v: all(n in v for n in expected) and "ok" in v, what="every tag")
        for name, words in expected.items():
            tv = st.values[name]
            assert tv.quality is Quality.BAD, name
            assert words in tv.reason, (name, tv.reason)
        assert st.value("ok", 1.5)
        # the bad topic's next good message heals it; the others are untouched
        line.send(f"{UNS}/count", {"v": 42})
        assert st.value("count", 42)
        assert st.values["garbled"].quality is Quality.BAD
        # a cleared retained message is no value, never the old one
        line.send(f"{UNS}/ok", b"")
        cleared = st.quality("ok", Quality.BAD)
        assert "was cleared" in cleared.reason


def test_a_stale_value_turns_uncertain_and_a_fresh_one_good_again(
    mosquitto, secret, line, tmp_path
):
    line.send("plant/press/beat", "7")
    proj = project(device(mosquitto), tag("beat", "plant/press/beat payload=raw stale=0.4s"))
    with Station(proj, tmp_path) as st:
        st.value("beat", 7.0)
        stale = st.quality("beat", Quality.UNCERTAIN, timeout=3)
        assert stale.value == 7.0 and "older than 0.4 s" in stale.reason
        line.send("plant/press/beat", "8")
        assert st.value("beat", 8.0)


def test_an_old_uns_value_is_uncertain_from_its_own_timestamp(mosquitto, secret, line, tmp_path):
    old = int(time.time() * 1000) - 120_000
    line.send(f"{UNS}/old", {"v": 3.0, "ts": old})
    proj = project(device(mosquitto, stale="1m"), tag("old", f"{UNS}/old"))
    with Station(proj, tmp_path) as st:
        tv = st.quality("old", Quality.UNCERTAIN)
        assert tv.value == 3.0 and tv.source_ts == pytest.approx(old / 1000)


def test_one_subscription_per_topic_feeds_every_tag_that_reads_it(
    mosquitto, secret, line, tmp_path
):
    line.send("plant/oven3/state", {"data": {"temp": 150.0, "set": 160.0}})
    proj = project(
        device(mosquitto),
        tag("temp", "plant/oven3/state path=data.temp"),
        tag("set", "plant/oven3/state path=data.set"),
    )
    with Station(proj, tmp_path) as st:
        st.value("temp", 150.0)
        st.value("set", 160.0)
        driver = st.runtime.engine.drivers["broker"]
        assert list(driver._readers) == ["plant/oven3/state"]
        line.send("plant/oven3/state", {"data": {"temp": 151.0, "set": 161.0}})
        st.wait(lambda v: v["temp"].value == 151.0 and v["set"].value == 161.0)


# -- Sparkplug B -------------------------------------------------------------------------

SP = sparkplug
GROUP, NODE, DEV = "turin", "press1", "plc"


def sp_payload(seq, *metrics, ts=None) -> bytes:
    return SP.encode(
        SP.Payload(timestamp=ts or int(time.time() * 1000), seq=seq, metrics=list(metrics))
    )


def test_sparkplug_metrics_by_name_then_by_alias_and_bad_on_death(
    mosquitto, secret, line, tmp_path
):
    base = f"spBv1.0/{GROUP}"
    proj = project(
        device(mosquitto),
        tag("sp.speed", f'{base}/DDATA/{NODE}/{DEV} payload=sparkplug metric="Ram/Speed"'),
        tag(
            "sp.count", f"{base}/DDATA/{NODE}/{DEV} payload=sparkplug metric=Count", DataType.INT32
        ),
        tag("sp.mode", f"{base}/NDATA/{NODE} payload=sparkplug metric=Mode", DataType.STRING),
    )
    with Station(proj, tmp_path) as st:
        st.wait(lambda v: st.status() == "online", what="online")
        # data by alias before any birth: nothing can say which metric it is
        line.send(
            f"{base}/DDATA/{NODE}/{DEV}",
            sp_payload(9, SP.Metric(alias=10, datatype=SP.DataType.FLOAT, value=1.0)),
            retain=False,
        )
        st.wait(
            lambda v: (
                "no birth of device plc of edge node press1"
                in getattr(v.get("sp.speed"), "reason", "")
            ),
            what="unknown aliases",
        )
        assert st.values["sp.speed"].quality is Quality.BAD
        line.send(
            f"{base}/NBIRTH/{NODE}",
            sp_payload(
                0,
                SP.Metric("bdSeq", datatype=SP.DataType.UINT64, value=1),
                SP.Metric("Mode", alias=1, datatype=SP.DataType.STRING, value="auto"),
            ),
            retain=False,
        )
        line.send(
            f"{base}/DBIRTH/{NODE}/{DEV}",
            sp_payload(
                1,
                SP.Metric("Ram/Speed", alias=10, datatype=SP.DataType.FLOAT, value=11.5),
                SP.Metric("Count", alias=11, datatype=SP.DataType.INT32, value=-3),
            ),
            retain=False,
        )
        assert st.value("sp.mode", "auto")
        assert st.value("sp.speed", 11.5)
        assert st.value("sp.count", -3)  # two's complement on the wire, -3 in the tag
        t = int(time.time() * 1000) - 250
        line.send(
            f"{base}/DDATA/{NODE}/{DEV}",
            sp_payload(
                2,
                SP.Metric(alias=10, datatype=SP.DataType.FLOAT, value=12.0, timestamp=t),
                SP.Metric(alias=11, datatype=SP.DataType.INT32, value=-7),
            ),
            retain=False,
        )
        assert st.value("sp.speed", 12.0).source_ts == pytest.approx(t / 1000)
        assert st.value("sp.count", -7)
        line.send(
            f"{base}/NDEATH/{NODE}",
            sp_payload(3, SP.Metric("bdSeq", datatype=SP.DataType.UINT64, value=1)),
            retain=False,
        )
        for name in ("sp.speed", "sp.count", "sp.mode"):
            dead = st.quality(name, Quality.BAD)
            assert "edge node press1 went offline (NDEATH)" in dead.reason
        line.send(f"{base}/DDATA/{NODE}/{DEV}", b"\x0a\xff", retain=False)
        st.wait(lambda v: "not a Sparkplug B payload" in v["sp.speed"].reason, what="garbled")
        assert "NDEATH" in st.values["sp.mode"].reason  # the node's own metric was not in it
