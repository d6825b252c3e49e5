"""The shift calendar: when a line is planned to produce, and so its planned busy time.

Shifts, breaks and the days a shift may start on are wall-clock times in the calendar's
zone; every instant they give is POSIX seconds. Converting each wall-clock time on its
own day (never adding 24 h to a midnight) is what makes the figures DST-safe: the night
shift 22:00-06:00 lasts 7 h when the clocks go forward and 9 h when they go back, and
a day of a round-the-clock calendar has 23 h or 25 h of shift time.

A wall-clock time the clocks skip (02:30 when they go forward) is read with the offset
before the change, one they repeat (02:30 when they go back) as its first occurrence.

Holidays cancel the shifts that *start* on them (the night shift from the evening before
still ends in the morning); planned downtime is taken out of busy time, for one line or
for every line. Planned busy time (ISO 22400 PBT) is shift time minus breaks minus planned
downtime, each instant counted once however these overlap.
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import ShiftSpan

MINUTES_PER_DAY = 1440
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS = frozenset(range(7))
#: how far next_shift_end looks ahead for a shift (a calendar of holidays may be long)
LOOKAHEAD_DAYS = 400
# datetime covers years 1..9999; instants are clamped well inside so a local date +-1 day
# is always representable whatever the zone
_FIRST_TS = 86400.0 * 3
_LAST_TS = 253402300799.0 - 86400.0 * 3

Interval = tuple[float, float]


@dataclass(frozen=True)
class Break:
    """A break: starts at ``at`` (minute of the day, wall clock) and lasts ``length_s``."""

    at: int
    length_s: float


@dataclass(frozen=True)
class Shift:
    """One shift as the calendar writes it: wall-clock minutes of the day; an ``end`` at
    or before ``start`` is on the next day. ``days`` (0 Monday) it may start on, None: the
    calendar's days."""

    name: str
    start: int
    end: int
    breaks: tuple[Break, ...] = ()
    days: frozenset[int] | None = None

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        """Wall-clock length in minutes (the real length differs on a DST change day)."""
        return (self.end - self.start) % MINUTES_PER_DAY or MINUTES_PER_DAY

    def offset(self, minute: int) -> int:
        """Minutes from the start of the shift to wall-clock ``minute`` within it."""
        return (minute - self.start) % MINUTES_PER_DAY


@dataclass(frozen=True)
class PlannedDowntime:
    """One-off planned time out of busy time: ``line`` None is every line."""

    start: float
    end: float
    line: str | None = None
    reason: str = ""


def weekday_names(days: Iterable[int]) -> str:
    return ", ".join(WEEKDAYS[d] for d in sorted(days))


def clock(minute: int) -> str:
    """``390`` -> ``06:30``, for messages."""
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


class _SystemZone(tzinfo):
    """The zone the operating system converts local time with, where no IANA name of it
    can be found (Windows without TZ): its offset at each instant comes from the C
    library, so DST changes are followed."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(seconds=_time.localtime().tm_gmtoff)
        fields = (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, 0, 0, -1)
        stamp = _time.mktime(fields)
        return timedelta(seconds=_time.localtime(stamp).tm_gmtoff)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return _time.tzname[0]

    def fromutc(self, dt: datetime) -> datetime:
        stamp = (dt.replace(tzinfo=None) - datetime(1970, 1, 1)).total_seconds()
        return dt + timedelta(seconds=_time.localtime(stamp).tm_gmtoff)

    def __repr__(self) -> str:
        return "local time"


def local_zone() -> tzinfo:
    """The PC's own zone, as a zone that knows its DST rules: ``TZ``, else the zone
    ``/etc/localtime`` names or holds, else the operating system's conversion."""
    name = os.environ.get("TZ", "").lstrip(":")
    candidates = [name] if name else []
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    try:
        with open("/etc/localtime", "rb") as file:
            return ZoneInfo.from_file(file, key="localtime")
    except (OSError, ValueError):
        return _SystemZone()


def zone(name: str | None) -> tzinfo:
    """The IANA zone ``name`` (``Europe/Rome``), or the PC's zone for None; ``ValueError``
    when there is no such zone."""
    if name is None:
        return local_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise ValueError(f"unknown time zone {name!r}") from None


