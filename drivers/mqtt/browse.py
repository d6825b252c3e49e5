"""What a broker holds, as tags could read it: ``hmi browse PROJECT DEVICE``.

The broker's retained messages (and whatever else arrives meanwhile) are listed for the
device's ``timeout``, one row per value a tag could take: a UNS JSON message is one row
(its ``v``, with its units), other JSON one row per number, flag or text inside it (an
address with ``path=``), a plain number or word one raw row. ``--match`` and ``--write``
then work as for OPC UA: ``hmi browse plant plant_broker --match
'acme/turin/extrusion/line1/tags/*' --write tags/line1.yaml`` writes a ready tag file.
Sparkplug B (births are not retained) and the broker's own ``$SYS`` topics are left out.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

from hmi.core.project.models import DataType, DeviceConfig

from .address import SPARKPLUG
from .link import close_client, open_client
from .options import parse_options
from .values import INTEGER_BOUNDS

MAX_TOPICS = 100_000  # a broker holding more is listed up to here (the log says so)
MAX_LEAVES = 200  # values listed from one JSON message
MAX_DEPTH = 6  # levels of JSON looked into
MAX_TEXT = 255  # characters of a text value that still looks like a value


async def browse(device: DeviceConfig, data_dir: str) -> list[dict[str, Any]]:
    """One row per value found, sorted by topic; ``OSError`` when the broker cannot be
    reached, ``LookupError`` when the device's options are wrong."""
    options, problems = parse_options(device)
    if options is None:
        raise LookupError("; ".join(p.message for p in problems))
    client = await open_client(options)
    seen: dict[str, bytes] = {}
    lock = threading.Lock()

    def on_message(_c: Any, _u: Any, message: Any) -> None:
        with lock:
            if len(seen) < MAX_TOPICS or message.topic in seen:
                seen[message.topic] = bytes(message.payload)

    client.on_message = on_message
    try:
        client.subscribe("#", qos=0)
        await asyncio.sleep(options.connection.timeout)  # the listening window itself
    finally:
        client.on_message = None
        await close_client(client)
    with lock:
        messages = sorted(seen.items())
    return [row for topic, payload in messages for row in rows_of(topic, payload)]


def rows_of(topic: str, payload: bytes) -> Iterator[dict[str, Any]]:
    """The rows one message gives (none for Sparkplug, $SYS and empty or binary ones)."""
    if not payload or topic.startswith(("$", f"{SPARKPLUG}/")) or " " in topic:
        return
    try:
        doc = json.loads(payload)
    except (ValueError, RecursionError):
        text = payload.decode(errors="replace").strip()
        if text and len(text) <= MAX_TEXT and text.isprintable():
            yield _row(topic, f"{topic} payload=raw", text, "text")
        return
    if isinstance(doc, dict) and "v" in doc:
        row = _row(topic, topic, doc["v"], "UNS JSON")
        if row["type"] is not None:
            units = doc.get("units")
            if isinstance(units, str) and units:
                row["units"] = units
            yield row
        return
    if isinstance(doc, dict | list):
        for path, value in _leaves(doc, (), 0):
            dotted = ".".join(path)
            yield _row(f"{topic}/{'/'.join(path)}", f"{topic} path={dotted}", value, "JSON")
        return
    yield _row(topic, f"{topic} payload=raw", doc, "text")


def _leaves(node: Any, path: tuple[str, ...], depth: int) -> Iterator[tuple[tuple[str, ...], Any]]:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    count = 0
    for key, value in items:
        key = str(key)
        if not key or "." in key or " " in key:
            continue  # a path cannot name it
        if isinstance(value, dict | list):
            if depth < MAX_DEPTH:
                yield from _leaves(value, (*path, key), depth + 1)
        elif _type_of(value) is not None:
            yield (*path, key), value
            count += 1
            if count >= MAX_LEAVES:
                return


def _row(browse_path: str, address: str, value: Any, kind: str) -> dict[str, Any]:
    data_type = _type_of(value)
    row: dict[str, Any] = {
        "browse_path": browse_path,
        "node_id": address,
        "data_type": kind,
        "type": data_type.value if data_type else None,
        "value": value,
        "writable": False,
        "description": "",
    }
    if data_type is DataType.STRING:
        row["max_length"] = MAX_TEXT
    return row


def _type_of(value: Any) -> DataType | None:
    """The tag type that holds a value like this one."""
    if isinstance(value, bool):
        return DataType.BOOL
    if isinstance(value, int):
        low, high = INTEGER_BOUNDS[DataType.INT32]
        return DataType.INT32 if low <= value <= high else DataType.INT64
    if isinstance(value, float):
        return DataType.FLOAT64
    if isinstance(value, str) and len(value) <= MAX_TEXT:
        return DataType.STRING
    return None
