"""The operator's windows: the main window and, on the desk, screens in windows of their own.

Every window has the same header (plant, devices, user, clock, alarm banner, language) and
panels made of navigation, messages and a screen. *touch*: one frameless full-screen kiosk
window whose header and navigation share one finger-high row; every entry field gets our
on-screen keypad or keyboard; lists scroll by dragging. *desk*: a normal window that can
show two screens side by side (at one scale) and open screens in extra windows; all of
them share the one bridge, the screens and the writes.

Windows opened over a screen (a trend, a popup) go in ``content_area()``, under the header
and the bands below it, so they never cover the alarm banner; ``content_changed`` says when
that area moved (the banner grew with standing alarms).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRect, Qt, Signal
from PySide6.QtGui import QCloseEvent, QMoveEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QVBoxLayout, QWidget

from hmi.core.project.models import Project
from hmi.core.screens import ScreenDef
from hmi.core.systemtags import DEVICE_TAG_PREFIX
from hmi.ui.bridge import TagBridge
from hmi.ui.capability import CapabilityViews, build_views
from hmi.ui.entry import TouchInput
from hmi.ui.header import Header
from hmi.ui.i18n import project_text, translate
from hmi.ui.library import ScreenLibrary
from hmi.ui.operator import Operator
from hmi.ui.pages import PageArea, Words
from hmi.ui.panel import ScreenPanel
from hmi.ui.profile import Profile, make_profile
from hmi.ui.scene import ScaleGroup
from hmi.ui.symbols import Symbol
from hmi.ui.theme import DEFAULT_THEME, Theme
from hmi.ui.writes import WriteController, Writer

log = logging.getLogger(__name__)

__all__ = ["MainWindow", "Profile", "ScreenWindow", "make_profile"]


BUTTON_BORDER_PX = 2  # QPushButton's border in the theme's stylesheet
BUTTON_PADDING = (4, 14)  # its padding (vertical, horizontal), before the profile's scale
CHIP_PADDING, CHIP_BORDER_PX = 3, 2  # a device chip's vertical padding and its border

#: (key, what it does given the screen panel, its symbol and translated word)
ScreenAction = tuple[str, Callable[[ScreenPanel], Any], Callable[[], tuple[str, str]]]


def profile_style(theme: Theme, profile: Profile) -> str:
    target, font, key = round(profile.target_px), round(profile.font_px), round(profile.key_px)
    # min-height counts the content only: a button is a target high, padding and border in
    pad_v, pad_h = (round(p * profile.chrome_scale) for p in BUTTON_PADDING)
    inner_h = max(1, target - 2 * (pad_v + BUTTON_BORDER_PX))
    inner_w = max(1, target - 2 * (pad_h + BUTTON_BORDER_PX))
    chip_h = max(1, target - 2 * (round(CHIP_PADDING * profile.chrome_scale) + CHIP_BORDER_PX))
    return theme.stylesheet(profile.chrome_scale) + (
        f"QPushButton {{ min-height: {inner_h}px; min-width: {inner_w}px; }}\n"
        f"QPushButton#deviceChip {{ min-height: {chip_h}px; }}\n"
        f"QPushButton#keypadKey {{ min-height: {key}px; min-width: {key}px; }}\n"
        f"QWidget {{ font-size: {font}px; }}\n"
        f"QListWidget::item {{ min-height: {target}px; }}\n"
    )


class OperatorWindow(QMainWindow):
    """What the main window and the extra windows share: header and a body of panels."""

    content_changed = Signal()  # the area under the header and its bands moved or resized

    def __init__(self, operator: Operator, parent: QWidget | None = None):
        super().__init__(parent)
        self.operator = operator
        self.project = operator.project
        self.bridge = operator.bridge
        self.profile = operator.profile
        self.theme = operator.theme
        central = QWidget(self)
        self.body = QVBoxLayout(central)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(0)
        self.header = Header(self.project, self.bridge, compact=self.profile.touch, parent=central)
        self.header.device_chosen.connect(self.show_device)
        self.body.addWidget(self.header)
        self.setCentralWidget(central)
        self.panel = ScreenPanel(operator, extras=True, parent=central)
        self.panel.host.screen_changed.connect(self._screen_shown)
        if self.profile.touch:  # one row for header and navigation
            self.header.add_navigation(self.panel.nav)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setStyleSheet(profile_style(self.theme, self.profile))

    # the main panel, under the names the rest of the application uses
    @property
    def host(self):
        return self.panel.host

    @property
    def nav(self):
        return self.panel.nav

    @property
    def message(self):
        return self.panel.message

    @property
    def history(self) -> list[str]:
        return self.panel.history

    @property
    def dialog(self) -> Any:
        return self.operator.dialog

    def go_to(self, name: str, *, remember: bool = True) -> bool:
        return self.panel.go_to(name, remember=remember)

    def go_home(self) -> None:
        self.panel.go_home()

    def go_back(self) -> None:
        self.panel.go_back()

    def go_up(self) -> None:
        self.panel.go_up()

    def activate(self, symbol: Symbol, new_window: bool = False) -> Any:
        return self.operator.activate(symbol, new_window, self.panel, self)

    def show_message(self, text: str, problem: bool = False) -> None:
        self.panel.show_message(text, problem)

    def show_write_result(self, tag: str, status: str, message: str) -> None:
        self.panel.show_write_result(tag, status, message)

    def add_header_item(self, widget: QWidget) -> None:
        """An item in the header of this window (its views add one per extra window too)."""
        self.header.add_item(widget)

    def add_screen_actions(self, panel: ScreenPanel, actions: Sequence[ScreenAction]) -> None:
        for key, action, words in actions:
            panel.nav.add_extra(key, lambda _=False, a=action: a(panel), f"nav_{key}", words)

    def content_area(self) -> QRect:
        """Where windows over the screen go, in global coordinates: under the header and
        the bands below it (the alarm banner), so they never cover them."""
        central = self.centralWidget()
        top = 0
        for index in range(self.body.count()):  # the first that takes the room left
            widget = self.body.itemAt(index).widget()
            if widget is not None and not widget.isHidden() and self.body.stretch(index) > 0:
                top = widget.geometry().top()
                break
        area = central.rect().adjusted(0, top, 0, 0)
        return QRect(central.mapToGlobal(area.topLeft()), area.size())

    def watch_content(self, widget: QWidget) -> None:
        """``widget`` fills the area under the bands: its moves are the area's."""
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show):
            self.content_changed.emit()
        return super().eventFilter(watched, event)

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        self.content_changed.emit()

    def show_device(self, device: str) -> Any:
        """A device chip was touched: its connection faceplate, with the reason."""
        return self.operator.open_faceplate(DEVICE_TAG_PREFIX + device, self.panel, self)

    def _screen_shown(self, screen: ScreenDef) -> None:
        self.header.show_screen(screen)
        self.update_title()

    def update_title(self) -> None:
        screen = self.host.current_screen
        title = project_text(self.project, screen.title, "Screens") if screen is not None else ""
        where = f"{title} — " if title else ""
        plant = project_text(self.project, self.project.name, "Project")
        self.setWindowTitle(f"{where}{plant} — Linea HMI")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.update_title()


