"""The Sparkplug B target as an edge node on a real Mosquitto, watched by a host
application: births and deaths with their bdSeq over a lost connection, seq over every
node message, aliases after the births, rebirth on NCMD, the values of an outage sent as
historical, and what is said when the broker is away."""

from __future__ import annotations

import json
import queue
import threading
import time
from dataclasses import dataclass

import paho.mqtt.client as mqtt
import pytest

from hmi.core.mes import TargetError
from hmi.core.mes.mqtt_link import MqttSettings
from hmi.core.mes.sparkplug import (
    EVENT,
    FIRST_TAG_ALIAS,
    QUALITY,
    REBIRTH,
    SparkplugTarget,
)
from hmi.core.mes.sparkplug_payload import DataType, Metric, Payload, decode, encode, typed
from hmi.core.outbox import OutboxEvent
from hmi.core.project.models import DataType as TagType
from hmi.core.project.models import DeviceConfig, Project, TagConfig
from hmi.core.secrets import FileStore
from hmi.core.tags import bad, good
from tests.mosquitto import PASSWORD, USER

GROUP, NODE = "turin", "press-pc-1"
TIMEOUT = 10.0


@pytest.fixture
def secrets(tmp_path) -> FileStore:
    store = FileStore(tmp_path / "config")
    store.set("broker", PASSWORD)
    return store


def plant() -> Project:
    """Two devices and a derived tag (a node metric), in this order."""
    devices = {
        "press": DeviceConfig("press", "simulator", line="line1"),
        "filler": DeviceConfig("filler", "simulator", line="line2"),
    }
    tags = [
        TagConfig("line1.speed", TagType.FLOAT32, device="press", address="a"),
        TagConfig("line1.count", TagType.INT32, device="press", address="b"),
        TagConfig("line1.running", TagType.BOOL, device="press", address="c"),
        TagConfig("line2.bottles", TagType.UINT64, device="filler", address="d"),
        TagConfig("line2.recipe", TagType.STRING, device="filler", address="e"),
        TagConfig("line1.oee", TagType.FLOAT64, expr="1.0"),
    ]
    return Project("plant", ".", devices=devices, tags={t.name: t for t in tags})


VALUES = {
    "line1.speed": good(12.5, source_ts=1_700_000_000.25),
    "line1.count": good(-3),
    "line1.running": good(True),
    "line2.bottles": good(2**40),
    "line2.recipe": good("cola 0.5"),
    "line1.oee": good(0.75),
}


def node(broker, secrets, *, buffer: int = 1000, client_id: str = "linea-st1-spb", **more):
    settings = MqttSettings(
        host="127.0.0.1",
        port=broker.port,
        username=USER,
        password_secret="broker",
        client_id=client_id,
        keepalive=5,
    )
    return SparkplugTarget(
        "scada",
        settings,
        group=GROUP,
        node=NODE,
        buffer=buffer,
        station="st1",
        secrets=secrets,
        **more,
    )


@dataclass
class Message:
    topic: str
    payload: Payload

    @property
    def kind(self) -> str:
        return self.topic.split("/")[2]

    @property
    def device(self) -> str | None:
        parts = self.topic.split("/")
        return parts[4] if len(parts) > 4 else None

    def metric(self, name: str) -> Metric:
        return next(m for m in self.payload.metrics if m.name == name)


