"""Runs the operator application in a process of its own and reports what it showed.

``python -m tests.ui.app_probe SCREENS_DIR PROFILE [SCREEN]`` starts a runtime on a
simulated press, opens the real application (``run_app``) on the screens in SCREENS_DIR,
(``demo`` instead of SCREENS_DIR: the demo project and its screens, as ``hmi demo`` opens
them, its PLCs reached over Modbus and OPC UA whether the simulated plant runs or not), and
once the first screen is painted prints one JSON line: the seconds since this process
was started, the screen shown, whether the window is full-screen and frameless, and
whether a close from the window system was refused. Then it closes the window.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
GIVE_UP_S = 20.0


def process_age() -> float:
    """Seconds since this process was started (from /proc, so the interpreter start counts)."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/self/stat", encoding="ascii") as stat:
        started = int(stat.read().rsplit(")", 1)[1].split()[19]) / ticks
    with open("/proc/uptime", encoding="ascii") as uptime:
        return float(uptime.read().split()[0]) - started


def sim_project(root: Path):
    from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig

    press = DeviceConfig("plc", "simulator", {"model": "press", "seed": 1}, line="line1")
    tags = [
        TagConfig("line1.temp", DataType.FLOAT32, "plc", "billet_temp", units="°C"),
        TagConfig("line1.speed", DataType.FLOAT32, "plc", "ram_speed", units="mm/s"),
        TagConfig(
            "line1.speed_sp",
            DataType.FLOAT32,
            "plc",
            "ram_speed_sp",
            writable=True,
            eng_range=(1.0, 25.0),
            units="mm/s",
        ),
        TagConfig("line1.running", DataType.BOOL, "plc", "running"),
        TagConfig("line1.count", DataType.UINT32, "plc", "profile_count"),
        TagConfig("line1.cmd_start", DataType.BOOL, "plc", "cmd_start", writable=True),
    ]
    return Project(
        name="Probe plant",
        root=str(root),
        devices={"plc": press},
        tags={t.name: t for t in tags},
        lines={"line1": "Line 1"},
    )


def main(argv: list[str]) -> int:
    folder, profile = Path(argv[0]), argv[1]
    screen = argv[2] if len(argv) > 2 else None
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    import hmi.ui.app as app_module
    from hmi.core.runtime import Runtime
    from hmi.ui.shell import MainWindow

    if argv[0] == "demo":
        from hmi.core.paths import demo_project_dir
        from hmi.core.project.loader import load_project

        project = load_project(demo_project_dir() / "project.yaml")
    else:
        project = sim_project(folder)
        app_module.screens_folder = lambda _project: folder
    report: dict = {}

    class WindowSystemClose:
        refused = False

        def spontaneous(self) -> bool:
            return True

        def ignore(self) -> None:
            self.refused = True

    deadline = time.monotonic() + GIVE_UP_S

    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        if not windows or not windows[0].host.view.paint_times:
            if time.monotonic() < deadline:
                QTimer.singleShot(5, look)  # not painted yet
                return
            report["error"] = "no screen was painted"
            QApplication.instance().quit()
            return
        window = windows[0]
        report["first_screen_s"] = process_age()
        report["screen"] = window.host.current_screen.name
        report["full_screen"] = window.isFullScreen()
        report["frameless"] = bool(window.windowFlags() & Qt.WindowType.FramelessWindowHint)
        if window.profile.touch:  # the kiosk must refuse it; a desk window just closes
            event = WindowSystemClose()
            window.closeEvent(event)
            report["close_refused"] = event.refused
        window.close()
        QApplication.instance().quit()

    app_module.application()
    with tempfile.TemporaryDirectory() as data, Runtime(project, data) as runtime:
        QTimer.singleShot(0, look)
        report["exit_code"] = app_module.run_app(project, runtime, profile=profile, screen=screen)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
