"""A screen with its navigation and its messages: the unit a window is made of.

The main window has one (two side by side on the desk); every extra window has one. Each
keeps its own history, so back and up work per panel, while they all share the project's
screens, the bridge and the operator's actions. Messages (how a write went, ...) float
over the bottom edge of the screen: they never push it down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hmi.core.screens import ScreenDef
from hmi.ui.i18n import translate
from hmi.ui.navbar import NavBar
from hmi.ui.notice import ResultToast
from hmi.ui.renderer import ScreenHost
from hmi.ui.symbols import Symbol, SymbolContext
from hmi.ui.writes import GATE_KEY

if TYPE_CHECKING:
    from hmi.ui.operator import Operator

MAX_HISTORY = 50


class ScreenPanel(QWidget):
    def __init__(self, operator: Operator, *, extras: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("screenPanel")
        self.operator = operator
        self.history: list[str] = []
        context = SymbolContext(
            operator.project,
            theme=operator.theme,
            touch=operator.profile.touch,
            alarm_links=operator.alarm_links,
            history=operator.history,  # mini-trends open with their past
            extra={GATE_KEY: operator.gate},  # write controls show why they are disabled
        )
        self.host = ScreenHost(
            operator.project, operator.bridge, operator.library, context, parent=self
        )
        if operator.profile.touch:
            self.host.view.min_target_px = operator.profile.target_px
        touch = operator.profile.touch  # the navigation goes into the header's row
        self.nav = NavBar(self, extras=extras and not touch, in_header=touch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        if not touch:
            layout.addWidget(self.nav)
        if operator.trends is not None:  # touch and hold (desk: Shift+click) opens a trend
            operator.trends.install_hold(
                self.host.view, self, allowed=lambda: not operator.busy(self)
            )
        layout.addWidget(self.host, 1)
        self.host.activated.connect(self._activated)
        self.host.screen_changed.connect(self._screen_shown)
        # over the screen's bottom edge, in no layout: a message never moves the screen
        self.toast = ResultToast(self.host, operator.theme, operator.profile.target_px, self)
        self.message = self.toast.label
        self._follow_user()

    def _follow_user(self) -> None:
        """The window's header says who operates; the write checks follow it."""
        header = getattr(self.window(), "header", None)
        if header is not None:
            self.operator.follow_header(header)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._follow_user()  # a panel moved into another window

    # -- navigation ----------------------------------------------------------------------

    def go_to(self, name: str, *, remember: bool = True) -> bool:
        current = self.host.current_screen
        if current is not None and current.name == name:
            return True
        if not self.host.show_screen(name):
            self.show_message(
                translate("Panel", "There is no screen named '{name}'").format(name=name),
                problem=True,
            )
            return False
        if remember and current is not None:
            self.history.append(current.name)
            del self.history[:-MAX_HISTORY]
        return True

    def navigate(self, name: str, new_window: bool = False) -> None:
        """Go to a screen here, or (desk) in a window of its own."""
        if new_window and self.operator.can_open_windows:
            self.operator.open_window(name)
        else:
            self.go_to(name)

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

    def open_in_window(self) -> None:
        current = self.host.current_screen
        if current is not None:
            self.operator.open_window(current.name)

    def _screen_shown(self, screen: ScreenDef) -> None:
        self.nav.show_screen(screen, bool(self.history))

    def _activated(self, symbol: Symbol, new_window: bool) -> None:
        self.operator.activate(symbol, new_window, self, self.window())

    # -- messages ------------------------------------------------------------------------

    def show_write_result(self, tag: str, status: str, message: str) -> None:
        """A good result fades; a refusal or a failure stays until dismissed."""
        name = self.operator.describe(tag)
        words = {
            "done": translate("Panel", "done"),
            "refused": translate("Panel", "refused"),
            "failed": translate("Panel", "failed"),
        }
        text = f"{name}: {words.get(status, status)}"
        if status == "done":
            self.show_message(f"✓ {text}" + (f" ({message})" if message else ""))
        else:
            self.show_message(f"✗ {text} — {message}", problem=True)

    def show_message(self, text: str, problem: bool = False) -> None:
        """A message for the operator over the screen's bottom edge; problems are shown
        inverted, not coloured, and stay until dismissed."""
        self.toast.say(text, problem)
