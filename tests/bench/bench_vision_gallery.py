"""Inspection page: scrolling 500 evidence images (256 x 256 PNG) from top to bottom.

The page's way: a tile draws the thumbnail it has, or a placeholder while worker threads
read that image (decoded straight at thumbnail size) into a bounded cache; the grid is
repainted when one arrives. The naive way, measured in the same run: each tile reads and
scales its image on the GUI thread as it is drawn, nothing kept. Reported (medians over
alternating runs): the time of a frame while the grid moves a third of its height per
frame, its p99 (what the finger feels as a stutter), the time until every tile of the
first screen has its picture, and the thumbnails kept at the end (bounded by the cache).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QImageReader
from PySide6.QtWidgets import QApplication

from hmi.ui.profile import Profile
from hmi.ui.theme import DEFAULT_THEME
from hmi.ui.vision.gallery import EvidencePage
from tests.bench.common import median, percentile, report

ITEMS = 500
SIDE = 256
ROUNDS = 3
KEPT = 120  # the cache's bound in this run: smaller than the list, larger than a screen


def make_items(folder: Path) -> list[SimpleNamespace]:
    rng = np.random.default_rng(5)
    items = []
    for n in range(ITEMS):
        path = folder / f"{n:04d}.png"
        image = rng.integers(60, 200, (SIDE, SIDE, 3), dtype=np.uint8)
        cv2.imwrite(str(path), image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        defect = n % 5 == 0
        items.append(
            SimpleNamespace(
                camera="cam", stem=f"{n:04d}", image=path, sidecar={}, order="4711",
                line="line1", ts=time.time() - n * 30, result="defect" if defect else "good",
                label="scratch" if defect else "good", score=0.9 if defect else 0.1,
                threshold=0.5, model="m", boxes=(), roi=None, review=None,
            )
        )  # fmt: skip
    return items


class Service:
    def __init__(self, items: list[SimpleNamespace]):
        self.items = items

    def evidence(self, **_filters: object) -> list[SimpleNamespace]:
        return self.items

    def evidence_choices(self) -> dict[str, list[str]]:
        return {"camera": ["cam"], "order": ["4711"], "label": ["good", "scratch"]}


class Naive:
    """Each tile's image read and scaled on the GUI thread when it is drawn."""

    def __init__(self, side: int):
        self.side = side

    def image(self, path: str) -> QImage:
        return (
            QImageReader(path)
            .read()
            .scaled(self.side, self.side, Qt.AspectRatioMode.KeepAspectRatio)
        )

    def __len__(self) -> int:
        return 0


def make_page(app: QApplication, items: list[SimpleNamespace]) -> EvidencePage:
    operator = SimpleNamespace(
        theme=DEFAULT_THEME, profile=Profile("desk", False, 36, 17), access=None, gate=None
    )
    views = SimpleNamespace(
        service=Service(items), operator=operator, stylesheet="", user=lambda: "",
        say=lambda *a, **k: None, show_dialog=lambda d, over: d,
    )  # fmt: skip
    page = EvidencePage(views)
    page.thumbs.kept = KEPT
    page.resize(1920, 960)
    page.show()
    page.reload()
    app.processEvents()
    return page


def first_screen(app: QApplication, page: EvidencePage, naive: bool) -> float:
    """Seconds until every tile on screen has its picture."""
    start = time.perf_counter()
    page.grid.viewport().repaint()
    if not naive:
        visible = [
            str(page.items[r].image)
            for r in range(len(page.items))
            if page.grid.visualRect(page.model.index(r, 0)).intersects(page.grid.viewport().rect())
        ]
        while any(page.thumbs.image(p) is None for p in visible):
            app.processEvents()
            time.sleep(0.001)
        page.grid.viewport().repaint()
    return time.perf_counter() - start


def scroll(app: QApplication, page: EvidencePage) -> list[float]:
    """Frame times (s) while the grid moves a third of its height per frame to the end."""
    bar = page.grid.verticalScrollBar()
    bar.setValue(0)
    app.processEvents()
    step = max(1, page.grid.viewport().height() // 3)
    frames = []
    while bar.value() < bar.maximum():
        bar.setValue(min(bar.maximum(), bar.value() + step))
        start = time.perf_counter()
        app.processEvents()  # the frame: the grid moved and drawn, thumbnails come in
        frames.append(time.perf_counter() - start)
    return frames


def run(app: QApplication, items: list[SimpleNamespace], naive: bool) -> dict[str, float]:
    page = make_page(app, items)
    if naive:
        page.thumbs = Naive(page.thumb_side)  # type: ignore[assignment]
    shown = first_screen(app, page, naive)
    frames = scroll(app, page)
    kept = len(page.thumbs)
    page.close()
    page.deleteLater()
    app.processEvents()
    return {
        "first": shown,
        "p50": median(frames),
        "p99": percentile(frames, 99),
        "frames": len(frames),
        "kept": kept,
    }


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        items = make_items(Path(folder))
        lazy, naive = [], []
        for _ in range(ROUNDS):
            lazy.append(run(app, items, naive=False))
            naive.append(run(app, items, naive=True))

    def m(runs: list[dict[str, float]], key: str) -> float:
        return median([r[key] for r in runs])

    report(
        "vision_gallery",
        items=ITEMS,
        frames=int(m(lazy, "frames")),
        frame_ms_p50=m(lazy, "p50") * 1000,
        frame_ms_p99=m(lazy, "p99") * 1000,
        first_screen_ms=m(lazy, "first") * 1000,
        thumbnails_kept=int(m(lazy, "kept")),
        naive_frame_ms_p50=m(naive, "p50") * 1000,
        naive_frame_ms_p99=m(naive, "p99") * 1000,
        naive_first_screen_ms=m(naive, "first") * 1000,
        ratio_frame_p99=m(naive, "p99") / max(m(lazy, "p99"), 1e-9),
    )


if __name__ == "__main__":
    main()
