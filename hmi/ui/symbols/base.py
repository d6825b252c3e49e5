"""What every symbol shares: tag values, quality marking, alarm marking, activation.

A symbol is a QGraphicsItem placed in design units. It knows tag *names* only; the renderer
binds it to the bridge, which calls ``set_value`` with the newest value at the flush rate.
Its look follows three rules: bad or missing data stays visible but is marked (dashed
outline, hatch, "?" badge); an alarm shows as the priority's colour *and* a numbered
shape; everything else is grey.

Alarm colour, limit ticks and their priorities come from the alarm definitions, through
the context's ``alarm_links``: a symbol is coloured only while an alarm of its tag (or of
its ``alarm_tag``) is active, as the alarm manager publishes it, so a screen never shows
yellow while the alarm list is empty. Numbers are shown as people read them: in the units
the screen asks for, identifiers without separators, codes as the words of an enum, "—"
for a ratio of an idle machine, and a ▲/▼ mark when the value is beyond its tag's range.

Painting is split for speed. What never changes with the value (labels, scales, bands,
limit ticks, the frames of value boxes) is drawn by ``paint_static`` into the scene's
background, which the view keeps as one pixmap per scale (see ``hmi.ui.scene``). The item
itself draws only what a value changes (``paint_body``) and is cached in device
coordinates, so its Python paint runs only when what it shows changed (``look``), never
because a neighbour was redrawn.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
)

from hmi.core.enums import EnumTable, project_enums
from hmi.core.expr import ExprError, Expression, ExprRuntimeError, compile_expr
from hmi.core.project.models import TagConfig
from hmi.core.screens import SymbolDef
from hmi.core.screens.catalogue import unit_factor
from hmi.core.tags import Quality, TagValue
from hmi.ui.capability import AlarmLink
from hmi.ui.i18n import project_text, reason_text, translate

from .context import SymbolContext
from .painting import NO_NUMBER, format_number, paint_doubt, paint_priority_shape

# alarm states a symbol shows in its priority colour: active ones only (returned to normal,
# latched, shelved, suppressed and out of service are in the alarm list, not on the screen)
ACTIVE_ALARM_STATES = frozenset({"unacked", "acked"})
LIMIT_KINDS = frozenset({"lolo", "lo", "hi", "hihi"})
DEVIATION_KINDS = frozenset({"dev_lo", "dev_hi"})
OVER_RANGE, UNDER_RANGE = "▲", "▼"
Follow = Callable[[TagValue], None]

BADGE = 30.0  # design units: size of the quality and alarm badges
LABEL_SIZE = 26.0  # design units: labels stay readable at 1280 x 800 from 1.5 m
LABEL_H = 32.0
DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
HOT_GAP_S = 0.35  # changes closer than this come from consecutive flushes
HOT_STREAK = 5


class Symbol(QGraphicsRectItem):
    """Base of the symbol library. Subclasses implement ``paint_body`` (and ``paint_static``)."""

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
        # what the symbol shows, as last looked at (see ``look``)
        self.value_text = ""
        self.shown_quality: Quality | None = None
        self.shown_severity = 0
        self.shown_reason = ""
        self.shown_range = ""  # ▲ / ▼ beyond the tag's range
        self._changed_at = -math.inf
        self._streak = 0  # changes in a row, each soon after the one before
        self._sized = False  # the rectangle is set at the first refresh, when subclasses are ready
        self._marked = True  # a quality or alarm badge is shown (no value yet: "?")
        self._look: tuple | None = None
        self._tooltip_reason: str | None = None
        self._tag = definition.tag
        self._alarm_tag = alarm_tag = self.props.get("alarm_tag")
        self._idle = _compiled(self.props.get("idle_when"))
        idle_inputs = sorted(self._idle.names) if self._idle is not None else []
        self._tags = list(dict.fromkeys([*definition.tags, *idle_inputs]))
        self._shown = [n for n in definition.tags if n != alarm_tag]
        self._config = context.project.tags.get(self.tag or "")
        # the alarms shown: those of the tag and of the alarm tag, with their states
        self._links: list[tuple[str, AlarmLink]] = [
            (watched, link)
            for watched in dict.fromkeys(t for t in (self.tag, alarm_tag) if t)
            for link in context.alarm_links(watched)
        ]
        self._alarm_states: dict[str, Any] = {}  # alarm id -> its state, as published
        self._setpoints: dict[str, TagValue] = {}  # of deviation alarms: their limits move
        self._range: tuple[float, float] | None = None
        self._decimals = self.decimals()
        self._units = self.units()
        self._factor = self.factor()
        self._identifier = self.props.get("format") == "id"
        enum = self.props.get("enum")
        self._enum: EnumTable | None = project_enums(context.project).get(enum) if enum else None
        buttons = Qt.MouseButton.NoButton
        if self.activatable:
            buttons = Qt.MouseButton.LeftButton
            if not context.touch:
                buttons |= Qt.MouseButton.MiddleButton
        self.setAcceptedMouseButtons(buttons)
        self.setCacheMode(DEVICE_CACHE)
        self.setPen(Qt.PenStyle.NoPen)

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

    @property
    def alarm_links(self) -> list[AlarmLink]:
        """The alarms this symbol shows: of its tag, then of its ``alarm_tag``."""
        return [link for _, link in self._links]

    def followed(self) -> list[tuple[str, Follow]]:
        """What the symbol follows besides its tags: the state tag of each of its alarms
        and the setpoints its deviation limits move with; the scene binds them."""
        found: list[tuple[str, Follow]] = [
            (link.state_tag, partial(self.set_alarm_state, link.alarm_id, link.priority))
            for _, link in self._links
        ]
        for setpoint in dict.fromkeys(
            link.setpoint for watched, link in self._links if watched == self.tag and link.setpoint
        ):
            found.append((setpoint, partial(self.set_setpoint, setpoint)))
        return found

    def set_alarm_state(self, alarm_id: str, priority: int, tv: TagValue | None) -> None:
        """Follow one alarm (``_sys.alarm.<id>``) as the alarm manager publishes it."""
        self._alarm_states[alarm_id] = tv.value if tv is not None else None
        self.refresh()

    def set_setpoint(self, name: str, tv: TagValue | None) -> None:
        if tv is None:
            self._setpoints.pop(name, None)
        else:
            self._setpoints[name] = tv
        self.refresh()

    def set_value(self, name: str, tv: TagValue) -> None:
        """Take the newest value of one of the symbol's tags (GUI thread, from the bridge)."""
        self.values[name] = tv
        self.on_value(name, tv)
        self.refresh()

    def refresh(self) -> None:
        """Repaint if what the symbol shows changed: a change too small to see costs nothing.

        Call once after construction (the renderer does) so the tooltip and text are set."""
        look = self.look()
        if look != self._look:
            self._look = look
            marked = bool(self.shown_severity) or (
                bool(self._tags) and self.shown_quality is not Quality.GOOD
            )
            if marked != self._marked or not self._sized:
                self._marked = marked
                self.fit_bounds()
            self._follow_pace()
            self.update()
            if not self.context.touch:
                reason = self.shown_reason
                if reason != self._tooltip_reason:
                    self._tooltip_reason = reason
                    self.setToolTip(self.tooltip())

    def _follow_pace(self) -> None:
        """A symbol that changes at every flush is painted straight to the screen (its pixmap
        would be redrawn each time anyway); once it calms down it is kept as a pixmap again,
        so neighbours and overlays never make it paint."""
        now = time.monotonic()
        if now - self._changed_at < HOT_GAP_S:
            self._streak += 1
            if self._streak == HOT_STREAK:
                self.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        else:
            if self._streak >= HOT_STREAK:
                self.setCacheMode(DEVICE_CACHE)
            self._streak = 0
        self._changed_at = now

    def retranslate(self) -> None:
        """The language changed: draw the words again."""
        self._units = self.units()
        self._look = None
        self._tooltip_reason = None
        self.refresh()

    def display_text(self) -> str:
        """The main value as shown, with units."""
        return self.format(self.main)

    def look(self) -> tuple:
        """What the symbol shows, coarsely: equal looks paint equal pixels.

        Also keeps the text, quality and severity for ``paint``, which runs right after."""
        self.value_text = self.display_text()
        self.shown_quality = quality = self.quality
        self.shown_severity = severity = self.severity
        self.shown_reason = reason = "" if quality is Quality.GOOD else self.reason
        self.shown_range = mark = self.range_mark()
        return (self.value_text, quality, reason, severity, mark)

    def on_value(self, name: str, tv: TagValue) -> None:
        """Hook for symbols that keep history or derived state."""

    def value_of(self, name: str | None = None) -> TagValue | None:
        return self.values.get(name or self.tag or "")

    @property
    def main(self) -> TagValue | None:
        return self.values.get(self._tag or "")

    @property
    def quality(self) -> Quality | None:
        """Worst quality over the shown tags; None while any of them has no value yet."""
        shown = self._shown
        if len(shown) == 1:
            tv = self.values.get(shown[0])
            return None if tv is None else tv.quality
        if any(n not in self.values for n in shown):
            return None
        return Quality.worst(*(self.values[n].quality for n in shown))

    @property
    def reason(self) -> str:
        """Why what it shows is not Good, in the operator's language where it can be."""
        reasons = [
            reason_text(tv.reason) for tv in self.values.values() if tv.quality is not Quality.GOOD
        ]
        if len(self.values) < len(self._tags):
            reasons.insert(0, translate("Symbol", "no value received yet"))
        return "; ".join(r for r in reasons if r)

    @property
    def severity(self) -> int:
        """The priority of the most urgent active alarm shown (1 .. 4), or 0 for none."""
        found = 0
        states = self._alarm_states
        for watched, link in self._links:
            if (
                states.get(link.alarm_id) in ACTIVE_ALARM_STATES
                and (not found or link.priority < found)
                and self.alarm_shows(watched, link)
            ):
                found = link.priority
        return found

    def alarm_shows(self, watched: str, link: AlarmLink) -> bool:
        """Whether an active alarm colours the symbol now: a state alarm only while its tag
        has a value in alarm, so a cleared state ("None") is never coloured."""
        if not link.match:
            return True
        tv = self.values.get(watched)
        if tv is None:
            return False
        on_off = all(isinstance(match, bool) for match in link.match)
        return (bool(tv.value) if on_off else tv.value) in link.match

    def alarm_marks(self) -> list[tuple[float, int]]:
        """(limit, priority) of the tag's limit alarms: fixed ticks on a scale."""
        return [
            (link.limit, link.priority)
            for watched, link in self._links
            if watched == self.tag and link.kind in LIMIT_KINDS and link.limit is not None
        ]

    def moving_marks(self) -> list[tuple[float, int]]:
        """(limit, priority) of the tag's deviation alarms at their setpoint's value now."""
        found = []
        for watched, link in self._links:
            if watched != self.tag or link.kind not in DEVIATION_KINDS or link.limit is None:
                continue
            sp = self._setpoints.get(link.setpoint)
            if sp is not None and sp.quality is not Quality.BAD and _number(sp.value):
                found.append((float(sp.value) + link.limit, link.priority))
        return found

    def range_mark(self) -> str:
        """▲ above its tag's engineering range, ▼ below it, else nothing: a shape, not a
        colour (the value may be wrong, not alarming)."""
        tv = self.main
        config = self._config
        if tv is None or config is None or not config.eng_range or not _number(tv.value):
            return ""
        lo, hi = config.eng_range
        return OVER_RANGE if tv.value > hi else UNDER_RANGE if tv.value < lo else ""

    def idle(self) -> bool:
        """True while ``idle_when`` holds: a ratio of an idle machine means nothing."""
        expr = self._idle
        if expr is None:
            return False
        values: dict[str, Any] = {}
        for name in expr.names:
            tv = self.values.get(name)
            if tv is None or tv.quality is Quality.BAD:
                return False
            values[name] = tv.value
        try:
            return bool(expr.evaluate(values))
        except ExprRuntimeError:
            return False

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
        """The units shown, in the operator's language (``Units`` of the project's words)."""
        units = self.props.get("units")
        if units is None:
            tag = self.tag_config()
            units = tag.units if tag is not None else ""
        return self.words(units, "Units")

    def factor(self) -> float:
        """What the tag's value is multiplied by: ``scale``, else the conversion from the
        tag's units to the symbol's (mm to km, s to h), else 1."""
        scale = self.props.get("scale")
        if scale is not None:
            return float(scale)
        config = self.tag_config()
        units = self.props.get("units")
        if units is None or config is None or not config.units:
            return 1.0
        return unit_factor(config.units, units) or 1.0

    def format(self, tv: TagValue | None, with_units: bool = True) -> str:
        value = tv.value if tv else None
        if value is not None:
            if self._enum is not None:
                return self.enum_text(value)
            if isinstance(value, str):  # words the PLC sends, translated like an enum's
                return self.words(value, "Enums")
            if self.idle() or (_number(value) and not math.isfinite(value)):
                return NO_NUMBER
            if self._identifier:
                return identifier_text(value)
            if self._factor != 1.0 and _number(value):
                value *= self._factor
        text = format_number(value, self._decimals)
        units = self._units
        return f"{text} {units}" if with_units and units else text

    def enum_text(self, value: Any) -> str:
        """A code as its words, in the operator's language; an unknown code says its number."""
        assert self._enum is not None
        text = self._enum.text(value)
        if text is None:
            return translate("Symbol", "code {value}").format(value=identifier_text(value))
        return self.words(text, "Enums")

    def label(self) -> str:
        return self.words(self.props.get("label", ""))

    def words(self, text: str, context: str = "Screens") -> str:
        """A text of the project (the screen file's, by default) in the operator's language."""
        return project_text(self.context.project, text, context)

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
        if tag is not None:
            parts = [self.words(tag.description, "Tags") or tag.name]
        else:
            parts = [self.label() or self.definition.type]
        if self.reason:
            parts.append(f"? {self.reason}")
        return "\n".join(parts)

    # -- geometry ------------------------------------------------------------------------

    def body(self) -> QRectF:
        return QRectF(0, 0, self.width, self.height)

    def fit_bounds(self) -> None:
        """Set the item's rectangle: the body, plus room for the badges only while one is
        shown, so the item's pixmap stays small. Qt reads it without calling Python, which
        it does several times per item and frame."""
        margin = self.overhang + (BADGE / 2 if self._marked else 0.0)
        rect = self.body().adjusted(-margin, -margin, margin, margin)
        self.setRect(rect.united(self.target_rect()))
        self._sized = True

    #: design units the changing part may draw outside the body (pens, a wider value box)
    overhang = 4.0

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
        if size == self.min_target:
            return
        self.min_target = size
        self.fit_bounds()

    # -- activation ----------------------------------------------------------------------

    @property
    def activatable(self) -> bool:
        return self.interactive or bool(self.tag) or bool(self.props.get("faceplate"))

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.shape().contains(event.pos()) and self.context.activate is not None:
            new_window = not self.context.touch and (
                event.button() == Qt.MouseButton.MiddleButton
                or bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            )
            self.context.activate(self, new_window)
        event.accept()

    # -- painting ------------------------------------------------------------------------

    @classmethod
    def has_static(cls) -> bool:
        return cls.paint_static is not Symbol.paint_static

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: Any = None
    ) -> None:
        if self._look is None:  # painted before its first value: show it as missing
            self._look = self.look()
        self.paint_body(painter)
        quality = self.shown_quality
        if quality is not Quality.GOOD and self._tags:
            self.paint_quality(painter, quality)
        if self.shown_severity:
            self.paint_alarm_badge(painter, self.shown_severity)

    def paint_static(self, painter: QPainter) -> None:
        """What does not change with the values: drawn into the scene's background once per
        scale, in the symbol's own coordinates, under every symbol's changing part."""

    def paint_body(self, painter: QPainter) -> None:
        raise NotImplementedError

    def quality_rect(self) -> QRectF:
        return self.body()

    def value_rect(self) -> QRectF:
        """The box the main value is written in (for symbols that show one)."""
        return self.body()

    def value_layout(self) -> tuple[QRectF, QRectF, QRectF, float]:
        """The value box, the text's room inside it (without and with an alarm badge at its
        left) and the text size; the size of a symbol never changes: worked out once."""
        found = self.__dict__.get("_value_layout")
        if found is None:
            rect = self.value_rect()
            inside = rect.adjusted(8, 0, -8, 0)
            beside_badge = rect.adjusted(BADGE * 1.5, 0, -8, 0)
            found = (rect, inside, beside_badge, min(rect.height() * 0.58, 40.0))
            self.__dict__["_value_layout"] = found
        return found

    def paint_quality(self, painter: QPainter, quality: Quality | None) -> None:
        """Dashed outline for doubtful data, plus a hatch when Bad, plus a "?" badge."""
        paint_doubt(painter, self.theme, self.quality_rect().adjusted(-3, -3, 3, 3), quality, BADGE)

    def alarm_anchor(self) -> QPointF:
        """Where the alarm badge sits: inside the value box, at its left (values sit right)."""
        rect = self.quality_rect()
        return QPointF(rect.left() + BADGE * 0.75, rect.center().y())

    def paint_alarm_badge(self, painter: QPainter, priority: int) -> None:
        paint_priority_shape(painter, self.theme, self.alarm_anchor(), BADGE * 1.1, priority)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def identifier_text(value: Any) -> str:
    """A die, alloy or order number as written: digits never grouped, no decimals."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _compiled(text: str | None) -> Expression | None:
    """An expression of the screen file (checked when it was loaded)."""
    if not text:
        return None
    try:
        return compile_expr(text)
    except ExprError:
        return None
