"""A tag's address on an ``mqtt`` device: the topic, then how to read its messages.

    acme/turin/extrusion/line1/tags/ram_speed                 the UNS JSON {"v", "q", "ts"}
    plant/oven3/state payload=json path=data.temp stale=30s   a value inside other JSON
    plant/oven3/door payload=raw                              the message is the value
    spBv1.0/turin/DDATA/press1/plc payload=sparkplug metric="Ram/Speed"
    acme/turin/extrusion/line1/tags/speed_sp write_topic=acme/turin/extrusion/line1/set/speed_sp

Words are separated by spaces; quote one that holds spaces (``metric="Oven temp"``). A
tag's topic is one topic, never a filter: ``+`` and ``#`` are refused.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from hmi.core.project.limits import DAY, DurationRange

PAYLOADS = ("json", "raw", "sparkplug")
KEYS = ("payload", "path", "metric", "stale", "write_topic")
STALE = DurationRange(0.1, DAY, "30s")  # a value older than this is Uncertain
SPARKPLUG = "spBv1.0"
EXAMPLE = "e.g. acme/turin/extrusion/line1/tags/ram_speed or plant/oven3/state path=data.temp"


@dataclass(frozen=True, slots=True)
class TagAddress:
    topic: str
    payload: str = "json"  # json | raw | sparkplug
    path: tuple[str, ...] = ()  # into the JSON; empty: the UNS {"v", "q", "ts"}
    metric: str = ""  # the Sparkplug metric's name
    stale: float | None = None  # s: older values are Uncertain
    write_topic: str = ""  # where a write is published; empty: not writable here

    @property
    def sparkplug_node(self) -> tuple[str, str]:
        """(group, edge node) of a Sparkplug topic."""
        parts = self.topic.split("/")
        return parts[1], parts[3]

    @property
    def sparkplug_device(self) -> str:
        """The device of a DDATA topic; empty for the node's own metrics (NDATA)."""
        parts = self.topic.split("/")
        return parts[4] if len(parts) == 5 else ""


def parse_address(text: str) -> TagAddress:
    """The address as written in a tag; ``ValueError`` says what is wrong and what is right."""
    try:
        words = shlex.split(text or "")
    except ValueError:
        raise ValueError(f"address '{text}': a quote is not closed") from None
    if not words:
        raise ValueError(f"the address is empty; give a topic, {EXAMPLE}")
    topic, options = words[0], words[1:]
    topic_problem(topic)
    values: dict[str, str] = {}
    for word in options:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise ValueError(f"'{word}' in the address is not key=value ({', '.join(KEYS)})")
        if key not in KEYS:
            raise ValueError(f"'{key}' is not an address setting (known: {', '.join(KEYS)})")
        if key in values:
            raise ValueError(f"'{key}' is given twice in the address")
        values[key] = value
    payload = values.get("payload", "json").lower()
    if payload not in PAYLOADS:
        raise ValueError(f"payload '{payload}' is not one of: {', '.join(PAYLOADS)}")
    path = _path(values.get("path"), payload)
    metric = values.get("metric", "")
    if payload == "sparkplug":
        _sparkplug_topic(topic)
        if not metric:
            raise ValueError('a sparkplug address needs metric=NAME, e.g. metric="Ram/Speed"')
    elif metric:
        raise ValueError("metric= is for payload=sparkplug only")
    stale = STALE.parse(values["stale"]) if "stale" in values else None
    write_topic = values.get("write_topic", "")
    if write_topic:
        topic_problem(write_topic, "write_topic")
    return TagAddress(topic, payload, path, metric, stale, write_topic)


def topic_problem(topic: str, what: str = "topic") -> None:
    """Raises ValueError when ``topic`` cannot be one tag's topic."""
    if "+" in topic or "#" in topic:
        raise ValueError(
            f"{what} '{topic}' has a wildcard (+ or #); a tag reads one topic, {EXAMPLE}"
        )
    if "\0" in topic:
        raise ValueError(f"{what} '{topic!r}' holds a NUL character")
    if len(topic.encode()) > 65535:
        raise ValueError(f"{what} is longer than MQTT allows (65535 bytes)")


def _path(text: str | None, payload: str) -> tuple[str, ...]:
    if text is None:
        return ()
    if payload != "json":
        raise ValueError(f"path= is for payload=json only (this address has payload={payload})")
    parts = tuple(text.split("."))
    if not all(parts):
        raise ValueError(f"path '{text}' has an empty part; write keys with dots, e.g. data.temp")
    return parts


def _sparkplug_topic(topic: str) -> None:
    parts = topic.split("/")
    example = f"{SPARKPLUG}/GROUP/DDATA/NODE/DEVICE or {SPARKPLUG}/GROUP/NDATA/NODE"
    ok = parts[0] == SPARKPLUG and (
        (len(parts) == 5 and parts[2] == "DDATA") or (len(parts) == 4 and parts[2] == "NDATA")
    )
    if not ok or not all(parts):
        raise ValueError(f"topic '{topic}' is not a Sparkplug B data topic ({example})")
