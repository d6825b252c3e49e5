"""A model's test run: the confusion table per true label, false-accept and false-reject
rates and accuracy, at the model's threshold or one chosen; unreadable images listed
with why and left out; the demo model's samples made once from the synthetic generator;
the same run behind ``hmi vision test``."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

pytest.importorskip("onnx")

from hmi.core.vision import TestRun, VisionError, VisionModel
from hmi.core.vision.evaluation import DEMO_SAMPLES, EvaluationError, run_test
from hmi.core.vision.synthetic import DEFECTS, surface_image
from tests.vision.test_live import SHIPPED, press_vision, stop_vision
from tests.vision.test_pipeline import brightness_model, image_folder


@pytest.fixture(scope="module")
def shipped() -> VisionModel:
    return VisionModel.load(SHIPPED)


def labelled(folder, seed: int, goods: int, per_defect: int):
    """Synthetic surfaces, each in the folder of its true label."""
    rng = np.random.default_rng(seed)
    kinds = [("good", None, goods)] + [(kind, kind, per_defect) for kind in DEFECTS]
    for label, defect, count in kinds:
        (folder / label).mkdir(parents=True, exist_ok=True)
        for n in range(count):
            image, _ = surface_image(rng, size=(256, 256), defect=defect)
            cv2.imwrite(str(folder / label / f"{n:03d}.png"), image)
    return folder


def test_the_confusion_table_of_the_brightness_model_is_exact(tmp_path):
    model = VisionModel.load(brightness_model(tmp_path, "bright"))
    image_folder(tmp_path / "samples" / "good", (10, 20, 30, 200))  # one good part scrapped
    image_folder(tmp_path / "samples" / "scratch", (230, 240, 20))  # one defect passed
    (tmp_path / "samples" / "scratch" / "torn.png").write_bytes(b"half a png")
    seen = []
    run = run_test(
        model, tmp_path / "samples", progress=lambda done, total: seen.append((done, total))
    )
    assert isinstance(run, TestRun)
    assert run.confusion == {"good": {"good": 3, "defect": 1}, "scratch": {"good": 1, "defect": 2}}
    assert (run.images, run.defects, run.goods) == (7, 3, 4)
    assert run.false_accept == pytest.approx(1 / 3) and run.false_reject == pytest.approx(1 / 4)
    assert run.accuracy == pytest.approx(5 / 7)
    assert run.threshold == 0.5 and run.ms_per_image > 0
    assert len(run.unreadable) == 1 and "torn.png: not an image" in run.unreadable[0]
    assert seen == [(n, 8) for n in range(1, 9)]
    strict = run_test(model, tmp_path / "samples", threshold=0.999999)
    assert strict.confusion["good"]["defect"] <= run.confusion["good"]["defect"]
    assert strict.threshold == 0.999999
    lines = run.lines("0.5 (sidecar)")
    assert lines[0] == f"threshold 0.5 (sidecar); 7 images from {tmp_path / 'samples'}"
    assert "false accept (defects passed): 1/3 = 33.3%" in lines


def test_the_shipped_model_on_fresh_synthetic_surfaces(tmp_path, shipped):
    folder = labelled(tmp_path / "set", seed=4242, goods=20, per_defect=4)
    run = run_test(shipped, folder, name="surface")
    assert run.model == "surface" and run.images == 44 and not run.unreadable
    assert set(run.confusion) == {"good", *DEFECTS}
    assert run.goods == 20 and run.defects == 24
    assert run.accuracy >= 0.85, run.confusion
    passed = sum(run.confusion[k]["good"] for k in DEFECTS)
    assert run.false_accept == pytest.approx(passed / 24)
    assert run.false_reject == pytest.approx(run.confusion["good"]["defect"] / 20)


def test_nothing_to_test_is_said_plainly(tmp_path, shipped):
    with pytest.raises(EvaluationError, match="no such folder"):
        run_test(shipped, tmp_path / "none")
    (tmp_path / "flat").mkdir()
    cv2.imwrite(str(tmp_path / "flat" / "a.png"), np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(EvaluationError, match="no images in label folders"):
        run_test(shipped, tmp_path / "flat")


def test_the_service_tests_the_demo_model_on_samples_made_once(tmp_path):
    vision, store, _ = press_vision(tmp_path / "data")
    try:
        progress = []
        run = vision.test_model("surface", progress=lambda d, t: progress.append(d))
        samples = tmp_path / "data" / "vision" / "samples"
        assert run.folder == samples
        total = DEMO_SAMPLES["good"] + DEMO_SAMPLES["defect"] * len(DEFECTS)
        assert run.images == total and progress[-1] == total
        assert set(run.confusion) == {"good", *DEFECTS}
        assert run.threshold == pytest.approx(0.2364)
        assert run.accuracy >= 0.85, run.confusion
        made = {p: p.stat().st_mtime_ns for p in samples.glob("*/*.png")}
        assert len(made) == total
        again = vision.test_model("surface", threshold=0.9)
        assert {p: p.stat().st_mtime_ns for p in samples.glob("*/*.png")} == made  # not remade
        assert again.threshold == 0.9 and again.false_reject <= run.false_reject
        with pytest.raises(VisionError, match=r"no model 'surfce'.*did you mean 'surface'"):
            vision.test_model("surfce")
        with pytest.raises(VisionError, match="no such folder"):
            vision.test_model("surface", images=tmp_path / "none")
    finally:
        stop_vision(vision, store)


def test_the_command_line_prints_the_same_run(tmp_path, capsys, shipped):
    from hmi.cli import main

    folder = labelled(tmp_path / "set", seed=7, goods=3, per_defect=1)
    (tmp_path / "project.yaml").write_text(
        "project:\n  name: Vision console\n  lines: {line1: Line 1}\n"
        f"vision:\n  models:\n    surface: {SHIPPED}\n"
    )
    code = main(["vision", "test", str(tmp_path), "surface", "--images", str(folder)])
    out = capsys.readouterr().out
    assert code == 0, out
    run = run_test(shipped, folder)
    for line in run.lines(f"{run.threshold:g} (sidecar)"):
        assert line in out


def test_a_test_run_does_not_wait_for_the_lines_session(tmp_path):
    """The run has a session of its own: it finishes while the line's is held busy."""
    import threading

    image_folder(tmp_path / "samples" / "good", (10, 20))
    vision, store, _ = press_vision(tmp_path / "data")
    try:
        runs = []
        slot = vision.slots["surface"]
        with slot._lock:  # the line's session busy deciding a part
            worker = threading.Thread(
                target=lambda: runs.append(vision.test_model("surface", tmp_path / "samples"))
            )
            worker.start()
            worker.join(30)
            assert not worker.is_alive() and len(runs) == 1
        assert runs[0].images == 2
    finally:
        stop_vision(vision, store)
