"""The namespace's live side on a real Mosquitto: tag values by exception (retained, the
newest per tag kept while the broker is away, all current ones again on reconnection),
each line's health, the running order and the alarms; and the MES capability feeding
the engine's values to the target."""

from __future__ import annotations

import json

import pytest

from hmi.core.mes.mqtt import MqttTarget
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.tags import bad, good
from tests.mqtt.test_mqtt_target import ROOT, Watcher, secrets, uns  # noqa: F401 - fixture

TOPIC = f"{ROOT}/line1/tags/"


def project() -> Project:
    return Project(
        name="uns",
        root=".",
        devices={
            "press": DeviceConfig("press", "simulator", line="line1"),
            "filler": DeviceConfig("filler", "simulator", line="line2"),
        },
        tags={
            "speed": TagConfig("speed", DataType.FLOAT64, device="press", units="m/min"),
            "count": TagConfig("count", DataType.INT64, device="press"),
            "line2.level": TagConfig("line2.level", DataType.FLOAT64, expr="1"),
            "ambient": TagConfig("ambient", DataType.FLOAT64, expr="2", units="°C"),
        },
        lines={"line1": "Line 1", "line2": "Line 2"},
    )


@pytest.fixture
def live(mosquitto, secrets):  # noqa: F811 - the fixture imported above
    target = uns(mosquitto, secrets, live_every=0.02, health_every=1.0)
    target.attach(project(), {"speed": good(12.5, source_ts=1000.0), "count": good(7)})
    yield target
    target.detach()


def values(watcher: Watcher, count: int) -> dict[str, list[dict]]:
    seen: dict[str, list[dict]] = {}
    for topic, payload, _ in watcher.take(count, timeout=5.0):
        seen.setdefault(topic, []).append(json.loads(payload))
    return seen


def test_values_go_retained_to_their_lines_topic_by_exception(mosquitto, live):
    watcher = Watcher(mosquitto, f"{ROOT}/+/tags/#")
    first = values(watcher, 2)
    assert first[TOPIC + "speed"] == [{"v": 12.5, "q": "good", "ts": 1000000, "units": "m/min"}]
    assert first[TOPIC + "count"][0]["v"] == 7 and "units" not in first[TOPIC + "count"][0]
    live.on_values({"speed": good(12.5, source_ts=1001.0), "count": good(8)})  # speed same
    live.on_values({"line2.level": good(0.5), "ambient": bad("sensor open", 21.0)})
    live.on_values({"_sys.orders.line1.good": good(3)})  # not a tag of the namespace
    later = values(watcher, 4)
    assert TOPIC + "speed" not in later  # unchanged: not sent again
    assert [m["v"] for m in later[TOPIC + "count"]] == [8]
    assert later[f"{ROOT}/line2/tags/line2.level"][0]["v"] == 0.5
    ambient = later[f"{ROOT}/st1/tags/ambient"][0]  # no line: under the station
    assert ambient["q"] == "bad" and ambient["reason"] == "sensor open"
    assert ambient["units"] == "°C"
    assert not any("_sys" in t for t in later)
    late = Watcher(mosquitto, TOPIC + "speed", client_id="late")  # retained for newcomers
    _, payload, retained = late.take(1)[0]
    assert retained and json.loads(payload)["v"] == 12.5
    late.close()
    watcher.close()


def test_the_newest_value_waits_while_the_broker_is_away_and_all_go_again(mosquitto, live):
    watcher = Watcher(mosquitto, f"{ROOT}/+/tags/#", client_id="plant", clean=False)
    live.on_values({"ambient": good(20.0)})  # unchanged over the outage
    assert len(watcher.take(3)) == 3
    before = live.published
    mosquitto.stop()
    for i in range(10_000):  # a burst while the broker is away: one pending value a tag
        live.on_values({"count": good(100 + i), "speed": good(float(i))})
        assert len(live._pending) <= len(project().tags) + 8
    mosquitto.start()
    seen: dict[str, list] = {}
    message = watcher.until(lambda m: json.loads(m[1])["v"] == 10_099, timeout=30)
    assert message is not None
    seen.setdefault(message[0], []).append(json.loads(message[1])["v"])
    for topic, payload, _ in watcher.take(10, timeout=1.0):
        seen.setdefault(topic, []).append(json.loads(payload)["v"])
    assert seen[TOPIC + "count"][-1] == 10_099
    assert seen.get(TOPIC + "speed", [9999.0])[-1] == 9999.0
    # no intermediate value was kept for the reconnection: the newest only
    assert all(v in (10_099, 9999.0, 20.0) for values in seen.values() for v in values)
    # and every current value went out again, the unchanged one too
    assert live.published - before >= 3 and "ambient" in live._sent
    watcher.close()