class Host:
    """A Sparkplug host application: every message of the group's nodes, decoded, in
    order (its own commands left out)."""

    def __init__(self, broker, client_id: str = "host"):
        self.messages: queue.Queue[Message] = queue.Queue()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.username_pw_set(USER, PASSWORD)
        self.client.reconnect_delay_set(0.05, 0.2)

        def on_connect(c, u, flags, reason, props):
            c.subscribe(f"spBv1.0/{GROUP}/#", qos=1)

        def on_subscribe(c, u, mid, reasons, props):
            self.subscribed.set()

        def on_disconnect(c, u, flags, reason, props):
            self.subscribed.clear()

        self.client.on_connect = on_connect
        self.client.on_subscribe = on_subscribe
        self.client.on_disconnect = on_disconnect
        self.client.on_message = lambda c, u, m: (
            None
            if "/NCMD/" in m.topic or "/STATE/" in m.topic
            else self.messages.put(Message(m.topic, decode(m.payload)))
        )
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert self.subscribed.wait(TIMEOUT)

    def next(self, timeout: float = TIMEOUT) -> Message:
        return self.messages.get(timeout=timeout)

    def until(self, kind: str, timeout: float = TIMEOUT) -> tuple[Message, list[Message]]:
        """The next message of ``kind`` and the ones before it."""
        before: list[Message] = []
        deadline = time.monotonic() + timeout
        while True:
            message = self.messages.get(timeout=max(0.01, deadline - time.monotonic()))
            if message.kind == kind:
                return message, before
            before.append(message)

    def births(self, devices: int = 2) -> list[Message]:
        """NBIRTH and the DBIRTHs after it."""
        nbirth, _ = self.until("NBIRTH")
        return [nbirth] + [self.next() for _ in range(devices)]

    def rebirth(self) -> None:
        payload = Payload(int(time.time() * 1000), [Metric(REBIRTH, None, None,
                                                         DataType.BOOLEAN, True)])  # fmt: skip
        self.client.publish(f"spBv1.0/{GROUP}/NCMD/{NODE}", encode(payload), qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def host(mosquitto):
    watcher = Host(mosquitto)
    yield watcher
    watcher.close()


def test_births_name_type_and_alias_every_tag_then_data_goes_by_alias(mosquitto, secrets, host):
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    try:
        nbirth, press, filler = host.births()
        assert nbirth.topic == f"spBv1.0/{GROUP}/NBIRTH/{NODE}" and nbirth.payload.seq == 0
        assert nbirth.metric("bdSeq").value == 0
        assert nbirth.metric("bdSeq").datatype is DataType.INT64
        rebirth = nbirth.metric(REBIRTH)
        assert rebirth.datatype is DataType.BOOLEAN and rebirth.value is False
        event = nbirth.metric(EVENT)
        assert event.datatype is DataType.STRING and event.is_null
        oee = nbirth.metric("line1.oee")  # a derived tag has no device: the node's own
        assert (oee.datatype, oee.value) == (DataType.DOUBLE, 0.75)
        assert press.topic == f"spBv1.0/{GROUP}/DBIRTH/{NODE}/press" and press.payload.seq == 1
        assert filler.device == "filler" and filler.payload.seq == 2
        speed, count, running = (press.metric(n) for n in ("line1.speed", "line1.count",
                                                             "line1.running"))  # fmt: skip
        assert (speed.datatype, speed.value, speed.timestamp) == (
            DataType.FLOAT, 12.5, 1_700_000_000_250)  # fmt: skip
        assert (count.datatype, count.value) == (DataType.INT32, -3)
        assert (running.datatype, running.value) == (DataType.BOOLEAN, True)
        assert filler.metric("line2.bottles").value == 2**40
        assert filler.metric("line2.bottles").datatype is DataType.UINT64
        assert filler.metric("line2.recipe").value == "cola 0.5"
        assert speed.properties[QUALITY].value == 192
        aliases = [m.alias for b in (nbirth, press, filler) for m in b.payload.metrics]
        tag_aliases = [press.metric(n).alias for n in ("line1.speed", "line1.count")]
        assert tag_aliases == [FIRST_TAG_ALIAS, FIRST_TAG_ALIAS + 1]  # the project's order
        named = [a for a in aliases if a is not None]
        assert len(named) == len(set(named)) == 8  # unique across the node

        target.on_values({"line1.count": good(-7), "line1.oee": good(0.5), "other": good(1)})
        ddata, ndata = host.next(), host.next()
        if ddata.kind == "NDATA":
            ddata, ndata = ndata, ddata
        assert ddata.topic == f"spBv1.0/{GROUP}/DDATA/{NODE}/press"
        (metric,) = ddata.payload.metrics
        assert metric.name is None and metric.alias == count.alias
        assert typed(metric.value, count.datatype) == -7  # by the birth's datatype
        assert QUALITY not in metric.properties  # Good, as it was
        assert ndata.payload.metrics[0].alias == oee.alias
        assert sorted([ddata.payload.seq, ndata.payload.seq]) == [3, 4]

        target.on_values({"line1.speed": bad("PLC not answering", value=12.5)})
        (stale,) = host.next().payload.metrics
        assert stale.is_null and stale.properties[QUALITY].value == 0
        target.on_values({"line1.speed": good(13.0)})
        (back,) = host.next().payload.metrics
        assert back.value == 13.0 and back.properties[QUALITY].value == 192
    finally:
        target.detach()
    death = host.until("NDEATH")[0]
    assert death.metric("bdSeq").value == 0 and death.payload.seq is None


def test_seq_counts_every_node_message_and_wraps_after_255(mosquitto, secrets, host):
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    try:
        seqs = [m.payload.seq for m in host.births()]
        for i in range(300):
            target.on_values({"line1.count": good(i)})
        seqs += [host.next().payload.seq for _ in range(300)]
    finally:
        target.detach()
    assert seqs == [i % 256 for i in range(303)]


def test_a_lost_connection_dies_by_its_will_and_is_born_again_with_the_next_bdseq(
    mosquitto, secrets, host
):
    target = node(mosquitto, secrets, client_id="linea-st1-spb")
    target.attach(plant(), VALUES)
    try:
        first = host.births()[0]
        assert first.metric("bdSeq").value == 0
        # another client taking the node's client id: the broker drops the node's
        # connection without a DISCONNECT, so its will goes out
        intruder = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="linea-st1-spb")
        intruder.username_pw_set(USER, PASSWORD)
        intruder.reconnect_delay_set(60, 60)  # it does not come back to take it again
        intruder.connect("127.0.0.1", mosquitto.port)
        intruder.loop_start()
        death, _ = host.until("NDEATH")
        assert death.metric("bdSeq").value == 0  # the will of the first connection
        again, _ = host.until("NBIRTH")
        intruder.loop_stop()
        intruder.disconnect()
        assert again.metric("bdSeq").value == 1 and again.payload.seq == 0
        assert [host.next().kind for _ in range(2)] == ["DBIRTH", "DBIRTH"]
        assert target.births == 2

        mosquitto.stop()  # a clean stop of the broker: the node is away, then back
        assert_eventually(lambda: not target.online)
        with pytest.raises(TargetError, match="connection"):
            target.send([OutboxEvent(1, "k1", "line:line1", 1, "count", {}, time.time())])
        mosquitto.start()
        assert host.subscribed.wait(TIMEOUT)
        third = born_after(host)
        assert third.metric("bdSeq").value >= 2
    finally:
        target.detach()
    death, _ = host.until("NDEATH")
    assert death.metric("bdSeq").value == third.metric("bdSeq").value


