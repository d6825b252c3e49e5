"""What the broker says about each line of the plant, from the Unified Namespace's
retained topics (``{root}/{line}/health``, ``orders/current``, ``alarms/{alarm}``,
``{root}/_stations/{station}``): one ``LineState`` per line, grouped by site and area.

Messages come in on any thread (the MQTT client's, a simulation's); ``lines()`` gives
the newest states to any other thread. A payload that cannot be read marks its line with
the reason and keeps what was known before; the other lines are not touched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from . import payloads
from .lines import OFFLINE, STATIONS, SUBTOPICS, UNKNOWN, LineState, Naming


class Roots:
    """The root patterns followed (``acme/+/+``): which topics are a line's, and of what."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = [p.split("/") for p in patterns]

    def subscriptions(self) -> list[str]:
        return ["/".join([*root, sub]) for root in self.patterns for sub in SUBTOPICS]

    def split(self, topic: str) -> tuple[list[str], list[str]] | None:
        """The topic's root segments and the rest, for the first pattern it falls under."""
        parts = topic.split("/")
        for root in self.patterns:
            pairs = zip(root, parts, strict=False)
            if len(parts) > len(root) and all(r in ("+", p) for r, p in pairs):
                return parts[: len(root)], parts[len(root) :]
        return None


def site_and_area(root: list[str]) -> tuple[str, str]:
    """``enterprise/site/area`` → (site, area); shorter roots make do with what they have."""
    if len(root) >= 3:
        return root[-2], root[-1]
    if len(root) == 2:
        return root[1], ""
    return root[0], ""


