"""The MQTT driver: tags taken from a broker's topics, so a supervisor sees every line's
live values without polling their PLCs.

One connection per device (the broker), one subscription per topic whatever the number
of tags reading it. paho's network thread reads the messages and decodes them; the
values wait in one dictionary (the newest per tag) and reach the engine together, one
batch every ``COALESCE_S`` at most, however many messages came meanwhile. A lost broker makes
every tag Bad with the reason at once; the driver reconnects under the connection policy
(``hmi.core.connection``) and the retained messages give the values back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as mqtt

from hmi.core.connection import ConnectionState
from hmi.core.driver import (
    DeviceState,
    DeviceStatus,
    Driver,
    DriverContext,
    WriteResult,
    WriteStatus,
)
from hmi.core.project.models import DeviceConfig, Problem, TagConfig
from hmi.core.tags import Batch, Quality, TagValue
from hmi.core.tasks import cancel_and_wait

from .address import TagAddress, parse_address
from .browse import browse as browse_broker
from .link import close_client, open_client
from .options import POLICY, MqttOptions, parse_options
from .sparkplug import MetricReader, Node, rebirth_command, split_topic
from .uns import Lines, line_of
from .values import NOT_JSON, PathReader, RawReader, Reader, stale_reason
from .write import Readbacks, publish_and_confirm

log = logging.getLogger(__name__)
_make = tuple.__new__
SUBSCRIBE_CHUNK = 500  # topics per SUBSCRIBE packet: 10,000 tags subscribe in 20 round trips
RETAINED_WAIT_S = 0.5  # s: after subscribing, the time retained messages take to come
# s: values gathered into one batch: the loop wakes 50 times a second at most, not once
# per message (the screens show 10-20 times a second anyway)
COALESCE_S = 0.02
REBIRTH_EVERY_S = 10.0  # s: the shortest time between two rebirth requests to one node
STALE_CHECK_MAX = 5.0  # s: the longest wait between two looks for stale values


class MqttDriver(Driver):
    """Reads tags from the topics of one MQTT broker; writes publish to a tag's write topic."""

    protocol = "mqtt"
    browse = staticmethod(browse_broker)

    def __init__(self, ctx: DriverContext):
        super().__init__(ctx)
        self.options, problems = parse_options(ctx.device)
        self._setup_problem = "; ".join(p.message for p in problems)
        self.connection = ConnectionState(self.options.connection if self.options else POLICY)
        self._addresses: dict[str, TagAddress] = {}
        self._address_problems: dict[str, str] = {}
        self._readers: dict[str, list[Reader]] = {}  # topic -> the tags it feeds
        self._json_topics: set[str] = set()
        self._nodes: dict[tuple[str, str], Node] = {}  # Sparkplug (group, edge node)
        self._sparkplug_topics: dict[str, Node] = {}
        self._stale: dict[str, float] = {}  # tag -> s
        self._lines = Lines()  # the UNS lines the tags come from, and which are offline
        self._uns_tags: set[str] = set()
        self._decoded: dict[str, TagValue] = {}  # their newest value as the line sent it
        default_stale = self.options.stale if self.options else None
        for tag in self.tags:
            if tag.derived:
                continue
            try:
                address = parse_address(tag.address)
            except ValueError as exc:
                self._address_problems[tag.name] = str(exc)
                continue
            self._addresses[tag.name] = address
            stale = address.stale if address.stale is not None else default_stale
            if stale is not None:
                self._stale[tag.name] = stale
            self._add_reader(tag, address, stale)
        for node in self._nodes.values():
            for topic in node.topics():
                self._sparkplug_topics[topic] = node
        self._line_topics = set(self._lines.topics())
        self._station_topics = tuple(t[:-1] for t in self._line_topics if t.endswith("/+"))
        self._lock = threading.Lock()
        self._pending: Batch = {}  # decoded on paho's thread, waiting for the loop
        self._seen: set[str] = set()  # tags with a message since this connection
        self._last: dict[str, TagValue] = {}  # the newest value of each tag with stale=
        self._readbacks = Readbacks()
        self._rebirths: dict[tuple[str, str], float] = {}  # node -> when a rebirth was asked
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: mqtt.Client | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._status: DeviceStatus | None = None
        self._reason = ""

    def _add_reader(self, tag: TagConfig, address: TagAddress, stale: float | None) -> None:
        if address.payload == "sparkplug":
            group, _kind, node_id, device = split_topic(address.topic)
            node = self._nodes.get((group, node_id))
            if node is None:
                node = self._nodes[group, node_id] = Node(group, node_id, self._ask_rebirth)
            node.add(device, MetricReader(tag, address, stale, metric=address.metric))
            return
        reader: Reader
        if address.payload == "raw":
            reader = RawReader(tag, address, stale)
        elif address.path:
            reader = PathReader(tag, address, stale)
        else:
            reader = Reader(tag, address, stale)
            line = line_of(address.topic)
            if line is not None:
                self._lines.add(tag.name, line)
                self._uns_tags.add(tag.name)
        self._readers.setdefault(address.topic, []).append(reader)
        if reader.json:
            self._json_topics.add(address.topic)

    # -- project checks -----------------------------------------------------------------

    @classmethod
    def validate_device(cls, device: DeviceConfig) -> list[Problem]:
        return parse_options(device)[1]

    @classmethod
    def validate_tag(cls, device: DeviceConfig, tag: TagConfig) -> list[Problem]:
        if tag.derived:
            return []
        where = tag.source_of("address")
        try:
            address = parse_address(tag.address)
        except ValueError as exc:
            return [Problem(where, f"tag '{tag.name}': {exc}")]
        if address.write_topic and not tag.writable:
            return [
                Problem(
                    where,
                    f"tag '{tag.name}': write_topic is given but the tag is "
                    "not writable; add 'writable: true' or remove write_topic",
                )
            ]
        if tag.writable and not address.write_topic:
            return [
                Problem(
                    tag.source_of("writable"),
                    f"tag '{tag.name}': a writable MQTT "
                    "tag needs write_topic=TOPIC in its address (where the line takes "
                    "the new value)",
                )
            ]
        if tag.writable and address.payload == "sparkplug":
            return [
                Problem(
                    tag.source_of("writable"),
                    f"tag '{tag.name}': Sparkplug metrics "
                    "are read only here (no DCMD); remove 'writable'",
                )
            ]
        return []

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._set_state(DeviceStatus.CONNECTING)
        if self._address_problems:
            now = time.time()
            self.ctx.sink.publish(
                {
                    n: TagValue(None, Quality.BAD, None, now, why)
                    for n, why in self._address_problems.items()
                }
            )
        if self.options is None:
            reason = f"invalid device options: {self._setup_problem}"
            self._set_state(DeviceStatus.STOPPED, reason)
            self._publish_all_bad(reason)
            return
        name = self.device.name
        self._tasks.append(asyncio.create_task(self._run(self.options), name=f"mqtt:{name}"))
        if self._stale:
            self._tasks.append(asyncio.create_task(self._watch_stale(), name=f"mqtt:{name}:stale"))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        await cancel_and_wait(tasks, what=f"mqtt {self.device.name}")
        self._set_state(DeviceStatus.STOPPED, "stopped")

    async def _run(self, options: MqttOptions) -> None:
        """Connect, serve until the broker is lost, wait as the policy says, again."""
        while True:
            try:
                reason = await self._connect_and_serve(options)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a fault of the driver itself: report it, keep trying
                log.exception("%s: connection handling failed", self.device.name)
                reason = f"driver fault: {exc}"
            self.connection.failed()
            self._go_offline(reason)
            await self.connection.until_due()

    async def _connect_and_serve(self, options: MqttOptions) -> str:
        assert self._loop is not None
        loop = self._loop
        policy = options.connection
        try:
            client = await open_client(options)
        except OSError as exc:
            return str(exc)
        lost: asyncio.Future[str] = loop.create_future()
        where = options.settings.where

        def on_disconnect(_c: Any, _u: Any, _flags: Any, reason: Any, _p: Any) -> None:
            text = f"broker {where} lost ({_loss(reason)})"
            loop.call_soon_threadsafe(_settle, lost, text)

        acks: dict[int, asyncio.Future[list[Any]]] = {}

        def acknowledged(mid: int, codes: list[Any]) -> None:  # on the loop, after subscribe()
            future = acks.get(mid)
            if future is not None:
                _settle(future, codes)

        def on_subscribe(_c: Any, _u: Any, mid: int, codes: list[Any], _p: Any) -> None:
            loop.call_soon_threadsafe(acknowledged, mid, codes)

        with self._lock:
            self._seen.clear()
        client.on_disconnect = on_disconnect
        client.on_subscribe = on_subscribe
        client.on_message = self._on_message
        try:
            if not client.is_connected():
                return f"broker {where} lost right after connecting"
            refused = await self._subscribe(client, acks, options, lost)
            if refused is None:
                if lost.done():
                    return lost.result()
                return (
                    f"broker {where} did not confirm the subscriptions within {policy.timeout:g} s"
                )
            self._client = client
            self._set_state(DeviceStatus.ONLINE)
            if refused:
                self._set_state(DeviceStatus.DEGRADED, "; ".join(sorted(set(refused.values()))))
            self._mark_bad(refused)
            self._rebirths.clear()
            for node in self._nodes.values():  # births are not retained: ask for them
                self._ask_rebirth(node)
            # the broker sends the retained messages right after each SUBACK
            done, _ = await asyncio.wait([lost], timeout=RETAINED_WAIT_S)
            if not done:
                self._mark_bad(
                    {
                        name: _waiting(address)
                        for name, address in self._addresses.items()
                        if name not in refused
                    },
                    unseen_only=True,
                )
            return await lost
        finally:
            self._client = None
            client.on_message = None
            client.on_disconnect = None
            await close_client(client)

    async def _subscribe(
        self,
        client: mqtt.Client,
        acks: dict[int, asyncio.Future[list[Any]]],
        options: MqttOptions,
        lost: asyncio.Future[str],
    ) -> dict[str, str] | None:
        """Subscribe every topic, in a few packets; the tags whose topic the broker refused
        (tag -> reason), or None when the broker did not confirm in time."""
        assert self._loop is not None
        topics = sorted({*self._readers, *self._sparkplug_topics, *self._line_topics})
        chunks = [topics[i : i + SUBSCRIBE_CHUNK] for i in range(0, len(topics), SUBSCRIBE_CHUNK)]
        sent: list[tuple[list[str], asyncio.Future[list[Any]]]] = []
        for chunk in chunks:
            future: asyncio.Future[list[Any]] = self._loop.create_future()
            rc, mid = client.subscribe([(t, options.qos) for t in chunk])
            if rc != mqtt.MQTT_ERR_SUCCESS or mid is None:
                return None
            acks[mid] = future
            sent.append((chunk, future))
        waiting = [f for _, f in sent]
        deadline = time.monotonic() + options.connection.timeout + 0.001 * len(topics)
        while not all(f.done() for f in waiting):
            left = deadline - time.monotonic()
            if lost.done() or left <= 0:
                return None
            undone: list[asyncio.Future[Any]] = [f for f in waiting if not f.done()]
            await asyncio.wait([*undone, lost], timeout=left, return_when=asyncio.FIRST_COMPLETED)
        refused: dict[str, str] = {}
        for chunk, future in sent:
            for topic, code in zip(chunk, future.result(), strict=False):
                if getattr(code, "is_failure", False):
                    reason = f"the broker refused the subscription to {topic} ({code})"
                    for name in self._tags_of(topic):
                        refused[name] = reason
        return refused

    def _tags_of(self, topic: str) -> list[str]:
        readers = self._readers.get(topic)
        if readers is not None:
            return [r.name for r in readers]
        node = self._sparkplug_topics.get(topic)
        if node is None:
            return []
        device = split_topic(topic)[3]
        groups = node.readers.values() if not device else [node.readers.get(device, {})]
        return [r.name for metrics in groups for tags in metrics.values() for r in tags]

    def _mark_bad(self, reasons: dict[str, str], unseen_only: bool = False) -> None:
        """Tags Bad with their reason; ``unseen_only``: only those without a message since
        the connection (never shown with the value of before an outage as if it were live)."""
        if not reasons:
            return
        now = time.time()
        with self._lock:
            first = not self._pending
            for name, reason in reasons.items():
                if not (unseen_only and name in self._seen):
                    self._pending[name] = TagValue(None, Quality.BAD, None, now, reason)
        if first:
            self._flush()

    # -- messages (paho's thread) ---------------------------------------------------------

    def _on_message(self, _client: Any, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        payload = message.payload
        now = time.time()
        out: Batch = {}
        try:
            readers = self._readers.get(topic)
            if readers is not None:
                doc: Any = None
                if topic in self._json_topics and payload:
                    try:
                        doc = json.loads(payload)
                    except (ValueError, RecursionError):
                        doc = NOT_JSON
                for reader in readers:
                    out[reader.name] = reader.read(payload, doc, now)
                if self._uns_tags:
                    self._follow_line(out, now)
            elif topic in self._line_topics or topic.startswith(self._station_topics):
                out = self._lines.handle(topic, payload, self._decoded, now)
            else:
                node = self._sparkplug_topics.get(topic)
                if node is None:
                    return
                _group, kind, _node, device = split_topic(topic)
                node.handle(kind, device, payload, now, out)
        except Exception as exc:  # a fault of the driver: that topic's tags say so
            log.exception("%s: message on %s", self.device.name, topic)
            out = {
                n: TagValue(None, Quality.BAD, None, now, f"driver fault: {exc}")
                for n in self._tags_of(topic)
            }
        if not out:
            return
        with self._lock:
            first = not self._pending
            self._pending.update(out)
            self._seen.update(out)
        if first and self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._flush_soon)
            except RuntimeError:  # the loop has closed: nobody listens any more
                pass

    def _follow_line(self, out: Batch, now: float) -> None:
        """Keep what a line sent; while its station is offline its tags stay Bad."""
        down = self._lines.down_tags
        for name, tv in out.items():
            if name in self._uns_tags:
                self._decoded[name] = tv
                why = down.get(name)
                if why is not None:
                    out[name] = _make(TagValue, (tv.value, Quality.BAD, None, now, why))

    def _flush_soon(self) -> None:
        """The first value after a flush: the engine gets it, and what follows within
        COALESCE_S, in one batch (runtime loop)."""
        assert self._loop is not None
        self._loop.call_later(COALESCE_S, self._flush)

    def _flush(self) -> None:
        """Hand the engine what came since the last flush (runtime loop)."""
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return
        if self._stale:
            stale = self._stale
            self._last.update((n, tv) for n, tv in batch.items() if n in stale)
        if self._readbacks:
            self._readbacks.settle(batch)
        self.ctx.sink.publish(batch)

    async def _watch_stale(self) -> None:
        """Good values older than their ``stale`` turn Uncertain (not re-sent meanwhile)."""
        every = min(STALE_CHECK_MAX, max(0.1, min(self._stale.values()) / 4))
        while True:
            await asyncio.sleep(every)
            now = time.time()
            out: Batch = {}
            for name, tv in self._last.items():
                if tv.quality is Quality.GOOD:
                    age = now - (tv.source_ts if tv.source_ts is not None else tv.ts)
                    if age > self._stale[name]:
                        out[name] = _make(
                            TagValue,
                            (
                                tv.value,
                                Quality.UNCERTAIN,
                                tv.source_ts,
                                now,
                                stale_reason(self._stale[name]),
                            ),
                        )
            if out:
                self._last.update(out)
                self.ctx.sink.publish(out)

    def _ask_rebirth(self, node: Node) -> None:
        """Ask an edge node for its births (NCMD), at most every REBIRTH_EVERY_S; on the
        loop at a connection, on paho's thread when data comes that no birth explains."""
        client, options = self._client, self.options
        if client is None or options is None or not options.rebirth:
            return
        key, now = (node.group, node.node), time.monotonic()
        if now - self._rebirths.get(key, -REBIRTH_EVERY_S) < REBIRTH_EVERY_S:
            return
        self._rebirths[key] = now
        topic, payload = rebirth_command(node, int(time.time() * 1000))
        log.info("%s: asking edge node %s for its births (%s)", self.device.name, node.node, topic)
        client.publish(topic, payload, qos=0)

    # -- state --------------------------------------------------------------------------

    def _set_state(self, status: DeviceStatus, reason: str = "") -> None:
        if status is self._status and reason == self._reason:
            return
        if status is DeviceStatus.ONLINE and self.connection.succeeded():
            log.info("%s: recovered", self.device.name)
        self._status, self._reason = status, reason
        self.ctx.sink.device_state(DeviceState(self.device.name, status, reason, time.time()))

    def _go_offline(self, reason: str) -> None:
        """Every tag Bad once per outage, with the reason; DEMOTED once it kept failing."""
        if self._status is DeviceStatus.STOPPED or not self._tasks:
            return
        if self._status not in (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED):
            log.warning("%s: offline: %s", self.device.name, reason)
            self._set_state(DeviceStatus.OFFLINE, reason)
            self._publish_all_bad(reason)
        status = DeviceStatus.DEMOTED if self.connection.demoted else self._status
        assert status is not None
        if status is DeviceStatus.DEMOTED and self._status is not status:
            log.warning(
                "%s: demoted, now tried every %g s: %s",
                self.device.name,
                self.connection.policy.demote_for,
                reason,
            )
        self._set_state(status, reason)  # the device state tells a changed fault

    def _publish_all_bad(self, reason: str) -> None:
        now = time.time()
        problems = self._address_problems
        batch = {
            t.name: TagValue(None, Quality.BAD, None, now, problems.get(t.name, reason))
            for t in self.tags
            if not t.derived
        }
        with self._lock:  # a value decoded just before the loss must not follow it
            for name in batch:
                self._pending.pop(name, None)
        self._last.update((n, tv) for n, tv in batch.items() if n in self._stale)
        self.ctx.sink.publish(batch)

    # -- writes -------------------------------------------------------------------------

    async def write(self, tag: TagConfig, raw_value: Any) -> WriteResult:
        """Publish to the tag's write topic (QoS 1), then wait for the tag's own topic to
        show the value: the line took it."""
        name = tag.name
        if not tag.writable:
            return WriteResult(name, WriteStatus.REFUSED, "the tag is not writable")
        address = self._addresses.get(name)
        if address is None:
            problem = self._address_problems.get(name, "no address")
            return WriteResult(name, WriteStatus.REFUSED, problem)
        if not address.write_topic:
            return WriteResult(
                name, WriteStatus.REFUSED, "the address has no write_topic: nowhere to publish"
            )
        if address.payload == "sparkplug":
            return WriteResult(name, WriteStatus.REFUSED, "Sparkplug metrics are read only")
        client, options = self._client, self.options
        if client is None or options is None:
            reason = self._reason or "not connected"
            return WriteResult(name, WriteStatus.FAILED, f"device {self.device.name}: {reason}")
        current = self._current(name)
        return await publish_and_confirm(
            client, name, address, raw_value, current, self._readbacks, options.connection.timeout
        )

    def _current(self, name: str) -> Any:
        engine_values = getattr(self.ctx.sink, "values", None)
        tv = engine_values.get(name) if isinstance(engine_values, dict) else None
        return tv.value if tv is not None and tv.quality is Quality.GOOD else None

    # -- one-shot read ------------------------------------------------------------------

    async def read(self, tags: Sequence[TagConfig]) -> Batch:
        """The tags' values from their retained messages (``hmi read``)."""
        now = time.time()
        if self.options is None:
            reason = f"invalid device options: {self._setup_problem}"
            return {t.name: TagValue(None, Quality.BAD, None, now, reason) for t in tags}
        names = {t.name for t in tags}
        started = not self._tasks
        if started:
            await self.start()
        try:
            deadline = (
                time.monotonic()
                + self.options.connection.connect_timeout
                + self.options.connection.timeout
            )
            values = getattr(self.ctx.sink, "values", {})
            online_since: float | None = None
            while time.monotonic() < deadline:
                if self._status in (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED):
                    break
                if self._status is not DeviceStatus.CONNECTING:
                    online_since = online_since or time.monotonic()
                    good = all(n in values and values[n].good for n in names)
                    if good or time.monotonic() - online_since > 2 * RETAINED_WAIT_S:
                        break
                await asyncio.sleep(0.05)
            found = {n: values[n] for n in names if n in values}
        finally:
            if started:
                await self.stop()
        reason = self._reason or "no message in time"
        return {n: found.get(n) or TagValue(None, Quality.BAD, None, now, reason) for n in names}


def _waiting(address: TagAddress) -> str:
    """Why a tag has no value yet on a fresh connection."""
    if address.payload == "sparkplug":
        return (
            f"no birth or data on {address.topic} yet (Sparkplug keeps nothing retained: "
            "the node sends a birth when it restarts or is asked to rebirth)"
        )
    return f"no message on {address.topic} yet (nothing retained)"


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _loss(reason: Any) -> str:
    """paho's reason for a lost connection, in words (a socket closed under it is 128)."""
    text = str(reason)
    return "the connection closed" if text == "Unspecified error" else text