def born_after(host: Host) -> Message:
    """The node's next NBIRTH; asked for with a rebirth when the host came back after it."""
    try:
        return host.until("NBIRTH", timeout=4.0)[0]
    except queue.Empty:
        host.rebirth()
        return host.until("NBIRTH")[0]


def test_ncmd_rebirth_sends_the_births_again_with_the_same_bdseq_and_aliases(
    mosquitto, secrets, host
):
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    try:
        first = host.births()
        target.on_values({"line1.count": good(41)})
        assert host.next().kind == "DDATA"
        host.client.publish(f"spBv1.0/{GROUP}/NCMD/{NODE}", b"\x12\xff", qos=1)  # not a payload
        host.rebirth()
        again = host.births()
    finally:
        target.detach()
    assert again[0].payload.seq == 0 and [m.payload.seq for m in again] == [0, 1, 2]
    assert again[0].metric("bdSeq").value == first[0].metric("bdSeq").value
    for before, after in zip(first[1:], again[1:], strict=True):
        assert [(m.name, m.alias) for m in before.payload.metrics] == [
            (m.name, m.alias) for m in after.payload.metrics
        ]
    assert again[1].metric("line1.count").value == 41  # the births carry the newest values


def test_values_changed_while_the_broker_was_away_come_after_the_births_as_historical(
    mosquitto, secrets, host
):
    target = node(mosquitto, secrets, buffer=100)
    target.attach(plant(), VALUES)
    try:
        host.births()
        mosquitto.stop()
        assert_eventually(lambda: not target.online)
        for i in range(3):
            target.on_values({"line1.count": good(100 + i, source_ts=1_800_000_000.0 + i)})
        target.on_values({"line1.oee": good(0.9, source_ts=1_800_000_005.0)})
        target.on_values({"line1.count": good(103, source_ts=1_800_000_010.0)})
        target.detach()  # the station stops meanwhile: what it kept is not lost
        mosquitto.start()
        assert host.subscribed.wait(TIMEOUT)
        target.open()
        nbirth, press, _ = host.births()
        ddata = host.next()
        target.on_values({"line1.count": good(104)})  # live again, after the history
        live = host.next()
    finally:
        target.detach()
    assert press.metric("line1.count").value == 103  # the newest in the birth
    assert nbirth.metric("line1.oee").value == 0.9
    assert nbirth.payload.seq == 0 and ddata.kind == "DDATA"
    values = [(typed(m.value, DataType.INT32), m.timestamp, m.is_historical)
              for m in ddata.payload.metrics]  # fmt: skip
    assert values == [(100 + i, 1_800_000_000_000 + 1000 * i, True) for i in range(3)]
    assert all(m.name is None for m in ddata.payload.metrics)
    assert ddata.payload.seq == 3  # the newest of oee went in the birth: nothing for it
    assert live.payload.seq == 4 and not live.payload.metrics[0].is_historical


