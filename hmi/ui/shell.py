"""The operator window: header, navigation along the display hierarchy, the screen, messages.

Two profiles share it. *desk*: a normal window, mouse and keyboard, tooltips. *touch*: a
frameless full-screen kiosk, every target at least 9 mm on the actual monitor (computed
from its physical DPI), no hover, no right-click.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.core.project.models import Project
from hmi.core.screens import ScreenDef
from hmi.ui.bridge import TagBridge
from hmi.ui.dialogs import ConfirmDialog, Faceplate, SetpointDialog, describe, format_tag_value
from hmi.ui.header import Header
from hmi.ui.renderer import ScreenHost
from hmi.ui.symbols import Symbol, SymbolContext
from hmi.ui.symbols.controls import Command, Nav, Setpoint
from hmi.ui.theme import DEFAULT_THEME, Theme
from hmi.ui.writes import WriteController, Writer, WriteRefused, check_write

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4
MESSAGE_SECONDS = 8


@dataclass(frozen=True)
class Profile:
    name: str
    touch: bool
    target_px: float  # smallest touch/click target, in device-independent pixels
    font_px: float

    @property
    def chrome_scale(self) -> float:
        return self.target_px / 36.0


def make_profile(name: str, screen: QScreen | None = None) -> Profile:
    """``touch``: targets of at least 9 mm on this monitor; ``desk``: compact but readable."""
    if name not in ("touch", "desk"):
        raise ValueError(f"unknown profile '{name}' (touch or desk)")
    screen = screen or QGuiApplication.primaryScreen()
    physical = screen.physicalDotsPerInch() if screen is not None else 96.0
    logical = screen.logicalDotsPerInch() if screen is not None else 96.0
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    if not physical or physical < 40 or physical > 600:  # monitors that report nonsense
        physical = 96.0
    # physical DPI counts device pixels; widget sizes are device-independent pixels
    px_per_mm = physical / MM_PER_INCH / max(ratio, 0.1)
    if name == "touch":
        target = max(9.0 * px_per_mm, 36.0)
        font = max(12.0 / 72.0 * logical, 16.0) * 1.25  # text >= 12 pt on the line PC
        return Profile("touch", True, round(target + 0.49), font)
    return Profile("desk", False, 36.0, 17.0)


def band_text(symbol: Symbol) -> str:
    """The symbol's normal band and alarm limits in words, for its faceplate."""
    units = symbol.units()
    parts = []
    band = symbol.props.get("normal")
    if band:
        parts.append(f"Normal: {band[0]:g} .. {band[1]:g} {units}".rstrip())
    limits = symbol.props.get("limits") or {}
    if limits:
        listed = ", ".join(
            f"{key} {limit.value:g} (priority {limit.priority})" for key, limit in limits.items()
        )
        parts.append(f"Alarm limits: {listed}")
    return "\n".join(parts)


