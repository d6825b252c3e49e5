"""The touch header at 1280 px with the orders' stop count and a signed-in user beside the
screen's title: the title still names the line (its short name whole, never "Li…"), the
user item and the stop count stay whole, and the row fits the window."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QPushButton

from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.engine import TagEngine
from hmi.ui.header import short_title
from hmi.ui.shell import Profile

from .conftest import dev_tag, make_project
from .windows import make_window, write_screens

TOUCH = Profile("touch", True, 60, 20)
LINE = "Line 1 - Extrusion press"


@pytest.mark.parametrize("user", ["Olivia (Operator)", "Olivia (Operatore)"])
def test_the_line_stays_named_beside_the_stops_and_the_user(qtbot, tmp_path, user):
    project = make_project(
        dev_tag("line1.temp"), dev_tag("line1.speed_sp", writable=True), lines={"line1": LINE}
    )
    engine = TagEngine(project)
    window = make_window(qtbot, project, engine, write_screens(tmp_path / "screens"), None, TOUCH)
    window.resize(1280, 800)
    header = window.header
    engine.device_state(DeviceState("plc", DeviceStatus.ONLINE))  # its chip gives way
    qtbot.waitUntil(lambda: header.chips["plc"].status == "online", timeout=3000)
    stops = QPushButton("Stops: 12")
    header.add_item(stops)
    item = QPushButton(user)
    header.set_user_item(item)
    assert window.go_to("line")
    qtbot.waitUntil(lambda: header.title.full_text == LINE, timeout=2000)
    qtbot.wait(50)  # the layout applies the fit
    title = header.title
    assert "…" not in title.text()
    assert title.text() in (LINE, "Line 1")
    assert title.width() >= QFontMetrics(title.font()).horizontalAdvance(title.text())
    assert item.width() >= item.sizeHint().width() and stops.width() >= stops.sizeHint().width()
    right = header.language.mapTo(window, header.language.rect().topRight()).x()
    assert right <= window.width()


def test_the_short_title_is_the_name_before_its_explanation():
    assert short_title("Line 1 - Extrusion press") == "Line 1"
    assert short_title("Linea 2 – Linea di riempimento") == "Linea 2"
    assert short_title("Overview") == ""
