"""Released orders from the plant's broker, on a ``kind: mqtt`` target with ``orders:``:
each job order the MES releases to a line is a retained message on
``{root}/{line}/orders/released/{ID}`` (the JobOrder of ``resources/mes/openapi.yaml`` as
JSON; ``ID`` and ``EquipmentID`` may be left out: the topic gives them), beside the
``{root}/{line}/orders/current`` the station publishes. The MES withdraws an order by
clearing its retained message (an empty one).

Each poll is a snapshot: connect with the target's settings (TLS, credentials from the
secret store) under a client id of its own, subscribe, take the retained messages until
none has come for ``SETTLE_S`` (at most ``COLLECT_S``), disconnect. A broker that cannot
be reached changes nothing (``TargetError`` in the words of ``mqtt_link``); the same
snapshot as before is ``changed = False``, and nothing is looked at again.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import paho.mqtt.client as mqtt

from ..store import Writer
from .mqtt import segment
from .mqtt_link import connect_client
from .orders_in import UNREADABLE, OutboxReports, fingerprint
from .target import TargetError

SETTLE_S = 0.5  # no retained message for this long: the broker has sent them all
COLLECT_S = 5.0
SUBACK_S = 5.0
MAX_PAYLOAD = 1024 * 1024


class MqttOrderSource(OutboxReports):
    """The retained job orders of a target's lines (see the module's doc)."""

    def __init__(self, target: Any, lines: Sequence[str], store: Writer) -> None:
        super().__init__(store, target.name)
        self.settings = replace(
            target.settings, client_id=f"{target.settings.client_id or 'linea'}-orders"
        )
        self.root = str(target.root).rstrip("/")
        self.secrets = getattr(target, "_secrets", None)
        self.lines = tuple(lines)
        self.changed = True
        self.snapshots = 0  # polls that connected and took the retained orders
        self._last = ""
        self._orders: list[Mapping[str, Any]] = []
        self._topics = {f"{self.root}/{segment(line)}/orders/released/": line for line in lines}

    @classmethod
    def build(cls, target: Any, lines: Sequence[str], store: Writer) -> MqttOrderSource:
        return cls(target, lines, store)

    def fetch(self) -> list[Mapping[str, Any]]:
        retained = self._snapshot()
        self.snapshots += 1
        orders = [self._job(topic, payload) for topic, payload in sorted(retained.items())]
        print_ = fingerprint(orders)
        self.changed = print_ != self._last
        self._last, self._orders = print_, orders
        return list(orders)

    def _snapshot(self) -> dict[str, bytes]:
        client = connect_client(self.settings, clean=True, secrets=self.secrets)
        got: dict[str, bytes] = {}
        lock = threading.Lock()
        last = [time.monotonic()]
        subscribed = threading.Event()

        def on_message(_c: Any, _u: Any, message: Any) -> None:
            if not message.retain:
                return  # released while we look: the next poll takes it as retained
            with lock:
                got[message.topic] = bytes(message.payload)
                last[0] = time.monotonic()

        def on_subscribe(*_: Any) -> None:
            last[0] = time.monotonic()
            subscribed.set()

        client.on_message = on_message
        client.on_subscribe = on_subscribe
        try:
            result, _ = client.subscribe([(topic + "+", 1) for topic in self._topics])
            if result != mqtt.MQTT_ERR_SUCCESS:
                raise TargetError(f"{self.settings.where}: {mqtt.error_string(result)}")
            if not subscribed.wait(SUBACK_S):
                raise TargetError(f"{self.settings.where} did not confirm the subscription")
            deadline = time.monotonic() + COLLECT_S
            while time.monotonic() < deadline:
                with lock:
                    quiet = time.monotonic() - last[0]
                if quiet >= SETTLE_S:
                    break
                time.sleep(min(SETTLE_S - quiet, 0.05) + 0.001)
            if not client.is_connected():
                raise TargetError(f"{self.settings.where} went away while the orders came")
        finally:
            client.on_message = None
            client.disconnect()
            client.loop_stop()
        with lock:
            return {topic: payload for topic, payload in got.items() if payload}

    def _job(self, topic: str, payload: bytes) -> Mapping[str, Any]:
        prefix, _, number = topic.rpartition("/")
        line = self._topics.get(prefix + "/", "")
        if len(payload) > MAX_PAYLOAD:
            return {"ID": number, "EquipmentID": line, UNREADABLE: "larger than 1 MB"}
        try:
            job = json.loads(payload)
        except ValueError as error:
            return {"ID": number, "EquipmentID": line, UNREADABLE: f"not JSON ({error})"}
        except RecursionError:
            return {"ID": number, "EquipmentID": line, UNREADABLE: "JSON nested too deep"}
        if not isinstance(job, Mapping):
            return {"ID": number, "EquipmentID": line, UNREADABLE: "not a JSON object"}
        return {"ID": number, "EquipmentID": line, **job}

    def close(self) -> None:
        """Nothing stays open between polls."""
