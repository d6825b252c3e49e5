"""Per-camera decision counters and the active model of each camera, kept in the store.

The counters ``good``, ``scrap`` and ``uninspected`` only ever grow, across restarts: the
orders capability counts them like a PLC's counters, so a value it has seen must never
come back smaller. Each increment is a durable job of the store's writer, and its new
value is handed on (published) only once that job is committed, so no reader sees a
count a power cut could take back.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..store import Writer, connect, migrate

COMPONENT = "vision"
KINDS = ("good", "scrap", "uninspected")
SCHEMA = [
    """
    CREATE TABLE vision_counters (
        camera TEXT NOT NULL, kind TEXT NOT NULL, count INTEGER NOT NULL, ts REAL,
        PRIMARY KEY (camera, kind));
    CREATE TABLE vision_models (
        camera TEXT PRIMARY KEY, model TEXT NOT NULL, user TEXT, ts REAL);
    """,
    # the models added at the station (``library``) take the name; the cameras' active
    # models move to a table of their own
    """
    ALTER TABLE vision_models RENAME TO vision_active_models;
    CREATE TABLE vision_models (
        name TEXT PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT, added_by TEXT, ts REAL);
    """,
]

Counts = dict[str, dict[str, int]]  # camera -> kind -> count


def read_store(path: str | Path) -> tuple[Counts, dict[str, str]]:
    """The counters and active models in the store at ``path`` (empty if it has none),
    read without writing: for the command line."""
    if not Path(path).is_file():
        return {}, {}
    conn = connect(path, readonly=True)
    try:
        return _read(conn)
    except sqlite3.OperationalError:  # no vision tables yet
        return {}, {}
    finally:
        conn.close()


def _read(conn: sqlite3.Connection) -> tuple[Counts, dict[str, str]]:
    counts: Counts = {}
    for camera, kind, count in conn.execute("SELECT camera, kind, count FROM vision_counters"):
        counts.setdefault(camera, dict.fromkeys(KINDS, 0))[kind] = int(count)
    try:
        rows = conn.execute("SELECT camera, model FROM vision_active_models").fetchall()
    except sqlite3.OperationalError:  # a store not yet upgraded, read without writing
        rows = conn.execute("SELECT camera, model FROM vision_models").fetchall()
    return counts, dict(rows)


class VisionCounters:
    """The counters in memory, written through the store's writer."""

    def __init__(self, writer: Writer):
        self.writer = writer
        self._lock = threading.Lock()
        self._counts: Counts = {}
        self.models: dict[str, str] = {}

    def load(self) -> VisionCounters:
        """Create or upgrade the tables and read what they hold."""
        conn = connect(self.writer.path)
        try:
            migrate(conn, COMPONENT, SCHEMA)
            counts, self.models = _read(conn)
        finally:
            conn.close()
        with self._lock:
            self._counts = counts
        return self

    def counts(self, camera: str) -> dict[str, int]:
        with self._lock:
            return dict(self._counts.get(camera) or dict.fromkeys(KINDS, 0))

    def add(self, camera: str, kind: str, committed: Callable[[int], None]) -> int:
        """One more ``kind`` for ``camera``; ``committed(value)`` once it is on disk."""
        if kind not in KINDS:
            raise ValueError(f"no vision counter '{kind}' (counters: {', '.join(KINDS)})")
        with self._lock:
            per = self._counts.setdefault(camera, dict.fromkeys(KINDS, 0))
            per[kind] += 1
            value = per[kind]
        ts = time.time()

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO vision_counters (camera, kind, count, ts) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (camera, kind) DO UPDATE SET count = excluded.count, ts = excluded.ts",
                (camera, kind, value, ts),
            )

        self.writer.submit(job, durable=True, on_commit=lambda: committed(value))
        return value

    def set_model(self, camera: str, model: str, user: str) -> None:
        """Remember ``camera``'s active model for the next start."""
        self.models[camera] = model
        ts = time.time()

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO vision_active_models (camera, model, user, ts) "
                "VALUES (?, ?, ?, ?)",
                (camera, model, user, ts),
            )

        self.writer.submit(job, durable=True)
