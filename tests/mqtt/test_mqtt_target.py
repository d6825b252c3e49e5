"""The MQTT namespace target on a real Mosquitto: events through the MES sync, each once
and in order per stream, over a broker stopped or killed in the middle; the station's
online state and its last will; each line's retained health; the entry's checks."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections import defaultdict
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from hmi.core.access import Access
from hmi.core.mes import Outcome, TargetError
from hmi.core.mes.config import MesConfig
from hmi.core.mes.mqtt import MqttTarget
from hmi.core.mes.mqtt_link import MqttSettings
from hmi.core.mes.service import Mes
from hmi.core.project.models import Project
from hmi.core.secrets import FileStore
from tests.mes.conftest import outbox_ids, store, target_config, wait_until, write_events
from tests.mosquitto import PASSWORD, USER

ROOT = "acme/turin/extrusion"
TIMEOUT = 10.0


@pytest.fixture
def writer(tmp_path):
    w = store(tmp_path / "hmi.db")
    yield w
    w.stop()


@pytest.fixture
def secrets(tmp_path) -> FileStore:
    store = FileStore(tmp_path / "config")
    store.set("broker", PASSWORD)
    store.set("stale", "wrong")
    return store


def uns(broker, secrets, *, name="uns", secret="broker", tls=False, **options) -> MqttTarget:
    settings = MqttSettings(
        host="127.0.0.1",
        port=broker.tls_port if tls else broker.port,
        tls=tls,
        ca_file=str(broker.ca_file) if tls else None,
        username=USER,
        password_secret=secret,
        client_id=f"linea-st1-{name}",
    )
    options.setdefault("timeout", 5.0)
    return MqttTarget(name, settings, ROOT, station="st1", secrets=secrets, **options)


class Watcher:
    """A plant-side subscriber: every message it got, in arrival order."""

    def __init__(self, broker, topics: str, client_id: str = "watcher", clean: bool = True):
        self.messages: queue.Queue = queue.Queue()
        self.connected = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=clean
        )
        self.client.username_pw_set(USER, PASSWORD)
        self.client.reconnect_delay_set(0.1, 0.5)
        self.topics = topics

        def on_connect(c, u, flags, reason, props):
            c.subscribe(topics, qos=1)

        def on_subscribe(c, u, mid, reasons, props):
            self.connected.set()

        self.client.on_connect = on_connect
        self.client.on_subscribe = on_subscribe
        self.client.on_message = lambda c, u, m: self.messages.put(
            (m.topic, bytes(m.payload), bool(m.retain))
        )
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert self.connected.wait(TIMEOUT)

    def take(self, count: int, timeout: float = TIMEOUT) -> list[tuple[str, bytes, bool]]:
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            try:
                got.append(self.messages.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                break
        return got

    def until(self, predicate, timeout: float = TIMEOUT) -> tuple[str, bytes, bool] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if predicate(message):
                return message
        return None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def mes_over(target: MqttTarget, writer, **options: Any) -> Mes:
    """The MES sync over ``target``, attached as the running station's is."""
    target.attach(Project(name="uns", root="."), {})
    return Mes(MesConfig({target.name: target_config(target, **options)}), writer, Access(),
               poll=0.05).load()  # fmt: skip


def sent_all(mes: Mes, writer) -> bool:
    """Nothing left to send: the outbox keeps only its newest row (its id's high mark)."""
    return mes.status()[0].backlog == 0 and len(outbox_ids(writer.path)) <= 1


def events_seen(messages) -> dict[str, list[dict]]:
    by_stream: dict[str, list[dict]] = defaultdict(list)
    for topic, payload, _ in messages:
        if "/events/" in topic:
            event = json.loads(payload)
            assert topic == f"{ROOT}/{event['line']}/events/{event['kind']}"
            by_stream[event["stream"]].append(event)
    return by_stream


def assert_each_once_in_order(by_stream, expected: dict[str, int], resends: bool = False):
    """Every seq of each stream arrived, first arrivals in order; with ``resends`` a key
    may arrive again (the station sent it again), never a new one out of order."""
    for stream, count in expected.items():
        firsts, seen = [], set()
        for event in by_stream.get(stream, []):
            if event["key"] in seen:
                assert resends, event["key"]
                continue
            seen.add(event["key"])
            firsts.append(event["seq"])
        assert firsts == list(range(1, count + 1)), stream


def streams(n_streams: int, per_stream: int) -> list[tuple[str, str]]:
    out = []
    for i in range(per_stream):
        for s in range(n_streams):
            out.append((f"O-{s}", "count" if i % 3 else "scrap"))
    return out