def test_each_lines_health_is_retained_and_follows_its_devices(mosquitto, live):
    live.on_values({"_sys.device.press": good("ok"), "_sys.device.filler": good("ok")})
    live.on_values({"_sys.mes.uns.backlog": good(12), "_sys.orders.line1.oee": good(0.71)})
    watcher = Watcher(mosquitto, f"{ROOT}/+/health", client_id="fleet")
    seen = {}
    for _ in range(20):  # the retained ones, then those the values above changed
        message = watcher.until(lambda m: True, timeout=5)
        assert message is not None
        seen[message[0]] = json.loads(message[1])
        if seen.get(f"{ROOT}/line1/health", {}).get("backlog") == 12 and len(seen) == 2:
            break
    line1 = seen[f"{ROOT}/line1/health"]
    assert line1["online"] is True and line1["station"] == "st1"
    assert line1["devices"] == {"press": "ok"} and line1["backlog"] == 12
    assert line1["oee"] == {"order": 0.71} and line1["uptime_s"] >= 0 and line1["ts"] > 0
    assert seen[f"{ROOT}/line2/health"]["devices"] == {"filler": "ok"}
    live.on_values({"_sys.device.press": bad("no answer from 10.0.0.5:502 within 1 s")})
    message = watcher.until(lambda m: m[0] == f"{ROOT}/line1/health", timeout=0.9)
    assert message is not None  # on change, before the period's beat
    assert json.loads(message[1])["devices"]["press"].startswith("no answer")
    watcher.close()


def test_the_running_order_and_the_alarms_are_retained(mosquitto, live):
    line = "_sys.orders.line1."
    live.on_values({line + "order": good("WO-7"), line + "state": good("running")})
    live.on_values({line + "good": good(40), line + "scrap": good(2), line + "target": good(500)})
    event = {
        "time": 1700000000.0,
        "alarm_id": "press_overtemp",
        "tag": "temp",
        "line": "line1",
        "from_state": "normal",
        "to_state": "unacked",
        "priority": 2,
        "message": "Press over temperature",
    }
    live.on_values({"_sys.alarms.events": good((event,))})
    watcher = Watcher(mosquitto, f"{ROOT}/line1/#", client_id="mes")
    order = watcher.until(lambda m: m[0].endswith("orders/current") and b"500" in m[1])
    assert order is not None
    body = json.loads(order[1])
    assert body["number"] == "WO-7" and body["state"] == "running" and body["good"] == 40
    alarm = watcher.until(lambda m: m[0] == f"{ROOT}/line1/alarms/press_overtemp")
    assert alarm is not None
    assert json.loads(alarm[1]) == {
        "active": True,
        "acknowledged": False,
        "state": "unacked",
        "priority": 2,
        "message": "Press over temperature",
        "since": 1700000000000,
        "tag": "temp",
    }
    acked = {**event, "time": 1700000060.0, "from_state": "unacked", "to_state": "acked"}
    live.on_values({"_sys.alarms.events": good((acked,))})
    alarm = watcher.until(lambda m: "alarms/" in m[0])
    assert alarm is not None
    state = json.loads(alarm[1])
    assert state["acknowledged"] and state["active"] and state["since"] == 1700000000000
    late = Watcher(mosquitto, f"{ROOT}/line1/orders/current", client_id="late")
    kept = late.take(1)
    assert kept and kept[0][2] and json.loads(kept[0][1])["number"] == "WO-7"  # retained
    late.close()
    live.on_values({line + "order": good("")})  # the order ended: none runs
    cleared = watcher.until(lambda m: m[0].endswith("orders/current"))
    assert cleared is not None and cleared[1] == b""
    # back to normal (acknowledged, then the value returned): the topic is cleared, so a
    # supervisor that subscribes later sees no alarm standing
    over = {**event, "time": 1700000090.0, "from_state": "acked", "to_state": "normal"}
    live.on_values({"_sys.alarms.events": good((over,))})
    alarm = watcher.until(lambda m: "alarms/" in m[0])
    assert alarm is not None and alarm[1] == b""
    late = Watcher(mosquitto, f"{ROOT}/line1/alarms/#", client_id="late-alarms")
    assert late.take(1, 1.0) == []  # nothing retained
    late.close()
    watcher.close()


MES_PROJECT = """\
project:
  name: UNS live
  lines:
    line1: Line 1
devices:
  press: {{protocol: simulator, model: press, line: line1}}
tags:
  - {{name: speed, device: press, address: ram_speed_sp, units: m/min}}
mes:
  targets:
    uns:
      kind: mqtt
      host: 127.0.0.1
      port: {port}
      username: {user}
      password_secret: broker
      root: {root}
      station: st9
      live_every: 20ms
    spare:
      kind: mqtt
      host: 127.0.0.1
      port: {port}
      root: {root}
      station: st8
      enabled: false
"""


