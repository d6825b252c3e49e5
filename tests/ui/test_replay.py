"""Replay on the operator window: the screen shows what the historian stored at the chosen
moment, marked REPLAY with that time; nothing can be written while it replays; one touch
brings the live values back."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel

from hmi.core.driver import WriteStatus
from hmi.core.tags import good
from hmi.ui.bridge import TagBridge
from hmi.ui.shell import MainWindow
from tests.ui.windows import DESK, click_widget, write_screens


def record(runtime, name, value):
    runtime.call(runtime.engine.publish, {name: good(value)})


def test_a_screen_replays_the_stored_values_and_refuses_writes(qtbot, project, tmp_path):
    from hmi.core.plugins import DriverRegistry
    from hmi.core.project.models import DeviceConfig
    from hmi.core.runtime import Runtime
    from tests.ui.conftest import MemoryDriver

    project.devices["plc"] = DeviceConfig("plc", "memory", line="line1")
    project.extra["historian"] = {"default": {"mode": "exception"}}
    runtime = Runtime(project, tmp_path / "data", registry=DriverRegistry({"memory": MemoryDriver}))
    runtime.start()
    try:
        record(runtime, "line1.temp", 451.5)
        time.sleep(0.3)
        t_old = time.time()
        time.sleep(0.3)
        record(runtime, "line1.temp", 480.0)
        historian = runtime.service("historian")
        qtbot.waitUntil(
            lambda: (
                historian.query.value_at("line1.temp", round(time.time() * 1000)).value == 480.0
            ),
            timeout=5000,
        )
        bridge = TagBridge(runtime.live, rate_hz=20)
        window = MainWindow(
            project,
            bridge,
            write_screens(tmp_path / "screens"),
            profile=DESK,
            writer=runtime,
            watch=False,
            services=runtime.services,
            data_dir=tmp_path / "data",
        )
        qtbot.addWidget(window)
        bridge.start()
        window.resize(1600, 900)
        window.start("top")
        window.show()
        temp = next(s for s in window.host.current.symbols if s.tag == "line1.temp")
        qtbot.waitUntil(lambda: bridge.value("line1.temp").value == 480.0, timeout=3000)

        controller = window.view("replay").controller
        click_widget(window.nav.extra_buttons["replay"])
        qtbot.waitUntil(controller.bar.isVisible, timeout=2000)
        controller.seek(t_old)
        stored = historian.query.value_at("line1.temp", round(t_old * 1000))
        assert bridge.value("line1.temp").value == stored.value == 451.5
        assert temp.main is not None and temp.main.value == 451.5
        mark = controller.bar.findChild(QLabel, "replayMark")
        shown = controller.bar.findChild(QLabel, "replayTime").text()
        assert mark.text() == "REPLAY" and shown == time.strftime(
            "%Y-%m-%d %H:%M:%S", time.localtime(t_old)
        )
        # a tag the history does not keep says so instead of showing a live value
        assert bridge.value("line1.count").reason == "not recorded in history" or (
            "line1.count" in historian.recorded_tags
        )

        result = runtime.write("line1.speed_sp", 10.0, "anna").result(5)
        assert result.status is WriteStatus.REFUSED and "replaying" in result.message

        click_widget(controller.bar.live_button)
        qtbot.waitUntil(lambda: not controller.bar.isVisible(), timeout=2000)
        qtbot.waitUntil(lambda: bridge.value("line1.temp").value == 480.0, timeout=3000)
        assert runtime.write("line1.speed_sp", 10.0, "anna").result(5).ok
        window.close()
    finally:
        runtime.stop()
