"""Indicators: a value against its normal band and alarm limits, rather than a bare number."""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen, QPolygonF

from hmi.core.screens import StateStyle
from hmi.core.tags import Quality, TagValue

from .base import BADGE, LABEL_H, LABEL_SIZE, NO_VALUE, Symbol, draw_text, value_box


class _Scaled(Symbol):
    """Shared by analog and bar: alarm from limits, only on good data."""

    def own_severity(self) -> int:
        tv = self.main
        if tv is None or tv.quality is Quality.BAD:
            return 0
        return self.limit_priority(tv.value)

    def marks(self) -> list[float]:
        return [limit.value for limit in (self.props.get("limits") or {}).values()]


class Analog(_Scaled):
    """Label and value above; a track with the normal band, limit ticks and a pointer below."""

    def layout(self) -> tuple[QRectF, QRectF, QRectF]:
        """Label, value box and track rectangles (computed once: the size never changes)."""
        cached = getattr(self, "_layout", None)
        if cached is None:
            cached = self._layout = self._compute_layout()
        return cached

    def _compute_layout(self) -> tuple[QRectF, QRectF, QRectF]:
        w, h = self.width, self.height
        if self.props.get("orientation") == "vertical":
            box_h = 40.0
            label = QRectF(0, 0, w, LABEL_H)
            track = QRectF(w / 2 - 14, LABEL_H + 10, 28, h - LABEL_H - 10 - box_h - 12)
            return label, QRectF(0, h - box_h, w, box_h), track
        top = h * 0.52
        if w >= 400:  # label and value side by side above the track
            label = QRectF(0, 0, w * 0.46 - 8, top)
            box = QRectF(w * 0.46, 2, w * 0.54, top - 8)
        else:  # narrow: the label gets its own line
            label = QRectF(0, 0, w, LABEL_H - 2)
            top = max(top, LABEL_H + 50)
            box = QRectF(w * 0.3, LABEL_H, w * 0.7, top - LABEL_H - 6)
        track = QRectF(10, top + 8, w - 20, min(24.0, max(12.0, h - top - 22)))
        return label, box, track

    def alarm_anchor(self) -> QPointF:
        box = self.layout()[1]
        return QPointF(box.left() + BADGE * 0.75, box.center().y())

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        label, box, track = self.layout()
        vertical = self.props.get("orientation") == "vertical"
        align = Qt.AlignmentFlag.AlignCenter if vertical else Qt.AlignmentFlag.AlignLeft
        draw_text(
            painter,
            theme,
            label,
            self.label(),
            LABEL_SIZE,
            color=theme.color("text_dim"),
            align=align | Qt.AlignmentFlag.AlignVCenter,
        )
        value_box(painter, self, box, self.format(self.main), severity=self.severity)
        self.paint_track(painter, track, horizontal=not vertical)

    def paint_track(self, painter: QPainter, track: QRectF, *, horizontal: bool) -> None:
        theme = self.theme

        def at(value: float) -> float:
            f = min(1.0, max(0.0, self.fraction(value) or 0.0))
            return (
                track.left() + track.width() * f
                if horizontal
                else track.bottom() - track.height() * f
            )

        painter.setPen(QPen(theme.color("outline"), 1.5))
        painter.setBrush(theme.color("scale"))
        painter.drawRect(track)
        band = self.props.get("normal")
        if band:
            if horizontal:
                rect = QRectF(
                    QPointF(at(band[0]), track.top()), QPointF(at(band[1]), track.bottom())
                )
            else:
                rect = QRectF(
                    QPointF(track.left(), at(band[1])), QPointF(track.right(), at(band[0]))
                )
            painter.fillRect(rect, theme.color("normal_band"))
        painter.setPen(QPen(theme.color("outline"), 3))
        for value in self.marks():
            p = at(value)
            if horizontal:
                painter.drawLine(QPointF(p, track.top() - 4), QPointF(p, track.bottom() + 4))
            else:
                painter.drawLine(QPointF(track.left() - 4, p), QPointF(track.right() + 4, p))
        tv = self.main
        fraction = self.fraction(tv.value if tv else None)
        if fraction is None:
            return
        p = at(float(tv.value))
        size = 14.0
        if horizontal:
            y = track.center().y()
            pointer = QPolygonF(
                [
                    QPointF(p, y - 2),
                    QPointF(p - size * 0.7, track.bottom() + size * 0.9),
                    QPointF(p + size * 0.7, track.bottom() + size * 0.9),
                ]
            )
            line = (QPointF(p, track.top()), QPointF(p, track.bottom()))
        else:
            x = track.center().x()
            pointer = QPolygonF(
                [
                    QPointF(x + 2, p),
                    QPointF(track.right() + size * 0.9, p - size * 0.7),
                    QPointF(track.right() + size * 0.9, p + size * 0.7),
                ]
            )
            line = (QPointF(track.left(), p), QPointF(track.right(), p))
        dim = tv.quality is not Quality.GOOD
        painter.setPen(QPen(theme.color("text_dim" if dim else "pointer"), 3))
        painter.drawLine(*line)
        painter.setPen(QPen(theme.color("pointer"), 1))
        painter.setBrush(theme.color("background") if dim else theme.color("pointer"))
        painter.drawPolygon(pointer)


