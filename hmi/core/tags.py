"""The value model every layer shares: a value always travels with its quality."""

from __future__ import annotations

import time
from enum import IntEnum
from typing import Any, NamedTuple


class Quality(IntEnum):
    """OPC UA severity: the two top bits of a StatusCode (Good 00, Uncertain 01, Bad 10)."""

    GOOD = 0
    UNCERTAIN = 1
    BAD = 2

    @classmethod
    def worst(cls, *qualities: Quality) -> Quality:
        return cls(max(qualities, default=cls.GOOD))


class TagValue(NamedTuple):
    """One sample of a tag.

    ``source_ts`` is when the device says the value was true (None if it does not say);
    ``ts`` is when the HMI received it. ``reason`` says why quality is not Good.

    A named tuple rather than a frozen dataclass: tens of thousands are made a second
    and a tuple is made in a third of the time. It compares equal only to another
    TagValue (never to a plain tuple), as the dataclass did.
    """

    value: Any
    quality: Quality = Quality.GOOD
    source_ts: float | None = None
    ts: float = 0.0
    reason: str = ""

    def __eq__(self, other: object) -> bool:
        return type(other) is TagValue and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return tuple.__hash__(self)

    @property
    def good(self) -> bool:
        return self.quality is Quality.GOOD

    def as_dict(self, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "value": self.value,
            "quality": self.quality.name.lower(),
            "reason": self.reason,
            "source_ts": self.source_ts,
            "ts": self.ts,
        }


_make = tuple.__new__  # TagValue without the generated __new__'s call: the hot paths' way


def good(value: Any, source_ts: float | None = None, ts: float | None = None) -> TagValue:
    return _make(TagValue, (value, Quality.GOOD, source_ts, time.time() if ts is None else ts, ""))


def bad(reason: str, value: Any = None, ts: float | None = None) -> TagValue:
    """A Bad sample; ``value`` keeps the last known value so screens can show it as stale."""
    return _make(TagValue, (value, Quality.BAD, None, time.time() if ts is None else ts, reason))


def uncertain(value: Any, reason: str, ts: float | None = None) -> TagValue:
    return _make(
        TagValue, (value, Quality.UNCERTAIN, None, time.time() if ts is None else ts, reason)
    )


# A batch maps tag names to their newest sample: what drivers hand the engine
# and what the engine hands its subscribers.
Batch = dict[str, TagValue]
