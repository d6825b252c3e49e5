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

import contextlib
import errno
import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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


class StoreError(Exception):
    """The store cannot be opened as it is: written by a newer release, an upgrade that
    failed and was undone, no room for the copy kept before an upgrade. The message names
    the file and says what to do; nothing recorded is lost."""


def migrate(conn: sqlite3.Connection, component: str, steps: Sequence[Step]) -> None:
    """Apply the schema steps of ``component`` that this file has not seen yet, in order.

    A step is SQL text, or a function given the connection (sqlite-utils builds tables
    from declarations); either runs in the step's own transaction. A component already
    past ``steps`` (a newer release wrote it) raises ``StoreError`` and changes nothing."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (component TEXT PRIMARY KEY, version INTEGER)"
    )
    row = conn.execute(
        "SELECT version FROM schema_version WHERE component = ?", (component,)
    ).fetchone()
    done = row[0] if row else 0
    if done > len(steps):
        raise StoreError(_newer_message(_file_of(conn), [(component, done, len(steps))], None))
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


# -- opening a store: refuse a newer one, upgrade an older one under a copy -------------

META_COMPONENT = "store"
#: the store's own table: which release last wrote it, and when
META_STEPS: list[Step] = ["CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"]
COPY_MARK = ".before-"  # hmi.db.before-0.1.0: the store as that release left it
KEEP_COPIES = 3
ROOM_MARGIN = 1.1  # the copy needs the store's size and a little more free on its disk


@dataclass(frozen=True)
class Opened:
    """What opening the store found and did."""

    path: Path
    #: the release that wrote it before (None: a new store, or one older than the record)
    previous: str | None
    #: component -> (version found, version now) of those brought up to date
    upgraded: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: the copy kept from before the upgrade
    copy: Path | None = None


def open_store(
    path: str | Path, schemas: Mapping[str, Sequence[Step]], release: str, keep: int = KEEP_COPIES
) -> Opened:
    """Make the store at ``path`` fit ``schemas`` (component -> steps this release knows)
    before anything else opens it.

    A component stored at a higher version than its steps is a store from a newer release:
    ``StoreError``, and not one byte of it changes. Components behind are upgraded all
    together after a consistent copy (``hmi.db.before-<release>``, the newest ``keep``
    kept); a step that fails puts the copy back, so the release before still opens it,
    and raises ``StoreError`` naming the component, the step and the copy. Components the
    store does not hold yet are left to create themselves. Records ``release`` as the
    last one that wrote the store."""
    path = Path(path)
    schemas = {META_COMPONENT: META_STEPS, **schemas}
    versions, meta = _look(path)
    previous = meta.get("release")
    ahead = [
        (c, v, len(schemas[c])) for c, v in versions.items() if c in schemas and v > len(schemas[c])
    ]
    if ahead:
        raise StoreError(_newer_message(path, ahead, previous, release))
    behind = {  # in the order given: a component's steps may build on one before it
        c: (versions[c], len(steps))
        for c, steps in schemas.items()
        if 0 < versions.get(c, 0) < len(steps)
    }
    conn = connect(path)
    try:
        copy = None
        if behind:
            copy = _keep_copy(conn, path, previous, keep)
            log.warning(
                "%s: upgrading the store written by release %s (%s); copy from before: %s",
                path,
                previous or "unknown",
                ", ".join(f"{c} {a}->{b}" for c, (a, b) in behind.items()),
                copy,
            )
            for component in behind:
                _upgrade_one(conn, path, component, schemas[component], copy, previous)
        try:
            migrate(conn, META_COMPONENT, META_STEPS)
            _record(conn, release, previous if behind else None)
        except sqlite3.OperationalError as exc:  # a full disk must not stop the station
            log.warning("%s: could not record release %s as its writer: %s", path, release, exc)
    finally:
        conn.close()
    return Opened(path, previous, behind, copy)


def _look(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    """The stored schema versions and the store's record, read without changing a byte
    (only reads, no journal mode set, nothing created when the file is missing; read-only
    mode would leave empty WAL files behind)."""
    if not path.is_file():
        return {}, {}
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA busy_timeout=5000")
            return _rows(conn, "SELECT component, version FROM schema_version"), _rows(
                conn, "SELECT key, value FROM store_meta"
            )
    except sqlite3.DatabaseError as exc:
        if is_transient(exc):  # locked by another program, an unreadable disk
            why = f"cannot be read now ({exc}); stop what else uses it and start again"
        else:
            why = f"cannot be read as a Linea store ({exc}); restore a copy or move it away"
        raise StoreError(f"{path}: {why}; nothing was changed") from exc


def _rows(conn: sqlite3.Connection, query: str) -> dict:
    try:
        return dict(conn.execute(query))
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return {}
        raise


def _newer_message(
    path: Path | str, ahead: Sequence[tuple[str, int, int]], by: str | None, release: str = ""
) -> str:
    what = "; ".join(
        f"{c} at schema version {v}, this release knows up to {k}" for c, v, k in ahead
    )
    this = f"this release ({release})" if release else "this release"
    writer = f"Linea HMI {by}" if by else "a newer release of Linea HMI"
    return (
        f"{path}: written by {writer}, newer than {this} can open ({what}). "
        f"Install {writer if by else 'that release'} or newer to use it, or give this "
        f"release another data folder; nothing in the store was changed"
    )


def _file_of(conn: sqlite3.Connection) -> str:
    row = conn.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else "the local store"


def _copy_path(path: Path, previous: str | None) -> Path:
    name = re.sub(r"[^\w.+-]", "_", previous or "unknown")
    return path.with_name(f"{path.name}{COPY_MARK}{name}")


def _keep_copy(conn: sqlite3.Connection, path: Path, previous: str | None, keep: int) -> Path:
    """A consistent copy of the store before it changes, whole on disk before it counts;
    no room for it refuses the upgrade with the store untouched."""
    copy = _copy_path(path, previous)
    partial = copy.with_name(copy.name + ".partial")
    size = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.is_file())
    refusal = f"{path}: not upgraded: the copy kept from before could not be written to {copy}"
    try:
        free = shutil.disk_usage(path.parent).free
        if free < size * ROOM_MARGIN:
            raise OSError(
                errno.ENOSPC, f"{free / 1e6:.1f} MB free, {size * ROOM_MARGIN / 1e6:.1f} MB needed"
            )
        _copy(conn, partial)
        os.replace(partial, copy)
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(
            f"{refusal} ({reason}); make room on that disk and start again, or start the "
            f"release that wrote it; nothing in the store was changed"
        ) from exc
    _prune(path, keep)
    return copy


def _copy(conn: sqlite3.Connection, dest: Path) -> None:
    """SQLite's online backup of the whole store into ``dest``, one self-contained file
    (no WAL beside it), flushed to disk."""
    with contextlib.closing(sqlite3.connect(dest)) as target:
        conn.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    with open(dest, "r+b") as written:  # writable: Windows flushes only such a handle
        os.fsync(written.fileno())


def store_copies(path: Path) -> list[Path]:
    """The copies taken before upgrades of the store at ``path``, newest first: what an
    engineer goes back to (``hmi paths PROJECT`` lists them)."""
    copies = [
        p for p in path.parent.glob(f"{path.name}{COPY_MARK}*") if not p.name.endswith(".partial")
    ]
    return sorted(copies, key=lambda p: p.stat().st_mtime, reverse=True)


def _prune(path: Path, keep: int) -> None:
    for old in store_copies(path)[keep:]:
        try:
            old.unlink()
            log.info("removed the old store copy %s (the newest %d are kept)", old, keep)
        except OSError as exc:
            log.warning("could not remove the old store copy %s: %s", old, exc)


def _upgrade_one(
    conn: sqlite3.Connection,
    path: Path,
    component: str,
    steps: Sequence[Step],
    copy: Path,
    previous: str | None,
) -> None:
    """Migrate one component; a failing step puts the whole store back from ``copy``."""
    try:
        migrate(conn, component, steps)
    except Exception as exc:
        reached = _rows(conn, "SELECT component, version FROM schema_version").get(component, 0)
        why = f"{type(exc).__name__}: {exc}"
        failed = f"{path}: upgrading {component} failed at its schema step {reached + 1} ({why})"
        try:
            _restore(conn, copy)
        except (OSError, sqlite3.Error) as again:
            log.critical("%s; putting the copy back failed too: %s", failed, again)
            raise StoreError(
                f"{failed}; putting the copy back failed too ({again}): with Linea stopped, "
                f"copy {copy} over {path} (and delete {path}-wal) before starting any release"
            ) from exc
        log.error("%s; the store was put back as it was from %s", failed, copy)
        raise StoreError(
            f"{failed}. The store was put back from {copy} as release "
            f"{previous or 'before'} left it, nothing lost; that release still opens it. "
            f"Keep the copy and the log for support"
        ) from exc


def _restore(conn: sqlite3.Connection, copy: Path) -> None:
    """The store's pages replaced by the copy's, in one transaction of SQLite's backup."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    with contextlib.closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as source:
        source.backup(conn)


def _record(conn: sqlite3.Connection, release: str, upgraded_from: str | None) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = [("release", release), ("written", now)]
    if upgraded_from is not None:
        rows += [("upgraded_from", upgraded_from), ("upgraded", now)]
    conn.execute("PRAGMA synchronous=FULL")
    try:
        conn.executemany("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)", rows)
    finally:
        _restore_normal(conn)


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
