"""One screen as a scene of symbols, and the view that scales it to its window.

The scene is laid out in the screen's design units and the view scales it uniformly to
fit (text and touch targets keep their proportions); views side by side share one scale
(``ScaleGroup``). Its background holds the SVG drawing
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
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmapCache, QResizeEvent, QTransform
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from hmi.core.screens import ScreenDef
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.symbols import Symbol, SymbolContext, create_symbol
from hmi.ui.symbols.history import HistoryFill

BYTES_PER_PIXEL = 4
MIN_PIXMAP_CACHE_KB = 64 * 1024
STATIC_OVERHANG = (-60.0, -60.0, 60.0, 60.0)  # labels may reach this far beyond a symbol
CONTENT_MARGIN = 16.0  # design units kept below the lowest symbol when the screen is fitted
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
        self.history_fill: HistoryFill | None = None  # the trends' past, once per screen
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
        history = self.context.history
        if self.sparklines and history is not None and self.history_fill is None:
            self.history_fill = HistoryFill(self.sparklines, history, self.context.clock(), self)
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
            if symbol not in self.sparklines:
                for tag in symbol.tags:
                    self._bindings.append(bridge.bind(tag, _deliver(symbol, tag)))
            for tag, follow in symbol.followed():  # its alarms' states, their setpoints
                self._bindings.append(bridge.bind(tag, follow))

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
    """Scales its scene to fit, keeping the aspect ratio; no scroll bars, no dragging.

    A screen fills the view's width when its symbols fit in the height at that scale
    (empty design space under them may be cut); otherwise it fits the height, centred
    across. It is shown from the top, where the header and navigation are."""

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
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.min_target_px = 0.0
        self.group: ScaleGroup | None = None  # views side by side share one scale
        self.paint_times: deque[float] = deque(maxlen=2000)  # seconds per frame, newest last

    def paintEvent(self, event: QPaintEvent) -> None:
        started = time.perf_counter()
        super().paintEvent(event)
        self.paint_times.append(time.perf_counter() - started)

    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def fit_scale(self) -> float:
        """The largest scale at which the screen is whole in the view: it fills the width
        whenever the drawn part (the symbols, not empty design space below them) fits in
        the height at that width."""
        scene = self.scene()
        viewport = self.viewport().size()
        if scene is None or viewport.width() <= 0 or viewport.height() <= 0:
            return 1.0
        rect = scene.sceneRect()
        used = content_height(scene)
        return max(1e-3, min(viewport.width() / rect.width(), viewport.height() / max(used, 1.0)))

    def fit(self) -> None:
        """Scale the screen to fit (with the other views of its group, at their common
        scale)."""
        if self.group is not None:
            self.group.refit()
        else:
            self.apply_scale(self.fit_scale())

    def apply_scale(self, scale: float) -> None:
        scene = self.scene()
        if scene is None:
            return
        rect = scene.sceneRect()
        shown_h = max(content_height(scene), self.viewport().height() / scale)
        # the part shown: the whole width, and from the top as much height as there is room
        self.setSceneRect(
            QRectF(rect.left(), rect.top(), rect.width(), min(rect.height(), shown_h))
        )
        self.setTransform(QTransform.fromScale(scale, scale))
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


def content_height(scene: QGraphicsScene) -> float:
    """How far down the screen's symbols reach (its design height when it has none, or
    a background drawing that fills it)."""
    rect = scene.sceneRect()
    if not isinstance(scene, ScreenScene) or scene.svg is not None or not scene.symbols:
        return rect.height()
    bottom = max(s.pos().y() + s.body().bottom() for s in scene.symbols)
    return min(rect.height(), bottom + CONTENT_MARGIN - rect.top())


class ScaleGroup:
    """Views shown side by side: each fits its own screen, all take the smallest scale, so
    equal design sizes look equal in every pane."""

    def __init__(self) -> None:
        self.views: list[ScreenView] = []
        self._fitting = False

    def join(self, view: ScreenView) -> None:
        if view not in self.views:
            self.views.append(view)
            view.group = self
        self.refit()

    def leave(self, view: ScreenView) -> None:
        if view in self.views:
            self.views.remove(view)
        view.group = None
        view.fit()
        self.refit()

    @property
    def scale(self) -> float:
        scales = [v.fit_scale() for v in self.views if v.scene() is not None]
        return min(scales, default=1.0)

    def refit(self) -> None:
        if self._fitting:  # applying a scale may resize a view, which asks again
            return
        self._fitting = True
        try:
            scale = self.scale
            for view in self.views:
                view.apply_scale(scale)
        finally:
            self._fitting = False
