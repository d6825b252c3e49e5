"""The historian's tables in the local store, and the jobs that write them.

A stored point is one compact row: tag id, time in integer milliseconds, the value (a
number, text for strings, 0/1 for bools) and ``q``: the quality in the two low bits, flags
above. SQLite turns NaN into NULL, so NaN is kept as NULL with ``FLAG_NAN``; a NULL without
it is a sample that had no value. ±inf is stored as itself.

Rollups summarise the stored points per tag in buckets of 10 s, 30 s, 5 min and 1 h
(min, max, first, last, sum and count of the finite values of points that are not Bad,
plus the count of the others). They are updated in the same transaction as the points,
so they always agree with them: a year of one tag is read from 8,760 hourly rows.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import connect, migrate
from ..tags import Quality

FLAG_NAN = 4  # the value was NaN (stored as NULL)
FLAG_CLOCK_BACK = 8  # the clock had gone back before this point
QUALITY_MASK = 0b11
BAD = int(Quality.BAD)
LEVELS = (10_000, 30_000, 300_000, 3_600_000)  # rollup bucket sizes, ms: each divides the next
MAX_EXACT_INT = 2**53
LATE_SHIFTS = 10  # ms a late point may move to land beside one at the same time
KIND_TEXT = 2  # config.Kind.TEXT: no rollups, no interpolation

Row = tuple[int, int, Any, int]  # tag id, t (ms), stored value, q

SCHEMA = [
    """
    CREATE TABLE hist_tag (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE hist_sample (
        tag INTEGER NOT NULL, t INTEGER NOT NULL, v, q INTEGER NOT NULL,
        PRIMARY KEY (tag, t)
    ) WITHOUT ROWID;
    CREATE TABLE hist_rollup (
        tag INTEGER NOT NULL, level INTEGER NOT NULL, t INTEGER NOT NULL,
        vmin REAL, vmax REAL, t_first INTEGER, v_first REAL, t_last INTEGER, v_last REAL,
        vsum REAL, n INTEGER NOT NULL, n_bad INTEGER NOT NULL,
        PRIMARY KEY (tag, level, t)
    ) WITHOUT ROWID;
    CREATE TABLE hist_tail (tag INTEGER PRIMARY KEY, t INTEGER NOT NULL, v, q INTEGER NOT NULL);
    CREATE TABLE hist_progress (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
    INSERT INTO hist_progress (id, seq) VALUES (1, 0);
    CREATE TABLE hist_forward (
        target TEXT NOT NULL, tag INTEGER NOT NULL, t INTEGER NOT NULL,
        PRIMARY KEY (target, tag)
    ) WITHOUT ROWID
    """,
]

INSERT_SAMPLE = "INSERT INTO hist_sample (tag, t, v, q) VALUES (?, ?, ?, ?)"
INSERT_SAMPLE_IF_NEW = "INSERT OR IGNORE INTO hist_sample (tag, t, v, q) VALUES (?, ?, ?, ?)"
REWIND_FORWARD = "UPDATE hist_forward SET t = min(t, ?) WHERE tag = ?"
UPSERT_TAIL = "INSERT OR REPLACE INTO hist_tail (tag, t, v, q) VALUES (?, ?, ?, ?)"
UPSERT_ROLLUP = """
INSERT INTO hist_rollup
    (tag, level, t, vmin, vmax, t_first, v_first, t_last, v_last, vsum, n, n_bad)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tag, level, t) DO UPDATE SET
    vmin = min(coalesce(vmin, excluded.vmin), coalesce(excluded.vmin, vmin)),
    vmax = max(coalesce(vmax, excluded.vmax), coalesce(excluded.vmax, vmax)),
    v_first = CASE WHEN t_first IS NULL OR excluded.t_first < t_first
                   THEN excluded.v_first ELSE v_first END,
    t_first = min(coalesce(t_first, excluded.t_first), coalesce(excluded.t_first, t_first)),
    v_last = CASE WHEN t_last IS NULL OR excluded.t_last > t_last
                  THEN excluded.v_last ELSE v_last END,
    t_last = max(coalesce(t_last, excluded.t_last), coalesce(excluded.t_last, t_last)),
    vsum = coalesce(vsum, 0) + coalesce(excluded.vsum, 0),
    n = n + excluded.n,
    n_bad = n_bad + excluded.n_bad
"""
# a point counts in min/max/avg when it is not Bad and its value is a finite number
GOOD_SQL = "(q & 3) != 2 AND v > -9e999 AND v < 9e999"


def encode(value: Any) -> tuple[Any, int]:
    """The value as stored, and the flags it needs."""
    if isinstance(value, float):
        if value != value:
            return None, FLAG_NAN
        if value.is_integer() and -MAX_EXACT_INT <= value <= MAX_EXACT_INT:
            return int(value), 0  # a whole number takes 0-8 bytes instead of 8
        return value, 0
    if isinstance(value, bool):
        return int(value), 0
    if value is None or isinstance(value, int | str):
        return value, 0
    return str(value), 0


def decode(value: Any, q: int) -> Any:
    return math.nan if q & FLAG_NAN else value


def register_tags(conn: sqlite3.Connection, kinds: Mapping[str, int]) -> dict[str, int]:
    """Ids of the tags in ``kinds`` (new ones are added) and of every tag with history."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT INTO hist_tag (name, kind) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind",
            list(kinds.items()),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return {name: tag for tag, name in conn.execute("SELECT id, name FROM hist_tag")}


@dataclass
class StoreState:
    """What a recorder needs to know of the file before it starts."""

    ids: dict[str, int]  # tag name -> id, for every tag with history or to be recorded
    numeric: frozenset[int]  # ids of the tags whose points have rollups (all but text)
    newest: dict[int, int]  # tag id -> time of its newest stored point
    tails: list[Row]  # newest samples that were held, not stored, when the last run ended
    seq: int  # the last committed job


def prepare(path: str | Path, kinds: Mapping[str, int]) -> StoreState:
    """Create or upgrade the tables and read the state a recorder starts from."""
    conn = connect(path)
    try:
        migrate(conn, "historian", SCHEMA)
        ids = register_tags(conn, kinds)
        numeric = frozenset(
            tag for tag, kind in conn.execute("SELECT id, kind FROM hist_tag") if kind != KIND_TEXT
        )
        newest = {}
        for tag in ids.values():
            row = conn.execute("SELECT max(t) FROM hist_sample WHERE tag = ?", (tag,)).fetchone()
            if row[0] is not None:
                newest[tag] = row[0]
        tails = [
            row
            for row in conn.execute("SELECT tag, t, v, q FROM hist_tail")
            if row[1] > newest.get(row[0], -1)
        ]
        seq = conn.execute("SELECT seq FROM hist_progress").fetchone()[0]
    finally:
        conn.close()
    return StoreState(ids, numeric, newest, tails, seq)


def committed_seq(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT seq FROM hist_progress").fetchone()[0]


def _good(value: Any, q: int) -> bool:
    return (
        q & QUALITY_MASK != BAD and isinstance(value, int | float) and -math.inf < value < math.inf
    )


def rollup_rows(rows: Iterable[Row], numeric: set[int] | frozenset[int]) -> list[tuple]:
    """Partial rollups of ``rows`` for every level, ready for UPSERT_ROLLUP."""
    finest = LEVELS[0]
    acc: dict[tuple[int, int], list] = {}
    for tag, t, value, q in rows:
        if tag not in numeric:
            continue
        key = (tag, t - t % finest)
        part = acc.get(key)
        if part is None:
            part = acc[key] = [None, None, None, None, None, None, 0.0, 0, 0]
        if not _good(value, q):
            part[8] += 1
            continue
        _add(part, t, value, t, value, value, value, value, 1)
    out = [(tag, finest, start, *part) for (tag, start), part in acc.items()]
    for level in LEVELS[1:]:
        coarse: dict[tuple[int, int], list] = {}
        for (tag, start), part in acc.items():
            key = (tag, start - start % level)
            into = coarse.get(key)
            if into is None:
                coarse[key] = list(part)
            else:
                _merge(into, part)
        out.extend((tag, level, start, *part) for (tag, start), part in coarse.items())
        acc = coarse
    return out


def _add(
    part: list, tf: int, vf: Any, tl: int, vl: Any, vmin: Any, vmax: Any, vsum: Any, n: int
) -> None:
    if part[0] is None or vmin < part[0]:
        part[0] = vmin
    if part[1] is None or vmax > part[1]:
        part[1] = vmax
    if part[2] is None or tf < part[2]:
        part[2], part[3] = tf, vf
    if part[4] is None or tl > part[4]:
        part[4], part[5] = tl, vl
    part[6] += vsum
    part[7] += n


def _merge(into: list, part: list) -> None:
    if part[7]:
        _add(into, part[2], part[3], part[4], part[5], part[0], part[1], part[6], part[7])
    into[8] += part[8]


class InsertJob:
    """Stored points of one recorder cycle, their rollups and the tails, in one transaction.

    ``rows`` are newer than anything stored for their tag; ``late`` ones (the clock went
    back) may meet an existing point at the same millisecond and then land a few
    milliseconds after it.
    """

    __slots__ = ("clear_tails", "late", "numeric", "rows", "seq", "tails")

    def __init__(
        self,
        rows: Sequence[Row],
        late: Sequence[Row],
        tails: Sequence[Row],
        seq: int,
        numeric: frozenset[int],
        clear_tails: bool = False,
    ):
        self.rows = rows
        self.late = late
        self.tails = tails
        self.seq = seq
        self.numeric = numeric
        self.clear_tails = clear_tails

    def __call__(self, conn: sqlite3.Connection) -> None:
        inserted = list(self.rows)
        late = list(self.late)
        if inserted:
            conn.execute("SAVEPOINT hist_rows")
            try:
                conn.executemany(INSERT_SAMPLE, inserted)
            except sqlite3.IntegrityError:  # a point already there: take the careful way
                conn.execute("ROLLBACK TO hist_rows")
                late = inserted + late
                inserted = []
            conn.execute("RELEASE hist_rows")
        for tag, t, value, q in late:
            for shift in range(LATE_SHIFTS):  # a point already at that millisecond stays
                row = (tag, t + shift, value, q)
                if conn.execute(INSERT_SAMPLE_IF_NEW, row).rowcount:
                    inserted.append(row)
                    conn.execute(REWIND_FORWARD, (t - 1, tag))
                    break
        if inserted:
            conn.executemany(UPSERT_ROLLUP, rollup_rows(inserted, self.numeric))
        if self.clear_tails:
            conn.execute("DELETE FROM hist_tail")
        if self.tails:
            conn.executemany(UPSERT_TAIL, self.tails)
        conn.execute("UPDATE hist_progress SET seq = max(seq, ?)", (self.seq,))
