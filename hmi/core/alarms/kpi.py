"""Alarm system performance (EEMUA 191 / ISA-18.2): the figures a supervisor reviews.

All counts are of *activations* (an alarm announced to the operator), taken from the
journal over a period:

- alarms per 10 minutes, per line: the average, and the peak in any sliding 10 minutes;
- share of time in flood: more than 10 activations within 10 minutes;
- the 10 most frequent alarms ("bad actors"), which usually cause most of the load;
- chattering alarms: 3 or more activations of one alarm within a minute;
- stale alarms: still active more than 24 hours after they were raised;
- priority distribution (ISA-18.2 suggests roughly 80 % low, 15 % medium, 5 % high).
"""

from __future__ import annotations

import bisect
import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from .definitions import PRIORITIES
from .events import AlarmStatus
from .journal import Activation
from .states import AlarmState

WINDOW_S = 600.0
FLOOD_ABOVE = 10
CHATTER_WINDOW_S = 60.0
CHATTER_COUNT = 3
STALE_AFTER_S = 24 * 3600.0
TOP = 10


@dataclass(frozen=True, slots=True)
class LineRate:
    line: str
    activations: int
    per_10min: float
    peak_10min: int
    flood_share: float


@dataclass(frozen=True, slots=True)
class BadActor:
    alarm_id: str
    tag: str
    message: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class Chatter:
    alarm_id: str
    tag: str
    count: int
    most_per_minute: int


@dataclass(frozen=True, slots=True)
class Stale:
    alarm_id: str
    tag: str
    priority: int
    active_for_s: float
    message: str


@dataclass(frozen=True, slots=True)
class AlarmKpis:
    start: float
    end: float
    activations: int
    per_10min: float
    peak_10min: int
    flood_share: float
    lines: tuple[LineRate, ...]
    bad_actors: tuple[BadActor, ...]
    chattering: tuple[Chatter, ...]
    stale: tuple[Stale, ...]
    priority_counts: dict[int, int]

    @property
    def priority_shares(self) -> dict[int, float]:
        total = sum(self.priority_counts.values())
        return {p: (n / total if total else 0.0) for p, n in self.priority_counts.items()}


def compute_kpis(
    activations: Iterable[Activation],
    start: float,
    end: float,
    standing: Sequence[AlarmStatus] = (),
) -> AlarmKpis:
    """The KPIs of ``activations`` between ``start`` and ``end``; ``standing`` (the alarms
    as they are now, at ``end``) gives the stale ones."""
    events = sorted((a for a in activations if start <= a.time <= end), key=lambda a: a.time)
    span = max(end - start, 1e-9)
    times = [a.time for a in events]
    by_line: dict[str, list[float]] = defaultdict(list)
    by_alarm: dict[str, list[Activation]] = defaultdict(list)
    for activation in events:
        by_line[activation.line].append(activation.time)
        by_alarm[activation.alarm_id].append(activation)
    lines = tuple(
        LineRate(
            line,
            len(line_times),
            len(line_times) / span * WINDOW_S,
            peak_in_window(line_times, WINDOW_S),
            flood_share(line_times, start, end),
        )
        for line, line_times in sorted(by_line.items())
    )
    counts = Counter({alarm_id: len(items) for alarm_id, items in by_alarm.items()})
    bad_actors = tuple(
        BadActor(
            alarm_id, by_alarm[alarm_id][-1].tag, by_alarm[alarm_id][-1].message, n, n / len(events)
        )
        for alarm_id, n in counts.most_common(TOP)
    )
    chattering = []
    for alarm_id, items in sorted(by_alarm.items()):
        most = peak_in_window([a.time for a in items], CHATTER_WINDOW_S)
        if most >= CHATTER_COUNT:
            chattering.append(Chatter(alarm_id, items[-1].tag, len(items), most))
    chattering.sort(key=lambda c: (-c.most_per_minute, -c.count, c.alarm_id))
    stale = tuple(
        Stale(s.id, s.tag, s.priority, end - s.activated_at, s.message)
        for s in sorted(standing, key=lambda s: s.activated_at or end)
        if s.state in (AlarmState.UNACKED, AlarmState.ACKED)
        and s.activated_at is not None
        and end - s.activated_at > STALE_AFTER_S
    )
    priorities = Counter(a.priority for a in events)
    return AlarmKpis(
        start=start,
        end=end,
        activations=len(events),
        per_10min=len(events) / span * WINDOW_S,
        peak_10min=peak_in_window(times, WINDOW_S),
        flood_share=flood_share(times, start, end),
        lines=lines,
        bad_actors=bad_actors,
        chattering=tuple(chattering),
        stale=stale,
        priority_counts={p: priorities.get(p, 0) for p in PRIORITIES},
    )


