"""One screen as a scene of symbols, and the view that scales it to its window.

The scene is laid out in the screen's design units and the view scales it uniformly to
fit (text and touch targets keep their proportions). Its background holds the SVG drawing
and every symbol's static part, and the view caches it as one pixmap per scale: a value
change redraws only the changed symbol's own small pixmap over it. A scene whose view is
hidden lets go of its tags, so screens nobody looks at cost nothing; only trends stay
bound, to keep their history.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from functools import partial

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmapCache, QResizeEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from hmi.core.screens import ScreenDef
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.symbols import Symbol, SymbolContext, create_symbol

BYTES_PER_PIXEL = 4
MIN_PIXMAP_CACHE_KB = 64 * 1024
STATIC_OVERHANG = (-60.0, -60.0, 60.0, 60.0)  # labels may reach this far beyond a symbol
_cache_needs: weakref.WeakKeyDictionary[QGraphicsView, int] = weakref.WeakKeyDictionary()


class SymbolScene(QGraphicsScene):
    """A scene of symbols whose static parts are drawn as its background."""

    def __init__(self, background: str = "#D6D6D6"):
        super().__init__()
        # symbols never move; a tree index only costs upkeep when a badge changes their bounds
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(QColor(background))
        self.svg: QSvgRenderer | None = None
        self._statics: list[tuple[QRectF, Symbol]] | None = None

    def add_symbol(self, symbol: Symbol) -> Symbol:
        symbol.refresh()
        self.addItem(symbol)
        self._statics = None
        return symbol

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.backgroundBrush())
        if self.svg is not None:
            self.svg.render(painter, self.svg_rect())
        if self._statics is None:
            self._statics = [
                (s.sceneBoundingRect().adjusted(*STATIC_OVERHANG), s)
                for s in sorted(self.symbols_in_scene(), key=lambda s: s.zValue())
                if s.has_static()
            ]
        for bounds, symbol in self._statics:
            if bounds.intersects(rect):
                painter.save()
                painter.translate(symbol.pos())
                symbol.paint_static(painter)
                painter.restore()

    def symbols_in_scene(self) -> list[Symbol]:
        return [item for item in self.items() if isinstance(item, Symbol)]

    def svg_rect(self) -> QRectF:
        """The SVG drawing scaled to fit the scene, aspect kept, from the top-left."""
        assert self.svg is not None
        size = self.svg.defaultSize()
        scene = self.sceneRect()
        if size.width() <= 0 or size.height() <= 0:
            return scene
        scale = min(scene.width() / size.width(), scene.height() / size.height())
        return QRectF(scene.left(), scene.top(), size.width() * scale, size.height() * scale)

    def redraw_statics(self) -> None:
        """The static parts changed (a language switch): draw the background again."""
        self._statics = None
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)


class ScreenScene(SymbolScene):
    """One screen's symbols, in design units."""

    def __init__(self, screen: ScreenDef, context: SymbolContext):
        super().__init__(context.theme.background)
        self.screen = screen
        self.context = context
        self.setSceneRect(QRectF(0, 0, *screen.size))
        if screen.background is not None:
            renderer = QSvgRenderer(str(screen.background))
            self.svg = renderer if renderer.isValid() else None
        self.symbols: list[Symbol] = []
        for definition in screen.symbols:
            symbol = create_symbol(definition, context)
            if definition.type == "frame":
                symbol.setZValue(-5)
            elif definition.type == "pipe":
                symbol.setZValue(-1)
            self.symbols.append(self.add_symbol(symbol))
        self.sparklines = [s for s in self.symbols if getattr(s, "keeps_history", False)]
        self._bindings: list[Binding] = []
        self._history_bindings: list[Binding] = []
        self.bridge: TagBridge | None = None
        self.live = False

    def symbols_in_scene(self) -> list[Symbol]:
        return self.symbols

    def bind(self, bridge: TagBridge, *, live: bool = True) -> None:
        """Follow the bridge; trends at once, the rest only while ``live`` (shown)."""
        self.unbind()
        self.bridge = bridge
        for symbol in self.sparklines:
            for tag in symbol.tags:
                self._history_bindings.append(bridge.bind(tag, _deliver(symbol, tag)))
        self.set_live(live)

    def set_live(self, live: bool) -> None:
        """Shown: bound, and brought up to date at once. Hidden: no values, no cost."""
        if live == self.live or self.bridge is None:
            return
        self.live = live
        if not live:
            for binding in self._bindings:
                binding.unbind()
            self._bindings.clear()
            return
        bridge = self.bridge
        for symbol in self.symbols:
            if symbol in self.sparklines:
                continue
            for tag in symbol.tags:
                self._bindings.append(bridge.bind(tag, _deliver(symbol, tag)))
            for link in self.context.alarm_links(symbol.tag or ""):  # its tag's alarms
                follow = partial(symbol.set_alarm_state, link.alarm_id, link.priority)
                self._bindings.append(bridge.bind(link.state_tag, follow))

    def unbind(self) -> None:
        for binding in self._bindings + self._history_bindings:
            binding.unbind()
        self._bindings.clear()
        self._history_bindings.clear()
        self.live = False
        self.bridge = None

    def retranslate(self) -> None:
        for symbol in self.symbols:
            symbol.retranslate()
        self.redraw_statics()


def _deliver(symbol: Symbol, tag: str) -> partial:
    return partial(symbol.set_value, tag)


class ScreenView(QGraphicsView):
    """Scales its scene to fit, keeping the aspect ratio; no scroll bars, no dragging."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        # symbols repaint only themselves; the region of what changed is all that is redrawn
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
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
        if isinstance(scene, ScreenScene):
            if self.min_target_px:
                size = self.min_target_px / max(self.scale_factor, 1e-6)
                for symbol in scene.symbols:
                    if symbol.interactive or symbol.activatable:
                        symbol.set_min_target(size)
            self._reserve_pixmap_cache(scene)

    def _reserve_pixmap_cache(self, scene: ScreenScene) -> None:
        """Every symbol is kept as one or two pixmaps: make room for them all, so none is
        thrown out and redrawn each frame."""
        scale = self.scale_factor
        area = sum(s.boundingRect().width() * s.boundingRect().height() for s in scene.symbols)
        _cache_needs[self] = int(area * scale * scale * BYTES_PER_PIXEL * 1.5 / 1024)
        wanted = max(MIN_PIXMAP_CACHE_KB, sum(_cache_needs.values()))
        if QPixmapCache.cacheLimit() < wanted:
            QPixmapCache.setCacheLimit(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()
