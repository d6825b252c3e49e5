"""The trend's drawing: one time axis, one Y axis per units, pens, bands, limits, cursor.

Only time moves under the operator's hand: a drag (or a fling, on touch) pans, the wheel
or a pinch zooms about the finger, a tap places the cursor. Each Y axis keeps its pens'
engineering range, so a line's height always means the same, unless the operator fits a
pen to its data: its own axis then follows the values shown. There is no context menu.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import QGestureEvent, QPinchGesture, QWidget

from hmi.ui.i18n import translate
from hmi.ui.theme import Theme

from .pens import PRIORITY_GLYPHS, AxisGroup, Pen
from .series import BUCKETS, PenData, gap_spans, minmax_decimate
from .viewbox import OverlayViewBox, TimeViewBox

LEFT_COLUMNS = 4  # axis columns either side of the plot
ENVELOPE_ALPHA = 70
HATCH_ALPHA = 150
GRID_ALPHA = 40  # faint lines to read values and times against


class PenItems:
    """The graphics of one pen: envelope, line, hatched bad stretches, band and limits."""

    def __init__(self, pen: Pen, view: pg.ViewBox, theme: Theme, width: float, font: QFont):
        self.pen = pen
        self.label_font = font
        self.view = view
        color = QColor(pen.color)
        light = QColor(color)
        light.setAlpha(ENVELOPE_ALPHA)
        self.envelope = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen(light, width=1))
        line_pen = QPen(color, width, pen.dash)
        line_pen.setCosmetic(True)
        line_pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        self.line = pg.PlotCurveItem(connect="finite", pen=line_pen)
        self.line.setZValue(10)
        self.envelope.setZValue(5)
        hatch = QColor(color)
        hatch.setAlpha(HATCH_ALPHA)
        self.hatch_brush = QBrush(hatch, Qt.BrushStyle.BDiagPattern)
        self.hatches: list[pg.LinearRegionItem] = []
        self.extras: list = []
        view.addItem(self.envelope)
        view.addItem(self.line)

    def remove(self) -> None:
        for item in [self.envelope, self.line, *self.hatches, *self.extras]:
            self.view.removeItem(item)
        self.hatches.clear()
        self.extras.clear()

    def set_hatches(self, spans: Sequence[tuple[float, float]]) -> None:
        while len(self.hatches) < len(spans):
            region = pg.LinearRegionItem(
                orientation="vertical", brush=self.hatch_brush, pen=pg.mkPen(None), movable=False
            )
            region.setZValue(2)
            for edge in region.lines:
                edge.setPen(pg.mkPen(None))
            label = pg.InfLineLabel(
                region.lines[1],  # left of the stretch's end: recent stretches stay in view
                text=translate("Trend", "? {pen} bad").format(pen=self.pen.number),
                position=0.97,
                anchors=[(1, 0), (1, 0)],
                color="#111111",
                fill=pg.mkBrush("#F0F0F0"),
                border=pg.mkPen(self.pen.color, width=1),
            )
            label.setFont(self.label_font)
            self.view.addItem(region)
            self.hatches.append(region)
        for i, region in enumerate(self.hatches):
            if i < len(spans):
                region.setRegion(spans[i])
                region.show()
            else:
                region.hide()


class CursorTimeLabel(pg.InfLineLabel):
    """The cursor's time at the foot of its line."""

    def __init__(self, line: pg.InfiniteLine, font: QFont):
        super().__init__(
            line,
            position=0.03,
            anchors=[(0.5, 1), (0.5, 1)],
            color="#111111",
            fill=pg.mkBrush("#FAFAFA"),
            border=pg.mkPen("#111111", width=1),
        )
        self.setFont(font)

    def valueChanged(self) -> None:
        self.setText(datetime.fromtimestamp(self.line.value()).strftime("%H:%M:%S"))
        self.updatePosition()