def peak_in_window(times: Sequence[float], window: float) -> int:
    """The most of ``times`` (sorted) that fall within any ``window`` seconds."""
    most = 0
    for i, t in enumerate(times):
        first = bisect.bisect_right(times, t - window, 0, i)
        most = max(most, i - first + 1)
    return most


def flood_share(times: Sequence[float], start: float, end: float) -> float:
    """Share of [start, end] during which the last 10 minutes held more than 10 of ``times``.

    The window ending at t holds the 11 activations times[i-10..i] exactly when
    times[i] <= t < times[i-10] + 10 min; the union of those intervals is the flood time.
    """
    if end <= start:
        return 0.0
    flooded = 0.0
    open_from = open_until = None
    for i in range(FLOOD_ABOVE, len(times)):
        lo, hi = max(times[i], start), min(times[i - FLOOD_ABOVE] + WINDOW_S, end)
        if hi <= lo:
            continue
        if open_until is not None and lo <= open_until:
            open_until = max(open_until, hi)
            continue
        if open_from is not None and open_until is not None:
            flooded += open_until - open_from
        open_from, open_until = lo, hi
    if open_from is not None and open_until is not None:
        flooded += open_until - open_from
    return flooded / (end - start)


def write_kpi_csv(kpis: AlarmKpis, target: str | Path | TextIO) -> None:
    """The KPIs as one CSV table: section, item, value, detail."""
    if isinstance(target, str | Path):
        with open(target, "w", newline="", encoding="utf-8") as handle:
            _write(kpis, handle)
    else:
        _write(kpis, target)


def _write(k: AlarmKpis, handle: TextIO) -> None:
    out = csv.writer(handle)
    out.writerow(("section", "item", "value", "detail"))
    for name, when in (("start", k.start), ("end", k.end)):
        out.writerow(("period", name, _iso(when), ""))
    out.writerow(("overall", "activations", k.activations, ""))
    out.writerow(("overall", "per_10min", f"{k.per_10min:.2f}", "average"))
    out.writerow(("overall", "peak_10min", k.peak_10min, "most in any 10 minutes"))
    out.writerow(("overall", "flood_share", f"{k.flood_share:.4f}", f"> {FLOOD_ABOVE} in 10 min"))
    for rate in k.lines:
        line = rate.line or "(no line)"
        out.writerow(("line", line, rate.activations, "activations"))
        out.writerow(("line", line, f"{rate.per_10min:.2f}", "per 10 minutes"))
        out.writerow(("line", line, rate.peak_10min, "peak in 10 minutes"))
        out.writerow(("line", line, f"{rate.flood_share:.4f}", "share of time in flood"))
    for actor in k.bad_actors:
        out.writerow(
            ("bad_actor", actor.alarm_id, actor.count, f"{actor.share:.1%} {actor.message}")
        )
    for chatter in k.chattering:
        detail = f"{chatter.most_per_minute} in one minute, {chatter.count} in all"
        out.writerow(("chattering", chatter.alarm_id, chatter.most_per_minute, detail))
    for stale in k.stale:
        hours = stale.active_for_s / 3600
        out.writerow(("stale", stale.alarm_id, f"{hours:.1f}", f"hours active; {stale.message}"))
    shares = k.priority_shares
    for priority, count in k.priority_counts.items():
        detail = f"{PRIORITIES[priority]}, {shares[priority]:.1%}"
        out.writerow(("priority", priority, count, detail))


def _iso(when: float) -> str:
    return datetime.fromtimestamp(when).astimezone().isoformat(timespec="seconds")
