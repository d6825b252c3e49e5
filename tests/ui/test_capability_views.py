"""A plant's capability brings its own views through the ``hmi.capability_views`` entry
point: an item in every window's header and a page opened from the navigation, with no
change to the shell."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from hmi.core.tags import TagValue
from hmi.ui.bridge import TagBridge
from hmi.ui.capability import discover_views
from hmi.ui.shell import MainWindow
from tests.ui.windows import DESK, click_widget, write_screens

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "capability_pkg"


def test_its_header_item_and_navigation_entry_appear(qtbot, project, engine, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(PACKAGE_DIR))
    views = discover_views()
    built_in = {"alarms", "historian", "replay", "users", "audit", "orders", "vision", "mes"}
    built_in |= {"fleet"}
    assert {v.name for v in views} == built_in | {"edges"}
    bridge = TagBridge(engine, rate_hz=20)
    window = MainWindow(
        project, bridge, write_screens(tmp_path), profile=DESK, watch=False, views=views
    )
    qtbot.addWidget(window)
    bridge.start()
    window.resize(1280, 800)
    window.start()
    window.show()

    total = window.header.findChild(QLabel, "edgeTotal")
    assert total is not None and total.isVisible()
    engine.publish_system(
        {"_sys.edges.total": TagValue(4), "_sys.edges.line1.running": TagValue(4)}
    )
    qtbot.waitUntil(lambda: total.text() == "⤒ 4", timeout=2000)

    entry = window.nav.extra_buttons["edges"]
    assert entry.text() == "⤒ Edges"
    click_widget(entry)  # its page opens in place of the screens, under the header
    page = window.findChild(QLabel, "edgeCounts")
    qtbot.waitUntil(page.isVisible, timeout=2000)
    assert page.text() == "line1.running: 4" and not window.panel.isVisible()
    assert window.pages.title.text() == "Edges"
    click_widget(window.pages.back_button)
    qtbot.waitUntil(window.panel.isVisible, timeout=2000)
    assert not page.isVisible()

    other = window.open_window("line")  # an extra desk window gets its header item too
    qtbot.waitUntil(lambda: other.header.findChild(QLabel, "edgeTotal") is not None, timeout=2000)
    other_total = other.header.findChild(QLabel, "edgeTotal")
    engine.publish_system({"_sys.edges.total": TagValue(5)})
    qtbot.waitUntil(lambda: other_total.text() == "⤒ 5", timeout=2000)
    other.close()
