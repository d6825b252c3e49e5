"""What every part of ``Orders`` shares: the state in memory, how a change reaches the
disk, the permission check, and the readings that need no store.

State lives in memory (loaded from the store at start) so reading is cheap from any
thread. Every change is one durable job of the store's writer holding the record and its
outbox rows; an action returns once that job is on disk, then tells the watchers. Counts
from the PLC are batched: readings are turned into steps at once, and each tick writes
a line's steps, its counters' last readings and the outbox event in one transaction, so
a restart resumes from exactly what was recorded.

Timestamps never go backwards here: a clock set back is held at the last instant seen,
so no duration is negative and no record is written before one it follows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .. import outbox
from ..access import Access
from ..listeners import Listeners
from ..store import Writer, connect, is_transient
from ..systemtags import SYSTEM_PREFIX
from ..words import describe_value, did_you_mean
from . import records, schema
from .config import OrdersConfig
from .counting import CounterSpec, CounterTracker
from .downtime import StopDetector, StopEvent
from .model import (
    Correction,
    CountStep,
    MachineState,
    Order,
    OrderChange,
    OrderState,
    OutboxEvent,
    Scrap,
    Stop,
)
from .products import as_number, figures

log = logging.getLogger(__name__)

START, HOLD, COMPLETE, ABORT = "orders.start", "orders.hold", "orders.complete", "orders.abort"
MANAGE, ASSIGN, SCRAP, CORRECT = (
    "orders.manage",
    "downtime.assign",
    "scrap.record",
    "counts.correct",
)
REPORTS = "reports.view"
RATE_WINDOW_S = 600.0
#: at most this much running time is credited between two ticks (a stalled station)
MAX_TICK_S = 5.0


class OrdersError(ValueError):
    """An order action that cannot be done; the message says why, for the operator."""


class _Commit:
    """Waits for one durable job; knows when the writer dropped it."""

    def __init__(self, job: Callable[[Any], None]):
        self.job = job
        self.done = threading.Event()
        self.error: BaseException | None = None
        self._failures = 0

    def run(self, conn: Any) -> None:
        try:
            self.job(conn)
        except Exception as exc:
            if not is_transient(exc):
                self._failures += 1
                self.error = exc
                if self._failures >= 2:  # failed alone as well: the writer drops it
                    self.done.set()
            raise

    def committed(self) -> None:
        self.error = None
        self.done.set()


class OrdersBase:
    """The production records of one station (see the module's docstring); ``Orders``
    (``service``) adds the actions, ``Flow`` the counting and downtime, ``Periods`` OEE."""

    def __init__(
        self,
        config: OrdersConfig,
        store: Writer,
        access: Access,
        *,
        clock: Callable[[], float] = time.time,
        commit_timeout: float = 10.0,
        line_titles: Mapping[str, str] | None = None,
        alarm_counts: Callable[[str, float, float], dict[str, int]] | None = None,
    ):
        self.config = config
        self.store = store
        self.access = access
        self.clock = clock
        self.commit_timeout = commit_timeout
        self.line_titles = dict(line_titles or {})
        self.alarm_counts = alarm_counts
        #: told (order, user) after an order started: the capability downloads its data
        self.on_started: Callable[[Order, str], None] | None = None
        #: told (order, user) after an order completed or was aborted: the PLC stops it
        self.on_ended: Callable[[Order, str], None] | None = None
        #: held by an action until its record is on disk; never taken where the writer's
        #: thread tells watchers (reading is lock-free, the clock has a lock of its own)
        self._lock = threading.RLock()
        self._clock_lock = threading.Lock()
        self._watchers = Listeners("about changed orders")
        self._orders: dict[str, Order] = {}
        self._stops: dict[int, Stop] = {}
        self._open_stop: dict[str, int] = {}
        self._scrap: list[Scrap] = []
        self._corrections: list[Correction] = []
        #: (line, tag) -> its tracker; (line, role) -> the tag of a role with one tag
        self._trackers: dict[tuple[str, str], CounterTracker] = {}
        self._by_role: dict[tuple[str, str], str] = {}
        self._detectors: dict[str, StopDetector] = {}
        self._machine: dict[str, MachineState] = {}
        self._pending: dict[str, list[tuple[CountStep, str]]] = {line: [] for line in config.lines}
        self._rates: dict[str, deque[tuple[float, int, float]]] = {
            line: deque() for line in config.lines
        }
        self._last_tick: dict[str, float] = {}
        self._next_stop = 1
        self._last_ts = 0.0
        self.closed_shifts: dict[str, float] = {}
        self._reader: Any = None
        self._read_lock = threading.Lock()

    # -- life -------------------------------------------------------------------------------

    def load(self) -> OrdersBase:
        """Create or migrate the tables and load the state (orders, open stops, counters)."""
        conn = connect(self.store.path)
        try:
            schema.prepare(conn)
            loaded = records.load(conn, self.config.reason)
            self._adopt(conn, loaded.counters)
        finally:
            conn.close()
        self._reader = connect(self.store.path, readonly=True)
        with self._lock:
            self._orders = loaded.orders
            self._stops = loaded.stops
            self._scrap = loaded.scrap
            self._corrections = loaded.corrections
            # a line never closed starts now: no report of shifts before the first start
            started = self.clock()
            self.closed_shifts = {line: started for line in self.config.lines}
            self.closed_shifts.update(loaded.closed_shifts)
            self._next_stop = max(self._stops, default=0) + 1
            stamps = [o.created for o in self._orders.values()]
            stamps += [s.end or s.start for s in self._stops.values()]
            stamps += [ts for _, ts in loaded.counters.values()]
            self._last_ts = max(stamps, default=0.0)
            for line_id, line in self.config.lines.items():
                for counter in line.counters.values():
                    key = (line_id, counter.role, counter.tag)
                    raw, ts = loaded.counters.get(key, (None, None))
                    spec = CounterSpec(
                        counter.role, counter.modulus, counter.max_jump, counter.max_rate
                    )
                    self._trackers[(line_id, counter.tag)] = CounterTracker(spec, raw, ts)
                for role, counters in line.roles.items():
                    if len(counters) == 1:
                        self._by_role[(line_id, role)] = counters[0].tag
                opened = [s for s in self._stops.values() if s.line == line_id and s.open]
                since = None
                if opened:
                    stop = max(opened, key=lambda s: s.start)
                    self._open_stop[line_id] = stop.id
                    since = (stop.start, stop.state)
                self._detectors[line_id] = StopDetector(line_id, line.micro_stop_s, since)
        return self

    def _adopt(self, conn: Any, stored: dict[tuple[str, str, str], tuple[int, float]]) -> None:
        """Give a reading stored for a role (before readings were kept per tag) to the
        role's one project tag: only project tags were counted then. A role with several
        project tags leaves it unused (their first readings are baselines)."""
        for line_id, role, _ in [key for key in stored if not key[2]]:
            line = self.config.lines.get(line_id)
            counters = line.roles.get(role, ()) if line is not None else ()
            named = [c.tag for c in counters if not c.tag.startswith(SYSTEM_PREFIX)]
            if len(named) > 1:
                log.warning("%s: the stored %s reading names no tag; not used", line_id, role)
            if len(named) != 1 or (line_id, role, named[0]) in stored:
                continue
            records.adopt(conn, line_id, role, named[0])
            stored[(line_id, role, named[0])] = stored.pop((line_id, role, ""))

    def close(self) -> None:
        """Write what is still batched (the last tick's counts)."""
        for line, pending in self._pending.items():
            if pending:
                log.warning("%s: %d count steps were not written at close", line, len(pending))
        self.store.flush(self.commit_timeout)
        with self._read_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    def now(self, ts: float | None = None) -> float:
        """``ts`` (or the clock), never before an instant already recorded."""
        with self._clock_lock:
            ts = self.clock() if ts is None else ts
            self._last_ts = max(self._last_ts, ts)
            return self._last_ts

    def watch(self, callback: Callable[[str], None]) -> Callable[[], None]:
        """Tell ``callback`` (line id) after each committed change; returns unwatch."""
        return self._watchers.add(callback)

    # -- reading ----------------------------------------------------------------------------

    def order(self, number: str) -> Order | None:
        return self._orders.get(number)

    def orders(
        self,
        line: str | None = None,
        states: Iterable[OrderState] | None = None,
        since: float | None = None,
    ) -> list[Order]:
        wanted = set(states) if states is not None else None
        found = [
            o
            for o in list(self._orders.values())
            if (line is None or o.line == line)
            and (wanted is None or o.state in wanted)
            and (since is None or (o.ended is None or o.ended >= since))
        ]
        return sorted(found, key=lambda o: (o.line, o.sequence, o.created, o.number))

    def queue(self, line: str) -> list[Order]:
        """Released and held orders of ``line``, in the order they run."""
        return self.orders(line, (OrderState.RELEASED, OrderState.HELD))

    def running(self, line: str) -> Order | None:
        return next(
            (
                o
                for o in list(self._orders.values())
                if o.line == line and o.state is OrderState.RUNNING
            ),
            None,
        )

    def history(self, number: str) -> list[OrderChange]:
        return self._read(lambda conn: records.changes(conn, number))

    def stops(self, line: str, since: float, until: float | None = None) -> list[Stop]:
        found = [
            s
            for s in list(self._stops.values())
            if s.line == line
            and (s.end is None or s.end >= since)
            and (until is None or s.start < until)
        ]
        return sorted(found, key=lambda s: (s.start, s.id))

    def stop_by_id(self, stop_id: int) -> Stop | None:
        return self._stops.get(stop_id)

    def unassigned_stops(self, line: str | None = None) -> list[Stop]:
        found = [
            s
            for s in list(self._stops.values())
            if (line is None or s.line == line) and not s.micro and s.reason is None
        ]
        return sorted(found, key=lambda s: (s.start, s.id))

    def scrap_records(self, line: str | None = None) -> list[Scrap]:
        return [s for s in list(self._scrap) if line is None or s.line == line]

    def corrections(self, number: str | None = None) -> list[Correction]:
        return [c for c in list(self._corrections) if number is None or c.order == number]

    def machine_state(self, line: str) -> MachineState | None:
        return self._machine.get(line)

    def rate(self, line: str) -> float | None:
        """Good pieces per hour over the last 10 minutes of running."""
        window = list(self._rates.get(line, ()))  # a copy: appended to on other threads
        if not window:
            return None
        newest = window[-1][0]
        pieces = sum(p for ts, p, _ in window if ts >= newest - RATE_WINDOW_S)
        running = sum(r for ts, _, r in window if ts >= newest - RATE_WINDOW_S)
        return pieces * 3600.0 / running if running > 0 else None

    def eta(self, line: str) -> float | None:
        """When the running order should reach its target at the current rate (POSIX)."""
        order, rate = self.running(line), self.rate(line)
        if order is None or not rate:
            return None
        return self.now() + order.remaining / rate * 3600.0

    def figures(self, number: str) -> dict[str, float]:
        """The order's live figures for its line type; ``uninspected`` where its line counts
        them (a camera decides its pieces) or it has some."""
        order = self._known(number)
        line = self.config.lines[order.line]
        out = figures(order, line.type)
        if order.uninspected or "uninspected" in line.roles:
            out["uninspected"] = float(order.uninspected)
        return out

    def outbox(self, limit: int = 100) -> list[OutboxEvent]:
        return self._read(lambda conn: outbox.read(conn, limit))

    def counted(self, line: str, start: float, end: float) -> dict[tuple[str | None, str], int]:
        """(order, counter) -> pieces recorded on ``line`` in [start, end)."""
        return self._read(lambda conn: records.counted(conn, line, start, end))

    def line_title(self, line: str) -> str:
        cfg = self.config.lines.get(line)
        return self.line_titles.get(line) or (cfg.title if cfg else "") or line

    # -- shared by the actions ------------------------------------------------------------

    def check_line(self, line: str) -> None:
        """Raise ``OrdersError`` (with the lines there are) unless ``line`` has orders."""
        self._line(line)

    def allowed(self, user: str, permission: str, target: str = "") -> None:
        """Raise ``OrdersError`` with the reason unless ``user`` may (a refusal is recorded)."""
        self._allowed(user, permission, target)

    def _allowed(self, user: str, permission: str, target: str) -> None:
        if not user or not str(user).strip():
            raise OrdersError("an order action needs the name of the user")
        refusal = self.access.refusal(user, permission, target)
        if refusal:
            self.access.record(user, permission, target, status="refused", message=refusal)
            raise OrdersError(refusal)

    def _known(self, number: str) -> Order:
        order = self._orders.get(number)
        if order is None:
            raise OrdersError(
                f"no order {number!r}: " + did_you_mean(str(number), self._orders, "orders")
            )
        return order

    def _line(self, line: str) -> Any:
        cfg = self.config.lines.get(line)
        if cfg is None:
            raise OrdersError(
                f"no line {line!r} in the orders section: "
                + did_you_mean(str(line), self.config.lines, "lines")
            )
        return cfg

    def _commit(self, job: Callable[[Any], None], line: str, wait: bool = True) -> None:
        """Hand ``job`` to the writer as durable; with ``wait``, return once it is on disk.

        The caller changes its memory only after this returns: a refused job changes
        nothing. A job still pending after the timeout stays queued (the writer retries
        while the disk refuses) and is applied as if committed; the error says so.
        """
        if not wait:
            self.store.submit(job, durable=True, on_commit=lambda: self._watchers.call(line))
            self.store.flush(0)
            return
        commit = _Commit(job)
        self.store.submit(commit.run, durable=True, on_commit=commit.committed)
        self.store.flush(0)  # wake the writer now rather than at its next interval
        if not commit.done.wait(self.commit_timeout):
            problem = self.store.problem or "the local database did not answer"
            raise OrdersError(f"not yet on disk ({problem}); kept and written when it can be")
        if commit.error is not None:
            log.error("an order record was refused by the local database: %s", commit.error)
            raise OrdersError(f"the local database refused the record: {commit.error}")

    def _read(self, fn: Callable[[Any], Any]) -> Any:
        with self._read_lock:
            if self._reader is None:
                raise OrdersError("the orders service is not started")
            return fn(self._reader)


def whole(value: Any, what: str, lowest: int, highest: int) -> int:
    """A whole number from a number or its text, within [lowest, highest]."""
    number = as_number(value)
    if number is None or number != int(number):
        raise OrdersError(f"{what} must be a whole number, not {describe_value(value)}")
    if not lowest <= number <= highest:
        raise OrdersError(f"{what} must be from {lowest} to {highest:,}, not {int(number):,}")
    return int(number)


def seconds(value: Any) -> float:
    number = as_number(value)
    if number is None or not 0 <= number <= 86400:
        raise OrdersError(
            f"ideal cycle time must be seconds from 0 to 86400, not {describe_value(value)}"
        )
    return float(number)


def state_payload(order: Order, change: OrderChange) -> dict[str, Any]:
    """An ``order.state`` event; ``ideal_cycle_s`` is the order's own ideal seconds per
    piece (what its OEE counts), null where the line's default applies."""
    return {
        "order": order.number,
        "line": order.line,
        "action": change.action,
        "state": order.state.value,
        "user": change.user,
        "reason": change.reason,
        "target": order.target,
        "good": order.good,
        "scrap": order.scrap,
        "uninspected": order.uninspected,
        "product": order.product,
        "ideal_cycle_s": order.ideal_cycle_s or None,
    }


def scrap_payload(s: Scrap) -> dict[str, Any]:
    return {
        "order": s.order,
        "line": s.line,
        "quantity": s.quantity,
        "reason": s.reason,
        "kg": s.kg,
        "user": s.user,
    }


def stop_payload(s: Stop, event: StopEvent | None = None) -> dict[str, Any]:
    return {
        "id": s.id,
        "line": s.line,
        "start": s.start,
        "end": s.end,
        "state": s.state.value,
        "micro": s.micro,
        "reason": s.reason.key if s.reason else "",
        "by": s.reason_by,
        "comment": s.comment,
        "order": s.order,
    }
