"""OEE and the shift report from what the service recorded: the calendar's planned busy
time, the stops, the counts of the period (read from the store, so any past period
works) and the orders' ideal cycle times."""

from __future__ import annotations

import time
from datetime import datetime
from datetime import time as wall

from ..alarms import PRIORITIES
from . import records
from .model import UNASSIGNED, Oee, Order, OrderState, ShiftReport, ShiftSpan
from .oee import clip_stops, compute_oee
from .state import OrdersBase

_CACHE_S = 2.0  # live figures are asked for by every view every second


class Periods(OrdersBase):
    _oee_cache: dict[tuple[str, str], tuple[float, Oee]]

    def oee(self, line: str, start: float, end: float) -> Oee:
        """ISO 22400-2 figures of ``line`` over [start, end)."""
        config = self._line(line)
        calendar = self.config.calendar
        end = max(end, start)
        counted = self.counted(line, start, end)
        good = sum(n for (_, counter), n in counted.items() if counter == "good")
        scrap = sum(n for (_, counter), n in counted.items() if counter == "scrap")
        produced: dict[str | None, int] = {}
        for (number, counter), n in counted.items():
            if counter in ("good", "scrap"):
                produced[number] = produced.get(number, 0) + n
        runs = [
            (self._cycle(number, config.ideal_cycle_s), max(n, 0)) for number, n in produced.items()
        ]
        startup = sum(
            s.quantity
            for s in self.scrap_records(line)
            if start <= s.ts < end and s.reason in self.config.startup_scrap
        )
        return compute_oee(
            calendar.planned_busy_time(start, end, line),
            self.stops(line, start, end),
            runs,
            max(good, 0),
            max(scrap, 0),
            startup,
            (start, end),
            busy_time=lambda a, b: calendar.planned_busy_time(a, b, line),
        )

    def live_oee(self, line: str) -> dict[str, Oee]:
        """OEE of the running order, the shift going on and the day so far."""
        now = self.now()
        periods: dict[str, tuple[float, float]] = {}
        order = self.running(line)
        if order is not None and order.started is not None:
            periods["order"] = (order.started, now)
        shift = self.config.calendar.shift_at(now)
        if shift is not None:
            periods["shift"] = (shift.start, now)
        periods["day"] = (self.day_start(now), now)
        cache = self.__dict__.setdefault("_oee_cache", {})
        out = {}
        for name, (start, end) in periods.items():
            kept = cache.get((line, name))
            if kept is None or time.monotonic() - kept[0] > _CACHE_S:
                kept = (time.monotonic(), self.oee(line, start, end))
                cache[(line, name)] = kept
            out[name] = kept[1]
        return out

    def day_start(self, ts: float) -> float:
        """Midnight before ``ts`` in the calendar's zone."""
        calendar = self.config.calendar
        day = calendar.local_day(ts)
        return datetime.combine(day, wall(0), calendar.tz).timestamp()

    def shift_report(self, line: str, shift: ShiftSpan) -> ShiftReport:
        """What the shift report shows for ``line`` over ``shift`` (any period works)."""
        self._line(line)
        self.store.flush(self.commit_timeout)  # the counts handed to the writer so far
        start, end = shift.start, shift.end
        stops = clip_stops(self.stops(line, start, end), start, min(end, self.now()))
        downtime: dict[str, tuple[int, float]] = {}
        micro = (0, 0.0)
        for stop in stops:
            seconds = stop.duration(end)
            if stop.micro:
                micro = (micro[0] + 1, micro[1] + seconds)
                continue
            key = stop.reason.key if stop.reason else UNASSIGNED
            n, total = downtime.get(key, (0, 0.0))
            downtime[key] = (n + 1, total + seconds)
        scrap_by_reason: dict[str, int] = {}
        for s in self.scrap_records(line):
            if start <= s.ts < end:
                scrap_by_reason[s.reason] = scrap_by_reason.get(s.reason, 0) + s.quantity
        counted = self.counted(line, start, end)
        good = sum(n for (_, c), n in counted.items() if c == "good")
        scrap = sum(n for (_, c), n in counted.items() if c == "scrap")
        uninspected = sum(n for (_, c), n in counted.items() if c == "uninspected")
        by_machine = scrap - sum(scrap_by_reason.values())
        if by_machine > 0:
            scrap_by_reason["counted by the machine"] = by_machine
        if self.alarm_counts is not None:
            alarms = dict(self.alarm_counts(line, start, end))
        else:
            raised = self._read(lambda conn: records.alarms_raised(conn, line, start, end))
            alarms = {PRIORITIES.get(p, f"priority {p}"): n for p, n in sorted(raised.items())}
        orders = self._orders_in(line, start, end)
        return ShiftReport(
            line=line,
            line_title=self.line_title(line),
            shift=shift,
            orders=orders,
            good=good,
            scrap=scrap,
            scrap_by_reason=scrap_by_reason,
            downtime_by_reason=downtime,
            micro_stops=micro,
            oee=self.oee(line, start, end),
            alarm_counts=alarms,
            stops=stops,
            generated=self.now(),
            order_counts=order_counts(counted, orders),
            uninspected=uninspected,
            order_uninspected={o.number: counted.get((o.number, "uninspected"), 0) for o in orders},
        )

    def _orders_in(self, line: str, start: float, end: float) -> list[Order]:
        """Orders that ran on ``line`` at some time in [start, end)."""
        found = [
            o
            for o in self.orders(line)
            if o.started is not None
            and o.started < end
            and (o.ended is None or o.ended >= start)
            and o.state is not OrderState.RELEASED
        ]
        return sorted(found, key=lambda o: (o.started or 0.0, o.number))

    def _cycle(self, number: str | None, default: float) -> float:
        order = self._orders.get(number) if number else None
        return order.ideal_cycle_s if order is not None and order.ideal_cycle_s > 0 else default

    def shifts_to_close(
        self, line: str, now: float, horizon: float = 2 * 86400.0
    ) -> list[ShiftSpan]:
        """Shifts of the calendar that ended before ``now`` and were not closed yet (those
        within ``horizon``: a station off for a week does not report every shift)."""
        since = max(self.closed_shifts.get(line, 0.0), now - horizon)
        return [s for s in self.config.calendar.shifts_between(since, now) if since < s.end <= now]


def order_counts(
    counted: dict[tuple[str | None, str], int], orders: list[Order]
) -> dict[str, tuple[int, int]]:
    """(good, scrap) per order from the period's recorded counts: the steps, manual scrap
    and corrections credited to it, the same records its totals are the sum of."""
    out = {o.number: (0, 0) for o in orders}
    for (number, counter), n in counted.items():
        if number is None or counter not in ("good", "scrap"):
            continue
        good, scrap = out.get(number, (0, 0))
        out[number] = (good + n, scrap) if counter == "good" else (good, scrap + n)
    return out
