"""From a message to a tag's value: the JSON and raw payloads, and the tag's type.

Each tag gets one ``Reader`` made when the driver starts; it turns a message (its bytes,
and the JSON parsed once for every tag of the topic) into a ``TagValue``. A payload that
does not fit the tag makes that tag Bad with the reason, never another tag, never Good.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from hmi.core.project.models import DataType, TagConfig
from hmi.core.tags import Quality, TagValue
from hmi.core.words import parse_flag, shorten

from .address import TagAddress

_make = tuple.__new__
GOOD, UNCERTAIN, BAD = Quality.GOOD, Quality.UNCERTAIN, Quality.BAD
QUALITIES = {"good": GOOD, "uncertain": UNCERTAIN, "bad": BAD}
INTEGER_BOUNDS = {
    DataType.INT16: (-(2**15), 2**15 - 1),
    DataType.UINT16: (0, 2**16 - 1),
    DataType.INT32: (-(2**31), 2**31 - 1),
    DataType.UINT32: (0, 2**32 - 1),
    DataType.INT64: (-(2**63), 2**63 - 1),
    DataType.UINT64: (0, 2**64 - 1),
}
NOT_JSON = object()  # what a topic's JSON is when its message is not JSON


class WrongValue(ValueError):
    """A value the tag cannot take; the message says why."""


def converter(tag: TagConfig) -> Callable[[Any], Any]:
    """The function that checks a decoded value against the tag's type (raising
    ``WrongValue``) and returns it as the tag holds it."""
    data_type = tag.data_type
    if data_type is DataType.BOOL:
        return _to_bool
    if data_type is DataType.STRING:
        return _to_text
    if data_type.integer:
        lo, hi = INTEGER_BOUNDS[data_type]

        def to_integer(value: Any) -> int:
            if type(value) is int and lo <= value <= hi:
                return value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise WrongValue(f"{_shown(value)} is not a number ({data_type.value} tag)")
            if isinstance(value, float) and not value.is_integer():
                raise WrongValue(f"{value!r} is not a whole number ({data_type.value} tag)")
            if not lo <= value <= hi:
                raise WrongValue(f"{value!r} is outside the range of {data_type.value}")
            return int(value)

        return to_integer
    return _to_float


def _to_float(value: Any) -> float:
    if type(value) is float or (type(value) is int and abs(value) < 2**53):
        if value != value or value in (math.inf, -math.inf):
            raise WrongValue(f"{value!r} is not a finite number")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise WrongValue(f"{_shown(value)} is not a number")
    return float(value)


def _to_bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    raise WrongValue(f"{_shown(value)} is not true/false (bool tag)")


def _to_text(value: Any) -> str:
    if type(value) is str:
        return value
    raise WrongValue(f"{_shown(value)} is not text (string tag)")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"text '{shorten(value, 40)}'"
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return "a JSON object" if isinstance(value, dict) else "a JSON list"
    return repr(value)


def parse_raw(tag: TagConfig, payload: bytes | bytearray) -> Any:
    """A raw message's value: its text, as a number, flag or text as the tag's type says."""
    try:
        text = payload.decode().strip()
    except UnicodeDecodeError:
        raise WrongValue("the message is not UTF-8 text") from None
    data_type = tag.data_type
    if data_type is DataType.STRING:
        return text
    if data_type is DataType.BOOL:
        flag = parse_flag(text)
        if flag is None:
            raise WrongValue(f"text '{shorten(text, 40)}' is not on/off (bool tag)")
        return flag
    try:
        number: Any = int(text) if data_type.integer else float(text)
    except ValueError:
        raise WrongValue(f"text '{shorten(text, 40)}' is not a {data_type.value} number") from None
    return number


class Reader:
    """One tag's reading of its topic's messages."""

    __slots__ = ("convert", "name", "stale", "tag", "topic")
    json = True  # whether it reads the message as JSON

    def __init__(self, tag: TagConfig, address: TagAddress, stale: float | None):
        self.tag = tag
        self.name = tag.name
        self.topic = address.topic
        self.stale = stale
        self.convert = converter(tag)

    def read(self, payload: bytes | bytearray, doc: Any, now: float) -> TagValue:
        """The tag's value in this message (``doc``: the message's JSON, or NOT_JSON)."""
        if not payload:
            return self.bad(f"no value: the retained message on {self.topic} was cleared", now)
        if doc is NOT_JSON:
            return self.bad(f"not JSON on {self.topic}: {_preview(payload)}", now)
        try:
            return self.value_of(doc, now)
        except WrongValue as exc:
            return self.bad(f"{exc} on {self.topic}", now)

    def value_of(self, doc: Any, now: float) -> TagValue:
        """The UNS JSON ``{"v", "q", "ts", "reason"}``."""
        if type(doc) is not dict:
            raise WrongValue(f'{_shown(doc)} is not the object {{"v", "q", "ts"}}')
        if "v" not in doc:
            raise WrongValue('no "v" in the message')
        ts = doc.get("ts")
        source_ts = ts / 1000.0 if type(ts) is int or type(ts) is float else None
        quality = QUALITIES.get(doc.get("q", "good"))
        if quality is None:
            raise WrongValue(f"q {_shown(doc.get('q'))} is not good, uncertain or bad")
        if quality is BAD:
            reason = str(doc.get("reason") or "Bad at the source")
            return _make(TagValue, (None, BAD, source_ts, now, reason))
        value = self.convert(doc["v"])
        if quality is UNCERTAIN:
            reason = str(doc.get("reason") or "Uncertain at the source")
            return _make(TagValue, (value, UNCERTAIN, source_ts, now, reason))
        stale = self.stale
        if stale is not None and source_ts is not None and now - source_ts > stale:
            return _make(TagValue, (value, UNCERTAIN, source_ts, now, stale_reason(stale)))
        return _make(TagValue, (value, GOOD, source_ts, now, ""))

    def bad(self, reason: str, now: float) -> TagValue:
        return _make(TagValue, (None, BAD, None, now, reason))


class PathReader(Reader):
    """A value inside any JSON, at ``path`` (keys, or list positions as numbers)."""

    __slots__ = ("path",)

    def __init__(self, tag: TagConfig, address: TagAddress, stale: float | None):
        super().__init__(tag, address, stale)
        self.path = address.path

    def value_of(self, doc: Any, now: float) -> TagValue:
        node = doc
        for depth, key in enumerate(self.path):
            if type(node) is dict and key in node:
                node = node[key]
            elif type(node) is list and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                where = ".".join(self.path[: depth + 1])
                raise WrongValue(f"no {where} in the message (path {'.'.join(self.path)})")
        return _make(TagValue, (self.convert(node), GOOD, None, now, ""))


class RawReader(Reader):
    """The message itself is the value, as text."""

    __slots__ = ()
    json = False

    def read(self, payload: bytes | bytearray, doc: Any, now: float) -> TagValue:
        if not payload:
            return self.bad(f"no value: the retained message on {self.topic} was cleared", now)
        try:
            value = parse_raw(self.tag, payload)
            return _make(TagValue, (self.convert(value), GOOD, None, now, ""))
        except WrongValue as exc:
            return self.bad(f"{exc} on {self.topic}", now)


def stale_reason(stale: float) -> str:
    return f"value older than {stale:g} s"


def _preview(payload: bytes | bytearray) -> str:
    return shorten(payload[:60].decode(errors="replace"), 40)
