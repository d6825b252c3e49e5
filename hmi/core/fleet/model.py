"""What the broker says about each line of the plant, from the Unified Namespace's
retained topics (``{root}/{line}/health``, ``orders/current``, ``alarms/{alarm}``,
``{root}/_stations/{station}``): one ``LineState`` per line, grouped by site and area.

Messages come in on any thread (the MQTT client's, a simulation's); ``lines()`` gives
the newest states to any other thread. A payload that cannot be read marks its line with
the reason and keeps what was known before; the other lines are not touched.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

RUNNING, STOPPED, IDLE, OFFLINE, UNKNOWN = "running", "stopped", "idle", "offline", "unknown"
STATES = (RUNNING, STOPPED, IDLE, OFFLINE, UNKNOWN)
STATIONS = "_stations"
#: the topics under each root the fleet follows (never the tags: far too many)
SUBTOPICS = ("+/health", "+/orders/current", "+/alarms/+", f"{STATIONS}/+")
#: order states a running line is in; held is stopped with a reason, none is idle
ORDER_RUNNING = ("running", "started", "in_progress")
ORDER_HELD = ("held", "hold", "paused", "suspended")


@dataclass(frozen=True)
class Order:
    """The running order as the line publishes it."""

    number: str
    product: str = ""
    state: str = ""
    good: float | None = None
    scrap: float | None = None
    target: float | None = None

    @property
    def progress(self) -> float | None:
        """Good pieces as a share of the target (0..1), None without a target."""
        if self.good is None or not self.target:
            return None
        return max(0.0, self.good / self.target)


@dataclass(frozen=True)
class Alarm:
    active: bool
    acknowledged: bool
    priority: int
    message: str = ""


@dataclass(frozen=True)
class LineState:
    """One line as the fleet knows it; ``key`` is its topic path ``{root}/{line}``."""

    key: str
    site: str
    area: str
    line: str
    name: str = ""  # the project's name for it
    screen: str = ""
    label: str = ""  # the station's name for it, from its health
    state: str = UNKNOWN
    reason: str = ""  # why offline, stopped or unknown
    problems: Mapping[str, str] = field(default_factory=dict)  # topic -> why unreadable
    station: str = ""
    version: str = ""
    uptime_s: float | None = None
    devices: Mapping[str, str] = field(default_factory=dict)  # name -> ok or its problem
    backlog: int | None = None
    oee: float | None = None  # 0..1
    order: Order | None = None
    alarms: Mapping[str, Alarm] = field(default_factory=dict)
    heard: float | None = None  # epoch s of the last message about it
    published: float | None = None  # epoch s the station stamped its health with

    @property
    def title(self) -> str:
        return self.name or self.label or self.line

    @property
    def problem(self) -> str:
        """Each payload the fleet could not read, with the topic it came on."""
        return "; ".join(f"{topic}: {why}" for topic, why in self.problems.items())

    @property
    def active_alarms(self) -> int:
        return sum(1 for a in self.alarms.values() if a.active)

    @property
    def unacknowledged(self) -> int:
        return sum(1 for a in self.alarms.values() if a.active and not a.acknowledged)

    @property
    def highest_priority(self) -> int | None:
        """The most urgent active alarm's priority (1 critical), None without one."""
        return min((a.priority for a in self.alarms.values() if a.active), default=None)

    @property
    def device_problems(self) -> dict[str, str]:
        return {name: why for name, why in self.devices.items() if why != "ok"}

    @property
    def abnormal(self) -> bool:
        """What the supervisor must see first: offline, unreadable, in alarm, stopped."""
        return (
            self.state in (OFFLINE, STOPPED, UNKNOWN)
            or bool(self.problem)
            or self.highest_priority is not None
            or bool(self.device_problems)
        )

    def age(self, now: float | None = None) -> float | None:
        """Seconds since the last message about the line."""
        return None if self.heard is None else max(0.0, (now or time.time()) - self.heard)


@dataclass(frozen=True)
class Naming:
    """The project's words for a line: display name and the screen that shows it."""

    name: str = ""
    screen: str = ""


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
            data = _json(payload) if payload else {"online": False}
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
                    self._lines[key] = _with_state(line)
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
                    updated = replace(updated, problems=_noted(line.problems, *problem))
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
                updated = _order(line, payload)
                if updated.state != OFFLINE:
                    updated = _with_state(updated)
            elif len(rest) == 3 and rest[1] == "alarms":
                updated = _alarm(line, rest[2], payload)
            else:
                return False
            updated = replace(updated, heard=now, problems=_noted(line.problems, topic, None))
        except ValueError as error:
            updated = replace(line, heard=now, problems=_noted(line.problems, topic, str(error)))
        if updated == line and line.key in self._lines:
            return False
        self._lines[line.key] = updated
        return True

    def _health(self, root: list[str], line: LineState, payload: bytes, now: float) -> LineState:
        updated = _health(line, payload)
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


