"""The recorder: the tag engine's values in, compressed points out to the store's writer.

The engine only appends batches to a bounded queue subscription; everything else happens
on the recorder's own thread: per-tag compression, timers (max_interval, fixed interval),
building one write job per cycle, purging and watching health. A full disk makes the
writer keep the jobs in memory; the recorder reports it and keeps recording.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..store import Writer, connect
from ..subscription import Subscription
from ..tags import Batch
from .compression import ExceptionFilter, Filter, IntervalFilter, SwingingDoorFilter
from .config import HistorianConfig, Mode, TagPolicy
from .retention import Retention
from .storage import FLAG_CLOCK_BACK, InsertJob, Row, committed_seq, encode, prepare

log = logging.getLogger(__name__)

JITTER_MS = 1000  # a sample up to this much older than the last is taken as jitter, not a jump
TICK_S = 0.5
MIN_CYCLE_S = 0.25  # batches gather this long: fewer, larger jobs and rollup updates
RECENT_DROP_S = 10.0


@dataclass(frozen=True, slots=True)
class HistorianHealth:
    """For the UI notice and a later alarm: ``ok``, else ``reason``; ``backlog`` in points."""

    ok: bool = True
    reason: str = ""
    backlog: int = 0
    dropped_batches: int = 0
    lost_points: int = 0
    clock_jumps: int = 0


def make_filter(policy: TagPolicy) -> Filter | None:
    max_ms = None if policy.max_interval is None else int(policy.max_interval * 1000)
    if policy.mode is Mode.SWINGING_DOOR:
        return SwingingDoorFilter(policy.deviation, max_ms)
    if policy.mode is Mode.EXCEPTION:
        return ExceptionFilter(policy.deviation, max_ms)
    if policy.mode is Mode.INTERVAL and policy.interval:
        return IntervalFilter(int(policy.interval * 1000))
    return None


class _Track:
    """One recorded tag: its id, its filter and the times that keep its points in order."""

    __slots__ = ("filter", "id", "latest_t", "name", "newest")

    def __init__(self, name: str, tag_id: int, filt: Filter, newest: int):
        self.name = name
        self.id = tag_id
        self.filter = filt
        self.newest = newest  # time of the newest stored point
        self.latest_t = newest  # time of the newest sample taken


class Recorder:
    def __init__(
        self,
        config: HistorianConfig,
        writer: Writer,
        *,
        clock: Callable[[], float] = time.time,
        max_batches: int = 10_000,
        max_backlog: int = 2_000_000,
        purge_chunk: int = 2000,
        on_health: Callable[[HistorianHealth], None] | None = None,
    ):
        self.config = config
        self.writer = writer
        self.clock = clock
        self.max_batches = max_batches
        self.max_backlog = max_backlog
        self.purge_chunk = purge_chunk
        self.on_health = on_health
        self.health = HistorianHealth()
        self.ids: dict[str, int] = {}
        self.retention: Retention | None = None
        self.clock_jumps = 0
        self.lost_points = 0
        self._tracks: dict[str, _Track] = {}
        self._numeric: frozenset[int] = frozenset()
        self._sub: Subscription | None = None
        self._seq = 0
        self._submitted = 0  # points handed to the writer
        self._committed = 0  # of those, points known to be in the file
        self._in_flight: deque[tuple[int, int]] = deque()  # (seq, points submitted up to it)
        self._backlog = 0
        self._dropped_seen = 0
        self._last_now_ms = 0
        self._dropped_at = -RECENT_DROP_S
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hmi-historian", daemon=True)
        self._read: sqlite3.Connection | None = None
        intervals = [p.interval for p in config.policies.values() if p.interval]
        self._tick_s = max(0.05, min([TICK_S, *(i / 2 for i in intervals)]))
        self._min_cycle_s = min(MIN_CYCLE_S, self._tick_s)

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, engine: Any, run_thread: bool = True) -> Recorder:
        """Prepare the tables, subscribe to ``engine`` and start the thread.

        Without ``run_thread`` the caller runs ``cycle`` itself (tests, tools).
        """
        policies = self.config.policies
        state = prepare(self.writer.path, {name: int(p.kind) for name, p in policies.items()})
        self.ids = state.ids
        self._numeric = state.numeric
        self._seq = state.seq
        for name, policy in policies.items():
            filt = make_filter(policy)
            if filt is not None:
                tag_id = state.ids[name]
                self._tracks[name] = _Track(name, tag_id, filt, state.newest.get(tag_id, -1))
        by_id = {track.id: track for track in self._tracks.values()}
        for row in state.tails:  # the newest samples of the last run: they end its trends
            if (track := by_id.get(row[0])) is not None:
                track.newest = track.latest_t = row[1]
        self._submit(list(state.tails), [], [], clear_tails=True)
        self.retention = Retention(
            self.writer.submit, self.config.retention_of, dict(self.ids), chunk=self.purge_chunk
        )
        self._read = connect(self.writer.path, readonly=True)
        self._sub = engine.subscribe(
            "historian", max_batches=self.max_batches, wake=self._wake.set, tags=set(self._tracks)
        )
        initial = _snapshot(engine.values, self._tracks)
        if initial:
            self._sub.offer(initial)
        if run_thread:
            self._thread.start()
        return self

    def stop(self, engine: Any = None, timeout: float = 10.0) -> None:
        """Record what is queued, store every held point (the trends end here) and stop."""
        if self._sub is not None:
            self._sub.close()
            if engine is not None:
                engine.unsubscribe(self._sub)
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        elif self._read is not None:
            self.cycle(final=True)
        if self._read is not None:
            self._read.close()
            self._read = None

    # -- the thread ----------------------------------------------------------------------

    def _run(self) -> None:
        last = 0.0
        while not self._stop.is_set():
            self._wake.wait(self._tick_s)
            wait = last + self._min_cycle_s - time.monotonic()
            if wait > 0 and self._stop.wait(wait):  # let batches gather into one job
                break
            self._wake.clear()
            last = time.monotonic()
            try:
                self.cycle()
            except Exception:  # never let one bad cycle end the recording
                log.exception("historian cycle failed")
        try:
            self.cycle(final=True)
        except Exception:
            log.exception("historian could not store its last points")

    def cycle(self, final: bool = False) -> None:
        """Take every queued batch, run the filters and timers, submit one job."""
        rows: list[Row] = []
        late: list[Row] = []
        touched: set[_Track] = set()
        now_ms = int(self.clock() * 1000)
        if self._sub is not None:
            for batch in self._sub.take():
                self._take(batch, now_ms, rows, late, touched)
        went_back = now_ms + JITTER_MS < self._last_now_ms
        self._last_now_ms = now_ms
        out: list = []
        for track in self._tracks.values():
            filt = track.filter
            if went_back and now_ms + JITTER_MS < track.latest_t and filt.latest is not None:
                _, value, q = filt.latest
                self._clock_back(track, now_ms, out)
                filt.feed(now_ms, value, q | FLAG_CLOCK_BACK, out)
                track.latest_t = now_ms
            if final:
                filt.flush(out)
            else:
                filt.tick(now_ms, out)
            if out:
                self._emit(track, out, rows, late)
                touched.add(track)
        tails = []
        if not final:
            for track in touched:
                held = track.filter.held
                if held is not None:
                    value, flags = encode(held[1])
                    tails.append((track.id, held[0], value, held[2] | flags))
        self._submit(rows, late, tails, clear_tails=final)
        if self.retention is not None and not final:
            self.retention.step(now_ms / 1000)
        self._update_health()

    def _take(
        self, batch: Batch, now_ms: int, rows: list[Row], late: list[Row], touched: set[_Track]
    ) -> None:
        tracks = self._tracks
        out: list = []
        for name, tv in batch.items():
            track = tracks.get(name)
            if track is None:
                continue
            t = int(tv.ts * 1000) if tv.ts else now_ms
            q = int(tv.quality)
            if t <= track.latest_t:
                if track.latest_t - t < JITTER_MS:
                    t = track.latest_t + 1
                else:
                    self._clock_back(track, t, out)
                    q |= FLAG_CLOCK_BACK
            track.latest_t = t
            track.filter.feed(t, tv.value, q, out)
            if out:
                self._emit(track, out, rows, late)
            touched.add(track)

    def _clock_back(self, track: _Track, t: int, out: list) -> None:
        self.clock_jumps += 1
        if self.clock_jumps == 1 or self.clock_jumps % 1000 == 0:
            log.warning(
                "the clock went back %.1f s (%s); history continues at the new time",
                (track.latest_t - t) / 1000,
                track.name,
            )
        track.filter.restart(out)

    @staticmethod
    def _emit(track: _Track, out: list, rows: list[Row], late: list[Row]) -> None:
        tag_id = track.id
        for t, value, q in out:
            stored, flags = encode(value)
            row = (tag_id, t, stored, q | flags)
            if t > track.newest:
                track.newest = t
                rows.append(row)
            else:
                late.append(row)
        out.clear()

    def _submit(self, rows: list[Row], late: list[Row], tails: list, clear_tails: bool) -> None:
        count = len(rows) + len(late)
        if not (count or tails or clear_tails):
            return
        if count and self._backlog + count > self.max_backlog:
            self.lost_points += count  # memory is finite: the newest points give way
            rows, late = [], []
            count = 0
        self._seq += 1
        self._submitted += count
        self._in_flight.append((self._seq, self._submitted))
        self.writer.submit(InsertJob(rows, late, tails, self._seq, self._numeric, clear_tails))
        self._backlog += count

    # -- health --------------------------------------------------------------------------

    def fail(self, reason: str) -> None:
        """Report that recording could not start at all."""
        self.health = HistorianHealth(ok=False, reason=reason)
        if self.on_health is not None:
            self.on_health(self.health)

    def _update_health(self) -> None:
        if self._read is not None:
            try:
                done = committed_seq(self._read)
            except Exception:  # the file is unreadable now: the writer reports why
                done = -1
            while self._in_flight and self._in_flight[0][0] <= done:
                self._committed = self._in_flight.popleft()[1]
            self._backlog = self._submitted - self._committed
        dropped = self._sub.dropped if self._sub is not None else 0
        now = time.monotonic()
        if dropped > self._dropped_seen:
            self._dropped_seen, self._dropped_at = dropped, now
        reason = self.writer.problem or ""
        if not reason and self.lost_points and self._backlog >= self.max_backlog // 2:
            reason = "history is being lost: too many points wait for the local database"
        if not reason and now - self._dropped_at < RECENT_DROP_S:
            reason = f"the historian is not keeping up; {dropped} batches of values were dropped"
        health = HistorianHealth(
            ok=not reason,
            reason=reason,
            backlog=self._backlog,
            dropped_batches=dropped,
            lost_points=self.lost_points,
            clock_jumps=self.clock_jumps,
        )
        changed = (health.ok, health.reason) != (self.health.ok, self.health.reason)
        self.health = health
        if changed and self.on_health is not None:
            try:
                self.on_health(health)
            except Exception:
                log.exception("historian health callback failed")


def _snapshot(values: dict, tracks: dict[str, _Track]) -> Batch:
    """The engine's current values of the recorded tags (read from another thread)."""
    for _ in range(3):
        try:
            return {name: tv for name, tv in list(values.items()) if name in tracks}
        except RuntimeError:  # changed while copied; try again
            continue
    return {}
