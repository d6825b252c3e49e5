"""The Sparkplug B target: this station as a Sparkplug edge node, its devices' tags as
metrics, the production events as node data.

```yaml
mes:
  targets:
    scada:
      kind: sparkplug
      host: broker.plant.local        # and the other MQTT keys of mqtt_link
      tls: {ca_file: certs/plant-ca.pem}
      username: line1
      password_secret: broker_line1
      group_id: turin                 # default: the site of root: enterprise/site/area
      edge_node_id: press-pc-1        # default: the station (the computer's name)
      buffer: 100000                  # values kept while the broker is away
      primary_host: scada-1           # births only while this host application is online
```

Topics ``spBv1.0/<group>/<NBIRTH|NDATA|NDEATH|NCMD>/<node>`` and
``spBv1.0/<group>/<DBIRTH|DDATA>/<node>/<device>``. At each connection the node's will is
an NDEATH with the connection's ``bdSeq`` (0..255, one more at each CONNECT, kept in the
station's store before the CONNECT goes out, so it goes on across restarts and a host
tells the NDEATH of a session before the restart from the current one); then NBIRTH
(``bdSeq``, ``Node Control/Rebirth``, ``Production/Event`` and the tags without a device)
with seq 0 and a DBIRTH for each device of the project with its tags as metrics (the
name, a stable alias: the tag's place in the project from 10 on, the datatype from the
tag's type, the current value). After that, DDATA/NDATA carry the changed values by alias
alone, seq one more for each node message (255 wraps to 0). An NCMD with ``Node
Control/Rebirth`` true sends the births again. A value that is not Good carries the
``Quality`` property (OPC DA codes: 192 Good, 64 Uncertain, 0 Bad), and a Bad one is null.

With ``primary_host``, the node is born only once that host application's STATE
(``spBv1.0/STATE/<host>``, retained) says it is online, and goes offline (NDEATH, a new
connection) when it says offline: the values meanwhile wait as historical.

Values that changed while the broker was away are kept (at most ``buffer``, the oldest
dropped and counted) and sent after the next births with ``is_historical``. Each outbox
event is an NDATA with one ``Production/Event`` metric (String: the event as JSON) at
QoS 1, taken only once the broker's PUBACK came: Sparkplug asks QoS 0 for data, and a
host reads a QoS 1 message all the same, but only an acknowledgement lets the outbox row
go. A resend after an outage is dropped by the MES by the event's key.

The node goes online at ``attach`` (or the first ``open``), reconnects by itself with a
new ``bdSeq`` and births, and goes offline with an NDEATH of its own at ``detach`` (the
station stops) or, when it only sends events, at ``close``.
"""

from __future__ import annotations

import collections
import json
import logging
import math
import socket
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from ..outbox import OutboxEvent
from ..project.fields import Fields
from ..project.limits import WholeRange
from ..project.models import DataType as TagType
from ..project.models import Problem, Project
from ..secrets import SecretStore
from ..store import StoreError, Writer, connect
from ..tags import Batch, Quality, TagValue
from ..words import shorten
from . import schema
from .http import _line as event_line
from .mqtt_link import (
    CONNECT_TIMEOUT,
    RECONNECT_MAX_S,
    RECONNECT_MIN_S,
    MqttSettings,
    Will,
    connect_client,
    read_mqtt_settings,
)
from .sparkplug_payload import INTEGERS, DataType, Metric, Payload, PayloadError, Property
from .sparkplug_payload import decode as decode_payload
from .sparkplug_payload import encode as encode_payload
from .target import COMMON_KEYS, Outcome, TargetError

log = logging.getLogger(__name__)

FIELDS = ("group_id", "edge_node_id", "buffer", "root", "primary_host")
NAMESPACE = "spBv1.0"
BUFFER = WholeRange(100, 10_000_000)
DEFAULT_BUFFER = 100_000
DEFAULT_BATCH = 200  # events per send: each is one QoS 1 message
ACK_TIMEOUT_S = 10.0  # longest wait for the PUBACKs of a batch
CLOSE_TIMEOUT_S = 5.0
PENDING_BATCHES = 10_000  # engine batches waiting for the node's thread (more: dropped)
HISTORY_CHUNK = 500  # historical metrics per message
IDLE_S = 5.0  # the node's thread looks at its connection at least this often
STATE_WAIT_S = 2.0  # after this, a node waiting for its primary host's STATE says so
BDSEQ_COMMIT_S = 2.0  # longest wait for a connection's bdSeq to be on disk

