"""Users in the project's local store (``hmi.db``): one row each, hashes only.

Every change goes through the store's writer as a durable job (committed with a sync to
disk) and bumps a generation number in the same transaction, so another process on the
station (``hmi users ...`` beside a running HMI) sees that something changed with one
tiny query and reloads the rows.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from ..store import Writer, connect, migrate
from .hashing import Cost, new_salt

COMPONENT = "users"
SCHEMA = [
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        full_name TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL,
        password_hash TEXT,
        pin_hash TEXT,
        badge_digest TEXT UNIQUE,
        enabled INTEGER NOT NULL DEFAULT 1,
        failures INTEGER NOT NULL DEFAULT 0,
        lockouts INTEGER NOT NULL DEFAULT 0,
        locked_until REAL NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        changed REAL NOT NULL,
        last_sign_in REAL
    );
    CREATE TABLE users_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO users_meta (key, value) VALUES ('generation', '0')
    """,
]


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One user as stored. Hashes never leave the users package's service."""

    name: str
    role: str
    full_name: str = ""
    password_hash: str | None = None
    pin_hash: str | None = None
    badge_digest: str | None = None
    enabled: bool = True
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0
    created: float = 0.0
    changed: float = 0.0
    last_sign_in: float | None = None


COLUMNS = tuple(f.name for f in fields(UserRecord))


@dataclass(frozen=True, slots=True)
class BadgeKey:
    """The salt and parameters every badge of this store is hashed with."""

    salt: bytes
    cost: Cost


class UserDatabase:
    """Reads users on a connection of its own; writes through the store's writer."""

    def __init__(self, writer: Writer):
        self.writer = writer
        self.path = Path(writer.path)
        self._read: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def prepare(self, badge_cost: Cost) -> BadgeKey:
        """Create or upgrade the tables, and the badge key on first use."""
        conn = connect(self.path)
        try:
            migrate(conn, COMPONENT, SCHEMA)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("BEGIN IMMEDIATE")
            rows = dict(conn.execute("SELECT key, value FROM users_meta").fetchall())
            if "badge_salt" not in rows:
                rows["badge_salt"] = new_salt().hex()
                rows["badge_cost"] = (
                    f"{badge_cost.time_cost},{badge_cost.memory_kib},{badge_cost.parallelism}"
                )
                conn.executemany(
                    "INSERT INTO users_meta (key, value) VALUES (?, ?)",
                    [("badge_salt", rows["badge_salt"]), ("badge_cost", rows["badge_cost"])],
                )
            conn.execute("COMMIT")
        finally:
            conn.close()
        t, m, p = (int(x) for x in rows["badge_cost"].split(","))
        return BadgeKey(bytes.fromhex(rows["badge_salt"]), Cost(t, m, p))

    def _conn(self) -> sqlite3.Connection:
        if self._read is None:
            self._read = connect(self.path, readonly=True)
        return self._read

    def load(self) -> tuple[int, dict[str, UserRecord]]:
        """The generation and every user, read in one transaction."""
        with self._lock:
            conn = self._conn()
            conn.execute("BEGIN")
            try:
                generation = self._generation(conn)
                rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM users").fetchall()
            finally:
                conn.execute("COMMIT")
        users = {}
        for row in rows:
            record = UserRecord(*row)
            users[record.name] = _with_flag(record)
        return generation, users

    def generation(self) -> int:
        with self._lock:
            return self._generation(self._conn())

    @staticmethod
    def _generation(conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM users_meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = (
                self._conn()
                .execute("SELECT value FROM users_meta WHERE key = ?", (key,))
                .fetchone()
            )
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO users_meta (key, value) VALUES (?, ?)", (key, value)
            )

        self.writer.submit(job, durable=True)

    def save(self, record: UserRecord, on_commit: Callable[[], None] | None = None) -> None:
        """Insert or replace one user (durably), bumping the generation."""
        values = tuple(getattr(record, c) for c in COLUMNS)

        def job(conn: sqlite3.Connection) -> None:
            # a badge that moved from a removed or changed user must not clash
            if record.badge_digest is not None:
                conn.execute(
                    "UPDATE users SET badge_digest = NULL WHERE badge_digest = ? AND name != ?",
                    (record.badge_digest, record.name),
                )
            conn.execute(
                f"INSERT OR REPLACE INTO users ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(COLUMNS))})",
                values,
            )
            _bump(conn)

        self.writer.submit(job, durable=True, on_commit=on_commit)

    def delete(self, name: str) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM users WHERE name = ?", (name,))
            _bump(conn)

        self.writer.submit(job, durable=True)

    def close(self) -> None:
        with self._lock:
            if self._read is not None:
                self._read.close()
                self._read = None


def _bump(conn: sqlite3.Connection) -> None:
    conn.execute(
        "UPDATE users_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
    )


def _with_flag(record: UserRecord) -> UserRecord:
    """SQLite keeps booleans as 0/1."""
    return replace(record, enabled=bool(record.enabled))
