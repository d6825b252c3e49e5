"""Faults an operator meets: a dead device, a wrong value, a PLC that says no, a slow PLC."""

import concurrent.futures
import itertools
import threading
import time

from PySide6.QtCore import QTimer

from hmi.core.driver import DeviceState, DeviceStatus, WriteResult, WriteStatus
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.runtime import Runtime
from hmi.core.tags import Quality, bad, good
from tests.ui.windows import click, make_window, symbol, write_screens


class PlcSays:
    """A writer whose PLC answers ``status``/``message`` after ``delay`` seconds."""

    def __init__(self, status: WriteStatus, message: str = "", delay: float = 0.0):
        self.status, self.message, self.delay = status, message, delay
        self.calls: list[tuple[str, object]] = []

    def write(self, tag, value, user=""):
        self.calls.append((tag, value))
        future: concurrent.futures.Future = concurrent.futures.Future()
        result = WriteResult(tag, self.status, self.message)
        if self.delay:
            threading.Timer(self.delay, future.set_result, (result,)).start()
        else:
            future.set_result(result)
        return future


def confirm_setpoint(window, value: str) -> None:
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    window.dialog.entry.setText(value)
    window.dialog.next_button.click()
    window.dialog.confirm_button.click()


def test_a_screen_on_a_dead_device_keeps_values_marked_with_the_reason(
    qtbot, project, engine, tmp_path
):
    window = make_window(qtbot, project, engine, write_screens(tmp_path))
    value = symbol(window.host, "value")
    engine.publish({"line1.temp": good(455.0)})
    qtbot.waitUntil(lambda: value.main is not None, timeout=2000)
    engine.device_state(DeviceState("plc", DeviceStatus.OFFLINE, "connection refused"))
    engine.publish({"line1.temp": bad("device offline: connection refused", 455.0)})
    qtbot.waitUntil(lambda: value.shown_quality is Quality.BAD, timeout=2000)
    assert value.value_text == "455.0 °C"  # the last value stays visible, marked
    assert "connection refused" in value.toolTip()
    assert "offline" in window.header.chips["plc"].text()
    click(window.host, value)
    faceplate = window.dialog
    assert "? bad: device offline: connection refused" in faceplate.quality_label.text()
    assert faceplate.value_label.text() == "455.0 °C"


def test_a_value_out_of_range_is_refused_and_nothing_is_sent(qtbot, project, engine, tmp_path):
    writer = PlcSays(WriteStatus.DONE)
    window = make_window(qtbot, project, engine, write_screens(tmp_path), writer=writer)
    window.go_to("line")
    click(window.host, symbol(window.host, "setpoint"))
    dialog = window.dialog
    for typed, why in (
        ("30", "outside the range 1 .. 25 mm/s"),
        ("fast", "'fast' is not a number"),
    ):
        dialog.entry.setText(typed)
        dialog.next_button.click()
        assert dialog.isVisible() and why in dialog.error.text()
    assert window.dialog is dialog and writer.calls == []


def test_a_write_the_plc_refuses_is_reported_with_its_reason(qtbot, project, engine, tmp_path):
    writer = PlcSays(WriteStatus.FAILED, "illegal data value (exception 3)")
    window = make_window(qtbot, project, engine, write_screens(tmp_path), writer=writer)
    confirm_setpoint(window, "12")
    qtbot.waitUntil(lambda: "failed" in window.message.text(), timeout=2000)
    assert "illegal data value (exception 3)" in window.message.text()
    assert window.message.property("problem") is True and writer.calls == [("line1.speed_sp", 12.0)]


def test_the_simulated_plc_refusing_a_value_its_model_cannot_take(qtbot, tmp_path):
    press = DeviceConfig("press", "simulator", {"model": "press", "seed": 1, "faults": False})
    setpoint = TagConfig(
        "p.temp_sp",
        DataType.FLOAT32,
        "press",
        "billet_temp_sp",
        writable=True,
        eng_range=(0.0, 600.0),  # wider than the press takes (400 .. 520 °C)
        units="°C",
    )
    project = Project(name="sim", root=".", devices={"press": press}, tags={"p.temp_sp": setpoint})
    (tmp_path / "s.yaml").write_text(
        "screen: {name: s, level: 2}\nsymbols:\n  - {type: setpoint, at: [0, 0], tag: p.temp_sp}\n",
        encoding="utf-8",
    )
    with Runtime(project, tmp_path / "data") as runtime:
        window = make_window(qtbot, project, runtime.engine, tmp_path, writer=runtime)
        click(window.host, symbol(window.host, "setpoint"))
        window.dialog.entry.setText("300")
        window.dialog.next_button.click()  # inside the tag's range: the HMI lets it go
        window.dialog.confirm_button.click()
        qtbot.waitUntil(lambda: "failed" in window.message.text(), timeout=5000)
        assert "must be within 400.0..520.0" in window.message.text()
        window.close()


def test_a_slow_write_never_freezes_the_screen(qtbot, project, engine, tmp_path):
    writer = PlcSays(WriteStatus.DONE, delay=0.6)
    window = make_window(qtbot, project, engine, write_screens(tmp_path), writer=writer)
    ticks: list[float] = []
    beat = QTimer()
    beat.timeout.connect(lambda: ticks.append(time.monotonic()))
    beat.start(20)
    started = time.monotonic()
    confirm_setpoint(window, "14")
    sent_in = time.monotonic() - started
    assert sent_in < 0.3 and window.writes.pending == 1  # posted, not awaited
    value = symbol(window.host, "value")
    engine.publish({"line1.temp": good(480.0)})
    qtbot.waitUntil(lambda: value.main is not None, timeout=2000)  # the screen stays live
    assert window.writes.pending == 1
    qtbot.waitUntil(lambda: "done" in window.message.text(), timeout=5000)
    beat.stop()
    finished = time.monotonic()
    during = [t for t in ticks if started < t < finished]
    assert finished - started >= 0.55 and len(during) >= 10  # the event loop kept running
    assert max(b - a for a, b in itertools.pairwise(during)) < 0.25
