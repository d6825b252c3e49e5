"""What every symbol shares: tag values, quality marking, alarm marking, activation.

A symbol is a QGraphicsItem placed in design units. It knows tag *names* only; the renderer
binds it to the bridge, which calls ``set_value`` with the newest value at the flush rate.
Its look follows three rules: bad or missing data stays visible but is marked (dashed
outline, hatch, "?" badge); an alarm shows as the priority's colour *and* a numbered
shape; everything else is grey.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem

from hmi.core.project.models import Project, TagConfig
from hmi.core.screens import SymbolDef
from hmi.core.tags import Quality, TagValue
from hmi.ui.theme import DEFAULT_THEME, Theme

BADGE = 30.0  # design units: size of the quality and alarm badges
LABEL_SIZE = 26.0  # design units: labels stay readable at 1280 x 800 from 1.5 m
LABEL_H = 32.0
NO_VALUE = "----"
THIN_SPACE = "\u2009"  # groups digits without the comma/point confusion


@dataclass
class SymbolContext:
    """What symbols need from the outside world; the renderer provides it."""

    project: Project
    theme: Theme = DEFAULT_THEME
    activate: Callable[[Symbol], None] | None = None
    touch: bool = False
    clock: Callable[[], float] = time.time
    extra: dict[str, Any] = field(default_factory=dict)


class Symbol(QGraphicsItem):
    """Base of the symbol library. Subclasses implement ``paint_body``."""

    interactive = False

    def __init__(self, definition: SymbolDef, context: SymbolContext):
        super().__init__()
        self.definition = definition
        self.props = definition.props
        self.context = context
        self.theme = context.theme
        self.values: dict[str, TagValue] = {}
        self.width, self.height = definition.size
        self.setPos(*definition.at)
        self.min_target = 0.0  # design units: a touch target is never smaller than this
        self._bounds: QRectF | None = None
        self._look: tuple = ()
        self._tags = definition.tags
        self._tag = definition.tag
        self._config = context.project.tags.get(self.tag or "")
        self._range: tuple[float, float] | None = None
        self.setAcceptedMouseButtons(
            Qt.MouseButton.LeftButton if self.activatable else Qt.MouseButton.NoButton
        )
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, False)

    # -- data ----------------------------------------------------------------------------

    @property
    def tags(self) -> list[str]:
        return self._tags

    @property
    def tag(self) -> str | None:
        return self._tag

    def tag_config(self, name: str | None = None) -> TagConfig | None:
        if name is None or name == self.tag:
            return self._config
        return self.context.project.tags.get(name)

    def set_value(self, name: str, tv: TagValue) -> None:
        """Take the newest value of one of the symbol's tags (GUI thread, from the bridge)."""
        self.values[name] = tv
        self.on_value(name, tv)
        look = self.look()
        if look != self._look:  # a change too small to see costs no repaint
            self._look = look
            self.update()

    def look(self) -> tuple:
        """What the symbol shows, coarsely: equal looks paint equal pixels."""
        places = self.decimals()
        places = 1 if places is None else places
        return tuple(
            (
                tv.quality,
                tv.reason,
                round(tv.value, places) if isinstance(tv.value, float) else tv.value,
            )
            for tv in self.values.values()
        )

    def on_value(self, name: str, tv: TagValue) -> None:
        """Hook for symbols that keep history or derived state."""

    def value_of(self, name: str | None = None) -> TagValue | None:
        return self.values.get(name or self.tag or "")

    @property
    def main(self) -> TagValue | None:
        return self.value_of()

    @property
    def quality(self) -> Quality | None:
        """Worst quality over the shown tags; None while any of them has no value yet."""
        shown = [n for n in self.tags if n != self.props.get("alarm_tag")]
        if any(n not in self.values for n in shown):
            return None
        return Quality.worst(*(self.values[n].quality for n in shown))

    @property
    def reason(self) -> str:
        reasons = [tv.reason for tv in self.values.values() if tv.quality is not Quality.GOOD]
        if any(n not in self.values for n in self.tags):
            reasons.insert(0, "no value received yet")
        return "; ".join(r for r in reasons if r)

    @property
    def severity(self) -> int:
        """The alarm priority shown (1 most urgent .. 4), or 0 for none."""
        found = [p for p in (self.alarm_tag_priority(), self.own_severity()) if p]
        return min(found) if found else 0

    def own_severity(self) -> int:
        """A subclass's own alarm from its value (limits, states)."""
        return 0

    def alarm_tag_priority(self) -> int:
        name = self.props.get("alarm_tag")
        tv = self.values.get(name) if name else None
        return int(self.props.get("alarm_priority", 2)) if tv is not None and bool(tv.value) else 0

    def limit_priority(self, value: Any) -> int:
        """Alarm priority of ``value`` against the ``limits`` property, 0 inside them."""
        limits = self.props.get("limits")
        if not limits or not isinstance(value, int | float) or isinstance(value, bool):
            return 0
        found = [
            limit.priority
            for key, limit in limits.items()
            if (key.startswith("hi") and value >= limit.value)
            or (key.startswith("lo") and value <= limit.value)
        ]
        return min(found) if found else 0

    def is_on(self, name: str | None = None) -> bool:
        """Running / open: truthy, or one of ``on_values`` when given."""
        tv = self.value_of(name)
        if tv is None or tv.value is None:
            return False
        on_values = self.props.get("on_values")
        if on_values:
            return tv.value in on_values
        return bool(tv.value)

    # -- formatting ----------------------------------------------------------------------

    def decimals(self) -> int | None:
        if self.props.get("decimals") is not None:
            return int(self.props["decimals"])
        tag = self.tag_config()
        return tag.decimals if tag is not None else None

    def units(self) -> str:
        units = self.props.get("units")
        if units is not None:
            return units
        tag = self.tag_config()
        return tag.units if tag is not None else ""

    def format(self, tv: TagValue | None, with_units: bool = True) -> str:
        text = format_number(tv.value if tv else None, self.decimals())
        units = self.units()
        return f"{text} {units}" if with_units and units else text

    def label(self) -> str:
        return self.props.get("label", "")

    def scale_range(self) -> tuple[float, float]:
        if self._range is None:
            rng = self.props.get("range")
            if rng is None:
                tag = self.tag_config()
                rng = tag.eng_range if tag is not None and tag.eng_range else (0.0, 100.0)
            self._range = (float(rng[0]), float(rng[1]))
        return self._range

    def fraction(self, value: Any) -> float | None:
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            return None
        lo, hi = self.scale_range()
        return (value - lo) / (hi - lo)

    def tooltip(self) -> str:
        tag = self.tag_config()
        parts = [tag.description or tag.name] if tag else [self.label() or self.definition.type]
        if self.reason:
            parts.append(f"? {self.reason}")
        return "\n".join(parts)

    # -- geometry ------------------------------------------------------------------------

    def body(self) -> QRectF:
        return QRectF(0, 0, self.width, self.height)

    def boundingRect(self) -> QRectF:
        if self._bounds is None:
            margin = BADGE / 2 + 4
            rect = self.body().adjusted(-margin, -margin, margin, margin)
            self._bounds = rect.united(self.target_rect())
        return self._bounds

    def target_rect(self) -> QRectF:
        """The area that takes a touch: the body, grown to the minimum target size."""
        body = self.body()
        grow_w = max(0.0, self.min_target - body.width()) / 2
        grow_h = max(0.0, self.min_target - body.height()) / 2
        return body.adjusted(-grow_w, -grow_h, grow_w, grow_h)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.target_rect())
        return path

    def set_min_target(self, size: float) -> None:
        self.prepareGeometryChange()
        self.min_target = size
        self._bounds = None

    # -- activation ----------------------------------------------------------------------

    @property
    def activatable(self) -> bool:
        return self.interactive or bool(self.tag) or bool(self.props.get("faceplate"))

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.shape().contains(event.pos()) and self.context.activate is not None:
            self.context.activate(self)
        event.accept()

    # -- painting ------------------------------------------------------------------------

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.paint_body(painter)
        quality = self.quality
        if quality is not Quality.GOOD and self.tags:
            self.paint_quality(painter, quality)
        severity = self.severity
        if severity:
            self.paint_alarm_badge(painter, severity)

    def paint_body(self, painter: QPainter) -> None:
        raise NotImplementedError

    def quality_rect(self) -> QRectF:
        return self.body()

    def paint_quality(self, painter: QPainter, quality: Quality | None) -> None:
        """Dashed outline for doubtful data, plus a hatch when Bad, plus a "?" badge."""
        rect = self.quality_rect().adjusted(-3, -3, 3, 3)
        mark = self.theme.color("quality_mark")
        if quality is Quality.BAD:
            hatch = QColor(mark)
            hatch.setAlpha(150)
            painter.fillRect(rect, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        pen = QPen(mark, 2.5, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        badge = QRectF(rect.right() - BADGE / 2, rect.top() - BADGE / 2, BADGE, BADGE)
        painter.setPen(QPen(mark, 1))
        painter.setBrush(QColor("#FFFFFF"))
        painter.drawRect(badge)
        painter.setPen(mark)
        painter.setFont(self.theme.font(BADGE * 0.8, bold=True))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "?")

    def alarm_anchor(self) -> QPointF:
        """Where the alarm badge sits: inside the value box, at its left (values sit right)."""
        rect = self.quality_rect()
        return QPointF(rect.left() + BADGE * 0.75, rect.center().y())

    def paint_alarm_badge(self, painter: QPainter, priority: int) -> None:
        """The priority's colour in the priority's shape, with its number: never colour alone."""
        paint_priority_shape(painter, self.theme, self.alarm_anchor(), BADGE * 1.1, priority)


def paint_priority_shape(
    painter: QPainter, theme: Theme, center: QPointF, size: float, priority: int
) -> None:
    """ISA-101 alarm indicator: 1 square, 2 diamond, 3 triangle, 4 inverted triangle."""
    half = size / 2
    cx, cy = center.x(), center.y()
    if priority == 1:
        shape = QPolygonF(
            [
                QPointF(cx - half, cy - half),
                QPointF(cx + half, cy - half),
                QPointF(cx + half, cy + half),
                QPointF(cx - half, cy + half),
            ]
        )
    elif priority == 2:
        shape = QPolygonF(
            [
                QPointF(cx, cy - half * 1.2),
                QPointF(cx + half * 1.2, cy),
                QPointF(cx, cy + half * 1.2),
                QPointF(cx - half * 1.2, cy),
            ]
        )
    elif priority == 3:
        shape = QPolygonF(
            [
                QPointF(cx, cy - half * 1.15),
                QPointF(cx + half * 1.2, cy + half),
                QPointF(cx - half * 1.2, cy + half),
            ]
        )
    else:
        shape = QPolygonF(
            [
                QPointF(cx - half * 1.2, cy - half),
                QPointF(cx + half * 1.2, cy - half),
                QPointF(cx, cy + half * 1.15),
            ]
        )
    painter.setPen(QPen(QColor("#000000"), 1.5))
    painter.setBrush(theme.alarm_color(priority))
    painter.drawPolygon(shape)
    painter.setPen(theme.alarm_text_color(priority))
    painter.setFont(theme.font(size * 0.62, bold=True))
    text_rect = QRectF(cx - half, cy - half, size, size)
    if priority == 3:
        text_rect.translate(0, half * 0.25)
    elif priority == 4:
        text_rect.translate(0, -half * 0.25)
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, str(priority))