def test_the_mes_capability_feeds_the_engines_values_to_the_namespace(
    mosquitto, tmp_path, monkeypatch
):
    from hmi.core.access import Access
    from hmi.core.capability import CapabilityContext
    from hmi.core.engine import TagEngine
    from hmi.core.i18n import Translator
    from hmi.core.live import LiveTags
    from hmi.core.mes.capability import MesCapability
    from hmi.core.project.loader import load_project
    from hmi.core.secrets import open_store
    from tests.mes.conftest import store
    from tests.mosquitto import PASSWORD, USER

    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINEA_HMI_SECRETS", "file")
    open_store().set("broker", PASSWORD)
    folder = tmp_path / "project"
    folder.mkdir()
    text = MES_PROJECT.format(port=mosquitto.port, user=USER, root=ROOT)
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    project = load_project(folder)
    access = Access()
    engine = TagEngine(project, access=access)
    live = LiveTags(engine)
    writer = store(tmp_path / "hmi.db")
    context = CapabilityContext(
        MesCapability, project, tmp_path, writer, live, access, Translator(), None
    )
    watcher = Watcher(mosquitto, f"{ROOT}/#", client_id="plant")
    capability = MesCapability(context)
    capability.start()
    try:
        target = capability.mes.deliveries["uns"].target
        assert isinstance(target, MqttTarget)
        engine.publish({"speed": good(3.5)})
        message = watcher.until(lambda m: m[0] == f"{ROOT}/line1/tags/speed")
        assert message is not None and json.loads(message[1])["units"] == "m/min"
        health = watcher.until(lambda m: m[0] == f"{ROOT}/line1/health")
        assert health is not None and json.loads(health[1])["backlog"] == 0
        assert [type(t) for t, _ in capability._live] == [MqttTarget]  # not the disabled
    finally:
        capability.stop()
        writer.stop()
    offline = watcher.until(lambda m: m[0] == f"{ROOT}/_stations/st9" and b"false" in m[1])
    assert offline is not None  # a clean stop says so
    watcher.close()


def test_mqtt_3_1_1_carries_the_same_values(mosquitto, secrets):  # noqa: F811
    import dataclasses

    target = uns(mosquitto, secrets, live_every=0.02)
    target.settings = dataclasses.replace(target.settings, protocol="3.1.1")
    target.attach(project(), {"speed": good(1.25, source_ts=2.0), "count": good(2**40)})
    try:
        watcher = Watcher(mosquitto, f"{ROOT}/+/tags/#")
        seen = values(watcher, 2)
        assert seen[TOPIC + "speed"] == [{"v": 1.25, "q": "good", "ts": 2000, "units": "m/min"}]
        assert seen[TOPIC + "count"][0]["v"] == 2**40
        long_text = "x" * 70_000  # a remaining length of three bytes
        target.on_values({"count": good(long_text)})
        assert values(watcher, 1)[TOPIC + "count"][0]["v"] == long_text
        watcher.close()
    finally:
        target.detach()


def test_a_stalled_broker_leaves_one_pending_value_a_tag_not_a_growing_queue(mosquitto, live):
    import os
    import signal
    import time

    from hmi.core.mes.mqtt import MAX_QUEUED

    watcher = Watcher(mosquitto, TOPIC + "speed")
    assert len(watcher.take(1)) == 1
    assert mosquitto.process is not None
    os.kill(mosquitto.process.pid, signal.SIGSTOP)  # reads nothing: the socket fills up
    try:
        big = "y" * 200_000
        most = 0
        for i in range(150):
            live.on_values({"count": good(f"{i}:{big}"), "speed": good(float(i))})
            time.sleep(0.02)  # the engine's pace, not a wait for anything
            client = live._client
            assert client is not None
            most = max(most, len(client._out_packet))
            assert len(live._pending) <= 2
        assert most <= MAX_QUEUED + 2  # the flush that found it below, a keepalive ping
    finally:
        os.kill(mosquitto.process.pid, signal.SIGCONT)
    newest = watcher.until(lambda m: json.loads(m[1])["v"] == 149.0, timeout=30)
    assert newest is not None
    watcher.close()


def test_alarm_events_of_two_batches_between_flushes_are_all_published(mosquitto, secrets):  # noqa: F811
    target = uns(mosquitto, secrets, live_every=3.0)
    watcher = Watcher(mosquitto, f"{ROOT}/+/alarms/#")
    health = Watcher(mosquitto, f"{ROOT}/line1/health", client_id="health")
    target.attach(project(), {})
    try:
        assert health.until(lambda m: True) is not None  # the first flush is done
        for alarm in ("low_oil", "door_open"):  # two engine batches in one flush period
            event = {"time": 5.0, "alarm_id": alarm, "line": "line1", "from_state": "normal",
                     "to_state": "unacked", "priority": 3, "message": alarm}  # fmt: skip
            target.on_values({"_sys.alarms.events": good((event,))})
        seen = {topic for topic, _, _ in watcher.take(2, timeout=8)}
        assert seen == {f"{ROOT}/line1/alarms/low_oil", f"{ROOT}/line1/alarms/door_open"}
    finally:
        target.detach()
        watcher.close()
        health.close()
