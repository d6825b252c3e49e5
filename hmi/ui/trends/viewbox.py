"""The plot area of a trend: only time moves under the operator's hand.

A drag pans, a fling (touch) keeps moving and slows down, the wheel zooms about the
pointer, a tap places the cursor. There is no context menu. The Y scales of further units
lie over the plot area and take no input.
"""

from __future__ import annotations

import math
import time

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal

FLING_FRICTION = 4.0  # 1/s: a fling loses this share of its speed per second
FLING_MIN_PX_S = 60.0
FLING_STILL_S = 0.1  # a finger held still this long before letting go does not fling
MIN_SPAN_S = 5.0
MAX_SPAN_S = 20 * 365 * 86400.0


class TimeViewBox(pg.ViewBox):
    """The plot area: pans and zooms time only, places the cursor on a tap."""

    user_moved = Signal()
    tapped = Signal(float)

    def __init__(self, kinetic: bool):
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)
        self.kinetic = kinetic
        self._velocity = 0.0  # seconds of time per second
        self._last_move = 0.0
        self._fling = QTimer(self)
        self._fling.setInterval(16)
        self._fling.timeout.connect(self._fling_step)
        self._fling_clock = 0.0

    def seconds_per_px(self) -> float:
        t0, t1 = self.viewRange()[0]
        return (t1 - t0) / max(1.0, self.width())

    def pan_by(self, seconds: float) -> None:
        t0, t1 = self.viewRange()[0]
        self.setXRange(t0 + seconds, t1 + seconds, padding=0)

    def zoom_by(self, factor: float, center: float | None = None) -> None:
        """Show ``factor`` times the time span (less than 1 zooms in) about ``center``."""
        t0, t1 = self.viewRange()[0]
        center = (t0 + t1) / 2 if center is None else center
        span = min(MAX_SPAN_S, max(MIN_SPAN_S, (t1 - t0) * factor))
        share = (center - t0) / (t1 - t0) if t1 > t0 else 0.5
        start = center - share * span
        self.setXRange(start, start + span, padding=0)

    def stop_fling(self) -> None:
        self._fling.stop()
        self._velocity = 0.0

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        now = time.monotonic()
        if ev.isStart():
            self.stop_fling()
            self._last_move = now
        dx = self.mapToView(ev.pos()).x() - self.mapToView(ev.lastPos()).x()
        if dx:
            elapsed = max(1e-3, now - self._last_move)
            self._velocity = 0.6 * self._velocity + 0.4 * (-dx / elapsed)
            self._last_move = now
            self.pan_by(-dx)
            self.user_moved.emit()
        if ev.isFinish() and self.kinetic and now - self._last_move < FLING_STILL_S:
            px_per_s = abs(self._velocity) / max(1e-9, self.seconds_per_px())
            if px_per_s > FLING_MIN_PX_S:  # let go while moving: keep going, slowing down
                self._fling_clock = now
                self._fling.start()

    def _fling_step(self) -> None:
        now = time.monotonic()
        dt, self._fling_clock = now - self._fling_clock, now
        self.pan_by(self._velocity * dt)
        self.user_moved.emit()
        self._velocity *= math.exp(-FLING_FRICTION * dt)
        if abs(self._velocity) / max(1e-9, self.seconds_per_px()) < FLING_MIN_PX_S / 2:
            self.stop_fling()

    def wheelEvent(self, ev, axis=None) -> None:
        self.stop_fling()
        center = self.mapToView(ev.pos()).x()
        self.zoom_by(0.999 ** ev.delta(), center)
        self.user_moved.emit()
        ev.accept()

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.stop_fling()
            self.tapped.emit(self.mapToView(ev.pos()).x())
        else:
            ev.ignore()  # no context menu, ever


class OverlayViewBox(pg.ViewBox):
    """The Y scale of a second (third, ...) unit, over the plot area; takes no input."""

    def __init__(self):
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=False, y=False)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def mouseDragEvent(self, ev, axis=None) -> None:
        ev.ignore()

    def mouseClickEvent(self, ev) -> None:
        ev.ignore()