def test_a_full_buffer_drops_the_oldest_and_counts_them(mosquitto, secrets, host):
    target = node(mosquitto, secrets, buffer=100)
    target.attach(plant(), VALUES)
    try:
        host.births()
        mosquitto.stop()
        assert_eventually(lambda: not target.online)
        for i in range(250):
            target.on_values({"line1.count": good(i, source_ts=1_800_000_000.0 + i)})
        target.detach()
        mosquitto.start()
        assert host.subscribed.wait(TIMEOUT)
        target.open()
        host.births()
        (history,) = [host.next()]
    finally:
        target.detach()
    assert target.dropped == 150
    kept = [typed(m.value, DataType.INT32) for m in history.payload.metrics]
    assert kept == list(range(150, 249))  # the last one went in the birth


def test_the_broker_away_is_said_in_words(mosquitto, secrets):
    mosquitto.stop()
    target = node(mosquitto, secrets)
    try:
        with pytest.raises(TargetError, match=r"cannot reach mqtt://127\.0\.0\.1:\d+: connection "
                           "refused"):  # fmt: skip
            target.open()
    finally:
        target.close()
    secrets.set("broker", "wrong")
    mosquitto.start()
    target = node(mosquitto, secrets)
    try:
        with pytest.raises(TargetError, match="auth refused"):
            target.open()
    finally:
        target.close()


def test_a_node_for_events_alone_is_born_at_open_and_dies_at_close(mosquitto, secrets, host):
    target = node(mosquitto, secrets)
    target.open()
    nbirth = host.next()
    assert nbirth.kind == "NBIRTH" and [m.name for m in nbirth.payload.metrics] == [
        "bdSeq", REBIRTH, EVENT]  # fmt: skip
    target.close()
    death = host.next()
    assert death.kind == "NDEATH" and not target.online
    assert death.metric("bdSeq").value == nbirth.metric("bdSeq").value


def test_a_failed_batch_leaves_a_node_with_live_values_online(mosquitto, secrets, host):
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    try:
        host.births()
        target.open()
        target.close()  # what the sync does after a failed batch
        target.on_values({"line1.count": good(8)})
        message = host.next()
        assert message.kind == "DDATA" and target.online and target.births == 1
    finally:
        target.detach()
    assert host.next().kind == "NDEATH"


