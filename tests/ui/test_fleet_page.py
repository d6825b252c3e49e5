"""The Plant page over a real ``Fleet`` fed the payloads stations publish: a tile per
line by site, fifty of them at once on the desk; colour only where an alarm is active
(its priority's), offline and unreadable lines hatched and dashed, grey otherwise; a
tile opens its line's screen where the project maps one, else what the broker says; the
touch panel scrolls to a site; the words follow the language."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from hmi.core.fleet import Fleet, FleetConfig, Naming, SimulatedPlant
from hmi.ui.fleet import FleetViews
from hmi.ui.i18n import set_language
from hmi.ui.shell import MainWindow, Profile
from hmi.ui.theme import DEFAULT_THEME

from .windows import views_window

DESK = Profile("desk", False, 36, 17)
TOUCH = Profile("touch", True, 60, 20, 12, px_per_mm=6.0)
PRESS = "acme/turin/extrusion/line1"
FILLER = "acme/lyon/filling/line2"
LOST = "acme/lyon/filling/line3"


def send(fleet: Fleet, topic: str, payload: object) -> None:
    fleet.model.receive(topic, b"" if payload is None else json.dumps(payload).encode())


@pytest.fixture
def fleet():
    config = FleetConfig(("acme/+/+",), lines={PRESS: Naming("Press 1", "line")})
    service = Fleet(config).start()  # no broker: the test publishes into it
    send(service, f"{PRESS}/health", {"online": True, "station": "p1", "oee": 0.7})
    send(service, f"{PRESS}/orders/current", {"number": "A-1", "state": "running", "good": 400,
                                             "scrap": 3, "target": 1000})  # fmt: skip
    send(service, f"{FILLER}/health", {"online": True, "station": "f1", "name": "Filler 2"})
    send(service, f"{FILLER}/alarms/tank.hihi", {"active": True, "priority": 1,
                                                "message": "Tank level very high"})  # fmt: skip
    send(service, f"{LOST}/health", {"online": True, "station": "f3", "name": "Filler 3"})
    send(service, "acme/lyon/filling/_stations/f3", {"online": False})
    yield service
    service.stop()


def open_window(qtbot, project, engine, folder, service, profile=DESK) -> MainWindow:
    return views_window(
        qtbot, project, engine, folder, {"fleet": service}, [FleetViews], None, profile
    )


def page_of(window):
    window.open_page("fleet")
    page = window.view("fleet").page
    page.refresh()
    return page


def tile(page, key: str):
    return next(p for p in page.board.placed if p.line.key == key)


def picture(page, key: str) -> QImage:
    rect = tile(page, key).rect.toAlignedRect()
    return page.board.grab(rect).toImage().convertToFormat(QImage.Format.Format_RGB32)


def colours(image: QImage) -> set[str]:
    return {
        QColor(image.pixel(x, y)).name()
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
    }


def alarm_colours() -> set[str]:
    return {QColor(c).name() for c in DEFAULT_THEME.alarm.values()}


def test_a_tile_per_line_by_site_under_the_counts(qtbot, project, engine, tmp_path, fleet):
    page = page_of(open_window(qtbot, project, engine, tmp_path, fleet))
    assert [p.line.key for p in page.board.placed] == [FILLER, LOST, PRESS]
    assert [name for name, _ in page.board.headings] == ["lyon", "turin"]
    assert page.summary.text().startswith("3 lines")
    assert "1 offline" in page.summary.text() and "1 in alarm" in page.summary.text()
    assert "Source:" in page.source.text() and not page.link.isVisible()


def test_colour_only_where_an_alarm_is_active(qtbot, project, engine, tmp_path, fleet):
    page = page_of(open_window(qtbot, project, engine, tmp_path, fleet))
    critical = QColor(DEFAULT_THEME.alarm[1]).name()
    assert critical in colours(picture(page, FILLER))
    assert not colours(picture(page, PRESS)) & alarm_colours()  # running: grey only
    assert not colours(picture(page, LOST)) & alarm_colours()  # offline is no alarm
    send(fleet, f"{FILLER}/alarms/tank.hihi", None)
    qtbot.waitUntil(lambda: tile(page, FILLER).line.highest_priority is None, timeout=3000)
    assert not colours(picture(page, FILLER)) & alarm_colours()


def hatched(image: QImage) -> float:
    """The share of the tile's pixels that are the hatch (the quality mark laid thin over
    the tile's grey)."""
    panel, mark = QColor(DEFAULT_THEME.panel), QColor(DEFAULT_THEME.quality_mark)
    blend = panel.red() * 0.72 + mark.red() * 0.28
    found = 0
    for y in range(image.height()):
        for x in range(image.width()):
            if abs(QColor(image.pixel(x, y)).red() - blend) <= 6:
                found += 1
    return found / (image.width() * image.height())


