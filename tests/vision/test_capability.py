"""The vision service over a real store: a part counter's steps become decisions and
durable counters that survive a restart; the tags follow; a model switch is refused
without the permission and recorded either way; the capability is registered."""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("onnx")

from hmi.core.access import Access
from hmi.core.capability import default_capabilities
from hmi.core.store import Writer
from hmi.core.tags import good
from hmi.core.vision import MANAGE, Vision, VisionError, camera_tag
from hmi.core.vision.config import ModelConfig, TriggerConfig, VisionConfig
from tests.helpers import wait_until
from tests.vision.test_pipeline import brightness_model, camera_config, image_folder

COUNTER = "line1.profile_count"


class Tags:
    def __init__(self) -> None:
        self.values: dict = {}
        self.lock = threading.Lock()

    def __call__(self, batch) -> None:
        with self.lock:
            self.values.update(batch)

    def value(self, name):
        with self.lock:
            tv = self.values.get(name)
        return None if tv is None else tv.value


def config(tmp_path) -> VisionConfig:
    for folder in ("m1", "m2"):
        (tmp_path / folder).mkdir(exist_ok=True)
    models = {
        "bright": ModelConfig("bright", brightness_model(tmp_path / "m1", "bright")),
        "other": ModelConfig("other", brightness_model(tmp_path / "m2", "other")),
    }
    camera = camera_config(
        source=str(image_folder(tmp_path / "images")),
        trigger=TriggerConfig("count", COUNTER, debounce=0.0),
    )
    return VisionConfig(models, {"cam": camera})


def started(tmp_path, access: Access | None = None) -> tuple[Vision, Writer, Tags]:
    store = Writer(tmp_path / "data" / "hmi.db").start()
    tags = Tags()
    vision = Vision(config(tmp_path), store, access or Access(), tmp_path / "data", tags)
    vision.start()
    wait_until(lambda: vision.inspections["cam"].camera.latest() is not None, 10, "a frame")
    return vision, store, tags


def produce(vision: Vision, start: int, parts: int) -> None:
    vision.feed({COUNTER: good(start)})
    for n in range(1, parts + 1):
        time.sleep(0.06)
        vision.feed({COUNTER: good(start + n)})


def total(tags: Tags) -> int:
    return sum(tags.value(camera_tag("cam", k)) or 0 for k in ("good", "scrap", "uninspected"))


def stop(vision: Vision, store: Writer) -> None:
    vision.stop()
    store.stop()


def test_counters_count_each_part_once_and_survive_a_restart(tmp_path):
    vision, store, tags = started(tmp_path)
    try:
        produce(vision, 1000, 8)
        wait_until(lambda: total(tags) == 8, 10, "8 decisions committed and published")
        first = {k: tags.value(camera_tag("cam", k)) for k in ("good", "scrap", "uninspected")}
        assert first["uninspected"] == 0
        assert first["good"] > 0 and first["scrap"] > 0  # dark and bright images alternate
        assert tags.value(camera_tag("cam", "state")) == "inspecting"
        assert tags.value(camera_tag("cam", "last_result")) in ("good", "defect")
        rate = tags.value(camera_tag("cam", "defect_rate"))
        assert rate == pytest.approx(100 * first["scrap"] / 8, abs=0.01)
        assert tags.value(camera_tag("cam", "inspected")) == 8
        assert len(list((tmp_path / "data" / "evidence" / "cam" / "defect").glob("*.json"))) > 0
    finally:
        stop(vision, store)
    vision, store, tags = started(tmp_path)
    try:
        restarted = {k: tags.value(camera_tag("cam", k)) for k in ("good", "scrap", "uninspected")}
        assert restarted == first  # published from the store at start
        produce(vision, 2000, 3)  # a new baseline after the restart: 3 more parts
        wait_until(lambda: total(tags) == 11, 10, "3 more decisions")
        after = {k: tags.value(camera_tag("cam", k)) for k in ("good", "scrap")}
        assert after["good"] >= first["good"] and after["scrap"] >= first["scrap"]
    finally:
        stop(vision, store)


def test_a_model_switch_needs_the_permission_and_is_recorded(tmp_path):
    access = Access()
    access.set_policy(lambda user, permission, target: None if user == "eng1" else "not you")
    records = []
    access.add_recorder(records.append)
    vision, store, tags = started(tmp_path, access)
    try:
        with pytest.raises(VisionError, match="not you"):
            vision.set_model("cam", "other", "op1")
        assert vision.inspections["cam"].slot.name == "bright"
        assert (records[-1].user, records[-1].action, records[-1].target) == ("op1", MANAGE, "cam")
        assert records[-1].detail["status"] == "refused"
        with pytest.raises(VisionError, match=r"no model 'othr'.*other"):
            vision.set_model("cam", "othr", "eng1")
        vision.set_model("cam", "other", "eng1")
        last = records[-1]
        assert (last.user, last.action, last.detail["model"]) == ("eng1", MANAGE, "other")
        assert last.detail["previous"] == "bright" and "status" not in last.detail
        assert tags.value(camera_tag("cam", "model")) == "other"
        produce(vision, 0, 2)
        wait_until(lambda: total(tags) == 2, 10, "2 decisions")
    finally:
        stop(vision, store)
    vision, store, tags = started(tmp_path, access)
    try:
        assert vision.inspections["cam"].slot.name == "other"  # kept over a restart
    finally:
        stop(vision, store)


def test_the_capability_is_registered_with_its_permission():
    registry = default_capabilities()
    assert "vision" in registry.names, registry.errors
    vision = next(c for c in registry if c.name == "vision")
    assert MANAGE in vision.permissions
    assert vision.health_tag == "_sys.vision.health"


def test_the_engineer_sees_the_settings_sources_and_a_confusion_table(tmp_path, capsys):
    from hmi.cli import main

    brightness_model(tmp_path, "bright")
    (tmp_path / "project.yaml").write_text(
        "project:\n  name: Vision console\n  lines: {line1: Line 1}\n"
        "vision:\n  models:\n    bright: bright.onnx\n"
    )
    image_folder(tmp_path / "samples" / "good", (10, 20, 30, 200))  # one good part scrapped
    image_folder(tmp_path / "samples" / "scratch", (230, 240, 20))  # one defect passed
    code = main(["vision", "test", str(tmp_path), "bright", "--images", str(tmp_path / "samples")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "colour: bgr (sidecar)" in out and "dtype: float32 (inferred)" in out
    assert "threshold 0.5 (sidecar); 7 images" in out
    rows = {line.split()[1]: line.split()[2:] for line in out.splitlines() if "truly" in line}
    assert rows == {"good": ["3", "1"], "defect": ["1", "2"]}
    assert "false accept (defects passed): 1/3" in out
    assert "false reject (good scrapped): 1/4" in out
    code = main(["vision", "test", str(tmp_path), "brigt"])
    assert code == 1 and "did you mean 'bright'" in capsys.readouterr().err


def test_a_project_without_cameras_loads_neither_opencv_nor_onnxruntime(tmp_path):
    """A station or `hmi check` of a line without cameras does not pay for them."""
    import subprocess
    import sys

    (tmp_path / "project.yaml").write_text("project:\n  name: No cameras\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from hmi.core.checks import check_all\n"
        "from hmi.core.runtime import Runtime\n"
        f"project, problems = check_all({str(tmp_path)!r})\n"
        "assert project is not None and not problems, problems\n"
        f"runtime = Runtime(project, {str(tmp_path / 'data')!r})\n"
        "runtime.start()\n"
        "runtime.stop()\n"
        "print(sorted(m for m in ('cv2', 'onnxruntime') if m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
