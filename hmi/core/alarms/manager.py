"""The alarm manager: detection, states, operator actions, journal and publication.

Threads: the engine offers batches of the tags the alarms read to a queue subscription
and only sets an Event, so it never waits for alarms. The manager's own thread
(``hmi-alarms``) wakes on that Event, and at least every ``tick`` seconds (100 ms) to let
delays and shelving expire without new values. It evaluates, applies transitions, hands
the journal one Writer job per cycle, calls the ``on_event`` listeners and publishes the
summary tags through its source's ``publish_system`` (the capability context posts them
to the runtime loop). Operator actions (acknowledge, shelve, ...) may come from any
thread: they change state under a lock at once, and their events are
delivered by the manager's thread like every other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..access import Access
from ..project.models import Project
from ..store import Writer
from ..subscription import Subscription
from ..tags import Batch
from . import publication
from .actions import SYSTEM_USER, OperatorActions
from .definitions import AlarmDef, load_alarms
from .evaluator import Evaluator
from .events import AlarmCounts, AlarmEvent, AlarmStatus
from .firstout import FirstOut
from .journal import Journal
from .kpi import AlarmKpis, compute_kpis, write_kpi_csv
from .messages import format_message
from .record import Record
from .states import Action, AlarmState, next_state

log = logging.getLogger(__name__)

KPI_PERIOD_S = 24 * 3600.0
Listener = Callable[[list[AlarmEvent]], None]


class AlarmManager(OperatorActions):
    def __init__(
        self,
        project: Project,
        writer: Writer,
        *,
        alarms: Sequence[AlarmDef] | None = None,
        publish: Callable[[Batch], None] | None = None,
        clock: Callable[[], float] = time.time,
        tick: float = 0.1,
        access: Access | None = None,
    ):
        if alarms is None:
            alarms, problems = load_alarms(project)
            for problem in problems:
                log.error("alarm left out: %s", problem)
        self.project = project
        self.clock = clock
        self.tick = tick
        self.access = access or Access(clock)  # who may acknowledge, shelve, ...
        self.journal = Journal(writer)
        self.evaluator = Evaluator(alarms)
        self.records = [Record(alarm) for alarm in self.evaluator.alarms]
        self.by_id = {record.alarm.id: record for record in self.records}
        self._index = {record.alarm.id: i for i, record in enumerate(self.records)}
        self.records_by_line: dict[str, list[Record]] = {line: [] for line in project.lines}
        for record in self.records:
            if record.alarm.line:
                self.records_by_line.setdefault(record.alarm.line, []).append(record)
        self.first_out = FirstOut()  # the alarm that tripped each line
        self._publish = publish
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._outbox: list[AlarmEvent] = []
        self._dirty: dict[str, Record] = {}
        self._shelved: dict[Record, None] = {}  # the records whose shelving may expire
        self._listeners: list[Listener] = []
        self._recent: deque[float] = deque()  # activation times of the last 10 minutes
        self._published: dict[str, Any] = {}
        self._summary_due = 0.0  # the flood flag decays with time: refresh it every second
        self._publish_everything = True
        self._sub: Subscription | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------

    def attach(self, source: Any) -> None:
        """Subscribe to the tags the alarms read (never to the alarms' own outputs).

        ``source`` is the capability's context (or the engine itself, in tools and tests
        that run no loop): it delivers the current values first and takes the summary
        tags through ``publish_system``.
        """
        sub = source.subscribe(
            "alarms",
            tags=set(self.evaluator.by_tag),
            max_batches=100_000,
            wake=self._wake.set,
            initial=True,
        )
        with self._lock:
            self._sub = sub
        if self._publish is None:
            self._publish = source.publish_system
        self._unsubscribe = lambda: source.unsubscribe(sub)

    def start(self, run_thread: bool = True) -> None:
        """Prepare the tables, resume the standing alarms, and start evaluating."""
        self.journal.prepare()
        self._restore()
        if run_thread:
            self._thread = threading.Thread(target=self._run, name="hmi-alarms", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop evaluating and hand the last events to the journal (before the store stops)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._unsubscribe is not None:
            try:
                self._unsubscribe()
            except RuntimeError:  # the loop is already closed
                pass
            self._unsubscribe = None
        self.step(tick=False)

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stopping:
            wait = next_tick - time.monotonic()
            if wait > 0:
                self._wake.wait(wait)
            self._wake.clear()
            due = time.monotonic() >= next_tick
            if due:
                next_tick = max(next_tick + self.tick, time.monotonic())
            try:
                self.step(tick=due)
            except Exception:
                log.exception("alarm evaluation failed; continuing")

    # -- one cycle ---------------------------------------------------------------------

    def step(self, now: float | None = None, *, tick: bool = True) -> None:
        """Evaluate what arrived, let timers expire, and deliver the resulting events."""
        with self._lock:
            now = self.clock() if now is None else now
            batches = self._sub.take() if self._sub is not None else []
            for batch in batches:
                self._apply_changes(self.evaluator.process(batch, now), now)
            if tick:
                self._apply_changes(self.evaluator.tick(now), now)
                self._expire_shelving(now)
            events, self._outbox = self._outbox, []
            dirty, self._dirty = self._dirty, {}
            keep = [r.state_row() for r in dirty.values() if r.standing]
            gone = [r.alarm.id for r in dirty.values() if not r.standing]
            touched = self.records if self._publish_everything else dirty.values()
            refresh = bool(dirty) or self._publish_everything or now >= self._summary_due
            if refresh:
                self._summary_due = now + 1.0
            summary = publication.changed(self, now, touched, self._published, events, refresh)
            self._publish_everything = False
        self.journal.record(events, keep, gone)
        if events:
            for listener in list(self._listeners):
                try:
                    listener(events)
                except Exception:
                    log.exception("alarm listener failed")
        if summary and self._publish is not None:
            try:
                self._publish(summary)
            except RuntimeError:  # the runtime loop has stopped
                pass

    def _apply_changes(self, changes: Iterable[Any], now: float) -> None:
        detectors = self.evaluator.detectors
        for index, action in changes:
            record = self.records[index]
            detector = detectors[index]
            record.active = detector.active
            record.suppressed = detector.suppressed
            record.value = self.evaluator.fields(record.alarm)["value"]
            self._dirty[record.alarm.id] = record
            if action is Action.CLEAR and record.state is AlarmState.SHELVED and record.one_shot:
                self._transition(record, Action.UNSHELVE, now, SYSTEM_USER, "returned to normal")
            self._transition(record, action, now)

    def _transition(
        self, record: Record, action: Action, now: float, user: str = "", comment: str = ""
    ) -> bool:
        old = record.state
        new = next_state(
            old,
            action,
            active=record.active,
            latch=record.alarm.latch,
            acked=record.acked,
            suppressed=record.suppressed,
        )
        if new is None:
            return False
        if new is AlarmState.UNACKED and old is not AlarmState.UNACKED:
            record.activated_at = now
            record.message = format_message(
                record.alarm.message, self.evaluator.fields(record.alarm)
            )
            if action is Action.ACTIVATE:
                self._recent.append(now)
        record.move(action, new, now)
        self.first_out.follow(record, action, new, self.records_by_line.get(record.alarm.line, ()))
        if new is AlarmState.SHELVED:
            self._shelved[record] = None
        else:
            self._shelved.pop(record, None)
        self._dirty[record.alarm.id] = record
        self._outbox.append(record.event(now, action, old, user, comment))
        if threading.current_thread() is not self._thread:
            self._wake.set()  # an operator's action: deliver its events now
        return True

    def _expire_shelving(self, now: float) -> None:
        for record in list(self._shelved):
            if (record.shelved_until or 0) <= now:
                self._transition(record, Action.UNSHELVE, now, SYSTEM_USER, "shelving expired")

    # -- restart -----------------------------------------------------------------------

    def _restore(self) -> None:
        gone = []
        with self._lock:
            for row in self.journal.load_states():
                record = self.by_id.get(row.alarm_id)
                if record is None:
                    gone.append(row.alarm_id)  # its definition was removed from the project
                    continue
                record.restore(row)
                self.evaluator.restore(self._index[row.alarm_id], row.active, row.suppressed)
                if record.state is AlarmState.SHELVED:
                    self._shelved[record] = None
        self.journal.record([], [], gone)

    # -- what the UI reads -------------------------------------------------------------

    def on_event(self, callback: Listener) -> Callable[[], None]:
        """Call ``callback`` with the events of each cycle (a list, in order) from the
        manager's thread; returns a function that removes it."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def active(self, line: str | None = None) -> list[AlarmStatus]:
        """The alarm list: highest priority first, newest first within a priority."""
        found = self.alarms(states=[s for s in AlarmState if s.listed], line=line)
        return sorted(found, key=lambda a: (a.priority, -(a.activated_at or a.since)))

    def alarms(
        self, states: Iterable[AlarmState] | None = None, line: str | None = None
    ) -> list[AlarmStatus]:
        """Every alarm (or those in ``states`` / on ``line``) as it stands now."""
        wanted = None if states is None else set(states)
        with self._lock:
            return [
                record.status(self.first_out.holds(record))
                for record in self.records
                if (wanted is None or record.state in wanted)
                and (line is None or record.alarm.line == line)
            ]

    def get(self, alarm_id: str) -> AlarmStatus | None:
        with self._lock:
            record = self.by_id.get(alarm_id)
            return None if record is None else record.status(self.first_out.holds(record))

    def counts(self, line: str | None = None) -> AlarmCounts:
        with self._lock:
            return publication.counts(
                r for r in self.records if line is None or r.alarm.line == line
            )

    def query(self, **filters: Any) -> list[AlarmEvent]:
        """Journal rows; see ``Journal.query`` for the filters."""
        return self.journal.query(**filters)

    def states_at(self, alarm_ids: Iterable[str], t: float) -> dict[str, AlarmState]:
        """Each alarm's state at a past moment ``t``, from the journal (for replay)."""
        return self.journal.states_at(alarm_ids, t)

    def export_csv(self, target: str | Path | TextIO, **filters: Any) -> int:
        return self.journal.export_csv(target, **filters)

    def kpis(self, start: float | None = None, end: float | None = None) -> AlarmKpis:
        """The alarm KPIs over [start, end] (default: the last 24 hours)."""
        end = self.clock() if end is None else end
        start = end - KPI_PERIOD_S if start is None else start
        return compute_kpis(self.journal.activations(start, end), start, end, self.alarms())

    def write_kpi_report(
        self, target: str | Path | TextIO, start: float | None = None, end: float | None = None
    ) -> AlarmKpis:
        kpis = self.kpis(start, end)
        write_kpi_csv(kpis, target)
        return kpis

    def recent_activations(self, now: float) -> int:
        """Activations in the last 10 minutes (for the flood flag)."""
        while self._recent and self._recent[0] <= now - 600.0:
            self._recent.popleft()
        return len(self._recent)