def test_offline_and_unreadable_lines_are_hatched(qtbot, project, engine, tmp_path, fleet):
    page = page_of(open_window(qtbot, project, engine, tmp_path, fleet))
    assert hatched(picture(page, PRESS)) < 0.02  # a bar's edge, a letter's rim
    assert hatched(picture(page, LOST)) > 0.06
    fleet.model.receive(f"{PRESS}/health", b"{not json")
    qtbot.waitUntil(lambda: tile(page, PRESS).line.problem != "", timeout=3000)
    assert hatched(picture(page, PRESS)) > 0.06
    assert tile(page, FILLER).line.problem == ""  # the others read on


def test_a_tile_opens_the_line_s_screen_where_the_project_maps_one(
    qtbot, project, engine, tmp_path, fleet
):
    window = open_window(qtbot, project, engine, tmp_path, fleet)
    page = page_of(window)
    center = tile(page, PRESS).rect.center().toPoint()
    QTest.mouseClick(page.board, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center)
    assert window.panel.host.current_screen.name == "line"
    assert not window.pages.isVisible()


def test_a_tile_without_a_screen_shows_what_the_broker_says(
    qtbot, project, engine, tmp_path, fleet
):
    window = open_window(qtbot, project, engine, tmp_path, fleet)
    page = page_of(window)
    center = tile(page, LOST).rect.center().toPoint()
    QTest.mouseClick(page.board, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, center)
    dialog = window.view("fleet").operator.dialog
    assert dialog is not None and dialog.objectName() == "fleetDialog"
    words = [label.text() for label in dialog.findChildren(QLabel)]
    assert words[0] == "Filler 3"
    state = words[words.index("State") + 1]
    assert state.startswith("OFFLINE: station f3 offline")
    assert "as last heard" in state  # the figures below are not live
    assert words[words.index("Station") + 1] == "f3"
    dialog.reject()


def test_fifty_lines_fit_the_desk_at_once(qtbot, project, engine, tmp_path):
    service = Fleet(FleetConfig(("acme/+/+",))).start()
    try:
        SimulatedPlant(service.model, 50).publish_all()
        page = page_of(open_window(qtbot, project, engine, tmp_path, service))
        qtbot.waitUntil(lambda: len(page.board.placed) == 50, timeout=3000)
        assert page.board.height() <= page.scroll.viewport().height()
        assert min(p.rect.height() for p in page.board.placed) >= 100
        assert page.board.sizes.value_px >= 17  # figures readable from 1.5 m
    finally:
        service.stop()


def test_the_touch_panel_scrolls_to_a_site(qtbot, project, engine, tmp_path):
    service = Fleet(FleetConfig(("acme/+/+",))).start()
    try:
        SimulatedPlant(service.model, 50).publish_all()
        page = page_of(open_window(qtbot, project, engine, tmp_path, service, TOUCH))
        assert page.board.height() > page.scroll.viewport().height()  # it scrolls
        assert list(page.site_buttons) == ["brescia", "lyon", "turin"]
        assert all(b.height() >= TOUCH.target_px for b in page.site_buttons.values())
        assert page.board.sizes.value_px >= 22 and page.board.sizes.small_px >= 16
        QTest.mouseClick(page.site_buttons["turin"], Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, QPoint(5, 5))  # fmt: skip
        bar = page.scroll.verticalScrollBar()
        assert bar.value() == min(page.board.site_top("turin"), bar.maximum()) > 0
    finally:
        service.stop()


def test_the_page_speaks_the_station_s_language(qtbot, project, engine, tmp_path, fleet):
    page = page_of(open_window(qtbot, project, engine, tmp_path, fleet))
    try:
        set_language("it")
        qtbot.waitUntil(lambda: "linee" in page.summary.text(), timeout=3000)
        assert "fuori linea" in page.summary.text()
    finally:
        set_language("en")


