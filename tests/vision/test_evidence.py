"""Evidence on a real disk: sidecars, good samples, the quota (good samples go first), a
queue that fills while the disk refuses writes, a tiny quota, a full disk, a read-only
folder and a write the file-size limit cuts off."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from hmi.core.vision.evidence import EvidenceWriter

SIDE = 48  # 48x48 noise: about 7 kB as PNG, never smaller than 6 kB


def image(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (SIDE, SIDE, 3), dtype=np.uint8)


def sidecar(n: int, defect: bool) -> dict:
    return {
        "order": "PO-1001",
        "line": "line1",
        "camera": "press cam",
        "time": f"2025-03-01T06:00:{n:02d}",
        "model": "surface.onnx",
        "model_sha256": "ab" * 32,
        "score": np.float32(0.9 if defect else 0.1),
        "boxes": np.array([[1, 2, 30, 40]]) if defect else [],
        "n": n,
        "defect": defect,
    }


def files(folder: Path, kind: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((folder / kind).glob("*.json"))]


@pytest.fixture
def writers():
    started: list[EvidenceWriter] = []
    yield started
    for writer in started:
        writer.stop(5.0)


def test_defects_and_sampled_good_results_with_their_sidecars(tmp_path, writers):
    writer = EvidenceWriter(tmp_path, 10**8, sample_good_every=3, min_free=0)
    writers.append(writer.start())
    results = [writer.save(image(n), sidecar(n, n % 4 == 0)) for n in range(12)]
    assert writer.flush(10)
    assert results.count("queued") == 3 + 3 and results.count("skipped") == 6
    defects = files(tmp_path, "defect")
    assert [d["n"] for d in defects] == [0, 4, 8]
    assert [g["n"] for g in files(tmp_path, "good")] == [1, 5, 9]  # every third good result
    first = defects[0]
    assert first["score"] == pytest.approx(0.9) and first["boxes"] == [[1, 2, 30, 40]]
    assert first["order"] == "PO-1001" and first["model_sha256"] == "ab" * 32
    assert first["class"] == "defect" and first["image"].endswith("-press_cam.png")
    back = cv2.imread(str(tmp_path / "defect" / first["image"]))
    assert np.array_equal(back, image(0))  # PNG: what was seen, exactly
    status = writer.status()
    assert (status.state, status.saved, status.skipped_good) == ("ok", 6, 6)
    on_disk = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    assert status.used_bytes == on_disk


def test_over_the_quota_the_oldest_good_samples_go_first_then_the_oldest_defects(tmp_path, writers):
    writer = EvidenceWriter(tmp_path, 8 * 9000, sample_good_every=1, min_free=0)
    writers.append(writer.start())
    for n in range(6):  # good, defect, good, defect ...
        writer.save(image(n), sidecar(n, n % 2 == 1))
        assert writer.flush(10)
    for n in range(6, 12):  # only good ones: the defects stay
        writer.save(image(n), sidecar(n, False))
        assert writer.flush(10)
    assert [d["n"] for d in files(tmp_path, "defect")] == [1, 3, 5]
    good = [g["n"] for g in files(tmp_path, "good")]
    assert good == list(range(12 - len(good), 12)) and len(good) >= 3  # the newest kept
    for n in range(12, 30):  # defects only: good samples first, then the oldest defects
        writer.save(image(n), sidecar(n, True))
        assert writer.flush(10)
    assert files(tmp_path, "good") == []
    defects = [d["n"] for d in files(tmp_path, "defect")]
    assert defects == list(range(30 - len(defects), 30))
    status = writer.status()
    assert status.used_bytes <= writer.quota and status.deleted_defect > 0
    assert status.deleted_good == 9  # every good sample, in the end
    on_disk = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == status.used_bytes <= writer.quota


def test_a_writer_started_again_counts_what_is_there_and_deletes_the_oldest(tmp_path, writers):
    first = EvidenceWriter(tmp_path, 10**8, sample_good_every=1, min_free=0).start()
    for n in range(4):
        first.save(image(n), sidecar(n, False))
        assert first.flush(10)
    assert first.stop(5)
    used = first.status().used_bytes
    again = EvidenceWriter(tmp_path, used + 100, sample_good_every=1, min_free=0)
    writers.append(again.start())
    assert again.status().used_bytes == used
    again.save(image(9), sidecar(9, False))
    assert again.flush(10)
    assert [g["n"] for g in files(tmp_path, "good")] == [1, 2, 3, 9]


def test_a_quota_smaller_than_one_image_is_said_and_nothing_stops(tmp_path, writers):
    writer = EvidenceWriter(tmp_path, 2000, sample_good_every=1, min_free=0, retry_after=0)
    writers.append(writer.start())
    assert writer.save(image(1), sidecar(1, True)) == "queued"
    assert writer.flush(10)
    status = writer.status()
    assert status.state == "full" and status.dropped_defect == 1 and status.saved == 0
    assert (
        status.reason.startswith("one image (")
        and "larger than the quota (2000 bytes)" in status.reason
    )
    assert list(tmp_path.rglob("*.png")) == []


def test_a_disk_without_room_is_full_and_good_samples_are_not_deleted_in_vain(tmp_path, writers):
    writer = EvidenceWriter(tmp_path, 10**8, sample_good_every=1, min_free=0, retry_after=0)
    writers.append(writer.start())
    writer.save(image(1), sidecar(1, False))
    assert writer.flush(10)
    writer.min_free = 10**18  # no disk has that much room left
    writer.save(image(2), sidecar(2, True))
    assert writer.flush(10)
    status = writer.status()
    assert status.state == "full" and status.reason.startswith("disk full: ")
    assert f"free at {tmp_path}" in status.reason
    assert status.dropped_defect == 1 and status.deleted_good == 0
    writer.min_free = 0  # room again: writing goes on by itself
    writer.save(image(3), sidecar(3, True))
    assert writer.flush(10)
    assert writer.status().state == "ok" and [d["n"] for d in files(tmp_path, "defect")] == [3]


def test_while_the_disk_refuses_writes_the_queue_keeps_defects_and_drops_good_samples(
    tmp_path, writers
):
    writer = EvidenceWriter(
        tmp_path, 10**8, sample_good_every=1, queue_size=4, min_free=0, retry_after=3
    )
    writers.append(writer.start())
    for kind in ("good", "defect"):  # the folders become files: every write fails
        shutil.rmtree(tmp_path / kind)
        (tmp_path / kind).write_text("in the way")
    writer.save(image(0), sidecar(0, True))
    assert writer.flush(10)
    status = writer.status()
    assert status.state == "failed" and status.dropped_defect == 1
    assert status.reason.startswith(f"cannot write {tmp_path / 'defect'}")
    # the writer waits 3 s before trying again; saving goes on and never waits for it
    outcomes = [writer.save(image(n), sidecar(n, n in (2, 4, 5, 7))) for n in range(1, 9)]
    assert outcomes == ["queued"] * 5 + ["dropped", "queued", "dropped"]
    status = writer.status()
    assert status.queued == 4 and status.dropped_good == 4 and status.dropped_defect == 1
    assert writer.save(image(9), sidecar(9, True)) == "dropped"  # a queue full of defects
    assert writer.status().dropped_defect == 2
    for kind in ("good", "defect"):  # the disk is back
        (tmp_path / kind).unlink()
    assert writer.flush(15)
    assert writer.status().state == "ok"
    assert [d["n"] for d in files(tmp_path, "defect")] == [2, 4, 5, 7]  # the good gave way
    assert files(tmp_path, "good") == []


FAILING_WRITE = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    import numpy as np
    from hmi.core.vision.evidence import EvidenceWriter

    folder, limit, user = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    writer = EvidenceWriter(folder, 10**8, sample_good_every=1, min_free=0, retry_after=0).start()
    if limit:  # files may not grow past this many bytes (EFBIG, as a full disk would say)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    big = np.random.default_rng(1).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    if user >= 0:  # after every import: nobody may not read the interpreter's folders
        os.setuid(user)
    answers = [writer.save(big, {"n": n, "defect": True}) for n in range(3)]
    writer.flush(20)
    status = writer.status()
    print(json.dumps({"answers": answers, "state": status.state, "reason": status.reason,
                      "saved": status.saved, "dropped": status.dropped_defect}))
    """
)


