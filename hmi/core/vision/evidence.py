"""Evidence on disk: every defect image and a sample of the good ones, each with a JSON
sidecar, written by one thread within a disk quota.

``save()`` never blocks the inspection: it puts the image in a bounded queue; when the
queue is full a good sample makes room (the newest good is dropped, or the oldest good
in the queue gives way to a defect), and a defect is dropped only when the queue holds
nothing but defects. Every drop is counted. Files go to ``defect/`` and ``good/`` under
the folder, named by time so that name order is age order; over the quota the oldest good
samples are deleted first, then the oldest defects only if that is not enough. A disk
that is full or refuses the write sets the state (``full`` / ``failed``) with the reason
and the path, the image is dropped and counted, and the next write is tried after
``retry_after`` seconds; nothing else stops.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..words import describe_value

log = logging.getLogger(__name__)

OK, FULL, FAILED, STOPPED = "ok", "full", "failed", "stopped"
KINDS = ("defect", "good")
MAX_SCAN = 1_000_000  # files looked at when the folder is opened
MIN_FREE = 200 * 1024**2  # bytes left free on the disk for everything else on the PC


@dataclass(frozen=True, slots=True)
class EvidenceStatus:
    state: str  # ok | full | failed | stopped
    reason: str
    saved: int  # images written
    skipped_good: int  # good results not sampled (sample_good_every)
    dropped_good: int  # sampled, but lost to a full queue or a failed write
    dropped_defect: int
    deleted_good: int  # removed for the quota
    deleted_defect: int
    queued: int
    used_bytes: int  # images and sidecars in the folder


@dataclass(slots=True)
class _Item:
    image: np.ndarray
    sidecar: dict[str, Any]
    defect: bool
    when: float


class EvidenceWriter:
    """Writes evidence under ``folder``; ``quota_bytes`` bounds what it keeps there.

    ``sample_good_every``: one good result in that many is saved (0: none). ``fmt``:
    ``png`` (lossless, for retraining) or ``jpg``. ``min_free``: bytes the writer leaves
    free on the disk whatever the quota says.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        quota_bytes: int,
        sample_good_every: int = 100,
        *,
        queue_size: int = 32,
        fmt: str = "png",
        jpeg_quality: int = 90,
        min_free: int = MIN_FREE,
        retry_after: float = 2.0,
    ):
        if fmt not in ("png", "jpg"):
            raise ValueError(f"evidence format {describe_value(fmt)} is not png or jpg")
        for name, value, low in (
            ("quota_bytes", quota_bytes, 1),
            ("sample_good_every", sample_good_every, 0),
            ("queue_size", queue_size, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(
                    f"evidence {name} {describe_value(value)} is not a whole number >= {low}"
                )
        self.folder = Path(folder)
        self.quota = quota_bytes
        self.sample_good_every = sample_good_every
        self.queue_size = queue_size
        self.fmt = fmt
        self.min_free = min_free
        self.retry_after = retry_after
        self._params = (
            [cv2.IMWRITE_PNG_COMPRESSION, 1]
            if fmt == "png"
            else [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality]
        )
        self._lock = threading.Condition()
        self._queue: deque[_Item] = deque()
        self._busy = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._files: dict[str, deque[tuple[str, int]]] = {kind: deque() for kind in KINDS}
        self._used = 0
        self._counts = dict.fromkeys(
            (
                "saved",
                "skipped_good",
                "dropped_good",
                "dropped_defect",
                "deleted_good",
                "deleted_defect",
            ),
            0,
        )
        self._good_seen = 0
        self._state, self._reason = STOPPED, "not started"
        self._hold_until = 0.0
        self._seq = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> EvidenceWriter:
        """Open the folder (made if missing; what it holds counts against the quota) and
        start the thread; a folder that cannot be made is a state, not an exception."""
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        try:
            for kind in KINDS:
                (self.folder / kind).mkdir(parents=True, exist_ok=True)
            self._scan()
            self._set(OK, f"writing to {self.folder}")
        except OSError as exc:
            self._set(
                FAILED, f"cannot use the evidence folder {self.folder}: {exc.strerror or exc}"
            )
        self._thread = threading.Thread(target=self._run, name="hmi-evidence", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> bool:
        """Write what is queued within ``timeout``, then stop; True when all was done."""
        done = self.flush(timeout)
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join(max(0.1, timeout))
            if self._thread.is_alive():
                return False
        self._thread = None
        with self._lock:
            dropped = len(self._queue)
            for item in self._queue:
                self._counts["dropped_defect" if item.defect else "dropped_good"] += 1
            self._queue.clear()
        self._set(STOPPED, "stopped")
        return done and not dropped

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the queue is written; False after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or self._thread is None or not self._thread.is_alive():
                    return not (self._queue or self._busy)
                self._lock.wait(min(left, 0.1))
        return True

    # -- the inspection's side ---------------------------------------------------------------

    def save(
        self, image: np.ndarray, sidecar: Mapping[str, Any], *, defect: bool | None = None
    ) -> str:
        """Queue ``image`` with its ``sidecar`` (order, line, camera, time, model and hash,
        score, boxes ...); ``defect`` defaults to the sidecar's ``defect``. Returns what
        happened: ``queued``, ``skipped`` (a good result not sampled) or ``dropped``."""
        is_defect = bool(sidecar.get("defect", False)) if defect is None else bool(defect)
        with self._lock:
            if not is_defect:
                self._good_seen += 1
                every = self.sample_good_every
                if every == 0 or (self._good_seen - 1) % every:
                    self._counts["skipped_good"] += 1
                    return "skipped"
            if self._stop.is_set() or self._thread is None:
                self._counts["dropped_defect" if is_defect else "dropped_good"] += 1
                return "dropped"
            if len(self._queue) >= self.queue_size:
                if not is_defect:
                    self._counts["dropped_good"] += 1
                    return "dropped"
                oldest_good = next((n for n, i in enumerate(self._queue) if not i.defect), None)
                if oldest_good is None:
                    self._counts["dropped_defect"] += 1
                    return "dropped"
                del self._queue[oldest_good]
                self._counts["dropped_good"] += 1
            self._queue.append(_Item(image, dict(sidecar), is_defect, time.time()))
            self._lock.notify_all()
            return "queued"

    def status(self) -> EvidenceStatus:
        with self._lock:
            c = self._counts
            return EvidenceStatus(
                self._state,
                self._reason,
                c["saved"],
                c["skipped_good"],
                c["dropped_good"],
                c["dropped_defect"],
                c["deleted_good"],
                c["deleted_defect"],
                len(self._queue),
                self._used,
            )

    # -- the writer thread -------------------------------------------------------------------

    def _set(self, state: str, reason: str) -> None:
        with self._lock:
            changed = (state, reason) != (self._state, self._reason)
            self._state, self._reason = state, reason
        if changed and state in (FULL, FAILED):
            log.warning("evidence: %s (%s)", state, reason)
        elif changed:
            log.info("evidence: %s (%s)", state, reason)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stop.is_set():
                    self._lock.wait(0.5)
                if self._stop.is_set() and not self._queue:
                    return
                wait = self._hold_until - time.monotonic()
            if wait > 0:  # after a failed write: let the disk be, the queue bounds the rest
                if self._stop.wait(min(wait, 0.5)):
                    return
                continue
            with self._lock:
                if not self._queue:
                    continue
                item = self._queue.popleft()
                self._busy = True
            try:
                self._write(item)
            except Exception as exc:  # nothing may stop the writer
                self._failed(item, FAILED, f"cannot write evidence: {type(exc).__name__}: {exc}")
            finally:
                with self._lock:
                    self._busy = False
                    self._lock.notify_all()

    def _failed(self, item: _Item, state: str, reason: str) -> None:
        with self._lock:
            self._counts["dropped_defect" if item.defect else "dropped_good"] += 1
            self._hold_until = time.monotonic() + self.retry_after
        self._set(state, reason)

    def _write(self, item: _Item) -> None:
        ext = "." + self.fmt
        ok, encoded = cv2.imencode(ext, item.image, self._params)
        if not ok:
            self._failed(
                item,
                FAILED,
                f"the image ({describe_value(item.image.shape)}) cannot be encoded as {self.fmt}",
            )
            return
        kind = "defect" if item.defect else "good"
        self._seq += 1
        stamp = datetime.fromtimestamp(item.when).strftime("%Y%m%d-%H%M%S-%f")
        camera = "".join(
            c if c.isalnum() or c in "-_" else "_" for c in str(item.sidecar.get("camera", ""))
        )
        stem = f"{stamp}-{self._seq % 1_000_000:06d}" + (f"-{camera}" if camera else "")
        sidecar = {**item.sidecar, "image": stem + ext, "class": kind}
        text = json.dumps(sidecar, default=_plain, ensure_ascii=False, indent=1).encode()
        size = len(encoded) + len(text)
        if size > self.quota:
            self._failed(
                item,
                FULL,
                f"one image ({size} bytes) is larger than the quota ({self.quota} bytes)",
            )
            return
        self._make_room(size, item.defect)
        if self._used + size > self.quota:
            self._failed(
                item, FULL, f"quota of {self.quota} bytes in {self.folder} is full of defects"
            )
            return
        try:
            free = shutil.disk_usage(self.folder).free
        except OSError as exc:
            self._failed(
                item, FAILED, f"cannot use the evidence folder {self.folder}: {exc.strerror or exc}"
            )
            return
        wanted = self.min_free + size - free
        if wanted > 0 and item.defect and sum(s for _, s in self._files["good"]) >= wanted:
            free += self._delete_oldest("good", wanted)  # a defect before good samples
        if free - size < self.min_free:
            self._failed(
                item,
                FULL,
                f"disk full: {free // 1024**2} MB free at {self.folder}, "
                f"{self.min_free // 1024**2} MB kept free",
            )
            return
        folder = self.folder / kind
        image_path, sidecar_path = folder / (stem + ext), folder / (stem + ".json")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(image_path, encoded.tobytes())
            _write_atomic(sidecar_path, text)
        except OSError as exc:
            for path in (image_path, sidecar_path):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
            where = exc.filename or folder
            self._failed(item, FAILED, f"cannot write {where}: {exc.strerror or exc}")
            return
        with self._lock:
            self._files[kind].append((stem, size))
            self._used += size
            self._counts["saved"] += 1
        self._set(OK, f"writing to {self.folder}")

    def _make_room(self, size: int, defect: bool) -> None:
        """Delete the oldest good samples, then (for a defect only) the oldest defects,
        until ``size`` more bytes fit in the quota."""
        for kind in ("good", "defect") if defect else ("good",):
            over = self._used + size - self.quota
            if over > 0:
                self._delete_oldest(kind, over)

    def _delete_oldest(self, kind: str, wanted: int) -> int:
        """Delete the oldest files of ``kind`` until ``wanted`` bytes are freed (or none
        are left); the bytes freed."""
        files = self._files[kind]
        freed = 0
        while files and freed < wanted:
            stem, size = files.popleft()
            for suffix in (".png", ".jpg", ".json"):
                try:
                    (self.folder / kind / (stem + suffix)).unlink(missing_ok=True)
                except OSError as exc:
                    log.warning("evidence: cannot delete %s: %s", stem + suffix, exc.strerror)
            freed += size
            with self._lock:
                self._used -= size
                self._counts[f"deleted_{kind}"] += 1
        return freed

    def _scan(self) -> None:
        """What the folder already holds, oldest first (names start with the time)."""
        used = 0
        for kind in KINDS:
            sizes: dict[str, int] = {}
            with os.scandir(self.folder / kind) as entries:
                for n, entry in enumerate(entries):
                    if n >= MAX_SCAN:
                        log.warning(
                            "evidence: more than %d files in %s", MAX_SCAN, self.folder / kind
                        )
                        break
                    stem, suffix = os.path.splitext(entry.name)
                    if suffix in (".png", ".jpg", ".json") and entry.is_file():
                        sizes[stem] = sizes.get(stem, 0) + entry.stat().st_size
            self._files[kind] = deque(sorted(sizes.items()))
            used += sum(sizes.values())
        self._used = used


def _write_atomic(path: Path, data: bytes) -> None:
    """Write then rename: a reader (the gallery) never sees half a file."""
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as f:
            f.write(data)
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise


def _plain(value: Any) -> Any:
    """JSON for what a caller's sidecar may hold: numpy numbers and arrays, tuples,
    paths; anything else as its text."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)
