"""The touch profile: our own keypad and keyboard, big keys, dragging lists, a kiosk."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDoubleValidator, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QScroller, QVBoxLayout

from hmi.core.tags import good
from hmi.ui.dialogs import SetpointDialog
from hmi.ui.entry import EntryDialog
from hmi.ui.keypad import NumericKeypad, TextKeyboard
from hmi.ui.profile import make_profile
from tests.ui.windows import click, click_widget, make_window, symbol, write_screens


@pytest.fixture
def touch():
    return make_profile("touch")


@pytest.fixture
def window(qtbot, project, runtime, tmp_path, touch):
    folder = write_screens(tmp_path / "screens")
    return make_window(qtbot, project, runtime.engine, folder, writer=runtime, profile=touch)


def mm(pixels: float) -> float:
    screen = QGuiApplication.primaryScreen()
    return pixels / (screen.physicalDotsPerInch() / 25.4 / screen.devicePixelRatio())


def press(keypad, keys: str) -> None:
    for key in keys:
        click_widget(keypad.keys[key])


def test_setpoint_keypad_has_9_mm_keys_2_mm_apart_and_shows_range_and_units(qtbot, window, runtime):
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    dialog = window.dialog
    assert isinstance(dialog, SetpointDialog) and isinstance(dialog.keypad, NumericKeypad)
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert dialog.hint.text() == "Allowed: 1 .. 25 mm/s"  # in its own fixed place
    keys = dialog.keypad.keys
    for button in keys.values():
        assert mm(button.width()) >= 9 and mm(button.height()) >= 9
    seven, eight, four = keys["7"].geometry(), keys["8"].geometry(), keys["4"].geometry()
    assert mm(eight.left() - seven.right()) >= 2 and mm(four.top() - seven.bottom()) >= 2
    assert mm(dialog.next_button.height()) >= 9 and mm(dialog.cancel_button.height()) >= 9


def test_out_of_range_is_refused_in_the_keypad_and_nothing_is_sent(qtbot, window, runtime):
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    dialog = window.dialog
    click_widget(dialog.keypad.keys["clear"])
    press(dialog.keypad, "99")
    assert dialog.entry.text() == "99"
    assert dialog.error.text() == ""  # not after each key: the operator may still be typing
    click_widget(dialog.next_button)
    assert dialog.isVisible() and dialog.value is None  # refused: no confirmation offered
    assert "outside the range 1 .. 25 mm/s" in dialog.error.text()  # said on Next
    assert window.dialog is dialog
    click_widget(dialog.keypad.keys["back"])
    click_widget(dialog.keypad.keys["back"])
    press(dialog.keypad, "7.5")
    assert dialog.error.text() == ""
    click_widget(dialog.cancel_button)
    qtbot.wait(50)
    assert runtime.engine.drivers["plc"].memory == {}


def test_every_text_field_gets_our_keyboard_and_number_fields_the_keypad(qtbot, window):
    form = QDialog(window)
    comment = QLineEdit(form)
    comment.setAccessibleName("Comment")
    amount = QLineEdit(form)
    amount.setValidator(QDoubleValidator())
    layout = QVBoxLayout(form)
    layout.addWidget(comment)
    layout.addWidget(amount)
    window.operator.show_dialog(form, window)  # any dialog: its fields get the touch rules
    qtbot.waitUntil(form.isVisible, timeout=2000)
    click_widget(comment)
    entry = window.touch_input.dialog
    assert isinstance(entry, EntryDialog) and isinstance(entry.keypad, TextKeyboard)
    assert entry.title.text() == "Comment"
    click_widget(entry.keypad.keys["shift"])
    press(entry.keypad, "ok")
    click_widget(entry.keypad.keys[" "])
    press(entry.keypad, "è")
    click_widget(entry.next_button)
    assert comment.text() == "Ok è"
    click_widget(amount)
    assert isinstance(window.touch_input.dialog.keypad, NumericKeypad)
    window.touch_input.dialog.reject()


def test_a_field_added_later_gets_the_keyboard_when_it_takes_the_focus(qtbot, window):
    note = QLineEdit(window.centralWidget())
    note.show()
    assert not note.property("touchEntry")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    note.setFocus()  # what a touch on it does
    qtbot.waitUntil(lambda: window.touch_input.dialog is not None, timeout=2000)
    assert isinstance(window.touch_input.dialog.keypad, TextKeyboard)
    window.touch_input.dialog.reject()


def test_lists_scroll_by_dragging_without_scroll_bars(qtbot, window):
    dialog = window.nav.choose_screen()
    items: QListWidget = dialog.list
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert QScroller.hasScroller(items.viewport())
    assert items.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    assert items.count() == 4 and mm(items.visualItemRect(items.item(0)).height()) >= 9
    QTest.mouseClick(  # a tap still chooses
        items.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        items.visualItemRect(items.item(1)).center(),
    )
    qtbot.waitUntil(lambda: window.host.current_screen.name == "line", timeout=2000)
    assert not dialog.isVisible()


def test_no_hover_no_right_click_and_device_reasons_by_touch(qtbot, window, runtime):
    from hmi.core.driver import DeviceState, DeviceStatus

    assert window.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    runtime.engine.publish({"line1.temp": good(455.0)})
    value = symbol(window.host, "value")
    qtbot.waitUntil(lambda: value.main is not None, timeout=2000)
    assert value.toolTip() == ""  # nothing hides behind a hover
    assert value.acceptedMouseButtons() == Qt.MouseButton.LeftButton
    runtime.call(
        runtime.engine.device_state, DeviceState("plc", DeviceStatus.OFFLINE, "cable unplugged")
    )
    chip = window.header.chips["plc"]
    qtbot.waitUntil(lambda: chip.status == "offline", timeout=2000)
    click_widget(chip)
    faceplate = window.dialog
    assert "cable unplugged" in faceplate.quality_label.text()
    assert mm(chip.height()) >= 9


def test_desk_keeps_the_keyboard_and_has_no_keypad(qtbot, project, engine, tmp_path):
    folder = write_screens(tmp_path / "screens")
    window = make_window(qtbot, project, engine, folder)
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    dialog = window.dialog
    assert dialog.keypad is None
    dialog.entry.setText("")
    QTest.keyClicks(dialog.entry, "12,5")  # a decimal comma is a number too
    QTest.keyClick(dialog.entry, Qt.Key.Key_Return)
    assert dialog.value == 12.5
