"""Opening a value's trend from a screen: touch and hold it, or Shift+click it on the desk.

Installed on a screen view as an event filter, so symbols need not know about trends. A
hold that opens a trend takes the press away from the symbol: the release that follows is
not also a touch (no faceplate, no command).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from .opener import HOLD_SECONDS, HOLD_SLOP_PX

SymbolAction = Callable[[QGraphicsItem], object]


def symbol_at(view: QGraphicsView, pos: QPoint) -> QGraphicsItem | None:
    """The symbol under ``pos`` (viewport pixels): the topmost item that has tags."""
    for item in view.items(pos):
        while item is not None and not hasattr(item, "tags"):
            item = item.parentItem()
        if item is not None and getattr(item, "tags", None):
            return item
    return None


class TrendHold(QObject):
    """Calls ``open_trend(symbol)`` on a touch held still for ``HOLD_SECONDS`` on a symbol,
    or at once on a Shift+click (desk)."""

    def __init__(self, view: QGraphicsView, open_trend: SymbolAction, touch: bool):
        super().__init__(view)
        self.view = view
        self.open_trend = open_trend
        self.touch = touch
        self.opened = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(round(HOLD_SECONDS * 1000))
        self._timer.timeout.connect(self._held)
        self._origin = QPoint()
        self._symbol: QGraphicsItem | None = None
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            return self._pressed(event)
        if kind == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            moved = (event.position().toPoint() - self._origin).manhattanLength()
            if self._timer.isActive() and moved > HOLD_SLOP_PX:
                self._timer.stop()  # a drag or a scroll, not a hold
        elif kind == QEvent.Type.MouseButtonRelease:
            self._timer.stop()
        return False

    def _pressed(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        pos = event.position().toPoint()
        symbol = symbol_at(self.view, pos)
        if symbol is None:
            return False
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if shift and not self.touch:
            self._open(symbol)
            return True  # the symbol never sees this press
        self._origin, self._symbol = pos, symbol
        self._timer.start()
        return False

    def _held(self) -> None:
        symbol, self._symbol = self._symbol, None
        if symbol is None:
            return
        scene = self.view.scene()
        grabber = scene.mouseGrabberItem() if scene is not None else None
        if grabber is not None:
            grabber.ungrabMouse()  # the coming release is no touch on the symbol
        self._open(symbol)

    def _open(self, symbol: QGraphicsItem) -> None:
        self.opened += 1
        self.open_trend(symbol)


def install_trend_hold(view: QGraphicsView, open_trend: SymbolAction, touch: bool) -> TrendHold:
    """Let the operator open the trend of any value on the screen shown in ``view``."""
    return TrendHold(view, open_trend, touch)
