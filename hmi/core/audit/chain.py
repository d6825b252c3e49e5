"""The audit trail's table and its hash chain, shared by the recorder and ``verify``.

Every record carries ``prev``, the hash of the record before it (64 zeros for the first),
and ``hash``, the SHA-256 of its canonical bytes: ``prev``, the time and the text fields
joined by NUL characters, which no stored field contains (they are replaced on the way
in), so the bytes of two different records can never be the same. Editing a record breaks
its own hash; removing or moving one breaks the ``prev`` of the record after it.

The chain's head (last number and hash) is also kept outside the database, in
``audit-head.json`` beside it, so a trail cut short at its end is noticed too, and is
published as the system tag ``_sys.audit.head`` for a later upstream copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COMPONENT = "audit"
SCHEMA = [
    """
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        user TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        station TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_ts ON audit (ts)
    """,
]
COLUMNS = "seq, ts, user, action, target, station, reason, detail, prev, hash"
GENESIS = "0" * 64
HEAD_FILE = "audit-head.json"
#: a record the station writes when it starts and finds the trail shorter than its head
TRUNCATED = "audit.truncated"


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One record of the trail."""

    seq: int
    ts: float
    user: str
    action: str
    target: str
    station: str
    reason: str
    detail: str  # JSON, keys sorted
    prev: str
    hash: str

    @property
    def details(self) -> dict[str, Any]:
        try:
            value = json.loads(self.detail)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


def clean(text: Any) -> str:
    """A field as stored: text without NUL characters (the chain's separator)."""
    return str(text).replace("\x00", "\ufffd")


def detail_text(detail: dict[str, Any]) -> str:
    return clean(json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str))


def digest(
    prev: str,
    ts: float,
    user: str,
    action: str,
    target: str,
    station: str,
    reason: str,
    detail: str,
) -> str:
    """The hash of one record's canonical bytes."""
    text = (
        f"{prev}\x00{ts!r}\x00{user}\x00{action}\x00{target}\x00{station}\x00{reason}\x00{detail}"
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Head:
    """The last record's number and hash (0 and the genesis hash while empty)."""

    seq: int = 0
    hash: str = GENESIS


def head_path(store: Path) -> Path:
    return Path(store).with_name(HEAD_FILE)


def read_head(path: Path) -> Head | None:
    """The head kept beside the store; None if there is none; ``ValueError`` if damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data = json.loads(text)
    if not (
        isinstance(data, dict)
        and isinstance(data.get("seq"), int)
        and isinstance(data.get("hash"), str)
    ):
        raise ValueError(f"{path.name} is not an audit head")
    return Head(data["seq"], data["hash"])


def write_head(path: Path, head: Head, *, anew: bool = False) -> None:
    """Replace the head file, on disk before it counts (write, sync, rename), and never
    with an older head than it holds (two processes may append) unless ``anew`` (the
    trail itself now records that it was cut short)."""
    try:
        kept = read_head(path)
    except ValueError:
        kept = None
    if not anew and kept is not None and kept.seq >= head.seq:
        return
    handle, temporary = tempfile.mkstemp(prefix=".audit-head-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"seq": head.seq, "hash": head.hash}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