def run_writer(folder: Path, limit: int = 0, user: int = -1) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", FAILING_WRITE, str(folder), str(limit), str(user)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_write_cut_off_by_the_file_size_limit_is_a_clear_failure(tmp_path):
    result = run_writer(tmp_path, limit=10_000)
    assert result["answers"] == ["queued"] * 3
    assert (result["state"], result["saved"], result["dropped"]) == ("failed", 0, 3)
    assert result["reason"].startswith(f"cannot write {tmp_path / 'defect'}")
    assert result["reason"].endswith("File too large")
    assert list((tmp_path / "defect").iterdir()) == []  # no half-written file left


def test_a_read_only_folder_is_a_clear_failure():
    root = Path(tempfile.mkdtemp(prefix="evidence-ro-"))
    try:
        folder = root / "evidence"
        for kind in ("defect", "good"):
            (folder / kind).mkdir(parents=True)
        for path in (root, folder, folder / "defect", folder / "good"):
            path.chmod(0o555)  # read-only; root ignores that, so it runs as nobody then
        result = run_writer(folder, user=65534 if os.geteuid() == 0 else -1)
        assert (result["state"], result["saved"], result["dropped"]) == ("failed", 0, 3)
        assert result["reason"].startswith(f"cannot write {folder / 'defect'}")
        assert result["reason"].endswith("Permission denied")
    finally:
        for path in (root, root / "evidence"):
            path.chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


def test_settings_are_checked(tmp_path):
    with pytest.raises(ValueError, match="evidence format 'gif' is not png or jpg"):
        EvidenceWriter(tmp_path, 1000, fmt="gif")
    with pytest.raises(ValueError, match="evidence quota_bytes 0 is not a whole number >= 1"):
        EvidenceWriter(tmp_path, 0)
    blocked = tmp_path / "file"
    blocked.write_text("x")
    writer = EvidenceWriter(blocked / "evidence", 1000).start()
    try:
        status = writer.status()
        assert status.state == "failed"
        assert status.reason.startswith(f"cannot use the evidence folder {blocked / 'evidence'}")
        assert writer.save(image(1), sidecar(1, True)) == "queued"  # and nothing raises
    finally:
        writer.stop(5)