class MainWindow(OperatorWindow):
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
        data_dir: str | Path | None = None,
        services: Mapping[str, Any] | None = None,
        views: Sequence[type[CapabilityViews]] | None = None,
    ):
        """``services`` are the running capabilities' (``Runtime.services``); ``views``
        the capabilities' view classes (default: every installed one)."""
        library = ScreenLibrary(project, screens_folder, watch=watch)
        writes = WriteController(writer)
        operator = Operator(project, bridge, library, profile, theme, writes)
        operator.data_dir = data_dir
        operator.access = getattr(writer, "access", None)
        self.views = build_views(services or {}, views)
        for view in self.views:  # what every window's screens share, before the first one
            view.configure(operator)
        super().__init__(operator)
        self.setObjectName("mainWindow")
        self.library, self.writes = library, writes
        for child in (library, writes, operator):
            child.setParent(self)
        operator.set_window_opener(self.open_window, self.styleSheet)
        self.windows: list[ScreenWindow] = []
        self.split: ScreenPanel | None = None
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self.centralWidget())
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.panel)
        self.body.addWidget(self.splitter, 1)
        self.pages = PageArea(self.centralWidget())
        self.pages.closed.connect(self.close_page)
        self.pages.hide()
        self.body.addWidget(self.pages, 1)
        self.watch_content(self.splitter)
        self.watch_content(self.pages)
        self.scales = ScaleGroup()  # the panes side by side
        self.screen_actions: list[ScreenAction] = []
        self.touch_input: TouchInput | None = None
        if profile.touch:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.touch_input = TouchInput(profile, self)
            operator.touch_input = self.touch_input
        else:
            self.nav.add_extra("split", self.toggle_split, "navSplit")
        self.update_title()
        for view in self.views:
            view.install(self)

    # -- what capabilities' views plug in (hmi.ui.capability) ----------------------------

    def add_nav_entry(
        self, key: str, slot: Callable[[], Any], words: Callable[[], tuple[str, str]]
    ) -> QWidget:
        """A button in the main navigation; ``words()`` gives its symbol and translated
        word (asked again on every change of language)."""
        return self.nav.add_extra(key, slot, f"nav_{key}", words)

    def add_screen_action(
        self, key: str, action: Callable[[ScreenPanel], Any], words: Callable[[], tuple[str, str]]
    ) -> None:
        """A button in the navigation of every screen: this window's, the pane beside it and
        every extra window; ``action(panel)`` gets the panel whose button was pressed."""
        entry = (key, action, words)
        self.screen_actions.append(entry)
        for panel in [self.panel, self.split, *(w.panel for w in self.windows)]:
            if panel is not None:
                self.add_screen_actions(panel, [entry])

    def add_below_header(self, widget: QWidget, stretch: int = 0) -> None:
        """A band across the window under the header (a banner, a status strip)."""
        self.body.insertWidget(self.body.indexOf(self.header) + 1, widget, stretch)

    def add_page(self, key: str, widget: QWidget, words: Words) -> QWidget:
        """A page shown in place of the screens, opened from its navigation entry."""
        widget.setParent(self.pages)
        self.pages.add(key, widget, words)
        return self.add_nav_entry(key, lambda: self.open_page(key), words)

    def open_page(self, key: str) -> QWidget:
        page = self.pages.show_page(key)
        self.splitter.hide()
        self.pages.show()
        return page

    def close_page(self) -> None:
        self.pages.hide()
        self.splitter.show()

    def view(self, name: str) -> CapabilityViews | None:
        """The views of capability ``name`` in this window, if installed."""
        return next((view for view in self.views if view.name == name), None)

    # -- several screens at once (desk) ----------------------------------------------------

    def toggle_split(self) -> ScreenPanel | None:
        """Two screens side by side; from the overview, the lines next to each other."""
        if self.split is not None:
            self.scales.leave(self.split.host.view)
            self.scales.leave(self.host.view)
            self.split.host.close_screen()
            self.split.hide()
            self.split.deleteLater()
            self.split = None
            self.nav.set_compact(False)
            return None
        left, right = self.side_by_side_screens()
        self.split = ScreenPanel(self.operator, parent=self.splitter)
        self.add_screen_actions(self.split, self.screen_actions)
        self.split.nav.add_extra("unsplit", self.toggle_split, "navUnsplit")
        self.split.nav.set_compact(True)
        self.nav.set_compact(True)
        self.splitter.addWidget(self.split)
        self.splitter.setSizes([1, 1])
        self.scales.join(self.host.view)
        self.scales.join(self.split.host.view)
        if left is not None:
            self.go_to(left)
        if right is not None:
            self.split.go_to(right)
        return self.split

    def side_by_side_screens(self) -> tuple[str | None, str | None]:
        screens = self.library.screens
        current = self.host.current_screen
        peers = [s.name for s in screens if s.level == (current.level if current else 2)]
        if current is not None and current.level >= 2 and len(peers) > 1:
            index = peers.index(current.name)
            return current.name, peers[(index + 1) % len(peers)]
        lines = [s.name for s in screens if s.level == 2]
        if len(lines) >= 2:
            return lines[0], lines[1]
        return (current.name if current else None), (lines[0] if lines else None)

    def open_window(self, screen: str) -> ScreenWindow | None:
        """A screen in a window of its own (desk): same bridge, same header, own history."""
        if self.library.screens.get(screen) is None:
            self.show_message(
                translate("Panel", "There is no screen named '{name}'").format(name=screen),
                problem=True,
            )
            return None
        window = ScreenWindow(self.operator, screen)
        self.add_screen_actions(window.panel, self.screen_actions)
        for view in self.views:
            view.add_window(window)
        window.closed.connect(
            lambda w=window: self.windows.remove(w) if w in self.windows else None
        )
        self.windows.append(window)
        window.resize(max(800, self.width() * 2 // 3), max(500, self.height() * 2 // 3))
        window.show()
        return window

    # -- start and stop ----------------------------------------------------------------------

    def start(self, screen: str | None = None) -> None:
        """Show the first screen: the one asked for, else the top of the hierarchy."""
        screens = self.library.screens
        target = screens.get(screen) or screens.home
        if screen and screens.get(screen) is None:
            self.show_message(
                translate("Panel", "There is no screen named '{name}'").format(name=screen),
                problem=True,
            )
        if target is not None:
            self.host.show_screen(target.name)
        else:
            self.show_message(translate("Panel", "This project has no screens"), problem=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.profile.touch and event.spontaneous():
            event.ignore()  # a kiosk is not closed from the window system
            return
        for window in list(self.windows):
            window.close()
        for view in self.views:
            view.close()
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.touch_input is not None:
            self.touch_input.attach(self)


class ScreenWindow(OperatorWindow):
    """An extra window on the desk with one screen and its own navigation history."""

    closed = Signal()

    def __init__(self, operator: Operator, screen: str):
        super().__init__(operator)
        self.setObjectName("screenWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.body.addWidget(self.panel, 1)
        self.watch_content(self.panel)
        self.panel.go_to(screen)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.panel.host.close_screen()
        self.closed.emit()
        super().closeEvent(event)
