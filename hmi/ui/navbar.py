"""Navigation in the same place on every screen: home, back, up, where you are, what is below.

On the desk a screen can also be opened in a window of its own: middle-click or Ctrl+click
a navigation button, or the "new window" button for the screen being shown. Nothing needs
a right click or a hover.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.core.screens import ScreenDef
from hmi.ui.i18n import translate

if TYPE_CHECKING:
    from hmi.ui.panel import ScreenPanel


class NavButton(QPushButton):
    """A button to a screen: a plain press goes there; a middle click or Ctrl+click asks for
    a new window (desk only: the window decides)."""

    go = Signal(str, bool)  # screen name, in a new window

    def __init__(self, text: str, target: str, parent: QWidget | None = None):
        super().__init__(text, parent)
        self.target = target
        self.setObjectName("navChild")
        self.clicked.connect(self._clicked)
        self._ctrl = False

    def _clicked(self) -> None:
        self.go.emit(self.target, self._ctrl)
        self._ctrl = False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if event.button() == Qt.MouseButton.MiddleButton:
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            if self.rect().contains(event.position().toPoint()):
                self.go.emit(self.target, True)
            event.accept()
            return
        super().mouseReleaseEvent(event)


class ScreenList(QDialog):
    """Every screen of the project in hierarchy order: a list that scrolls by dragging."""

    chosen = Signal(str)

    def __init__(self, screens: list[ScreenDef], current: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("screenList")
        self.setWindowTitle(translate("NavBar", "Screens"))
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setObjectName("screenListItems")
        for screen in screens:
            item = QListWidgetItem("    " * (screen.level - 1) + screen.title)
            item.setData(Qt.ItemDataRole.UserRole, screen.name)
            self.list.addItem(item)
            if screen.name == current:
                self.list.setCurrentItem(item)
        self.list.itemClicked.connect(self._chosen)
        layout.addWidget(self.list, 1)
        close = QPushButton(translate("NavBar", "Close"), self)
        close.clicked.connect(self.reject)
        layout.addWidget(close)

    def _chosen(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.accept()


class NavBar(QWidget):
    """Home, back, up, the path, the screens below this one, and the desk's extras."""

    def __init__(self, panel: ScreenPanel, *, extras: bool):
        super().__init__(panel)
        self.setObjectName("navBar")
        self.panel = panel
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(8, 4, 8, 4)
        self.layout_.setSpacing(round(panel.operator.profile.gap_px))
        self.home = self._button(panel.go_home, "navHome")
        self.back = self._button(panel.go_back, "navBack")
        self.up = self._button(panel.go_up, "navUp")
        self.all = self._button(self.choose_screen, "navAll")
        for button in (self.home, self.back, self.up, self.all):
            self.layout_.addWidget(button)
        self.path = QLabel("", self)
        self.path.setObjectName("navPath")
        self.path.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.layout_.addWidget(self.path, 1)
        self.children_box = QHBoxLayout()
        self.children_box.setSpacing(round(panel.operator.profile.gap_px))
        self.layout_.addLayout(self.children_box)
        self.child_buttons: list[NavButton] = []
        self.extra_buttons: dict[str, QPushButton] = {}
        if extras:
            self.extra_buttons["window"] = self._button(panel.open_in_window, "navWindow")
            self.layout_.addWidget(self.extra_buttons["window"])
        self.extra_words: dict[str, Callable[[], tuple[str, str]]] = {}
        self.screen_list: ScreenList | None = None
        self.compact = False
        self.path_text = ""
        self.retranslate()

    def set_compact(self, compact: bool) -> None:
        """Half a window wide (side by side): symbols for words, no path, no child buttons
        (the screen list reaches them); on the desk a tooltip still names each button."""
        self.compact = compact
        self.path.setText("" if compact else self.path_text)
        for button in self.child_buttons:
            button.setVisible(not compact)
        self.retranslate()

    def add_extra(
        self, key: str, slot, name: str, words: Callable[[], tuple[str, str]] | None = None
    ) -> QPushButton:
        """One more button; ``words()`` gives its symbol and (translated) word, asked
        again on every change of language."""
        button = self._button(slot, name)
        self.extra_buttons[key] = button
        if words is not None:
            self.extra_words[key] = words
        self.layout_.addWidget(button)
        self.retranslate()
        return button

    def _button(self, slot, name: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    def retranslate(self) -> None:
        words = {
            self.home: ("⌂", translate("NavBar", "Home")),
            self.back: ("‹", translate("NavBar", "Back")),
            self.up: ("▲", translate("NavBar", "Up")),
            self.all: ("☰", translate("NavBar", "Screens")),
        }
        extras = {
            "window": ("⊞", translate("NavBar", "New window")),
            "split": ("◫", translate("NavBar", "Side by side")),
            "unsplit": ("✕", translate("NavBar", "Close pane")),
        }
        for key, button in self.extra_buttons.items():
            own = self.extra_words.get(key)
            words[button] = own() if own is not None else extras.get(key, ("", key))
        for button, (symbol, word) in words.items():
            button.setText(symbol if self.compact else f"{symbol} {word}")
            button.setToolTip(word if self.compact else "")
        if "window" in self.extra_buttons and not self.compact:
            self.extra_buttons["window"].setToolTip(
                translate("NavBar", "Also: middle-click or Ctrl+click a screen button")
            )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def show_screen(self, screen: ScreenDef, has_history: bool) -> None:
        screens = self.panel.host.screens
        self.back.setEnabled(has_history)
        self.up.setEnabled(screens.get(screen.parent) is not None)
        self.home.setEnabled(screens.home is not None and screens.home.name != screen.name)
        self.path_text = "  ›  ".join(s.title for s in screens.path_to(screen.name))
        self.path.setText("" if self.compact else self.path_text)
        for button in self.child_buttons:
            self.children_box.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.child_buttons = []
        for child in screens.children(screen.name):
            button = NavButton(child.title, child.name, self)
            button.go.connect(self.panel.navigate)
            button.setVisible(not self.compact)
            self.children_box.addWidget(button)
            self.child_buttons.append(button)

    def choose_screen(self) -> ScreenList:
        """The list of every screen, to jump anywhere in two touches."""
        screens = self.panel.host.screens
        ordered: list[ScreenDef] = []

        def walk(parent: str | None) -> None:
            for screen in screens:
                if screen.parent == parent and screen not in ordered:
                    ordered.append(screen)
                    walk(screen.name)

        walk(None)
        ordered += [s for s in screens if s not in ordered]  # parents that do not exist
        current = self.panel.host.current_screen
        dialog = ScreenList(ordered, current.name if current else "", self.window())
        dialog.chosen.connect(lambda name: self.panel.go_to(name))
        self.screen_list = dialog
        self.panel.operator.show_dialog(dialog, self.window())
        return dialog
