"""The models page over a real vision service: each model's settings with where they came
from (what was inferred marked), a broken file refused with its error and nothing added,
a good one added, a test run on a worker thread whose confusion table adds up to the
images, and a camera switched to another model only after a confirmation naming camera,
old and new model (the camera's ``_sys.vision.<cam>.model`` follows)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("onnx")

from hmi.core.vision import camera_tag
from hmi.ui.bridge import TagBridge
from hmi.ui.shell import MainWindow
from tests.vision.test_pipeline import brightness_model, image_folder

from .test_vision_gallery import DESK, open_window, start_vision, stop_vision, touch
from .windows import write_screens

ENGINEER = "eng1"


@pytest.fixture
def setup(runtime, tmp_path):
    vision, store, tags = start_vision(tmp_path, runtime.access)
    yield vision, tags
    stop_vision(vision, store)


@pytest.fixture
def page(qtbot, project, engine, tmp_path, runtime, setup):
    window = open_window(qtbot, project, engine, tmp_path, runtime, setup[0])
    window.operator.set_user(ENGINEER)
    page = window.open_page("models")
    qtbot.waitUntil(page.isVisible, timeout=2000)
    return page


def test_each_model_with_its_settings_and_their_sources(qtbot, page):
    assert list(page.model_buttons) == ["bright", "other"]
    assert page.chosen == "bright" and page.model_buttons["bright"].isChecked()
    assert "used by cam" in page.model_buttons["bright"].full_text
    assert "not in use" in page.model_buttons["other"].full_text
    assert page.facts["cameras"].text() == "cam"
    assert len(page.facts["sha256"].text()) == 13  # 12 hex digits and "…"
    assert page.facts["origin"].text() == "from the project"
    shown = {label.text() for label in page.setting_labels}
    assert {"colour", "bgr", "sidecar file", "threshold", "0.5"} <= shown
    # the brightness model's sidecar says nothing of its dtype: inferred, marked
    assert "dtype" in page.inferred() and "colour" not in page.inferred()
    marked = page.findChild(type(page.name), "inferred_dtype")
    assert marked is not None and marked.property("inferred") is True
    assert "inferred" in marked.text()
    touch(page.model_buttons["other"])
    assert page.chosen == "other" and page.facts["cameras"].text() == "none"


def test_a_broken_model_file_shows_the_error_and_adds_nothing(qtbot, page, setup, tmp_path):
    vision, _ = setup
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not an onnx model at all")
    dialog = page.ask_add()
    assert dialog is not None
    dialog.path.setText(str(broken))
    assert dialog.name.text() == "broken"  # the file's name offered
    touch(dialog.add_button)
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "broken.onnx" in dialog.problem.text()
    assert [e.name for e in vision.models()] == ["bright", "other"]
    assert list(page.model_buttons) == ["bright", "other"]
    assert not (tmp_path / "data" / "vision" / "models" / "broken").exists()


def test_a_model_added_is_listed_as_added_here(qtbot, page, setup, tmp_path):
    vision, _ = setup
    (tmp_path / "new").mkdir()
    path = brightness_model(tmp_path / "new", "third")
    dialog = page.ask_add()
    dialog.path.setText(str(path))
    dialog.name.setText("third")
    touch(dialog.add_button)
    assert not dialog.isVisible() and dialog.made is not None
    assert [e.name for e in vision.models()][-1] == "third"
    assert page.chosen == "third" and "third" in page.model_buttons
    assert page.facts["origin"].text().startswith(f"added at this station by {ENGINEER}")
    assert "Model third added" in page.message.text()


def test_a_test_run_shows_a_confusion_table_that_adds_up_to_the_images(qtbot, page, tmp_path):
    samples = tmp_path / "samples"
    image_folder(samples / "good", (10, 20, 30, 200))  # one good part too bright: scrapped
    image_folder(samples / "bright", (230, 240, 20))  # one defect too dark: passed
    dialog = page.test(images=str(samples))
    assert dialog is not None and dialog.isVisible()
    assert dialog.worker.thread is not threading.current_thread()
    qtbot.waitUntil(lambda: dialog.run is not None or bool(dialog.problem), timeout=30000)
    assert not dialog.problem, dialog.problem
    run = dialog.run
    assert run.images == 7
    cells = {key: dialog.cells_of(key) for key in ("good", "defect")}
    assert cells == {"good": {"good": 3, "defect": 1}, "defect": {"good": 1, "defect": 2}}
    assert sum(sum(row.values()) for row in cells.values()) == run.images
    assert dialog.cells[("good", "good")].text() == "3"
    assert dialog.figures["far"].text() == "33.3 % (1/3)"
    assert dialog.figures["frr"].text() == "25.0 % (1/4)"
    assert dialog.figures["images"].text() == "7"
    assert dialog.busy.isHidden() and dialog.result.isVisible()
    assert "tested on 7 images" in page.message.text()
    assert "right on 7 images" in page.facts["tested"].text()


def test_switching_a_camera_asks_first_and_changes_its_model(qtbot, page, setup):
    vision, tags = setup
    touch(page.model_buttons["other"])
    choose = page.ask_use()
    assert choose is not None and set(choose.buttons) == {"cam"}
    assert "now: bright" in choose.buttons["cam"].text()
    touch(choose.buttons["cam"])
    confirm = page.views.operator.dialog
    assert confirm.objectName() == "confirmSwitch"
    assert confirm.title.text() == "Camera cam: model bright → other?"
    touch(confirm.cancel_button)  # not confirmed: nothing changes
    assert vision.inspections["cam"].slot.name == "bright"
    page.ask_use().pick("cam")
    touch(page.views.operator.dialog.confirm_button)
    assert vision.inspections["cam"].slot.name == "other"
    qtbot.waitUntil(lambda: tags.value(camera_tag("cam", "model")) == "other", timeout=3000)
    assert page.message.text() == "cam inspects with other from now on"
    assert "used by cam" in page.model_buttons["other"].full_text
    assert not page.use_button.isEnabled()  # every camera uses it now: said why
    assert "already" in page.use_button.toolTip()


def test_without_the_permission_adding_and_switching_are_greyed(qtbot, page, runtime, setup):
    vision, _ = setup
    runtime.access.set_policy(
        lambda user, permission, target: (
            "only engineers manage models" if permission == "vision.manage" else None
        )
    )
    touch(page.model_buttons["other"])
    qtbot.waitUntil(lambda: not page.add_button.isEnabled(), timeout=2000)
    for button in (page.add_button, page.use_button):
        assert not button.isEnabled()
        assert "only engineers manage models" in button.toolTip()
    assert page.test_button.isEnabled()  # testing changes nothing
    assert page.ask_add() is None and page.ask_use() is None
    page.switch("cam", "other")  # refused before the service is asked
    assert "only engineers" in page.message.text()
    assert vision.inspections["cam"].slot.name == "bright"


def test_a_switch_is_signed_where_the_project_asks(qtbot, project, engine, tmp_path):
    """The project's users section wants a signature for vision.manage on the camera: the
    confirmed switch waits for it, and happens once the engineer has signed."""
    from hmi.core.plugins import DriverRegistry
    from hmi.core.project.models import DeviceConfig
    from hmi.core.runtime import Runtime
    from hmi.core.users import FAST, Hasher, Method
    from hmi.ui.users import UsersViews
    from hmi.ui.vision import VisionViews

    from .conftest import MemoryDriver

    project.extra["users"] = {
        "signatures": [
            {
                "permission": "vision.manage",
                "targets": ["cam"],
                "meaning": "Inspection model change",
                "reasons": ["Validated model"],
            }
        ]
    }
    project.devices["plc"] = DeviceConfig("plc", "memory", line="line1")
    runtime = Runtime(project, tmp_path / "rt", registry=DriverRegistry({"memory": MemoryDriver}))
    runtime.start()
    vision, store, tags = start_vision(tmp_path, runtime.access)
    try:
        users = runtime.services["users"]
        users.hasher = Hasher(FAST)
        users.console = "os:tester"
        users.add_user("eng", "engineer", by="os:tester", password="engineer-pass")
        bridge = TagBridge(engine, rate_hz=20)
        window = MainWindow(
            project,
            bridge,
            write_screens(tmp_path / "screens"),
            profile=DESK,
            writer=runtime,
            watch=False,
            services={"users": users, "vision": vision},
            views=[UsersViews, VisionViews],
        )
        qtbot.addWidget(window)
        bridge.start()
        window.resize(1920, 1080)
        window.start()
        window.show()
        users.sign_in("eng", "engineer-pass", method=Method.PASSWORD, profile="desk")
        qtbot.waitUntil(lambda: window.operator.user == "eng", timeout=3000)
        page = window.open_page("models")
        touch(page.model_buttons["other"])
        assert page.use_button.isEnabled()  # offered: the engineer may sign for it
        page.ask_use().pick("cam")
        touch(window.operator.dialog.confirm_button)
        dialog = window.operator.dialog
        assert dialog.objectName() == "signatureDialog"
        assert vision.inspections["cam"].slot.name == "bright"  # not before the signature
        dialog.reason.setCurrentText("Validated model")
        dialog.secret.setText("wrong")
        assert not dialog.try_sign()
        assert vision.inspections["cam"].slot.name == "bright"
        dialog.secret.setText("engineer-pass")
        assert dialog.try_sign()
        assert vision.inspections["cam"].slot.name == "other"
        qtbot.waitUntil(lambda: tags.value(camera_tag("cam", "model")) == "other", timeout=3000)
        assert page.message.text() == "cam inspects with other from now on"
    finally:
        stop_vision(vision, store)
        runtime.stop()
