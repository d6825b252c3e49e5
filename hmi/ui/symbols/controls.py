"""Things the operator touches (setpoint, command, navigation) and static layout aids.

Touching one only *asks* for an action: the renderer's activate handler opens the entry or
confirmation dialog; nothing is written from here. A setpoint or command that cannot write
now (its device is down, the user may not) is greyed with a padlock; touching it says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPolygonF

from hmi.core.screens import SymbolDef
from hmi.core.tags import Quality
from hmi.ui.i18n import translate
from hmi.ui.writes import GATE_KEY

from .base import Symbol
from .context import SymbolContext
from .indicators import Labelled
from .painting import CENTER, HCENTER, LEFT, RIGHT, VCENTER, draw_text


def paint_padlock(painter: QPainter, theme: Any, rect: QRectF) -> None:
    """A padlock in ``rect``: "you cannot change this now", a shape, not a colour."""
    size = min(rect.width(), rect.height())
    x, y = rect.center().x() - size * 0.35, rect.center().y() - size * 0.05
    body = QRectF(x, y, size * 0.7, size * 0.5)
    painter.setPen(theme.pen("text_dim", max(2.0, size * 0.1)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(x + size * 0.12, y - size * 0.42, size * 0.46, size * 0.7), 0, 180 * 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.color("text_dim"))
    painter.drawRect(body)


class WriteControl(Symbol):
    """A symbol that writes its tag: it follows the write gate of its context, is greyed
    while the gate refuses and keeps the reason (``refused``) for a touch to tell."""

    interactive = True

    def __init__(self, definition: SymbolDef, context: SymbolContext):
        super().__init__(definition, context)
        self.refused: str | None = None
        self._tip_refused: str | None = None
        gate = context.extra.get(GATE_KEY)
        self._gate = gate if self.tag else None
        if self._gate is not None:
            self._gate.watch(self)  # refreshed when a device or the user changes

    def look(self) -> tuple:
        self.refused = self._gate.refusal(self.tag) if self._gate is not None else None
        return (*super().look(), self.refused)

    def refresh(self) -> None:
        super().refresh()
        if not self.context.touch and self.refused != self._tip_refused:
            self._tip_refused = self.refused
            self.setToolTip(self.tooltip())

    def tooltip(self) -> str:
        text = super().tooltip()
        return f"{text}\n🔒 {self.refused}" if self.refused else text


class Setpoint(WriteControl, Labelled):
    """The current setpoint in a white entry field: white means "you can change this";
    grey with a padlock while it cannot be changed."""

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
        good = self.shown_quality is Quality.GOOD and not self.refused
        if self.refused:  # over the white field: no longer "you can change this"
            theme = self.theme
            painter.setPen(theme.pen("normal_band", 2.5))
            painter.setBrush(theme.color("background"))
            painter.drawRect(box)
            paint_padlock(painter, theme, QRectF(box.left() + 8, box.top(), 34, box.height()))
        draw_text(
            painter,
            self.theme,
            box.adjusted(48, 0, -10, 0),
            self.value_text,
            box.height() * 0.5,
            color=self.theme.color("text" if good else "text_dim"),
            bold=True,
            align=RIGHT | VCENTER,
        )


class Button(Symbol):
    interactive = True

    def text(self) -> str:
        return self.label()

    #: greyed, with a padlock: it cannot act now (see ``WriteControl``)
    refused: str | None = None

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        rect = self.body()
        off = bool(self.refused)
        painter.setPen(theme.pen("normal_band" if off else "button_border", 2.5))
        painter.setBrush(theme.color("background" if off else "button"))
        painter.drawRoundedRect(rect, 6, 6)
        text_rect = rect.adjusted(12, 0, -12, 0)
        if off:
            lock = min(34.0, rect.height() * 0.5)
            paint_padlock(painter, theme, QRectF(rect.left() + 8, rect.top(), lock, rect.height()))
            text_rect.adjust(lock, 0, 0, 0)
        draw_text(
            painter,
            theme,
            text_rect,
            self.text(),
            min(26.0, rect.height() * 0.4),
            color=theme.color("text_dim") if off else None,
            bold=True,
            align=CENTER,
        )


class Command(WriteControl, Button):
    """Writes its ``value`` to its tag after the operator confirms."""

    def text(self) -> str:
        return self.label() or f"{self.tag} = {self.props.get('value')}"

    def confirm_text(self) -> str | None:
        """The screen's question before it writes (``confirm:``), in the operator's language."""
        confirm = self.props.get("confirm")
        return self.words(confirm) if confirm else None

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
            self.words(str(self.props["text"])),
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
