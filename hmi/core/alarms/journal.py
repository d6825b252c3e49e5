"""The alarm journal and the standing alarms, in the project's local SQLite store.

Every transition is one journal row, written through the store's Writer: the events of
one evaluation cycle, and the state rows of the alarms they touched, go in one job, so a
flood of a thousand alarms is one transaction and the journal always agrees with the
standing state. ``alarm_state`` holds every alarm that is not plainly normal (active,
unacknowledged, latched, shelved, suppressed, out of service) so a restart resumes them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..store import Writer, connect, migrate
from .events import AlarmEvent
from .states import Action, AlarmState

COMPONENT = "alarms"
_STATES = frozenset(state.value for state in AlarmState)
SCHEMA = [
    """
    CREATE TABLE alarm_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ts REAL NOT NULL,
        alarm_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        line TEXT NOT NULL,
        action TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        priority INTEGER NOT NULL,
        value,
        message TEXT NOT NULL,
        user_name TEXT NOT NULL,
        comment TEXT NOT NULL
    );
    CREATE INDEX alarm_journal_ts ON alarm_journal (ts);
    CREATE INDEX alarm_journal_tag ON alarm_journal (tag, ts);
    CREATE INDEX alarm_journal_alarm ON alarm_journal (alarm_id, ts);
    CREATE TABLE alarm_state (
        alarm_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        active INTEGER NOT NULL,
        acked INTEGER NOT NULL,
        suppressed INTEGER NOT NULL,
        since REAL NOT NULL,
        activated_at REAL,
        value,
        message TEXT NOT NULL,
        shelved_until REAL,
        shelve_reason TEXT NOT NULL,
        shelved_by TEXT NOT NULL,
        one_shot INTEGER NOT NULL,
        oos_reason TEXT NOT NULL,
        oos_by TEXT NOT NULL
    )
    """
]
_JOURNAL_COLUMNS = (
    "ts, alarm_id, tag, line, action, from_state, to_state, priority, value, message, "
    "user_name, comment"
)
_INSERT_EVENT = f"INSERT INTO alarm_journal ({_JOURNAL_COLUMNS}) VALUES ({', '.join('?' * 12)})"
_UPSERT_STATE = f"INSERT OR REPLACE INTO alarm_state VALUES ({', '.join('?' * 15)})"
CSV_HEADER = (
    "time",
    "alarm_id",
    "tag",
    "line",
    "action",
    "from_state",
    "to_state",
    "priority",
    "value",
    "message",
    "user",
    "comment",
)


@dataclass(frozen=True, slots=True)
class StateRow:
    """One standing alarm as kept over a restart (the columns of ``alarm_state``)."""

    alarm_id: str
    state: AlarmState
    active: bool
    acked: bool
    suppressed: bool
    since: float
    activated_at: float | None
    value: Any
    message: str
    shelved_until: float | None = None
    shelve_reason: str = ""
    shelved_by: str = ""
    one_shot: bool = False
    oos_reason: str = ""
    oos_by: str = ""


@dataclass(frozen=True, slots=True)
class Activation:
    """One announcement of an alarm: what the KPIs count."""

    time: float
    alarm_id: str
    tag: str
    line: str
    priority: int
    message: str


def storable(value: Any) -> Any:
    """A value SQLite keeps as it is (numbers, text), else its text."""
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)


class Journal:
    def __init__(self, writer: Writer):
        self.writer = writer
        self.path = Path(writer.path)

    def prepare(self) -> None:
        """Create or upgrade the tables (on a connection of its own, before any write)."""
        conn = connect(self.path)
        try:
            migrate(conn, COMPONENT, SCHEMA)
        finally:
            conn.close()

    # -- writing -----------------------------------------------------------------------

    def record(
        self, events: Sequence[AlarmEvent], states: Sequence[StateRow], cleared: Sequence[str]
    ) -> None:
        """Queue one cycle's transitions and state rows as one job (one transaction)."""
        if not (events or states or cleared):
            return
        event_rows = [
            (
                e.time,
                e.alarm_id,
                e.tag,
                e.line,
                e.action.value,
                e.from_state.value,
                e.to_state.value,
                e.priority,
                storable(e.value),
                e.message,
                e.user,
                e.comment,
            )
            for e in events
        ]
        state_rows = [
            (
                s.alarm_id,
                s.state.value,
                int(s.active),
                int(s.acked),
                int(s.suppressed),
                s.since,
                s.activated_at,
                storable(s.value),
                s.message,
                s.shelved_until,
                s.shelve_reason,
                s.shelved_by,
                int(s.one_shot),
                s.oos_reason,
                s.oos_by,
            )
            for s in states
        ]
        cleared_rows = [(alarm_id,) for alarm_id in cleared]

        def job(conn: sqlite3.Connection) -> None:
            if event_rows:
                conn.executemany(_INSERT_EVENT, event_rows)
            if state_rows:
                conn.executemany(_UPSERT_STATE, state_rows)
            if cleared_rows:
                conn.executemany("DELETE FROM alarm_state WHERE alarm_id = ?", cleared_rows)

        self.writer.submit(job)

    # -- reading -----------------------------------------------------------------------

    def load_states(self) -> list[StateRow]:
        with _reading(self.path) as conn:
            rows = conn.execute("SELECT * FROM alarm_state").fetchall()
        return [
            StateRow(
                alarm_id=r[0],
                state=AlarmState(r[1]),
                active=bool(r[2]),
                acked=bool(r[3]),
                suppressed=bool(r[4]),
                since=r[5],
                activated_at=r[6],
                value=r[7],
                message=r[8],
                shelved_until=r[9],
                shelve_reason=r[10],
                shelved_by=r[11],
                one_shot=bool(r[12]),
                oos_reason=r[13],
                oos_by=r[14],
            )
            for r in rows
            if r[1] in _STATES
        ]

    def query(
        self,
        *,
        start: float | None = None,
        end: float | None = None,
        tag: str | None = None,
        priority: int | Iterable[int] | None = None,
        text: str | None = None,
        alarm_id: str | None = None,
        line: str | None = None,
        actions: Iterable[Action] | None = None,
        limit: int = 10_000,
        newest_first: bool = True,
    ) -> list[AlarmEvent]:
        """Journal rows matching every filter given. ``tag`` may end in ``*`` (a prefix);
        ``text`` is searched in the message, alarm id, tag, user and comment."""
        where, args = _filters(start, end, tag, priority, text, alarm_id, line, actions)
        order = "DESC" if newest_first else "ASC"
        sql = (
            f"SELECT {_JOURNAL_COLUMNS} FROM alarm_journal {where} "
            f"ORDER BY ts {order}, seq {order} LIMIT ?"
        )
        with _reading(self.path) as conn:
            rows = conn.execute(sql, [*args, int(limit)]).fetchall()
        return [
            AlarmEvent(
                r[0], r[1], r[2], r[3], Action(r[4]), AlarmState(r[5]), AlarmState(r[6]), *r[7:]
            )
            for r in rows
        ]

    def activations(self, start: float, end: float) -> list[Activation]:
        sql = (
            "SELECT ts, alarm_id, tag, line, priority, message FROM alarm_journal "
            "WHERE action = ? AND ts >= ? AND ts <= ? ORDER BY ts"
        )
        with _reading(self.path) as conn:
            rows = conn.execute(sql, (Action.ACTIVATE.value, start, end)).fetchall()
        return [Activation(*row) for row in rows]

    def states_at(self, alarm_ids: Iterable[str], t: float) -> dict[str, AlarmState]:
        """Each alarm's state at ``t``: the state its last transition until then led to
        (an alarm with none was normal). One indexed look-up per alarm."""
        sql = (
            "SELECT to_state FROM alarm_journal WHERE alarm_id = ? AND ts <= ? "
            "ORDER BY ts DESC, seq DESC LIMIT 1"
        )
        states: dict[str, AlarmState] = {}
        with _reading(self.path) as conn:
            for alarm_id in alarm_ids:
                row = conn.execute(sql, (alarm_id, t)).fetchone()
                states[alarm_id] = AlarmState(row[0]) if row else AlarmState.NORMAL
        return states

    def export_csv(self, target: str | Path | TextIO, **filters: Any) -> int:
        """Write the matching rows (oldest first) as CSV; returns how many were written."""
        filters.setdefault("newest_first", False)
        filters.setdefault("limit", 1_000_000)
        events = self.query(**filters)
        if isinstance(target, str | Path):
            with open(target, "w", newline="", encoding="utf-8") as handle:
                _write_csv(handle, events)
        else:
            _write_csv(target, events)
        return len(events)


