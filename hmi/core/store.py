"""The local SQLite store: one WAL file per project, one writer thread that batches.

Every component that records something (history, alarm journal, audit, production
events) hands the writer small jobs; the writer runs whatever is pending in one
transaction. A full disk or an I/O error keeps the jobs in memory and retries them, so
nothing recorded is lost while the problem lasts, and nothing upstream ever waits.

Two durability tiers share the file: a batch commits with ``synchronous=NORMAL`` (a
killed process loses nothing, a power cut may lose the last moment: history), unless it
holds a job submitted ``durable`` (users, audit, production records), which makes that
batch commit with ``synchronous=FULL``. A job may ask to be told once it is committed.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

Job = Callable[[sqlite3.Connection], None]
#: a job, whether its batch must survive a power cut, and what to call once committed
_Entry = tuple[Job, bool, Callable[[], None] | None]

# Errors where the data is fine but the disk or file is not: keep the jobs and retry.
_TRANSIENT = ("disk is full", "disk i/o error", "database is locked", "unable to open")


def connect(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the settings every part of the store relies on."""
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process; a power cut may lose the last commit
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


Step = str | Callable[[sqlite3.Connection], None]


def migrate(conn: sqlite3.Connection, component: str, steps: Sequence[Step]) -> None:
    """Apply the schema steps of ``component`` that this file has not seen yet, in order.

    A step is SQL text, or a function given the connection (sqlite-utils builds tables
    from declarations); either runs in the step's own transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER)"
    )
    row = conn.execute(
        "SELECT version FROM schema_version WHERE component = ?", (component,)
    ).fetchone()
    done = row[0] if row else 0
    for version, step in enumerate(steps[done:], start=done + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute(
                "INSERT OR REPLACE INTO schema_version (component, version) VALUES (?, ?)",
                (component, version),
            )
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise


def _restore_normal(conn: sqlite3.Connection) -> None:
    """Back to the everyday tier after a durable batch; a failure here must not hide the
    error that ended the batch (the next durable batch sets FULL again anyway)."""
    try:
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.Error:
        log.debug("could not set synchronous=NORMAL again", exc_info=True)


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and any(
        phrase in str(exc).lower() for phrase in _TRANSIENT
    )


class Writer:
    """A thread that owns the write connection and commits pending jobs in batches."""

    def __init__(
        self,
        path: str | Path,
        *,
        flush_interval: float = 0.2,
        retry_interval: float = 2.0,
        on_health: Callable[[str | None], None] | None = None,
    ):
        self.path = Path(path)
        self.flush_interval = flush_interval
        self.retry_interval = retry_interval
        self.on_health = on_health  # called with a reason when failing, None when recovered
        self.problem: str | None = None
        self.committed_jobs = 0
        self.dropped_jobs = 0
        self._pending: deque[_Entry] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._run, name="hmi-store-writer", daemon=True)
        self.conn = connect(self.path)

    def start(self) -> Writer:
        self._thread.start()
        return self

    def submit(
        self, job: Job, *, durable: bool = False, on_commit: Callable[[], None] | None = None
    ) -> None:
        """Queue a job; never blocks. It runs in the next batch's transaction; with
        ``durable`` that transaction is on disk when it commits (fsync), and ``on_commit``
        is called on the writer's thread once it has committed (never if it is dropped)."""
        with self._lock:
            self._pending.append((job, durable, on_commit))
            self._idle.clear()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is committed (or timeout)."""
        self._wake.set()
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        else:
            self._commit_pending()
        self.conn.close()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            # read before the batch is taken: a job submitted just before stop() while this
            # pass took an empty batch is committed by one more pass, not left behind
            stopping = self._stopping
            ok = self._commit_pending()
            if stopping and (ok or not self._pending):
                return
            if stopping:
                return  # the disk is still failing at shutdown: nothing more can be done
            if not ok:
                time.sleep(self.retry_interval)

    def _commit_pending(self) -> bool:
        with self._lock:
            jobs = list(self._pending)
        if not jobs:
            self._idle.set()
            return True
        dropped_before = self.dropped_jobs
        try:
            self._commit(jobs)
            handled, reason = len(jobs), None
        except Exception as exc:
            if is_transient(exc):
                handled, reason = 0, str(exc)
            else:
                handled, reason = self._commit_one_by_one(jobs)
        self.committed_jobs += handled - (self.dropped_jobs - dropped_before)
        self._set_problem(f"local database {self.path.name}: {reason}" if reason else None)
        with self._lock:  # only now may flush() see "idle": health is already up to date
            for _ in range(handled):
                self._pending.popleft()
            if not self._pending:
                self._idle.set()
        return reason is None

    def _commit(self, jobs: list[_Entry]) -> None:
        conn = self.conn
        durable = any(entry[1] for entry in jobs)
        if durable:
            conn.execute("PRAGMA synchronous=FULL")
        # IMMEDIATE: the write lock first, so a job that reads before it writes (the audit
        # chain's last record) sees what another process committed just before
        conn.execute("BEGIN IMMEDIATE")
        try:
            for job, _, _ in jobs:
                job(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may already have rolled back (disk full, I/O)
                conn.execute("ROLLBACK")
            raise
        finally:
            if durable:
                _restore_normal(conn)
        for _, _, on_commit in jobs:
            if on_commit is not None:
                try:
                    on_commit()
                except Exception:
                    log.exception("a callback after a commit to the local database failed")

    def _commit_one_by_one(self, jobs: list[_Entry]) -> tuple[int, str | None]:
        """A job that fails for a reason of its own is dropped and logged; the rest commit.

        Returns how many leading jobs were handled, and the transient error that stopped it.
        """
        for done, job in enumerate(jobs):
            try:
                self._commit([job])
            except Exception as exc:
                if is_transient(exc):
                    return done, str(exc)
                self.dropped_jobs += 1
                log.error("a write to the local database was refused and dropped: %s", exc)
        return len(jobs), None

    def _set_problem(self, reason: str | None) -> None:
        if reason == self.problem:
            return
        if reason:
            log.error("%s; keeping %d pending writes in memory and retrying", reason, self.pending)
        else:
            log.warning("local database %s writable again", self.path.name)
        self.problem = reason
        if self.on_health is not None:
            try:
                self.on_health(reason)
            except Exception:
                log.exception("store health callback failed")
