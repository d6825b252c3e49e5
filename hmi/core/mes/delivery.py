"""One target's worker: the outbox forwarded in batches, in order per stream, exactly once
after the receiver drops resends by key.

The worker reads the store file on its own read-only connection and keeps, per target,
a cursor (every id up to it was taken or quarantined) and the ids above it that the live
lane already delivered. Each round sends the live lane first: events written since the
last look whose stream has nothing older unsent, so a new order's events are not held
behind a day's backlog of other streams; then one backlog batch in id order, skipping
what went ahead. An event never goes before an older event of its stream was taken or
quarantined. After every send, the cursor, the ids sent ahead and the quarantined events
are one durable store job, and the worker waits for its commit before the next batch: a
crash re-sends at most the batch it was sending.

A refused event is quarantined with the reason and the cursor moves on (the receiver sees
the gap by seq); a ``TargetError`` quarantines nothing and is retried with exponential
backoff with jitter (``ConnectionState``), honouring the target's ``retry_after``.
"""

from __future__ import annotations

import collections
import concurrent.futures
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..connection import ConnectionState
from ..outbox import SELECT, OutboxEvent, from_rows, read_after
from ..store import Writer, connect, is_transient
from .config import FAILING_ATTEMPTS, TargetConfig
from .target import Outcome, Target, TargetError

log = logging.getLogger(__name__)
T = TypeVar("T")

OK, RETRYING, FAILING, STOPPED = "ok", "retrying", "failing", "stopped"
POLL_S = 0.5  # how often an idle worker looks for new events
STATUS_EVERY_S = 1.0  # how often a worker's figures are published
COMMIT_WAIT_S = 0.5  # slices of the wait for a commit (a stop is noticed between them)
MAX_RETRY_AFTER_S = 3600.0  # a target's Retry-After is honoured up to this
CALL_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class Status:
    """What a target's tags and ``hmi mes status`` show."""

    target: str
    state: str
    backlog: int  # events not yet sent
    oldest_s: float  # age of the oldest of them (0 when none)
    last_success: float | None  # epoch s
    last_error: str
    quarantined: int


class _Commit:
    """A durable job and the wait for it: set once committed, or refused for good."""

    def __init__(self, job: Callable[[sqlite3.Connection], None]):
        self.job = job
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self, conn: sqlite3.Connection) -> None:
        try:
            self.job(conn)
        except Exception as exc:
            if not is_transient(exc):  # dropped by the writer: tell the waiter
                self.error = exc
                self.done.set()
            raise

    def committed(self) -> None:
        self.done.set()