def format_number(value: Any, decimals: int | None) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return (
            f"{value:,}".replace(",", THIN_SPACE) if decimals is None else f"{value:.{decimals}f}"
        )
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        places = decimals if decimals is not None else (0 if abs(value) >= 1000 else 1)
        if abs(value) >= 10_000:
            return f"{value:,.{places}f}".replace(",", THIN_SPACE)
        return f"{value:.{places}f}"
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
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
) -> None:
    """Text that shrinks to fit its rectangle rather than being cut."""
    font = theme.font(size, bold)
    painter.setFont(font)
    width = painter.fontMetrics().horizontalAdvance(text)
    if width > rect.width() > 0:
        painter.setFont(theme.font(max(8, int(size * rect.width() / width)), bold))
    painter.setPen(QColor(color) if color is not None else theme.color("text"))
    painter.drawText(rect, int(align), text)


def value_box(
    painter: QPainter,
    symbol: Symbol,
    rect: QRectF,
    text: str,
    *,
    severity: int = 0,
    fill: str = "panel",
    bold: bool = True,
) -> None:
    """A value in its box: grey when normal, the alarm colour when in alarm."""
    theme = symbol.theme
    background = theme.alarm_color(severity) if severity else theme.color(fill)
    painter.setPen(QPen(theme.color("outline"), 1.5))
    painter.setBrush(background)
    painter.drawRect(rect)
    color = theme.alarm_text_color(severity) if severity else theme.color("text")
    if symbol.main is None or symbol.main.quality is not Quality.GOOD:
        color = theme.color("text_dim") if not severity else color
    draw_text(
        painter,
        theme,
        rect.adjusted(8, 0, -8, 0),
        text,
        min(rect.height() * 0.58, 40.0),
        color=color,
        bold=bold,
        align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    )
