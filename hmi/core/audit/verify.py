"""``hmi audit verify``: walk the chain and name the first record that is not as written.

One pass in record order recomputes every hash (an edited record), follows every
``prev`` (a removed or moved record) and checks the numbers run on without a gap; then
the last record is compared with the head kept outside the database (a cut-off tail).
Records the station itself wrote on finding its trail cut short count as found damage.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

from ..store import connect
from .chain import COLUMNS, GENESIS, HEAD_FILE, TRUNCATED, Head, head_path, read_head

FETCH = 20_000


@dataclass(frozen=True, slots=True)
class Verdict:
    """What ``verify`` found: ``problem`` is None for a sound trail."""

    count: int
    head: Head
    problem: str | None = None
    seq: int | None = None  # the first record found wrong

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(store: Path, head_file: Path | None = None) -> Verdict:
    """Check the trail in ``store`` (``hmi.db``) against ``head_file`` (beside it)."""
    store = Path(store)
    head_file = head_file or head_path(store)
    if not store.exists():
        return Verdict(0, Head(), f"there is no local store at {store}")
    conn = connect(store, readonly=True)
    try:
        try:
            cursor = conn.execute(f"SELECT {COLUMNS} FROM audit ORDER BY seq")
        except sqlite3.OperationalError:
            return _against_head(Head(), 0, head_file, conn)
        expected, prev, count = 1, GENESIS, 0
        while rows := cursor.fetchmany(FETCH):
            for seq, ts, user, action, target, station, reason, detail, back, this in rows:
                # the canonical bytes of ``chain.digest``, inlined: this loop runs a million
                # times; a NUL inside a field would make more than the 7 separators
                text = (
                    f"{back}\x00{ts!r}\x00{user}\x00{action}\x00"
                    f"{target}\x00{station}\x00{reason}\x00{detail}"
                )
                if (
                    type(ts) is not float
                    or text.count("\x00") != 7
                    or sha256(text.encode("utf-8", "surrogatepass")).hexdigest() != this
                ):
                    return Verdict(count, Head(expected - 1, prev), _edited(seq, ts), seq)
                if seq != expected:
                    where = (
                        f"record {expected}"
                        if seq == expected + 1
                        else (f"records {expected} to {seq - 1}")
                    )
                    return Verdict(
                        count,
                        Head(expected - 1, prev),
                        f"{where} removed: the trail goes from record {expected - 1} to {seq}",
                        expected,
                    )
                if back != prev:
                    return Verdict(count, Head(seq - 1, prev), _out_of_order(conn, seq, back), seq)
                if action == TRUNCATED:
                    return Verdict(
                        count, Head(seq - 1, prev), _truncated_note(seq, ts, reason), seq
                    )
                prev, expected, count = this, seq + 1, count + 1
        return _against_head(Head(expected - 1, prev), count, head_file, conn)
    finally:
        conn.close()


def _against_head(last: Head, count: int, head_file: Path, conn: sqlite3.Connection) -> Verdict:
    try:
        kept = read_head(head_file)
    except (OSError, ValueError) as error:
        return Verdict(count, last, f"the head kept in {head_file} cannot be read: {error}")
    if kept is None:
        if count == 0:
            return Verdict(0, last)
        return Verdict(
            count,
            last,
            f"{HEAD_FILE} is missing beside the store: whether records "
            "were cut off the end cannot be proven",
        )
    if kept.seq > last.seq:
        return Verdict(
            count,
            last,
            f"records {last.seq + 1} to {kept.seq} removed: the trail "
            f"ends at record {last.seq}, its head ({head_file.name}) at {kept.seq}",
            last.seq + 1,
        )
    if kept.seq > 0:
        row = conn.execute("SELECT hash FROM audit WHERE seq = ?", (kept.seq,)).fetchone()
        if row is None or row[0] != kept.hash:
            return Verdict(
                count,
                last,
                f"record {kept.seq} is not the one the head "
                f"({head_file.name}) names: the trail was rewritten from there",
                kept.seq,
            )
    return Verdict(count, last)


def _when(ts: object) -> str:
    if not isinstance(ts, int | float):
        return "at an unreadable time"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _edited(seq: int, ts: object) -> str:
    return f"record {seq} ({_when(ts)}) edited: its content does not match its hash"


def _out_of_order(conn: sqlite3.Connection, seq: int, back: str) -> str:
    """A record whose ``prev`` is not the hash of the record before it: moved, or the
    record before it was replaced."""
    found = conn.execute("SELECT seq FROM audit WHERE hash = ?", (back,)).fetchone()
    if found is not None:
        return (
            f"record {seq} out of order: it was written after record {found[0]} "
            "(records were swapped or moved)"
        )
    return (
        f"record {seq} does not follow record {seq - 1}: record {seq - 1} was replaced "
        "or records before it were removed"
    )


def _truncated_note(seq: int, ts: object, reason: str) -> str:
    return f"record {seq} ({_when(ts)}): the station found its trail cut short: {reason}"
