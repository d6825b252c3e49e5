"""One running station per data folder.

Two stations on one folder would both poll the line's counters and both add each part
to the running order, and both forward the same events. The station holds an operating
system lock on ``station.lock`` in its folder while it runs; a second one is refused
with who holds it. The lock goes with the process, so a station killed or a power cut
leaves nothing to clean up; the file's text (process, command, start) only explains.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO, Any

from .store import StoreError

LOCK_FILE = "station.lock"


class StationBusy(StoreError):
    """Another station runs on this data folder; the message says which and what to do."""


class StationLock:
    """Held from ``acquire`` to ``release`` (or the process's end)."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOCK_FILE
        self._file: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, what: str | None = None) -> StationLock:
        """Take the lock, writing who holds it; ``StationBusy`` naming the holder when
        another process (or another station of this one) has it."""
        if self._file is not None:
            return self
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held while running)
        except OSError as error:
            raise StoreError(
                f"{self.path}: cannot be opened ({error.strerror or error}): the station "
                "writes its data folder"
            ) from None
        try:
            _lock(handle)
        except OSError:
            try:
                handle.seek(0)
                holder = handle.read()
            except OSError:  # Windows keeps a locked byte from being read
                holder = ""
            handle.close()
            raise StationBusy(busy_message(self.path, holder)) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(_holder(what)))
            handle.flush()
        except OSError:  # a full disk: the lock holds all the same, only the note is missing
            pass
        self._file = handle
        return self

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            handle.seek(0)
            handle.truncate()
        except OSError:
            pass
        _unlock(handle)
        handle.close()


def busy_message(path: Path, holder: str) -> str:
    try:
        read: Any = json.loads(holder) if holder.strip() else {}
    except ValueError:
        read = {}
    who: dict[str, Any] = read if isinstance(read, dict) else {}
    parts = []
    if who.get("pid"):
        parts.append(f"process {who['pid']}")
    if who.get("host") and who.get("host") != socket.gethostname():
        parts.append(f"on {who['host']}")
    if who.get("command"):
        parts.append(f"'{who['command']}'")
    if isinstance(who.get("since"), int | float):
        parts.append("since " + time.strftime("%Y-%m-%d %H:%M", time.localtime(who["since"])))
    held_by = f" ({', '.join(parts)})" if parts else ""
    return (
        f"another Linea HMI station runs on the data folder {path.parent}{held_by}: one "
        "station per folder, or every part would be counted twice. Stop that one first, "
        "or give this one its own --data-dir"
    )


def _holder(what: str | None) -> dict[str, Any]:
    command = what or " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]).strip()
    host = socket.gethostname()
    return {"pid": os.getpid(), "host": host, "command": command, "since": time.time()}


if os.name == "nt":
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]

    def _unlock(handle: IO[str]) -> None:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            pass

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
