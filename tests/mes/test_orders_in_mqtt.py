"""Released orders as retained messages on a real Mosquitto (``kind: mqtt`` with
``orders:``): taken into the queue, an unreadable one refused and reported, the same
retained set again looked at no further, an order withdrawn by clearing its message, the
broker's credentials from the secret store, and the broker down said in words."""

from __future__ import annotations

import json

import paho.mqtt.client as mqtt
import pytest

from hmi.core.access import Access
from hmi.core.connection import ConnectionPolicy
from hmi.core.mes import TargetError
from hmi.core.mes.config import OrdersIn, TargetConfig
from hmi.core.mes.intake import Intake
from hmi.core.mes.mqtt import MqttTarget
from hmi.core.mes.mqtt_link import MqttSettings
from hmi.core.mes.orders_mqtt import MqttOrderSource
from hmi.core.orders.model import OrderState
from hmi.core.secrets import FileStore
from tests.mosquitto import PASSWORD, USER
from tests.unit.orders.service_setup import Clock, close, service

from .conftest import wait_until
from .test_orders_in import job

ROOT = "acme/turin/released-orders-test"  # a root no other test subscribes to
RELEASED: set[str] = set()  # topics this module left retained, cleared after each test


def publisher(broker) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="the-mes")
    client.username_pw_set(USER, PASSWORD)
    client.reconnect_delay_set(0.05, 0.2)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client


def release(client: mqtt.Client, line: str, number: str, body: bytes | dict | None) -> None:
    """Retained, as the MES releases it (None: cleared, the order withdrawn)."""
    payload = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body)
    topic = f"{ROOT}/{line}/orders/released/{number}"
    client.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)
    RELEASED.add(topic)


@pytest.fixture
def station(tmp_path, mosquitto):
    secrets = FileStore(tmp_path / "config")
    secrets.set("broker", PASSWORD)
    settings = MqttSettings(host="127.0.0.1", port=mosquitto.port, username=USER,
                            password_secret="broker", client_id="linea-st1-uns")  # fmt: skip
    target = MqttTarget("uns", settings, ROOT, station="st1", secrets=secrets)
    clock = Clock()
    orders = service(tmp_path / "hmi.db", clock, Access(clock))
    source = MqttOrderSource(target, ("line1", "line2"), orders.store)
    backoff = ConnectionPolicy(reconnect_min=0.05, reconnect_max=0.2, demote_after=2**31)
    config = TargetConfig("uns", "mqtt", lambda: target, backoff=backoff,
                          orders=OrdersIn(1.0, ("line1", "line2")))  # fmt: skip
    intake = Intake(config, source, orders, orders.store, clock=clock).load()
    mes = publisher(mosquitto)
    yield intake, mes, mosquitto
    assert wait_until(mes.is_connected, 10)  # again, after a test stopped the broker
    for topic in sorted(RELEASED):
        mes.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
    RELEASED.clear()
    mes.disconnect()
    mes.loop_stop()
    intake.stop()
    close(orders)


def test_retained_orders_enter_the_queue_and_clearing_one_withdraws_it(station):
    intake, mes, _ = station
    orders = intake.orders
    for number in ("P-1", "P-2"):
        body = {k: v for k, v in job(number).items() if k not in ("ID", "EquipmentID")}
        release(mes, "line1", number, body)
    release(mes, "line2", "F-1", job("F-1", "line2", 400))
    release(mes, "line1", "P-3", b"<xml/>")
    decisions = {d.number: d.action for d in intake.poll()}
    assert decisions == {"P-1": "accept", "P-2": "accept", "F-1": "accept", "P-3": "refuse"}
    assert orders.order("F-1").target == 400 and orders.order("P-1").source == "mes"
    (refused,) = [e.payload for e in orders.outbox(100) if e.kind == "order.refused"]
    assert refused["order"] == "P-3"
    assert refused["reason"].startswith("the job order cannot be read: not JSON")
    assert intake.poll() == [] and not intake.source.changed  # the same retained set
    release(mes, "line1", "P-2", None)
    assert {d.number: d.action for d in intake.poll()} == {"P-2": "withdraw"}
    assert orders.order("P-2").state is OrderState.ABORTED


def test_the_broker_down_or_refusing_is_said_and_changes_nothing(station):
    intake, mes, broker = station
    release(mes, "line1", "P-1", job("P-1"))
    intake.poll()
    intake.source.secrets.set("broker", "wrong")
    with pytest.raises(TargetError, match=r"(?i)refused|not authori[sz]ed|bad user"):
        intake.poll()
    intake.source.secrets.set("broker", PASSWORD)
    broker.stop()
    try:
        with pytest.raises(TargetError, match=r"127\.0\.0\.1:\d+"):
            intake.poll()
        assert [o.number for o in intake.orders.queue("line1")] == ["P-1"]  # nothing withdrawn
    finally:
        broker.start()
    assert intake.poll() == []
