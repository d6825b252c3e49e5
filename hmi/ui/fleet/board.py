"""The fleet's tiles, drawn in one widget: a heading per site, a tile per line (by area
within the site), sized so that fifty lines fit one desk screen; on the touch panel
larger tiles that scroll.

A normal line is calm grey: its name, order, progress and figures. What is abnormal is
seen first: an active alarm in its priority's colour (with its number, P1..P4, for who
cannot tell colours); an offline line hatched with a dashed outline and why, as bad data
is everywhere else; a stopped line's state in reversed grey with its reason; a payload
that cannot be read marked "?" with what was wrong. No red or green for running.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from hmi.core.fleet import OFFLINE, RUNNING, STOPPED, UNKNOWN, LineState
from hmi.ui.theme import Theme

from .words import (
    age_text,
    alarm_badge,
    figures_text,
    percent,
    reason_text,
    state_text,
    tooltip_text,
)


@dataclass(frozen=True)
class Sizes:
    """The tiles' measures for one profile (device-independent pixels)."""

    min_width: float
    min_height: float
    max_height: float
    gap: float
    title_px: float
    value_px: float
    small_px: float
    heading_px: float

    @classmethod
    def of(cls, profile: object) -> Sizes:
        font = float(getattr(profile, "font_px", 17.0))
        if getattr(profile, "touch", False):
            # 1280 px: three tiles a row, values >= 22 px, labels >= 16 px
            return cls(380, 136, 170, 10, max(font * 1.2, 24), max(font * 1.1, 22),
                       max(font * 0.85, 17), max(font * 1.2, 24))  # fmt: skip
        return cls(228, 104, 126, 6, font * 1.1, font, max(font * 0.82, 14), font * 1.15)


@dataclass(frozen=True)
class Placed:
    line: LineState
    rect: QRectF