def test_events_reach_the_broker_once_each_in_order_and_leave_the_outbox(
    mosquitto, secrets, writer
):
    watcher = Watcher(mosquitto, f"{ROOT}/+/events/#")
    target = uns(mosquitto, secrets)
    write_events(writer, streams(4, 50))
    mes = mes_over(target, writer, batch=37).start()
    try:
        assert wait_until(lambda: sent_all(mes, writer), TIMEOUT)
        got = watcher.take(200)
        assert len(got) == 200, len(got)
        assert_each_once_in_order(events_seen(got), {f"O-{s}": 50 for s in range(4)})
        assert all(not retained for _, _, retained in got)
        event = json.loads(got[0][1])
        assert set(event) == {"key", "stream", "seq", "kind", "ts", "payload", "station", "line"}
        assert event["station"] == "st1"
        assert mes.status()[0].state == "ok"
    finally:
        mes.stop()
        target.detach()
        watcher.close()


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_a_broker_gone_in_a_burst_loses_nothing_the_outbox_held(mosquitto, secrets, writer, how):
    watcher = Watcher(mosquitto, f"{ROOT}/+/events/#", client_id=f"plant-{how}", clean=False)
    target = uns(mosquitto, secrets, timeout=2.0)
    write_events(writer, streams(3, 400))
    mes = mes_over(target, writer, batch=50).start()
    try:
        first = watcher.take(100)
        assert len(first) == 100
        getattr(mosquitto, how)()  # in the middle of the burst
        write_events(writer, streams(3, 400)[:30])  # more while the broker is away
        status = mes.status()[0]
        assert status.backlog > 0
        assert wait_until(lambda: mes.status()[0].state != "ok" or sent_all(mes, writer))
        mosquitto.start()
        assert wait_until(lambda: sent_all(mes, writer), 30), mes.status()[0]
        rest = watcher.take(10_000, timeout=3.0)
        by_stream = events_seen(first + rest)
        keys = [e["key"] for evs in by_stream.values() for e in evs]
        if how == "stop":  # the broker saved the plant's session: every event arrives
            expected = {"O-0": 410, "O-1": 410, "O-2": 410}
            assert_each_once_in_order(by_stream, expected, resends=True)
        else:  # what the broker took and lost in the kill is its own; the rest arrives
            for stream, events in by_stream.items():
                firsts = list(dict.fromkeys(e["seq"] for e in events))
                assert firsts == sorted(firsts), stream
            assert {e["seq"] for e in by_stream["O-0"]} >= set(range(401, 411))
        assert len(keys) >= len(set(keys))
        assert mes.status()[0].state == "ok"
    finally:
        mes.stop()
        target.detach()
        watcher.close()


def test_a_wrong_password_stops_the_sync_with_the_reason_and_keeps_the_events(
    mosquitto, secrets, writer
):
    target = uns(mosquitto, secrets, secret="stale")
    write_events(writer, streams(1, 5))
    mes = mes_over(target, writer).start()
    try:
        assert wait_until(lambda: "auth refused" in mes.status()[0].last_error)
        assert "secret stale" in mes.status()[0].last_error
        assert len(outbox_ids(writer.path)) == 5
    finally:
        mes.stop()
        target.detach()
    with pytest.raises(TargetError, match="auth refused"):
        uns(mosquitto, secrets, secret="stale").open()


def test_events_over_tls_with_the_plants_ca(mosquitto, secrets, writer):
    watcher = Watcher(mosquitto, f"{ROOT}/+/events/#")
    target = uns(mosquitto, secrets, tls=True)
    write_events(writer, streams(2, 5))
    mes = mes_over(target, writer).start()
    try:
        assert wait_until(lambda: sent_all(mes, writer))
        assert_each_once_in_order(events_seen(watcher.take(10)), {"O-0": 5, "O-1": 5})
    finally:
        mes.stop()
        target.detach()
        watcher.close()


def test_a_batch_not_acknowledged_in_time_is_an_error_and_stays(mosquitto, secrets, writer):
    from hmi.core.outbox import OutboxEvent

    target = uns(mosquitto, secrets, timeout=1.0)
    target.open()
    events = [OutboxEvent(i, f"k{i}", "O-1", i, "count", {"n": i}, 1.0) for i in range(1, 4)]
    assert target.send(events) == [Outcome(True)] * 3
    mosquitto.stop()  # the next batch finds no broker
    try:
        assert wait_until(lambda: target._client is None or not target._client.is_connected())
        with pytest.raises(TargetError, match=r"not connected|acknowledged 0 of 3|broke"):
            target.send(events)
    finally:
        mosquitto.start()
        target.detach()


