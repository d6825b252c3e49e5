"""Things the operator touches (setpoint, command, navigation) and static layout aids.

Touching one only *asks* for an action: the renderer's activate handler opens the entry or
confirmation dialog; nothing is written from here.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen, QPolygonF

from hmi.core.tags import Quality

from .base import LABEL_H, LABEL_SIZE, Symbol, draw_text


class Setpoint(Symbol):
    """The current setpoint in a white entry field: white means "you can change this"."""

    interactive = True

    def box(self) -> QRectF:
        top = LABEL_H if self.label() else 0.0
        return QRectF(0, top, self.width, self.height - top)

    def quality_rect(self) -> QRectF:
        return self.box()

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
        box = self.box()
        painter.setPen(QPen(theme.color("button_border"), 2.5))
        painter.setBrush(theme.color("entry"))
        painter.drawRect(box)
        draw_text(
            painter,
            theme,
            box.adjusted(10, 0, -10, 0),
            "SP",
            box.height() * 0.36,
            color=theme.color("text_dim"),
            bold=True,
        )
        draw_text(
            painter,
            theme,
            box.adjusted(48, 0, -10, 0),
            self.format(self.main),
            box.height() * 0.5,
            bold=True,
            align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        )


class Button(Symbol):
    interactive = True

    def text(self) -> str:
        return self.label()

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        rect = self.body()
        painter.setPen(QPen(theme.color("button_border"), 2.5))
        painter.setBrush(theme.color("button"))
        painter.drawRoundedRect(rect, 6, 6)
        draw_text(
            painter,
            theme,
            rect.adjusted(12, 0, -12, 0),
            self.text(),
            min(26.0, rect.height() * 0.4),
            bold=True,
            align=Qt.AlignmentFlag.AlignCenter,
        )


class Command(Button):
    """Writes its ``value`` to its tag after the operator confirms."""

    def text(self) -> str:
        return self.label() or f"{self.tag} = {self.props.get('value')}"

    @property
    def quality(self) -> Quality | None:
        # a command tag is often never read back; only a known-bad one is worth marking
        return self.main.quality if self.main is not None else Quality.GOOD


class Nav(Button):
    """Goes to another screen."""

    def text(self) -> str:
        return self.label() or str(self.props["target"])

    def paint_body(self, painter: QPainter) -> None:
        super().paint_body(painter)
        rect = self.body()
        size = min(14.0, rect.height() * 0.2)
        x, y = rect.right() - 16, rect.center().y()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.theme.color("outline"))
        painter.drawPolygon(
            QPolygonF([QPointF(x - size, y - size), QPointF(x, y), QPointF(x - size, y + size)])
        )


class Text(Symbol):
    def paint_body(self, painter: QPainter) -> None:
        align = {
            "left": Qt.AlignmentFlag.AlignLeft,
            "center": Qt.AlignmentFlag.AlignHCenter,
            "right": Qt.AlignmentFlag.AlignRight,
        }[self.props.get("align", "left")]
        draw_text(
            painter,
            self.theme,
            self.body(),
            str(self.props["text"]),
            float(self.props.get("font_size", 22.0)),
            bold=True,
            align=align | Qt.AlignmentFlag.AlignVCenter,
        )


class Frame(Symbol):
    """A titled area: a thin outline that groups a unit's symbols without shouting."""

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        rect = self.body()
        painter.setPen(QPen(theme.color("normal_band"), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        if self.label():
            title = QRectF(rect.left() + 12, rect.top() + 4, rect.width() - 24, 30)
            draw_text(
                painter, theme, title, self.label(), 22, bold=True, color=theme.color("text_dim")
            )
