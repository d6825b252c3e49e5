"""The live view of the real service on a simulated press camera with the shipped model:
the newest frame peeked at (the camera's dropped count is not disturbed), the last twelve
decisions oldest first, the durable counts, the state; cameras listed per line.

``press_vision`` starts that service for other tests (the views' too)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("onnx")

from hmi.core.access import Access
from hmi.core.store import Writer
from hmi.core.tags import good
from hmi.core.vision import LiveView, Vision, VisionError
from hmi.core.vision.config import (
    CameraConfig,
    EvidenceConfig,
    ModelConfig,
    TriggerConfig,
    VisionConfig,
)
from tests.helpers import wait_until
from tests.vision.test_capability import Tags as Published

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "models" / "surface" / "surface.onnx"
COUNTER = "line1.profile_count"
CAMERA = "press_cam"


def press_config(defect_rate: float = 0.3, good_every: int = 1) -> VisionConfig:
    """The demo press's camera (sim:press, the shipped model, a part per counter step),
    with more defects than the demo and every good part kept as evidence."""
    camera = CameraConfig(
        name=CAMERA,
        line="line1",
        source="sim:press",
        model="surface",
        trigger=TriggerConfig("count", COUNTER, debounce=0.0),
        fps=20.0,
        size=(256, 256),
        channels=3,
        max_age=1.0,
        window=100,
        evidence=EvidenceConfig(good_every=good_every),
        defect_rate=defect_rate,
    )
    return VisionConfig({"surface": ModelConfig("surface", SHIPPED)}, {CAMERA: camera})


def press_vision(
    data_dir: Path,
    access: Access | None = None,
    *,
    config: VisionConfig | None = None,
    **kwargs: Any,
) -> tuple[Vision, Writer, Published]:
    """The real service on its own store in ``data_dir``, started, its camera grabbing;
    ``kwargs`` go to ``Vision`` (``values``, ``orders``). Stop with ``stop_vision``."""
    store = Writer(Path(data_dir) / "hmi.db").start()
    published = Published()
    vision = Vision(
        config or press_config(), store, access or Access(), Path(data_dir), published, **kwargs
    )
    vision.start()
    wait_until(lambda: vision.live(CAMERA).frame is not None, 15, "the camera's first frame")
    return vision, store, published


def stop_vision(vision: Vision, store: Writer) -> None:
    vision.stop()
    store.stop()


def produce(vision: Vision, parts: int, start: int = 1000, pause: float = 0.08) -> None:
    """``parts`` steps of the press's part counter, a fresh frame apart."""
    vision.feed({COUNTER: good(start)})
    for n in range(1, parts + 1):
        time.sleep(pause)
        vision.feed({COUNTER: good(start + n)})


def decided(vision: Vision) -> int:
    return sum(vision.counters.counts(CAMERA).values())


@pytest.fixture
def press(tmp_path):
    vision, store, _ = press_vision(tmp_path / "data")
    yield vision
    stop_vision(vision, store)


def test_the_live_view_before_any_part(press):
    view = press.live(CAMERA)
    assert isinstance(view, LiveView)
    assert (view.camera, view.line, view.model) == (CAMERA, "line1", "surface")
    assert view.threshold == pytest.approx(0.2364)  # the shipped model's sidecar
    assert view.decisions == () and view.last is None and view.window == 0
    assert dict(view.counts) == {"good": 0, "scrap": 0, "uninspected": 0}
    assert view.frame is not None and view.frame.image.shape == (256, 256, 3)
    wait_until(lambda: press.live(CAMERA).state == "inspecting", 5, "inspecting")
    assert press.live(CAMERA).reason == ""


def test_the_view_peeks_at_frames_without_taking_them(press):
    """No part is triggered, so every frame but the newest is replaced unseen: the live
    view reading it many times must not make them count as taken."""
    seen = set()
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        frame = press.live(CAMERA).frame
        assert frame is not None
        seen.add(frame.seq)
        time.sleep(0.02)
    assert len(seen) >= 5  # the view follows the newest frame
    status = press.inspections[CAMERA].camera.status()
    assert status.dropped >= status.frames - 2


def test_the_last_twelve_decisions_oldest_first_with_counts_and_rate(press):
    produce(press, 15)
    wait_until(lambda: decided(press) == 15, 20, "15 decisions")
    wait_until(lambda: len(press.live(CAMERA).decisions) == 12, 5, "12 decisions kept")
    view = press.live(CAMERA)
    assert [d.part for d in view.decisions] == list(range(4, 16))
    assert sum(view.counts.values()) == 15
    inspected = view.counts["good"] + view.counts["scrap"]
    assert view.window == inspected
    assert view.defect_rate == pytest.approx(100 * view.counts["scrap"] / inspected)
    last = view.last
    assert last is not None and last.part == 15
    for decision in view.decisions:
        assert decision.result in ("good", "defect", "uninspected")
        if decision.result != "uninspected":
            assert decision.frame is not None and decision.inference is not None
            assert decision.model == "surface" and decision.score is not None
    frames = [d.frame.seq for d in view.decisions if d.frame is not None]
    assert len(set(frames)) == len(frames)  # each part decided on a frame of its own
    assert view.fps > 0
    assert view.decisions[-1] is press.live(CAMERA).decisions[-1]  # shared, not copied


def test_cameras_by_line_and_an_unknown_camera(press):
    assert press.cameras_of() == [CAMERA]
    assert press.cameras_of("line1") == [CAMERA]
    assert press.cameras_of("line2") == []
    with pytest.raises(VisionError, match=r"no camera 'press_cm'.*did you mean 'press_cam'"):
        press.live("press_cm")


def test_the_view_is_read_from_other_threads_while_parts_are_decided(press):
    problems: list[BaseException] = []
    views = []

    def read() -> None:
        try:
            for _ in range(200):
                view = press.live(CAMERA)
                assert len(view.decisions) <= 12
                views.append(len(view.decisions))
                time.sleep(0.005)
        except BaseException as error:
            problems.append(error)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    produce(press, 6, pause=0.06)
    for reader in readers:
        reader.join(10)
    assert not problems, problems
    assert len(views) == 600 and max(views) > 0


def test_an_unusable_model_shows_unavailable_with_its_reason(tmp_path):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    config = press_config()
    config.models["surface"] = ModelConfig("surface", broken)
    vision, store, _ = press_vision(tmp_path / "data", config=config)
    try:
        view = vision.live(CAMERA)
        assert view.state == "unavailable"
        assert view.reason.startswith("model surface: ") and "not an ONNX model" in view.reason
        produce(vision, 3)
        wait_until(lambda: decided(vision) == 3, 10, "3 parts counted")
        view = vision.live(CAMERA)
        assert dict(view.counts) == {"good": 0, "scrap": 0, "uninspected": 3}
        assert {d.result for d in view.decisions} == {"uninspected"}
        assert view.window == 0 and view.defect_rate == 0.0
        assert all("not loaded" in d.reason for d in view.decisions)
    finally:
        stop_vision(vision, store)
