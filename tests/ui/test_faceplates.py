"""Details open over the current screen: the operator never loses their place."""

from hmi.core.tags import good
from hmi.ui.dialogs import ConfirmDialog, SetpointDialog
from hmi.ui.faceplate import Faceplate, ScreenPopup
from tests.ui.windows import click, make_window, symbol, write_screens


def test_a_faceplate_screen_opens_as_a_live_popup_over_the_current_screen(
    qtbot, project, engine, tmp_path
):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    click(window.host, symbol(window.host, "motor"))  # faceplate: unit
    popup = window.dialog
    assert isinstance(popup, ScreenPopup) and popup.host.current_screen.name == "unit"
    assert window.host.current_screen.name == "top" and window.history == []
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    assert popup.parentWidget() is window and popup.width() < window.width()
    engine.publish({"line1.count": good(1234)})
    count = symbol(popup.host, "value")
    qtbot.waitUntil(lambda: count.main is not None, timeout=2000)
    assert count.value_text == "1\u2009234"
    popup.close_button.click()
    qtbot.waitUntil(lambda: "line1.count" not in window.bridge.bound_tags, timeout=2000)
    assert window.host.current_screen.name == "top"


def test_symbols_in_a_popup_act_over_it_and_navigation_leaves_it(qtbot, project, runtime, tmp_path):
    window = make_window(qtbot, project, runtime.engine, write_screens(tmp_path), writer=runtime)
    popup = window.operator.open_popup("unit", window.panel, window)
    click(popup.host, symbol(popup.host, "setpoint"))
    dialog = window.dialog
    assert isinstance(dialog, SetpointDialog) and dialog.parentWidget() is popup
    dialog.entry.setText("11")
    dialog.next_button.click()
    assert isinstance(window.dialog, ConfirmDialog)
    window.dialog.confirm_button.click()
    qtbot.waitUntil(lambda: "done" in window.message.text(), timeout=5000)
    assert popup.isVisible()  # still there: the operator is where they were
    click(popup.host, symbol(popup.host, "nav"))
    assert not popup.isVisible() and window.host.current_screen.name == "other"


def test_a_plain_tag_symbol_opens_its_faceplate_with_details_and_commands(
    qtbot, project, runtime, tmp_path
):
    (tmp_path / "flag.yaml").write_text(
        "screen: {name: flag, level: 1}\nsymbols:\n"
        "  - {type: value, at: [10, 10], tag: line1.cmd_start, label: Flag}\n",
        encoding="utf-8",
    )
    window = make_window(qtbot, project, runtime.engine, tmp_path, writer=runtime)
    window.go_to("flag")
    runtime.call(runtime.engine.publish, {"line1.cmd_start": good(False)})
    value = symbol(window.host, "value")
    qtbot.waitUntil(lambda: value.main is not None, timeout=2000)
    click(window.host, value)
    faceplate = window.dialog
    assert isinstance(faceplate, Faceplate)
    assert faceplate.value_label.text() == "off"
    assert "Quality: good" in faceplate.quality_label.text()
    assert "received" in faceplate.time_label.text()
    assert set(faceplate.commands) == {"on", "off"}
    faceplate.commands["on"].click()
    confirm = window.dialog
    assert isinstance(confirm, ConfirmDialog) and not faceplate.isVisible()
    assert confirm.title.text() == "Cmd start: Off → On?"
    confirm.confirm_button.click()
    memory = runtime.engine.drivers["plc"].memory
    qtbot.waitUntil(lambda: memory.get("line1.cmd_start") is True, timeout=5000)
