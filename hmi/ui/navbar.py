"""Navigation in the same place on every screen: home, back, up, where you are, what is below.

On the desk a screen can also be opened in a window of its own: middle-click or Ctrl+click
a navigation button, or the "new window" button for the screen being shown. Nothing needs
a right click or a hover.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLayout,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.core.project.models import Project
from hmi.core.screens import ScreenDef
from hmi.ui.header import ElidedLabel, invalidate_all
from hmi.ui.i18n import project_text, translate

if TYPE_CHECKING:
    from hmi.ui.panel import ScreenPanel

PANE_KEYS = ("window", "split", "unsplit")  # a pane's own buttons stay in sight


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


def screen_title(project: Project, screen: ScreenDef) -> str:
    """A screen's title in the operator's language."""
    return project_text(project, screen.title, "Screens")


class ScreenList(QDialog):
    """Every screen of the project in hierarchy order: a list that scrolls by dragging."""

    chosen = Signal(str)

    def __init__(
        self,
        screens: list[ScreenDef],
        current: str,
        parent: QWidget | None = None,
        project: Project | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("screenList")
        self.project = project
        self.screens = screens
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        self.list.setObjectName("screenListItems")
        for screen in screens:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, screen.name)
            self.list.addItem(item)
            if screen.name == current:
                self.list.setCurrentItem(item)
        self.list.itemClicked.connect(self._chosen)
        layout.addWidget(self.list, 1)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.reject)
        layout.addWidget(self.close_button)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(translate("NavBar", "Screens"))
        self.close_button.setText(translate("NavBar", "Close"))
        for row, screen in enumerate(self.screens):
            title = screen_title(self.project, screen) if self.project else screen.title
            self.list.item(row).setText("    " * (screen.level - 1) + title)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def _chosen(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))
        self.accept()


class NavBar(QWidget):
    """Home, back, up, the path, the screens below this one, and the extras (new window,
    side by side, what capabilities add).

    Buttons say their word beside their symbol while the bar has the room; narrower, they
    keep the symbol alone (a desk tooltip names them). In the touch profile the bar sits in
    the header's row (``in_header``): no path there, the header title says where."""

    contents_changed = Signal()  # buttons came or went: whoever lays it out looks again

    def __init__(self, panel: ScreenPanel, *, extras: bool, in_header: bool = False):
        super().__init__(panel)
        self.setObjectName("navBar")
        self.panel = panel
        self.in_header = in_header
        self.touch = panel.operator.profile.touch
        self.layout_ = QHBoxLayout(self)
        margins = (0, 0, 0, 0) if in_header else (8, 4, 8, 4)
        self.layout_.setContentsMargins(*margins)
        self.layout_.setSpacing(round(panel.operator.profile.gap_px))
        if not in_header:  # the panel decides the width; the words give way, never the window
            self.layout_.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
            self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.home = self._button(panel.go_home, "navHome")
        self.back = self._button(panel.go_back, "navBack")
        self.up = self._button(panel.go_up, "navUp")
        self.all = self._button(self.choose_screen, "navAll")
        for button in (self.home, self.back, self.up, self.all):
            self.layout_.addWidget(button)
        # the way to this screen; where it does not fit, the screen's own title, cut "…"
        self.path = ElidedLabel("", self)
        self.path.setObjectName("navPath")
        self.path.setVisible(not in_header)
        self.layout_.addWidget(self.path, 0 if in_header else 1)
        self.children_box = QHBoxLayout()
        self.children_box.setSpacing(round(panel.operator.profile.gap_px))
        self.layout_.addLayout(self.children_box)
        self.child_buttons: list[NavButton] = []
        self.extra_buttons: dict[str, QPushButton] = {}
        if extras:
            self.extra_buttons["window"] = self._button(panel.open_in_window, "navWindow")
            self.layout_.addWidget(self.extra_buttons["window"])
        self.extra_words: dict[str, Callable[[], tuple[str, str]]] = {}
        # the extras that did not fit with their words, reached through "More"
        self.more = self._button(self.show_more, "navMore")
        self.more.hide()
        self.layout_.addWidget(self.more)
        # ... kept on a hidden shelf, out of the row: their own shown/hidden flag stays what
        # their owner set (a page that hides its entry while folded stays hidden after)
        self.shelf = QWidget(self)
        self.shelf.hide()
        self.overflow: list[QPushButton] = []
        self._fitting = self._folding = False
        self.screen_list: ScreenList | None = None
        self.compact = False
        self.words = True  # the words beside the symbols of home, back, up, screens
        self.extras_words = True  # ... and beside the other buttons' symbols
        self.children_shown = True
        self.path_text = ""
        self.screen: ScreenDef | None = None
        self.retranslate()

    def set_compact(self, compact: bool) -> None:
        """Half a window wide (side by side): no path and no child buttons (the screen list
        reaches them); the buttons keep their words while they fit."""
        self.compact = compact
        self.show_path()
        self.show_children(not compact)
        self.fit_words()

    def show_path(self) -> None:
        """The way to this screen (none when compact: half a window has no room)."""
        here = self.title(self.screen) if self.screen is not None else ""
        if self.compact:
            self.path.set_full_text("")
        else:
            self.path.set_full_text(self.path_text, here if here != self.path_text else "")

    def show_children(self, shown: bool) -> None:
        self.children_shown = shown
        for button in self.child_buttons:
            button.setVisible(shown)

    def set_words(self, words: bool, extras: bool | None = None) -> None:
        """Words beside the symbols of home, back, up and screens (``words``) and of the
        other buttons (``extras``, default the same): their symbols are less known."""
        extras = words if extras is None else extras
        if (words, extras) != (self.words, self.extras_words):
            self.words, self.extras_words = words, extras
            self.retranslate()

    def fit_words(self) -> None:
        """Words beside the symbols if the bar is wide enough for them; else the well-known
        symbols of home, back, up and screens go without theirs first, then the last
        other buttons move into a "More" menu, with their words (a bare symbol of a
        page is a riddle); only when none is left beside it do the symbols go bare."""
        if self.in_header or self.width() <= 0 or self._fitting:
            return
        self._fitting = True
        try:
            self._fit()
        finally:
            self._fitting = False

    def _fit(self) -> None:
        self.fold(0)
        for words in (True, False):
            self.set_words(words, True)
            if self._fits():
                return
        for count in range(2, len(self.movable()) + 1):  # one alone: "More" takes its room
            self.fold(count)
            if self._fits():
                return
        self.fold(0)  # not even one fits beside "More": symbols alone, all in sight
        self.set_words(False, False)

    def movable(self) -> list[QPushButton]:
        """The buttons that may move into "More": those their owner shows, but a pane's."""
        return [
            button
            for key, button in self.extra_buttons.items()
            if key not in PANE_KEYS and not button.isHidden()
        ]

    def fold(self, count: int) -> None:
        """The last ``count`` movable buttons into the "More" menu (0: all in the row)."""
        self._folding = True
        try:
            for button in self.overflow:  # back into the row, in their order, as they were
                hidden = button.isHidden()
                button.setParent(self)
                self.layout_.insertWidget(self._row_index(button), button)
                button.setVisible(not hidden)
            movable = self.movable()
            self.overflow = movable[len(movable) - count :] if count > 0 else []
            for button in self.overflow:
                hidden = button.isHidden()
                self.layout_.removeWidget(button)
                button.setParent(self.shelf)
                button.setVisible(not hidden)  # shown on the shelf: hidden with it
            self.more.setVisible(bool(self.overflow))
        finally:
            self._folding = False

    def _row_index(self, button: QPushButton) -> int:
        """Where ``button`` goes back: before the next button of the row, else "More"."""
        keys = list(self.extra_buttons)
        key = next(k for k, b in self.extra_buttons.items() if b is button)
        for later in keys[keys.index(key) + 1 :]:
            index = self.layout_.indexOf(self.extra_buttons[later])
            if index >= 0:
                return index
        return self.layout_.indexOf(self.more)

    def _fits(self) -> bool:
        invalidate_all(self.layout_)
        return self.layout_.sizeHint().width() <= self.width()

    def show_more(self) -> None:
        """The buttons that did not fit, as a menu under "More"."""
        menu = QMenu(self)
        menu.setObjectName("navMoreMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        profile = self.panel.operator.profile  # each entry a target for a finger
        font = QFont(menu.font())
        font.setPixelSize(round(profile.font_px))
        pad = max(4, math.ceil((profile.target_px - QFontMetrics(font).height()) / 2) + 1)
        menu.setStyleSheet(
            f"QMenu {{ font-size: {round(profile.font_px)}px; }}"
            f"QMenu::item {{ padding: {pad}px {round(profile.gap_px * 3)}px; }}"
        )
        for button in self.overflow:
            if not button.isHidden():  # its owner may have hidden it since
                menu.addAction(button.accessibleName(), button.click)
        menu.popup(self.more.mapToGlobal(self.more.rect().bottomLeft()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """An extra shown or hidden by its owner: fit the bar again, once things settle."""
        kind = event.type()
        if self._fitting or self._folding:
            return False
        if kind in (QEvent.Type.ShowToParent, QEvent.Type.HideToParent):
            if self.in_header:  # the header fits its row, this bar's buttons with it
                QTimer.singleShot(0, self, self.contents_changed.emit)
            else:
                QTimer.singleShot(0, self, self.fit_words)
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_words()

    def add_extra(
        self, key: str, slot, name: str, words: Callable[[], tuple[str, str]] | None = None
    ) -> QPushButton:
        """One more button; ``words()`` gives its symbol and (translated) word, asked
        again on every change of language."""
        button = self._button(slot, name)
        self.extra_buttons[key] = button
        if words is not None:
            self.extra_words[key] = words
        self.layout_.insertWidget(self.layout_.indexOf(self.more), button)
        button.installEventFilter(self)
        self.retranslate()
        self.fit_words()
        self.contents_changed.emit()
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
            "more": ("⋯", translate("NavBar", "More")),
            "window": ("⊞", translate("NavBar", "New window")),
            "split": ("◫", translate("NavBar", "Side by side")),
            "unsplit": ("✕", translate("NavBar", "Close pane")),
        }
        for key, button in self.extra_buttons.items():
            own = self.extra_words.get(key)
            words[button] = own() if own is not None else extras.get(key, ("", key))
        words[self.more] = extras["more"]
        basic = (self.home, self.back, self.up, self.all)
        for button, (symbol, word) in words.items():
            worded = self.words if button in basic else self.extras_words
            button.setText(f"{symbol} {word}" if worded else symbol)
            button.setToolTip("" if worded or self.touch else word)
            button.setAccessibleName(word)
        if "window" in self.extra_buttons and self.extras_words:
            self.extra_buttons["window"].setToolTip(
                translate("NavBar", "Also: middle-click or Ctrl+click a screen button")
            )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.show_titles()
            self.fit_words()

    def title(self, screen: ScreenDef) -> str:
        return screen_title(self.panel.operator.project, screen)

    def show_titles(self) -> None:
        """The path and the buttons of the screens below, in the operator's language."""
        if self.screen is None:
            return
        screens = self.panel.host.screens
        self.path_text = "  ›  ".join(self.title(s) for s in screens.path_to(self.screen.name))
        self.show_path()
        children = {child.name: child for child in screens.children(self.screen.name)}
        for button in self.child_buttons:
            child = children.get(button.target)
            if child is not None:
                button.setText(self.title(child))

    def show_screen(self, screen: ScreenDef, has_history: bool) -> None:
        screens = self.panel.host.screens
        self.screen = screen
        self.back.setEnabled(has_history)
        self.up.setEnabled(screens.get(screen.parent) is not None)
        self.home.setEnabled(screens.home is not None and screens.home.name != screen.name)
        self.path_text = "  ›  ".join(self.title(s) for s in screens.path_to(screen.name))
        self.show_path()
        for button in self.child_buttons:
            self.children_box.removeWidget(button)
            button.hide()
            button.deleteLater()
        self.child_buttons = []
        for child in screens.children(screen.name):
            button = NavButton(self.title(child), child.name, self)
            button.go.connect(self.panel.navigate)
            button.setVisible(self.children_shown)
            self.children_box.addWidget(button)
            self.child_buttons.append(button)
        self.fit_words()
        self.contents_changed.emit()

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
        project = self.panel.operator.project
        dialog = ScreenList(ordered, current.name if current else "", self.window(), project)
        dialog.chosen.connect(lambda name: self.panel.go_to(name))
        self.screen_list = dialog
        self.panel.operator.show_dialog(dialog, self.window())
        return dialog
