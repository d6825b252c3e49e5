"""Whether a line of the Unified Namespace is alive, so its tags are never shown Good from
a station that is gone.

A line publishes its tags by exception and retained: when its station dies, the broker
keeps the last values as if nothing happened. What tells is the station's topic,
``{root}/_stations/{station}``, which its last will sets to ``{"online": false}``, and the
line's ``{root}/{line}/health`` (``online``, and which ``station`` it runs on). A tag read
from ``{root}/{line}/tags/{tag}`` (the UNS JSON, no ``path``) is Bad with the reason while
its line's station is offline, and gets its last value back when the station returns.
"""

from __future__ import annotations

import json
from typing import Any

from hmi.core.tags import Batch, Quality, TagValue

_make = tuple.__new__
STATIONS = "_stations"
Line = tuple[str, str]  # (root, line)


def line_of(topic: str) -> Line | None:
    """(root, line) of a UNS tag topic ``{root}/{line}/tags/{tag}``, else None."""
    parts = topic.split("/")
    if len(parts) < 4 or parts[-2] != "tags" or parts[-3] == STATIONS:
        return None
    return "/".join(parts[:-3]), parts[-3]


class Lines:
    """The lines the device's UNS tags come from, and which of them are offline now."""

    def __init__(self) -> None:
        self.tags: dict[Line, list[str]] = {}
        self.station_of: dict[Line, str] = {}  # from the line's health
        self.line_down: dict[Line, str] = {}  # the health says offline: why
        self.station_down: dict[tuple[str, str], str] = {}  # (root, station): why
        self.down_tags: dict[str, str] = {}  # tag -> why, while its line is offline

    def add(self, tag: str, line: Line) -> None:
        self.tags.setdefault(line, []).append(tag)

    def topics(self) -> list[str]:
        """The health of each line and the stations of each root (one filter a root)."""
        roots = sorted({root for root, _ in self.tags})
        health = [f"{root}/{line}/health" for root, line in sorted(self.tags)]
        return health + [f"{root}/{STATIONS}/+" for root in roots]

    def handle(
        self, topic: str, payload: bytes | bytearray, last: dict[str, TagValue], now: float
    ) -> Batch:
        """A health or station message: the tags whose line went down (Bad) or came back
        (their last value again); empty when nothing changed."""
        doc = _object(payload)
        parts = topic.split("/")
        if len(parts) >= 2 and parts[-2] == STATIONS:
            root, station = "/".join(parts[:-2]), parts[-1]
            if doc.get("online") is False:
                self.station_down[root, station] = f"station {station} is offline"
            else:
                self.station_down.pop((root, station), None)
            lines = [
                line
                for line in self.tags
                if line[0] == root and self.station_of.get(line, line[1]) == station
            ]
        else:
            line: Line = ("/".join(parts[:-2]), parts[-2])
            named = doc.get("station")
            if isinstance(named, str) and named:
                self.station_of[line] = named
            if doc.get("online") is False:
                station = self.station_of.get(line, line[1])
                self.line_down[line] = f"line {line[1]} is offline (station {station} stopped)"
            else:
                self.line_down.pop(line, None)
            lines = [line] if line in self.tags else []
        return self._changes(lines, last, now)

    def _why(self, line: Line) -> str | None:
        root, name = line
        station = self.station_of.get(line, name)  # a station's own tags: {root}/{station}
        return self.line_down.get(line) or self.station_down.get((root, station))

    def _changes(self, lines: list[Line], last: dict[str, TagValue], now: float) -> Batch:
        out: Batch = {}
        for line in lines:
            why = self._why(line)
            for name in self.tags[line]:
                before = self.down_tags.get(name)
                if why is not None and before != why:
                    self.down_tags[name] = why
                    tv = last.get(name)
                    value = tv.value if tv is not None else None
                    out[name] = _make(TagValue, (value, Quality.BAD, None, now, why))
                elif why is None and before is not None:
                    del self.down_tags[name]
                    if name in last:
                        out[name] = last[name]
        return out


def _object(payload: bytes | bytearray) -> dict[str, Any]:
    """The message's JSON object; anything else counts as saying nothing."""
    try:
        doc = json.loads(payload) if payload else {}
    except (ValueError, RecursionError):
        return {}
    return doc if isinstance(doc, dict) else {}
