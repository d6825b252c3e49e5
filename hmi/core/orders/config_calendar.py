"""The ``calendar:`` of the ``orders:`` section: time zone, shifts with their breaks and
days, holidays and planned downtime, read into a ``ShiftCalendar``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from ..project.fields import Fields
from ..words import describe_value, did_you_mean, shorten
from .calendar import (
    WEEKDAYS,
    Break,
    PlannedDowntime,
    Shift,
    ShiftCalendar,
    clock,
    overlaps,
    zone,
)
from .config_reader import SectionReader, name_text
from .config_types import BREAK_FIELDS, BREAK_LENGTH, CALENDAR_FIELDS, DOWNTIME_FIELDS, SHIFT_FIELDS
from .model import Reason, StopKind

_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_WHEN = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


class CalendarReader(SectionReader):
    """Reads ``calendar:``; shifts that overlap are named at the later one's line."""

    def calendar(self, reasons: list[Reason]) -> ShiftCalendar:
        top = self.top
        if top.get("calendar") is None:
            return ShiftCalendar.from_config()
        fields = top.child("calendar", "{shifts: [{name: Morning, start: '06:00', end: '14:00'}]}")
        if fields is None:
            return ShiftCalendar.from_config()
        fields.unknown_keys(CALENDAR_FIELDS)
        timezone = None
        if fields.get("timezone") is not None:
            timezone = self.timezone(fields)
        tz = zone(timezone)
        days = None
        if fields.get("days") is not None:
            days = self.days(fields, fields, "days")
        shifts = self.shifts(fields)
        for first, second, where in overlaps(shifts, days if days is not None else range(7)):
            entry = self.item(
                fields, "shifts", fields.data["shifts"], _shift_index(fields, second), fields.label
            )
            entry.problem(
                None,
                f"shift {second.name} overlaps shift {first.name} ({where}); move its start or end",
            )
        holidays = self.holidays(fields)
        downtime = self.downtime(fields, reasons, ShiftCalendar((), tz=tz))
        return ShiftCalendar(
            shifts or ShiftCalendar.from_config().shifts,
            days if days is not None else range(7),
            holidays,
            downtime,
            tz,
        )

    def timezone(self, fields: Fields) -> str | None:
        name = fields.text("timezone")
        if name is None:
            return None
        try:
            zone(name)
        except ValueError:
            import zoneinfo

            hint = did_you_mean(name, sorted(zoneinfo.available_timezones()), "zones", listed=0)
            fields.problem(
                "timezone",
                f"timezone: unknown time zone '{shorten(name)}'; {hint} "
                "(IANA names such as Europe/Rome; leave it out for the PC's zone)",
            )
            return None
        return name

    def days(self, fields: Fields, where: Fields, key: str) -> frozenset[int] | None:
        value = fields.get(key)
        items = value if isinstance(value, list) else [value]
        out: set[int] = set()
        for item in items:
            got = _weekdays(item)
            if got is None:
                where.problem(
                    key,
                    f"{key}: expected days such as [mon, tue, wed] or [mon-fri], got "
                    f"{describe_value(item)}; the days are {', '.join(WEEKDAYS)}",
                )
                return None
            out |= got
        return frozenset(out)

    def shifts(self, fields: Fields) -> list[Shift]:
        out: list[Shift] = []
        names: dict[str, int] = {}
        for entry in self.entries(
            fields,
            "shifts",
            "orders: calendar: shifts",
            "{name: Morning, start: '06:00', end: '14:00'}",
            "a mapping with name:, start: and end:",
        ):
            shift = self.shift(entry)
            if shift is None:
                continue
            if shift.name.casefold() in names:
                entry.problem(
                    "name",
                    f"shift name '{shift.name}' is used twice (first at line "
                    f"{names[shift.name.casefold()]}); rename one",
                )
                continue
            names[shift.name.casefold()] = entry.line
            out.append(shift)
        return out

    def shift(self, fields: Fields) -> Shift | None:
        fields.unknown_keys(SHIFT_FIELDS)
        name = fields.text("name")
        if name is None and fields.get("name") is None:
            fields.problem(None, "name: missing; e.g. Morning")
        start = self.clock(fields, "start", required=True)
        end = self.clock(fields, "end", required=True)
        days = self.days(fields, fields, "days") if fields.get("days") is not None else None
        if start is not None and end is not None and start == end:
            fields.problem(
                "end",
                f"end: the shift ends when it starts ({clock(end)}); a shift lasts less than 24 h",
            )
        if name is None or start is None or end is None or fields.failed:
            return None
        shift = Shift(name, start, end, (), days)
        return Shift(name, start, end, self.breaks(fields, shift), days)

    def clock(self, fields: Fields, key: str, required: bool = False) -> int | None:
        """Minutes of the day from ``"06:00"``."""
        value = fields.data.get(key)
        if value is None or value == "":
            if required:
                fields.problem(None, f'{key}: missing; a time of day such as "06:00"')
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1440:
            # YAML 1.1 reads 14:00 written without quotes as the number 840
            fields.problem(
                key,
                f"{key}: got the number {value}; write the time in quotes, "
                f'e.g. "{clock(value)}" (unquoted, YAML reads it as a number)',
            )
            return None
        match = _CLOCK.match(value) if isinstance(value, str) else None
        if match is not None:
            hour, minute = int(match[1]), int(match[2])
            if (hour < 24 and minute < 60) or (hour == 24 and minute == 0):
                return (hour * 60 + minute) % 1440
        fields.wrong(key, 'a time of day such as "06:00" (00:00 to 24:00)')
        return None

    def breaks(self, fields: Fields, shift: Shift) -> tuple[Break, ...]:
        out: list[tuple[int, Break]] = []
        example = "{at: '10:00', length: 15m}"
        for entry in self.entries(fields, "breaks", f"{fields.label}: breaks", example, example):
            entry.unknown_keys(BREAK_FIELDS)
            at = self.clock(entry, "at", required=True)
            length = entry.duration("length", within=BREAK_LENGTH)
            if length is None and entry.get("length") is None:
                entry.problem(None, "length: missing; e.g. 15m")
            if at is None or length is None:
                continue
            offset = shift.offset(at)
            if offset >= shift.minutes or offset * 60 + length > shift.minutes * 60:
                entry.problem(
                    "at",
                    f"the break {clock(at)} for {length / 60:g} min is not inside shift "
                    f"{shift.name} ({clock(shift.start)}-{clock(shift.end)})",
                )
                continue
            if out and offset * 60 < out[-1][0] * 60 + out[-1][1].length_s:
                entry.problem(
                    "at",
                    f"the break at {clock(at)} starts before the one before "
                    "it ends; write breaks in order, apart",
                )
                continue
            out.append((offset, Break(at, length)))
        return tuple(b for _, b in out)

    def holidays(self, fields: Fields) -> list[date]:
        values = self.listed(fields, "holidays", '["2026-12-25", "2027-01-01"]')
        out = []
        for index, value in enumerate(values or []):
            day = value if isinstance(value, date) and not isinstance(value, datetime) else None
            if isinstance(value, str) and (match := _WHEN.match(value)) and match[4] is None:
                day = _date(match)
            if day is None:
                where = self.item(fields, "holidays", values or [], index, fields.label)
                where.problem(
                    None,
                    f'holidays: expected a date such as "2026-12-25", got {describe_value(value)}',
                )
                continue
            out.append(day)
        return out

    def downtime(
        self, fields: Fields, reasons: list[Reason], calendar: ShiftCalendar
    ) -> list[PlannedDowntime]:
        planned = [r.name for r in reasons if r.kind is StopKind.PLANNED]
        out = []
        for entry in self.entries(
            fields,
            "planned_downtime",
            "orders: calendar: planned_downtime",
            '{line: line1, start: "2026-12-10 06:00", end: "2026-12-10 10:00"}',
            "a mapping with start: and end:",
        ):
            entry.unknown_keys(DOWNTIME_FIELDS)
            line = entry.text("line")
            if line is not None and line not in self.project.lines:
                hint = did_you_mean(line, self.project.lines, "lines")
                entry.problem(
                    "line",
                    f"line: unknown line '{shorten(line)}'; {hint} "
                    "(leave line: out for every line)",
                )
            start = self.when(entry, "start", calendar, end=False)
            end = self.when(entry, "end", calendar, end=True)
            if start is not None and end is not None and end <= start:
                entry.problem("end", "end: is not after start:")
            reason = entry.text("reason") or ""
            if reason and reasons and reason.casefold() not in {p.casefold() for p in planned}:
                hint = did_you_mean(reason, planned, "planned reasons")
                entry.problem(
                    "reason", f"reason: '{shorten(reason)}' is not a planned reason; {hint}"
                )
            if entry.failed or start is None or end is None:
                continue
            out.append(PlannedDowntime(start, end, line, reason))
        return out

    def when(self, fields: Fields, key: str, calendar: ShiftCalendar, end: bool) -> float | None:
        """An instant from local ``"2026-12-10 06:00"``; a date alone is its first instant
        (``start``) or the first instant of the next day (``end``)."""
        value = fields.data.get(key)
        if value is None or value == "":
            fields.problem(None, f'{key}: missing; a local time such as "2026-12-10 06:00"')
            return None
        try:
            if isinstance(value, datetime):
                if value.tzinfo is not None:
                    return value.timestamp()
                stamp = value.replace(tzinfo=calendar.tz).timestamp()
                return stamp
            day: date | None = None
            if isinstance(value, date):
                day = value
            elif isinstance(value, str) and (match := _WHEN.match(value)):
                day = _date(match)
                if day is not None and match[4] is not None:
                    hour, minute, second = int(match[4]), int(match[5]), int(match[6] or 0)
                    if hour > 23 or minute > 59 or second > 59:
                        raise ValueError
                    return calendar.instant(day, hour * 60 + minute) + second
            if day is None:
                raise ValueError
            return calendar.instant(day + timedelta(days=1) if end else day, 0)
        except (ValueError, OverflowError, OSError):
            fields.wrong(key, 'a local date and time such as "2026-12-10 06:00"')
            return None


def _weekdays(item: Any) -> set[int] | None:
    """``mon``, ``Monday`` or a range ``mon-fri`` as week day numbers (0 Monday)."""
    if not isinstance(item, str):
        return None
    parts = [p.strip().lower()[:3] for p in item.split("-")]
    if len(parts) > 2 or any(p not in WEEKDAYS for p in parts):
        return None
    first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
    return {(first + i) % 7 for i in range((last - first) % 7 + 1)}


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _shift_index(fields: Fields, shift: Shift) -> int:
    values = fields.data.get("shifts")
    if isinstance(values, list):
        for index, value in enumerate(values):
            if isinstance(value, Mapping) and name_text(value.get("name")) == shift.name:
                return index
    return 0
