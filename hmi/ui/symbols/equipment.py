"""Process equipment: filled grey when running/open, hollow when stopped/closed.

No red/green for states: shape and fill carry running/stopped; colour appears only as an
alarm badge while an alarm of its tag or its ``alarm_tag`` is active.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF

from hmi.core.tags import Quality

from .base import LABEL_H, LABEL_SIZE, Symbol
from .painting import CENTER, HCENTER, VCENTER, box_frame, draw_text, question_badge, value_box


class Equipment(Symbol):
    """Shape on top, label below; the shape is filled while ``is_on``."""

    def shape_rect(self) -> QRectF:
        label_h = LABEL_H if self.label() else 0.0
        return QRectF(0, 0, self.width, max(10.0, self.height - label_h))

    def quality_rect(self) -> QRectF:
        return self.shape_rect()

    def alarm_anchor(self) -> QPointF:
        rect = self.shape_rect()
        return QPointF(rect.left(), rect.top())

    def look(self) -> tuple:
        return (*super().look(), self.is_on())

    def pens(self) -> tuple[QPen, QColor]:
        fill = self.theme.color("running" if self.is_on() else "background")
        return self.theme.pen("outline", 3), fill

    def paint_static(self, painter: QPainter) -> None:
        if self.label():
            rect = QRectF(-20, self.height - LABEL_H, self.width + 40, LABEL_H)
            draw_text(painter, self.theme, rect, self.label(), LABEL_SIZE, align=HCENTER | VCENTER)

    def paint_body(self, painter: QPainter) -> None:
        pen, fill = self.pens()
        painter.setPen(pen)
        painter.setBrush(fill)
        self.paint_shape(painter, self.shape_rect())

    def paint_shape(self, painter: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    def inner_color(self) -> QColor:
        return self.theme.color("text_on_running" if self.is_on() else "outline")


def _square(rect: QRectF) -> QRectF:
    side = min(rect.width(), rect.height())
    return QRectF(rect.center().x() - side / 2, rect.center().y() - side / 2, side, side)


class Pump(Equipment):
    def paint_shape(self, painter: QPainter, rect: QRectF) -> None:
        circle = _square(rect).adjusted(3, 3, -3, -3)
        painter.drawEllipse(circle)
        r = circle.width() / 2
        c = circle.center()
        arrow = QPolygonF(
            [
                QPointF(c.x() - r * 0.45, c.y() - r * 0.55),
                QPointF(c.x() + r * 0.65, c.y()),
                QPointF(c.x() - r * 0.45, c.y() + r * 0.55),
            ]
        )
        painter.setBrush(self.inner_color())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawPolygon(arrow)


class Motor(Equipment):
    def paint_shape(self, painter: QPainter, rect: QRectF) -> None:
        circle = _square(rect).adjusted(3, 3, -3, -3)
        painter.drawEllipse(circle)
        draw_text(
            painter,
            self.theme,
            circle,
            "M",
            circle.height() * 0.5,
            bold=True,
            color=self.inner_color(),
            align=CENTER,
        )


class Valve(Equipment):
    def paint_shape(self, painter: QPainter, rect: QRectF) -> None:
        box = _square(rect).adjusted(3, 3, -3, -3)
        left, t, r, b = box.left(), box.top(), box.right(), box.bottom()
        cx, cy = box.center().x(), box.center().y()
        if self.props.get("orientation") == "vertical":
            bowtie = [
                QPointF(left + box.width() * 0.2, t),
                QPointF(r - box.width() * 0.2, t),
                QPointF(cx, cy),
                QPointF(r - box.width() * 0.2, b),
                QPointF(left + box.width() * 0.2, b),
                QPointF(cx, cy),
            ]
        else:
            bowtie = [
                QPointF(left, t + box.height() * 0.2),
                QPointF(cx, cy),
                QPointF(r, t + box.height() * 0.2),
                QPointF(r, b - box.height() * 0.2),
                QPointF(cx, cy),
                QPointF(left, b - box.height() * 0.2),
            ]
        painter.drawPolygon(QPolygonF(bowtie))


class Conveyor(Equipment):
    def paint_shape(self, painter: QPainter, rect: QRectF) -> None:
        h = min(rect.height(), 50.0)
        belt = QRectF(rect.left() + 2, rect.center().y() - h / 2, rect.width() - 4, h)
        painter.drawRoundedRect(belt, h / 2, h / 2)
        painter.setBrush(self.inner_color())
        painter.setPen(Qt.PenStyle.NoPen)
        radius = h * 0.22
        for x in (belt.left() + h / 2, belt.right() - h / 2):
            painter.drawEllipse(QPointF(x, belt.center().y()), radius, radius)


class Press(Equipment):
    """Extrusion press seen from the side: cylinder, ram, container, die."""

    def paint_shape(self, painter: QPainter, rect: QRectF) -> None:
        w, h = rect.width(), rect.height()
        pen, fill = self.pens()
        cylinder = QRectF(rect.left() + 2, rect.top() + h * 0.15, w * 0.34, h * 0.7)
        container = QRectF(rect.left() + w * 0.52, rect.top() + h * 0.2, w * 0.3, h * 0.6)
        die = QRectF(rect.left() + w * 0.84, rect.top() + h * 0.1, w * 0.14, h * 0.8)
        ram = QRectF(
            cylinder.right(), rect.top() + h * 0.4, container.left() - cylinder.right(), h * 0.2
        )
        painter.setPen(pen)
        painter.setBrush(self.theme.color("background"))
        painter.drawRect(cylinder)
        painter.drawRect(container)
        painter.drawRect(die)
        painter.setBrush(fill)
        painter.drawRect(ram)
        painter.drawRect(cylinder.adjusted(w * 0.06, h * 0.12, -w * 0.02, -h * 0.12))


class Tank(Symbol):
    """A vessel with its level as a grey fill and the number below."""

    def vessel(self) -> QRectF:
        label_h = LABEL_H if self.label() else 0.0
        return QRectF(0, label_h, self.width, self.height - label_h - 56)

    def quality_rect(self) -> QRectF:
        return self.vessel()

    def alarm_anchor(self) -> QPointF:
        box = self.value_rect()
        return QPointF(box.left() + 22, box.center().y())

    def value_rect(self) -> QRectF:
        return QRectF(0, self.vessel().bottom() + 8, self.width, 48)

    def paint_static(self, painter: QPainter) -> None:
        self.paint_band_marks(painter, self.vessel())
        box_frame(painter, self.theme, self.value_rect())
        if self.label():
            draw_text(
                painter,
                self.theme,
                QRectF(-20, 0, self.width + 40, LABEL_H - 2),
                self.label(),
                LABEL_SIZE,
                align=HCENTER | VCENTER,
            )

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        vessel = self.vessel()
        radius = min(vessel.width() * 0.25, 30.0)
        path = QPainterPath()
        path.addRoundedRect(vessel, radius, radius)
        painter.setPen(theme.pen("outline", 3))
        painter.setBrush(theme.color("background"))
        painter.drawPath(path)
        tv = self.main
        fraction = self.fraction(tv.value if tv else None)
        if fraction is not None:
            fraction = min(1.0, max(0.0, fraction))
            level = QRectF(
                vessel.left(),
                vessel.bottom() - vessel.height() * fraction,
                vessel.width(),
                vessel.height() * fraction,
            )
            painter.save()
            painter.setClipPath(path)
            painter.fillRect(level, theme.color("level"))
            painter.restore()
            painter.setPen(theme.pen("outline", 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        value_box(painter, self)
        moving = self.moving_marks()
        if moving:
            painter.setPen(theme.pen("outline", 2))
            for value, _ in moving:
                self.limit_tick(painter, vessel, value)

    def look(self) -> tuple:
        return (*super().look(), tuple(self.moving_marks()))

    def y_of(self, vessel: QRectF, value: float) -> float:
        f = self.fraction(value) or 0.0
        return vessel.bottom() - vessel.height() * min(1.0, max(0.0, f))

    def limit_tick(self, painter: QPainter, vessel: QRectF, value: float) -> None:
        y = self.y_of(vessel, value)
        painter.drawLine(QPointF(vessel.left() - 10, y), QPointF(vessel.left() - 2, y))

    def paint_band_marks(self, painter: QPainter, vessel: QRectF) -> None:
        """Normal band as a bracket on the right; the tag's alarm limits as short ticks on
        the left."""
        painter.setPen(self.theme.pen("outline", 2))
        band = self.props.get("normal")
        if band:
            x = vessel.right() + 6
            painter.drawLine(
                QPointF(x, self.y_of(vessel, band[0])), QPointF(x, self.y_of(vessel, band[1]))
            )
        for value, _ in self.alarm_marks():
            self.limit_tick(painter, vessel, value)


class Pipe(Symbol):
    """A pipe between points: thick dark while flowing, hollow while not."""

    overhang = 24.0  # the "?" badge sits above the pipe

    def __init__(self, definition, context):
        super().__init__(definition, context)
        points = definition.props["points"]
        x0 = min(p[0] for p in points)
        y0 = min(p[1] for p in points)
        self.setPos(x0, y0)
        self.points = [QPointF(x - x0, y - y0) for x, y in points]
        self.width = max(p.x() for p in self.points)
        self.height = max(p.y() for p in self.points)

    @property
    def activatable(self) -> bool:
        return False

    def look(self) -> tuple:
        return (*super().look(), self.flowing())

    def body(self) -> QRectF:
        w = float(self.props.get("width", 8.0))
        return QRectF(0, 0, self.width, self.height).adjusted(-w, -w, w, w)

    def flowing(self) -> bool | None:
        if not self.tag:
            return None
        tv = self.main
        if tv is None or tv.value is None:
            return False
        if isinstance(tv.value, bool):
            return tv.value
        try:
            return float(tv.value) > float(self.props.get("flow_above", 0.0))
        except (TypeError, ValueError):
            return False

    def path(self) -> QPainterPath:
        path = QPainterPath(self.points[0])
        for point in self.points[1:]:
            path.lineTo(point)
        return path

    def paint_body(self, painter: QPainter) -> None:
        width = float(self.props.get("width", 8.0))
        path = self.path()
        flowing = self.flowing()
        cap = Qt.PenCapStyle.SquareCap
        join = Qt.PenJoinStyle.MiterJoin
        if flowing is None:
            painter.setPen(QPen(self.theme.color("pipe"), width, Qt.PenStyle.SolidLine, cap, join))
            painter.drawPath(path)
            return
        painter.setPen(QPen(self.theme.color("pipe_flow"), width, Qt.PenStyle.SolidLine, cap, join))
        painter.drawPath(path)
        if not flowing:
            inner = QPen(
                self.theme.color("background"),
                max(1.0, width - 5),
                Qt.PenStyle.SolidLine,
                cap,
                join,
            )
            painter.setPen(inner)
            painter.drawPath(path)

    def quality_rect(self) -> QRectF:
        stroker = QPainterPathStroker()
        stroker.setWidth(float(self.props.get("width", 8.0)) + 6)
        return stroker.createStroke(self.path()).boundingRect()

    def paint_quality(self, painter: QPainter, quality: Quality | None) -> None:
        painter.setPen(self.theme.pen("quality_mark", 2, Qt.PenStyle.DashLine))
        stroker = QPainterPathStroker()
        stroker.setWidth(float(self.props.get("width", 8.0)) + 6)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(stroker.createStroke(self.path()))
        mid = self.points[len(self.points) // 2]
        question_badge(painter, self.theme, QRectF(mid.x() - 12, mid.y() - 34, 24, 24))
