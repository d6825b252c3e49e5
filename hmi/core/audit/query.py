"""Reading the trail back: a search for the supervisor's audit view, and CSV export.

Both read on a connection of their own (read-only), so a search never waits for the
writer and the writer never waits for a search.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..store import connect
from .chain import COLUMNS, AuditRow

CSV_COLUMNS = ("seq", "time", "user", "action", "target", "station", "reason", "detail", "hash")


def search(
    store: Path,
    start: float | None = None,
    end: float | None = None,
    *,
    user: str | None = None,
    action: str | None = None,
    text: str | None = None,
    limit: int = 1000,
    newest_first: bool = True,
) -> list[AuditRow]:
    """Records with ``start <= ts < end``, of ``user``, whose action starts with
    ``action``, with ``text`` anywhere in target, reason or detail; at most ``limit``."""
    where, args = _where(start, end)
    if user:
        where.append("user = ?")
        args.append(user)
    if action:
        where.append("action LIKE ? ESCAPE '\\'")
        args.append(_like(action) + "%")
    if text:
        where.append(
            "(target LIKE ? ESCAPE '\\' OR reason LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\')"
        )
        args += ["%" + _like(text) + "%"] * 3
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT {COLUMNS} FROM audit{_clause(where)} ORDER BY seq {order} LIMIT ?"
    with _reading(store) as conn:
        if conn is None:
            return []
        return [AuditRow(*row) for row in conn.execute(sql, (*args, limit))]


def rows_between(store: Path, start: float | None, end: float | None) -> Iterator[AuditRow]:
    where, args = _where(start, end)
    with _reading(store) as conn:
        if conn is None:
            return
        cursor = conn.execute(f"SELECT {COLUMNS} FROM audit{_clause(where)} ORDER BY seq", args)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                yield AuditRow(*row)


def export_csv(
    store: Path, out: IO[str], start: float | None = None, end: float | None = None
) -> int:
    """Write the records of ``[start, end)`` as CSV (local time with its offset); returns
    how many."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows_between(store, start, end):
        when = dt.datetime.fromtimestamp(row.ts).astimezone().isoformat(timespec="milliseconds")
        writer.writerow(
            (
                row.seq,
                when,
                row.user,
                row.action,
                row.target,
                row.station,
                row.reason,
                row.detail,
                row.hash,
            )
        )
        count += 1
    return count


class _reading:
    """A read-only connection, or None when the store or its trail does not exist yet."""

    def __init__(self, store: Path):
        self.store = Path(store)
        self.conn: sqlite3.Connection | None = None

    def __enter__(self) -> sqlite3.Connection | None:
        if not self.store.exists():
            return None
        self.conn = connect(self.store, readonly=True)
        found = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'"
        ).fetchone()
        return self.conn if found else None

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self.conn.close()


def _where(start: float | None, end: float | None) -> tuple[list[str], list[object]]:
    where: list[str] = []
    args: list[object] = []
    if start is not None:
        where.append("ts >= ?")
        args.append(start)
    if end is not None:
        where.append("ts < ?")
        args.append(end)
    return where, args


def _clause(where: list[str]) -> str:
    return " WHERE " + " AND ".join(where) if where else ""


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
