import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from hmi.core.driver import DeviceState, DeviceStatus
from hmi.core.tags import TagValue, good
from hmi.ui.bridge import TagBridge
from hmi.ui.dialogs import ConfirmDialog, SetpointDialog
from hmi.ui.faceplate import Faceplate
from hmi.ui.shell import MainWindow, Profile, make_profile

SCREENS = {
    "top.yaml": """\
screen: {name: top, title: Plant, level: 1}
symbols:
  - {type: nav, at: [10, 10], target: line}
  - {type: value, at: [10, 200], tag: line1.temp}
  - {type: motor, at: [400, 200], tag: line1.running, faceplate: unit}
""",
    "line.yaml": """\
screen: {name: line, title: Line 1, level: 2, parent: top, line: line1}
symbols:
  - {type: setpoint, at: [10, 10], tag: line1.speed_sp, label: Speed SP}
  - {type: command, at: [300, 10], tag: line1.cmd_start, label: Start, confirm: Start the line?}
  - {type: nav, at: [600, 10], target: unit}
""",
    "unit.yaml": "screen: {name: unit, level: 3, parent: line}\nsymbols: []\n",
}
DESK = Profile("desk", False, 36, 16)


@pytest.fixture
def folder(tmp_path):
    for name, text in SCREENS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def make_window(qtbot, project, engine, folder, writer=None, profile=DESK):
    bridge = TagBridge(engine, rate_hz=20)
    window = MainWindow(project, bridge, folder, profile=profile, writer=writer, watch=False)
    qtbot.addWidget(window)
    bridge.start()
    window.resize(1280, 800)
    window.start()
    window.show()
    return window


def symbol(window, type_name):
    return next(s for s in window.host.current.symbols if s.definition.type == type_name)


def click(window, item):
    """A real mouse click on the symbol, through the view."""
    view = window.host.view
    point = view.mapFromScene(item.mapToScene(item.body().center()))
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )


def test_navigation_follows_the_hierarchy(qtbot, project, engine, folder):
    window = make_window(qtbot, project, engine, folder)
    assert window.host.current_screen.name == "top"
    assert [b.text() for b in window.nav.child_buttons] == ["Line 1"]
    click(window, symbol(window, "nav"))
    assert window.host.current_screen.name == "line"
    assert "Plant" in window.nav.path.text() and "Line 1" in window.nav.path.text()
    assert "Line 1" in window.header.title.full_text
    # no room for the way here: the screen's own title, never the way's cut-off start
    path = window.nav.path
    padding = path.width() - path.contentsRect().width()
    path.resize(path.fontMetrics().horizontalAdvance("Line 1") + padding + 2, path.height())
    assert path.text() == "Line 1" and path.full_text.startswith("Plant")
    path.resize(path.fontMetrics().horizontalAdvance("Line") + padding + 2, path.height())
    assert path.text().startswith("Li") and path.text().endswith("…")
    window.go_to("unit")
    window.go_up()
    assert window.host.current_screen.name == "line"
    window.go_back()
    assert window.host.current_screen.name == "unit"
    window.go_home()
    assert window.host.current_screen.name == "top"
    assert not window.go_to("missing") and "no screen named" in window.message.text()


def test_setpoint_is_range_checked_confirmed_then_written(qtbot, project, runtime, folder):
    window = make_window(qtbot, project, runtime.engine, folder, writer=runtime)
    window.go_to("line")
    click(window, symbol(window, "setpoint"))
    dialog = window.dialog
    assert isinstance(dialog, SetpointDialog)
    dialog.entry.setText("99")
    dialog.next_button.click()
    assert dialog.isVisible() and "outside the range 1 .. 25 mm/s" in dialog.error.text()
    dialog.entry.setText("14.5")
    dialog.next_button.click()
    confirm = window.dialog
    assert isinstance(confirm, ConfirmDialog) and confirm.isVisible()
    assert runtime.engine.drivers["plc"].memory == {}  # nothing sent before the operator confirms
    confirm.confirm_button.click()
    qtbot.waitUntil(lambda: "done" in window.message.text(), timeout=5000)
    assert runtime.engine.drivers["plc"].memory == {"line1.speed_sp": 14.5}


def test_command_failure_is_reported_with_its_reason(qtbot, project, runtime, folder):
    window = make_window(qtbot, project, runtime.engine, folder, writer=runtime)
    window.go_to("line")
    runtime.engine.drivers["plc"].refuse = "PLC in local mode"
    click(window, symbol(window, "command"))
    confirm = window.dialog
    assert isinstance(confirm, ConfirmDialog)
    confirm.confirm_button.click()
    qtbot.waitUntil(lambda: "failed" in window.message.text(), timeout=5000)
    assert "PLC in local mode" in window.message.text()
    assert window.message.property("problem") is True


def test_cancel_sends_nothing_and_no_runtime_means_no_writes(qtbot, project, engine, folder):
    window = make_window(qtbot, project, engine, folder, writer=None)
    window.go_to("line")
    click(window, symbol(window, "command"))
    window.dialog.reject()
    assert window.writes.pending == 0
    click(window, symbol(window, "command"))
    window.dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "not available" in window.message.text(), timeout=2000)


def test_touching_a_value_opens_its_live_faceplate(qtbot, project, engine, folder):
    window = make_window(qtbot, project, engine, folder)
    engine.publish({"line1.temp": good(455.0)})
    qtbot.waitUntil(lambda: symbol(window, "value").main is not None, timeout=2000)
    click(window, symbol(window, "value"))
    faceplate = window.dialog
    assert isinstance(faceplate, Faceplate)
    assert faceplate.value_label.text() == "455.0 °C"
    assert "Quality: good" in faceplate.quality_label.text()
    assert faceplate.alarm_help.isHidden()  # the tag has no alarms in this project
    engine.publish({"line1.temp": good(460.0)})
    qtbot.waitUntil(lambda: faceplate.value_label.text() == "460.0 °C", timeout=2000)


def test_header_shows_device_states(qtbot, project, engine, folder):
    window = make_window(qtbot, project, engine, folder)
    chip = window.header.chips["plc"]
    engine.device_state(DeviceState("plc", DeviceStatus.ONLINE))
    qtbot.waitUntil(lambda: chip.status == "online", timeout=2000)
    assert chip.property("severity") == 0
    engine.device_state(DeviceState("plc", DeviceStatus.OFFLINE, "connection refused"))
    qtbot.waitUntil(lambda: chip.status == "offline", timeout=2000)
    assert chip.property("severity") == 0 and "offline" in chip.text()  # the words say it
    assert chip.toolTip() == "connection refused"
    engine.publish_system({"_sys.alarm.plc.comm": TagValue("unacked")})  # the alarm's colour
    qtbot.waitUntil(lambda: chip.property("severity") == 2, timeout=2000)


def test_touch_profile_targets_are_at_least_9_mm_on_this_monitor(qtbot, project, engine, folder):
    profile = make_profile("touch")
    screen = QGuiApplication.primaryScreen()
    px_per_mm = screen.physicalDotsPerInch() / 25.4 / screen.devicePixelRatio()
    assert profile.touch and profile.target_px >= 9 * px_per_mm
    window = make_window(qtbot, project, engine, folder, profile=profile)
    assert window.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert window.nav.home.height() >= profile.target_px - 1
    assert window.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    with pytest.raises(ValueError, match="unknown profile"):
        make_profile("kiosk")