class Bar(_Scaled):
    """A filled bar (vertical by default in the bar's own shape) with band and limit ticks."""

    def quality_rect(self) -> QRectF:
        return self.track()

    def value_rect(self) -> QRectF:
        return QRectF(-10, self.height - 38, self.width + 20, 36)

    def alarm_anchor(self) -> QPointF:
        box = self.value_rect()
        return QPointF(box.left() + 20, box.center().y())

    def track(self) -> QRectF:
        w, h = self.width, self.height
        if self.props.get("orientation") == "horizontal":
            return QRectF(0, LABEL_H, w, h - LABEL_H - 40)
        return QRectF(w * 0.2, LABEL_H, w * 0.6, h - LABEL_H - 44)

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        w = self.width
        horizontal = self.props.get("orientation") == "horizontal"
        track = self.track()
        draw_text(
            painter,
            theme,
            QRectF(-30, 0, w + 60, LABEL_H - 2),
            self.label(),
            LABEL_SIZE,
            color=theme.color("text_dim"),
            align=Qt.AlignmentFlag.AlignCenter,
        )
        painter.setPen(QPen(theme.color("outline"), 2))
        painter.setBrush(theme.color("scale"))
        painter.drawRect(track)
        tv = self.main
        fraction = self.fraction(tv.value if tv else None)
        if fraction is not None:
            f = min(1.0, max(0.0, fraction))
            if horizontal:
                fill = QRectF(track.left(), track.top(), track.width() * f, track.height())
            else:
                fill = QRectF(
                    track.left(),
                    track.bottom() - track.height() * f,
                    track.width(),
                    track.height() * f,
                )
            painter.fillRect(fill, theme.color("level" if tv.good else "normal_band"))

        def at(value: float) -> float:
            f = min(1.0, max(0.0, self.fraction(value) or 0.0))
            return (
                track.left() + track.width() * f
                if horizontal
                else track.bottom() - track.height() * f
            )

        band = self.props.get("normal")
        painter.setPen(QPen(theme.color("outline"), 3))
        if band:
            if horizontal:
                painter.drawLine(
                    QPointF(at(band[0]), track.bottom() + 5),
                    QPointF(at(band[1]), track.bottom() + 5),
                )
            else:
                painter.drawLine(
                    QPointF(track.right() + 5, at(band[0])), QPointF(track.right() + 5, at(band[1]))
                )
        for value in self.marks():
            p = at(value)
            if horizontal:
                painter.drawLine(QPointF(p, track.top() - 6), QPointF(p, track.top()))
            else:
                painter.drawLine(QPointF(track.left() - 8, p), QPointF(track.left(), p))
        value_box(
            painter,
            self,
            self.value_rect(),
            self.format(tv, with_units=False),
            severity=self.severity,
        )


class Value(Symbol):
    """A number with its units and sensible decimals; label above."""

    def quality_rect(self) -> QRectF:
        return self.box()

    def box(self) -> QRectF:
        top = LABEL_H if self.label() else 0.0
        return QRectF(0, top, self.width, self.height - top)

    def own_severity(self) -> int:
        tv = self.main
        return (
            self.limit_priority(tv.value) if tv is not None and tv.quality is not Quality.BAD else 0
        )

    def paint_body(self, painter: QPainter) -> None:
        if self.label():
            draw_text(
                painter,
                self.theme,
                QRectF(0, 0, self.width, LABEL_H - 2),
                self.label(),
                LABEL_SIZE,
                color=self.theme.color("text_dim"),
            )
        value_box(painter, self, self.box(), self.format(self.main), severity=self.severity)


