"""The running order the namespace shows the moment the station starts, on a real
Mosquitto, from the real orders service: ``orders/current`` carries its product and
target before any order event went through the target, a line without an order is
cleared, and each order.state event brings the service's order again."""

from __future__ import annotations

import json
import time

from hmi.core.orders import product_words
from hmi.core.outbox import OutboxEvent
from hmi.core.project.models import Project
from tests.mqtt.test_mqtt_start_alarms import context, retain
from tests.mqtt.test_mqtt_target import ROOT, Watcher, secrets, uns
from tests.unit.orders.service_setup import PRESS, Clock, close, press_order, service

__all__ = ["secrets"]  # the fixture, shared


def project() -> Project:
    return Project("uns", ".", lines={"line1": "Line 1", "line2": "Line 2"})


def test_orders_current_carries_product_and_target_from_the_start_and_follows_events(
    mosquitto,
    secrets,
    tmp_path,
):
    orders = service(tmp_path / "orders.db", Clock())
    orders.create(press_order("P-1", 500), "sup1")
    orders.start("P-1", "op1")
    retain(mosquitto, f"{ROOT}/line2/orders/current", b'{"number": "F-0"}')  # long gone
    watcher = Watcher(mosquitto, f"{ROOT}/+/orders/current", client_id="mes")
    target = uns(mosquitto, secrets, live_every=0.02)
    target.attach(project(), {}, context=context(orders=orders))  # no order tag yet
    try:
        current = watcher.until(lambda m: m[0].endswith("line1/orders/current") and not m[2])
        assert current is not None
        body = json.loads(current[1])
        assert body["number"] == "P-1" and body["state"] == "running"
        assert body["product"] == product_words(PRESS) and "{" not in body["product"]
        assert body["product_data"] == PRESS and body["target"] == 500 and body["good"] == 0
        line2 = watcher.until(lambda m: m[0].endswith("line2/orders/current") and not m[2])
        assert line2 is not None and line2[1] == b""  # no order there now
        held = orders.hold("P-1", "op1", "die change")
        payload = {"order": "P-1", "line": "line1", "state": "held"}
        event = OutboxEvent(1, "k1", "order:P-1", 2, "order.state", payload, time.time())
        target.open()
        assert target.send([event])[0].accepted
        after = watcher.until(lambda m: m[0].endswith("line1/orders/current"), timeout=5.0)
        assert after is not None
        assert json.loads(after[1])["state"] == held.state.value == "held"
        assert json.loads(after[1])["product_data"] == PRESS
    finally:
        target.detach()
        watcher.close()
        close(orders)
