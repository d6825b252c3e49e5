"""The MQTT Unified Namespace target: the station's production events, live values, order
state, alarms and health under one topic tree on the plant's broker.

```yaml
mes:
  targets:
    uns:
      kind: mqtt
      root: acme/turin/extrusion        # enterprise/site/area
      host: broker.plant.local          # and the other keys of mqtt_link
      tls: {ca_file: certs/plant-ca.pem}
      username: line1
      password_secret: broker_line1
      timeout: 10s                      # a batch of events acknowledged within it
      live_every: 500ms                 # live values flushed at most this often
```

Topics (``{line}`` is the line's id; what belongs to no line goes under the station):

- ``{root}/{line}/events/{kind}``: each outbox event, QoS 1, persistent session; it
  leaves the outbox only once the broker acknowledged it (PUBACK), so a batch not all
  acknowledged within ``timeout`` raises ``TargetError`` and is sent again (a consumer
  drops a resend by ``key``);
- ``{root}/{line}/tags/{tag}``: live values by exception, retained, QoS 0; the newest
  value per tag waits while the broker is slow or away (memory bounded by the tag count),
  and every current value is published again on each reconnection;
- ``{root}/{line}/orders/current``, ``{root}/{line}/alarms/{alarm}``: retained state,
  from the start: the running order with its product and target (the orders service),
  each alarm as it stands (the alarms service), an alarm in normal state cleared (an
  empty retained message: it may have cleared while the station was off);
- ``{root}/{line}/health`` every ``health_every`` and on change, and
  ``{root}/_stations/{station}``, whose last will says ``{"online": false}``.

Live values arrive through ``attach`` and ``on_values`` (the MES capability subscribes
the target to the engine); the events through the delivery worker (``open``/``send``).
"""

from __future__ import annotations

import collections
import dataclasses
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from ... import __version__
from ..orders import product_words
from ..outbox import OutboxEvent
from ..project.fields import Fields
from ..project.limits import DurationRange
from ..project.models import Problem, Project
from ..secrets import SecretStore
from ..systemtags import DEVICE_TAG_PREFIX, SYSTEM_PREFIX
from ..tags import Batch, Quality, TagValue
from ..words import shorten
from .http import _line as event_line
from .mqtt_link import MqttSettings, Will, connect_client, read_mqtt_settings
from .target import COMMON_KEYS, Outcome, TargetError

log = logging.getLogger("hmi.mes.mqtt")

OWN_FIELDS = ("root", "station", "timeout", "live_every", "health_every")
TIMEOUT = DurationRange(0.5, 600.0, "10s")
LIVE_EVERY = DurationRange(0.02, 60.0, "500ms")
HEALTH_EVERY = DurationRange(1.0, 3600.0, "5s")
DEFAULT_BATCH = 500
STATIONS = "_stations"
ORDER_FIELDS = ("order", "state", "good", "scrap", "target", "progress", "uninspected")
QUALITY = {Quality.GOOD: "good", Quality.UNCERTAIN: "uncertain", Quality.BAD: "bad"}
ALARM_EVENTS = f"{SYSTEM_PREFIX}alarms.events"
MAX_ALARM_EVENTS = 10_000
ACTIVE = frozenset({"unacked", "acked"})
ACKNOWLEDGED = frozenset({"acked", "normal"})
OFFLINE = b'{"online": false}'
#: PUBACK reasons that are the event's own fault (kept aside); any other refusal is the
#: link's or the broker's configuration and the batch is retried
EVENT_REFUSALS = frozenset({0x90, 0x99})  # topic name invalid, payload format invalid
_FAILURE = 0x80


def segment(name: str) -> str:
    """``name`` as one topic level: no level separator, no wildcard, not empty."""
    text = name.replace("/", "_").replace("+", "_").replace("#", "_").replace("\0", "")
    return text or "_"


def _root(fields: Fields) -> str | None:
    root = fields.text("root")
    if root is None:
        fields.problem(None, "root: the topic tree's root as enterprise/site/area, "
                       "such as acme/turin/extrusion")  # fmt: skip
        return None
    levels = root.split("/")
    if any(not level.strip() for level in levels) or any(c in root for c in "+#\0"):
        fields.problem("root", f"root: '{shorten(root)}' is not a topic such as "
                       "acme/turin/extrusion (no empty level, no + or #)")  # fmt: skip
        return None
    if root.startswith("$"):
        fields.problem("root", "root: topics starting with $ belong to the broker")
        return None
    return root


