"""One camera's inspection end to end: a folder camera, an edge trigger fed PLC readings,
a real ONNX model (built here: bright frames are defects). N parts give exactly N
decisions; a model that cannot load, a stalled camera and frames of the wrong size give
uninspected parts with the reason, logged once."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper, save

from hmi.core.vision.cameras import Camera
from hmi.core.vision.config import CameraConfig, ModelConfig, TriggerConfig
from hmi.core.vision.pipeline import (
    DEFECT,
    GOOD,
    UNINSPECTED,
    CountTrigger,
    Decision,
    Inspection,
    ModelSlot,
)
from tests.helpers import wait_until

SIDE = 8


def brightness_model(folder: Path, name: str = "bright") -> Path:
    """A two-class classifier: the frame's mean brightness m (0..1) gives the logits
    (10 - 20 m, 20 m - 10), so a frame brighter than mid-grey is a defect."""
    inp = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, SIDE, SIDE])
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 2])
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["m4"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Reshape", ["m4", "shape"], ["m"]),
        helper.make_node("Mul", ["m", "w"], ["mw"]),
        helper.make_node("Add", ["mw", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["output0"], axis=1),
    ]
    inits = [
        numpy_helper.from_array(np.array([1, 1], np.int64), "shape"),
        numpy_helper.from_array(np.array([[-20.0, 20.0]], np.float32), "w"),
        numpy_helper.from_array(np.array([[10.0, -10.0]], np.float32), "b"),
    ]
    graph = helper.make_graph(nodes, "bright", [inp], [out], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    path = folder / f"{name}.onnx"
    save(model, str(path))
    (folder / f"{name}.yaml").write_text(
        "kind: classification\nlabels: [good, bright]\ndefect_classes: [bright]\n"
        f"threshold: 0.5\ninput: {{size: [{SIDE}, {SIDE}], colour: bgr, scale: 1/255}}\n"
    )
    return path


def image_folder(folder: Path, levels: tuple[int, ...] = (30, 220), side: int = SIDE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n, level in enumerate(levels):
        cv2.imwrite(str(folder / f"{n:03d}.png"), np.full((side, side, 3), level, np.uint8))
    return folder


def camera_config(**changes) -> CameraConfig:
    settings = dict(
        name="cam",
        line="line1",
        source="unused",
        model="bright",
        trigger=TriggerConfig("edge", "line1.part", debounce=0.02),
        fps=40.0,
        max_age=0.5,
        window=10,
    )
    settings.update(changes)
    return CameraConfig(**settings)


class Collector:
    def __init__(self) -> None:
        self.decisions: list[Decision] = []
        self.lock = threading.Lock()

    def __call__(self, decision: Decision) -> None:
        with self.lock:
            self.decisions.append(decision)

    def __len__(self) -> int:
        with self.lock:
            return len(self.decisions)


def running(config: CameraConfig, camera: Camera, slot: ModelSlot) -> tuple[Inspection, Collector]:
    collected = Collector()
    camera.start()
    wait_until(lambda: camera.latest() is not None, 10, "the camera's first frame")
    return Inspection(config, camera, slot, collected).start(), collected


def pulse(inspection: Inspection, parts: int, high_s: float = 0.06, low_s: float = 0.06) -> None:
    """``parts`` light-barrier pulses, each longer than the debounce, with a bounce (a
    high shorter than the debounce) before each."""
    for _ in range(parts):
        now = time.time()
        inspection.feed(True, now)
        inspection.feed(False, now + 0.005)  # bounce: no part
        inspection.feed(True, now + 0.01)
        time.sleep(high_s)
        inspection.feed(False, time.time())
        time.sleep(low_s)


def test_n_parts_give_exactly_n_decisions_by_the_model(tmp_path):
    slot = ModelSlot(ModelConfig("bright", brightness_model(tmp_path))).load()
    assert slot.model is not None, slot.error
    config = camera_config()
    camera = Camera("cam", image_folder(tmp_path / "images"), fps=40)
    inspection, collected = running(config, camera, slot)
    try:
        pulse(inspection, 12)
        wait_until(lambda: len(collected) >= 12, 10, "12 decisions")
        time.sleep(0.3)  # nothing more may come
    finally:
        inspection.stop()
        camera.stop()
    decisions = collected.decisions
    assert len(decisions) == 12
    assert [d.part for d in decisions] == list(range(1, 13))
    for d in decisions:
        assert d.result in (GOOD, DEFECT), d.reason
        bright = float(d.frame.image.mean()) > 128
        assert (d.result == DEFECT) == bright
        assert d.label == ("bright" if bright else "good")
        assert d.sha256 == slot.model.info.sha256
    seqs = [d.frame.seq for d in decisions]
    assert seqs == sorted(set(seqs))  # each part its own, newer frame
    assert inspection.problem == ""


def test_count_trigger_makes_a_part_per_increment():
    trigger = CountTrigger(max_step=5)
    assert trigger.update(100, 0.0) == 0  # the first reading is where counting starts
    assert trigger.update(101, 1.0) == 1
    assert trigger.update(None, 2.0) == 0  # a Bad reading changes nothing
    assert trigger.update(103, 3.0) == 2
    assert trigger.update(0, 4.0) == 0  # reset
    assert trigger.update(1, 5.0) == 1
    assert trigger.update(500, 6.0) == 0 and trigger.refused == 1  # set, not produced


def test_a_model_that_cannot_load_leaves_parts_uninspected_said_once(tmp_path, caplog):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model at all")
    slot = ModelSlot(ModelConfig("bright", broken)).load()
    assert slot.model is None and "broken.onnx" in slot.error
    camera = Camera("cam", image_folder(tmp_path / "images"), fps=40)
    inspection, collected = running(camera_config(), camera, slot)
    caplog.set_level(logging.WARNING, "hmi.core.vision.pipeline")
    try:
        pulse(inspection, 4)
        wait_until(lambda: len(collected) >= 4, 10, "4 decisions")
    finally:
        inspection.stop()
        camera.stop()
    assert len(collected) == 4
    assert {d.result for d in collected.decisions} == {UNINSPECTED}
    assert all("broken.onnx" in d.reason and d.score is None for d in collected.decisions)
    said = [r for r in caplog.records if "uninspected" in r.getMessage()]
    assert len(said) == 1, [r.getMessage() for r in said]


def test_a_stalled_camera_leaves_parts_uninspected(tmp_path):
    slot = ModelSlot(ModelConfig("bright", brightness_model(tmp_path))).load()
    flowing, release = threading.Event(), threading.Event()
    flowing.set()

    def grab():
        if not flowing.is_set():
            release.wait(10)  # a stream that stops answering
        return np.full((SIDE, SIDE, 3), 30, np.uint8)

    camera = Camera("cam", grab, fps=40, stall_after=0.2)
    inspection, collected = running(camera_config(max_age=0.2), camera, slot)
    try:
        pulse(inspection, 2)
        wait_until(lambda: len(collected) >= 2, 10, "2 decisions while running")
        flowing.clear()
        wait_until(lambda: camera.status().state == "stalled", 10, "the camera to stall")
        pulse(inspection, 3)
        wait_until(lambda: len(collected) >= 5, 10, "5 decisions")
    finally:
        release.set()
        inspection.stop()
        camera.stop()
    results = [d.result for d in collected.decisions]
    assert results[:2] == [GOOD, GOOD]
    assert results[2:] == [UNINSPECTED] * 3
    assert all("no fresh frame" in d.reason for d in collected.decisions[2:])
    assert "stalled" in collected.decisions[-1].reason


def test_frames_of_the_wrong_size_are_not_inspected(tmp_path):
    slot = ModelSlot(ModelConfig("bright", brightness_model(tmp_path))).load()
    camera = Camera("cam", image_folder(tmp_path / "images"), fps=40, size=(16, 16))
    inspection, collected = running(camera_config(size=(16, 16)), camera, slot)
    try:
        pulse(inspection, 3)
        wait_until(lambda: len(collected) >= 3, 10, "3 decisions")
    finally:
        inspection.stop()
        camera.stop()
    assert [d.result for d in collected.decisions] == [UNINSPECTED] * 3
    assert "expected 16x16" in collected.decisions[0].reason
