"""Store and forward: the stored points, copied to a central history store when it answers.

The local file is the outbox. A cursor per target and tag remembers the newest point the
target has acknowledged; a forwarder reads the points after it, hands them to the
target and moves the cursor only once ``send`` returned. An outage only makes the
backlog wait in the file. Delivery is at least once: a target must accept a point it
already has (same tag and time) without keeping it twice. Points stored late because the
clock went back move the cursor back (storage.InsertJob), so they are sent as well.

A target implements ``HistoryTarget``; the PostgreSQL/TimescaleDB one lives with the
other central-store transports.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..store import Writer, connect
from ..tags import Quality
from .storage import QUALITY_MASK, decode

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ForwardRow:
    tag: str
    t: int  # ms since the epoch
    value: Any
    quality: Quality
    flags: int = 0


class HistoryTarget(Protocol):
    """Where stored points go. ``send`` raises when it cannot take them now."""

    name: str

    def send(self, rows: Sequence[ForwardRow]) -> None: ...


class Cursor(Protocol):
    """Per tag id, the time of the newest point the target acknowledged."""

    def load(self) -> dict[int, int]: ...

    def save(self, moves: dict[int, tuple[int | None, int]]) -> None:
        """Move each tag's cursor from its old position (None: none yet) to the new one."""


class MemoryTarget:
    """Keeps what it is sent; ``failing`` makes it refuse, as an unreachable store would."""

    def __init__(self, name: str = "memory"):
        self.name = name
        self.rows: dict[tuple[str, int], ForwardRow] = {}
        self.failing: str | None = None
        self.calls = 0

    def send(self, rows: Sequence[ForwardRow]) -> None:
        self.calls += 1
        if self.failing:
            raise ConnectionError(self.failing)
        for row in rows:
            self.rows[(row.tag, row.t)] = row


class MemoryCursor:
    def __init__(self) -> None:
        self.positions: dict[int, int] = {}

    def load(self) -> dict[int, int]:
        return dict(self.positions)

    def save(self, moves: dict[int, tuple[int | None, int]]) -> None:
        for tag, (_, new) in moves.items():
            self.positions[tag] = new


SAVE_POSITION = """
INSERT INTO hist_forward (target, tag, t) VALUES (?, ?, ?)
ON CONFLICT (target, tag) DO UPDATE SET t = excluded.t WHERE hist_forward.t = ?
"""


class SqliteCursor:
    """Positions kept in the store, written through its writer.

    A position moved back in the meantime (a point stored late) is not overwritten.
    """

    def __init__(self, target: str, writer: Writer, read: sqlite3.Connection):
        self.target = target
        self.writer = writer
        self.read = read

    def load(self) -> dict[int, int]:
        sql = "SELECT tag, t FROM hist_forward WHERE target = ?"
        return dict(self.read.execute(sql, (self.target,)).fetchall())

    def save(self, moves: dict[int, tuple[int | None, int]]) -> None:
        args = [(self.target, tag, new, old) for tag, (old, new) in moves.items()]

        def save_positions(conn: sqlite3.Connection) -> None:
            conn.executemany(SAVE_POSITION, args)

        self.writer.submit(save_positions)
        self.writer.flush(5.0)


class Forwarder:
    """Copies stored points to one target, a batch at a time, on its own thread."""

    def __init__(
        self,
        path: str | Path,
        target: HistoryTarget,
        writer: Writer | None = None,
        *,
        cursor: Cursor | None = None,
        batch: int = 5000,
        interval: float = 1.0,
        retry_max: float = 60.0,
    ):
        self.path = Path(path)
        self.target = target
        self.batch = batch
        self.interval = interval
        self.retry_max = retry_max
        self.problem: str | None = None
        self.sent = 0
        self._read = connect(self.path, readonly=True)
        if cursor is None:
            if writer is None:
                raise ValueError("a Forwarder needs a writer to keep its cursor in the store")
            cursor = SqliteCursor(target.name, writer, self._read)
        self.cursor = cursor
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"hmi-history-forward-{target.name}", daemon=True
        )

    def start(self) -> Forwarder:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._read.close()

    def pending_rows(self) -> tuple[list[ForwardRow], dict[int, tuple[int | None, int]]]:
        """The next batch after the cursors, and where the cursors go once it is sent."""
        positions = self.cursor.load()
        names = dict(self._read.execute("SELECT id, name FROM hist_tag").fetchall())
        rows: list[ForwardRow] = []
        moves: dict[int, tuple[int | None, int]] = {}
        for tag, name in names.items():
            room = self.batch - len(rows)
            if room <= 0:
                break
            old = positions.get(tag)
            found = self._read.execute(
                "SELECT t, v, q FROM hist_sample WHERE tag = ? AND t > ? ORDER BY t LIMIT ?",
                (tag, -1 if old is None else old, room),
            ).fetchall()
            for t, value, q in found:
                quality = Quality(q & QUALITY_MASK)
                rows.append(ForwardRow(name, t, decode(value, q), quality, q & ~QUALITY_MASK))
            if found:
                moves[tag] = (old, found[-1][0])
        return rows, moves

    def step(self) -> int:
        """Forward one batch; the number of points the target took (0: none waiting or failed)."""
        try:
            rows, moves = self.pending_rows()
            if not rows:
                self._set_problem(None)
                return 0
            self.target.send(rows)
        except Exception as exc:
            self._set_problem(f"central history '{self.target.name}': {exc}")
            return 0
        self.cursor.save(moves)
        self.sent += len(rows)
        self._set_problem(None)
        return len(rows)

    def _run(self) -> None:
        delay = self.interval
        while not self._stop.is_set():
            sent = self.step()
            if self.problem:
                delay = min(self.retry_max, max(self.interval, delay * 2))
            else:
                delay = 0.0 if sent >= self.batch else self.interval
            self._stop.wait(delay)

    def _set_problem(self, reason: str | None) -> None:
        if reason == self.problem:
            return
        if reason:
            log.warning("%s; the points wait in the local store", reason)
        elif self.problem:
            log.info("central history '%s' reachable again", self.target.name)
        self.problem = reason