BDSEQ, REBIRTH, EVENT = "bdSeq", "Node Control/Rebirth", "Production/Event"
REBIRTH_ALIAS, EVENT_ALIAS, FIRST_TAG_ALIAS = 1, 2, 10
QUALITY = "Quality"
FLOAT32_MAX = 3.4028234663852886e38
QUALITY_CODES = {Quality.GOOD: 192, Quality.UNCERTAIN: 64, Quality.BAD: 0}
#: a tag's type → its metric's datatype
DATATYPES: dict[TagType, DataType] = {
    TagType.BOOL: DataType.BOOLEAN,
    TagType.INT16: DataType.INT16,
    TagType.UINT16: DataType.UINT16,
    TagType.INT32: DataType.INT32,
    TagType.UINT32: DataType.UINT32,
    TagType.INT64: DataType.INT64,
    TagType.UINT64: DataType.UINT64,
    TagType.FLOAT32: DataType.FLOAT,
    TagType.FLOAT64: DataType.DOUBLE,
    TagType.STRING: DataType.STRING,
}


@dataclass(frozen=True, slots=True)
class SparkTag:
    """A project tag as a metric: ``device`` None puts it on the node itself."""

    name: str
    alias: int
    datatype: DataType
    device: str | None


def tags_of(project: Project) -> dict[str, SparkTag]:
    """The project's tags as metrics, aliases by their place in the project."""
    out: dict[str, SparkTag] = {}
    for i, tag in enumerate(project.tags.values()):
        device = tag.device if tag.device in project.devices else None
        if device is not None and not valid_id(device):
            log.warning("Sparkplug: device %s is sent as node metrics ('/', '+' or '#' in its "
                        "name cannot be a Sparkplug device id)", device)  # fmt: skip
            device = None
        datatype = DATATYPES.get(tag.data_type, DataType.STRING)
        out[tag.name] = SparkTag(tag.name, FIRST_TAG_ALIAS + i, datatype, device)
    return out


def valid_id(text: str) -> bool:
    """A Sparkplug group, node or device id: not empty, without '/', '+' or '#'."""
    return bool(text) and not any(c in text for c in "/+#")


def metric_value(datatype: DataType, value: Any) -> Any:
    """``value`` as ``datatype`` carries it; ``ValueError`` when it cannot."""
    if value is None:
        raise ValueError("no value")
    if datatype in INTEGERS:
        number = int(value)
        if isinstance(value, float) and number != value:
            raise ValueError(f"{value!r} is not a whole number")
        bits, signed = INTEGERS[datatype]
        low = -(1 << (bits - 1)) if signed else 0
        high = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
        if not low <= number <= high:
            raise ValueError(f"{number} is outside {datatype.name}")
        return number
    if datatype in (DataType.FLOAT, DataType.DOUBLE):
        real = float(value)
        if datatype is DataType.FLOAT and abs(real) > FLOAT32_MAX and math.isfinite(real):
            raise ValueError(f"{real!r} is beyond a 32-bit float")
        return real
    if datatype is DataType.BOOLEAN:
        return bool(value)
    return value if isinstance(value, str) else str(value)


def millis(seconds: float | None) -> int:
    return round((seconds or time.time()) * 1000)


def event_json(event: OutboxEvent, station: str) -> str:
    """The event as the MES reads it in ``Production/Event`` (as the UNS target writes it)."""
    return json.dumps(
        {
            "key": event.key,
            "stream": event.stream,
            "seq": event.seq,
            "kind": event.kind,
            "ts": event.ts,
            "payload": event.payload,
            "station": station,
            "line": event_line(event),
        },
        separators=(",", ":"),
        allow_nan=False,
    )


