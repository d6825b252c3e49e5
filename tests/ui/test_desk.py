"""The desk profile: two screens side by side, screens in windows of their own, one bridge."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hmi.core.tags import good
from hmi.ui.shell import ScreenWindow
from tests.ui.windows import click, make_window, symbol, write_screens


def test_side_by_side_shows_both_lines_live_from_one_bridge(qtbot, project, engine, tmp_path):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    split = window.toggle_split()  # from the overview: the two lines next to each other
    assert split is not None and split.isVisible()
    assert window.host.current_screen.name == "line"
    assert split.host.current_screen.name == "other"
    assert {"line1.temp", "line1.speed"} <= window.bridge.bound_tags
    engine.publish({"line1.temp": good(455.0), "line1.speed": good(7.5)})
    left, right = symbol(window.host, "value"), symbol(split.host, "value")
    qtbot.waitUntil(lambda: left.main is not None and right.main is not None, timeout=2000)
    assert (left.value_text, right.value_text) == ("455.0 °C", "7.5 mm/s")
    split.go_to("top")  # each pane has its own navigation
    assert window.host.current_screen.name == "line" and split.history == ["other"]
    window.toggle_split()
    qtbot.waitUntil(lambda: window.split is None, timeout=1000)
    qtbot.wait(20)
    assert "line1.speed" not in window.bridge.bound_tags


def test_ctrl_click_or_middle_click_opens_a_screen_in_a_window_of_its_own(
    qtbot, project, engine, tmp_path
):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    nav = symbol(window.host, "nav")
    click(window.host, nav, modifiers=Qt.KeyboardModifier.ControlModifier)
    assert window.host.current_screen.name == "top"  # the main window stays where it was
    assert len(window.windows) == 1
    extra = window.windows[0]
    assert isinstance(extra, ScreenWindow) and extra.host.current_screen.name == "line"
    assert extra.bridge is window.bridge and extra.isVisible()
    engine.publish({"line1.temp": good(466.0)})
    value = symbol(extra.host, "value")
    qtbot.waitUntil(lambda: value.main is not None, timeout=2000)
    assert value.value_text == "466.0 °C"
    child = window.nav.child_buttons[0]  # the "Line 1" button in the navigation bar
    QTest.mouseClick(child, Qt.MouseButton.MiddleButton)
    assert len(window.windows) == 2 and window.host.current_screen.name == "top"
    window.nav.extra_buttons["window"].click()  # the current screen, in a new window
    assert [w.host.current_screen.name for w in window.windows] == ["line", "line", "top"]
    extra.close()
    qtbot.waitUntil(lambda: len(window.windows) == 2, timeout=1000)
    window.close()
    assert window.windows == []


def test_an_extra_window_acts_like_the_main_one(qtbot, project, runtime, tmp_path):
    window = make_window(qtbot, project, runtime.engine, write_screens(tmp_path), writer=runtime)
    extra = window.open_window("line")
    click(extra.host, symbol(extra.host, "setpoint"))
    dialog = window.dialog
    assert dialog.parentWidget() is extra  # over the window where it was asked for
    dialog.entry.setText("9.5")
    dialog.next_button.click()
    window.dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "done" in extra.message.text(), timeout=5000)
    assert runtime.engine.drivers["plc"].memory == {"line1.speed_sp": 9.5}
    assert window.message.isHidden()  # the answer goes where the question was asked
    assert window.open_window("nope") is None and "no screen named" in window.message.text()
