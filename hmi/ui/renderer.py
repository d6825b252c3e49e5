"""Draws a screen file and keeps it live: symbols bound to the bridge, scaled to the window.

The scene is laid out in the screen's design units and the view scales it uniformly to
fit (text and touch targets keep their proportions). The screen folder is watched: an
edited file is reloaded at once; if it has problems, the last good version stays on
screen and the problems are shown above it.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from functools import partial
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QLabel, QVBoxLayout, QWidget

from hmi.core.project.models import Problem, Project
from hmi.core.screens import ScreenDef, Screens, load_screens
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.symbols import Symbol, SymbolContext, create_symbol
from hmi.ui.symbols.indicators import Sparkline

log = logging.getLogger(__name__)

RELOAD_DELAY_MS = 250
MAX_PROBLEMS_SHOWN = 6


class ScreenScene(QGraphicsScene):
    """One screen's symbols, in design units."""

    def __init__(self, screen: ScreenDef, context: SymbolContext):
        super().__init__()
        self.screen = screen
        self.context = context
        self.setSceneRect(QRectF(0, 0, *screen.size))
        self.setBackgroundBrush(context.theme.color("background"))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        if screen.background is not None:
            svg = QGraphicsSvgItem(str(screen.background))
            svg.setZValue(-10)
            bounds = svg.boundingRect()
            if bounds.width() > 0 and bounds.height() > 0:
                svg.setScale(min(screen.size[0] / bounds.width(), screen.size[1] / bounds.height()))
            self.addItem(svg)
        self.symbols: list[Symbol] = []
        for definition in screen.symbols:
            symbol = create_symbol(definition, context)
            if definition.type in ("frame",):
                symbol.setZValue(-5)
            elif definition.type == "pipe":
                symbol.setZValue(-1)
            self.addItem(symbol)
            self.symbols.append(symbol)
        self.sparklines = [s for s in self.symbols if isinstance(s, Sparkline)]
        self._bindings: list[Binding] = []

    def bind(self, bridge: TagBridge) -> None:
        desk = not self.context.touch
        for symbol in self.symbols:
            for tag in symbol.tags:
                self._bindings.append(bridge.bind(tag, partial(_deliver, symbol, tag, desk)))
            if desk:
                symbol.setToolTip(symbol.tooltip())

    def unbind(self) -> None:
        for binding in self._bindings:
            binding.unbind()
        self._bindings.clear()


def _deliver(symbol: Symbol, tag: str, tooltips: bool, tv) -> None:
    symbol.set_value(tag, tv)
    if tooltips:
        symbol.setToolTip(symbol.tooltip())


class ScreenView(QGraphicsView):
    """Scales its scene to fit, keeping the aspect ratio; no scroll bars, no dragging."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.min_target_px = 0.0
        self.paint_times: deque[float] = deque(maxlen=2000)  # seconds per frame, newest last

    def paintEvent(self, event: QPaintEvent) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.paint_times.append(time.perf_counter() - started)

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        scene = self.scene()
        if scene is None:
            return
        self.fitInView(scene.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        if self.min_target_px and isinstance(scene, ScreenScene):
            size = self.min_target_px / max(self.scale_factor, 1e-6)
            for symbol in scene.symbols:
                if symbol.interactive or symbol.activatable:
                    symbol.set_min_target(size)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()


class ScreenHost(QWidget):
    """The screen area of the window: the view, the reload problems, the hot reload."""

    screen_changed = Signal(object)  # ScreenDef
    activated = Signal(object)  # Symbol
    screens_reloaded = Signal(list)  # problems

    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        folder: str | Path | None,
        context: SymbolContext | None = None,
        *,
        watch: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.project = project
        self.bridge = bridge
        self.folder = Path(folder) if folder is not None else None
        self.context = context or SymbolContext(project)
        self.context.activate = self._activate
        self.screens = Screens()
        self.problems: list[Problem] = []
        self.current: ScreenScene | None = None
        self.switch_seconds = 0.0
        self.view = ScreenView(self)
        self.view.setBackgroundBrush(self.context.theme.color("background"))
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
        self._tick.start(1000)
        self._watcher: QFileSystemWatcher | None = None
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.timeout.connect(self.reload)
        if self.folder is not None:
            self.screens, self.problems = load_screens(self.folder, project)
            self._show_problems()
            if watch:
                self._watch()

    # -- screens -------------------------------------------------------------------------

    def set_screens(self, screens: Screens, problems: list[Problem] | None = None) -> None:
        self.screens = screens
        self.problems = list(problems or [])
        self._show_problems()

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
        old = self.current
        if old is not None:
            old.unbind()
        scene = ScreenScene(screen, self.context)
        scene.bind(self.bridge)
        self.current = scene
        self.view.setScene(scene)
        self.view.fit()
        if old is not None:
            old.deleteLater()
        self.switch_seconds = time.perf_counter() - started
        self.screen_changed.emit(screen)

    def _activate(self, symbol: Symbol) -> None:
        self.activated.emit(symbol)

    def _refresh_trends(self) -> None:
        if self.current is not None:
            for spark in self.current.sparklines:
                spark.update()

    # -- hot reload ----------------------------------------------------------------------

    def _watch(self) -> None:
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._schedule_reload)
        self._watcher.fileChanged.connect(self._schedule_reload)
        self._rewatch()

    def _rewatch(self) -> None:
        """Editors often replace a file rather than write it: watch the folder and every file."""
        if self._watcher is None or self.folder is None or not self.folder.is_dir():
            return
        wanted = {str(self.folder)} | {
            str(p) for p in self.folder.iterdir() if p.suffix in (".yaml", ".yml")
        }
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        missing = sorted(wanted - watched)
        if missing:
            self._watcher.addPaths(missing)

    def _schedule_reload(self, _path: str = "") -> None:
        self._reload_timer.start(RELOAD_DELAY_MS)

    def reload(self) -> None:
        """Load the folder again; a file with problems keeps its last good screens."""
        if self.folder is None:
            return
        self._rewatch()
        fresh, problems = load_screens(self.folder, self.project)
        bad_files = {p.source.file for p in problems}
        merged = Screens()
        for screen in fresh:
            old = self.screens.get(screen.name)
            keep_old = screen.source.file in bad_files and old is not None
            merged.by_name[screen.name] = old if keep_old else screen
        for old in self.screens:  # a file that no longer parses at all keeps its screens
            if old.name not in merged and old.source.file in bad_files:
                merged.by_name[old.name] = old
        self.screens = merged
        self.problems = problems
        self._show_problems()
        current = self.current_screen
        if current is not None:
            replacement = merged.get(current.name)
            if replacement is not None and replacement != current:
                self._render(replacement)
            elif replacement is None and merged.home is not None:
                self._render(merged.home)
        self.screens_reloaded.emit(problems)

    def _show_problems(self) -> None:
        if not self.problems:
            self.problem_label.hide()
            return
        lines = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(self.problems) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        self.problem_label.setText(
            "Screen file problems (the last good version is shown):\n" + "\n".join(lines)
        )
        self.problem_label.show()
