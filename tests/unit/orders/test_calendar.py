"""The shift calendar: shift spans, breaks, holidays, planned downtime and planned busy
time, checked against figures worked out by hand (the arithmetic beside each)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hmi.core.orders.calendar import (
    Break,
    PlannedDowntime,
    Shift,
    ShiftCalendar,
    local_zone,
    overlaps,
)

ROME = ZoneInfo("Europe/Rome")
UTC = ZoneInfo("UTC")
H = 3600.0
MON_SAT = range(6)


def at(tz, *when) -> float:
    return datetime(*when, tzinfo=tz).timestamp()


def three_shifts(**kw) -> list[Shift]:
    """Morning 06-14 (break 10:00 15 min), Afternoon 14-22 (break 18:00 30 min), Night 22-06."""
    return [
        Shift("Morning", 6 * 60, 14 * 60, (Break(10 * 60, 15 * 60),), **kw),
        Shift("Afternoon", 14 * 60, 22 * 60, (Break(18 * 60, 30 * 60),)),
        Shift("Night", 22 * 60, 6 * 60),
    ]


def round_the_clock() -> list[Shift]:
    return [Shift("A", 360, 840), Shift("B", 840, 1320), Shift("C", 1320, 360)]


def test_a_monday_of_a_mon_to_sat_week():
    calendar = ShiftCalendar(three_shifts(), MON_SAT, tz=UTC)
    monday = date(2026, 3, 2)
    assert monday.weekday() == 0
    start, end = at(UTC, 2026, 3, 2), at(UTC, 2026, 3, 3)
    # Sunday's night shift is not planned (mon-sat), so 00:00-06:00 is not busy;
    # Morning 8 h - 0.25 h + Afternoon 8 h - 0.5 h + Night 22:00-24:00 2 h = 17.25 h
    assert calendar.planned_busy_time(start, end, "line1") == 17.25 * H
    spans = calendar.shifts_between(start, end)
    assert [(s.name, s.day) for s in spans] == [
        ("Morning", "2026-03-02"),
        ("Afternoon", "2026-03-02"),
        ("Night", "2026-03-02"),
    ]
    assert spans[2].end - spans[2].start == 8 * H  # 22:00 to 06:00 the next day
    # the whole week Mon 00:00 - next Mon 00:00: 6 days x (7.75 + 7.5 + 8) h = 139.5 h
    # (Saturday's night shift runs into Sunday 06:00, inside the week)
    assert calendar.planned_busy_time(start, at(UTC, 2026, 3, 9), "line1") == 139.5 * H


def test_shift_at_and_the_edges_of_shifts():
    calendar = ShiftCalendar(three_shifts(), MON_SAT, tz=UTC)
    assert calendar.shift_at(at(UTC, 2026, 3, 2, 5, 59)) is None  # Sunday night not planned
    tuesday_early = calendar.shift_at(at(UTC, 2026, 3, 3, 5, 59))
    assert tuesday_early is not None and tuesday_early.key == "2026-03-02/Night"
    two = calendar.shift_at(at(UTC, 2026, 3, 2, 14))  # half-open: 14:00 is the Afternoon's
    assert two is not None and two.name == "Afternoon"
    assert calendar.shift_at(at(UTC, 2026, 3, 2, 10, 5)).name == "Morning"  # a break is in it


def test_breaks_in_a_night_shift_after_midnight():
    calendar = ShiftCalendar(
        [Shift("Night", 22 * 60, 6 * 60, (Break(23 * 60, 15 * 60), Break(2 * 60, 30 * 60)))],
        tz=UTC,
    )
    start = at(UTC, 2026, 3, 2, 22)
    # 8 h - 0.25 h (23:00) - 0.5 h (02:00 the next morning) = 7.25 h
    assert calendar.planned_busy_time(start, start + 8 * H, "l") == 7.25 * H
    # only part of it: 01:00-03:00 holds 02:00-02:30 of break: 2 h - 0.5 h = 1.5 h
    one = at(UTC, 2026, 3, 3, 1)
    assert calendar.planned_busy_time(one, one + 2 * H, "l") == 1.5 * H
    assert calendar.busy_periods(one, one + 2 * H, "l") == [
        (one, one + H),
        (one + 1.5 * H, one + 2 * H),
    ]


@pytest.mark.parametrize(
    ("day", "hours", "night_hours"),
    [
        # clocks go forward 02:00 -> 03:00: the day has 23 h, the night 28->29 lasts 7 h
        ((2026, 3, 29), 23, 7),
        # clocks go back 03:00 -> 02:00: the day has 25 h, the night 24->25 lasts 9 h
        ((2026, 10, 25), 25, 9),
        ((2026, 6, 14), 24, 8),
    ],
)
def test_a_dst_change_day_has_23_or_25_hours(day, hours, night_hours):
    calendar = ShiftCalendar(round_the_clock(), tz=ROME)
    start = at(ROME, *day)
    end = datetime.fromtimestamp(start + 30 * H, ROME).replace(hour=0).timestamp()
    assert calendar.planned_busy_time(start, end, "line1") == hours * H
    night = calendar.shift_at(start + 3 * H)  # 03:00 or 02:00 local: in the night shift
    assert night is not None and night.name == "C"
    assert night.end - night.start == night_hours * H
    assert night.end == at(ROME, *day, 6)
    # no shifts written: one shift round the clock, midnight to midnight
    day_shift = ShiftCalendar.from_config(timezone="Europe/Rome")
    assert day_shift.planned_busy_time(start, end, "x") == hours * H
    span = day_shift.shift_at(start + H)
    assert span is not None and (span.name, span.end - span.start) == ("Day", hours * H)


def test_a_shift_starting_on_a_holiday_is_not_planned():
    christmas = date(2026, 12, 25)
    calendar = ShiftCalendar(three_shifts(), holidays=[christmas], tz=ROME)
    start, end = at(ROME, 2026, 12, 25), at(ROME, 2026, 12, 26)
    # only the night shift that started on the 24th: 00:00-06:00 = 6 h
    assert calendar.planned_busy_time(start, end, "line1") == 6 * H
    assert [s.key for s in calendar.shifts_between(start, end)] == ["2026-12-24/Night"]
    assert calendar.shift_at(at(ROME, 2026, 12, 25, 23)) is None
    # the next end after Christmas noon: the Morning of the 26th, 14:00
    assert calendar.next_shift_end(at(ROME, 2026, 12, 25, 12)) == at(ROME, 2026, 12, 26, 14)


def test_planned_downtime_for_one_line_or_all_counted_once_with_breaks():
    calendar = ShiftCalendar(
        three_shifts(),
        tz=UTC,
        planned_downtime=[
            PlannedDowntime(at(UTC, 2026, 12, 10, 6), at(UTC, 2026, 12, 10, 10), "line1"),
            # for every line, overlapping the Morning break 10:00-10:15 and the one above
            PlannedDowntime(at(UTC, 2026, 12, 10, 9), at(UTC, 2026, 12, 10, 10, 30)),
        ],
    )
    start, end = at(UTC, 2026, 12, 10, 6), at(UTC, 2026, 12, 10, 14)
    # line1: out 06:00-10:30 (downtime, break inside it) = 4.5 h; 8 h - 4.5 h = 3.5 h
    assert calendar.planned_busy_time(start, end, "line1") == 3.5 * H
    # line2: out 09:00-10:30 = 1.5 h (the break within it counted once); 8 - 1.5 = 6.5 h
    assert calendar.planned_busy_time(start, end, "line2") == 6.5 * H


def test_next_shift_end():
    calendar = ShiftCalendar(three_shifts(), MON_SAT, tz=UTC)
    assert calendar.next_shift_end(at(UTC, 2026, 3, 2, 9)) == at(UTC, 2026, 3, 2, 14)
    # Saturday 23:00: Saturday's night shift ends on Sunday 06:00
    assert calendar.next_shift_end(at(UTC, 2026, 3, 7, 23)) == at(UTC, 2026, 3, 8, 6)
    # Sunday 10:00, no shift: Monday's Morning ends at 14:00
    assert calendar.next_shift_end(at(UTC, 2026, 3, 8, 10)) == at(UTC, 2026, 3, 9, 14)
    never = ShiftCalendar(three_shifts(), days=[], tz=UTC)
    assert never.next_shift_end(at(UTC, 2026, 3, 8, 10)) is None  # bounded look-ahead
    assert never.planned_busy_time(at(UTC, 2026, 1, 1), at(UTC, 2027, 1, 1), "l") == 0.0


def test_shifts_that_run_at_once_are_found_with_where():
    late = Shift("Late", 13 * 60, 21 * 60)
    early = Shift("Early", 5 * 60, 13 * 60)
    found = overlaps([*three_shifts(), late])
    assert [(a.name, b.name) for a, b, _ in found] == [("Morning", "Late"), ("Afternoon", "Late")]
    assert found[0][2] == "mon 13:00-14:00"
    found = overlaps([Shift("Night", 22 * 60, 6 * 60), early], MON_SAT)
    # Monday's night runs into Tuesday 05:00-06:00 (Sunday's night is not planned)
    assert [(a.name, b.name, where) for a, b, where in found] == [
        ("Night", "Early", "tue 05:00-06:00")
    ]
    saturday = Shift("Saturday", 6 * 60, 12 * 60, days=frozenset({5}))
    weekdays = Shift("Morning", 6 * 60, 14 * 60, days=frozenset(range(5)))
    assert overlaps([weekdays, saturday]) == []
    assert overlaps(round_the_clock()) == []


def test_the_pcs_zone_follows_dst(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Rome")
    zone = local_zone()
    assert datetime(2026, 1, 15, tzinfo=zone).utcoffset().total_seconds() == H
    assert datetime(2026, 7, 15, tzinfo=zone).utcoffset().total_seconds() == 2 * H
    assert ShiftCalendar.from_config().tz is not None


def test_instants_outside_the_calendar_range_do_not_raise():
    calendar = ShiftCalendar(three_shifts(), tz=UTC)
    assert calendar.shift_at(-1e18) is None
    assert calendar.shift_at(float("nan")) is None
    assert calendar.planned_busy_time(1e18, 2e18, "l") == 0.0