class FleetBoard(QWidget):
    """Every line as a tile; ``opened(key)`` when one is touched or clicked."""

    opened = Signal(str)

    def __init__(self, theme: Theme, profile: object, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("fleetBoard")
        self.theme = theme
        self.sizes = Sizes.of(profile)
        self.lines: list[LineState] = []
        self.placed: list[Placed] = []
        self.headings: list[tuple[str, QRectF]] = []
        self.fit_height: float | None = None  # desk: the room the tiles share
        #: the project's words in the station's language (the names it gives lines)
        self.project_words: Callable[[str], str] = lambda text: text
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._pressed: str | None = None
        self._origin = QPoint()

    # -- what it shows -------------------------------------------------------------------

    def show_lines(self, lines: Sequence[LineState]) -> None:
        self.lines = list(lines)
        self.relayout()

    def sites(self) -> list[str]:
        return list(dict.fromkeys(line.site for line in self.lines))

    def site_top(self, site: str) -> int:
        """Where a site's heading is, to scroll it to the top."""
        for name, rect in self.headings:
            if name == site:
                return round(rect.top())
        return 0

    def tile_at(self, x: float, y: float) -> LineState | None:
        for placed in self.placed:
            if placed.rect.contains(QPointF(x, y)):
                return placed.line
        return None

    # -- layout --------------------------------------------------------------------------

    def columns(self, width: float) -> int:
        s = self.sizes
        return max(1, int((width - s.gap) // (s.min_width + s.gap)))

    def relayout(self) -> None:
        s = self.sizes
        width = max(float(self.width()), s.min_width + 2 * s.gap)
        columns = self.columns(width)
        tile_w = (width - s.gap * (columns + 1)) / columns
        sites = self.sites()
        rows = sum(
            math.ceil(sum(1 for x in self.lines if x.site == site) / columns) for site in sites
        )
        heading_h = s.heading_px * 1.6
        tile_h = s.min_height
        if self.fit_height and rows:  # the desk: as tall as fits, all at once
            room = self.fit_height - len(sites) * heading_h - s.gap * (rows + len(sites))
            tile_h = min(s.max_height, max(s.min_height, room / rows))
        y = 0.0
        self.placed, self.headings = [], []
        for site in sites:
            self.headings.append((site, QRectF(s.gap, y, width - 2 * s.gap, heading_h)))
            y += heading_h
            on_site = [x for x in self.lines if x.site == site]
            for index, line in enumerate(on_site):
                row, column = divmod(index, columns)
                left = s.gap + column * (tile_w + s.gap)
                top = y + row * (tile_h + s.gap)
                self.placed.append(Placed(line, QRectF(left, top, tile_w, tile_h)))
            y += math.ceil(len(on_site) / columns) * (tile_h + s.gap) + s.gap
        self.setFixedHeight(max(1, math.ceil(y)))
        self.update()

    def resizeEvent(self, event: object) -> None:
        self.relayout()

    def sizeHint(self) -> QSize:
        return QSize(round(self.sizes.min_width * 4), self.height())

    # -- touches -------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        line = self.tile_at(event.position().x(), event.position().y())
        self._pressed = line.key if line is not None else None
        self._origin = self.mapToGlobal(QPoint(0, 0))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A touch that dragged the tiles along is a scroll, not a choice."""
        line = self.tile_at(event.position().x(), event.position().y())
        moved = self.mapToGlobal(QPoint(0, 0)) != self._origin
        if line is not None and line.key == self._pressed and not moved:
            self.opened.emit(line.key)
        self._pressed = None

    def event(self, event: QEvent) -> bool:
        """Desk: the words a tile had to cut short, in full, under the pointer."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            line = self.tile_at(event.pos().x(), event.pos().y())
            if line is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), tooltip_text(line), self)
            return True
        return super().event(event)

    # -- drawing -------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        visible = QRectF(event.rect())
        for site, rect in self.headings:
            if rect.intersects(visible):
                self._heading(painter, site, rect)
        now = time.time()
        for placed in self.placed:
            if placed.rect.intersects(visible):
                self._tile(painter, placed.line, placed.rect, now)
        painter.end()

    def _heading(self, painter: QPainter, site: str, rect: QRectF) -> None:
        """The site, how many lines it has, then its areas with theirs, in the order
        their tiles follow."""
        t, s = self.theme, self.sizes
        on_site = [x for x in self.lines if x.site == site]
        font = t.font(s.heading_px, True)
        painter.setFont(font)
        painter.setPen(t.color("text"))
        text = f"{site.upper()}   ·   {len(on_site)}"
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, flags, text)
        areas: dict[str, int] = {}
        for line in on_site:
            areas[line.area] = areas.get(line.area, 0) + 1
        if any(areas):
            words = "   ".join(f"{area} {count}" for area, count in areas.items() if area)
            left = rect.left() + t.metrics(font).horizontalAdvance(text) + s.heading_px * 1.5
            self._text(painter, words, QRectF(left, rect.top(), rect.right() - left,
                       rect.height()), s.small_px, False, "text_dim")  # fmt: skip
        painter.setPen(t.pen("outline", 1))
        bottom = rect.bottom() - 2
        painter.drawLine(QPointF(rect.left(), bottom), QPointF(rect.right(), bottom))

    def _tile(self, painter: QPainter, line: LineState, rect: QRectF, now: float) -> None:
        t, s = self.theme, self.sizes
        priority = line.highest_priority
        offline = line.state == OFFLINE
        unsure = line.state == UNKNOWN or bool(line.problem)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.color("panel"))
        painter.drawRect(rect)
        if offline or unsure:  # as bad data everywhere: hatched, never shown as live
            hatch = QColor(t.quality_mark)
            hatch.setAlpha(70)
            painter.setBrush(QBrush(hatch, Qt.BrushStyle.BDiagPattern))
            painter.drawRect(rect)
        pad = s.small_px * 0.5
        inner = rect.adjusted(pad, pad * 0.6, -pad, -pad * 0.6)
        # the first row: state mark, name, the alarm badge
        mark = s.title_px * 0.62
        y = inner.top()
        row_h = s.title_px * 1.3
        mark_rect = QRectF(inner.left(), y + (row_h - mark) / 2, mark, mark)
        painter.setPen(t.pen("outline", 2))
        painter.setBrush(t.color("running") if line.state == RUNNING else Qt.BrushStyle.NoBrush)
        painter.drawRect(mark_rect)
        badge_w = 0.0
        badge = alarm_badge(line)
        if priority is not None:
            font = t.font(s.value_px, True)
            badge_w = t.metrics(font).horizontalAdvance(badge) + s.small_px
            badge_rect = QRectF(inner.right() - badge_w, y + 1, badge_w, row_h - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.alarm_color(priority))
            painter.drawRect(badge_rect)
            painter.setFont(font)
            painter.setPen(t.alarm_text_color(priority))
            painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, badge)
        if unsure and priority is None:
            badge_w = self._text_box(painter, "?", inner.right(), y, row_h)
        title_left = mark_rect.right() + s.small_px * 0.5
        title_rect = QRectF(title_left, y, inner.right() - badge_w - title_left - 4, row_h)
        title = self.project_words(line.name) if line.name else line.title
        self._text(painter, title, title_rect, s.title_px, True, "text", shrink=0.8)
        y += row_h
        small_h = s.small_px * 1.35
        self._subtitle(painter, line, QRectF(inner.left(), y, inner.width(), small_h))
        y += small_h
        body = QRectF(inner.left(), y, inner.width(), inner.bottom() - y)
        if offline or line.state == UNKNOWN:
            self._absent(painter, line, body, now)
        elif line.state == STOPPED:
            self._stopped(painter, line, body)
        else:
            self._producing(painter, line, body)
        # the outline: an alarm's colour, dashed for data that cannot be trusted
        if priority is not None:
            pen = QPen(t.alarm_color(priority), 4)
        elif offline or unsure or line.device_problems:  # its values are not all live
            pen = QPen(QColor(t.quality_mark), 2, Qt.PenStyle.DashLine)
        elif line.state == STOPPED:
            pen = t.pen("outline", 3)
        else:
            pen = t.pen("outline", 1)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = pen.widthF() / 2
        painter.drawRect(rect.adjusted(half, half, -half, -half))

    def _subtitle(self, painter: QPainter, line: LineState, rect: QRectF) -> None:
        """The running order's number (the area without one) on the left, the OEE on the
        right, in small words."""
        t, s = self.theme, self.sizes
        left = [line.area or line.line]
        if line.order is not None and line.state not in (OFFLINE, UNKNOWN):
            left = [line.order.number]
        oee = f"OEE {percent(line.oee)}" if line.oee is not None else ""
        font = t.font(s.small_px, True)
        oee_w = t.metrics(font).horizontalAdvance(oee) + 4 if oee else 0.0
        if oee and line.state not in (OFFLINE, UNKNOWN):
            painter.setFont(font)
            painter.setPen(t.color("text"))
            flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            painter.drawText(rect, flags, oee)
        else:
            oee_w = 0.0
        self._text(painter, "  ·  ".join(left), rect.adjusted(0, 0, -oee_w, 0), s.small_px,
                   False, "text_dim")  # fmt: skip

    def _producing(self, painter: QPainter, line: LineState, body: QRectF) -> None:
        s = self.sizes
        order = line.order
        value_h = s.value_px * 1.35
        y = body.top()
        note = self._note(line)
        if order is None:
            words = state_text(line)
            self._text(painter, words, QRectF(body.left(), y, body.width(), value_h), s.value_px,
                       False, "text_dim")  # fmt: skip
            y += value_h
        else:
            self._progress(painter, order.progress, QRectF(body.left(), y, body.width(), value_h))
            y += value_h
        if note:  # what is wrong matters more than the counts
            self._text(painter, note, QRectF(body.left(), y, body.width(), value_h), s.small_px,
                       True, "text")  # fmt: skip
        elif order is not None:
            self._text(painter, figures_text(line, oee=False), QRectF(body.left(), y,
                       body.width(), value_h), s.value_px, False, "text", shrink=0.85)  # fmt: skip

    def _note(self, line: LineState) -> str:
        """An unreadable payload or a device in trouble, in one short row."""
        if line.problems:
            topic, why = next(iter(line.problems.items()))
            return f"? {topic.removeprefix(line.key + '/')}: {why}"
        problems = line.device_problems
        if problems:
            name, why = next(iter(problems.items()))
            return f"⚠ {name}: {why}"
        return ""

    def _progress(self, painter: QPainter, ratio: float | None, rect: QRectF) -> None:
        t, s = self.theme, self.sizes
        text = percent(ratio)
        font = t.font(s.value_px, True)
        text_w = t.metrics(font).horizontalAdvance("100 %") + s.small_px * 0.5
        track = QRectF(rect.left(), rect.top() + rect.height() * 0.22,
                       rect.width() - text_w, rect.height() * 0.56)  # fmt: skip
        painter.setPen(t.pen("outline", 1))
        painter.setBrush(t.color("scale"))
        painter.drawRect(track)
        if ratio is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.color("level"))
            filled = track.adjusted(1, 1, -1, -1)
            filled.setWidth(filled.width() * min(1.0, max(0.0, ratio)))
            painter.drawRect(filled)
        painter.setFont(font)
        painter.setPen(t.color("text"))
        box = QRectF(track.right(), rect.top(), text_w, rect.height())
        painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)

    def _stopped(self, painter: QPainter, line: LineState, body: QRectF) -> None:
        t, s = self.theme, self.sizes
        value_h = s.value_px * 1.35
        strip = QRectF(body.left(), body.top() + 1, body.width(), value_h - 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.color("running"))
        painter.drawRect(strip)
        self._text(painter, f"■ {state_text(line)}", strip.adjusted(s.small_px * 0.4, 0, -4, 0),
                   s.value_px, True, "text_on_running")  # fmt: skip
        reason = self._note(line) or reason_text(line.reason)
        rect = QRectF(body.left(), strip.bottom() + 1, body.width(), value_h)
        self._text(painter, reason, rect, s.value_px, True, "text", shrink=0.82)

    def _absent(self, painter: QPainter, line: LineState, body: QRectF, now: float) -> None:
        s = self.sizes
        value_h = s.value_px * 1.35
        small_h = s.small_px * 1.35
        self._text(painter, state_text(line), QRectF(body.left(), body.top(), body.width(),
                   value_h), s.value_px, True, "text")  # fmt: skip
        y = body.top() + value_h
        reason = reason_text(line.reason)
        if reason and y + small_h <= body.bottom() + 4:
            self._text(painter, reason, QRectF(body.left(), y, body.width(), small_h), s.small_px,
                       False, "text")  # fmt: skip
            y += small_h
        if y + small_h <= body.bottom() + 4:
            heard = age_text(line.age(now))
            self._text(painter, heard, QRectF(body.left(), y, body.width(), small_h), s.small_px,
                       False, "text_dim")  # fmt: skip

    def _text_box(self, painter: QPainter, text: str, right: float, y: float, h: float) -> float:
        t, s = self.theme, self.sizes
        font = t.font(s.value_px, True)
        w = t.metrics(font).horizontalAdvance(text) + s.small_px
        box = QRectF(right - w, y + 1, w, h - 2)
        painter.setPen(QPen(QColor(t.quality_mark), 2))
        painter.setBrush(t.color("entry"))
        painter.drawRect(box)
        painter.setFont(font)
        painter.setPen(t.color("text"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        return w

    def _text(
        self,
        painter: QPainter,
        text: str,
        rect: QRectF,
        px: float,
        bold: bool,
        color: str,
        shrink: float = 1.0,
    ) -> None:
        """One row of words, in a smaller font (down to ``shrink`` of ``px``) and then
        ended with … where it is too long for the tile."""
        t = self.theme
        font = t.font(px, bold)
        wide = t.metrics(font).horizontalAdvance(text)
        if wide > rect.width() and shrink < 1.0:
            font = t.font(max(px * shrink, px * rect.width() / wide), bold)
        shown = t.metrics(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
        painter.setFont(font)
        painter.setPen(t.color(color))
        painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
