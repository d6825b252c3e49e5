"""Safe value entry: keys that never move, confirmations in the operator's words, results
that shift nothing, and write controls disabled (with the reason) when a write cannot be.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QFontInfo, QFontMetrics
from PySide6.QtTest import QTest

from hmi.core.access import WRITE_TAG
from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.paths import install_root
from hmi.core.project.models import DataType
from hmi.core.tags import good
from hmi.ui.dialogs import ConfirmDialog, SetpointDialog, change_question, short_name
from hmi.ui.entry import EntryDialog
from hmi.ui.i18n import set_language
from hmi.ui.keypad import NumericKeypad, TextKeyboard
from hmi.ui.profile import make_profile
from tests.ui.conftest import dev_tag
from tests.ui.windows import click, click_widget, make_window, symbol, write_screens

RANGE_HINT = "Allowed: 1 .. 25 mm/s"


@pytest.fixture
def touch():
    return make_profile("touch")


@pytest.fixture
def window(qtbot, project, runtime, tmp_path, touch):
    folder = write_screens(tmp_path / "screens")
    return make_window(qtbot, project, runtime.engine, folder, writer=runtime, profile=touch)


def open_setpoint(qtbot, window) -> SetpointDialog:
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    dialog = window.dialog
    assert isinstance(dialog, SetpointDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    return dialog


def layout_of(dialog: EntryDialog) -> dict[str, QRect]:
    """Where every key and the field, the hint's place and the buttons are in the dialog."""
    found = {
        f"key {key}": QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())
        for key, button in dialog.keypad.keys.items()
    }
    for name in ("entry", "place", "next_button", "cancel_button"):
        widget = getattr(dialog, name)
        found[name] = QRect(widget.mapTo(dialog, QPoint(0, 0)), widget.size())
    found["dialog"] = QRect(QPoint(0, 0), dialog.size())
    return found


def tap_at(dialog, point: QPoint) -> None:
    """A real touch at a point of the dialog's window: the platform finds the key there."""
    QTest.mouseClick(
        dialog.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )


# -- keys never move ---------------------------------------------------------------------------


def test_no_key_moves_while_typing_in_and_out_of_range(qtbot, window, runtime):
    dialog = open_setpoint(qtbot, window)
    keypad = dialog.keypad
    assert isinstance(keypad, NumericKeypad)
    before = layout_of(dialog)
    assert dialog.hint.text() == RANGE_HINT and dialog.error.text() == ""
    assert QFontInfo(dialog.entry.font()).pixelSize() >= 22  # a value, at 1.5 m
    assert QFontInfo(dialog.hint.font()).pixelSize() >= 16  # a label
    assert dialog.entry.width() >= 8 * QFontMetrics(dialog.entry.font()).horizontalAdvance("8")
    steps = [
        "clear", "9", "9",  # out of range: nothing said yet
        "next",  # refused: the reason in the hint's place
        "back", "back", "7", ".", "5",  # in range again
        "clear", *"1234567890123456789",  # longer than the field takes
        "next", "sign", "clear", "1", "2",
    ]  # fmt: skip
    for step in steps:
        if step == "next":
            click_widget(dialog.next_button)
        else:
            click_widget(keypad.keys[step])
        assert layout_of(dialog) == before, f"something moved after {step!r}"
        if step == "9":
            # out of range while typing: the hint stays, nothing refused yet
            assert dialog.hint.text() == RANGE_HINT and dialog.error.text() == ""
        if step == "next" and dialog.entry.text() == "99":
            assert "outside the range 1 .. 25 mm/s" in dialog.error.text()
            assert dialog.error.isVisible() and not dialog.hint.isVisible()
            assert dialog.entry.property("invalid") is True
    assert dialog.entry.text() == "12" and dialog.error.text() == ""  # a key took the reason away
    assert dialog.hint.isVisible() and dialog.isVisible()
    click_widget(dialog.cancel_button)
    assert runtime.engine.drivers["plc"].memory == {}


def test_real_touches_at_recorded_places_type_what_was_meant(qtbot, window):
    """The places of the keys are read once; touching those places later still hits the same
    keys, whatever was typed and refused in between."""
    dialog = open_setpoint(qtbot, window)
    keys = dialog.keypad.keys
    places = {key: button.mapTo(dialog, button.rect().center()) for key, button in keys.items()}
    next_place = dialog.next_button.mapTo(dialog, dialog.next_button.rect().center())
    for key in ("clear", "3", "0", "0"):
        tap_at(dialog, places[key])
    assert dialog.entry.text() == "300"
    tap_at(dialog, next_place)  # refused
    assert dialog.isVisible() and "outside the range" in dialog.error.text()
    for key in ("back", "back", "back", "8", ".", "5"):
        tap_at(dialog, places[key])
    assert dialog.entry.text() == "8.5" and dialog.error.text() == ""
    tap_at(dialog, next_place)
    assert dialog.value == 8.5
    confirm = window.dialog
    assert isinstance(confirm, ConfirmDialog)
    confirm.reject()