def test_a_touch_that_scrolls_the_tiles_opens_nothing(qtbot, project, engine, tmp_path):
    service = Fleet(FleetConfig(("acme/+/+",))).start()
    try:
        SimulatedPlant(service.model, 50).publish_all()
        window = open_window(qtbot, project, engine, tmp_path, service, TOUCH)
        page = page_of(window)
        first = page.board.placed[0]
        point = first.rect.center().toPoint()
        QTest.mousePress(page.board, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         point)  # fmt: skip
        page.scroll.verticalScrollBar().setValue(200)  # the finger dragged the tiles up
        QTest.mouseRelease(page.board, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier, point)  # fmt: skip
        assert window.view("fleet").operator.dialog is None
        page.scroll.verticalScrollBar().setValue(0)
        QTest.mouseClick(page.board, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         point)  # fmt: skip
        assert window.view("fleet").operator.dialog.line.key == first.line.key
    finally:
        service.stop()


def test_the_desk_tooltip_says_in_full_what_a_tile_cuts_short(fleet):
    from hmi.ui.fleet.words import tooltip_text

    fleet.model.receive(f"{FILLER}/health", b'{"online": true, "devices": {"filler_plc": '
                        b'"timeout after 4.0 s waiting for the answer to a read"}}')  # fmt: skip
    text = tooltip_text(fleet.line(FILLER))
    assert text.startswith(f"Filler 2  ({FILLER})")
    assert "⚠ filler_plc: timeout after 4.0 s waiting for the answer to a read" in text


def test_only_the_abnormal_lines_at_a_touch(qtbot, project, engine, tmp_path, fleet):
    page = page_of(open_window(qtbot, project, engine, tmp_path, fleet))
    assert page.only_abnormal.text() == "Only abnormal (2)"  # the alarm and the offline one
    QTest.mouseClick(page.only_abnormal, Qt.MouseButton.LeftButton)
    assert [p.line.key for p in page.board.placed] == [FILLER, LOST]
    assert page.summary.text().startswith("3 lines")  # the counts are still the plant's
    QTest.mouseClick(page.only_abnormal, Qt.MouseButton.LeftButton)
    assert len(page.board.placed) == 3


def test_a_change_while_the_page_is_hidden_is_there_when_it_is_shown(
    qtbot, project, engine, tmp_path, fleet
):
    window = open_window(qtbot, project, engine, tmp_path, fleet)
    page = page_of(window)
    window.close_page()
    send(fleet, "acme/lyon/filling/line4/health", {"online": True, "station": "f4"})
    assert page.stale and not page.timer.isActive()  # nothing to draw while hidden
    page.refresh()  # not even when asked
    assert len(page.board.placed) == 3
    window.open_page("fleet")
    assert len(page.board.placed) == 4


def test_the_gallery_s_fifty_lines_leave_the_station_s_own_fleet_shown_after(
    qtbot, project, engine, tmp_path, fleet
):
    window = open_window(qtbot, project, engine, tmp_path, fleet)
    views = window.view("fleet")
    entries = {name: (show, close) for name, show, close in views.showcase(window)}
    assert set(entries) == {"fleet", "fleet-line"}
    show, close = entries["fleet-line"]
    opened = show()
    assert len(views.page.board.placed) == 50 and opened[0].objectName() == "fleetDialog"
    close(opened)
    page = page_of(window)
    assert len(page.board.placed) == 3
    send(fleet, "acme/lyon/filling/line4/health", {"online": True, "station": "f4"})
    qtbot.waitUntil(lambda: len(page.board.placed) == 4, timeout=3000)


def test_a_line_the_project_names_is_named_in_the_station_s_language(tmp_path):
    from types import SimpleNamespace

    from hmi.core.fleet import FleetModel
    from hmi.ui.fleet.board import FleetBoard

    model = FleetModel(["acme/+/+"], {PRESS: Naming("Press 1")})
    board = FleetBoard(DEFAULT_THEME, SimpleNamespace(font_px=17, touch=False))
    board.project_words = {"Press 1": "Pressa 1"}.get
    drawn = []
    board._text = lambda painter, text, *rest, **kw: drawn.append(text)
    board.show_lines(model.lines())
    board.resize(800, 400)
    board.grab()
    assert "Pressa 1" in drawn and "Press 1" not in drawn