class FleetModel:
    """Every line heard of under the roots; thread-safe; ``watch`` to hear of changes."""

    def __init__(
        self,
        roots: Iterable[str],
        naming: Mapping[str, Naming] | None = None,
        offline_after: float = 30.0,
        clock: Callable[[], float] = time.time,
    ):
        self.roots = Roots(roots)
        self.naming = dict(naming or {})
        self.offline_after = offline_after
        self.clock = clock
        self._lines: dict[str, LineState] = {}
        self._stations: dict[str, bool] = {}  # station -> online, as its topic says
        self._lock = threading.Lock()
        self._watchers: list[Callable[[], None]] = []
        #: why the fleet hears nothing from the broker now (None: connected)
        self.link_problem: str | None = None
        for key in self.naming:  # the lines the project names show before they are heard of
            found = self.roots.split(key + "/x")
            if found is not None and len(found[1]) == 2:
                site, area = site_and_area(found[0])
                self._lines[key] = self._named(LineState(key, site, area, found[1][0]))

    # -- reading -------------------------------------------------------------------------

    def lines(self) -> list[LineState]:
        """Every line, by site, area and line."""
        with self._lock:
            found = list(self._lines.values())
        return sorted(found, key=lambda s: (s.site, s.area, s.line))

    def line(self, key: str) -> LineState | None:
        with self._lock:
            return self._lines.get(key)

    def watch(self, callback: Callable[[], None]) -> Callable[[], None]:
        """``callback()`` after each change (on the thread that made it); returns the undo."""
        self._watchers.append(callback)
        return lambda: self._watchers.remove(callback) if callback in self._watchers else None

    # -- what comes in -------------------------------------------------------------------

    def receive(self, topic: str, payload: bytes) -> bool:
        """One message; True if a line changed. Never raises for what a station sent."""
        found = self.roots.split(topic)
        if found is None:
            return False
        root, rest = found
        now = self.clock()
        with self._lock:
            if rest[0] == STATIONS and len(rest) == 2:
                changed = self._station(root, rest[1], payload, now)
            else:
                changed = self._line_message(root, rest, payload, now)
        if changed:
            self._tell()
        return changed

    def set_link(self, problem: str | None) -> None:
        """The broker connection's state: lost (why), or back (None). While it is lost no
        line is known: each shows unknown with why; the retained topics bring it back."""
        if problem == self.link_problem:
            return
        self.link_problem = problem
        if problem is not None:
            with self._lock:
                why = f"no news from the broker: {problem}"
                for key, line in self._lines.items():
                    self._lines[key] = replace(line, state=UNKNOWN, reason=why)
        self._tell()

    def expire(self) -> bool:
        """Lines silent for longer than ``offline_after`` go offline; True if any did.
        Not while the broker itself is out of reach: then nothing is heard of any line."""
        now = self.clock()
        changed = False
        if self.link_problem is not None:
            return False
        with self._lock:
            for key, line in self._lines.items():
                age = line.age(now)
                if line.state != OFFLINE and age is not None and age > self.offline_after:
                    why = f"nothing heard for {age:.0f} s"
                    self._lines[key] = replace(line, state=OFFLINE, reason=why)
                    changed = True
        if changed:
            self._tell()
        return changed

    def _tell(self) -> None:
        for callback in list(self._watchers):
            callback()

    def _named(self, line: LineState) -> LineState:
        naming = self.naming.get(line.key)
        return replace(line, name=naming.name, screen=naming.screen) if naming else line

    def _get(self, root: list[str], line: str) -> LineState:
        key = "/".join([*root, line])
        found = self._lines.get(key)
        if found is None:
            site, area = site_and_area(root)
            found = self._named(LineState(key, site, area, line))
        return found

    def _station(self, root: list[str], station: str, payload: bytes, now: float) -> bool:
        where = f"{'/'.join(root)}/{STATIONS}/{station}"
        try:
            data = payloads.read_json(payload) if payload else {"online": False}
            online = bool(data.get("online")) if isinstance(data, Mapping) else None
        except ValueError as error:
            online, data = None, str(error)
        if online is None:  # unreadable: say so on its lines, decide nothing
            why = data if isinstance(data, str) else 'expected {"online": true|false}'
            return self._mark(station, root, problem=(where, why))
        self._stations[f"{'/'.join(root)}:{station}"] = online
        if online:  # back: its lines as their last health and order say
            changed = self._mark(station, root, problem=(where, None))
            for key, line in self._lines.items():
                if line.station == station and line.reason == f"station {station} offline":
                    self._lines[key] = payloads.with_state(line)
                    changed = True
            return changed
        why = f"station {station} offline"
        return self._mark(station, root, state=OFFLINE, reason=why, heard=now)

    def _mark(self, station: str, root: list[str], **changes: Any) -> bool:
        prefix = "/".join(root) + "/"
        changed = False
        problem = changes.pop("problem", None)
        for key, line in self._lines.items():
            if line.station == station and key.startswith(prefix):
                updated = replace(line, **changes)
                if problem is not None:
                    updated = replace(updated, problems=payloads.noted(line.problems, *problem))
                if updated != line:
                    self._lines[key] = updated
                    changed = True
        return changed

    def _line_message(self, root: list[str], rest: list[str], payload: bytes, now: float) -> bool:
        line = self._get(root, rest[0])
        topic = "/".join([*root, *rest])
        kind = "/".join(rest[1:])
        try:
            if kind == "health":
                updated = self._health(root, line, payload, now)
            elif kind == "orders/current":
                updated = payloads.order(line, payload)
                if updated.state != OFFLINE:
                    updated = payloads.with_state(updated)
            elif len(rest) == 3 and rest[1] == "alarms":
                updated = payloads.alarm(line, rest[2], payload)
            else:
                return False
            updated = replace(
                updated, heard=now, problems=payloads.noted(line.problems, topic, None)
            )
        except ValueError as error:
            updated = replace(
                line, heard=now, problems=payloads.noted(line.problems, topic, str(error))
            )
        if updated == line and line.key in self._lines:
            return False
        self._lines[line.key] = updated
        return True

    def _health(self, root: list[str], line: LineState, payload: bytes, now: float) -> LineState:
        updated = payloads.health(line, payload)
        if updated.state == OFFLINE:
            return updated
        if self._station_down(root, updated.station):
            return replace(updated, state=OFFLINE, reason=f"station {updated.station} offline")
        stamped = updated.published
        if stamped is not None and now - stamped > self.offline_after:
            # kept by the broker from long ago: the station went without its will reaching it
            return replace(updated, state=OFFLINE, reason=f"last health {now - stamped:.0f} s old")
        return updated

    def _station_down(self, root: list[str], station: str) -> bool:
        return self._stations.get(f"{'/'.join(root)}:{station}") is False
