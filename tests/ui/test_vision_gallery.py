"""The inspection page over a real vision service and a real orders service: evidence
written into the camera's folder by the evidence writer, filtered by camera, order, class,
result, score and review; an overrule corrects the running order's counts and shows its
review; a user without ``vision.review`` sees the buttons greyed with the reason; the
thumbnails are read lazily into a bounded cache."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontInfo
from PySide6.QtTest import QTest

from hmi.core.store import Writer
from hmi.core.vision import EvidenceWriter, Vision
from hmi.ui.shell import Profile
from hmi.ui.vision.gallery import ITEM_ROLE
from tests.unit.orders.service_setup import press_order
from tests.vision.test_capability import Tags
from tests.vision.test_capability import config as vision_config

from .orders_probe import orders_service, stop_service
from .test_vision_live import open_window as open_vision_window

DESK = Profile("desk", False, 36, 17)
TOUCH = Profile("touch", True, 60, 20, 12, px_per_mm=6.0)
SUPERVISOR = "sup1"


def start_vision(tmp_path: Path, access, orders=None) -> tuple[Vision, Writer, Tags]:
    """The real service: models bright and other, camera cam on line1 (an image folder)."""
    store = Writer(tmp_path / "data" / "hmi.db").start()
    tags = Tags()
    vision = Vision(
        vision_config(tmp_path), store, access, tmp_path / "data", tags, orders=orders
    ).start()
    return vision, store, tags


def stop_vision(vision: Vision, store: Writer) -> None:
    vision.stop()
    store.stop()


def write_evidence(vision: Vision, items: list[dict], camera: str = "cam") -> None:
    """Decisions saved by the camera's own kind of writer into its evidence folder, each
    with the sidecar the service writes (order, line, model, score, boxes ...)."""
    folder = vision.index.folders[camera]
    writer = EvidenceWriter(folder, 50 * 1024**2, sample_good_every=1).start()
    try:
        for n, item in enumerate(items):
            defect = item.get("result", "defect") == "defect"
            level = 220 if defect else 30
            image = np.full((64, 64, 3), level, np.uint8)
            image[8 + n % 40, :, :] = 255 - level  # each image its own
            sidecar = {
                "order": item.get("order", ""),
                "line": "line1",
                "camera": camera,
                "part": n + 1,
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(1.7e9 + n * 10)),
                "model": "bright",
                "sha256": "0" * 64,
                "result": "defect" if defect else "good",
                "defect": defect,
                "label": item.get("label", "bright" if defect else "good"),
                "score": item.get("score", 0.9 if defect else 0.1),
                "threshold": 0.5,
                "boxes": item.get("boxes", []),
                "roi": [4, 4, 56, 56],
            }
            assert writer.save(image, sidecar, defect=defect) == "queued"
            assert writer.flush(10)
    finally:
        writer.stop()


def open_window(qtbot, project, engine, tmp_path: Path, runtime, vision, profile=DESK):
    """The main window with the vision views only, over the runtime's access; a
    supervisor signed in."""
    window = open_vision_window(qtbot, project, engine, tmp_path, runtime, vision, profile)
    window.operator.set_user(SUPERVISOR)
    return window


def touch(widget) -> None:
    QTest.mouseClick(
        widget,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        QPoint(widget.width() // 2, widget.height() // 2),
    )


@pytest.fixture
def orders(runtime, tmp_path):
    service, _clock = orders_service(tmp_path, runtime.access)
    service.create(press_order("P-1"), SUPERVISOR)
    service.start("P-1", SUPERVISOR)
    service.add_count("line1", good=30, scrap=2, source="test")
    yield service
    stop_service(service)


@pytest.fixture
def vision(runtime, tmp_path, orders):
    service, store, _tags = start_vision(tmp_path, runtime.access, orders)
    yield service
    stop_vision(service, store)


@pytest.fixture
def page(qtbot, project, engine, tmp_path, runtime, vision):
    window = open_window(qtbot, project, engine, tmp_path, runtime, vision)
    page = window.open_page("inspection")
    qtbot.waitUntil(page.isVisible, timeout=2000)
    return page


EVIDENCE = [
    {"order": "P-1", "result": "defect", "score": 0.95},
    {"order": "P-1", "result": "defect", "score": 0.62},
    {"order": "P-1", "result": "good", "score": 0.12},
    {"order": "P-0", "result": "defect", "score": 0.81},
    {"order": "P-0", "result": "good", "score": 0.30},
    {"order": "", "result": "good", "score": 0.02},
]


def reloaded(qtbot, page, count: int) -> list:
    """The page asked again until the service's index has caught up with the folder
    (it looks at the folders at most twice a second)."""
    qtbot.waitUntil(lambda: len(page.reload()) == count, timeout=5000)
    return page.items


def shown(page) -> list:
    model = page.model
    return [model.data(model.index(row, 0), ITEM_ROLE) for row in range(model.rowCount())]


def test_the_filters_narrow_the_list(qtbot, page, vision):
    write_evidence(vision, EVIDENCE)
    assert len(reloaded(qtbot, page, 6)) == 6 and page.model.rowCount() == 6
    assert "6 images" in page.count.text()
    touch(page.result_choice.buttons[1])  # Defect
    assert {i.result for i in shown(page)} == {"defect"} and page.model.rowCount() == 3
    dialog = page.choose_order()  # the orders the evidence holds, as buttons
    assert set(dialog.buttons) == {None, "P-0", "P-1"}
    touch(dialog.buttons["P-1"])
    assert page.order == "P-1" and page.order_button.full_text == "Order: P-1"
    assert [i.score for i in shown(page)] == [0.62, 0.95]  # newest first
    for _ in range(14):  # 0.00 -> 0.70 in steps of 0.05
        page.score.buttons["low+1"].click()
    assert page.score.low == pytest.approx(0.70)
    assert [i.score for i in shown(page)] == [0.95]
    page.set_filters(order=None, result=None, min_score=0.0)
    assert page.model.rowCount() == 6
    page.set_filters(label="good")
    assert {i.label for i in shown(page)} == {"good"} and page.model.rowCount() == 3
    page.set_filters(label=None, reviewed=True)
    assert page.model.rowCount() == 0 and "0 images" in page.count.text()


def test_an_overrule_corrects_the_order_and_the_item_shows_its_review(
    qtbot, page, vision, orders, tmp_path
):
    write_evidence(vision, EVIDENCE[:3])
    reloaded(qtbot, page, 3)
    page.open_row(page.model.rowCount() - 1)  # the oldest: a defect of P-1, score 0.95
    item = page.item
    assert (item.result, item.order, item.score) == ("defect", "P-1", 0.95)
    assert page.facts["score"].text() == "0.95 ≥ 0.50"  # score against the limit
    assert page.facts["order"].text() == "P-1"
    assert page.facts["model"].text() == "bright"
    assert page.review_words.text() == "Not reviewed yet."
    dialog = page.ask_overrule()
    assert dialog is not None and list(dialog.buttons) == ["good"]  # a defect can only be good
    assert "P-1" in dialog.findChildren(type(page.count))[1].text()
    touch(dialog.buttons["good"])
    order = orders.order("P-1")
    assert (order.good, order.scrap) == (31, 1)
    assert page.message.text() == "Overruled: order P-1 now 31 good, 1 scrap"
    assert page.item.review is not None and page.item.review.user == SUPERVISOR
    assert page.verdict.text() == "Good"
    assert "Overruled by sup1" in page.review_words.text()
    assert page.facts["model"].text() == "bright: decided Defect (bright)"
    sidecar = json.loads(Path(item.path).read_text(encoding="utf-8"))
    assert sidecar["review"]["verdict"] == "overruled"
    page.set_filters(reviewed=True)
    assert [(i.stem, i.review.result) for i in shown(page)] == [(item.stem, "good")]
    page.open_row(0)
    page.confirm()  # confirming the model after all takes the correction back
    order = orders.order("P-1")
    assert (order.good, order.scrap) == (30, 2)
    assert page.message.text().startswith("Confirmed: Defect (bright)")


def test_overruling_a_good_part_asks_for_the_defect_class(qtbot, page, vision, orders):
    write_evidence(vision, [{"order": "P-1", "result": "good", "score": 0.2}])
    reloaded(qtbot, page, 1)
    page.open_row(0)
    dialog = page.ask_overrule()
    assert list(dialog.buttons) == ["bright"]  # the model's defect classes
    dialog.pick("bright")
    order = orders.order("P-1")
    assert (order.good, order.scrap) == (29, 3)
    assert page.message.text() == "Overruled: order P-1 now 29 good, 3 scrap"
    assert page.verdict.text() == "Defect (bright)"


def test_without_the_permission_the_buttons_are_greyed_with_the_reason(
    qtbot, page, vision, runtime, orders
):
    write_evidence(vision, EVIDENCE[:1])
    runtime.access.set_policy(
        lambda user, permission, target: (
            "shift leads cannot review inspections" if permission == "vision.review" else None
        )
    )
    reloaded(qtbot, page, 1)
    page.open_row(0)
    qtbot.waitUntil(lambda: not page.confirm_button.isEnabled(), timeout=2000)
    for button in (page.confirm_button, page.overrule_button):
        assert not button.isEnabled()
        assert "shift leads cannot review inspections" in button.toolTip()
        assert "vision.review" in button.toolTip()
    touch(page.overrule_button)  # a touch on a greyed button says why
    assert "shift leads cannot review" in page.message.text()
    assert page.message.property("problem") is True
    assert page.ask_overrule() is None
    assert page.confirm() is None  # the service refuses too, in its words
    assert vision.evidence()[0].review is None
    assert (orders.order("P-1").good, orders.order("P-1").scrap) == (30, 2)
    runtime.access.set_policy(None)
    qtbot.waitUntil(page.confirm_button.isEnabled, timeout=2000)
    assert page.confirm_button.toolTip() == ""


def test_thumbnails_are_read_lazily_into_a_bounded_cache(qtbot, page, vision):
    items = [{"order": f"P-{n % 3}", "result": "defect" if n % 4 else "good"} for n in range(240)]
    write_evidence(vision, items)
    page.thumbs.kept = 40
    reloaded(qtbot, page, 240)
    qtbot.waitUntil(lambda: len(page.thumbs) > 0, timeout=5000)
    page.thumbs.wait(5000)
    qtbot.wait(50)
    first = len(page.thumbs)
    assert 0 < first < 240  # only the tiles drawn were read
    bar = page.grid.verticalScrollBar()
    for step in range(1, 11):  # scroll to the bottom in ten steps
        bar.setValue(bar.maximum() * step // 10)
        page.grid.viewport().repaint()
        page.thumbs.wait(5000)
        qtbot.wait(20)
    assert len(page.thumbs) <= 40  # never more than the cache keeps
    last = page.items[-1]
    assert page.thumbs.image(str(last.image)) is not None  # the bottom row's are there


def test_sizes_on_the_touch_panel(qtbot, project, engine, tmp_path, runtime, vision):
    """Targets of at least 9 mm, 2 mm apart; labels of 16 px and values of 22 px at least;
    filters that fit 1280 px without a combo box."""
    write_evidence(vision, EVIDENCE[:2])
    window = open_window(qtbot, project, engine, tmp_path, runtime, vision, TOUCH)
    page = window.view("vision").open_page(window, "inspection")
    qtbot.waitUntil(page.isVisible, timeout=2000)
    reloaded(qtbot, page, 2)
    mm = TOUCH.px_per_mm
    filters = [page.camera_button, page.order_button, page.label_button, page.refresh_button]
    filters += page.result_choice.buttons + page.review_choice.buttons
    filters += list(page.score.buttons.values())
    for button in filters:
        assert button.isVisible() and button.height() >= 9 * mm, button.text()
        assert button.mapTo(page, button.rect().topRight()).x() <= page.width()
    row = [page.camera_button, page.order_button, page.label_button]
    for left, right in itertools.pairwise(row):
        assert right.x() - (left.x() + left.width()) >= 2 * mm
    assert page.delegate.font_px >= 16 and page.delegate.value_px >= 22
    page.open_row(0)
    for button in (page.confirm_button, page.overrule_button, page.back_button):
        assert button.height() >= 9 * mm and button.width() >= 9 * mm
    gap = page.overrule_button.x() - (page.confirm_button.x() + page.confirm_button.width())
    assert gap >= 2 * mm
    assert QFontInfo(page.facts["score"].font()).pixelSize() >= 22
    assert QFontInfo(page.fact_names["score"].font()).pixelSize() >= 16


def test_new_images_appear_while_the_list_is_looked_at(qtbot, page, vision):
    write_evidence(vision, EVIDENCE[:2])
    reloaded(qtbot, page, 2)
    assert page.timer.isActive()  # the page follows the folder while it is shown
    write_evidence(vision, [{"order": "P-1", "result": "defect", "score": 0.77}])
    qtbot.waitUntil(lambda: page.follow() or page.model.rowCount() == 3, timeout=5000)
    assert page.model.rowCount() == 3 and "3 images" in page.count.text()
    page.open_row(0)  # an item open: the list is left as it is
    write_evidence(vision, [{"order": "P-1", "result": "good", "score": 0.05}])
    time.sleep(0.6)  # longer than the service's index waits between looks
    assert not page.follow() and len(page.items) == 3
    page.show_list()
    qtbot.waitUntil(lambda: page.follow() or page.model.rowCount() == 4, timeout=5000)
    page.window().close_page()
    assert not page.timer.isActive()


def test_the_tiles_speak_the_stations_language(qtbot, page, vision):
    from hmi.ui.i18n import set_language

    write_evidence(vision, EVIDENCE[:1])
    reloaded(qtbot, page, 1)
    item = page.items[0]
    assert page.delegate.tile_words(item)[0] == "Defect (bright)"
    try:
        assert set_language("it")
        qtbot.waitUntil(
            lambda: page.delegate.tile_words(item)[0] == "Difetto (bright)", timeout=2000
        )
        assert page.result_choice.buttons[1].text() == "Difetto"
    finally:
        set_language("en")
