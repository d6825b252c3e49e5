"""A small trend beside the value an operator watches move.

It opens with the last ``seconds`` from the history when the past is kept (see
``history``), so navigating back to a screen never shows an empty trend.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath

from hmi.core.tags import TagValue

from .base import BADGE, LABEL_H, LABEL_SIZE, Symbol, SymbolContext
from .painting import box_frame, draw_text, value_box


class Sparkline(Symbol):
    """The last ``seconds`` of a value as a step line over its normal band."""

    keeps_history = True  # stays bound while its screen is hidden, so the trend has no gap

    def __init__(self, definition, context: SymbolContext):
        super().__init__(definition, context)
        self.samples: deque[tuple[float, float]] = deque(maxlen=4096)
        self.window = float(self.props.get("seconds", 60.0))

    def look(self) -> tuple:
        return (len(self.samples), *super().look())  # every sample moves the trend

    def fill(self, history: Sequence[tuple[float, float]]) -> None:
        """Put the recorded past before the live samples (which win where both are)."""
        first = self.samples[0][0] if self.samples else float("inf")
        older = [sample for sample in history if sample[0] < first]
        if older:
            room = max(0, (self.samples.maxlen or 0) - len(self.samples))
            self.samples.extendleft(reversed(older[-room:] if room else []))
            self.refresh()

    def on_value(self, name: str, tv: TagValue) -> None:
        if (
            name == self.tag
            and isinstance(tv.value, int | float)
            and not isinstance(tv.value, bool)
        ):
            self.samples.append((tv.ts or self.context.clock(), float(tv.value)))

    def plot_rect(self) -> QRectF:
        top = LABEL_H if self.label() else 0.0
        share = 0.68 if self.width >= 500 else 1.0  # narrow: the value is shown elsewhere
        return QRectF(0, top, self.width * share, self.height - top)

    def value_rect(self) -> QRectF | None:
        """The value beside the trend, when the symbol is wide enough for it."""
        plot = self.plot_rect()
        if plot.width() >= self.width:
            return None
        return QRectF(plot.right() + 6, plot.top(), self.width - plot.width() - 6, plot.height())

    def quality_rect(self) -> QRectF:
        return self.plot_rect()

    def alarm_anchor(self) -> QPointF:
        """The alarm badge sits in the value box when there is one (its colour is there)."""
        box = self.value_rect()
        if box is None:
            return super().alarm_anchor()
        return QPointF(box.left() + BADGE * 0.75, box.center().y())

    def y_of(self, plot: QRectF, value: float) -> float:
        lo, hi = self.scale_range()
        f = min(1.0, max(0.0, (value - lo) / (hi - lo)))
        return plot.bottom() - 2 - (plot.height() - 4) * f

    def paint_static(self, painter: QPainter) -> None:
        theme = self.theme
        if self.label():
            draw_text(
                painter,
                theme,
                QRectF(0, 0, self.width, LABEL_H - 2),
                self.label(),
                LABEL_SIZE,
                color=theme.color("text_dim"),
            )
        plot = self.plot_rect()
        painter.setPen(theme.pen("outline", 1))
        painter.setBrush(theme.color("panel"))
        painter.drawRect(plot)
        value_rect = self.value_rect()
        if value_rect is not None:
            box_frame(painter, theme, value_rect)
        band = self.props.get("normal")
        if band:
            top_left = QPointF(plot.left() + 1, self.y_of(plot, band[1]))
            bottom_right = QPointF(plot.right() - 1, self.y_of(plot, band[0]))
            painter.fillRect(QRectF(top_left, bottom_right), theme.color("normal_band"))
        painter.setPen(theme.pen("outline", 3))
        lo, hi = self.scale_range()
        for value, _ in self.alarm_marks():  # the alarm limits as ticks on both edges
            if lo < value < hi:
                y = self.y_of(plot, value)
                painter.drawLine(QPointF(plot.left() - 6, y), QPointF(plot.left() + 8, y))
                painter.drawLine(QPointF(plot.right() - 8, y), QPointF(plot.right() + 2, y))

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        plot = self.plot_rect()
        now = self.context.clock()
        window = self.window
        while len(self.samples) > 2 and self.samples[1][0] < now - window:
            self.samples.popleft()
        if self.samples:
            path = QPainterPath()
            for index, (ts, v) in enumerate(self.samples):
                x = plot.right() - (now - ts) / window * plot.width()
                point = QPointF(max(plot.left(), x), self.y_of(plot, v))
                if index == 0:
                    path.moveTo(point)
                else:
                    path.lineTo(QPointF(point.x(), path.currentPosition().y()))  # step: held values
                    path.lineTo(point)
            path.lineTo(QPointF(plot.right(), path.currentPosition().y()))
            painter.setPen(theme.pen("pointer", 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        value_rect = self.value_rect()
        if value_rect is not None:
            value_box(painter, self, bold=False)
