"""Shows a screen and keeps it live: symbols bound to the bridge, scaled to the window.

Every window, split pane and popup has a host; they share one ``ScreenLibrary`` (and its
hot reload) and one bridge. When the library reloads, a host whose screen changed shows
the new version; if the file has problems, the last good version stays on screen and the
problems are shown above it. A host that is hidden (another page, a minimised window) lets
its screen go quiet until shown again. A host in the touch profile shows a screen's touch
variant where it has one (``NAME.touch.yaml``), on the desk its desk variant.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hmi.core.project.models import Problem, Project
from hmi.core.screens import ScreenDef, Screens
from hmi.ui.bridge import TagBridge
from hmi.ui.i18n import translate
from hmi.ui.library import ScreenLibrary
from hmi.ui.scene import ScreenScene, ScreenView
from hmi.ui.symbols import Symbol, SymbolContext

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 6
TREND_TICK_MS = 1000


class ScreenHost(QWidget):
    """A screen area: the view, the reload problems, following the library."""

    screen_changed = Signal(object)  # ScreenDef
    activated = Signal(object, bool)  # Symbol, open in a new window
    screens_reloaded = Signal(list)  # problems

    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        screens: ScreenLibrary | str | Path | None,
        context: SymbolContext | None = None,
        *,
        watch: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.project = project
        self.bridge = bridge
        if not isinstance(screens, ScreenLibrary):
            screens = ScreenLibrary(project, screens, watch=watch, parent=self)
        self.library = screens
        self.context = context or SymbolContext(project)
        self.context.activate = self._activate
        self.station = "touch" if self.context.touch else "desk"
        self.shown = False
        self.current: ScreenScene | None = None
        self.switch_seconds = 0.0
        self.view = ScreenView(self)
        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("screenProblems")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.problem_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.view, 1)
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._refresh_trends)
        self._tick.start(TREND_TICK_MS)
        self.library.reloaded.connect(self._library_reloaded)
        self._show_problems()

    # -- screens -------------------------------------------------------------------------

    @property
    def screens(self) -> Screens:
        return self.library.screens

    @property
    def problems(self) -> list[Problem]:
        return self.library.problems

    @property
    def folder(self) -> Path | None:
        return self.library.folder

    def set_screens(self, screens: Screens, problems: list[Problem] | None = None) -> None:
        self.library.set_screens(screens, problems)

    def reload(self) -> None:
        self.library.reload()

    @property
    def current_screen(self) -> ScreenDef | None:
        return self.current.screen if self.current is not None else None

    def show_screen(self, name: str) -> bool:
        screen = self.screens.get(name)
        if screen is None:
            log.warning("no screen named %s", name)
            return False
        self._render(screen)
        return True

    def _render(self, screen: ScreenDef) -> None:
        started = time.perf_counter()
        screen = screen.for_station(self.station)
        old = self.current
        if old is not None:
            old.unbind()
        scene = ScreenScene(screen, self.context)
        scene.bind(self.bridge, live=self.shown)
        self.current = scene
        self.view.setScene(scene)
        self.view.fit()
        if old is not None:
            old.deleteLater()
        self.switch_seconds = time.perf_counter() - started
        self.screen_changed.emit(screen)

    def close_screen(self) -> None:
        """Let go of the screen (its tags unbound); the host shows nothing until told."""
        if self.current is not None:
            self.current.unbind()
            self.view.setScene(None)
            self.current.deleteLater()
            self.current = None

    def _library_reloaded(self, problems: list[Problem]) -> None:
        self._show_problems()
        current = self.current_screen
        if current is not None:
            replacement = self.screens.get(current.name)
            if replacement is not None and replacement.for_station(self.station) != current:
                self._render(replacement)
            elif replacement is None and self.screens.home is not None:
                self._render(self.screens.home)
        self.screens_reloaded.emit(problems)

    def _activate(self, symbol: Symbol, new_window: bool = False) -> None:
        self.activated.emit(symbol, new_window)

    def _refresh_trends(self) -> None:
        if self.current is not None and self.shown:
            for spark in self.current.sparklines:
                spark.update()

    # -- visibility and language -----------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown = True
        if self.current is not None:
            self.current.set_live(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.shown = False
        if self.current is not None:
            self.current.set_live(False)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.context.theme.forget_texts()
            if self.current is not None:
                self.current.retranslate()
            self._show_problems()

    def _show_problems(self) -> None:
        problems = self.problems
        if not problems:
            self.problem_label.hide()
            return
        lines = [str(p) for p in problems[:MAX_PROBLEMS_SHOWN]]
        more = len(problems) - len(lines)
        if more > 0:
            lines.append(translate("ScreenHost", "... and {count} more").format(count=more))
        heading = translate("ScreenHost", "Screen file problems (the last good version is shown):")
        self.problem_label.setText(heading + "\n" + "\n".join(lines))
        self.problem_label.show()