def test_a_value_its_type_cannot_carry_is_sent_null_and_bad(mosquitto, secrets, host):
    target = node(mosquitto, secrets)
    target.attach(plant(), {**VALUES, "line1.count": good("many")})
    try:
        _, press, _ = host.births()
        count = press.metric("line1.count")
        assert count.is_null and count.properties[QUALITY].value == 0
        target.on_values({"line1.count": good(2**40)})  # beyond Int32
        (metric,) = host.next().payload.metrics
        assert metric.is_null
        target.on_values({"line1.count": good(5)})
        (metric,) = host.next().payload.metrics
        assert metric.value == 5 and metric.properties[QUALITY].value == 192
        target.on_values({"line1.speed": good(1e39)})  # beyond Float: null, the node goes on
        (metric,) = host.next().payload.metrics
        assert metric.is_null and metric.properties[QUALITY].value == 0
        target.on_values({"line1.speed": good(float("inf"))})
        (metric,) = host.next().payload.metrics
        assert metric.value == float("inf") and target.online
    finally:
        target.detach()


def assert_eventually(predicate, timeout: float = TIMEOUT) -> None:
    done = threading.Event()
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not within the time"
        done.wait(0.02)


def state(host: Host, online: bool, stamp: int) -> None:
    """The host application's STATE, retained, as Sparkplug 3 writes it."""
    body = json.dumps({"online": online, "timestamp": stamp}).encode()
    host.client.publish("spBv1.0/STATE/scada-1", body, qos=1, retain=True).wait_for_publish(5)


def test_with_a_primary_host_the_node_is_born_only_while_the_host_is_online(
    mosquitto, secrets, host
):
    state(host, False, 1000)
    target = node(mosquitto, secrets, primary_host="scada-1")
    target.attach(plant(), VALUES)
    try:
        with pytest.raises(TargetError, match="waiting for the primary host scada-1"):
            target.open()
        target.on_values({"line1.count": good(1, source_ts=1_800_000_000.0)})
        target.on_values({"line1.count": good(2, source_ts=1_800_000_001.0)})
        state(host, True, 2000)
        nbirth, press, _ = host.births()
        bd_seq = nbirth.metric("bdSeq").value
        assert press.metric("line1.count").value == 2
        (kept,) = host.next().payload.metrics  # what came while the host was away
        assert kept.is_historical and typed(kept.value, DataType.INT32) == 1
        state(host, False, 1500)  # older than the last STATE: stale, the node stays
        host.rebirth()
        reborn, before = host.until("NBIRTH")
        assert before == [] and reborn.metric("bdSeq").value == bd_seq
        assert [host.next().kind for _ in range(2)] == ["DBIRTH", "DBIRTH"]
        state(host, False, 3000)
        death, before = host.until("NDEATH")
        assert before == [] and death.metric("bdSeq").value == bd_seq
        state(host, True, 4000)
        again, _ = host.until("NBIRTH")
        assert again.metric("bdSeq").value == bd_seq + 1
    finally:
        target.detach()
        host.client.publish("spBv1.0/STATE/scada-1", b"", qos=1, retain=True)


@pytest.mark.parametrize(
    ("payload", "read"),
    [
        (b'{"online": true, "timestamp": 1700000000000}', (True, 1700000000000)),
        (b'{"online": false}', (False, None)),
        (b"OFFLINE", (False, None)),  # Sparkplug 2
        (b'{"online": "yes", "timestamp": 5}', (None, None)),
        (b"\xff\xfe", (None, None)),
        (b"[]", (None, None)),
    ],
)
def test_a_host_state_is_read_in_both_sparkplug_versions_and_nonsense_is_none(payload, read):
    from hmi.core.mes.sparkplug import host_state

    assert host_state(payload) == read


def test_a_fault_in_the_nodes_session_is_a_death_and_a_new_birth(mosquitto, secrets, host):
    target = node(mosquitto, secrets)
    target.attach(plant(), VALUES)
    try:
        first = host.births()[0]
        publish = target._publish_pending
        faults = [RuntimeError("a fault of its own")]

        def failing(client):
            if faults:
                raise faults.pop()
            publish(client)

        target._publish_pending = failing  # type: ignore[method-assign]
        target.on_values({"line1.count": good(9)})
        death, _ = host.until("NDEATH")
        assert death.metric("bdSeq").value == first.metric("bdSeq").value
        again, _ = host.until("NBIRTH")
        assert again.metric("bdSeq").value == first.metric("bdSeq").value + 1
        press, _ = host.next(), host.next()
        assert press.metric("line1.count").value == 9  # the value is in the new birth
    finally:
        target.detach()