def test_the_station_is_online_retained_and_its_last_will_says_offline(mosquitto, secrets):
    target = uns(mosquitto, secrets)
    station = f"{ROOT}/_stations/st1"
    watcher = Watcher(mosquitto, station)
    target.attach(Project(name="uns", root="."), {})
    try:
        _, payload, retained = watcher.until(lambda m: m[0] == station)
        late = Watcher(mosquitto, station, client_id="early")
        _, payload, retained = late.until(lambda m: m[0] == station)
        late.close()
        body = json.loads(payload)
        assert retained and body["online"] is True and body["station"] == "st1"
        client = target._client
        assert client is not None
        client.loop_stop()  # the station's process dies: no DISCONNECT ...
        sock = client.socket()
        assert sock is not None
        sock.close()
        _, payload, _ = watcher.until(lambda m: m[0] == station)
        assert json.loads(payload) == {"online": False}
        late = Watcher(mosquitto, station, client_id="late")  # and it is retained
        assert json.loads(late.until(lambda m: m[2])[1]) == {"online": False}
        late.close()
    finally:
        target._stopping.set()
        target._client = None
        watcher.close()


def test_a_clean_stop_says_offline_too(mosquitto, secrets):
    target = uns(mosquitto, secrets)
    watcher = Watcher(mosquitto, f"{ROOT}/_stations/st1")
    target.attach(Project(name="uns", root="."), {})
    assert watcher.until(lambda m: b'"online": true' in m[1]) is not None
    watcher.close()
    target.detach()
    late = Watcher(mosquitto, f"{ROOT}/_stations/st1", client_id="late")
    assert json.loads(late.until(lambda m: m[2])[1]) == {"online": False}
    late.close()


def test_a_console_connection_beside_the_station_neither_takes_it_over_nor_says_offline(
    mosquitto, secrets
):
    from hmi.core.outbox import OutboxEvent

    station = uns(mosquitto, secrets)
    watcher = Watcher(mosquitto, f"{ROOT}/#")
    station.attach(Project(name="uns", root="."), {})
    assert watcher.until(lambda m: b'"online": true' in m[1]) is not None
    console = uns(mosquitto, secrets)  # the same entry, as hmi mes retry builds it
    console.open()
    event = OutboxEvent(1, "k1", "O-1", 1, "count", {"n": 1}, 1.0)
    assert console.send([event]) == [Outcome(True)]
    console.close()
    assert watcher.until(lambda m: json.loads(m[1]).get("key") == "k1") is not None
    assert watcher.until(lambda m: b'"online": false' in m[1], timeout=1.5) is None
    client = station._client
    assert client is not None and client.is_connected()
    station.detach()
    watcher.close()


PROJECT = """\
project:
  name: UNS check
devices:
  press: {protocol: simulator, model: press}
tags:
  - {name: speed, device: press, address: ram_speed_sp}
mes:
  targets:
    uns:
      kind: mqtt
      host: broker.plant.local
      username: line1
      password: hunter2
      root: acme/turin/extrusion
    uns2:
      kind: mqtt
      host: broker.plant.local
      rot: acme/turin
    uns3:
      kind: mqtt
      host: broker.plant.local
      root: acme/+/extrusion
      tls: {ca_file: certs/none.pem}
    uns4:
      kind: mqtt
      host: broker.plant.local
      root: acme/turin/extrusion
      username: line1
      password_secret: broker_line1
      live_every: 10ms
    ok:
      kind: mqtt
      host: broker.plant.local
      port: 8883
      tls: true
      root: acme/turin/extrusion
"""


def test_the_project_check_names_each_mistake_at_its_line(tmp_path):
    from hmi.core.checks import check_all
    from hmi.core.mes.config import read_mes

    (tmp_path / "project.yaml").write_text(PROJECT, encoding="utf-8")
    project, problems = check_all(tmp_path)
    shown = [str(p) for p in problems]
    expected = [
        "project.yaml:13: mes: targets: uns: password: a password is never written",
        "project.yaml:18: mes: targets: uns2: unknown field 'rot'; did you mean 'root'?",
        "project.yaml:15: mes: targets: uns2: root: the topic tree's root",
        "project.yaml:22: mes: targets: uns3: root: 'acme/+/extrusion' is not a topic",
        "project.yaml:23: mes: targets: uns3: tls: ca_file: no file certs/none.pem",
        "project.yaml:30: mes: targets: uns4: live_every: ",
    ]
    for words in expected:
        assert any(s.startswith(words) for s in shown), (words, shown)
    assert not any("hunter2" in s for s in shown)
    assert project is not None
    config, _ = read_mes(project)
    assert config is not None and list(config.targets) == ["ok"]
    made = config.targets["ok"].make()
    assert isinstance(made, MqttTarget) and made.settings.port == 8883
    assert made.settings.client_id.startswith("linea-") and made.settings.client_id.endswith("-ok")
