"""``Mes``: the workers of a project's targets, their figures, and what a supervisor does
with the events a target refused (retry, discard, export: each asks ``Access`` and is
recorded).

An outbox row is deleted only when every enabled target's cursor passed it and no
quarantine holds it. The newest row always stays: outbox ids are SQLite rowids, and
deleting the newest would let the next event take an id a cursor already passed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..access import Access
from ..outbox import SELECT, OutboxEvent, from_rows
from ..store import Writer, connect
from ..words import did_you_mean
from . import schema
from .config import MesConfig
from .delivery import Delivery, Status, outbox_exists
from .intake import RefusedOrder, refused_orders
from .target import Outcome, Target, TargetError

log = logging.getLogger(__name__)

RETRY = "mes.retry"
DISCARD = "mes.discard"
EXPORT = "mes.export"
COMMIT_TIMEOUT_S = 30.0


class MesError(Exception):
    """An action refused or impossible; the message says why (one line, no traceback)."""


@dataclass(frozen=True, slots=True)
class Quarantined:
    """An event a target refused, as the supervisor sees it."""

    target: str
    event: OutboxEvent | None  # None when its outbox row is gone (discarded elsewhere)
    outbox_id: int
    key: str
    stream: str
    seq: int
    kind: str
    reason: str
    attempts: int
    first_ts: float
    last_ts: float

    def as_json(self) -> dict[str, Any]:
        e = self.event
        event = (
            {"id": e.id, "key": e.key, "stream": e.stream, "seq": e.seq, "kind": e.kind,
             "payload": e.payload, "ts": e.ts}
            if e is not None
            else {"id": self.outbox_id, "key": self.key, "stream": self.stream,
                  "seq": self.seq, "kind": self.kind}
        )  # fmt: skip
        return {
            "target": self.target,
            "event": event,
            "reason": self.reason,
            "attempts": self.attempts,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
        }


@dataclass(frozen=True, slots=True)
class RetryResult:
    accepted: int
    refused: int


class Mes:
    """The MES sync of one station: ``load`` (tables, cursors), then ``start`` (workers;
    a console command does not start them and acts on the store alone)."""

    def __init__(
        self,
        config: MesConfig,
        store: Writer,
        access: Access,
        *,
        clock: Callable[[], float] = time.time,
        poll: float = 0.5,
        on_status: Callable[[Status], None] | None = None,
    ):
        self.config = config
        self.store = store
        self.access = access
        self.clock = clock
        self.on_status = on_status
        self.deliveries: dict[str, Delivery] = {
            name: Delivery(
                target,
                store,
                clock=clock,
                poll=poll,
                on_status=self._status_changed,
                on_progress=self.cleanup,
            )
            for name, target in config.targets.items()
        }
        self._cleaned = 0
        self._cleanup_lock = threading.Lock()
        self._cleanup_pending = False

    # -- life -----------------------------------------------------------------------------

    def load(self) -> Mes:
        conn = connect(self.store.path)
        try:
            schema.create(conn)
        finally:
            conn.close()
        for delivery in self.deliveries.values():
            delivery.load()
        return self

    def start(self) -> Mes:
        for delivery in self.deliveries.values():
            if delivery.config.enabled:
                delivery.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        for delivery in self.deliveries.values():
            delivery.stop(timeout)

    def wake(self) -> None:
        """New events were written: look now rather than at the next poll."""
        for delivery in self.deliveries.values():
            delivery.wake()

    def _status_changed(self, status: Status) -> None:
        if self.on_status is not None:
            self.on_status(status)

    # -- figures --------------------------------------------------------------------------

    def status(self) -> list[Status]:
        return [d.status() for d in self.deliveries.values()]

    @property
    def orders_from(self) -> str:
        """The target released orders come from ("" when none does)."""
        source = self.config.order_source
        return source.name if source is not None else ""

    def refused_orders(self) -> list[RefusedOrder]:
        """The released orders the station refused (``intake.refused_orders``)."""
        with _reading(self.store.path) as conn:
            return refused_orders(conn)

    def quarantined(self, target: str) -> list[Quarantined]:
        delivery = self.delivery(target)
        with _reading(self.store.path) as conn:
            return _quarantined(conn, delivery.name, None)

    # -- the outbox ----------------------------------------------------------------------

    def cleanup(self) -> None:
        """Delete the rows every enabled target took (never waits: a store job)."""
        enabled = [d for d in self.deliveries.values() if d.config.enabled]
        if not enabled:
            return
        floor = min(d.cursor for d in enabled)
        with self._cleanup_lock:
            if floor <= self._cleaned or self._cleanup_pending:
                return
            self._cleanup_pending = True

        def job(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(
                    "DELETE FROM outbox WHERE id <= ? AND id < (SELECT max(id) FROM outbox) "
                    "AND id NOT IN (SELECT outbox_id FROM mes_quarantine)",
                    (floor,),
                )
            finally:
                with self._cleanup_lock:
                    self._cleanup_pending = False
            self._cleaned = floor

        self.store.submit(job)

    def _purge(self, ids: Collection[int]) -> Callable[[sqlite3.Connection], None]:
        """A job deleting the outbox rows of ``ids`` no target needs any more."""
        enabled = [d.name for d in self.deliveries.values() if d.config.enabled]
        floor = min((self.deliveries[n].cursor for n in enabled), default=0)

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "DELETE FROM outbox WHERE id = ? AND id <= ? AND id < (SELECT max(id) FROM "
                "outbox) AND id NOT IN (SELECT outbox_id FROM mes_quarantine)",
                [(i, floor) for i in ids],
            )

        return job

    # -- the quarantine --------------------------------------------------------------------

    def retry(self, target: str, ids: Iterable[int] | None, user: str) -> RetryResult:
        """Send quarantined events again (all of them for None): accepted ones leave the
        quarantine, refused ones count one more attempt; a target that cannot take them
        now changes nothing (``MesError``)."""
        delivery = self.delivery(target)
        self._allowed(user, RETRY, target)
        with _reading(self.store.path) as conn:
            rows = _quarantined(conn, target, _wanted(ids))
        self._known(target, ids, rows)
        events = [r.event for r in rows if r.event is not None]
        if not events:
            self.access.record(user, RETRY, target, ids=[], accepted=0, refused=0)
            return RetryResult(0, 0)

        def send(t: Target) -> list[Outcome]:
            outcomes: list[Outcome] = []
            size = delivery.batch
            for start in range(0, len(events), size):
                chunk = events[start : start + size]
                answer = t.send(chunk)
                if len(answer) != len(chunk):
                    raise TargetError(f"malformed answer: {len(answer)} outcomes for {len(chunk)}")
                outcomes += answer
            return outcomes

        try:
            outcomes = delivery.call(send)
        except TargetError as error:
            self.access.record(user, RETRY, target, status="failed", message=str(error))
            raise MesError(f"{target} cannot take them now: {error}") from None
        now = self.clock()
        taken = [e.id for e, o in zip(events, outcomes, strict=True) if o.accepted]
        again = [
            (o.reason or "refused", now, target, e.id)
            for e, o in zip(events, outcomes, strict=True)
            if not o.accepted
        ]
        purge = self._purge(taken)

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "DELETE FROM mes_quarantine WHERE target = ? AND outbox_id = ?",
                [(target, i) for i in taken],
            )
            conn.executemany(
                "UPDATE mes_quarantine SET attempts = attempts + 1, reason = ?, last_ts = ? "
                "WHERE target = ? AND outbox_id = ?",
                again,
            )
            purge(conn)

        self._commit(job)
        self.access.record(
            user, RETRY, target, ids=[e.id for e in events], accepted=len(taken), refused=len(again)
        )
        return RetryResult(len(taken), len(again))

    def discard(self, target: str, ids: Iterable[int], user: str, reason: str) -> int:
        """Give up on quarantined events (``reason`` is required and recorded)."""
        self.delivery(target)
        wanted = _wanted(ids)
        if not wanted:
            raise MesError("name the quarantined events to discard (their outbox ids)")
        if not reason or not reason.strip():
            raise MesError("a discard needs a reason")
        self._allowed(user, DISCARD, target)
        with _reading(self.store.path) as conn:
            rows = _quarantined(conn, target, wanted)
        self._known(target, wanted, rows)
        gone = [r.outbox_id for r in rows]
        purge = self._purge(gone)

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "DELETE FROM mes_quarantine WHERE target = ? AND outbox_id = ?",
                [(target, i) for i in gone],
            )
            purge(conn)

        self._commit(job)
        self.access.record(
            user, DISCARD, target, ids=gone, keys=[r.key for r in rows], reason=reason.strip()
        )
        return len(gone)

    def export(self, target: str, path: Path | str, user: str) -> int:
        """The quarantined events of ``target`` as JSON lines (event and reason)."""
        self.delivery(target)
        self._allowed(user, EXPORT, target)
        rows = self.quarantined(target)
        try:
            with Path(path).open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps(row.as_json(), sort_keys=True) + "\n")
        except OSError as error:
            raise MesError(f"cannot write {path}: {error.strerror or error}") from None
        self.access.record(user, EXPORT, target, path=str(path), events=len(rows))
        return len(rows)

    # -- shared ----------------------------------------------------------------------------

    def delivery(self, target: str) -> Delivery:
        delivery = self.deliveries.get(target)
        if delivery is None:
            raise MesError(
                f"no MES target {target!r}: "
                + did_you_mean(str(target), self.deliveries, "targets")
            )
        return delivery

    def _allowed(self, user: str, permission: str, target: str) -> None:
        if not user or not str(user).strip():
            raise MesError("a MES action needs the name of the user")
        refusal = self.access.refusal(user, permission, target)
        if refusal:
            self.access.record(user, permission, target, status="refused", message=refusal)
            raise MesError(refusal)

    @staticmethod
    def _known(target: str, ids: Iterable[int] | None, rows: list[Quarantined]) -> None:
        if ids is None:
            return
        missing = sorted(set(_wanted(ids) or ()) - {r.outbox_id for r in rows})
        if missing:
            shown = ", ".join(str(i) for i in missing[:10])
            raise MesError(f"not in {target}'s quarantine: {shown} (hmi mes status lists them)")

    def _commit(self, job: Callable[[sqlite3.Connection], None]) -> None:
        done = threading.Event()
        errors: list[BaseException] = []

        def run(conn: sqlite3.Connection) -> None:
            try:
                job(conn)
            except Exception as exc:
                errors.append(exc)
                raise

        self.store.submit(run, durable=True, on_commit=done.set)
        self.store.flush(0)
        deadline = time.monotonic() + COMMIT_TIMEOUT_S
        while not done.wait(0.1):
            if errors and not self.store.problem:
                raise MesError(f"the local database refused the change: {errors[-1]}")
            if time.monotonic() > deadline:
                problem = self.store.problem or "the local database did not answer"
                raise MesError(f"not yet on disk ({problem}); kept and written when it can be")


def _wanted(ids: Iterable[int] | None) -> list[int] | None:
    return None if ids is None else [int(i) for i in ids]


def _reading(path: Path) -> contextlib.closing[sqlite3.Connection]:
    """A read-only connection to the store for one question."""
    return contextlib.closing(connect(path, readonly=True))


def _quarantined(conn: sqlite3.Connection, target: str, ids: list[int] | None) -> list[Quarantined]:
    query = (
        "SELECT outbox_id, key, stream, seq, kind, reason, attempts, first_ts, last_ts "
        "FROM mes_quarantine WHERE target = ?"
    )
    rows = conn.execute(query + " ORDER BY outbox_id", (target,)).fetchall()
    if ids is not None:
        wanted = set(ids)
        rows = [r for r in rows if r[0] in wanted]
    events: dict[int, OutboxEvent] = {}
    if rows and outbox_exists(conn):
        found = [r[0] for r in rows]
        for start in range(0, len(found), 500):
            part = found[start : start + 500]
            marks = ",".join("?" * len(part))
            got = from_rows(conn.execute(f"{SELECT} WHERE id IN ({marks})", part))
            events.update((e.id, e) for e in got)
    return [Quarantined(target, events.get(r[0]), *r) for r in rows]
