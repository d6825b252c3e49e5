"""The outbox: events waiting for the MES, written inside the transaction of the record
they describe (so an event exists exactly when its record does). Any capability may write
it; the MES sync reads it and deletes what every target took.

Each event belongs to a stream (the order number, or ``line:<id>`` outside any order) and
takes that stream's next sequence number from ``outbox_streams`` in the same transaction,
so sequences have no gaps even when a batch is rolled back and retried. The key is made
once, when the event is built, and never changes: the MES drops a resent event by it.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_NEXT_SEQ = (
    "INSERT INTO outbox_streams (stream, seq) VALUES (?, 1) "
    "ON CONFLICT(stream) DO UPDATE SET seq = seq + 1 RETURNING seq"
)
_INSERT = "INSERT INTO outbox (key, stream, seq, kind, payload, ts) VALUES (?, ?, ?, ?, ?, ?)"


@dataclass(frozen=True)
class OutboxEvent:
    """A production event waiting for the MES: ``key`` makes a resend harmless, ``seq``
    orders the events of one order (per-line events use the line's stream)."""

    id: int
    key: str
    stream: str  # the order number, or "line:<id>" for events outside any order
    seq: int
    kind: str  # order.state, count, scrap, downtime.start, downtime.end, downtime.reason,
    #          correction, shift.end
    payload: dict[str, Any]
    ts: float


def line_stream(line: str) -> str:
    return f"line:{line}"


def stream_of(order: str | None, line: str) -> str:
    """An order's events go to its own stream; the rest to their line's."""
    return order if order else line_stream(line)


@dataclass(frozen=True, slots=True)
class Pending:
    """An event built outside the transaction, written inside it by ``write``."""

    key: str
    stream: str
    kind: str
    payload: str
    ts: float


def event(stream: str, kind: str, payload: dict[str, Any], ts: float) -> Pending:
    return Pending(uuid.uuid4().hex, stream, kind, json.dumps(payload, sort_keys=True), ts)


def write(conn: sqlite3.Connection, events: Iterable[Pending]) -> None:
    """Insert the events with their streams' next sequence numbers (inside a transaction)."""
    for e in events:
        seq = conn.execute(_NEXT_SEQ, (e.stream,)).fetchone()[0]
        conn.execute(_INSERT, (e.key, e.stream, seq, e.kind, e.payload, e.ts))


#: the columns ``from_rows`` takes, for a reader with a query of its own
SELECT = "SELECT id, key, stream, seq, kind, payload, ts FROM outbox"


def from_rows(rows: Iterable[Any]) -> list[OutboxEvent]:
    """Events from rows of ``SELECT ...``."""
    return [OutboxEvent(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6]) for r in rows]


def read(conn: sqlite3.Connection, limit: int = 100) -> list[OutboxEvent]:
    """The oldest events not yet acknowledged, in the order they were written."""
    rows = conn.execute(f"{SELECT} ORDER BY id LIMIT ?", (max(int(limit), 0),))
    return from_rows(rows)


def read_after(conn: sqlite3.Connection, after_id: int, limit: int) -> list[OutboxEvent]:
    """Events with an id above ``after_id``, in id order (a reader's cursor moves on them)."""
    rows = conn.execute(
        f"{SELECT} WHERE id > ? ORDER BY id LIMIT ?", (int(after_id), max(int(limit), 0))
    )
    return from_rows(rows)


def delete(conn: sqlite3.Connection, ids: Iterable[int]) -> None:
    conn.executemany("DELETE FROM outbox WHERE id = ?", [(int(i),) for i in ids])
