"""The evidence on disk as a gallery: every saved image with its sidecar, filtered and
newest first.

The index lives in memory and follows the folders by their modification times: a folder
whose time has not changed is not listed again, and in one that changed only the
sidecars that are new are read (the writer and the review both write a sidecar by a
rename, which touches its folder and gives the file a new inode, which the listing gives
for free). So a gallery refreshed every second costs a ``stat`` per folder
(``tests/bench/bench_vision_evidence.py``). A sidecar that cannot be read, is not a JSON
object or has no image beside it is skipped, counted and logged once; the gallery never
raises over a bad file.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .review import Review, review_from

log = logging.getLogger(__name__)

KINDS = ("defect", "good")  # the evidence writer's folders
IMAGE_SUFFIXES = (".png", ".jpg")
MAX_ITEMS = 200_000  # sidecars indexed over all cameras; the newest are kept
MAX_SIDECAR = 1024**2  # bytes: a larger "sidecar" is not one
REFRESH_S = 0.5  # folders are looked at no more often than this
Box = tuple[float, float, float, float, str, float]


@dataclass(frozen=True)
class EvidenceItem:
    """One saved decision. ``result``/``label``: as the camera decided; ``review`` (if
    any) says what it stands at now (``final_result``, ``final_label``)."""

    camera: str
    stem: str  # file name without extension: the item's id within the camera
    image: Path
    sidecar: Mapping[str, Any]
    order: str
    line: str
    ts: float
    result: str  # good | defect (as decided)
    label: str
    score: float | None
    threshold: float | None
    model: str
    boxes: tuple[Box, ...]
    roi: tuple[int, int, int, int] | None
    review: Review | None
    path: Path | None = None  # the sidecar file

    @property
    def final_result(self) -> str:
        return self.review.result if self.review is not None else self.result

    @property
    def final_label(self) -> str:
        return self.review.label if self.review is not None else self.label


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} {value!r} is not a number")
    return float(value)


def _required(value: Any, what: str) -> float:
    number = _number(value, what)
    if number is None:
        raise ValueError(f"{what} is missing")
    return number


def _box(value: Any) -> Box:
    if not isinstance(value, list | tuple) or len(value) != 6:
        raise ValueError(f"box {value!r} is not [x0, y0, x1, y1, label, score]")
    x0, y0, x1, y1 = (_required(v, "a box corner") for v in value[:4])
    return x0, y0, x1, y1, str(value[4]), _required(value[5], "a box score")


def _roi(value: Any) -> tuple[int, int, int, int] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise ValueError(f"roi {value!r} is not [x, y, width, height]")
    x, y, w, h = (int(_required(v, "a roi figure")) for v in value)
    return x, y, w, h


def _time(data: Mapping[str, Any], fallback: float) -> float:
    text = data.get("time")
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text).timestamp()
        except ValueError:
            pass
    return fallback


def read_item(camera: str, path: Path, names: Mapping[str, Any] | None = None) -> EvidenceItem:
    """The item of the sidecar at ``path``; ``ValueError`` or ``OSError`` says why not.
    ``names``: the files of its folder, when just listed (no look-up per image)."""
    stat = path.stat()
    if stat.st_size > MAX_SIDECAR:
        raise ValueError(f"larger than {MAX_SIDECAR} bytes")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    stem = path.stem
    named = data.get("image")
    candidates = [named] if isinstance(named, str) and named else []
    candidates += [stem + suffix for suffix in IMAGE_SUFFIXES]
    there = (lambda n: n in names) if names is not None else (lambda n: path.with_name(n).is_file())
    image = next((n for n in candidates if Path(n).stem == stem and there(n)), None)
    if image is None:
        raise ValueError("its image is missing")
    result = data.get("result")
    if result not in ("good", "defect"):
        result = "defect" if data.get("defect") else "good"
    boxes = data.get("boxes") or []
    if not isinstance(boxes, list):
        raise ValueError(f"boxes {boxes!r} is not a list")
    return EvidenceItem(
        camera=camera,
        stem=stem,
        image=path.with_name(image),
        sidecar=data,
        order=str(data.get("order") or ""),
        line=str(data.get("line") or ""),
        ts=_time(data, stat.st_mtime),
        result=str(result),
        label=str(data.get("label") or result),
        score=_number(data.get("score"), "score"),
        threshold=_number(data.get("threshold"), "threshold"),
        model=str(data.get("model") or ""),
        boxes=tuple(_box(b) for b in boxes),
        roi=_roi(data.get("roi")),
        review=review_from(data.get("review")),
        path=path,
    )


class EvidenceIndex:
    """The sidecars under each camera's evidence folder, kept in memory (any thread)."""

    def __init__(self, folders: Mapping[str, Path], max_items: int = MAX_ITEMS):
        self.folders = dict(folders)
        self.max_items = max_items
        self.unreadable: dict[Path, str] = {}  # sidecar -> why it was skipped
        self._items: dict[tuple[str, str], EvidenceItem] = {}
        self._seen: dict[Path, dict[str, int]] = {}  # folder -> sidecar read -> its inode
        self._dirs: dict[Path, int] = {}  # folder -> mtime_ns when listed
        self._lock = threading.Lock()
        self._refreshed = -math.inf

    @property
    def skipped(self) -> int:
        """Sidecars skipped because they could not be read."""
        with self._lock:
            return len(self.unreadable)

    def refresh(self, force: bool = False) -> None:
        """Follow the folders: new, changed and removed sidecars."""
        now = time.monotonic()
        with self._lock:
            if not force and now - self._refreshed < REFRESH_S:
                return
            self._refreshed = now
            for camera, folder in self.folders.items():
                for kind in KINDS:
                    self._follow(camera, folder / kind)
            if len(self._items) > self.max_items:
                newest = sorted(self._items.values(), key=_age, reverse=True)
                self._items = {(i.camera, i.stem): i for i in newest[: self.max_items]}

    def _follow(self, camera: str, folder: Path) -> None:
        try:
            mtime = folder.stat().st_mtime_ns
        except OSError:
            mtime = -1  # no folder (yet): nothing there
        if self._dirs.get(folder) == mtime:
            return
        self._dirs[folder] = mtime
        names: dict[str, int] = {}  # every file of the folder -> its inode (free on POSIX)
        if mtime >= 0:
            try:
                with os.scandir(folder) as entries:
                    for n, entry in enumerate(entries):
                        if n >= 4 * self.max_items:
                            log.warning("gallery: more files in %s than are indexed", folder)
                            break
                        names[entry.name] = entry.inode()
            except OSError as error:
                log.warning("gallery: cannot list %s: %s", folder, error.strerror or error)
        seen = self._seen.setdefault(folder, {})
        for name in [n for n in seen if n not in names]:
            del seen[name]
            self._items.pop((camera, name[: -len(".json")]), None)
        for path in [p for p in self.unreadable if p.parent == folder and p.name not in names]:
            del self.unreadable[path]
        for name, inode in names.items():
            if name.endswith(".json") and seen.get(name) != inode:
                self._read(camera, folder / name, names)

    def _read(self, camera: str, path: Path, names: Mapping[str, int]) -> None:
        """(Re)read one sidecar; a writer's or a review's rename gives it a new inode."""
        seen = self._seen[path.parent]
        try:
            item = read_item(camera, path, names)
        except (OSError, ValueError, TypeError) as error:
            why = getattr(error, "strerror", None) or str(error)
            if self.unreadable.get(path) != why:
                log.warning("gallery: %s skipped: %s", path, why)
            self.unreadable[path] = why
            self._items.pop((camera, path.stem), None)
            seen.pop(path.name, None)  # read again when its folder changes (its image arrives)
            return
        seen[path.name] = names[path.name]
        self.unreadable.pop(path, None)
        self._items[camera, item.stem] = item

    def put(self, item: EvidenceItem) -> None:
        """An item the station changed itself (a review): no need to read it back."""
        with self._lock:
            self._items[item.camera, item.stem] = item
            if item.path is not None:
                try:
                    inode = item.path.stat().st_ino
                except OSError:
                    return
                self._seen.setdefault(item.path.parent, {})[item.path.name] = inode

    def items(
        self,
        *,
        camera: str | None = None,
        order: str | None = None,
        result: str | None = None,
        label: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        reviewed: bool | None = None,
        limit: int = 500,
    ) -> list[EvidenceItem]:
        """The items that pass every filter given, newest first. ``result`` and ``label``
        match an item as it stands now (after its review)."""
        self.refresh()
        with self._lock:
            items = list(self._items.values())
        chosen = [
            i
            for i in items
            if (camera is None or i.camera == camera)
            and (order is None or i.order == order)
            and (result is None or i.final_result == result)
            and (label is None or i.final_label == label)
            and (min_score is None or (i.score is not None and i.score >= min_score))
            and (max_score is None or (i.score is not None and i.score <= max_score))
            and (reviewed is None or (i.review is not None) == reviewed)
        ]
        chosen.sort(key=_age, reverse=True)
        return chosen[: max(0, int(limit))]

    def choices(self) -> dict[str, list[str]]:
        """The cameras, orders and labels (as decided and as reviewed) seen."""
        self.refresh()
        with self._lock:
            items = list(self._items.values())
        labels = {i.label for i in items} | {i.final_label for i in items}
        return {
            "camera": sorted({i.camera for i in items} | set(self.folders)),
            "order": sorted({i.order for i in items if i.order}),
            "label": sorted(labels),
        }


def _age(item: EvidenceItem) -> tuple[float, str]:
    return item.ts, item.stem