def outbox_exists(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='outbox'")
    return row.fetchone() is not None


class Delivery:
    """The worker of one target; ``load`` before ``start``. Safe to ask from any thread."""

    def __init__(
        self,
        config: TargetConfig,
        store: Writer,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        poll: float = POLL_S,
        on_status: Callable[[Status], None] | None = None,
        on_progress: Callable[[], None] | None = None,
    ):
        self.config = config
        self.name = config.name
        self.store = store
        self.clock = clock
        self.poll = poll
        self.on_status = on_status
        self.on_progress = on_progress
        self._target: Target | None = None  # built when first needed (secrets, files)
        self.connection = ConnectionState(config.backoff, clock=monotonic)
        self.cursor = 0  # every outbox id up to here was taken or quarantined
        self.ahead: set[int] = set()  # ids above the cursor the live lane delivered
        self.scanned = 0  # events up to here were looked at (sorted into the two lanes)
        self.unsent: collections.Counter[str] = collections.Counter()  # streams' backlog
        self.state = OK if config.enabled else STOPPED
        self.last_success: float | None = None
        self.last_error = ""
        self.recorded = STOPPED  # the state a station last wrote (for a console's status)
        self.failing_since: float | None = None
        self.sent = 0  # events sent (accepted or refused) since the start
        self._opened = False
        self._reader: sqlite3.Connection | None = None
        self._has_outbox = False
        self._read_lock = threading.RLock()
        self._calls: collections.deque[
            tuple[Callable[[Target], Any], concurrent.futures.Future[Any]]
        ]
        self._calls = collections.deque()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._published = 0.0

    @property
    def target(self) -> Target:
        if self._target is None:
            try:
                self._target = self.config.make()
            except Exception as exc:  # a secret gone, a CA file removed since the check
                raise TargetError(f"cannot be set up: {exc}") from exc
        return self._target

    @property
    def batch(self) -> int:
        """Events per send: the configured batch, else the target's own."""
        return max(1, self.config.batch or self.target.max_batch)

    # -- life -----------------------------------------------------------------------------

    def load(self) -> Delivery:
        """The cursor, the ids sent ahead and the backlog's streams, from the store."""
        with self._read_lock:
            conn = self._conn()
            row = conn.execute(
                "SELECT after_id, last_success, last_error, state FROM mes_cursors "
                "WHERE target = ?",
                (self.name,),
            ).fetchone()
            if row is not None:
                self.cursor, self.last_success, self.last_error = row[0], row[1], row[2] or ""
                self.recorded = row[3] or STOPPED
            self.ahead = {
                r[0]
                for r in conn.execute(
                    "SELECT outbox_id FROM mes_ahead WHERE target = ? AND outbox_id > ?",
                    (self.name, self.cursor),
                )
            }
            self.scanned = self.cursor
            if self._outbox(conn):
                top = conn.execute("SELECT max(id) FROM outbox").fetchone()[0] or 0
                self.scanned = max(self.cursor, top)
                self.unsent = collections.Counter(
                    dict(
                        conn.execute(
                            "SELECT stream, count(*) FROM outbox WHERE id > ? AND id <= ? AND "
                            "id NOT IN (SELECT outbox_id FROM mes_ahead WHERE target = ?) "
                            "GROUP BY stream",
                            (self.cursor, self.scanned, self.name),
                        ).fetchall()
                    )
                )
        return self

    def start(self) -> Delivery:
        self._thread = threading.Thread(target=self._run, name=f"hmi-mes-{self.name}", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look for new events now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._close_target()
        if self._thread is not None:  # a console never sent: the station's record stays
            self.state = STOPPED
            self._save_state()
        with self._read_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def call(self, fn: Callable[[Target], T]) -> T:
        """Run ``fn`` with the target on the worker's thread (the target is its own), or
        here when no worker runs (a console command); its exception is raised here."""
        if not self.running:
            return fn(self._open())
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._calls.append((fn, future))
        self._wake.set()
        try:
            return future.result(CALL_TIMEOUT_S)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TargetError(
                f"its worker did not get to it within {CALL_TIMEOUT_S:g} s "
                f"({self.store.problem or 'a batch in flight'})"
            ) from None

    # -- the worker -----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping:
            self._do_calls()
            if not self.connection.due():
                self._wake.wait(min(self.connection.wait(), self.poll))
                self._wake.clear()
                continue
            try:
                sent = self.round()
            except _Stopping:
                return
            except TargetError as exc:
                self._failed(exc)
                continue
            except Exception as exc:  # the store, or a target that broke its contract
                log.exception("MES target %s: a round failed", self.name)
                self._failed(TargetError(f"{type(exc).__name__}: {exc}"))
                continue
            self._publish()
            if not sent:
                self._wake.wait(self.poll)
                self._wake.clear()

    def _do_calls(self) -> None:
        while self._calls:
            fn, future = self._calls.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(self._open()))
            except BaseException as exc:
                future.set_exception(exc)

    def round(self) -> bool:
        """The live lane, then one backlog batch; True when anything was sent. Raises
        ``TargetError`` with nothing changed when the target could not take a batch."""
        if not self._read(self._outbox):
            return False
        live = self._live()
        backlog = self._backlog()
        return live or backlog

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """``fn`` on the reader, which ``status`` shares (never held while sending)."""
        with self._read_lock:
            return fn(self._conn())

    def _live(self) -> bool:
        scanned, size = self.scanned, self.batch
        fresh = self._read(lambda conn: read_after(conn, scanned, size))
        if not fresh:
            return False
        held: collections.Counter[str] = collections.Counter()
        live: list[OutboxEvent] = []
        for event in fresh:
            if self.unsent[event.stream] > 0 or held[event.stream] > 0:
                held[event.stream] += 1
            else:
                live.append(event)
        if live:
            outcomes = self._send(live)
            if not self.unsent.total() and not held:
                # nothing older is waiting: the cursor moves over all of it at once
                self._settle(live, outcomes, cursor=fresh[-1].id)
            else:
                self._settle(live, outcomes, ahead=[e.id for e in live])
        self.scanned = fresh[-1].id
        self.unsent.update(held)
        return bool(live)

    def _backlog(self) -> bool:
        if self.cursor >= self.scanned:
            return False
        if not self.unsent.total():  # everything up to what was looked at went ahead
            self._settle([], [], cursor=self.scanned)
            return False
        query = (
            f"{SELECT} WHERE id > ? AND id <= ? AND id NOT IN "
            "(SELECT outbox_id FROM mes_ahead WHERE target = ?) ORDER BY id LIMIT ?"
        )
        args = (self.cursor, self.scanned, self.name, self.batch)
        rows = self._read(lambda conn: conn.execute(query, args).fetchall())
        if not rows:  # rows removed behind its back: nothing left to send below scanned
            self.unsent.clear()
            self._settle([], [], cursor=self.scanned)
            return False
        events = from_rows(rows)
        outcomes = self._send(events)
        self._settle(events, outcomes, cursor=events[-1].id)
        self.unsent.subtract(e.stream for e in events)
        self.unsent = +self.unsent  # drop the streams that have nothing left
        return True

    def _send(self, events: Sequence[OutboxEvent]) -> list[Outcome]:
        outcomes = self._open().send(events)
        if len(outcomes) != len(events):
            raise TargetError(
                f"malformed answer: {len(outcomes)} outcomes for {len(events)} events"
            )
        self.sent += len(events)
        self.last_success = self.clock()
        if self.connection.succeeded() or self.state != OK:
            self.failing_since = None
            self.state = OK
        return list(outcomes)

    def _settle(
        self,
        events: Sequence[OutboxEvent],
        outcomes: Sequence[Outcome],
        *,
        cursor: int | None = None,
        ahead: Sequence[int] = (),
    ) -> None:
        """Write what became of ``events`` (durably, waiting for the commit), then move."""
        now = self.clock()
        refused = [
            (self.name, e.id, e.key, e.stream, e.seq, e.kind, o.reason or "refused", now, now)
            for e, o in zip(events, outcomes, strict=True)
            if not o.accepted
        ]
        name, success, state = self.name, self.last_success, self.state

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT INTO mes_quarantine (target, outbox_id, key, stream, seq, kind, reason, "
                "attempts, first_ts, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) "
                "ON CONFLICT(target, outbox_id) DO UPDATE SET attempts = attempts + 1, "
                "reason = excluded.reason, last_ts = excluded.last_ts",
                refused,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO mes_ahead (target, outbox_id) VALUES (?, ?)",
                [(name, i) for i in ahead],
            )
            conn.execute(
                "INSERT INTO mes_cursors (target, after_id, last_success, last_error, state) "
                "VALUES (?, ?, ?, '', ?) ON CONFLICT(target) DO UPDATE SET "
                "after_id = max(after_id, excluded.after_id), "
                "last_success = coalesce(excluded.last_success, last_success), "
                "state = excluded.state",
                (name, cursor or 0, success, state),
            )
            if cursor is not None:
                conn.execute(
                    "DELETE FROM mes_ahead WHERE target = ? AND outbox_id <= ?", (name, cursor)
                )

        if not self._commit(job):
            raise _Stopping
        self.ahead.update(ahead)
        if cursor is not None and cursor > self.cursor:
            self.cursor = cursor
            self.ahead = {i for i in self.ahead if i > cursor}
        if refused:
            log.warning(
                "MES target %s refused %d event(s), quarantined: %s",
                self.name,
                len(refused),
                refused[0][6],
            )
        if self.on_progress is not None and cursor is not None:
            self.on_progress()

    def _commit(self, job: Callable[[sqlite3.Connection], None]) -> bool:
        """Hand ``job`` to the writer as durable and wait for its commit; False when the
        worker is stopping first (the writer commits the job on its own way out). A full
        disk keeps the job pending: the worker waits, sending nothing more."""
        commit = _Commit(job)
        self.store.submit(commit.run, durable=True, on_commit=commit.committed)
        self.store.flush(0)
        while not commit.done.wait(COMMIT_WAIT_S):
            if self._stopping:
                return False
        if commit.error is not None:
            raise RuntimeError(f"the local database refused the MES record: {commit.error}")
        return True

    def _failed(self, error: TargetError) -> None:
        wait = self.connection.failed()
        if error.retry_after is not None and error.retry_after > wait:
            wait = min(float(error.retry_after), MAX_RETRY_AFTER_S)
            self.connection.next_try = self.connection.clock() + wait
        now = self.clock()
        if self.failing_since is None:
            self.failing_since = now
        failing = (
            self.connection.failures >= FAILING_ATTEMPTS
            or now - self.failing_since >= self.config.failing_after
        )
        state = FAILING if failing else RETRYING
        message = str(error) or type(error).__name__
        if state != self.state or message != self.last_error:
            log.warning(
                "MES target %s %s: %s (next try in %.1f s)", self.name, state, message, wait
            )
        self.state, self.last_error = state, message
        self._close_target()
        self._save_state()
        self._publish(force=True)

    def _save_state(self) -> None:
        """The state and the last error for ``hmi mes status`` (not durable: figures)."""
        name, state, error = self.name, self.state, self.last_error

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO mes_cursors (target, after_id, last_error, state) "
                "VALUES (?, 0, ?, ?) ON CONFLICT(target) DO UPDATE SET "
                "last_error = excluded.last_error, state = excluded.state",
                (name, error, state),
            )

        self.store.submit(job)

    def _open(self) -> Target:
        if not self._opened:
            self.target.open()
            self._opened = True
        return self.target

    def _close_target(self) -> None:
        if self._opened and self._target is not None:
            self._opened = False
            try:
                self._target.close()
            except Exception:
                log.debug("MES target %s: closing failed", self.name, exc_info=True)

    # -- what it shows --------------------------------------------------------------------

    def _publish(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.on_status is None or (not force and now - self._published < STATUS_EVERY_S):
            return
        self._published = now
        try:
            self.on_status(self.status())
        except Exception:
            log.exception("MES target %s: publishing its status failed", self.name)

    def status(self) -> Status:
        with self._read_lock:
            conn = self._conn()
            quarantined = conn.execute(
                "SELECT count(*) FROM mes_quarantine WHERE target = ?", (self.name,)
            ).fetchone()[0]
            backlog, oldest = 0, 0.0
            if self._outbox(conn):
                after = conn.execute("SELECT count(*) FROM outbox WHERE id > ?", (self.cursor,))
                backlog = max(0, after.fetchone()[0] - len(self.ahead))
                first = conn.execute(
                    "SELECT ts FROM outbox WHERE id > ? AND id NOT IN "
                    "(SELECT outbox_id FROM mes_ahead WHERE target = ?) ORDER BY id LIMIT 1",
                    (self.cursor, self.name),
                ).fetchone()
                if first is not None and first[0] is not None:
                    oldest = max(0.0, self.clock() - float(first[0]))
        # not sending here (a console): what the station that sends said last
        state = self.state if self.running or not self.config.enabled else self.recorded
        return Status(
            self.name,
            state,
            backlog,
            oldest,
            self.last_success,
            self.last_error,
            quarantined,
        )

    def _conn(self) -> sqlite3.Connection:
        if self._reader is None:
            self._reader = connect(self.store.path, readonly=True)
        return self._reader

    def _outbox(self, conn: sqlite3.Connection) -> bool:
        if not self._has_outbox:
            self._has_outbox = outbox_exists(conn)
        return self._has_outbox


class _Stopping(Exception):
    """The worker stopped while waiting for a commit: end the round, change nothing."""