def subtract(intervals: list[Interval], cut: Interval) -> list[Interval]:
    """``intervals`` without ``cut`` (each interval may split in two)."""
    lo, hi = cut
    if hi <= lo:
        return intervals
    out: list[Interval] = []
    for start, end in intervals:
        if end <= lo or start >= hi:
            out.append((start, end))
            continue
        if start < lo:
            out.append((start, lo))
        if end > hi:
            out.append((hi, end))
    return out


@dataclass(frozen=True)
class _Planned:
    """A shift on a day: its span and its breaks as instants."""

    span: ShiftSpan
    breaks: tuple[Interval, ...] = field(default=())


class ShiftCalendar:
    """Shifts, breaks, days, holidays and planned downtime of a plant in one time zone."""

    def __init__(
        self,
        shifts: Iterable[Shift],
        days: Iterable[int] = ALL_DAYS,
        holidays: Iterable[date] = (),
        planned_downtime: Iterable[PlannedDowntime] = (),
        tz: tzinfo | None = None,
    ):
        self.shifts = tuple(shifts)
        self.days = frozenset(days)
        self.holidays = frozenset(holidays)
        self.planned_downtime = tuple(sorted(planned_downtime, key=lambda d: d.start))
        self.tz = tz if tz is not None else local_zone()
        self._by_day: dict[date, tuple[_Planned, ...]] = {}

    @classmethod
    def from_config(
        cls,
        shifts: Iterable[Shift] = (),
        days: Iterable[int] | None = None,
        holidays: Iterable[date] = (),
        planned_downtime: Iterable[PlannedDowntime] = (),
        timezone: str | None = None,
    ) -> ShiftCalendar:
        """The calendar as the project writes it: no shifts is one shift round the clock
        (``Day``, from midnight to midnight), no days is every day, no timezone the PC's."""
        shifts = tuple(shifts) or (Shift("Day", 0, 0),)
        return cls(
            shifts,
            ALL_DAYS if days is None else days,
            holidays,
            planned_downtime,
            zone(timezone),
        )

    # -- wall clock <-> instants -------------------------------------------------------------

    def local_day(self, ts: float) -> date:
        return datetime.fromtimestamp(_clamp(ts), self.tz).date()

    def instant(self, day: date, minute: int) -> float:
        """The POSIX time of wall-clock ``minute`` on ``day`` in the calendar's zone."""
        hour, minute = divmod(minute, 60)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).timestamp()

    def starts_on(self, shift: Shift, day: date) -> bool:
        """Whether ``shift`` is planned to start on ``day`` (its weekday, not a holiday)."""
        days = shift.days if shift.days is not None else self.days
        return day.weekday() in days and day not in self.holidays

    def _planned(self, day: date) -> tuple[_Planned, ...]:
        """The shifts that start on ``day``, with their breaks (cached per day)."""
        cached = self._by_day.get(day)
        if cached is not None:
            return cached
        out = []
        for shift in self.shifts:
            if not self.starts_on(shift, day):
                continue
            start = self.instant(day, shift.start)
            end = self.instant(
                day + timedelta(days=1) if shift.crosses_midnight else day, shift.end
            )
            breaks = []
            for pause in shift.breaks:
                on = day + timedelta(days=1) if pause.at < shift.start else day
                at = self.instant(on, pause.at)
                lo, hi = max(at, start), min(at + pause.length_s, end)
                if hi > lo:
                    breaks.append((lo, hi))
            out.append(_Planned(ShiftSpan(shift.name, day.isoformat(), start, end), tuple(breaks)))
        planned = tuple(sorted(out, key=lambda p: p.span.start))
        if len(self._by_day) > 4096:  # a long period walked once must not keep it all
            self._by_day.clear()
        self._by_day[day] = planned
        return planned

    def _between(self, start: float, end: float) -> Iterator[_Planned]:
        """Planned shifts that overlap [start, end), in order of their start."""
        start, end = _clamp(start), _clamp(end)
        day = self.local_day(start) - timedelta(days=1)  # a night shift from the day before
        last = self.local_day(end)
        while day <= last:
            for planned in self._planned(day):
                if planned.span.end > start and planned.span.start < end:
                    yield planned
            day += timedelta(days=1)

    # -- what the service asks ---------------------------------------------------------------

    def shift_at(self, ts: float) -> ShiftSpan | None:
        """The planned shift running at ``ts`` (None between shifts and on holidays)."""
        for planned in self._between(ts, ts + 1e-6):
            if planned.span.start <= ts < planned.span.end:
                return planned.span
        return None

    def shifts_between(self, start: float, end: float) -> list[ShiftSpan]:
        """Every planned shift overlapping [start, end), in order of their start."""
        return [planned.span for planned in self._between(start, end)]

    def busy_periods(self, start: float, end: float, line: str) -> list[Interval]:
        """The planned busy time of ``line`` within [start, end) as ordered intervals:
        shift time without breaks and planned downtime (what stops are measured against)."""
        downtime = [
            (d.start, d.end)
            for d in self.planned_downtime
            if (d.line is None or d.line == line) and d.end > start and d.start < end
        ]
        out: list[Interval] = []
        for planned in self._between(start, end):
            span = planned.span
            parts = [(max(span.start, start), min(span.end, end))]
            for cut in (*planned.breaks, *downtime):
                parts = subtract(parts, cut)
            out.extend(p for p in parts if p[1] > p[0])
        return _merged(out)

    def planned_busy_time(self, start: float, end: float, line: str) -> float:
        """Seconds of planned busy time of ``line`` within [start, end): shift time minus
        breaks, planned downtime and holidays, in real seconds (DST-safe)."""
        if end <= start:
            return 0.0
        return sum(hi - lo for lo, hi in self.busy_periods(start, end, line))

    def next_shift_end(self, ts: float) -> float | None:
        """The first end of a planned shift after ``ts`` (the running shift's, or that of
        the next one); None if no shift is planned within ``LOOKAHEAD_DAYS``."""
        day = self.local_day(ts) - timedelta(days=1)
        best: float | None = None
        for _ in range(LOOKAHEAD_DAYS + 2):
            ends = [p.span.end for p in self._planned(day) if p.span.end > ts]
            if best is not None:  # a shift of a later day cannot end before these
                return min([best, *ends])
            if ends:
                best = min(ends)
            day += timedelta(days=1)
        return best