def test_shift_and_a_language_switch_move_no_key_of_the_text_keyboard(qtbot, window):
    dialog = EntryDialog("Comment", profile=window.profile, keys=True, parent=window)
    window.operator.show_dialog(dialog, window)
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert isinstance(dialog.keypad, TextKeyboard)
    before = layout_of(dialog)
    try:
        for key in ("shift", "q", "u", "shift", "shift", "à", " ", "clear"):
            click_widget(dialog.keypad.keys[key])
            assert layout_of(dialog) == before, f"something moved after {key!r}"
        assert set_language("it")
        qtbot.waitUntil(lambda: dialog.keypad.keys[" "].text() == "spazio", timeout=2000)
        assert layout_of(dialog) == before  # a longer word on a key does not widen it
    finally:
        set_language("en")
    dialog.reject()


def test_a_refusal_keeps_its_place_on_the_desk_too(qtbot, project, engine, tmp_path):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    dialog = window.dialog
    assert dialog.keypad is None
    place, entry = dialog.place.geometry(), dialog.entry.geometry()
    QTest.keyClicks(dialog.entry, "0")  # "...0": out of range
    assert dialog.error.text() == ""
    QTest.keyClick(dialog.entry, Qt.Key.Key_Return)
    assert "outside the range" in dialog.error.text()
    assert dialog.place.geometry() == place and dialog.entry.geometry() == entry


