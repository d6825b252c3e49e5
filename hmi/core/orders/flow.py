"""What the machines tell the orders: counter readings become count steps, machine states
become stops; and what people do to stops afterwards (reason, split, merge).

Counter readings are turned into steps as they arrive (``feed_counter``) and written in
batches: one transaction per line with the steps, the order totals, each counter's last
reading and the outbox event. A reading is never committed without its step, nor a step
without its reading, which is what makes a restart after ``kill -9`` resume exactly.

A line's batch goes to the writer as soon as its step is made, unless the line's previous
batch is not on disk yet or went less than ``MIN_BATCH_S`` ago; then it waits, growing,
for the next reading after that or for the ``tick`` (every 100 ms from the capability),
which writes whatever waits. So a count is committed one disk sync after it was read while
the disk keeps up; when the disk is slow, readings gather into fewer, bigger batches
instead of a queue of small ones, and a fast counter makes at most one batch per
``MIN_BATCH_S`` besides the tick's.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterable
from typing import Any

from .. import outbox
from ..words import did_you_mean
from . import records
from .counting import ADDING
from .downtime import StopEvent
from .model import CountStep, MachineState, Stop
from .state import (
    ASSIGN,
    MAX_TICK_S,
    RATE_WINDOW_S,
    OrdersBase,
    OrdersError,
    stop_payload,
    whole,
)

_FLAGGED = ("jump", "invalid")  # readings the supervisor should see: sent, not added
#: counter role -> which order total it adds to (others count good)
_TOTALS = {"good": 0, "scrap": 1, "billets": 2, "uninspected": 3}
#: the least time between two of a line's batches written before the tick (CPU and outbox
#: events per second stay bounded under a fast counter)
MIN_BATCH_S = 0.05
#: a batch not confirmed after this long is taken as dropped by the writer: the next
#: reading's batch goes on its own (the writer keeps the order of its jobs anyway)
IN_FLIGHT_S = 2.0
#: good pieces counted within this long of the rate window's newest entry join that entry
RATE_MERGE_S = 0.1


class Flow(OrdersBase):
    _sent: dict[str, tuple[int, float, bool]]  # line -> (batch, when sent, committed)
    _sent_lock: threading.Lock

    def close(self) -> None:
        """Write the last batched counts and wait for them, then close."""
        self.tick()
        self.store.flush(self.commit_timeout)
        super().close()

    # -- counting ---------------------------------------------------------------------------

    def feed_counter(
        self, line: str, counter: str, raw: int | None, good: bool = True, ts: float | None = None
    ) -> CountStep | None:
        """A reading of the counter tag ``counter`` of ``line`` (or of the role named so,
        when one tag counts it; None or not good: Bad); its step is batched for the line."""
        with self._lock:
            tag = self._by_role.get((line, counter), counter)
            tracker = self._trackers.get((line, counter)) or self._trackers.get((line, tag))
            if tracker is None:
                return None
            if (line, counter) in self._trackers:
                tag = counter
            when = self.now(ts)
            step = tracker.update(raw, when, good)
            if step is None:
                return None
            running = self.running(line)
            step = dataclasses.replace(step, line=line, order=running.number if running else None)
            self._pending[line].append((step, tag))  # the source: which tag counted it
            if self._writable(line):
                self._flush_line(line)
            return step

    def _writable(self, line: str) -> bool:
        """Whether the line's batch may go to the writer before the tick: its previous batch
        is on disk (or lost) and went at least ``MIN_BATCH_S`` ago."""
        sent = self.__dict__.get("_sent", {}).get(line)
        if sent is None:
            return True
        _, when, committed = sent
        waited = time.monotonic() - when
        return waited >= MIN_BATCH_S and (committed or waited >= IN_FLIGHT_S)

    def add_count(
        self,
        line: str,
        good: Any = 0,
        scrap: Any = 0,
        *,
        source: str,
        user: str = "",
        uninspected: Any = 0,
    ) -> None:
        """Pieces counted by something other than the line's counter tags: the same path
        and records as theirs, written at once."""
        self._line(line)
        good_n = whole(good, "good count", 0, 1_000_000)
        scrap_n = whole(scrap, "scrap count", 0, 1_000_000)
        uninspected_n = whole(uninspected, "uninspected count", 0, 1_000_000)
        if not source.strip():
            raise OrdersError("a count needs its source (vision:cam1, ...)")
        with self._lock:
            when = self.now()
            running = self.running(line)
            number = running.number if running else None
            for counter, delta in (
                ("good", good_n),
                ("scrap", scrap_n),
                ("uninspected", uninspected_n),
            ):
                if delta:
                    step = CountStep(line, counter, delta, None, None, "count", when, number)
                    self._pending[line].append(
                        (step, source.strip() + (f"/{user}" if user else ""))
                    )
            self._flush_line(line)

    def tick(self, ts: float | None = None) -> None:
        """Credit running time and write every line's batched steps (the capability calls
        this every 100 ms)."""
        with self._lock:
            when = self.now(ts)
            for line in self.config.lines:
                self._credit(line, when)
                self._flush_line(line)

    def _credit(self, line: str, when: float) -> None:
        last = self._last_tick.get(line)
        self._last_tick[line] = when
        order = self.running(line)
        state = self._machine.get(line)
        config = self.config.lines[line]
        if order is None or last is None:
            return
        if config.state is not None and state is not MachineState.RUNNING:
            return
        seconds = min(max(when - last, 0.0), MAX_TICK_S)
        if seconds > 0:
            self._orders[order.number] = dataclasses.replace(
                order, run_seconds=order.run_seconds + seconds
            )
            self._rates[line].append((when, 0, seconds))

    def _flush_line(self, line: str) -> None:
        """Hand the line's batched steps to the writer as one durable transaction."""
        pending = self._pending[line]
        if not pending:
            return
        self._pending[line] = []
        steps = [step for step, _ in pending]
        totals: dict[str, list[int]] = {}
        by_stream: dict[str, list[tuple[CountStep, str]]] = {}
        good_now = 0
        for step, source in pending:
            if step.kind not in ADDING:
                if step.kind in _FLAGGED:
                    by_stream.setdefault(outbox.stream_of(step.order, line), []).append(
                        (step, source)
                    )
                continue
            by_stream.setdefault(outbox.stream_of(step.order, line), []).append((step, source))
            if step.order is None:
                continue
            index = _TOTALS.get(step.counter, 0)
            totals.setdefault(step.order, [0, 0, 0, 0])[index] += step.delta
            if index == 0:
                good_now += step.delta
        states = [
            (line, tracker.spec.name, tag, tracker.last_raw, tracker.last_ts)
            for (of, tag), tracker in self._trackers.items()
            if of == line and tracker.last_raw is not None and tracker.last_ts is not None
        ]
        running = {n: self._orders[n].run_seconds for n in totals if n in self._orders}
        events = [
            outbox.event(stream, "count", _count_payload(line, stream, group), group[-1][0].ts)
            for stream, group in by_stream.items()
        ]
        sources = [source for _, source in pending]

        def job(conn: Any) -> None:
            for source in dict.fromkeys(sources):
                records.insert_steps(conn, [s for s, src in pending if src == source], source)
            for number, (good, scrap, billets, uninspected) in totals.items():
                records.add_totals(conn, number, good, scrap, billets, uninspected)
            conn.executemany(
                "UPDATE orders SET run_seconds = ? WHERE number = ?",
                [(seconds, number) for number, seconds in running.items()],
            )
            records.set_counter_state(conn, states)
            outbox.write(conn, events)

        self._submit_batch(job, line)
        for number, (good, scrap, billets, uninspected) in totals.items():
            order = self._orders.get(number)
            if order is not None:
                self._orders[number] = dataclasses.replace(
                    order,
                    good=order.good + good,
                    scrap=order.scrap + scrap,
                    billets=order.billets + billets,
                    uninspected=order.uninspected + uninspected,
                )
        if good_now:
            window = self._rates[line]
            ts = steps[-1].ts
            last = window[-1] if window else None
            if last is not None and last[2] == 0.0 and ts - last[0] <= RATE_MERGE_S:
                window[-1] = (ts, last[1] + good_now, 0.0)  # batches close together: one entry
            else:
                window.append((ts, good_now, 0.0))
            while window and window[0][0] < ts - 2 * RATE_WINDOW_S:
                window.popleft()

    def _submit_batch(self, job: Any, line: str) -> None:
        """Hand a line's batch to the writer as durable, noting when it went and, from the
        writer's thread (which never takes ``_lock``), when it is on disk."""
        sent = self.__dict__.setdefault("_sent", {})
        lock = self.__dict__.setdefault("_sent_lock", threading.Lock())
        with lock:
            batch = sent[line][0] + 1 if line in sent else 1
            sent[line] = (batch, time.monotonic(), False)

        def committed() -> None:
            with lock:
                current = sent.get(line)
                if current is not None and current[0] == batch:
                    sent[line] = (batch, current[1], True)
            self._watchers.call(line)

        self.store.submit(job, durable=True, on_commit=committed)
        self.store.flush(0)  # wake the writer now rather than at its next interval

    # -- downtime ---------------------------------------------------------------------------

    def feed_state(self, line: str, state: MachineState, ts: float | None = None) -> None:
        """The machine state of ``line`` now; a stop starts, changes or ends."""
        with self._lock:
            detector = self._detectors.get(line)
            if detector is None:
                return
            when = self.now(ts)
            self._machine[line] = state
            self._stop_events(line, detector.update(state, when))

    def _stop_events(self, line: str, events: Iterable[StopEvent]) -> None:
        micro_s = self.config.lines[line].micro_stop_s
        for event in events:
            stop_id = self._open_stop.get(line)
            current = self._stops.get(stop_id) if stop_id is not None else None
            if event.kind == "start" or current is None:
                running = self.running(line)
                stop = Stop(
                    self._next_stop,
                    line,
                    event.start,
                    None,
                    event.state,
                    order=running.number if running else None,
                )
                self._next_stop += 1
                self._open_stop[line] = stop.id
                self._save_stop(stop, "downtime.start")
                current = stop
            if event.kind == "end":
                end = max(event.end if event.end is not None else event.start, current.start)
                stop = dataclasses.replace(current, end=end, micro=end - current.start < micro_s)
                self._open_stop.pop(line, None)
                self._save_stop(stop, "downtime.end")
            elif event.kind == "state" and event.state is not current.state:
                self._save_stop(dataclasses.replace(current, state=event.state), "")

    def _save_stop(self, stop: Stop, kind: str) -> None:
        self._stops[stop.id] = stop
        events = []
        if kind:
            stream = outbox.stream_of(stop.order, stop.line)
            events.append(outbox.event(stream, kind, stop_payload(stop), stop.end or stop.start))

        def job(conn: Any) -> None:
            records.save_stop(conn, stop)
            outbox.write(conn, events)

        self._commit(job, stop.line, wait=False)

    def assign_reason(self, stop_id: int, reason_key: str, user: str, comment: str = "") -> Stop:
        """Give a stop (open, ended, or long past) its reason from the project's tree."""
        self._allowed(user, ASSIGN, str(stop_id))
        reason = self.config.reason(reason_key)
        if reason is None:
            keys = [r.key for r in self.config.reasons]
            raise OrdersError(
                f"no reason {reason_key!r} in the project: "
                + did_you_mean(reason_key, keys, "reasons")
            )
        with self._lock:
            stop = self._known_stop(stop_id)
            changed = dataclasses.replace(
                stop, reason=reason, reason_by=user, comment=(comment or "").strip()
            )
            self._write_stops([changed], [], "downtime.reason", changed)
        self.access.record(user, ASSIGN, str(stop_id), reason=reason.key, comment=changed.comment)
        self._watchers.call(stop.line)
        return changed

    def split_stop(self, stop_id: int, at: float, user: str) -> tuple[Stop, Stop]:
        """Two stops where there was one (a fault that became a changeover, say); the
        second takes the reason too until someone gives it its own."""
        self._allowed(user, ASSIGN, str(stop_id))
        with self._lock:
            stop = self._known_stop(stop_id)
            end = stop.end if stop.end is not None else self.now()
            if not stop.start < at < end:
                raise OrdersError(
                    f"stop {stop_id} runs from {stop.start:.0f} to {end:.0f}: split it at an "
                    f"instant between them, not {at:.0f}"
                )
            micro_s = self.config.lines[stop.line].micro_stop_s
            first = dataclasses.replace(stop, end=at, micro=at - stop.start < micro_s)
            second = dataclasses.replace(
                stop,
                id=self._next_stop,
                start=at,
                micro=stop.end is not None and stop.end - at < micro_s,
            )
            self._next_stop += 1
            self._write_stops([first, second], [], "downtime.split", first, second)
            if stop.open:
                self._open_stop[stop.line] = second.id
        self.access.record(user, "downtime.split", str(stop_id), at=at, new=second.id)
        self._watchers.call(stop.line)
        return first, second

    def merge_stops(self, first_id: int, second_id: int, user: str) -> Stop:
        """One stop from two neighbours of one line; the earlier keeps its id and reason
        (or takes the later one's)."""
        self._allowed(user, ASSIGN, f"{first_id}+{second_id}")
        with self._lock:
            a, b = sorted(
                (self._known_stop(first_id), self._known_stop(second_id)), key=lambda s: s.start
            )
            if a.id == b.id or a.line != b.line:
                raise OrdersError("merge two different stops of the same line")
            between = [
                s.id
                for s in self._stops.values()
                if s.line == a.line and a.start < s.start < b.start
            ]
            if between or a.open:
                raise OrdersError(
                    f"stops {a.id} and {b.id} are not neighbours: merge one next to the other"
                )
            micro_s = self.config.lines[a.line].micro_stop_s
            merged = dataclasses.replace(
                a,
                end=b.end,
                micro=b.end is not None and b.end - a.start < micro_s,
                reason=a.reason or b.reason,
                reason_by=a.reason_by if a.reason else b.reason_by,
                comment=" / ".join(c for c in (a.comment, b.comment) if c),
            )
            self._write_stops([merged], [b.id], "downtime.merge", merged, removed=b.id)
            if b.open:
                self._open_stop[a.line] = a.id
        self.access.record(user, "downtime.merge", str(a.id), merged=b.id)
        self._watchers.call(a.line)
        return merged

    def record_alarm(self, line: str, priority: int, alarm: str, ts: float) -> None:
        """An alarm was raised (for the shift report's alarm counts; not production data,
        so not durable: a power cut may lose the last second of them)."""
        row = (line, int(priority), alarm, self.now(ts))

        def job(conn: Any) -> None:
            conn.execute(
                "INSERT INTO alarms_raised (line, priority, alarm, ts) VALUES (?, ?, ?, ?)", row
            )

        self.store.submit(job)

    def acknowledge(self, ids: Iterable[int]) -> None:
        """The MES has these outbox events: delete them (durably)."""
        wanted = [int(i) for i in ids]
        if wanted:
            self._commit(lambda conn: outbox.delete(conn, wanted), "")

    def _known_stop(self, stop_id: int) -> Stop:
        stop = self._stops.get(stop_id) if isinstance(stop_id, int) else None
        if stop is None:
            raise OrdersError(f"no stop {stop_id!r}")
        return stop

    def _write_stops(
        self, saved: list[Stop], deleted: list[int], kind: str, *about: Stop, removed: int = 0
    ) -> None:
        """Save and delete stops with one outbox event, waiting for the commit."""
        first = about[0]
        payload = {"stops": [stop_payload(s) for s in about]}
        if removed:
            payload["removed"] = removed  # type: ignore[assignment]
        event = outbox.event(outbox.stream_of(first.order, first.line), kind, payload, self.now())

        def job(conn: Any) -> None:
            for stop in saved:
                records.save_stop(conn, stop)
            for stop_id in deleted:
                records.delete_stop(conn, stop_id)
            outbox.write(conn, [event])

        self._commit(job, first.line)
        for stop in saved:
            self._stops[stop.id] = stop
        for stop_id in deleted:
            self._stops.pop(stop_id, None)


def _count_payload(line: str, stream: str, steps: list[tuple[CountStep, str]]) -> dict[str, Any]:
    """A count batch for the MES: the sums per role, and each step with its raw readings
    and the tag (or source) they came from, since a role may read several tags."""
    sums: dict[str, int] = {}
    for step, _ in steps:
        if step.kind in ADDING:
            sums[step.counter] = sums.get(step.counter, 0) + step.delta
    return {
        "line": line,
        "order": None if stream.startswith("line:") else stream,
        "counts": sums,
        "steps": [
            [s.counter, s.delta, s.raw_before, s.raw_after, s.kind, s.ts, source]
            for s, source in steps
        ],
    }