def overlaps(
    shifts: Iterable[Shift], days: Iterable[int] = ALL_DAYS
) -> list[tuple[Shift, Shift, str]]:
    """Pairs of shifts that would run at once on some day of the week, with where (``mon
    05:00-06:00``), the one written first first. Measured on the wall clock of a week."""
    week = 7 * MINUTES_PER_DAY
    default = frozenset(days)
    shifts = list(shifts)
    spans: list[tuple[int, int, int]] = []  # shift index, first minute of the week, minutes
    for index, shift in enumerate(shifts):
        for day in sorted(shift.days if shift.days is not None else default):
            spans.append((index, day * MINUTES_PER_DAY + shift.start, shift.minutes))
    found: dict[tuple[int, int], str] = {}
    for i, (first, a, a_len) in enumerate(spans):
        for second, b, b_len in spans[i + 1 :]:
            key = (min(first, second), max(first, second))
            if first == second or key in found:
                continue
            shared = _shared(a, a_len, b, b_len, week)
            if shared is not None:
                day, minute = divmod(shared[0] % week, MINUTES_PER_DAY)
                found[key] = f"{WEEKDAYS[day]} {clock(minute)}-{clock(minute + shared[1])}"
    return [(shifts[a], shifts[b], where) for (a, b), where in sorted(found.items())]


def _shared(a: int, a_len: int, b: int, b_len: int, week: int) -> tuple[int, int] | None:
    """Where two stretches of a circular week overlap: (first minute, minutes) or None."""
    for shift_b in (b - week, b, b + week):
        lo, hi = max(a, shift_b), min(a + a_len, shift_b + b_len)
        if hi > lo:
            return lo, hi - lo
    return None


def _merged(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _clamp(ts: float) -> float:
    if ts != ts:  # NaN
        return _FIRST_TS
    return min(max(ts, _FIRST_TS), _LAST_TS)