def test_a_long_reason_is_shortened_in_its_place_not_given_more_room(qtbot, window, runtime):
    reason = "the shift leader has locked line 1 setpoints " * 6
    runtime.access.set_policy(lambda user, permission, target: reason if user == "guest" else None)
    dialog = open_setpoint(qtbot, window)
    before = layout_of(dialog)
    window.header.set_user("guest")  # while the operator types
    click_widget(dialog.keypad.keys["5"])
    click_widget(dialog.next_button)
    assert dialog.isVisible() and dialog.error.full_text == reason
    assert dialog.error.text().endswith("…") and len(dialog.error.text()) < len(reason)
    assert layout_of(dialog) == before
    dialog.reject()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_keys_stay_put_in_a_real_window_under_xvfb(tmp_path):
    """The X server places the touches: the same checks as above, through a real window."""
    xvfb = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]
    done = subprocess.run(
        [*xvfb, sys.executable, "-m", "tests.ui.keypad_probe", str(tmp_path / "screens")],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=install_root(),
        env={**os.environ, "QT_QPA_PLATFORM": "xcb"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["platform"] == "xcb"
    assert "outside the range 1 .. 25 mm/s" in report["refused"]
    assert report["typed"] == "12.5" and report["value"] == 12.5
    assert report["moved"] == []
    assert report["confirm"] == "Speed sp: ? → 12.5 mm/s?"


# -- the confirmation in the operator's words ----------------------------------------------------


@pytest.fixture
def worded(project):
    """Tags described as a plant engineer describes them."""
    for tag in (
        dev_tag(
            "line1.billet_temp_sp",
            units="°C",
            eng_range=(400.0, 520.0),
            decimals=0,
            writable=True,
            description="Billet temperature setpoint; colder billets need more pressure",
        ),
        dev_tag(
            "line1.heater",
            data_type=DataType.BOOL,
            writable=True,
            description="Heater",
        ),
        dev_tag(
            "line1.cmd_go",
            data_type=DataType.BOOL,
            writable=True,
            description="Start the press (the PLC clears it after 2 s)",
        ),
    ):
        project.tags[tag.name] = tag
    return project


def worded_screens(folder: Path) -> Path:
    folder = write_screens(folder)
    (folder / "line.yaml").write_text(
        """\
screen: {name: line, title: Line 1, level: 2, parent: top, line: line1}
symbols:
  - {type: setpoint, at: [10, 10], tag: line1.billet_temp_sp, label: Billet}
  - {type: command, at: [300, 10], tag: line1.cmd_go, label: Start}
  - {type: command, at: [600, 10], tag: line1.cmd_start, label: Go, confirm: Start the press?}
  - {type: value, at: [10, 200], tag: line1.heater, label: Heater}
""",
        encoding="utf-8",
    )
    return folder


def test_the_confirmation_says_the_change_in_the_operators_words(qtbot, worded, runtime, tmp_path):
    window = make_window(
        qtbot, worded, runtime.engine, worded_screens(tmp_path / "s"), writer=runtime
    )
    runtime.call(runtime.engine.publish, {"line1.billet_temp_sp": good(480.0)})
    window.go_to("line")
    setpoint = next(s for s in window.host.current.symbols if s.tag == "line1.billet_temp_sp")
    qtbot.waitUntil(lambda: setpoint.main is not None, timeout=2000)
    click(window.host, setpoint)
    dialog = window.dialog
    assert dialog.title.text() == "Billet temperature setpoint"
    dialog.entry.setText("485")
    dialog.next_button.click()
    confirm = window.dialog
    assert isinstance(confirm, ConfirmDialog)
    assert confirm.title.text() == "Billet temperature setpoint: 480 °C → 485 °C?"
    assert "Line 1" in confirm.detail.text() and "line1.billet_temp_sp" in confirm.detail.text()
    confirm.confirm_button.click()
    qtbot.waitUntil(lambda: "done" in window.message.text(), timeout=5000)
    assert window.message.text().startswith("✓ Billet temperature setpoint: done")

    commands = [s for s in window.host.current.symbols if s.definition.type == "command"]
    click(window.host, commands[0])  # no confirm: a sentence from the tag's description
    assert window.dialog.title.text() == "Start the press?"
    window.dialog.reject()
    click(window.host, commands[1])  # the screen's own words
    assert window.dialog.title.text() == "Start the press?"
    assert window.dialog.confirm_button.text() == "Go"
    window.dialog.reject()

    runtime.call(runtime.engine.publish, {"line1.heater": good(False)})
    heater = next(s for s in window.host.current.symbols if s.tag == "line1.heater")
    qtbot.waitUntil(lambda: heater.main is not None, timeout=2000)
    click(window.host, heater)  # its faceplate: switch on
    window.dialog.commands["on"].click()
    assert window.dialog.title.text() == "Heater: Off → On?"
    window.dialog.reject()


def test_confirmation_words_in_italian_and_for_unnamed_tags(worded):
    tag = worded.tags["line1.billet_temp_sp"]
    assert short_name(worded.tags["line1.speed_sp"], "line1.speed_sp") == "Speed sp"
    assert change_question(tag, tag.name, None, 485.0) == "Billet temperature setpoint: ? → 485 °C?"
    try:
        assert set_language("it")
        heater = worded.tags["line1.heater"]
        assert change_question(heater, heater.name, good(True), False) == "Heater: Acceso → Spento?"
    finally:
        set_language("en")


# -- results appear without shifting the screen ----------------------------------------------


def geometry_of(window) -> dict[str, QRect]:
    panel = window.panel
    return {
        "host": panel.host.geometry(),
        "view": panel.host.view.geometry(),
        "scene": panel.host.view.mapFromScene(panel.host.view.sceneRect()).boundingRect(),
        "central": window.centralWidget().geometry(),
    }


def test_results_float_over_the_screen_and_shift_nothing(qtbot, window):
    window.go_to("line")
    qtbot.wait(20)
    before = geometry_of(window)
    toast = window.panel.toast
    toast.hold_ms = 100
    window.show_write_result("line1.speed_sp", "done", "")
    assert toast.isVisible() and "done" in window.message.text()
    assert geometry_of(window) == before
    host = window.panel.host.geometry()
    assert host.contains(toast.geometry())  # over the screen, at its bottom edge
    assert host.bottom() - toast.geometry().bottom() <= 10
    qtbot.waitUntil(lambda: not toast.isVisible(), timeout=3000)  # a success fades
    assert geometry_of(window) == before

    window.show_write_result("line1.speed_sp", "failed", "illegal data value (exception 3)")
    assert toast.problem and "illegal data value" in window.message.text()
    assert geometry_of(window) == before
    qtbot.wait(400)  # longer than a success is shown
    assert toast.isVisible()  # a failure stays until dismissed
    click_widget(toast.dismiss_button)
    assert not toast.isVisible() and window.message.isHidden()
    assert geometry_of(window) == before


# -- disabled while a write cannot be done -------------------------------------------------------


def controls(window):
    window.go_to("line")
    found = {s.definition.type: s for s in window.host.current.symbols}
    return found["setpoint"], found["command"]


def test_a_device_down_disables_setpoints_and_commands_with_the_reason(qtbot, window, runtime):
    setpoint, command = controls(window)
    assert setpoint.refused is None and command.refused is None
    runtime.call(
        runtime.engine.device_state, DeviceState("plc", DeviceStatus.OFFLINE, "cable unplugged")
    )
    qtbot.waitUntil(lambda: setpoint.refused is not None, timeout=2000)
    assert setpoint.refused == "plc is offline: cable unplugged" == command.refused
    click(window.host, setpoint)  # a touch says why instead of doing nothing
    assert window.operator.dialog is None
    assert "cannot be changed now: plc is offline: cable unplugged" in window.message.text()
    click(window.host, command)
    assert window.operator.dialog is None
    runtime.call(runtime.engine.device_state, DeviceState("plc", DeviceStatus.ONLINE))
    qtbot.waitUntil(lambda: setpoint.refused is None, timeout=2000)
    assert command.refused is None
    click(window.host, setpoint)
    assert isinstance(window.dialog, SetpointDialog)
    window.dialog.reject()


def test_a_policy_refusing_disables_with_its_reason(qtbot, window, runtime):
    setpoint, command = controls(window)
    window.header.set_user("anna")
    assert window.operator.user == "anna" and window.writes.user == "anna"
    runtime.access.set_policy(  # heard at once: no one has to tell the controls
        lambda user, permission, target: (
            "only a shift leader may change line 1"
            if permission == WRITE_TAG and user != "lead"
            else None
        )
    )
    qtbot.waitUntil(lambda: setpoint.refused is not None, timeout=2000)
    assert setpoint.refused == "only a shift leader may change line 1" == command.refused
    window.header.set_user("lead")
    assert setpoint.refused is None and command.refused is None
    release = runtime.access.hold("the station is replaying the past")  # from another hook
    qtbot.waitUntil(lambda: command.refused is not None, timeout=2000)
    assert setpoint.refused == "the station is replaying the past" == command.refused
    release()
    qtbot.waitUntil(lambda: command.refused is None, timeout=2000)


def test_a_write_while_disabled_never_reaches_the_engine(qtbot, window, runtime):
    records = []
    runtime.access.add_recorder(records.append)
    runtime.call(runtime.engine.device_state, DeviceState("plc", DeviceStatus.STOPPED))
    gate = window.operator.gate
    qtbot.waitUntil(lambda: gate.refusal("line1.speed_sp") is not None, timeout=2000)
    window.operator.write("line1.speed_sp", 12.0, window.panel)  # however it was asked for
    assert "refused" in window.message.text() and "plc is stopped" in window.message.text()
    window.go_to("top")
    runtime.call(runtime.engine.publish, {"line1.running": good(True)})
    faceplate = window.operator.open_faceplate("line1.cmd_start", window.panel, window)
    switch_on = faceplate.commands["on"]
    qtbot.waitUntil(faceplate.isVisible, timeout=2000)
    assert not switch_on.isEnabled()  # greyed ...
    tap_at(faceplate, switch_on.mapTo(faceplate, switch_on.rect().center()))
    assert "plc is stopped" in window.message.text()  # ... and a touch says why
    assert window.dialog is faceplate
    faceplate.reject()
    qtbot.wait(100)
    assert runtime.engine.drivers["plc"].memory == {}
    assert [r for r in records if r.action == WRITE_TAG] == []


def test_a_user_change_during_the_confirmation_is_checked_when_confirming(qtbot, window, runtime):
    runtime.access.set_policy(
        lambda user, permission, target: None if user == "anna" else f"{user} may not write"
    )
    window.header.set_user("anna")
    setpoint, _ = controls(window)
    assert setpoint.refused is None
    click(window.host, setpoint)
    window.dialog.entry.setText("12")
    window.dialog.next_button.click()
    confirm = window.dialog
    assert isinstance(confirm, ConfirmDialog)
    window.header.set_user("guest")  # the session changes hands while the question is open
    assert setpoint.refused == "guest may not write"
    confirm.confirm_button.click()
    assert "refused" in window.message.text() and "guest may not write" in window.message.text()
    qtbot.wait(100)
    assert runtime.engine.drivers["plc"].memory == {}

    window.header.set_user("anna")
    click(window.host, setpoint)
    window.dialog.entry.setText("12")
    window.dialog.next_button.click()
    window.dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "done" in window.message.text(), timeout=5000)
    assert runtime.engine.drivers["plc"].memory == {"line1.speed_sp": 12.0}


def test_every_window_shows_the_user_set_in_any_of_them(qtbot, project, runtime, tmp_path):
    window = make_window(qtbot, project, runtime.engine, write_screens(tmp_path), writer=runtime)
    extra = window.open_window("line")
    extra.header.set_user("marco")
    assert window.header.user_name == "marco" and window.operator.user == "marco"
    window.header.set_user("anna")
    assert extra.header.user_name == "anna" and "anna" in extra.header.user.text()
