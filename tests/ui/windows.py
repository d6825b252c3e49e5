"""A small plant of screens and the operator window on it, for the window-level tests."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from hmi.ui.bridge import TagBridge
from hmi.ui.shell import MainWindow, Profile

SCREENS = {
    "top.yaml": """\
screen: {name: top, title: Plant, level: 1}
symbols:
  - {type: nav, at: [10, 10], target: line}
  - {type: value, at: [10, 200], tag: line1.temp, label: Billet}
  - {type: motor, at: [400, 200], tag: line1.running, label: Press, faceplate: unit}
""",
    "line.yaml": """\
screen: {name: line, title: Line 1, level: 2, parent: top, line: line1}
symbols:
  - {type: setpoint, at: [10, 10], tag: line1.speed_sp, label: Speed SP}
  - {type: command, at: [300, 10], tag: line1.cmd_start, label: Start, confirm: Start the line?}
  - {type: nav, at: [600, 10], target: unit}
  - {type: value, at: [10, 200], tag: line1.temp, label: Billet}
""",
    "other.yaml": """\
screen: {name: other, title: Line 2, level: 2, parent: top}
symbols:
  - {type: value, at: [10, 10], tag: line1.speed, label: Speed}
""",
    "unit.yaml": """\
screen: {name: unit, title: Press detail, level: 3, parent: line, size: [960, 480]}
symbols:
  - {type: value, at: [10, 10], tag: line1.count, label: Count}
  - {type: setpoint, at: [300, 10], tag: line1.speed_sp, label: Speed SP}
  - {type: nav, at: [600, 10], target: other, label: Line 2}
""",
}
DESK = Profile("desk", False, 36, 16)


def write_screens(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SCREENS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def make_window(qtbot, project, engine, folder, writer=None, profile=DESK) -> MainWindow:
    bridge = TagBridge(engine, rate_hz=20)
    window = MainWindow(project, bridge, folder, profile=profile, writer=writer, watch=False)
    qtbot.addWidget(window)
    bridge.start()
    window.resize(1280, 800)
    window.start()
    window.show()
    return window


def views_window(
    qtbot, project, engine, folder: Path, services, views, writer=None, profile=DESK
) -> MainWindow:
    """The main window over the small plant's screens with only ``views`` and their
    ``services``, at the profile's screen size, shown."""
    bridge = TagBridge(engine, rate_hz=20)
    window = MainWindow(
        project,
        bridge,
        write_screens(folder / "screens"),
        profile=profile,
        writer=writer,
        watch=False,
        data_dir=folder / "data",
        services=services,
        views=views,
    )
    qtbot.addWidget(window)
    bridge.start()
    window.resize(*((1280, 800) if profile.touch else (1920, 1080)))
    window.start()
    window.show()
    qtbot.waitExposed(window)
    return window


def symbol(host, type_name: str):
    return next(s for s in host.current.symbols if s.definition.type == type_name)


def click(host, item, button=Qt.MouseButton.LeftButton, modifiers=Qt.KeyboardModifier.NoModifier):
    """A real mouse click on a symbol, through the view of ``host``."""
    view = host.view
    point = view.mapFromScene(item.mapToScene(item.body().center()))
    QTest.mouseClick(view.viewport(), button, modifiers, point)


def click_widget(widget, button=Qt.MouseButton.LeftButton, modifiers=None) -> None:
    modifiers = modifiers or Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(widget, button, modifiers, QPoint(widget.width() // 2, widget.height() // 2))