def _group_default(fields: Fields) -> str | None:
    """The site segment of ``root: enterprise/site/area`` (the UNS entry's key)."""
    root = fields.text("root")
    if root is None:
        return None
    parts = [p for p in root.strip("/").split("/") if p]
    if len(parts) < 2:
        fields.problem("root", f"root: '{shorten(root)}' is not enterprise/site[/area]")
        return None
    return parts[1]


def _ident(fields: Fields, key: str, default: str | None, example: str) -> str | None:
    value = fields.text(key)
    if value is None:
        if default is None:
            fields.problem(None, f"{key}: missing; {example}")
        value = default
    if value is not None and not valid_id(value):
        fields.problem(
            key if key in fields.data else None,
            f"{key}: '{shorten(value)}' cannot hold '/', '+' or '#' (a Sparkplug id)",
        )
        return None
    return value


def stored_bd_seq(store: Writer, group: str, node: str) -> int | None:
    """The ``bdSeq`` node ``group``/``node`` last connected with (the MES tables made when
    missing), None when it never connected; ``sqlite3.Error`` or ``StoreError`` when the
    store cannot be read."""
    conn = connect(store.path)
    try:
        schema.create(conn)
        row = conn.execute(
            "SELECT bd_seq FROM mes_sparkplug_nodes WHERE group_id = ? AND edge_node_id = ?",
            (group, node),
        ).fetchone()
    finally:
        conn.close()
    return int(row[0]) % 256 if row is not None else None


class _Lost(Exception):
    """The broker went away while a message was being handed to the client."""


