"""The evidence as a gallery: what the real service saved, newest first, filtered by
camera, order, result, class, score and review; the index follows the folders by their
modification times (unchanged sidecars are not read again), stays within its bound, and
skips and counts sidecars it cannot read, never raising."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

pytest.importorskip("onnx")

from hmi.core.tags import good
from hmi.core.vision import EvidenceItem
from hmi.core.vision import gallery as gallery_module
from hmi.core.vision.evidence import EvidenceWriter, _write_atomic
from hmi.core.vision.gallery import EvidenceIndex
from tests.helpers import wait_until
from tests.vision.test_live import CAMERA, press_vision, produce, stop_vision

ORDER = "4711"


def saved_evidence(folder, defects: int, goods: int) -> EvidenceWriter:
    """Evidence written by the real writer: scores rise with the index, defects first."""
    writer = EvidenceWriter(folder, 50 * 1024**2, 1, min_free=0).start()
    for n in range(defects + goods):
        defect = n < defects
        writer.save(
            np.full((16, 16, 3), 40 + n, np.uint8),
            {
                "order": "A-1" if n % 2 else "A-2",
                "line": "line1",
                "camera": "cam",
                "result": "defect" if defect else "good",
                "label": "scratch" if defect else "good",
                "score": 0.9 - 0.1 * n,
                "threshold": 0.5,
                "model": "surface",
                "boxes": [[1, 2, 10, 12, "scratch", 0.8]] if defect else [],
                "roi": [0, 0, 16, 16],
                "time": f"2026-12-03T10:00:{n:02d}+00:00",
            },
            defect=defect,
        )
    assert writer.flush(10)
    return writer


def test_the_service_lists_its_evidence_newest_first_and_filters_it(tmp_path):
    values = {"_sys.orders.line1.order": good(ORDER)}
    vision, store, _ = press_vision(tmp_path / "data", values=values)
    try:
        produce(vision, 12)
        wait_until(lambda: sum(vision.counters.counts(CAMERA).values()) == 12, 20, "12 parts")
        counts = vision.counters.counts(CAMERA)
        inspected = counts["good"] + counts["scrap"]
        wait_until(lambda: len(vision.evidence()) == inspected, 10, "every part saved")
        items = vision.evidence()
        assert all(isinstance(i, EvidenceItem) for i in items)
        assert [i.ts for i in items] == sorted((i.ts for i in items), reverse=True)
        assert {(i.camera, i.order, i.line, i.model) for i in items} == {
            (CAMERA, ORDER, "line1", "surface")
        }
        for item in items:
            assert item.image.is_file() and item.image.stem == item.stem
            assert item.threshold == pytest.approx(0.2364) and item.score is not None
            assert (item.score >= item.threshold) == (item.result == "defect")
            assert item.roi is None and item.review is None
        defects = vision.evidence(result="defect")
        assert len(defects) == counts["scrap"]
        assert all(i.result == "defect" for i in defects)
        assert len(vision.evidence(result="good")) == counts["good"]
        assert vision.evidence(limit=3) == items[:3]
        high = vision.evidence(min_score=0.5)
        assert all(i.score is not None and i.score >= 0.5 for i in high)
        low = vision.evidence(max_score=0.1)
        assert len(high) + len(low) <= len(items)
        assert vision.evidence(order="other") == [] and vision.evidence(camera="cam9") == []
        assert vision.evidence(reviewed=True) == [] and len(vision.evidence(reviewed=False)) == len(
            items
        )
        choices = vision.evidence_choices()
        assert choices["camera"] == [CAMERA] and choices["order"] == [ORDER]
        assert set(choices["label"]) == {i.label for i in items}
    finally:
        stop_vision(vision, store)


def test_filters_on_the_writers_own_files(tmp_path):
    saved_evidence(tmp_path / "cam", defects=3, goods=4).stop()
    index = EvidenceIndex({"cam": tmp_path / "cam"})
    items = index.items()
    assert [i.score for i in items] == pytest.approx([0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    assert [i.label for i in index.items(label="scratch")] == ["scratch"] * 3
    assert [i.score for i in index.items(min_score=0.45, max_score=0.75)] == pytest.approx(
        [0.5, 0.6, 0.7]
    )
    assert {i.order for i in index.items(order="A-1")} == {"A-1"}
    assert len(index.items(order="A-1")) == 3
    first = index.items(result="defect")[-1]
    assert first.boxes == ((1.0, 2.0, 10.0, 12.0, "scratch", 0.8),)
    assert first.roi == (0, 0, 16, 16)
    assert index.choices() == {
        "camera": ["cam"],
        "order": ["A-1", "A-2"],
        "label": ["good", "scratch"],
    }
    assert index.skipped == 0


def test_unreadable_sidecars_are_skipped_and_counted(tmp_path, caplog):
    folder = tmp_path / "cam"
    saved_evidence(folder, defects=2, goods=1).stop()
    (folder / "defect" / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "defect" / "list.json").write_text("[1, 2]", encoding="utf-8")
    (folder / "good" / "lonely.json").write_text(json.dumps({"result": "good"}), "utf-8")
    (folder / "good" / "boxes.json").write_text(json.dumps({"boxes": [[1, 2]]}), "utf-8")
    (folder / "good" / "boxes.png").write_bytes(b"an image")
    (folder / "defect" / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    index = EvidenceIndex({"cam": folder})
    assert len(index.items()) == 3  # never raises
    assert index.skipped == 5
    reasons = {path.name: why for path, why in index.unreadable.items()}
    assert reasons["lonely.json"] == "its image is missing"
    assert reasons["list.json"] == "not a JSON object"
    assert "box [1, 2]" in reasons["boxes.json"]
    assert "broken.json" in caplog.text
    # the image arrives: the sidecar is read again and the item shows
    (folder / "good" / "lonely.png").write_bytes(b"an image")
    index.refresh(force=True)
    assert index.skipped == 4
    assert "lonely" in {i.stem for i in index.items()}
    for name in ("broken", "list", "binary"):
        (folder / "defect" / f"{name}.json").unlink()
    index.refresh(force=True)
    assert index.skipped == 1


def test_the_index_reads_only_what_changed(tmp_path, monkeypatch):
    folder = tmp_path / "cam"
    writer = saved_evidence(folder, defects=2, goods=2)
    reads = []
    real = gallery_module.read_item
    monkeypatch.setattr(
        gallery_module, "read_item", lambda c, p, *n: reads.append(p) or real(c, p, *n)
    )
    index = EvidenceIndex({"cam": folder})
    assert len(index.items()) == 4 and len(reads) == 4
    for _ in range(3):
        index.refresh(force=True)
    assert len(reads) == 4  # nothing changed: no sidecar read again
    newest = index.items()[0]
    newest.path.unlink()
    newest.image.unlink()
    index.refresh(force=True)
    assert newest.stem not in {i.stem for i in index.items()} and len(reads) == 4
    time.sleep(0.01)  # a new modification time for the folder
    writer.save(np.zeros((8, 8, 3), np.uint8), {"camera": "cam", "result": "good"}, defect=False)
    writer.stop()
    index.refresh(force=True)
    assert len(index.items()) == 4 and len(reads) == 5
    # a sidecar replaced by a rename (as a review writes it) is read again, alone
    oldest = index.items()[-1]
    changed = {**oldest.sidecar, "label": "dent"}
    time.sleep(0.01)
    _write_atomic(oldest.path, json.dumps(changed).encode())
    index.refresh(force=True)
    assert len(reads) == 6 and index.items()[-1].label == "dent"


def test_the_index_keeps_the_newest_within_its_bound(tmp_path):
    saved_evidence(tmp_path / "cam", defects=3, goods=3).stop()
    index = EvidenceIndex({"cam": tmp_path / "cam"}, max_items=2)
    assert [i.score for i in index.items()] == pytest.approx([0.4, 0.5])


def test_a_missing_folder_is_an_empty_gallery(tmp_path):
    index = EvidenceIndex({"cam": tmp_path / "nothing"})
    assert index.items() == [] and index.skipped == 0
    assert index.choices() == {"camera": ["cam"], "order": [], "label": []}
