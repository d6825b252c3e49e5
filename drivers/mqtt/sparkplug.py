"""Sparkplug B metrics as tags: what an edge node's births, data and deaths mean for them.

A birth (NBIRTH, DBIRTH) names every metric with its alias and datatype and carries its
value; data messages (NDATA, DDATA) may give the alias alone, so the aliases are learnt
from the birth. A death (NDEATH for the node and all its devices, DDEATH for one device)
makes their tags Bad at once. A data message whose alias no birth named cannot be read:
its tags wait, Bad with that reason, for the next birth, which the driver asks the node
for (an NCMD with ``Node Control/Rebirth``), as it does at each connection: births are
not retained, and a node that publishes by exception may not send a value for hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hmi.core.mes import (
    SparkplugMetric,
    SparkplugPayload,
    SparkplugType,
    decode_sparkplug,
    encode_sparkplug,
    sparkplug_typed,
)
from hmi.core.tags import Batch, Quality, TagValue

from .address import SPARKPLUG
from .values import Reader, WrongValue

_make = tuple.__new__
NODE_KINDS = ("NBIRTH", "NDEATH")
DEVICE_KINDS = ("DBIRTH", "DDEATH")
GOOD_QUALITY = 192  # the OPC DA quality codes a "Quality" property carries
UNCERTAIN_QUALITY = 64
REBIRTH = "Node Control/Rebirth"


class MetricReader(Reader):
    """A tag read from one metric of a Sparkplug node or device."""

    __slots__ = ("metric",)

    def __init__(self, *args: Any, metric: str):
        super().__init__(*args)
        self.metric = metric

    def value(
        self, metric: SparkplugMetric, datatype: Any, payload_ts: Any, now: float
    ) -> TagValue:
        ts = metric.timestamp if metric.timestamp is not None else payload_ts
        source_ts = ts / 1000.0 if ts is not None else None
        quality, reason = _quality(metric)
        if quality is Quality.BAD or metric.is_null:
            return _make(
                TagValue, (None, Quality.BAD, source_ts, now, reason or "null at the source")
            )
        try:
            value = self.convert(sparkplug_typed(metric.value, datatype))
        except WrongValue as exc:
            return self.bad(f"{exc} (metric {self.metric} on {self.topic})", now)
        return _make(TagValue, (value, quality, source_ts, now, reason))


class Node:
    """One edge node's metrics (its own and its devices'), as the tags read them."""

    def __init__(self, group: str, node: str, ask_rebirth: Callable[[Node], None]):
        self.group = group
        self.node = node
        self.ask_rebirth = ask_rebirth  # called when data comes that no birth explains
        self.readers: dict[str, dict[str, list[MetricReader]]] = {}  # device -> metric -> tags
        self.aliases: dict[str, dict[int, tuple[str, Any]]] = {}  # device -> alias -> name, type

    def add(self, device: str, reader: MetricReader) -> None:
        self.readers.setdefault(device, {}).setdefault(reader.metric, []).append(reader)

    def topics(self) -> list[str]:
        base = f"{SPARKPLUG}/{self.group}"
        topics = [f"{base}/{kind}/{self.node}" for kind in (*NODE_KINDS, "NDATA")]
        for device in self.readers:
            if device:
                topics += [
                    f"{base}/{kind}/{self.node}/{device}" for kind in (*DEVICE_KINDS, "DDATA")
                ]
        return topics

    def handle(
        self, kind: str, device: str, payload: bytes | bytearray, now: float, out: Batch
    ) -> None:
        """Read one message of this node into ``out``."""
        if kind == "NDEATH":
            self.aliases.clear()
            self._all_bad(self.readers, f"edge node {self.node} went offline (NDEATH)", now, out)
            return
        if kind == "DDEATH":
            self.aliases.pop(device, None)
            self._all_bad(
                {device: self.readers.get(device, {})},
                f"device {device} of edge node {self.node} went offline (DDEATH)",
                now,
                out,
            )
            return
        readers = self.readers.get(device, {})
        try:
            message = decode_sparkplug(bytes(payload))
        except ValueError as exc:
            reason = f"not a Sparkplug B payload on {self._topic(kind, device)}: {exc}"
            self._all_bad({device: readers}, reason, now, out)
            return
        if kind.endswith("BIRTH"):
            self._learn(device, message.metrics, kind == "NBIRTH")
        aliases = self.aliases.get(device, {})
        unnamed = False
        for metric in message.metrics:
            name, datatype = metric.name, metric.datatype
            if metric.alias is not None and metric.alias in aliases:
                name, born = aliases[metric.alias]
                datatype = metric.datatype or born
            if name is None:
                unnamed = True  # an alias no birth named: nothing says which metric it is
                continue
            for reader in readers.get(name, ()):
                out[reader.name] = reader.value(metric, datatype, message.timestamp, now)
        if unnamed and device not in self.aliases:
            who = (
                f"device {device} of edge node {self.node}" if device else f"edge node {self.node}"
            )
            reason = (
                f"no birth of {who} seen since connected: its aliases are unknown until it "
                "sends one (when it restarts, or is asked to rebirth)"
            )
            for tags in readers.values():
                for reader in tags:
                    out.setdefault(reader.name, reader.bad(reason, now))
            self.ask_rebirth(self)

    def _learn(self, device: str, metrics: Iterable[SparkplugMetric], node_birth: bool) -> None:
        if node_birth:
            self.aliases.clear()
        self.aliases[device] = {
            m.alias: (m.name, m.datatype) for m in metrics if m.alias is not None and m.name
        }

    def _all_bad(
        self, readers: dict[str, dict[str, list[MetricReader]]], reason: str, now: float, out: Batch
    ) -> None:
        for metrics in readers.values():
            for tags in metrics.values():
                for reader in tags:
                    out[reader.name] = reader.bad(reason, now)

    def _topic(self, kind: str, device: str) -> str:
        tail = f"/{device}" if device else ""
        return f"{SPARKPLUG}/{self.group}/{kind}/{self.node}{tail}"


def rebirth_command(node: Node, now_ms: int) -> tuple[str, bytes]:
    """The NCMD that asks an edge node to send its births again (topic, payload)."""
    metric = SparkplugMetric(REBIRTH, datatype=SparkplugType.BOOLEAN, value=True)
    payload = encode_sparkplug(SparkplugPayload(timestamp=now_ms, metrics=[metric]))
    return f"{SPARKPLUG}/{node.group}/NCMD/{node.node}", payload


def split_topic(topic: str) -> tuple[str, str, str, str]:
    """(group, kind, node, device) of a Sparkplug topic (device empty for a node's)."""
    parts = topic.split("/")
    return parts[1], parts[2], parts[3], parts[4] if len(parts) > 4 else ""


def _quality(metric: SparkplugMetric) -> tuple[Quality, str]:
    prop = metric.properties.get("Quality")
    code = prop.value if prop is not None else None
    if not isinstance(code, int) or code >= GOOD_QUALITY:
        return Quality.GOOD, ""
    if code >= UNCERTAIN_QUALITY:
        return Quality.UNCERTAIN, f"Uncertain at the source (quality {code})"
    return Quality.BAD, f"Bad at the source (quality {code})"
