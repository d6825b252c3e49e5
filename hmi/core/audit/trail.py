"""Appending to the audit trail: an ``Access`` recorder that never blocks the caller.

``record`` (called on whatever thread acted: the engine's loop for writes) only turns the
action into a row and queues it; the store's writer chains and inserts the queued rows in
its next batch, reading the last record from the database inside that transaction, so
another process appending to the same store (``hmi write``, ``hmi users``) continues the
same chain. The batch is durable (synced to disk at commit); after it commits, the head
file and the head tag are brought up to date.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..access import ActionRecord
from ..store import Writer, connect, migrate
from . import query
from .chain import (
    COMPONENT,
    GENESIS,
    SCHEMA,
    TRUNCATED,
    AuditRow,
    Head,
    clean,
    detail_text,
    digest,
    head_path,
    read_head,
    write_head,
)
from .verify import Verdict, verify

log = logging.getLogger(__name__)

#: detail keys that become the record's reason (a shelving reason, a comment)
REASON_KEYS = ("reason", "comment")

Row = tuple[
    float, str, str, str, str, str, str
]  # ts, user, action, target, station, reason, detail


class _Batch:
    """The rows queued since the last batch was handed to the writer."""

    def __init__(self, trail: AuditTrail):
        self.trail = trail
        self.rows: list[Row] = []
        self.head = Head()

    def run(self, conn: sqlite3.Connection) -> None:
        trail = self.trail
        with trail._lock:
            if trail._open is self:
                trail._open = None  # rows recorded from now on go to the next batch
        last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = last if last else (0, GENESIS)
        out = []
        for ts, user, action, target, station, reason, detail in self.rows:
            seq += 1
            this = digest(prev, ts, user, action, target, station, reason, detail)
            out.append((seq, ts, user, action, target, station, reason, detail, prev, this))
            prev = this
        conn.executemany(
            "INSERT INTO audit (seq, ts, user, action, target, station, reason, detail, "
            "prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            out,
        )
        self.head = Head(seq, prev)

    def committed(self) -> None:
        self.trail._committed(self.head)


class AuditTrail:
    """The trail of one store; ``record`` is the ``Access`` recorder."""

    def __init__(
        self,
        writer: Writer,
        station: str,
        *,
        on_head: Callable[[Head], None] | None = None,
    ):
        self.writer = writer
        self.station = clean(station)
        self.path = Path(writer.path)
        self.head_file = head_path(self.path)
        self.on_head = on_head
        self.head = Head()
        self.head_problem: str | None = None  # the head file could not be written
        self._anew = False  # the next head replaces a head file that claims more
        self._open: _Batch | None = None
        self._lock = threading.Lock()

    def prepare(self) -> str | None:
        """Create the table; compare the database's last record with the head file and,
        if the trail was cut short while the station was off, say so in the trail itself
        (a record that ``verify`` reports) and return why."""
        conn = connect(self.path)
        try:
            migrate(conn, COMPONENT, SCHEMA)
            last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            self.head = Head(*last) if last else Head()
            try:
                kept = read_head(self.head_file)
            except (OSError, ValueError) as error:
                return f"the audit head {self.head_file} cannot be read: {error}"
            if kept is None or kept.seq <= 0:
                return None
            at = conn.execute("SELECT hash FROM audit WHERE seq = ?", (kept.seq,)).fetchone()
        finally:
            conn.close()
        if at is not None and at[0] == kept.hash:
            return None
        if at is None:
            why = (
                f"the audit trail ends at record {self.head.seq}, but its head says "
                f"{kept.seq}: records {self.head.seq + 1} to {kept.seq} were removed"
            )
        else:
            why = f"audit record {kept.seq} is not the one its head names: the trail was rewritten"
        log.error("%s", why)
        self._anew = True
        self.append(
            "",
            TRUNCATED,
            "audit",
            reason=why,
            expected_seq=kept.seq,
            expected_hash=kept.hash,
            found_seq=self.head.seq,
        )
        return why

    def record(self, entry: ActionRecord) -> None:
        """The ``Access`` recorder."""
        detail = dict(entry.detail)
        reason = next((str(detail.pop(k)) for k in REASON_KEYS if detail.get(k)), "")
        for key in REASON_KEYS:
            if key in detail and not detail[key]:
                del detail[key]
        self._queue(
            (
                entry.ts,
                clean(entry.user),
                clean(entry.action),
                clean(entry.target),
                self.station,
                clean(reason),
                detail_text(detail),
            )
        )

    def append(
        self,
        user: str,
        action: str,
        target: str = "",
        *,
        reason: str = "",
        ts: float | None = None,
        **detail: Any,
    ) -> None:
        """One record written by the trail's owner itself (start, stop, a found gap)."""
        self._queue(
            (
                time.time() if ts is None else ts,
                clean(user),
                clean(action),
                clean(target),
                self.station,
                clean(reason),
                detail_text(detail),
            )
        )

    def _queue(self, row: Row) -> None:
        with self._lock:
            batch = self._open
            if batch is None:
                batch = self._open = _Batch(self)
                self.writer.submit(batch.run, durable=True, on_commit=batch.committed)
            batch.rows.append(row)

    def _committed(self, head: Head) -> None:
        if head.seq <= self.head.seq and head.seq != 0:
            return
        self.head = head
        try:
            write_head(self.head_file, head, anew=self._anew)
            self._anew = False
            self.head_problem = None
        except OSError as error:
            self.head_problem = f"cannot write {self.head_file}: {error}"
            log.error("audit: %s", self.head_problem)
        if self.on_head is not None:
            self.on_head(head)

    # -- reading back (for the audit view) --------------------------------------------------

    def search(
        self, start: float | None = None, end: float | None = None, **filters: Any
    ) -> list[AuditRow]:
        """Records for the audit view (see ``query.search``)."""
        return query.search(self.path, start, end, **filters)

    def export_csv(self, out: IO[str], start: float | None = None, end: float | None = None) -> int:
        return query.export_csv(self.path, out, start, end)

    def verify(self) -> Verdict:
        """The chain checked now (see ``verify.verify``); reads only."""
        return verify(self.path, self.head_file)
