"""Indicators: a value against its normal band and alarm limits, rather than a bare number."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF
from PySide6.QtGui import QPainter, QPolygonF

from hmi.core.tags import Quality

from .base import BADGE, LABEL_H, LABEL_SIZE, Symbol
from .painting import CENTER, LEFT, VCENTER, box_frame, draw_text, value_box

POINTER = 14.0  # design units: the pointer triangle of an analog indicator
SCALE_TEXT = 18.0  # design units: the numbers of a scale


class Labelled(Symbol):
    """A label on its own line above a box; the label is static, the box is not."""

    framed = True  # the box's normal frame is static; False where its fill shows a state

    def box(self) -> QRectF:
        top = LABEL_H if self.label() else 0.0
        return QRectF(0, top, self.width, self.height - top)

    def quality_rect(self) -> QRectF:
        return self.box()

    def value_rect(self) -> QRectF:
        return self.box()

    def paint_static(self, painter: QPainter) -> None:
        if self.label():
            draw_text(
                painter,
                self.theme,
                QRectF(0, 0, self.width, LABEL_H - 2),
                self.label(),
                LABEL_SIZE,
                color=self.theme.color("text_dim"),
            )
        if self.framed:
            box_frame(painter, self.theme, self.box())


class Scaled(Symbol):
    """Shared by analog and bar: a scale with the normal band and a tick at each alarm
    limit of the tag (fixed limits drawn once; deviation limits move with the setpoint)."""

    def marks(self) -> list[float]:
        return [value for value, _ in self.alarm_marks()]

    def look(self) -> tuple:
        return (*super().look(), tuple(self.moving_marks()))

    def tick(self, painter: QPainter, track: QRectF, value: float, reach: float) -> None:
        """One limit tick across the track, ``reach`` beyond it on both sides."""
        p = self.at(track, value)
        if self.horizontal:
            painter.drawLine(QPointF(p, track.top() - reach), QPointF(p, track.bottom() + reach))
        else:
            painter.drawLine(QPointF(track.left() - reach, p), QPointF(track.right() + reach, p))

    def paint_moving_marks(self, painter: QPainter) -> None:
        moving = self.moving_marks()
        if moving:
            track = self.layout()[2]
            painter.setPen(self.theme.pen("outline", 3))
            for value, _ in moving:
                self.tick(painter, track, value, 4)

    @property
    def horizontal(self) -> bool:
        return self.props.get("orientation") != "vertical"

    def at(self, track: QRectF, value: float) -> float:
        """Where ``value`` falls along the track, clamped to it."""
        f = min(1.0, max(0.0, self.fraction(value) or 0.0))
        if self.horizontal:
            return track.left() + track.width() * f
        return track.bottom() - track.height() * f

    def layout(self) -> tuple[QRectF, QRectF, QRectF]:
        """Label, value box and track (computed once: the size never changes)."""
        cached = self.__dict__.get("_layout")
        if cached is None:
            cached = self.__dict__["_layout"] = self.compute_layout()
        return cached

    def compute_layout(self) -> tuple[QRectF, QRectF, QRectF]:
        raise NotImplementedError

    def side_by_side(self) -> tuple[QRectF, QRectF, float]:
        """Label left and value right above the track: for wide or low symbols."""
        w, h = self.width, self.height
        top = h * 0.52
        return QRectF(0, 0, w * 0.46 - 8, top), QRectF(w * 0.46, 2, w * 0.54, top - 8), top

    def value_rect(self) -> QRectF:
        return self.layout()[1]

    def alarm_anchor(self) -> QPointF:
        box = self.layout()[1]
        return QPointF(box.left() + BADGE * 0.75, box.center().y())


class Analog(Scaled):
    """Label and value above; a track with the normal band, limit ticks and a pointer below."""

    def compute_layout(self) -> tuple[QRectF, QRectF, QRectF]:
        w, h = self.width, self.height
        if not self.horizontal:
            box_h = 40.0
            label = QRectF(0, 0, w, LABEL_H)
            track = QRectF(w / 2 - 14, LABEL_H + 10, 28, h - LABEL_H - 10 - box_h - 12)
            return label, QRectF(0, h - box_h, w, box_h), track
        if w >= 400 or h < 110:
            label, box, top = self.side_by_side()
        else:  # narrow: the label gets its own line
            top = max(h * 0.52, LABEL_H + 50)
            label = QRectF(0, 0, w, LABEL_H - 2)
            box = QRectF(w * 0.3, LABEL_H, w * 0.7, top - LABEL_H - 6)
        track = QRectF(10, top + 8, w - 20, min(24.0, max(12.0, h - top - 22)))
        return label, box, track

    def paint_static(self, painter: QPainter) -> None:
        theme = self.theme
        label, box, track = self.layout()
        box_frame(painter, theme, box)
        align = LEFT if self.horizontal else CENTER
        draw_text(
            painter,
            theme,
            label,
            self.label(),
            LABEL_SIZE,
            color=theme.color("text_dim"),
            align=align | VCENTER,
        )
        painter.setPen(theme.pen("outline", 1.5))
        painter.setBrush(theme.color("scale"))
        painter.drawRect(track)
        band = self.props.get("normal")
        if band:
            lo, hi = self.at(track, band[0]), self.at(track, band[1])
            if self.horizontal:
                rect = QRectF(QPointF(lo, track.top()), QPointF(hi, track.bottom()))
            else:
                rect = QRectF(QPointF(track.left(), hi), QPointF(track.right(), lo))
            painter.fillRect(rect, theme.color("normal_band"))
        painter.setPen(theme.pen("outline", 3))
        for value in self.marks():
            self.tick(painter, track, value, 4)

    def pointer(self) -> tuple[QPolygonF, QLineF, float]:
        """The pointer's triangle and line at the scale's low end, and the track length:
        painting only moves them."""
        cached = self.__dict__.get("_pointer")
        if cached is None:
            track = self.layout()[2]
            size = POINTER
            if self.horizontal:
                x, y, bottom = track.left(), track.center().y(), track.bottom()
                points = [(x, y - 2), (x - size * 0.7, bottom + size * 0.9)]
                points.append((x + size * 0.7, bottom + size * 0.9))
                line = QLineF(x, track.top(), x, bottom)
                length = track.width()
            else:
                x, y, right = track.center().x(), track.bottom(), track.right()
                points = [(x + 2, y), (right + size * 0.9, y - size * 0.7)]
                points.append((right + size * 0.9, y + size * 0.7))
                line = QLineF(track.left(), y, right, y)
                length = -track.height()
            shape = QPolygonF([QPointF(px, py) for px, py in points])
            cached = self.__dict__["_pointer"] = (shape, line, length)
        return cached

    def paint_body(self, painter: QPainter) -> None:
        value_box(painter, self)
        self.paint_moving_marks(painter)
        tv = self.main
        fraction = self.fraction(tv.value) if tv is not None else None
        if fraction is None:
            return
        shape, line, length = self.pointer()
        offset = min(1.0, max(0.0, fraction)) * length
        dx, dy = (offset, 0.0) if self.horizontal else (0.0, offset)
        theme = self.theme
        dim = tv.quality is not Quality.GOOD
        painter.setPen(theme.pen("text_dim" if dim else "pointer", 3))
        painter.drawLine(line.translated(dx, dy))
        painter.setPen(theme.pen("pointer", 1))
        painter.setBrush(theme.color("background" if dim else "pointer"))
        painter.drawPolygon(shape.translated(dx, dy))


class Bar(Scaled):
    """A filled bar (vertical by default) with the normal band and limit ticks beside it."""

    overhang = 14.0  # the value box is wider than a vertical bar

    def compute_layout(self) -> tuple[QRectF, QRectF, QRectF]:
        w, h = self.width, self.height
        if self.horizontal and h < 120:
            label, box, top = self.side_by_side()
            return label, box, QRectF(0, top + 8, w, max(8.0, h - top - 14))
        label = QRectF(-30, 0, w + 60, LABEL_H - 2)
        box = QRectF(-10, h - 38, w + 20, 36)
        if self.horizontal:
            return label, box, QRectF(0, LABEL_H, w, h - LABEL_H - 40)
        return label, box, QRectF(w * 0.2, LABEL_H, w * 0.6, h - LABEL_H - 44)

    def quality_rect(self) -> QRectF:
        return self.layout()[2]

    def display_text(self) -> str:
        return self.format(self.main, with_units=False)

    def paint_static(self, painter: QPainter) -> None:
        theme = self.theme
        label, box, track = self.layout()
        box_frame(painter, theme, box)
        compact = label.width() < self.width * 0.6
        draw_text(
            painter,
            theme,
            label,
            self.label(),
            LABEL_SIZE,
            color=theme.color("text_dim"),
            align=(LEFT if compact else CENTER) | VCENTER,
        )
        painter.setPen(theme.pen("outline", 2))
        painter.setBrush(theme.color("scale"))
        painter.drawRect(track)
        painter.setPen(theme.pen("outline", 3))
        band = self.props.get("normal")
        if band:
            lo, hi = self.at(track, band[0]), self.at(track, band[1])
            if self.horizontal:
                painter.drawLine(QPointF(lo, track.bottom() + 5), QPointF(hi, track.bottom() + 5))
            else:
                painter.drawLine(QPointF(track.right() + 5, lo), QPointF(track.right() + 5, hi))
        for value in self.marks():
            p = self.at(track, value)
            if self.horizontal:
                painter.drawLine(QPointF(p, track.top() - 6), QPointF(p, track.top()))
            else:
                painter.drawLine(QPointF(track.left() - 8, p), QPointF(track.left(), p))
        self.paint_scale_numbers(painter, track)

    def paint_scale_numbers(self, painter: QPainter, track: QRectF) -> None:
        """The scale's ends and each alarm limit as numbers beside the bar: a bar is read
        against numbers, not guessed."""
        theme = self.theme
        lo, hi = self.scale_range()
        size = SCALE_TEXT
        color = theme.color("text_dim")
        for value in sorted({lo, hi, *self.marks()}):
            text = f"{value:g}"
            p = self.at(track, value)
            if self.horizontal:
                box = QRectF(p - 50, track.bottom() + 2, 100, size * 1.2)
                draw_text(painter, theme, box, text, size, color=color, align=CENTER)
            else:
                box = QRectF(track.right() + 6, p - size * 0.6, 60, size * 1.2)
                draw_text(painter, theme, box, text, size, color=color, align=LEFT | VCENTER)

    def paint_body(self, painter: QPainter) -> None:
        self.paint_moving_marks(painter)
        tv = self.main
        fraction = self.fraction(tv.value) if tv is not None else None
        if fraction is not None:
            inside = self.layout()[2].adjusted(1, 1, -1, -1)  # inside the static outline
            f = min(1.0, max(0.0, fraction))
            if self.horizontal:
                inside.setWidth(inside.width() * f)
            else:
                inside.setTop(inside.bottom() - inside.height() * f)
            painter.fillRect(inside, self.theme.color("level" if tv.good else "normal_band"))
        value_box(painter, self)


class Value(Labelled):
    """A number with its units and sensible decimals (or a code's words); label above."""

    def paint_body(self, painter: QPainter) -> None:
        value_box(painter, self)
