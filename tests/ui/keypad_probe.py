"""Types on the setpoint keypad in a real window and reports whether any key moved.

``python -m tests.ui.keypad_probe SCREENS_DIR`` (under ``xvfb-run`` with
``QT_QPA_PLATFORM=xcb``) opens the touch window on the test screens, touches the setpoint,
reads where each key is once, then touches those places through the window system: out of
range, Next (refused), back into range, Next. It prints one JSON line: the platform, the
reason given, what was typed, the value taken, the texts at which any key had moved, and
the question the confirmation asked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from hmi.core.engine import TagEngine
from hmi.core.project.models import DeviceConfig, Project, TagConfig
from hmi.ui.bridge import TagBridge
from hmi.ui.profile import make_profile
from hmi.ui.shell import MainWindow
from tests.ui.windows import write_screens


def main(folder: Path) -> dict:
    app = QApplication([])  # the platform of $QT_QPA_PLATFORM: a real X window under Xvfb
    tags = [
        TagConfig(
            "line1.speed_sp",
            device="plc",
            address="x",
            units="mm/s",
            eng_range=(1.0, 25.0),
            decimals=1,
            writable=True,
        ),
        TagConfig("line1.temp", device="plc", address="x"),
    ]
    project = Project(
        name="Probe",
        root=".",
        devices={"plc": DeviceConfig("plc", "fake")},
        tags={t.name: t for t in tags},
    )
    bridge = TagBridge(TagEngine(project))
    profile = make_profile("touch")
    window = MainWindow(project, bridge, write_screens(folder), profile=profile, watch=False)
    bridge.start()
    window.resize(1280, 800)
    window.start("line")
    window.show()
    QTest.qWaitForWindowExposed(window)
    setpoint = next(s for s in window.host.current.symbols if s.definition.type == "setpoint")
    view = window.host.view
    at = view.mapFromScene(setpoint.mapToScene(setpoint.body().center()))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    dialog = window.dialog
    QTest.qWaitForWindowExposed(dialog)
    keys = dialog.keypad.keys

    def where() -> dict:
        return {k: (b.mapTo(dialog, QPoint(0, 0)), b.size()) for k, b in keys.items()}

    places = {k: b.mapTo(dialog, b.rect().center()) for k, b in keys.items()}
    next_place = dialog.next_button.mapTo(dialog, dialog.next_button.rect().center())
    before, moved = where(), []

    def tap(point: QPoint) -> None:
        QTest.mouseClick(
            dialog.windowHandle(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
        )
        app.processEvents()
        if dialog.isVisible() and where() != before:
            moved.append(dialog.entry.text())

    for key in ("clear", "9", "9"):
        tap(places[key])
    tap(next_place)
    refused = dialog.error.text()
    for key in ("back", "back", "1", "2", ".", "5"):
        tap(places[key])
    typed = dialog.entry.text()
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)  # read it once closed
    tap(next_place)
    return {
        "platform": app.platformName(),
        "refused": refused,
        "typed": typed,
        "value": dialog.value,
        "moved": moved,
        "confirm": window.dialog.title.text(),
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