class MqttTarget:
    """The plant's broker as a MES target and the station's place in its namespace."""

    kind = "mqtt"

    def __init__(
        self,
        name: str,
        settings: MqttSettings,
        root: str,
        *,
        station: str = "",
        timeout: float = 10.0,
        live_every: float = 0.5,
        health_every: float = 5.0,
        batch: int = DEFAULT_BATCH,
        secrets: SecretStore | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.root = root.rstrip("/")
        self.station = station or socket.gethostname() or "station"
        self.timeout = timeout
        self.live_every = live_every
        self.health_every = health_every
        self.max_batch = batch
        self._secrets = secrets
        self._station_topic = f"{self.root}/{STATIONS}/{segment(self.station)}"
        self._client: mqtt.Client | None = None
        self._lock = threading.RLock()  # connecting and closing
        self._refused: dict[int, Any] = {}  # mid -> the broker's PUBACK refusal
        self._started = time.monotonic()
        # live values: the project's tags, the newest unsent value of each, the current
        self._project: Project | None = None
        self._lines: tuple[str, ...] = ()
        self._topics: dict[str, str] = {}  # tag -> its topic
        self._units: dict[str, str] = {}  # tag -> ',"units":"..."' or ""
        self._heads: dict[str, bytes] = {}  # tag -> its PUBLISH packet's topic part
        self._pending: dict[str, TagValue] = {}  # swapped whole by the publisher
        self._current: dict[str, TagValue] = {}  # every value seen (system tags too)
        self._sent: dict[str, tuple[Any, Quality, str]] = {}  # what each topic shows
        self._retained: dict[str, bytes] = {}  # orders, alarms, health: topic -> payload
        self._health_core: dict[str, bytes] = {}  # health without its clock, per topic
        #: alarm events not yet published (the oldest dropped beyond a flood's worth)
        self._alarm_events: collections.deque[Any] = collections.deque(maxlen=MAX_ALARM_EVENTS)
        self._products: dict[str, Any] = {}  # order -> product, from its order.state events
        self._orders_service: Any = None  # the orders capability's (running order, product)
        self._alarms_service: Any = None  # the alarms capability's (each alarm as it stands)
        self._orders_due = False  # orders/current to be worked out at the next flush
        self._alarms_due = False  # every alarm's state to be published at the next flush
        self._republish = False
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._station = False  # attached: the connection speaks for the station
        self.published = 0  # live messages published (figures for health and benches)

    @classmethod
    def read(
        cls,
        name: str,
        data: Mapping[str, Any],
        fields: Fields,
        *,
        root: str | Path | None = None,
    ) -> tuple[MqttTarget | None, list[Problem]]:
        """The target from its entry; every problem at its ``file:line``."""
        problems: list[Problem] = []
        own = Fields(problems.append, data, fields.file, fields.line, fields.label)
        folder = Path(root) if root is not None else Path(fields.file).parent
        station = own.text("station") or socket.gethostname() or "station"
        settings = read_mqtt_settings(
            data,
            own,
            folder,
            own=OWN_FIELDS,
            hidden=COMMON_KEYS,
            client_id=f"linea-{station}-{name}",
        )
        topic_root = _root(own)
        timeout = own.duration("timeout", 10.0, within=TIMEOUT)
        live_every = own.duration("live_every", 0.5, within=LIVE_EVERY)
        health_every = own.duration("health_every", 5.0, within=HEALTH_EVERY)
        if settings is None or topic_root is None or own.failed:
            return None, problems
        target = cls(
            name,
            settings,
            topic_root,
            station=station,
            timeout=timeout,
            live_every=live_every,
            health_every=health_every,
        )
        return target, problems

    # -- the connection ------------------------------------------------------------------

    def open(self) -> None:
        """Connect (once; paho reconnects by itself after); ``TargetError`` in words.

        Attached (the station running), the connection is the station's: its client id,
        a persistent session, the online state and the last will. Not attached (a console
        command sending refused events again), it is a passing one beside the station's,
        which it must neither take over (same client id) nor declare offline."""
        with self._lock:
            if self._client is not None and self._client.is_connected():
                return
            self._drop()
            station = self._station
            settings = self.settings
            if not station:
                passing = f"{settings.client_id}-console-{os.getpid()}"
                settings = dataclasses.replace(settings, client_id=passing)
            client = connect_client(
                settings,
                will=Will(self._station_topic, OFFLINE) if station else None,
                clean=not station,
                secrets=self._secrets,
                timeout=self.timeout,
            )
            client.on_publish = self._on_publish
            client.on_connect = self._on_connect
            self._client = client
            if station:
                self._republish = True
                self._publish_station(client)

    def close(self) -> None:
        """After a failed batch: a broken connection is dropped (the next ``open`` makes a
        new one and says why it cannot); the station's working one stays for the values."""
        with self._lock:
            if not self._station or self._client is None or not self._client.is_connected():
                self._drop()

    def detach(self) -> None:
        """The station stops: offline said cleanly on the station and each line."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:  # a connection under way ends within its timeout
            thread.join(self.timeout + 2.0)
            if thread.is_alive():
                log.warning("UNS %s: its publisher did not end in time", self.name)
        with self._lock:
            self._drop(goodbye=self._station)
            self._station = False

    def _drop(self, goodbye: bool = False) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        client.on_connect = None
        if goodbye and client.is_connected():
            for line in self._lines:
                client.publish(self._health_topic(line), OFFLINE, qos=1, retain=True)
            info = client.publish(self._station_topic, OFFLINE, qos=1, retain=True)
            try:
                info.wait_for_publish(min(self.timeout, 2.0))
            except (RuntimeError, ValueError):
                pass
        client.disconnect()
        client.loop_stop()

    def _on_connect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        """A reconnection made by paho's loop: the station online again, values again."""
        if not reason.is_failure and self._station:
            self._republish = True
            client = self._client
            if client is not None:
                self._publish_station(client)

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _props: Any) -> None:
        if getattr(reason, "value", 0) >= _FAILURE:
            self._refused[mid] = reason

    def _publish_station(self, client: mqtt.Client) -> None:
        body = {
            "online": True,
            "station": self.station,
            "version": __version__,
            "lines": list(self._lines),
            "ts": int(time.time() * 1000),
        }
        client.publish(self._station_topic, json.dumps(body), qos=1, retain=True)

    # -- events --------------------------------------------------------------------------

    def send(self, events: Sequence[OutboxEvent]) -> list[Outcome]:
        """Publish each event QoS 1; accepted once the broker acknowledged all of them."""
        client = self._client
        if client is None or not client.is_connected():
            raise TargetError(f"not connected to {self.settings.where}")
        self._refused.clear()
        outcomes: list[Outcome | None] = [None] * len(events)
        infos: list[tuple[int, mqtt.MQTTMessageInfo]] = []
        for i, event in enumerate(events):
            line = event_line(event) or self.station
            topic = f"{self.root}/{segment(line)}/events/{segment(event.kind)}"
            try:
                payload = self._event_json(event, line)
            except (TypeError, ValueError) as error:
                outcomes[i] = Outcome(False, f"cannot be written as JSON ({error})")
                continue
            try:
                infos.append((i, client.publish(topic, payload, qos=1)))
            except ValueError as error:  # a topic or payload MQTT cannot carry
                outcomes[i] = Outcome(False, f"cannot be published: {error}")
            if event.kind == "order.state":
                self._orders_due = True
                if isinstance(event.payload.get("product"), dict):
                    self._products[str(event.payload.get("order"))] = event.payload["product"]
        self._wait(infos)
        for i, info in infos:
            reason = self._refused.get(info.mid)
            if reason is None:
                outcomes[i] = Outcome(True)
            elif reason.value in EVENT_REFUSALS:
                outcomes[i] = Outcome(False, f"refused by the broker: {reason}")
            else:
                raise TargetError(f"{self.settings.where} refused an event: {reason} "
                                  f"(topic {self.root}/...; check the broker's ACL)")  # fmt: skip
        return [o if o is not None else Outcome(False, "not sent") for o in outcomes]

    def _event_json(self, event: OutboxEvent, line: str) -> str:
        return json.dumps(
            {
                "key": event.key,
                "stream": event.stream,
                "seq": event.seq,
                "kind": event.kind,
                "ts": event.ts,
                "payload": event.payload,
                "station": self.station,
                "line": line,
            },
            separators=(",", ":"),
            allow_nan=False,
        )

    def _wait(self, infos: list[tuple[int, mqtt.MQTTMessageInfo]]) -> None:
        """Until every event is acknowledged (acks come in order: one pass), or raise."""
        deadline = time.monotonic() + self.timeout
        done = 0
        while done < len(infos):
            info = infos[done][1]
            if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_AGAIN):
                raise TargetError(
                    f"the connection to {self.settings.where} broke during a batch "
                    f"({mqtt.error_string(info.rc)}); it is sent again"
                )
            if info.is_published():
                done += 1
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                raise TargetError(
                    f"{self.settings.where} acknowledged {done} of {len(infos)} events "
                    f"within {self.timeout:g} s; the rest is sent again"
                )
            info.wait_for_publish(min(left, 1.0))  # woken by its PUBACK

    # -- live values ---------------------------------------------------------------------

    def attach(self, project: Project, values: Mapping[str, TagValue], context: Any = None) -> None:
        """The project's tags and lines and the current values; starts the publisher.
        ``context`` (the MES capability's) gives the alarms and orders services: the alarms
        as they stand and the running orders go out at the first flush, not at their next
        change."""
        if context is not None:
            self._orders_service = context.service("orders")
            self._alarms_service = context.service("alarms")
        self._orders_due = True
        self._alarms_due = self._alarms_service is not None
        self._project = project
        self._lines = tuple(project.lines)
        for name, tag in project.tags.items():
            line = self._tag_line(project, name, tag.device)
            topic = f"{self.root}/{segment(line)}/tags/{segment(name)}"
            self._topics[name] = topic
            self._heads[name] = publish_head(topic, self.settings.protocol == "5")
            self._units[name] = f',"units":{json.dumps(tag.units)}' if tag.units else ""
        self._current.update(values)
        self._pending.update(values)
        with self._lock:
            self._drop()  # a passing connection made before is not the station's
            self._station = True
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"hmi-uns-{self.name}", daemon=True)
        self._thread.start()

    def _tag_line(self, project: Project, name: str, device: str | None) -> str:
        if device and device in project.devices and project.devices[device].line:
            return project.devices[device].line
        head = name.split(".", 1)[0]
        return head if head in project.lines else self.station

    def on_values(self, batch: Batch) -> None:
        """On the runtime's loop: only remembered (the newest per tag, and each alarm
        event, which a newer batch's must not replace), never blocking."""
        self._pending.update(batch)
        events = batch.get(ALARM_EVENTS)
        if events is not None and isinstance(events.value, tuple):
            self._alarm_events.extend(events.value)

    def _run(self) -> None:
        next_health = 0.0
        wait = 0.0
        while not self._stopping.wait(wait):
            started = time.monotonic()
            try:
                client = self._connected()
                if client is None:
                    wait = min(max(wait * 2, 1.0), 30.0)
                    continue
                if self._republish:
                    next_health = 0.0
                self._flush(client)
                self._health(client, beat=started >= next_health)
                if started >= next_health:
                    next_health = started + self.health_every
            except Exception:  # never let the live values die with one bad value
                log.exception("UNS %s: publishing live values failed", self.name)
            wait = max(0.0, self.live_every - (time.monotonic() - started))

    def _connected(self) -> mqtt.Client | None:
        """The client (paho's loop reconnects it), or a new one; None while unreachable."""
        with self._lock:
            if self._client is None:
                try:
                    self.open()
                except TargetError as error:
                    log.warning("UNS %s: %s", self.name, error)
            return self._client

    def _flush(self, client: mqtt.Client) -> None:
        """Publish what changed since the last flush (everything after a reconnection).
        While the broker is away or slow (paho still holds what was queued before), the
        values wait in ``_pending``, the newest one per tag."""
        if _stalled(client):
            return
        batch, self._pending = self._pending, {}
        current = self._current
        current.update(batch)
        if self._republish:
            self._republish = False
            self._sent.clear()
            batch = dict(current)
            for kept, body in self._retained.items():
                client.publish(kept, body, qos=1, retain=True)
        units, sent = self._units, self._sent
        dumps = json.dumps
        out: list[tuple[str, bytes]] = []
        changed_system = False
        for name, tv in batch.items():
            if name not in units:
                changed_system = changed_system or name.startswith(SYSTEM_PREFIX)
                continue
            value, quality, source_ts, ts, reason = tv
            shown = (value, quality, reason)
            if sent.get(name) == shown:
                continue  # by exception: an unchanged value is not sent again
            if type(value) is float and value == value and value not in (_INF, -_INF):
                v = repr(value)
            elif type(value) is int or type(value) is str or type(value) is bool:
                v = dumps(value)
            else:
                v = _json(value)
            stamp = int((source_ts or ts) * 1000)
            tail = f',"reason":{dumps(reason)}}}' if quality is Quality.BAD else "}"
            payload = f'{{"v":{v},"q":"{QUALITY[quality]}","ts":{stamp}{units[name]}{tail}'
            out.append((name, payload.encode()))
            sent[name] = shown
        if out:
            self._write(client, out)
        if changed_system or self._orders_due:
            self._orders_due = False
            self._orders(client)
        if self._alarms_due:
            self._alarms_due = False
            self._alarm_states(client)
        if self._alarm_events:
            self._alarms(client)

    def _write(self, client: mqtt.Client, out: list[tuple[str, bytes]]) -> None:
        """The flush's messages as one write: PUBLISH packets made here and queued to paho
        together (a ``publish`` call each costs several times the rest of the work); with a
        paho that has no packet queue, one ``publish`` each."""
        queue = getattr(client, "_packet_queue", None)
        if callable(queue):
            heads = self._heads
            queue(0, b"".join([publish_packet(heads[n], p) for n, p in out]), 0, 0)
        else:
            topics = self._topics
            for name, payload in out:
                client.publish(topics[name], payload, 0, True)
        self.published += len(out)

    def _retain(self, client: mqtt.Client, topic: str, payload: bytes) -> None:
        if self._retained.get(topic) != payload:
            self._retained[topic] = payload
            client.publish(topic, payload, qos=1, retain=True)

    def _orders(self, client: mqtt.Client) -> None:
        current = self._current
        for line in self._lines:
            fields: dict[str, Any] = {}
            for field in ORDER_FIELDS:
                tv = current.get(f"{SYSTEM_PREFIX}orders.{line}.{field}")
                if tv is not None and tv.quality is Quality.GOOD:
                    fields["number" if field == "order" else field] = tv.value
            told = f"{SYSTEM_PREFIX}orders.{line}.order" in current  # the line's tags say
            order = self._order_of(line, fields.get("number"), told)
            if order is not None:  # the live tags first, the orders service for the rest
                fields.setdefault("number", order.number)
                fields.setdefault("state", getattr(order.state, "value", order.state))
                for field in ("good", "scrap", "target"):
                    fields.setdefault(field, getattr(order, field, None))
                if order.product:
                    fields["product"] = order.product
            topic = f"{self.root}/{segment(line)}/orders/current"
            if not fields.get("number"):
                self._retain(client, topic, b"")
                continue
            product = self._products.get(str(fields["number"]))
            if product is not None and "product" not in fields:
                fields["product"] = product
            if isinstance(fields.get("product"), Mapping):  # words to show, data to use
                fields["product_data"] = fields["product"]
                fields["product"] = product_words(fields["product"])
            self._retain(client, topic, json.dumps(fields, default=str).encode())

    def _order_of(self, line: str, number: Any, told: bool) -> Any:
        """The orders service's order ``number``, or the line's current one (running, else
        the first held, as the line's tags show it) while its tags say nothing yet (a
        station just started); None without the service."""
        service = self._orders_service
        if service is None:
            return None
        try:
            if number:
                return service.order(str(number))
            if told:
                return None
            held = (o for o in service.queue(line) if str(o.state) == "held")
            return service.running(line) or next(held, None)
        except Exception:  # its figures stay those of the tags
            log.exception("UNS %s: the orders service did not answer for %s", self.name, line)
            return None

    def _alarm_states(self, client: mqtt.Client) -> None:
        """Every alarm as the alarms service has it now: retained when it is not normal,
        its topic cleared when it is (it may have cleared while the station was off)."""
        try:
            statuses = self._alarms_service.alarms()
        except Exception:  # the events still come
            log.exception("UNS %s: the alarms service did not say its alarms", self.name)
            return
        for status in statuses:
            line = status.line or self.station
            topic = f"{self.root}/{segment(line)}/alarms/{segment(status.id)}"
            state = str(status.state)
            if state == "normal":
                self._retain(client, topic, b"")
                continue
            since = _epoch_ms(status.activated_at or status.since)
            body = _alarm_body(state, status.priority, status.message, since, status.tag)
            self._retain(client, topic, body)

    def _alarms(self, client: mqtt.Client) -> None:
        """Each alarm's state from the alarm events the alarms capability publishes; one
        back to normal clears its topic (an empty retained message), as at the start."""
        events = self._alarm_events
        while events:
            e = events.popleft()
            if not isinstance(e, Mapping) or not e.get("alarm_id"):
                continue
            state = str(e.get("to_state") or "")
            line = str(e.get("line") or "") or self.station
            topic = f"{self.root}/{segment(line)}/alarms/{segment(str(e['alarm_id']))}"
            if state == "normal":  # over: no late subscriber is told of it
                self._retain(client, topic, b"")
                continue
            previous = self._retained.get(topic)
            since = _epoch_ms(e.get("time"))
            if previous and state in ACTIVE and str(e.get("from_state")) in ACTIVE:
                since = json.loads(previous).get("since", since)  # acked: still the same one
            body = _alarm_body(state, e.get("priority"), e.get("message"), since, e.get("tag"))
            self._retain(client, topic, body)

    def _health(self, client: mqtt.Client, beat: bool) -> None:
        """Each line's health: on the period's ``beat``, and at once when it changed."""
        if _stalled(client):
            return
        current = self._current
        project = self._project
        backlog = current.get(f"{SYSTEM_PREFIX}mes.{self.name}.backlog")
        for line in (*self._lines, self.station):
            devices = {}
            if project is not None:
                for name, device in project.devices.items():
                    if device.line == line or (line == self.station and not device.line):
                        devices[name] = _device_state(current.get(f"{DEVICE_TAG_PREFIX}{name}"))
            if line == self.station and not devices and self._lines:
                continue  # the station itself carries nothing of its own
            body: dict[str, Any] = {
                "online": True,
                "station": self.station,
                "version": __version__,
                "devices": devices,
                "backlog": backlog.value if backlog is not None else None,
            }
            oee = current.get(f"{SYSTEM_PREFIX}orders.{line}.oee")
            if oee is not None and oee.quality is Quality.GOOD:
                body["oee"] = {"order": oee.value}
            topic = self._health_topic(line)
            core = json.dumps(body, default=str).encode()
            if not beat and self._health_core.get(topic) == core:
                continue
            self._health_core[topic] = core
            body["uptime_s"] = round(time.monotonic() - self._started)
            body["ts"] = int(time.time() * 1000)
            self._retained[topic] = payload = json.dumps(body, default=str).encode()
            client.publish(topic, payload, qos=1, retain=True)

    def _health_topic(self, line: str) -> str:
        return f"{self.root}/{segment(line)}/health"


