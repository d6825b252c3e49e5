"""The shift report's charts: downtime as horizontal bars by reason and the OEE tiles
with the six big losses as a waterfall, drawn so the kinds stay apart in black and white."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen

from hmi.core.orders.report import waterfall
from hmi.ui.symbols.painting import format_number

from .report_pages import DARK, INK, MID, RULE, Column
from .report_words import OEE, STEP_TITLES, ReportText

WATERFALL_PT = 190  # height of the waterfall's plot


class ReportCharts(ReportText):
    """The report's two charts and what they stand beside (tiles, legend, losses table)."""

    def downtime_bars(self, found: Sequence[Any], labels: Sequence[str]) -> None:
        """A horizontal bar per reason, longest first: planned reasons hatched, unplanned
        solid, unassigned open, so the kinds stay apart in black and white."""
        p = self.pages
        label_width = p.width * 0.38
        value_width = max(
            p.text_width(
                p.small, f"{self.number(r.minutes, 1)} {self.say('min')} · {self.percent(r.share)}"
            )
            for r in found
        ) + p.pt(6)
        bar_left = label_width + p.pt(6)
        bar_span = p.width - bar_left - value_width
        longest = max(r.minutes for r in found) or 1.0
        bar_height = p.pt(9)
        axis = QPen(QColor(INK), p.pt(0.6))
        for row, label in zip(found, labels, strict=True):
            height = max(p.text_height(p.small, label_width, label), bar_height) + p.pt(3)
            p.room(height)
            top = p.y
            p.text(
                QRectF(0, top, label_width, height),
                label,
                p.small,
                INK,
                Qt.AlignmentFlag.AlignRight,
            )
            length = max(bar_span * row.minutes / longest, p.pt(0.8))
            rect = QRectF(bar_left, top + (height - p.pt(3) - bar_height) / 2, length, bar_height)
            p.box(rect, self.kind_brush(row.kind), INK)
            value = f"{self.number(row.minutes, 1)} {self.say('min')} · {self.percent(row.share)}"
            value_rect = QRectF(bar_left + length + p.pt(4), top, value_width, height)
            p.text(value_rect, value, p.small)
            p.line(bar_left, top, bar_left, top + height, axis)  # the axis the bars start at
            p.y += height
        p.gap(3)
        self.legend()

    def kind_brush(self, kind: str) -> QBrush | None:
        if kind == "planned":
            return QBrush(QColor(INK), Qt.BrushStyle.BDiagPattern)
        if kind == "unplanned":
            return QBrush(QColor(DARK))
        return None

    def legend(self) -> None:
        p = self.pages
        height = p.line_height(p.small)
        p.room(height)
        x = 0.0
        for kind, text in (
            ("unplanned", self.say("unplanned")),
            ("planned", self.say("planned")),
            ("", self.say("Unassigned")),
        ):
            swatch = QRectF(x, p.y + height * 0.15, height * 1.4, height * 0.7)
            p.box(swatch, self.kind_brush(kind), INK)
            x += height * 1.4 + p.pt(3)
            width = p.text_width(p.small, text) + p.pt(2)
            p.text(QRectF(x, p.y, width, height), text, p.small)
            x += width + p.pt(12)
        p.y += height + p.pt(2)

    def oee(self) -> None:
        p = self.pages
        oee = self.report.oee
        tiles = [
            (self.say("Availability"), oee.availability),
            (self.say("Effectiveness"), oee.effectiveness),
            (self.say("Quality"), oee.quality),
            (self.say("OEE"), oee.oee),
        ]
        big = p.font(16, bold=True)
        tile_width = p.width / len(tiles)
        label_height = max(p.text_height(p.small, tile_width - p.pt(8), t) for t, _ in tiles)
        tile_height = label_height + p.line_height(big) + p.pt(10)
        chart = self.waterfall_height() if oee.planned_busy_time > 0 else 0.0
        p.heading(self.say(OEE), tile_height + p.pt(8) + chart)  # the figures with their chart
        for i, (label, value) in enumerate(tiles):
            rect = QRectF(i * tile_width + p.pt(2), p.y, tile_width - p.pt(4), tile_height)
            p.box(rect, None, INK if i == len(tiles) - 1 else RULE)
            inner = rect.adjusted(p.pt(4), p.pt(4), -p.pt(4), -p.pt(4))
            p.text(
                QRectF(inner.left(), inner.top(), inner.width(), label_height),
                label,
                p.small,
                DARK,
                Qt.AlignmentFlag.AlignHCenter,
            )
            value_rect = QRectF(
                inner.left(),
                inner.top() + label_height + p.pt(2),
                inner.width(),
                p.line_height(big),
            )
            p.text(value_rect, self.percent(value), big, INK, Qt.AlignmentFlag.AlignHCenter)
        p.y += tile_height + p.pt(8)
        if oee.planned_busy_time <= 0:
            p.paragraph(self.say("No planned busy time in this shift."))
            return
        self.waterfall_chart()
        steps = waterfall(self.report)
        rows = [
            [self.say(STEP_TITLES[s.name]), self.number(s.seconds / 60, 1), self.percent(s.share)]
            for s in steps[1:]
        ]
        columns = [
            Column("Loss", 0.6),
            Column("Minutes", 0.2, True),
            Column("% of planned busy time", 0.2, True),
        ]
        p.table(self.say("The six big losses"), columns, rows)

    def waterfall_height(self) -> float:
        p = self.pages
        column = (p.width - self.axis_width()) / len(STEP_TITLES)
        names = [self.say(title) for title in STEP_TITLES.values()]
        name_height = max(p.text_height(p.small, column - p.pt(4), n) for n in names)
        return 2 * p.line_height(p.small) + p.pt(WATERFALL_PT + 4) + name_height

    def axis_width(self) -> float:
        return self.pages.text_width(self.pages.small, "100 %") + self.pages.pt(6)

    def waterfall_chart(self) -> None:
        """Planned busy time, then each of the six big losses stepping down from it, then
        the fully productive time, each bar labelled in minutes and % of planned busy time."""
        p = self.pages
        steps = waterfall(self.report)
        pbt = steps[0].high
        axis_width = self.axis_width()
        column = (p.width - axis_width) / len(steps)
        bar_width = column * 0.62
        names = [self.say(STEP_TITLES[s.name]) for s in steps]
        name_height = max(p.text_height(p.small, column - p.pt(4), n) for n in names)
        value_height = 2 * p.line_height(p.small)
        plot_height = WATERFALL_PT * p.dot
        total = self.waterfall_height()
        p.room(total)
        top = p.y + value_height
        base = top + plot_height

        def y_of(seconds: float) -> float:
            return base - plot_height * seconds / pbt

        grid = QPen(QColor(RULE), p.pt(0.3), Qt.PenStyle.DashLine)
        for share in (0.0, 0.25, 0.5, 0.75, 1.0):
            y = y_of(pbt * share)
            label = f"{format_number(share * 100, 0)} %"
            p.line(axis_width, y, p.width, y, grid)
            half = p.line_height(p.small) / 2
            p.text(
                QRectF(0, y - half, axis_width - p.pt(4), 2 * half),
                label,
                p.small,
                DARK,
                Qt.AlignmentFlag.AlignRight,
            )
        total_brush = QBrush(QColor(MID))
        loss_brush = QBrush(QColor(INK), Qt.BrushStyle.FDiagPattern)
        connector = QPen(QColor(INK), p.pt(0.4), Qt.PenStyle.DotLine)
        for i, step in enumerate(steps):
            left = axis_width + i * column + (column - bar_width) / 2
            high, low = y_of(step.high), y_of(step.low)
            rect = QRectF(left, high, bar_width, max(low - high, p.pt(0.5)))
            p.box(rect, total_brush if step.total else loss_brush, INK)
            if i + 1 < len(steps):  # the level the next bar starts from
                level = y_of(step.low if not step.total else step.high)
                x0, x1 = left + bar_width, left + column
                p.line(x0, level, x1, level, connector)
            label = (
                f"{self.number(step.seconds / 60, 1)} {self.say('min')}\n{self.percent(step.share)}"
            )
            label_rect = QRectF(
                axis_width + i * column, high - value_height - p.pt(1), column, value_height
            )
            p.text(label_rect, label, p.small, INK, Qt.AlignmentFlag.AlignHCenter)
            name_rect = QRectF(
                axis_width + i * column + p.pt(2), base + p.pt(4), column - p.pt(4), name_height
            )
            p.text(name_rect, names[i], p.small, INK, Qt.AlignmentFlag.AlignHCenter)
        axis = QPen(QColor(INK), p.pt(0.8))
        p.line(axis_width, base, p.width, base, axis)
        p.y += total + p.pt(4)
