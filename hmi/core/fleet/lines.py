"""A line as the fleet knows it (``LineState``: state and why, order, alarms, devices,
when it was last heard of) and the words of its states."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

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
    #: (active, unacknowledged, highest priority) from the health, for a station that
    #: publishes its alarm counts instead of each alarm
    alarm_counts: tuple[int, int, int | None] | None = None
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
        if not self.alarms and self.alarm_counts is not None:
            return self.alarm_counts[0]
        return sum(1 for a in self.alarms.values() if a.active)

    @property
    def unacknowledged(self) -> int:
        if not self.alarms and self.alarm_counts is not None:
            return self.alarm_counts[1]
        return sum(1 for a in self.alarms.values() if a.active and not a.acknowledged)

    @property
    def highest_priority(self) -> int | None:
        """The most urgent active alarm's priority (1 critical), None without one."""
        if not self.alarms and self.alarm_counts is not None:
            return self.alarm_counts[2]
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
