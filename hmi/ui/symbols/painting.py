"""Drawing pieces the symbols share: fitted text, value boxes, alarm shapes, number format.

Painting runs for hundreds of symbols ten times a second, so nothing here creates a pen,
font or text layout per call: the theme keeps them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPolygonF

from hmi.core.tags import Quality
from hmi.ui.i18n import translate
from hmi.ui.theme import Theme

if TYPE_CHECKING:
    from .base import Symbol

NO_VALUE = "----"
NO_NUMBER = "—"  # a ratio of an idle machine, a value that is not a number
THIN_SPACE = "\u2009"  # groups digits without the comma/point confusion
# Alignments as plain ints (Qt's values): enum arithmetic costs more than the drawing.
LEFT = Qt.AlignmentFlag.AlignLeft.value
RIGHT = Qt.AlignmentFlag.AlignRight.value
HCENTER = Qt.AlignmentFlag.AlignHCenter.value
TOP = Qt.AlignmentFlag.AlignTop.value
BOTTOM = Qt.AlignmentFlag.AlignBottom.value
VCENTER = Qt.AlignmentFlag.AlignVCenter.value
CENTER = HCENTER | VCENTER


def format_number(value: Any, decimals: int | None) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return translate("Symbol", "on") if value else translate("Symbol", "off")
    if isinstance(value, int):
        return (
            f"{value:,}".replace(",", THIN_SPACE) if decimals is None else f"{value:.{decimals}f}"
        )
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return NO_NUMBER
        places = decimals if decimals is not None else (0 if abs(value) >= 1000 else 1)
        if abs(value) >= 10_000:
            return f"{value:,.{places}f}".replace(",", THIN_SPACE)
        text = f"{value:.{places}f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text  # no "-0.0"
    return str(value)


def draw_text(
    painter: QPainter,
    theme: Theme,
    rect: QRectF,
    text: str,
    size: float,
    *,
    color: QColor | str | None = None,
    bold: bool = False,
    align: int = LEFT | VCENTER,
) -> None:
    """Text that shrinks to fit its rectangle rather than being cut; ``align`` combines
    this module's LEFT/RIGHT/HCENTER with TOP/BOTTOM/VCENTER."""
    if not text:
        return
    font, static, width, height = theme.text_layout(text, size, bold, rect.width())
    if align & RIGHT:
        x = rect.right() - width
    elif align & HCENTER:
        x = rect.left() + (rect.width() - width) / 2
    else:
        x = rect.left()
    if align & VCENTER:
        y = rect.top() + (rect.height() - height) / 2
    elif align & BOTTOM:
        y = rect.bottom() - height
    else:
        y = rect.top()
    painter.setFont(font)
    if color is None:
        painter.setPen(theme.color("text"))
    else:
        painter.setPen(color if isinstance(color, QColor) else QColor(color))
    painter.drawStaticText(QPointF(x, y), static)


def box_frame(painter: QPainter, theme: Theme, rect: QRectF, fill: str = "panel") -> None:
    """A value box as it looks without an alarm: part of a symbol's static layer."""
    painter.setPen(theme.pen("outline", 1.5))
    painter.setBrush(theme.color(fill))
    painter.drawRect(rect)


def value_box(painter: QPainter, symbol: Symbol, *, bold: bool = True) -> None:
    """The symbol's value in its box (whose grey frame is static): the box takes the alarm
    colour when in alarm; the text is dimmed when the value is not Good; a value beyond its
    tag's range has a ▲ or ▼ before it."""
    theme = symbol.theme
    rect, inside, beside_badge, size = symbol.value_layout()
    severity = symbol.shown_severity
    if severity:
        painter.setPen(theme.pen("outline", 1.5))
        painter.setBrush(theme.alarm_color(severity))
        painter.drawRect(rect)
        color = theme.alarm_text_color(severity)
        inside = beside_badge  # the priority badge sits at the left of the box
    else:
        color = theme.color("text" if symbol.shown_quality is Quality.GOOD else "text_dim")
    mark = symbol.shown_range
    if mark:
        box = QRectF(inside.left(), inside.top(), size * 0.9, inside.height())
        draw_text(painter, theme, box, mark, size * 0.8, color=color, bold=True, align=CENTER)
        inside = inside.adjusted(size, 0, 0, 0)
    text = symbol.value_text
    draw_text(painter, theme, inside, text, size, color=color, bold=bold, align=RIGHT | VCENTER)


def priority_polygon(center: QPointF, size: float, priority: int) -> QPolygonF:
    """ISA-101 alarm indicator: 1 square, 2 diamond, 3 triangle, 4 inverted triangle."""
    half = size / 2
    cx, cy = center.x(), center.y()
    if priority == 1:
        points = [(-half, -half), (half, -half), (half, half), (-half, half)]
    elif priority == 2:
        points = [(0, -half * 1.2), (half * 1.2, 0), (0, half * 1.2), (-half * 1.2, 0)]
    elif priority == 3:
        points = [(0, -half * 1.15), (half * 1.2, half), (-half * 1.2, half)]
    else:
        points = [(-half * 1.2, -half), (half * 1.2, -half), (0, half * 1.15)]
    return QPolygonF([QPointF(cx + dx, cy + dy) for dx, dy in points])


def paint_priority_shape(
    painter: QPainter, theme: Theme, center: QPointF, size: float, priority: int
) -> None:
    """The priority's colour in the priority's shape, with its number: never colour alone."""
    painter.setPen(theme.pen("#000000", 1.5))
    painter.setBrush(theme.alarm_color(priority))
    painter.drawPolygon(priority_polygon(center, size, priority))
    half = size / 2
    text_rect = QRectF(center.x() - half, center.y() - half, size, size)
    if priority == 3:
        text_rect.translate(0, half * 0.25)
    elif priority == 4:
        text_rect.translate(0, -half * 0.25)
    draw_text(
        painter,
        theme,
        text_rect,
        str(priority),
        size * 0.62,
        color=theme.alarm_text_color(priority),
        bold=True,
        align=CENTER,
    )


def paint_doubt(
    painter: QPainter, theme: Theme, rect: QRectF, quality: Quality | None, badge: float
) -> None:
    """Data not to be trusted: a dashed outline, a hatch when Bad, a "?" badge at the corner.
    The value stays visible under it."""
    mark = theme.color("quality_mark")
    if quality is Quality.BAD:
        hatch = QColor(mark)
        hatch.setAlpha(150)
        painter.fillRect(rect, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
    painter.setPen(theme.pen("quality_mark", 2.5, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)
    question_badge(
        painter, theme, QRectF(rect.right() - badge / 2, rect.top() - badge / 2, badge, badge)
    )


def question_badge(painter: QPainter, theme: Theme, badge: QRectF) -> None:
    painter.setPen(theme.pen("quality_mark", 1))
    painter.setBrush(QColor("#FFFFFF"))
    painter.drawRect(badge)
    mark = theme.color("quality_mark")
    draw_text(painter, theme, badge, "?", badge.height() * 0.8, color=mark, bold=True, align=CENTER)