def _write_csv(handle: TextIO | io.StringIO, events: Sequence[AlarmEvent]) -> None:
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    for e in events:
        when = datetime.fromtimestamp(e.time).astimezone().isoformat(timespec="milliseconds")
        writer.writerow(
            [
                when,
                e.alarm_id,
                e.tag,
                e.line,
                e.action.value,
                e.from_state.value,
                e.to_state.value,
                e.priority,
                "" if e.value is None else e.value,
                e.message,
                e.user,
                e.comment,
            ]
        )


def _filters(
    start: float | None,
    end: float | None,
    tag: str | None,
    priority: int | Iterable[int] | None,
    text: str | None,
    alarm_id: str | None,
    line: str | None,
    actions: Iterable[Action] | None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if start is not None:
        clauses.append("ts >= ?")
        args.append(start)
    if end is not None:
        clauses.append("ts <= ?")
        args.append(end)
    if tag:
        if tag.endswith("*"):
            clauses.append("tag LIKE ? ESCAPE '\\'")
            args.append(_like(tag[:-1]) + "%")
        else:
            clauses.append("tag = ?")
            args.append(tag)
    if priority is not None:
        wanted = [priority] if isinstance(priority, int) else list(priority)
        clauses.append(f"priority IN ({', '.join('?' * len(wanted))})")
        args.extend(wanted)
    if alarm_id:
        clauses.append("alarm_id = ?")
        args.append(alarm_id)
    if line:
        clauses.append("line = ?")
        args.append(line)
    if actions is not None:
        chosen = [Action(a).value for a in actions]
        clauses.append(f"action IN ({', '.join('?' * len(chosen))})")
        args.extend(chosen)
    if text:
        pattern = f"%{_like(text)}%"
        fields = ("message", "alarm_id", "tag", "user_name", "comment")
        clauses.append("(" + " OR ".join(f"{f} LIKE ? ESCAPE '\\'" for f in fields) + ")")
        args.extend([pattern] * len(fields))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived read-only connection, so a query on the UI thread never shares the
    writer's connection."""
    conn = connect(path, readonly=True)
    try:
        yield conn
    finally:
        conn.close()