def step_arrays(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Held values: each value runs flat until the next sample."""
    if len(t) < 2:
        return t, y
    st = np.repeat(t, 2)[1:]
    sy = np.repeat(y, 2)[:-1]
    return st, sy


class TrendPlot(pg.GraphicsLayoutWidget):
    """Axes, pens and cursor; ``draw_pen`` puts a pen's data on the screen."""

    pinched = Signal(float, float)  # factor, centre time

    def __init__(self, theme: Theme, font_px: float, touch: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.touch = touch
        self.font_px = font_px
        self.line_width = 3.0 if touch else 2.5
        self.label_font = QFont(theme.font_family)
        self.label_font.setPixelSize(round(font_px * 0.75))
        self.label_font.setBold(True)
        self.setBackground(theme.background)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.ci.setContentsMargins(4, 8, 4, 4)
        self.ci.layout.setHorizontalSpacing(0)
        self.ci.layout.setVerticalSpacing(0)
        self.main = TimeViewBox(kinetic=touch)
        self.main.setBackgroundColor(theme.panel)
        self.main.setBorder(pg.mkPen(theme.outline, width=1))
        self.ci.addItem(self.main, row=0, col=LEFT_COLUMNS)
        self.time_axis = pg.DateAxisItem(orientation="bottom")
        self._style_axis(self.time_axis, theme.text)
        self.time_axis.setGrid(GRID_ALPHA)
        self.time_axis.linkToView(self.main)
        self.ci.addItem(self.time_axis, row=1, col=LEFT_COLUMNS)
        self.main.sigResized.connect(self._sync_overlays)
        self.views: list[pg.ViewBox] = []
        self.axes: list[pg.AxisItem] = []
        self.items: dict[str, PenItems] = {}
        self.groups: list[AxisGroup] = []
        self._fitted: set[int] = set()
        self.cursor = pg.InfiniteLine(
            angle=90, movable=True, pen=pg.mkPen(theme.pointer, width=2), hoverPen=None
        )
        self.cursor.setZValue(50)
        CursorTimeLabel(self.cursor, self.label_font)
        self.cursor.hide()
        self.main.addItem(self.cursor, ignoreBounds=True)
        if touch:
            self.viewport().setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
            self.viewport().grabGesture(Qt.GestureType.PinchGesture)

    # -- axes --------------------------------------------------------------------------

    def _style_axis(self, axis: pg.AxisItem, color: str) -> None:
        font = QFont(self.theme.font_family)
        font.setPixelSize(round(self.font_px * 0.8))
        axis.setStyle(tickFont=font, tickTextOffset=6, tickLength=-8)
        axis.setPen(pg.mkPen(self.theme.outline, width=1))
        axis.setTextPen(pg.mkPen(color))

    def set_groups(self, groups: list[AxisGroup]) -> None:
        """Rebuild the Y axes and pens for ``groups`` (pens sharing units share an axis)."""
        for items in self.items.values():
            items.remove()
        self.items.clear()
        for axis in self.axes:
            self.ci.removeItem(axis)
        for view in self.views[1:]:
            self.scene().removeItem(view)
        self.axes, self.views, self.groups = [], [], groups
        self._fitted: set[int] = set()  # axes fitted to their data once
        for index, group in enumerate(groups):
            view = self.main if index == 0 else OverlayViewBox()
            if index:
                self.scene().addItem(view)
                view.setXLink(self.main)
                view.setZValue(1000 + index)  # over the plot area, which has a background
            right = index % 2 == 1
            axis = pg.AxisItem("right" if right else "left")
            axis.enableAutoSIPrefix(False)
            self._style_axis(axis, group.color)
            on_off = all(p.step for p in group.pens)  # its ticks say on and off
            axis.setLabel(
                " " if on_off else group.units or " ",
                **{"color": group.color, "font-size": f"{round(self.font_px * 0.85)}px"},
            )
            axis.setStyle(maxTickLevel=1)  # major and minor ticks; finer ones are clutter
            if index == 0:
                axis.setGrid(GRID_ALPHA)
            axis.linkToView(view)
            column = LEFT_COLUMNS + 1 + index // 2 if right else LEFT_COLUMNS - 1 - index // 2
            self.ci.addItem(axis, row=0, col=column)
            self.axes.append(axis)
            self.views.append(view)
            for pen in group.pens:
                self.items[pen.tag] = PenItems(
                    pen, view, self.theme, self.line_width, self.label_font
                )
                self._add_bands(pen, view)
            if on_off:
                axis.setTicks(
                    [[(0.0, translate("Trend", "off")), (1.0, translate("Trend", "on"))], []]
                )
                # beside other pens, on/off signals keep to a strip at the bottom
                view.setYRange(-0.15, 4.5 if len(groups) > 1 else 1.15, padding=0)
            elif group.range is not None:
                view.setYRange(*group.range, padding=0.02)
        self._sync_overlays()

    def _sync_overlays(self) -> None:
        rect = self.main.sceneBoundingRect()
        for view in self.views[1:]:
            view.setGeometry(rect)
            view.linkedViewChanged(self.main, view.XAxis)

    def _add_bands(self, pen: Pen, view: pg.ViewBox) -> None:
        items = self.items[pen.tag]
        if pen.normal is not None:
            band = QColor(self.theme.normal_band)
            band.setAlpha(120)
            region = pg.LinearRegionItem(
                values=pen.normal,
                orientation="horizontal",
                brush=QBrush(band),
                pen=pg.mkPen(None),
                movable=False,
            )
            region.setZValue(-10)
            view.addItem(region, ignoreBounds=True)
            items.extras.append(region)
        shared = len(next(g for g in self.groups if pen in g.pens).pens) > 1
        font = self.label_font
        for limit in pen.limits:
            color = self.theme.alarm_color(limit.priority)
            # a dark edge under the colour: yellow alone vanishes on grey
            edge = pg.InfiniteLine(
                pos=limit.value, angle=0, movable=False, pen=pg.mkPen("#333333", width=4)
            )
            line = pg.InfiniteLine(
                pos=limit.value, angle=0, movable=False, pen=pg.mkPen(color, width=2)
            )
            glyph = PRIORITY_GLYPHS.get(limit.priority, "")
            whose = "  " + translate("Trend", "(pen {n})").format(n=pen.number) if shared else ""
            text = f"{glyph}{limit.priority}  {limit.name} {limit.value:g} {pen.units}{whose}"
            label = pg.InfLineLabel(
                line,
                text=text.replace("  ", "\u2002"),
                position=0.99,
                anchors=[(1, 1), (1, 1)] if limit.name.startswith("H") else [(1, 0), (1, 0)],
                color=self.theme.alarm_text_color(limit.priority),
                fill=pg.mkBrush(color),
                border=pg.mkPen("#333333", width=1),
            )
            label.setFont(font)
            edge.setZValue(19)
            line.setZValue(20)
            for item in (edge, line):
                view.addItem(item, ignoreBounds=True)
                items.extras.append(item)

    # -- data ----------------------------------------------------------------------------

    def draw_pen(
        self,
        tag: str,
        history: PenData,
        live: tuple[np.ndarray, np.ndarray] | None,
        hold_until: float | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw history plus live samples; returns the line as drawn (for the cursor)."""
        items = self.items.get(tag)
        if items is None:
            return np.empty(0), np.empty(0)
        t0, t1 = self.main.viewRange()[0]
        columns = max(16, int(self.main.width()))
        t, y = history.t, history.y
        if live is not None and len(live[0]):
            lt, ly = minmax_decimate(*_clip(live[0], live[1], t0, t1), t0, t1, columns)
            cut = int(np.searchsorted(t, lt[0], side="left")) if len(t) else 0
            t, y = np.concatenate([t[:cut], lt]), np.concatenate([y[:cut], ly])
        if hold_until is not None and len(y) and not math.isnan(y[-1]) and t[-1] < hold_until:
            t, y = np.append(t, hold_until), np.append(y, y[-1])
        drawn = (t, y)
        if items.pen.step:
            t, y = step_arrays(t, y)
        items.line.setData(t, y, connect="finite")
        if history.mode == BUCKETS and len(history.t):
            keep = np.isfinite(history.lo) & np.isfinite(history.hi)
            xs = np.repeat(history.t[keep], 2)
            ys = np.column_stack([history.lo[keep], history.hi[keep]]).ravel()
            px = history.bucket_s / max(1e-9, self.main.seconds_per_px())
            items.envelope.setPen(pg.mkPen(items.envelope.opts["pen"].color(), width=max(1, px)))
            items.envelope.setData(xs, ys)
            items.envelope.show()
        else:
            items.envelope.hide()
        spans = list(history.bad_spans)
        if live is not None and len(live[0]):
            spans += gap_spans(live[0], live[1], hold_until or float(live[0][-1]))
        items.set_hatches(spans)
        return drawn

    def autoscale(self, index: int, values: Sequence[np.ndarray], grow_only: bool = False) -> None:
        """Fit an axis without a configured range to its data, bands and limits (an axis
        fitted to its data: to the data alone).

        ``grow_only`` (live) widens it when a value leaves it but never narrows it, so the
        scale does not twitch with every new sample; an axis fitted to its data narrows
        too, once the data fills less than a third of it."""
        group = self.groups[index]
        if group.range is not None:
            return
        parts = [v[np.isfinite(v)] for v in values if len(v)]
        for pen in group.pens:
            extra = [lim.value for lim in pen.limits] + list(pen.normal or ())
            if extra and not group.fit_data:
                parts.append(np.asarray(extra, dtype=float))
        parts = [p for p in parts if len(p)]
        if not parts:
            return
        lo = float(min(p.min() for p in parts))
        hi = float(max(p.max() for p in parts))
        if hi - lo < 1e-9:
            lo, hi = lo - 1, hi + 1
        view = self.views[index]
        if grow_only and index in self._fitted:
            shown_lo, shown_hi = view.viewRange()[1]
            inside = shown_lo <= lo and hi <= shown_hi
            if inside and not (group.fit_data and (shown_hi - shown_lo) > 3 * (hi - lo)):
                return
            if not group.fit_data:
                lo, hi = min(lo, shown_lo), max(hi, shown_hi)
        view.setYRange(lo, hi, padding=0.08)
        self._fitted.add(index)

    # -- cursor --------------------------------------------------------------------------

    def set_cursor(self, t: float | None) -> None:
        if t is None:
            self.cursor.hide()
        else:
            self.cursor.setValue(t)
            self.cursor.show()

    # -- touch ---------------------------------------------------------------------------

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)  # type: ignore[attr-defined]
            if isinstance(pinch, QPinchGesture) and isinstance(event, QGestureEvent):
                flags = pinch.changeFlags()
                if flags & QPinchGesture.ChangeFlag.ScaleFactorChanged and pinch.scaleFactor():
                    centre = self.mapFromGlobal(pinch.centerPoint().toPoint())
                    at = self.main.mapSceneToView(self.mapToScene(centre)).x()
                    self.pinched.emit(1.0 / pinch.scaleFactor(), at)
                event.accept()
                return True
        return super().viewportEvent(event)


def _clip(t: np.ndarray, y: np.ndarray, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
    """The samples in [t0, t1] and one either side, so the line reaches both edges."""
    a = max(0, int(np.searchsorted(t, t0, side="left")) - 1)
    z = min(len(t), int(np.searchsorted(t, t1, side="right")) + 1)
    return t[a:z], y[a:z]