class SparkplugTarget:
    """An edge node on a Sparkplug B broker (see the module's doc). Safe to use from the
    delivery's thread (``open``/``send``/``close``) and the runtime's (``on_values``)."""

    kind = "sparkplug"
    #: one session speaks for an edge node (its client id, bdSeq and births): while the
    #: station runs, a console command must not send as the node beside it
    station_only = True

    def __init__(
        self,
        name: str,
        settings: MqttSettings,
        *,
        group: str,
        node: str,
        batch: int = DEFAULT_BATCH,
        buffer: int = DEFAULT_BUFFER,
        station: str = "",
        primary_host: str | None = None,
        secrets: SecretStore | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.group = group
        self.node = node
        self.max_batch = batch
        self.buffer = buffer
        self.station = station or socket.gethostname() or "station"
        self._secrets = secrets
        self._tags: dict[str, SparkTag] = {}
        self._values: dict[str, TagValue] = {}  # the newest value of each tag
        self._sent_quality: dict[str, Quality] = {}
        self._refused: set[str] = set()  # tags whose value could not be sent, logged once
        self._pending: collections.deque[Batch] = collections.deque()
        self._history: collections.deque[tuple[str, TagValue]] = collections.deque()
        self.dropped = 0  # values changed while away that did not fit the buffer
        self._dropped_logged = 0
        self._lock = threading.Lock()  # values, pending, history, the connection's state
        self._changed = threading.Condition(self._lock)  # PUBACKs, connection, births
        self._send_lock = threading.Lock()  # one node message at a time: seq in wire order
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()  # set: the running node's thread ends
        self._client: mqtt.Client | None = None
        self._online = False  # births sent on the current connection
        self._accepting = False  # values go to pending (births begun), else to history
        self._generation = 0  # connections made
        self._attempts = 0  # connection attempts made
        self._refusals: dict[int, Any] = {}  # mid -> the reason code of a refusing PUBACK
        self._rebirth = False
        self._attached = False  # live values wanted: the node stays online without events
        self.primary_host = primary_host
        self._state_topic = f"{NAMESPACE}/STATE/{primary_host}" if primary_host else ""
        self._host_online = primary_host is None
        self._host_stamp = -1  # the newest STATE's timestamp
        self.bd_seq = -1
        self._store: Writer | None = None  # where bdSeq is kept (the station's store)
        self.seq = 0
        self.births = 0  # NBIRTHs sent
        self.last_error = ""
        self._logged = ""  # the last error logged (each is logged once)

    @classmethod
    def read(
        cls,
        name: str,
        data: Mapping[str, Any],
        fields: Fields,
        *,
        root: str | Path | None = None,
        station: str = "",
    ) -> tuple[SparkplugTarget | None, list[Problem]]:
        """The target from its entry, and every problem of its own keys at its line."""
        problems: list[Problem] = []
        own = Fields(problems.append, data, fields.file, fields.line, fields.label)
        station = station or socket.gethostname() or "station"
        folder = Path(root) if root is not None else Path(fields.file).parent
        settings = read_mqtt_settings(
            data, own, folder, own=FIELDS, hidden=COMMON_KEYS, client_id=f"linea-{station}-{name}"
        )
        group = _ident(
            own,
            "group_id",
            _group_default(own),
            "the Sparkplug group of this node, such as the site (group_id: turin)",
        )
        node = _ident(own, "edge_node_id", station, "")
        buffer = own.count("buffer", BUFFER) or DEFAULT_BUFFER
        host = own.text("primary_host")
        if host is not None:
            host = _ident(own, "primary_host", None, "")
        if settings is None or group is None or node is None or own.failed:
            return None, problems
        target = cls(name, settings, group=group, node=node, buffer=buffer, station=station,
                     primary_host=host)  # fmt: skip
        return target, problems

    # -- the live values --------------------------------------------------------------------

    def attach(self, project: Project, values: Mapping[str, TagValue], context: Any = None) -> None:
        """The project's devices and tags and their current values; the node goes online
        (born again when it already was). With the capability's ``context``, its store
        keeps ``bdSeq``: the first connection takes the stored one + 1."""
        if context is not None and self._store is None:
            self._resume_bd_seq(context.store)
        tags = tags_of(project)
        with self._lock:
            self._tags = tags
            self._values = {n: v for n, v in values.items() if n in tags}
            self._rebirth = self._online
            self._attached = True
        self._start()
        self._wake.set()

    def _resume_bd_seq(self, store: Writer) -> None:
        try:
            last = stored_bd_seq(store, self.group, self.node)
        except (sqlite3.Error, StoreError) as error:
            log.warning("Sparkplug target %s: bdSeq starts again from 0, the store %s "
                        "cannot be read (%s)", self.name, store.path, error)  # fmt: skip
            return
        self._store = store
        if last is not None and self._thread is None:
            self.bd_seq = last  # the next CONNECT takes the one after it

    def _keep_bd_seq(self) -> None:
        """The connection's ``bdSeq`` on disk before its CONNECT (a restart goes on from it);
        after ``BDSEQ_COMMIT_S`` without the store the node connects all the same."""
        store = self._store
        if store is None:
            return
        row = (self.group, self.node, self.bd_seq, time.time())

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO mes_sparkplug_nodes (group_id, edge_node_id, bd_seq, ts) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (group_id, edge_node_id) DO UPDATE SET "
                "bd_seq = excluded.bd_seq, ts = excluded.ts",
                row,
            )

        kept = threading.Event()
        store.submit(job, durable=True, on_commit=kept.set)
        store.flush(0)
        if not kept.wait(BDSEQ_COMMIT_S):
            log.warning("Sparkplug target %s: bdSeq %d not yet on disk (%s); connecting all "
                        "the same", self.name, self.bd_seq,
                        store.problem or "the store did not answer")  # fmt: skip

    def on_values(self, batch: Batch) -> None:
        """Kept for the node's thread (only enqueues: never blocks, never raises)."""
        try:
            tags = self._tags
            mine = {n: v for n, v in batch.items() if n in tags}
            if not mine:
                return
            with self._lock:
                self._values.update(mine)
                if self._accepting:
                    if len(self._pending) >= PENDING_BATCHES:  # the node's thread is stuck
                        self.dropped += len(self._pending.popleft())
                    self._pending.append(mine)
                else:
                    self._keep_history(mine)
            self._wake.set()
        except Exception:  # never into the engine
            log.exception("Sparkplug target %s: a batch could not be kept", self.name)

    def _keep_history(self, batch: Batch) -> None:
        """Values to send after the next births (holding the lock)."""
        for item in batch.items():
            if len(self._history) >= self.buffer:
                self._history.popleft()
                self.dropped += 1
            self._history.append(item)

    # -- the Target contract ----------------------------------------------------------------

    def open(self) -> None:
        """The node online (births sent), or ``TargetError`` with why it is not."""
        self._start()
        deadline = time.monotonic() + CONNECT_TIMEOUT + 1.0
        with self._changed:
            attempts = self._attempts
            while not self._online:
                remaining = deadline - time.monotonic()
                if self._attempts > attempts or remaining <= 0:
                    raise TargetError(self._away())
                self._changed.wait(remaining)

    def send(self, events: Sequence[OutboxEvent]) -> list[Outcome]:
        """Each event as an NDATA at QoS 1; returns once the broker acknowledged them all,
        else ``TargetError`` (they are sent again later; the MES drops a resend by key).
        An event that cannot be written as JSON is refused alone."""
        outcomes: list[Outcome | None] = [None] * len(events)
        infos: list[tuple[int, mqtt.MQTTMessageInfo]] = []
        with self._send_lock:
            with self._lock:
                online, generation, client = self._online, self._generation, self._client
            if not online or client is None:
                raise TargetError(self._away())
            try:
                for i, event in enumerate(events):
                    try:
                        text = event_json(event, self.station)
                    except (TypeError, ValueError) as error:
                        outcomes[i] = Outcome(False, f"cannot be written as JSON ({error})")
                        continue
                    metric = Metric(EVENT, EVENT_ALIAS, millis(event.ts), DataType.STRING, text)
                    infos.append((i, self._publish(client, "NDATA", [metric], qos=1)))
            except _Lost:
                raise TargetError(self._away()) from None
        self._acknowledged([info for _, info in infos], generation)
        for i, _ in infos:
            outcomes[i] = Outcome(True)
        return [o if o is not None else Outcome(False, "not sent") for o in outcomes]

    def _acknowledged(self, infos: list[mqtt.MQTTMessageInfo], generation: int) -> None:
        """Until the broker acknowledged every one of ``infos``, else ``TargetError``."""
        deadline = time.monotonic() + ACK_TIMEOUT_S
        with self._changed:
            while not all(info.is_published() for info in infos):
                if self._generation != generation or not self._online:
                    missing = sum(not info.is_published() for info in infos)
                    raise TargetError(
                        f"{self.settings.where} went away before it acknowledged {missing} of "
                        f"{len(infos)} events (sent again later)"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TargetError(
                        f"no PUBACK from {self.settings.where} within {ACK_TIMEOUT_S:g} s"
                    )
                self._changed.wait(remaining)
            refusals = [self._refusals.pop(i.mid) for i in infos if i.mid in self._refusals]
        if refusals:
            raise TargetError(
                f"{self.settings.where} refused {len(refusals)} of {len(infos)} events "
                f"({refusals[0]}); check that the broker lets this client publish on "
                f"{self._topic('NDATA')}"
            )

    def close(self) -> None:
        """After a failed batch, or the sync stopping: a node that serves live values stays
        (it reconnects by itself, with new births); one that only sent events goes offline
        (NDEATH, disconnect)."""
        if not self._attached:
            self._stop()

    def detach(self) -> None:
        """The station stops: offline with the node's NDEATH; the values that come after
        are kept for the next births."""
        self._attached = False
        self._stop()

    def _stop(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._halt.set()  # that thread's own: a thread started later has another
        self._wake.set()
        thread.join(CONNECT_TIMEOUT + CLOSE_TIMEOUT_S + 1.0)
        if thread.is_alive():
            log.warning("Sparkplug target %s: its thread did not end in time", self.name)
        self._thread = None

    @property
    def online(self) -> bool:
        return self._online

    def _away(self) -> str:
        return self.last_error or f"not connected to {self.settings.where} yet"

    # -- the node's thread --------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._halt = threading.Event()
        self._thread = threading.Thread(
            target=self._run,
            args=(self._halt,),
            name=f"hmi-mes-{self.name}-sparkplug",
            daemon=True,
        )
        self._thread.start()

    def _run(self, halt: threading.Event) -> None:
        delay: float = RECONNECT_MIN_S
        while not halt.is_set():
            client = self._connect()
            if client is None:
                self._wake.wait(delay)
                self._wake.clear()
                delay = min(delay * 2, RECONNECT_MAX_S)
                continue
            try:
                self._serve(client, halt)
                failed = False
            except Exception as error:  # a fault of this node's own: not again at once
                log.exception("Sparkplug target %s: the node's session failed", self.name)
                self._failed(f"the node's session failed: {type(error).__name__}: {error}")
                failed = True
                if client.is_connected():  # the host must not take it for alive
                    self._death(client)
            self._end(client)
            if failed:
                self._wake.wait(delay)
                self._wake.clear()
            delay = min(delay * 2, RECONNECT_MAX_S) if failed else RECONNECT_MIN_S

    def _connect(self) -> mqtt.Client | None:
        """A new connection with its will and births; None (and why) when it failed."""
        self.bd_seq = (self.bd_seq + 1) % 256
        self._keep_bd_seq()
        death = Payload(millis(None), [Metric(BDSEQ, None, None, DataType.INT64, self.bd_seq)])
        will = Will(self._topic("NDEATH"), encode_payload(death), qos=1, retain=False)
        try:
            client = connect_client(self.settings, will=will, clean=True, secrets=self._secrets)
        except TargetError as error:
            self._failed(str(error))
            return None
        # this node reconnects itself: each connection needs its own bdSeq and births
        client.reconnect_delay_set(RECONNECT_MAX_S, RECONNECT_MAX_S)
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        with self._lock:
            self._client = client
            self._generation += 1
            self._rebirth = False
            self._host_online = self.primary_host is None  # else its STATE says
        if self.primary_host is not None:
            client.subscribe(self._state_topic, qos=1)
        client.subscribe(self._topic("NCMD"), qos=1)
        return client

    def _failed(self, error: str) -> None:
        if error != self._logged:
            self._logged = error
            log.warning("Sparkplug target %s: %s", self.name, error)
        with self._changed:
            self.last_error = error
            self._attempts += 1
            self._changed.notify_all()

    def _serve(self, client: mqtt.Client, halt: threading.Event) -> None:
        """Births (once the primary host is online, when one is named), then live values
        and rebirths, until the connection is lost, the host goes offline or the node
        stops."""
        waiting_since, host_left = time.monotonic(), False
        self._wake.set()
        while not halt.is_set() and client.is_connected():
            self._wake.wait(IDLE_S if self._host_online else STATE_WAIT_S)
            self._wake.clear()
            try:
                if not self._online and self._host_online:
                    self._birth(client)
                    if self._logged:
                        log.info("Sparkplug target %s: online on %s", self.name,
                                 self.settings.where)  # fmt: skip
                    self.last_error = self._logged = ""
                elif not self._online:
                    if time.monotonic() - waiting_since >= STATE_WAIT_S:
                        waiting_since = float("inf")  # said once for this connection
                        self._failed(f"connected to {self.settings.where}, waiting for the "
                                     f"primary host {self.primary_host} to say it is online "
                                     f"({self._state_topic})")  # fmt: skip
                elif not self._host_online:
                    host_left = True
                    break
                else:
                    if self._rebirth:
                        self._birth(client)
                    self._publish_pending(client)
            except _Lost:
                break
        with self._lock:  # from here on, values wait for the next births
            self._online = self._accepting = False
            while self._pending:
                self._keep_history(self._pending.popleft())
        if halt.is_set() or host_left:
            self._death(client)
        if host_left:
            self._failed(f"the primary host {self.primary_host} went offline: this node "
                         "went offline too and waits for it")  # fmt: skip
        elif not halt.is_set():
            self._failed(self.last_error or f"lost the connection to {self.settings.where}")

    def _end(self, client: mqtt.Client) -> None:
        with self._changed:
            self._online = self._accepting = False
            while self._pending:
                self._keep_history(self._pending.popleft())
            if self._client is client:
                self._client = None
            self._changed.notify_all()
        client.on_disconnect = None
        client.disconnect()
        client.loop_stop()

    def _death(self, client: mqtt.Client) -> None:
        """The node's own NDEATH before a clean disconnect (the will is not sent then)."""
        death = Payload(millis(None), [Metric(BDSEQ, None, None, DataType.INT64, self.bd_seq)])
        info = client.publish(self._topic("NDEATH"), encode_payload(death), qos=1)
        if info.rc == mqtt.MQTT_ERR_SUCCESS:
            try:
                info.wait_for_publish(CLOSE_TIMEOUT_S)
            except (RuntimeError, ValueError):
                pass

    # -- messages ---------------------------------------------------------------------------

    def _topic(self, kind: str, device: str | None = None) -> str:
        topic = f"{NAMESPACE}/{self.group}/{kind}/{self.node}"
        return f"{topic}/{device}" if device is not None else topic

    def _publish(
        self,
        client: mqtt.Client,
        kind: str,
        metrics: list[Metric],
        device: str | None = None,
        qos: int = 0,
    ) -> mqtt.MQTTMessageInfo:
        """One node message with the next seq (the caller holds ``_send_lock``)."""
        payload = Payload(millis(None), metrics, seq=self.seq)
        data = encode_payload(payload, datatypes=kind.endswith("BIRTH"))
        info = client.publish(self._topic(kind, device), data, qos=qos)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise _Lost
        self.seq = (self.seq + 1) % 256
        return info

    def _metric(self, tag: SparkTag, value: TagValue | None, *, birth: bool) -> Metric:
        """A tag's metric: named and typed in a birth, by alias alone after it."""
        metric = Metric(
            tag.name if birth else None,
            tag.alias,
            millis(value.source_ts or value.ts) if value is not None else millis(None),
            tag.datatype,
        )
        quality = Quality.BAD if value is None else value.quality
        if value is not None and quality is not Quality.BAD:
            try:
                metric.value = metric_value(tag.datatype, value.value)
            except (TypeError, ValueError, OverflowError) as error:
                if tag.name not in self._refused:
                    self._refused.add(tag.name)
                    log.warning("Sparkplug target %s: %s sent as null Bad (%s)",
                                self.name, tag.name, error)  # fmt: skip
                quality = Quality.BAD
        metric.is_null = metric.value is None
        before = self._sent_quality.get(tag.name, Quality.GOOD)
        if birth or quality is not Quality.GOOD or before is not Quality.GOOD:
            metric.properties[QUALITY] = Property(DataType.INT32, QUALITY_CODES[quality])
        self._sent_quality[tag.name] = quality
        return metric

    def _birth(self, client: mqtt.Client) -> None:
        """NBIRTH (seq 0), a DBIRTH per device, then what changed while away."""
        self._rebirth = False
        with self._lock:  # what came before is in these; what comes after, in pending
            values = dict(self._values)
            history = list(self._history)
            self._history.clear()
            self._pending.clear()
            self._accepting = True
            dropped, self._dropped_logged = self.dropped - self._dropped_logged, self.dropped
        devices: dict[str | None, list[SparkTag]] = {None: []}
        for tag in self._tags.values():
            devices.setdefault(tag.device, []).append(tag)
        with self._send_lock:
            self.seq = 0
            node = [
                Metric(BDSEQ, None, None, DataType.INT64, self.bd_seq),
                Metric(REBIRTH, REBIRTH_ALIAS, None, DataType.BOOLEAN, False),
                Metric(EVENT, EVENT_ALIAS, None, DataType.STRING, None, is_null=True),
            ]
            node += [self._metric(t, values.get(t.name), birth=True) for t in devices[None]]
            self._publish(client, "NBIRTH", node)
            for device, tags in devices.items():
                if device is not None:
                    metrics = [self._metric(t, values.get(t.name), birth=True) for t in tags]
                    self._publish(client, "DBIRTH", metrics, device)
            self._send_history(client, history, values)
            with self._changed:
                self._online = True
                self.births += 1
                self._changed.notify_all()
        if dropped:
            log.warning("Sparkplug target %s: %d values changed while %s was away did not fit "
                        "the buffer (%d) and were dropped", self.name, dropped,
                        self.settings.where, self.buffer)  # fmt: skip

    def _send_history(
        self, client: mqtt.Client, history: list[tuple[str, TagValue]], values: dict[str, TagValue]
    ) -> None:
        """The kept values, oldest first, as historical data (the newest of each tag went in
        the births)."""
        by_device: dict[str | None, list[Metric]] = {}
        for name, value in history:
            tag = self._tags.get(name)
            if tag is None or values.get(name) is value:
                continue
            metric = self._metric(tag, value, birth=False)
            metric.is_historical = True
            by_device.setdefault(tag.device, []).append(metric)
        for device, metrics in by_device.items():
            kind = "NDATA" if device is None else "DDATA"
            for start in range(0, len(metrics), HISTORY_CHUNK):
                self._publish(client, kind, metrics[start : start + HISTORY_CHUNK], device)
        for name in {name for name, _ in history}:  # the births said each one's quality
            if name in values:
                self._sent_quality[name] = values[name].quality

    def _publish_pending(self, client: mqtt.Client) -> None:
        with self._lock:
            batches = list(self._pending)
            self._pending.clear()
        for i, batch in enumerate(batches):
            by_device: dict[str | None, list[Metric]] = {}
            for name, value in batch.items():
                tag = self._tags[name]
                by_device.setdefault(tag.device, []).append(self._metric(tag, value, birth=False))
            try:
                with self._send_lock:
                    for device, metrics in by_device.items():
                        self._publish(client, "NDATA" if device is None else "DDATA", metrics,
                                      device)  # fmt: skip
            except _Lost:
                with self._lock:
                    for rest in batches[i:]:
                        self._keep_history(rest)
                raise

    # -- the client's callbacks (its network thread) -------------------------------------------

    def _on_disconnect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _p: Any) -> None:
        with self._changed:
            if self._online:  # said at once: a send in between says why it cannot
                self.last_error = f"lost the connection to {self.settings.where} ({reason})"
            self._online = False
            self._changed.notify_all()
        self._wake.set()

    def _on_publish(self, _client: Any, _userdata: Any, mid: int, reason: Any, _: Any) -> None:
        with self._changed:
            if getattr(reason, "is_failure", False):  # MQTT 5: a PUBACK that refuses
                self._refusals[mid] = reason
            self._changed.notify_all()

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        if message.topic == self._state_topic:
            self._on_state(bytes(message.payload))
            return
        try:
            payload = decode_payload(message.payload)
        except PayloadError as error:
            log.warning("Sparkplug target %s: an NCMD that is not Sparkplug B: %s",
                        self.name, error)  # fmt: skip
            return
        for metric in payload.metrics:
            asked = metric.name == REBIRTH or (
                metric.name is None and metric.alias == REBIRTH_ALIAS
            )
            if asked and metric.value is True:
                log.info("Sparkplug target %s: rebirth asked by the host", self.name)
                self._rebirth = True
                self._wake.set()

    def _on_state(self, payload: bytes) -> None:
        """The primary host's STATE: ``{"online": true|false, "timestamp": ms}`` (an older
        one than the last is stale and ignored), or Sparkplug 2's ONLINE/OFFLINE."""
        online, stamp = host_state(payload)
        if online is None:
            log.warning("Sparkplug target %s: a STATE of %s that says nothing: %r",
                        self.name, self.primary_host, payload[:80])  # fmt: skip
            return
        if stamp is not None:
            if stamp < self._host_stamp:
                return
            self._host_stamp = stamp
        self._host_online = online
        self._wake.set()


def host_state(payload: bytes) -> tuple[bool | None, int | None]:
    """(online, timestamp ms) of a host application's STATE message."""
    text = payload.strip()
    if text in (b"ONLINE", b"OFFLINE"):
        return text == b"ONLINE", None
    try:
        data = json.loads(text)
    except ValueError:
        return None, None
    if not isinstance(data, dict) or not isinstance(data.get("online"), bool):
        return None, None
    stamp = data.get("timestamp")
    return data["online"], stamp if isinstance(stamp, int) and not isinstance(stamp, bool) else None
