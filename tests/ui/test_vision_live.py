"""The live inspection view on the line screen, over the real vision service (the shipped
surface model, a simulated press camera, a part per counter step): the last part's
verdict, counts and defect rate; overlays drawn; the reason when inspection is
unavailable; a decision of the strip opened large; nothing on screens without a camera;
sizes for the touch panel; the Inspection and Models pages in the navigation."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytest.importorskip("onnx")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontInfo, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from hmi.core.vision import Decision, Detection, Frame, Inference
from hmi.core.vision.config import ModelConfig, VisionConfig
from hmi.ui.shell import Profile
from hmi.ui.vision import VisionViews
from hmi.ui.vision.common import verdict_text
from hmi.ui.vision.live import InspectionDialog, LiveTile, Pictures, VisionBand
from tests.vision.test_live import CAMERA, press_config, press_vision, produce, stop_vision

from .windows import views_window

TOUCH = Profile("touch", True, 60, 20, 12, px_per_mm=6.0)  # 60 px = 10 mm
DESK = Profile("desk", False, 36, 17)


@pytest.fixture
def vision(tmp_path):
    service, store, _ = press_vision(tmp_path / "vision")
    yield service
    stop_vision(service, store)


def open_window(qtbot, project, engine, folder, runtime, service, profile=DESK):
    return views_window(
        qtbot, project, engine, folder, {"vision": service}, [VisionViews], runtime, profile
    )


@pytest.fixture
def window(qtbot, project, engine, tmp_path, runtime, vision):
    window = open_window(qtbot, project, engine, tmp_path, runtime, vision)
    window.go_to("line")
    return window


def tile_of(window) -> LiveTile:
    band = window.panel.findChild(VisionBand)
    return band.tiles[CAMERA]


def amber(window) -> QColor:
    return QColor(window.operator.theme.alarm[3])


def near(color: QColor, other: QColor, tolerance: int = 40) -> bool:
    return (
        abs(color.red() - other.red()) <= tolerance
        and abs(color.green() - other.green()) <= tolerance
        and abs(color.blue() - other.blue()) <= tolerance
    )


def count_near(image: QImage, color: QColor, rect=None) -> int:
    rect = rect or image.rect()
    return sum(
        near(image.pixelColor(x, y), color)
        for y in range(rect.top(), rect.bottom() + 1, 2)
        for x in range(rect.left(), rect.right() + 1, 2)
    )


def made_decision(result: str = "defect", *, boxes=True, heat=True) -> Decision:
    """A decision as the pipeline makes it, with a box and an anomaly map where asked."""
    image = np.full((200, 200, 3), 140, np.uint8)
    frame = Frame(image=image, ts=time.time(), seq=999, roi=(50, 50, 100, 100))
    anomaly = np.zeros((100, 100), np.float32)
    anomaly[20:60, 20:60] = 1.0
    inference = Inference(
        score=0.9,
        defect=result == "defect",
        label="scratch",
        detections=(Detection((10.0, 10.0, 60.0, 60.0), "scratch", 0.9),) if boxes else (),
        anomaly_map=anomaly if heat else None,
    )
    label = "scratch" if result == "defect" else "good"
    return Decision(
        CAMERA, 77, result, label, 0.9, "", frame.ts, "surface", "", 12.0, inference, frame
    )


def test_the_tile_shows_the_last_parts_verdict_counts_and_rate(qtbot, window, vision):
    tile = tile_of(window)
    qtbot.waitUntil(lambda: tile.verdict.full_text == "No part yet", timeout=3000)
    produce(vision, 5)
    qtbot.waitUntil(lambda: sum(vision.live(CAMERA).counts.values()) == 5, timeout=15000)
    live = vision.live(CAMERA)
    last = live.decisions[-1]
    expected = verdict_text(last.result, last.label)
    qtbot.waitUntil(lambda: f"part {last.part} " in tile.note.full_text, timeout=2000)
    assert tile.verdict.full_text == expected
    assert "model surface" in tile.note.full_text
    figures = {key: figure.value.text() for key, figure in tile.figures.items()}
    assert figures["good"] == str(live.counts["good"])
    assert figures["scrap"] == str(live.counts["scrap"])
    assert figures["uninspected"] == str(live.counts["uninspected"])
    assert figures["rate"] == f"{live.defect_rate:.1f} %"
    shown = tile.strip.visible_thumbs()
    assert len(shown) == min(5, tile.strip.fits()) and len(shown) >= 3
    assert shown[0].decision is last  # newest first
    abnormal = last.result != "good"
    assert bool(tile.verdict.property("abnormal")) is abnormal
    assert not tile.image.image.isNull()  # the newest frame is there


def test_a_frame_is_converted_once_however_often_it_is_shown(qtbot, window, vision):
    tile = tile_of(window)
    pictures = tile.views.pictures = Pictures()
    live = vision.live(CAMERA)
    for _ in range(10):
        tile.show_live(live)
    assert pictures.converted == 1
    qtbot.waitUntil(lambda: vision.live(CAMERA).frame.seq != live.frame.seq, timeout=3000)
    tile.show_live(vision.live(CAMERA))
    assert pictures.converted == 2


def test_boxes_and_heat_map_are_drawn_over_the_decision(qtbot, window):
    dialog = tile_of(window).open()
    assert isinstance(dialog, InspectionDialog)
    defect = made_decision("defect")
    dialog.choose(defect)
    view = dialog.chosen_view
    qtbot.waitUntil(lambda: view.width() > 200, timeout=2000)
    image = view.grab().toImage()
    colour = amber(window)
    assert count_near(image, colour) > 200  # the boxes, the heat and the defect's frame
    assert dialog.verdict.text() == "DEFECT: scratch"
    assert "scratch 0.90" in dialog.facts.text()
    # the same part, good and without any overlay: no amber at all
    dialog.choose(made_decision("good", boxes=False, heat=False))
    plain = view.grab().toImage()
    assert count_near(plain, colour) == 0
    # the heat alone tints the middle of the ROI, not its corner outside the map's hot part
    dialog.choose(made_decision("good", boxes=False, heat=True))
    tinted = view.grab().toImage()
    side = min(view.width(), view.height())
    left, top = (view.width() - side) // 2, (view.height() - side) // 2
    hot = tinted.pixelColor(left + side * 90 // 200, top + side * 90 // 200)
    cold = tinted.pixelColor(left + side * 140 // 200, top + side * 140 // 200)
    assert hot.blue() < cold.blue() - 30 and hot.red() >= cold.red()


def test_a_decision_of_the_strip_opens_large(qtbot, window, vision):
    tile = tile_of(window)
    produce(vision, 3)
    qtbot.waitUntil(lambda: len(tile.strip.visible_thumbs()) == 3, timeout=15000)
    oldest = tile.strip.visible_thumbs()[-1]
    QTest.mouseClick(
        oldest, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(5, 5)
    )
    dialog = window.operator.dialog
    assert isinstance(dialog, InspectionDialog)
    assert dialog.decision is oldest.decision
    assert f"Part {oldest.decision.part}" in dialog.chosen_heading.full_text
    assert not dialog.chosen_view.image.isNull()
    marked = [t.decision for t in dialog.strip.visible_thumbs() if t.selected]
    assert marked == [oldest.decision]  # the one shown large is marked in its strip
    assert dialog.verdict.text() == verdict_text(oldest.decision.result, oldest.decision.label)
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_unavailable_inspection_says_why_and_that_parts_go_uninspected(
    qtbot, project, engine, tmp_path, runtime
):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model at all")
    config = press_config()
    config = VisionConfig({"surface": ModelConfig("surface", broken)}, dict(config.cameras))
    service, store, _ = press_vision(tmp_path / "vision", config=config)
    try:
        window = open_window(qtbot, project, engine, tmp_path, runtime, service)
        window.go_to("line")
        tile = tile_of(window)
        qtbot.waitUntil(lambda: tile.verdict.full_text == "Inspection unavailable", timeout=3000)
        note = tile.note.full_text
        assert "model surface" in note and "broken.onnx" in note
        assert note.startswith("Parts are counted as not inspected: ")
        assert tile.strip.isHidden()  # the reason gets the strip's room
        assert tile.verdict.property("abnormal") is True
        image = tile.verdict.grab().toImage()
        assert near(image.pixelColor(2, image.height() // 2), amber(window), 2)
        produce(service, 2)
        qtbot.waitUntil(lambda: tile.figures["uninspected"].value.text() == "2", timeout=15000)
        assert tile.figures["rate"].value.text() == "—"  # nothing inspected: no rate
    finally:
        stop_vision(service, store)


def test_no_tile_where_no_camera_a_small_one_on_the_overview(qtbot, window):
    band = window.panel.findChild(VisionBand)
    assert band.isVisible() and not tile_of(window).compact
    window.go_to("other")  # a line screen of no line with a camera
    assert band.isHidden()
    window.go_to("unit")  # a detail screen
    assert band.isHidden()
    window.go_to("top")
    assert band.isVisible() and tile_of(window).compact
    assert tile_of(window).strip is None and list(tile_of(window).figures) == ["rate"]


def test_touch_the_screen_keeps_its_room_and_the_camera_is_one_touch_away(
    qtbot, project, engine, tmp_path, runtime, vision
):
    """The touch line screen has no height to spare: while the camera inspects, no band
    under the screen; the navigation opens the camera large, sized for gloves and 1.5 m."""
    window = open_window(qtbot, project, engine, tmp_path, runtime, vision, profile=TOUCH)
    window.go_to("line")
    band = window.panel.findChild(VisionBand)
    produce(vision, 3)
    qtbot.waitUntil(lambda: len(vision.live(CAMERA).decisions) == 3, timeout=15000)
    assert band.isHidden()  # nothing taken from the screen while it inspects
    view = window.host.view
    chrome = view.mapTo(window, view.rect().topLeft()).y() / window.height()
    assert chrome <= 0.15, f"header, banner and navigation take {chrome:.0%}"
    entry = window.findChild(QWidget, "nav_vision")
    assert entry is not None and entry.isVisible()
    assert TOUCH.mm(entry.height()) >= 9
    QTest.mouseClick(entry, Qt.MouseButton.LeftButton)
    dialog = window.operator.dialog
    assert isinstance(dialog, InspectionDialog) and dialog.camera == CAMERA
    qtbot.waitUntil(lambda: len(dialog.strip.visible_thumbs()) == 3, timeout=3000)
    assert dialog.decision is vision.live(CAMERA).decisions[-1]
    assert QFontInfo(dialog.verdict.font()).pixelSize() >= 30  # the largest words
    assert QFontInfo(dialog.state.font()).pixelSize() >= 16
    thumbs = dialog.strip.visible_thumbs()
    for target in (*thumbs, dialog.close_button, *dialog.page_buttons.values()):
        assert TOUCH.mm(target.width()) >= 9 and TOUCH.mm(target.height()) >= 9
    gap = thumbs[1].geometry().left() - thumbs[0].geometry().right()
    assert TOUCH.mm(gap) >= 2


def test_touch_a_camera_that_cannot_inspect_shows_under_the_screen(
    qtbot, project, engine, tmp_path, runtime
):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model at all")
    config = press_config()
    config = VisionConfig({"surface": ModelConfig("surface", broken)}, dict(config.cameras))
    service, store, _ = press_vision(tmp_path / "vision", config=config)
    try:
        window = open_window(qtbot, project, engine, tmp_path, runtime, service, profile=TOUCH)
        window.go_to("line")
        band = window.panel.findChild(VisionBand)
        qtbot.waitUntil(lambda: band.isVisible(), timeout=3000)
        tile = tile_of(window)
        qtbot.waitUntil(lambda: tile.reason.isVisible(), timeout=3000)
        assert tile.verdict.full_text == "Inspection unavailable"
        assert tile.reason.full_text.startswith("Parts are counted as not inspected: ")
        assert "broken.onnx" in tile.reason.full_text
        assert QFontInfo(tile.verdict.font()).pixelSize() >= 22
        assert QFontInfo(tile.reason.font()).pixelSize() >= 16
        for figure in tile.figures.values():
            assert QFontInfo(figure.value.font()).pixelSize() >= 22
            assert QFontInfo(figure.label.font()).pixelSize() >= 16
        assert TOUCH.mm(tile.image.width()) >= 9 and TOUCH.mm(tile.image.height()) >= 9
        view = window.host.view
        screen_bottom = view.mapTo(window, view.rect().bottomLeft()).y()
        assert band.mapTo(window, band.rect().topLeft()).y() >= screen_bottom
        assert band.height() <= window.height() * 0.1, "the band takes too much of the screen"
    finally:
        stop_vision(service, store)


def test_the_pages_are_in_the_navigation(qtbot, window):
    views = window.view("vision")
    assert set(views.pages) == {"inspection", "models"}
    for key in ("inspection", "models"):
        assert window.findChild(QWidget, f"nav_{key}") is not None
        page = window.open_page(key)
        assert page is views.pages[key] and page.isVisible()
        window.close_page()
    names = [name for name, _, _ in views.showcase(window)]
    assert "vision-live-line" in names and "vision-inspection" in names
    assert {"vision-page-inspection", "vision-page-models"} <= set(names)


def test_touch_pages_open_from_the_camera_and_the_title_keeps_its_room(
    qtbot, project, engine, tmp_path, runtime, vision
):
    """The touch header holds no entry for them (its row keeps the screen's title); the
    camera's large view opens both, switched by a pair of buttons above them."""
    window = open_window(qtbot, project, engine, tmp_path, runtime, vision, profile=TOUCH)
    window.go_to("line")
    views = window.view("vision")
    entry = window.findChild(QWidget, "nav_inspection")
    assert entry is not None and entry.isHidden()
    assert window.findChild(QWidget, "nav_models") is None
    assert window.findChild(QWidget, "nav_vision").isVisible()
    dialog = tile_of(window).open()
    assert set(dialog.page_buttons) == {"inspection", "models"}
    dialog.page_buttons["models"].click()
    assert not dialog.isVisible()
    models = views.pages["models"]
    qtbot.waitUntil(lambda: models.isVisible(), timeout=2000)
    assert views.pair.buttons["models"].isChecked()
    views.pair.buttons["inspection"].click()
    assert views.pages["inspection"].isVisible() and not models.isVisible()
    window.close_page()
    assert window.host.isVisible()


def test_the_gallery_shows_cameras_at_work_without_touching_the_stations_records(
    qtbot, window, vision
):
    views = window.view("vision")
    entries = {name: (show, close) for name, show, close in views.showcase(window)}
    assert {"vision-live-line", "vision-live-top"} <= set(entries)
    show, close = entries["vision-live-line"]
    show()
    tile = tile_of(window)
    qtbot.waitUntil(lambda: len(tile.strip.visible_thumbs()) >= 3, timeout=5000)
    assert views.service is not vision
    folder = views.rehearsal.folder
    assert folder.is_dir() and sum(vision.live(CAMERA).counts.values()) == 0
    close(None)
    assert views.service is vision
    views.close()
    assert not folder.exists()