class State(Symbol):
    """Multi-state text: the state's words; filled for a running-type state, alarm colour
    and shape for an abnormal one."""

    def quality_rect(self) -> QRectF:
        return self.box()

    def box(self) -> QRectF:
        top = LABEL_H if self.label() else 0.0
        return QRectF(0, top, self.width, self.height - top)

    def style(self) -> StateStyle | None:
        tv = self.main
        if tv is None or tv.value is None:
            return None
        states: dict = self.props["states"]
        style = states.get(tv.value)
        if style is None and isinstance(tv.value, str):
            style = states.get(tv.value.strip())
        return style or StateStyle(f"state {tv.value}")

    def own_severity(self) -> int:
        style = self.style()
        return style.priority if style is not None else 0

    def paint_body(self, painter: QPainter) -> None:
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
        style = self.style()
        text = style.text if style is not None else NO_VALUE
        box = self.box()
        severity = self.severity
        if severity:
            fill, color = theme.alarm_color(severity), theme.alarm_text_color(severity)
        elif style is not None and style.filled:
            fill, color = theme.color("running"), theme.color("text_on_running")
        else:
            fill, color = theme.color("panel"), theme.color("text")
        painter.setPen(QPen(theme.color("outline"), 1.5))
        painter.setBrush(fill)
        painter.drawRect(box)
        indent = 34.0 if severity else 8.0  # room for the alarm badge
        draw_text(
            painter,
            theme,
            box.adjusted(indent, 0, -8, 0),
            text,
            box.height() * 0.5,
            color=color,
            bold=True,
            align=Qt.AlignmentFlag.AlignCenter,
        )


class Device(State):
    """A device's connection state from its ``_sys.device.<name>`` tag."""

    ABNORMAL = frozenset({"offline", "demoted", "stopped", "degraded"})

    @property
    def tag(self) -> str | None:
        return self.tags[-1]

    def label(self) -> str:
        return self.props.get("label") or self.props["device"]

    def style(self) -> StateStyle | None:
        tv = self.main
        if tv is None or tv.value is None:
            return None
        status = str(tv.value)
        if status in self.ABNORMAL:
            return StateStyle(status, priority=4)
        return StateStyle(status)

    @property
    def quality(self) -> Quality | None:
        # the status tag is Bad exactly when the device is down: that is the news it shows,
        # not doubt about it; only a missing status is doubtful
        return Quality.GOOD if self.main is not None else None

    def tooltip(self) -> str:
        tv = self.main
        return (
            f"{self.label()}: {tv.value}" + (f"\n{tv.reason}" if tv and tv.reason else "")
            if tv
            else ""
        )


class Sparkline(Symbol):
    """The last ``seconds`` of a value as a small trend beside it."""

    def __init__(self, definition, context):
        super().__init__(definition, context)
        self.samples: deque[tuple[float, float]] = deque(maxlen=4096)

    def look(self) -> tuple:
        return (len(self.samples), *super().look())  # every sample moves the trend

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

    def quality_rect(self) -> QRectF:
        return self.plot_rect()

    def paint_body(self, painter: QPainter) -> None:
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
        painter.setPen(QPen(theme.color("outline"), 1))
        painter.setBrush(theme.color("panel"))
        painter.drawRect(plot)
        lo, hi = self.scale_range()
        band = self.props.get("normal")

        def y_of(v: float) -> float:
            f = min(1.0, max(0.0, (v - lo) / (hi - lo)))
            return plot.bottom() - 2 - (plot.height() - 4) * f

        if band:
            painter.fillRect(
                QRectF(
                    QPointF(plot.left() + 1, y_of(band[1])),
                    QPointF(plot.right() - 1, y_of(band[0])),
                ),
                theme.color("normal_band"),
            )
        now = self.context.clock()
        window = float(self.props.get("seconds", 60.0))
        while len(self.samples) > 2 and self.samples[1][0] < now - window:
            self.samples.popleft()
        if self.samples:
            path = QPainterPath()
            for index, (ts, v) in enumerate(self.samples):
                x = plot.right() - (now - ts) / window * plot.width()
                point = QPointF(max(plot.left(), x), y_of(v))
                if index == 0:
                    path.moveTo(point)
                else:
                    path.lineTo(QPointF(point.x(), path.currentPosition().y()))  # step: held values
                    path.lineTo(point)
            path.lineTo(QPointF(plot.right(), path.currentPosition().y()))
            painter.setPen(QPen(theme.color("pointer"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        if plot.width() < self.width:
            box = QRectF(plot.right() + 6, plot.top(), self.width - plot.width() - 6, plot.height())
            value_box(
                painter, self, box, self.format(self.main), severity=self.severity, bold=False
            )

    def own_severity(self) -> int:
        tv = self.main
        return self.limit_priority(tv.value) if tv is not None and tv.good else 0
