"""Things the operator touches (setpoint, command, navigation) and static layout aids.

Touching one only *asks* for an action: the renderer's activate handler opens the entry or
confirmation dialog; nothing is written from here.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPolygonF

from hmi.core.tags import Quality
from hmi.ui.i18n import translate

from .base import Symbol
from .indicators import Labelled
from .painting import CENTER, HCENTER, LEFT, RIGHT, VCENTER, draw_text


class Setpoint(Labelled):
    """The current setpoint in a white entry field: white means "you can change this"."""

    interactive = True
    framed = False

    def paint_static(self, painter: QPainter) -> None:
        super().paint_static(painter)
        theme = self.theme
        box = self.box()
        painter.setPen(theme.pen("button_border", 2.5))
        painter.setBrush(theme.color("entry"))
        painter.drawRect(box)
        draw_text(
            painter,
            theme,
            box.adjusted(10, 0, -10, 0),
            translate("Symbol", "SP"),
            box.height() * 0.36,
            color=theme.color("text_dim"),
            bold=True,
        )

    def paint_body(self, painter: QPainter) -> None:
        box = self.box()
        draw_text(
            painter,
            self.theme,
            box.adjusted(48, 0, -10, 0),
            self.value_text,
            box.height() * 0.5,
            color=self.theme.color("text" if self.shown_quality is Quality.GOOD else "text_dim"),
            bold=True,
            align=RIGHT | VCENTER,
        )


class Button(Symbol):
    interactive = True

    def text(self) -> str:
        return self.label()

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        rect = self.body()
        painter.setPen(theme.pen("button_border", 2.5))
        painter.setBrush(theme.color("button"))
        painter.drawRoundedRect(rect, 6, 6)
        draw_text(
            painter,
            theme,
            rect.adjusted(12, 0, -12, 0),
            self.text(),
            min(26.0, rect.height() * 0.4),
            bold=True,
            align=CENTER,
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
        align = {"left": LEFT, "center": HCENTER, "right": RIGHT}[self.props.get("align", "left")]
        draw_text(
            painter,
            self.theme,
            self.body(),
            str(self.props["text"]),
            float(self.props.get("font_size", 22.0)),
            bold=True,
            align=align | VCENTER,
        )


class Frame(Symbol):
    """A titled area: a thin outline that groups a unit's symbols without shouting."""

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        rect = self.body()
        painter.setPen(theme.pen("normal_band", 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        if self.label():
            title = QRectF(rect.left() + 12, rect.top() + 4, rect.width() - 24, 30)
            draw_text(
                painter, theme, title, self.label(), 22, bold=True, color=theme.color("text_dim")
            )