class NavBar(QWidget):
    """Home, back, up, and the screens below this one: the same place on every screen."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setObjectName("navBar")
        self.window_ = window
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(8, 4, 8, 4)
        self.layout_.setSpacing(8)
        self.home = self._button("⌂ Home", window.go_home, "navHome")
        self.back = self._button("‹ Back", window.go_back, "navBack")
        self.up = self._button("▲ Up", window.go_up, "navUp")
        for button in (self.home, self.back, self.up):
            self.layout_.addWidget(button)
        self.path = QLabel("", self)
        self.path.setObjectName("navPath")
        self.path.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.layout_.addWidget(self.path)
        self.children_box = QHBoxLayout()
        self.children_box.setSpacing(8)
        self.layout_.addLayout(self.children_box)
        self.layout_.setStretch(self.layout_.indexOf(self.path), 1)
        self.child_buttons: list[QPushButton] = []

    def _button(self, text: str, slot: Any, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def show_screen(self, screen: ScreenDef, has_history: bool) -> None:
        screens = self.window_.host.screens
        self.back.setEnabled(has_history)
        self.up.setEnabled(screens.get(screen.parent) is not None)
        self.home.setEnabled(screens.home is not None and screens.home.name != screen.name)
        self.path.setText("  ›  ".join(s.title for s in screens.path_to(screen.name)))
        for button in self.child_buttons:
            button.deleteLater()
        self.child_buttons = []
        for child in screens.children(screen.name):
            button = self._button(
                child.title, lambda _=False, n=child.name: self.window_.go_to(n), "navChild"
            )
            self.children_box.addWidget(button)
            self.child_buttons.append(button)


class MainWindow(QMainWindow):
    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        screens_folder: str | Path | None,
        *,
        profile: Profile,
        writer: Writer | None = None,
        theme: Theme = DEFAULT_THEME,
        watch: bool = True,
    ):
        super().__init__()
        self.project = project
        self.bridge = bridge
        self.profile = profile
        self.theme = theme
        self.history: list[str] = []
        self.writes = WriteController(writer, parent=self)
        self.writes.finished.connect(self.show_write_result)
        self.dialog: Any = None
        self.setWindowTitle(f"{project.name} — Linea HMI")
        self.setObjectName("mainWindow")
        context = SymbolContext(project, theme=theme, touch=profile.touch)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.header = Header(project, bridge, parent=central)
        self.host = ScreenHost(
            project, bridge, screens_folder, context, watch=watch, parent=central
        )
        self.nav = NavBar(self)
        self.message = QLabel("", central)
        self.message.setObjectName("messageBar")
        self.message.hide()
        layout.addWidget(self.header)
        layout.addWidget(self.nav)
        layout.addWidget(self.message)
        layout.addWidget(self.host, 1)
        self.setCentralWidget(central)
        self.host.activated.connect(self.activate)
        self.host.screen_changed.connect(self._screen_shown)
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message.hide)
        if profile.touch:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            self.host.view.min_target_px = profile.target_px
        self.setStyleSheet(theme.stylesheet(profile.chrome_scale) + self._profile_style())

    def _profile_style(self) -> str:
        target = round(self.profile.target_px)
        font = round(self.profile.font_px)
        return (
            f"QPushButton {{ min-height: {target}px; min-width: {target}px; }}\n"
            f"QWidget {{ font-size: {font}px; }}\n"
        )

    # -- navigation ----------------------------------------------------------------------

    def go_to(self, name: str, *, remember: bool = True) -> bool:
        current = self.host.current_screen
        if current is not None and current.name == name:
            return True
        if not self.host.show_screen(name):
            self.show_message(f"There is no screen named '{name}'", problem=True)
            return False
        if remember and current is not None:
            self.history.append(current.name)
            del self.history[:-50]
        return True

    def go_home(self) -> None:
        home = self.host.screens.home
        if home is not None:
            self.go_to(home.name)

    def go_back(self) -> None:
        while self.history:
            if self.go_to(self.history.pop(), remember=False):
                return

    def go_up(self) -> None:
        current = self.host.current_screen
        if current is not None and current.parent:
            self.go_to(current.parent)

    def _screen_shown(self, screen: ScreenDef) -> None:
        self.header.show_screen(screen)
        self.nav.show_screen(screen, bool(self.history))

    # -- symbols the operator touched --------------------------------------------------

    def activate(self, symbol: Symbol) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return  # one action per touch
        if isinstance(symbol, Nav):
            self.go_to(symbol.props["target"])
        elif isinstance(symbol, Setpoint):
            self.ask_setpoint(symbol.tag or "")
        elif isinstance(symbol, Command):
            self.ask_command(symbol)
        elif symbol.props.get("faceplate"):
            self.go_to(symbol.props["faceplate"])
        elif symbol.tag:
            self.open_faceplate(symbol.tag, band_text(symbol))

    def _open(self, dialog: Any) -> Any:
        self.dialog = dialog
        dialog.setStyleSheet(self.styleSheet())
        if self.profile.touch:
            dialog.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        return dialog

    def open_faceplate(self, tag: str, extra: str = "") -> Faceplate:
        faceplate = Faceplate(self.project, self.bridge, tag, extra=extra, parent=self)
        faceplate.change_requested.connect(self._change_from_faceplate)
        return self._open(faceplate)

    def _change_from_faceplate(self, tag: str) -> None:
        if self.dialog is not None:
            self.dialog.close()
        self.ask_setpoint(tag)

    def ask_setpoint(self, tag: str) -> SetpointDialog:
        dialog = SetpointDialog(
            self.project, tag, self.bridge.value(tag), touch=self.profile.touch, parent=self
        )
        dialog.accepted.connect(lambda: self.confirm_write(tag, dialog.value))
        return self._open(dialog)

    def ask_command(self, symbol: Command) -> ConfirmDialog | None:
        tag = symbol.tag or ""
        try:
            value = check_write(self.project, tag, symbol.props.get("value", True))
        except WriteRefused as exc:
            self.show_write_result(tag, "refused", str(exc))
            return None
        question = symbol.props.get("confirm") or f"{symbol.text()}?"
        dialog = ConfirmDialog(question, f"Sends {value!r} to {tag}.", symbol.text(), parent=self)
        dialog.accepted.connect(lambda: self.writes.send(tag, value))
        return self._open(dialog)

    def confirm_write(self, tag: str, value: Any) -> ConfirmDialog:
        config = self.project.tags.get(tag)
        units = f" {config.units}" if config is not None and config.units else ""
        now = format_tag_value(config, self.bridge.value(tag))
        dialog = ConfirmDialog(
            f"Set {describe(config, tag)} to {value:g}{units}?"
            if isinstance(value, int | float) and not isinstance(value, bool)
            else f"Set {describe(config, tag)} to {value}?",
            f"Now: {now}. Tag: {tag}.",
            parent=self,
        )
        dialog.accepted.connect(lambda: self.writes.send(tag, value))
        self.dialog = None
        return self._open(dialog)

    # -- messages ------------------------------------------------------------------------

    def show_write_result(self, tag: str, status: str, message: str) -> None:
        config = self.project.tags.get(tag)
        name = describe(config, tag)
        if status == "done":
            self.show_message(f"✓ {name}: done ({message})")
        else:
            self.show_message(f"✗ {name}: {status} — {message}", problem=True)

    def show_message(self, text: str, problem: bool = False) -> None:
        """A message for the operator; problems are shown inverted, not coloured."""
        self.message.setText(text)
        if self.message.property("problem") != problem:
            self.message.setProperty("problem", problem)
            self.message.style().unpolish(self.message)
            self.message.style().polish(self.message)
        self.message.show()
        self._message_timer.start(MESSAGE_SECONDS * 1000)

    def start(self, screen: str | None = None) -> None:
        """Show the first screen: the one asked for, else the top of the hierarchy."""
        target = self.host.screens.get(screen) or self.host.screens.home
        if screen and self.host.screens.get(screen) is None:
            self.show_message(f"There is no screen named '{screen}'", problem=True)
        if target is not None:
            self.host.show_screen(target.name)
        else:
            self.show_message("This project has no screens", problem=True)
