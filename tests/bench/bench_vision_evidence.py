"""The gallery's evidence index: listing 3000 saved decisions, newest 500 first.

Ours (``EvidenceIndex``): the folders are looked at by modification time, and only the
sidecars that changed are read; reported: the first (cold) listing, a listing when
nothing changed, and one after a new image was saved. The naive way, measured in the
same run: every listing reads and parses every sidecar again. Medians over rounds.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from hmi.core.vision.evidence import EvidenceWriter
from hmi.core.vision.gallery import EvidenceIndex, read_item
from tests.bench.common import median, report

ITEMS = 3000
ROUNDS = 15


def fill(folder: Path) -> EvidenceWriter:
    writer = EvidenceWriter(folder, 10 * 1024**3, 1, min_free=0, queue_size=ITEMS + 1).start()
    image = np.full((16, 16, 3), 90, np.uint8)
    for n in range(ITEMS):
        defect = n % 10 == 0
        writer.save(
            image,
            {
                "order": f"A-{n // 500}", "line": "line1", "camera": "cam",
                "result": "defect" if defect else "good", "label": "scratch" if defect else "good",
                "score": n / ITEMS, "threshold": 0.5, "model": "surface",
                "boxes": [[1, 2, 10, 12, "scratch", 0.8]] if defect else [], "roi": None,
            },
            defect=defect,
        )  # fmt: skip
    assert writer.flush(120), "the evidence was not written in time"
    return writer


def naive(folder: Path) -> list:
    items = [read_item("cam", p) for p in folder.glob("*/*.json")]
    items.sort(key=lambda i: (i.ts, i.stem), reverse=True)
    return items[:500]


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cam"
        writer = fill(folder)
        index = EvidenceIndex({"cam": folder})
        cold, first = timed(lambda: (index.refresh(force=True), index.items())[1])
        assert len(first) == 500
        unchanged, after_save, plain = [], [], []
        for _ in range(ROUNDS):
            took, _ = timed(lambda: (index.refresh(force=True), index.items())[1])
            unchanged.append(took)
            writer.save(np.zeros((16, 16, 3), np.uint8), {"camera": "cam", "result": "good"},
                        defect=False)  # fmt: skip
            assert writer.flush(10)
            took, items = timed(lambda: (index.refresh(force=True), index.items())[1])
            after_save.append(took)
            took, theirs = timed(lambda: naive(folder))
            plain.append(took)
            assert [i.stem for i in items] == [i.stem for i in theirs]  # the same answer
        writer.stop()
    report(
        "vision_evidence",
        items=ITEMS + ROUNDS,
        cold_ms=cold * 1000,
        unchanged_ms=median(unchanged) * 1000,
        after_one_saved_ms=median(after_save) * 1000,
        naive_ms=median(plain) * 1000,
        ratio_naive_over_unchanged=median(plain) / median(unchanged),
        ratio_naive_over_after_one_saved=median(plain) / median(after_save),
    )


if __name__ == "__main__":
    main()