def _noted(problems: Mapping[str, str], topic: str, why: str | None) -> Mapping[str, str]:
    """``problems`` with ``topic``'s set to ``why`` (None: read well, so none)."""
    if why is None:
        return {t: w for t, w in problems.items() if t != topic}
    return {**problems, topic: why}


# -- the payloads ------------------------------------------------------------------------


def _json(payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at character {error.pos})") from None


def _mapping(payload: bytes, example: str) -> Mapping[str, Any]:
    data = _json(payload)
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object such as {example}, got {type(data).__name__}")
    return data


def _number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{key}: expected a number, got {json.dumps(value)[:40]}")
    return float(value)


def _ratio(value: Any) -> float | None:
    """OEE as 0..1, whether published as a ratio or a percentage; None if unreadable."""
    if isinstance(value, Mapping):
        value = value.get("oee")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value / 100.0 if value > 1.0 else max(0.0, float(value))


def _health(line: LineState, payload: bytes) -> LineState:
    if not payload:  # a station that removed its line
        return replace(line, state=OFFLINE, reason="no health published")
    data = _mapping(payload, '{"online": true, ...}')
    online = data.get("online")
    if not isinstance(online, bool):
        raise ValueError(f"online: expected true or false, got {json.dumps(online)[:40]}")
    devices = data.get("devices") or {}
    if not isinstance(devices, Mapping):
        raise ValueError("devices: expected an object of name: ok or its problem")
    backlog = _number(data, "backlog")
    ts = _number(data, "ts")
    updated = replace(
        line,
        station=str(data.get("station") or line.station),
        label=str(data.get("name") or line.label),
        version=str(data.get("version") or ""),
        uptime_s=_number(data, "uptime_s"),
        devices={str(k): str(v) for k, v in devices.items()},
        backlog=None if backlog is None else int(backlog),
        oee=_ratio(data.get("oee")),
        published=None if ts is None else ts / 1000.0,
    )
    if not online:
        return replace(updated, state=OFFLINE, reason="the station says it is offline")
    return _with_state(updated, data)


def _with_state(line: LineState, health: Mapping[str, Any] | None = None) -> LineState:
    state, reason = _order_state(line, health)
    return replace(line, state=state, reason=reason)


def _order_state(line: LineState, health: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """State and reason from what the station says (``state``/``reason`` in its health,
    where it publishes them), else from its running order."""
    if health is not None and isinstance(health.get("state"), str):
        state = health["state"].lower()
        if state in (RUNNING, STOPPED, IDLE):
            return state, str(health.get("reason") or "")
    order = line.order
    if order is None:
        return IDLE, ""
    state = order.state.lower()
    if state in ORDER_RUNNING:
        return RUNNING, ""
    if state in ORDER_HELD:
        return STOPPED, f"order {order.number} held"
    return IDLE, ""


def _order(line: LineState, payload: bytes) -> LineState:
    if not payload:
        return replace(line, order=None)
    data = _mapping(payload, '{"number": "A-1", "state": "running", ...}')
    number = data.get("number")
    if number is None or isinstance(number, bool | Mapping | list):
        raise ValueError("number: expected the order's number")
    order = Order(
        str(number),
        str(data.get("product") or ""),
        str(data.get("state") or ""),
        _number(data, "good"),
        _number(data, "scrap"),
        _number(data, "target"),
    )
    return replace(line, order=order)


def _alarm(line: LineState, name: str, payload: bytes) -> LineState:
    alarms = dict(line.alarms)
    if not payload:
        alarms.pop(name, None)
        return replace(line, alarms=alarms)
    data = _mapping(payload, '{"active": true, "priority": 2, ...}')
    priority = _number(data, "priority")
    if priority is None or not 1 <= priority <= 4 or not float(priority).is_integer():
        raise ValueError(f"alarms/{name}: priority: expected 1 to 4")
    alarms[name] = Alarm(
        bool(data.get("active")),
        bool(data.get("acknowledged")),
        int(priority),
        str(data.get("message") or ""),
    )
    return replace(line, alarms=alarms)