_INF = float("inf")
#: packets paho may still hold unwritten before a flush waits (the broker is slow)
MAX_QUEUED = 64
RETAINED_QOS0 = b"\x31"  # PUBLISH, QoS 0, retain


def _stalled(client: mqtt.Client) -> bool:
    """Not connected, or paho still holds more than ``MAX_QUEUED`` packets unwritten."""
    return not client.is_connected() or len(getattr(client, "_out_packet", ())) > MAX_QUEUED


def publish_head(topic: str, v5: bool) -> bytes:
    """The topic part of a PUBLISH packet (MQTT 3.1.1 and 5.0, section 3.3.2): the topic's
    length and bytes, and for MQTT 5 an empty property list."""
    raw = topic.encode()
    if len(raw) > 65535:
        raise ValueError(f"topic longer than MQTT allows: {shorten(topic)}")
    return len(raw).to_bytes(2, "big") + raw + (b"\x00" if v5 else b"")


def publish_packet(head: bytes, payload: bytes) -> bytes:
    """A retained QoS 0 PUBLISH packet: fixed header, remaining length, topic, payload."""
    size = len(head) + len(payload)
    if size < 128:
        return RETAINED_QOS0 + bytes((size,)) + head + payload
    length = bytearray()
    while size:
        size, digit = divmod(size, 128)
        length.append(digit | (0x80 if size else 0))
    return RETAINED_QOS0 + bytes(length) + head + payload


def _json(value: Any) -> str:
    """Any other value as JSON: bytes, dates and the like as text, NaN and inf as null."""
    try:
        return json.dumps(value, default=str, allow_nan=False)
    except ValueError:
        return "null"


def _alarm_body(state: str, priority: Any, message: Any, since: int | None, tag: Any) -> bytes:
    """An alarm's retained state on ``{root}/{line}/alarms/{alarm}``."""
    body = {
        "active": state in ACTIVE,
        "acknowledged": state in ACKNOWLEDGED,
        "state": state,
        "priority": priority,
        "message": message,
        "since": since,
        "tag": tag,
    }
    return json.dumps(body, default=str).encode()


def _epoch_ms(seconds: Any) -> int | None:
    try:
        return int(float(seconds) * 1000)
    except (TypeError, ValueError, OverflowError):
        return None


def _device_state(tv: TagValue | None) -> str:
    if tv is None:
        return "unknown"
    if tv.quality is Quality.GOOD:
        return "ok"
    return tv.reason or str(tv.value)
