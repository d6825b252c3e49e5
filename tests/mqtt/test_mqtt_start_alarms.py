"""The alarms the namespace shows the moment the station starts, on a real Mosquitto, from
the real alarms service: each alarm already active is retained at once, one that cleared
while the station was off is removed (an empty retained message), and a service that
fails leaves the alarm events working."""

from __future__ import annotations

import json
import time
from types import SimpleNamespace

import paho.mqtt.client as mqtt
import pytest

from hmi.core.tags import TagValue, good
from tests.mosquitto import PASSWORD, USER
from tests.mqtt.test_mqtt_target import ROOT, Watcher, secrets, uns
from tests.unit.test_alarm_manager import Plant, hi

__all__ = ["secrets"]  # the fixture, shared

ALARMS = f"{ROOT}/line1/alarms/"


def context(**services) -> SimpleNamespace:
    """What the MES capability hands the target: the other capabilities' services."""
    return SimpleNamespace(service=services.get)


def retain(broker, topic: str, payload: bytes) -> None:
    """A retained message left on the broker by an earlier run of the station."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="earlier-run")
    client.username_pw_set(USER, PASSWORD)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    client.publish(topic, payload, qos=1, retain=True).wait_for_publish(5.0)
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def plant(tmp_path):
    made = Plant(tmp_path, [hi(0, priority=3), hi(1, priority=1), hi(2, priority=2)])
    yield made
    made.close()


def test_alarms_standing_at_start_are_retained_at_once_and_cleared_ones_removed(
    mosquitto,
    secrets,
    plant,
):
    plant.put(t0=11, t1=12, t2=1)  # t0 and t1 active, t2 normal
    plant.manager.acknowledge("t1.hi", "anna")
    stale = {"active": True, "acknowledged": False, "state": "unacked", "priority": 2}
    retain(mosquitto, ALARMS + "t2.hi", json.dumps(stale).encode())  # cleared while off
    watcher = Watcher(mosquitto, ALARMS + "+", client_id="mes")
    assert watcher.until(lambda m: m[0].endswith("t2.hi") and m[2]) is not None  # the stale
    target = uns(mosquitto, secrets, live_every=0.02)
    target.attach(plant.project, {}, context=context(alarms=plant.manager))
    try:
        seen: dict[str, bytes] = {}
        deadline = time.monotonic() + 10.0
        while len(seen) < 3 and time.monotonic() < deadline:
            message = watcher.until(lambda m: not m[2], timeout=1.0)  # the station's own
            if message is not None:
                seen[message[0].rsplit("/", 1)[1]] = message[1]
        assert seen["t2.hi"] == b""
        t0, t1 = json.loads(seen["t0.hi"]), json.loads(seen["t1.hi"])
        assert t0 == {
            "active": True,
            "acknowledged": False,
            "state": "unacked",
            "priority": 3,
            "message": "t0 high: 11 bar",
            "since": int(plant.clock.now * 1000),
            "tag": "t0",
        }
        assert t1["active"] and t1["acknowledged"] and t1["state"] == "acked"
        assert t1["priority"] == 1
        late = Watcher(mosquitto, ALARMS + "+", client_id="late")
        kept = {t.rsplit("/", 1)[1]: json.loads(p) for t, p, _ in late.take(3, timeout=2.0)}
        late.close()
        assert set(kept) == {"t0.hi", "t1.hi"}  # what was cleared is no longer retained
        # after the start, the alarm events go on as before
        plant.put(t0=1)
        target.on_values({"_sys.alarms.events": _events(plant)})
        cleared = watcher.until(lambda m: m[0].endswith("t0.hi"), timeout=5.0)
        assert cleared is not None and json.loads(cleared[1])["state"] == "rtn_unacked"
    finally:
        target.detach()
        watcher.close()


def _events(plant: Plant) -> TagValue:
    """The manager's events as the alarms capability publishes them."""
    return good(tuple(e.as_dict() for e in plant.events))


def test_an_alarms_service_that_fails_leaves_the_events_working(
    mosquitto,
    secrets,
    plant,
    caplog,
):
    class Broken:
        def alarms(self):
            raise RuntimeError("journal unreadable")

    watcher = Watcher(mosquitto, ALARMS + "+", client_id="mes")
    target = uns(mosquitto, secrets, live_every=0.02)
    with caplog.at_level("ERROR", logger="hmi.mes.mqtt"):
        target.attach(plant.project, {}, context=context(alarms=Broken()))
        try:
            plant.put(t0=11)
            target.on_values({"_sys.alarms.events": _events(plant)})
            message = watcher.until(lambda m: m[0].endswith("t0.hi"), timeout=5.0)
            assert message is not None and json.loads(message[1])["state"] == "unacked"
        finally:
            target.detach()
            watcher.close()
    assert any("did not say its alarms" in r.getMessage() for r in caplog.records)
