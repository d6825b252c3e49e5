"""Alarm system performance for the supervisor (EEMUA 191 / ISA-18.2), with its CSV report.

Alarms per 10 minutes per line, the share of time in flood, the ten most frequent alarms,
chattering and stale alarms, and the priority distribution against the usual guide. A
figure beyond its target says so in words and a ▲ mark, not in colour: colour stays for
alarms, and only the priority shapes carry it here. Every word follows a switch of
language at once (the figures are not asked for again).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.alarms import AlarmKpis, AlarmManager
from hmi.core.alarms.kpi import FLOOD_ABOVE
from hmi.ui.i18n import translate
from hmi.ui.profile import Profile
from hmi.ui.symbols.painting import RIGHT, VCENTER, draw_text, paint_priority_shape
from hmi.ui.theme import Theme

from .common import AlarmWords, MessageLine, full_time, period_buttons, priority_words

PERIODS = (
    (8 * 3600, QT_TRANSLATE_NOOP("Alarms", "8 h")),
    (86400, QT_TRANSLATE_NOOP("Alarms", "24 h")),
    (7 * 86400, QT_TRANSLATE_NOOP("Alarms", "7 days")),
    (30 * 86400, QT_TRANSLATE_NOOP("Alarms", "30 days")),
)
#: ISA-18.2's rough guide for the share of each priority among activations
PRIORITY_GUIDE = {1: "≤ 1 %", 2: "≈ 5 %", 3: "≈ 15 %", 4: "≈ 80 %"}
ACCEPTABLE_PER_10MIN = 1.0  # EEMUA 191: about one alarm per 10 minutes is manageable
FLOOD_TARGET = 0.01  # less than 1 % of the time in flood
AUTO_REFRESH_S = 10.0


class PriorityBars(QWidget):
    """The share of each priority as grey bars beside the priority's shape."""

    def __init__(self, theme: Theme, row_px: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.row_px = row_px
        self.counts: dict[int, int] = {p: 0 for p in (1, 2, 3, 4)}
        self.setMinimumHeight(row_px * 4)

    def sizeHint(self) -> QSize:
        return QSize(500, self.row_px * 4)

    def show_counts(self, counts: dict[int, int]) -> None:
        self.counts = dict(counts)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme, h = self.theme, float(self.row_px)
        total = sum(self.counts.values())
        bar_left, bar_width = h * 1.2, max(40.0, self.width() - h * 1.2 - h * 6.5)
        for i, priority in enumerate((1, 2, 3, 4)):
            top = i * h
            paint_priority_shape(painter, theme, QPointF(h * 0.5, top + h / 2), h * 0.5, priority)
            count = self.counts.get(priority, 0)
            share = count / total if total else 0.0
            painter.setPen(theme.pen("outline", 1.0))
            painter.setBrush(theme.color("scale"))
            track = QRectF(bar_left, top + h * 0.2, bar_width, h * 0.6)
            painter.drawRect(track)
            painter.setBrush(theme.color("level"))
            painter.drawRect(
                QRectF(track.left(), track.top(), track.width() * share, track.height())
            )
            text = f"{count}  ({share:.0%})   " + translate("Alarms", "guide {g}").format(
                g=PRIORITY_GUIDE[priority]
            )
            label = QRectF(track.right() + 8, top, self.width() - track.right() - 8, h)
            draw_text(painter, theme, label, text, h * 0.42, align=RIGHT | VCENTER)
        painter.end()


def _table(headers: tuple[str, ...], parent: QWidget) -> QTableWidget:
    """A table of figures; its headers (``headers``, untranslated) say their words again
    with ``retranslate_table``."""
    table = QTableWidget(0, len(headers), parent)
    table.setProperty("headers", list(headers))
    retranslate_table(table)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    return table


def retranslate_table(table: QTableWidget) -> None:
    headers = table.property("headers") or []
    table.setHorizontalHeaderLabels([translate("Alarms", words) for words in headers])


def _fill(table: QTableWidget, rows: list[tuple[object, ...]], empty: str) -> None:
    rows = rows or [(empty,)]
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c in range(table.columnCount()):
            table.setItem(r, c, QTableWidgetItem(str(row[c]) if c < len(row) else ""))
    table.setFixedHeight(
        table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(len(rows))) + 4
    )


class KpiView(QWidget):
    def __init__(
        self,
        manager: AlarmManager,
        *,
        theme: Theme,
        profile: Profile,
        line_names: dict[str, str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("alarmKpis")
        self.manager = manager
        self.line_names = line_names
        self.words = AlarmWords(manager, line_names)
        self.period = 86400
        self.kpis: AlarmKpis | None = None
        self._refreshed = 0.0
        gap = round(profile.gap_px)
        target = round(profile.target_px)
        bar = QHBoxLayout()
        bar.setSpacing(gap)
        self.period_buttons = period_buttons(self, PERIODS, target, self.choose_period)
        for button in self.period_buttons.values():
            bar.addWidget(button)
        self.span = QLabel("", self)
        self.span.setProperty("note", True)
        bar.addWidget(self.span, 1)
        self.export_button = QPushButton(self)
        self.export_button.setMinimumHeight(target)
        self.export_button.clicked.connect(lambda _=False: self.export_report())
        bar.addWidget(self.export_button)

        self.figures: dict[str, tuple[QLabel, QLabel]] = {}
        self.titles: list[tuple[QLabel, str]] = []  # labels and their untranslated words
        tiles = QHBoxLayout()
        tiles.setSpacing(gap * 2)
        for key, words in (
            ("activations", QT_TRANSLATE_NOOP("Alarms", "Alarms in the period")),
            ("per_10min", QT_TRANSLATE_NOOP("Alarms", "Per 10 minutes (average)")),
            ("peak", QT_TRANSLATE_NOOP("Alarms", "Most in any 10 minutes")),
            ("flood", QT_TRANSLATE_NOOP("Alarms", "Time in flood (more than 10 in 10 min)")),
        ):
            tile = QFrame(self)
            tile.setProperty("tile", True)
            box = QVBoxLayout(tile)
            title, figure, note = QLabel(), QLabel("–"), QLabel("")
            self.titles.append((title, words))
            figure.setProperty("figure", True)
            note.setProperty("note", True)
            for label in (title, figure, note):
                box.addWidget(label)
            self.figures[key] = (figure, note)
            tiles.addWidget(tile, 1)

        self.lines_table = _table(
            (
                QT_TRANSLATE_NOOP("Alarms", "Line"),
                QT_TRANSLATE_NOOP("Alarms", "Alarms"),
                QT_TRANSLATE_NOOP("Alarms", "Per 10 min"),
                QT_TRANSLATE_NOOP("Alarms", "Peak 10 min"),
                QT_TRANSLATE_NOOP("Alarms", "In flood"),
            ),
            self,
        )
        self.actors_table = _table(
            (
                QT_TRANSLATE_NOOP("Alarms", "#"),
                QT_TRANSLATE_NOOP("Alarms", "Alarm"),
                QT_TRANSLATE_NOOP("Alarms", "Count"),
                QT_TRANSLATE_NOOP("Alarms", "Share"),
                QT_TRANSLATE_NOOP("Alarms", "Message"),
            ),
            self,
        )
        self.chatter_table = _table(
            (
                QT_TRANSLATE_NOOP("Alarms", "Alarm"),
                QT_TRANSLATE_NOOP("Alarms", "Most in 1 min"),
                QT_TRANSLATE_NOOP("Alarms", "In all"),
            ),
            self,
        )
        self.stale_table = _table(
            (
                QT_TRANSLATE_NOOP("Alarms", "Alarm"),
                QT_TRANSLATE_NOOP("Alarms", "Prio"),
                QT_TRANSLATE_NOOP("Alarms", "Active for"),
                QT_TRANSLATE_NOOP("Alarms", "Message"),
            ),
            self,
        )
        self.bars = PriorityBars(theme, round(target * 1.1), self)
        grid = QGridLayout()
        grid.setSpacing(gap * 2)
        left = [
            (QT_TRANSLATE_NOOP("Alarms", "Alarms per line"), self.lines_table),
            (QT_TRANSLATE_NOOP("Alarms", "Priority distribution"), self.bars),
        ]
        right = [
            (QT_TRANSLATE_NOOP("Alarms", "Top 10 most frequent (bad actors)"), self.actors_table),
            (QT_TRANSLATE_NOOP("Alarms", "Chattering (3 or more in a minute)"), self.chatter_table),
            (QT_TRANSLATE_NOOP("Alarms", "Stale (active more than 24 h)"), self.stale_table),
        ]
        for column, sections in enumerate((left, right)):
            box = QVBoxLayout()
            box.setSpacing(gap)
            for words, widget in sections:
                heading = QLabel(self)
                heading.setProperty("heading", True)
                self.titles.append((heading, words))
                box.addWidget(heading)
                box.addWidget(widget)
            box.addStretch(1)
            grid.addLayout(box, 0, column)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)

        content = QWidget(self)
        content.setObjectName("alarmKpiContent")
        inner = QVBoxLayout(content)
        inner.setSpacing(gap * 2)
        inner.addLayout(tiles)
        inner.addLayout(grid)
        inner.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        self.tables = (self.lines_table, self.actors_table, self.chatter_table, self.stale_table)
        self.retranslate()
        self.choose_period(self.period, refresh=False)

    def retranslate(self) -> None:
        """Every word of the view in the current language: buttons, titles, headers, the
        notes beside the figures and the messages in the tables."""
        for seconds, words in PERIODS:
            self.period_buttons[seconds].setText(translate("Alarms", words))
        self.export_button.setText(translate("Alarms", "Export CSV report…"))
        for label, words in self.titles:
            label.setText(translate("Alarms", words))
        for table in self.tables:
            retranslate_table(table)
        if self.kpis is not None:
            self.show_kpis(self.kpis)
        self.bars.update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def choose_period(self, seconds: int, *, refresh: bool = True) -> None:
        self.period = seconds
        for value, button in self.period_buttons.items():
            button.setChecked(value == seconds)
        if refresh:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def on_events(self, events: list) -> None:
        if self.isVisible() and time.monotonic() - self._refreshed > AUTO_REFRESH_S:
            self.refresh()

    def refresh(self) -> AlarmKpis:
        end = time.time()
        kpis = self.kpis = self.manager.kpis(end - self.period, end)
        self._refreshed = time.monotonic()
        self.show_kpis(kpis)
        return kpis

    def show_kpis(self, kpis: AlarmKpis) -> None:
        self.span.setText(f"{full_time(kpis.start)[:16]}  →  {full_time(kpis.end)[:16]}")
        over = "▲ " + translate("Alarms", "above target")
        self._figure("activations", str(kpis.activations), "")
        per = kpis.per_10min
        note = over if per > ACCEPTABLE_PER_10MIN else translate("Alarms", "target ≤ 1")
        self._figure("per_10min", f"{per:.2f}", note)
        peak_note = over if kpis.peak_10min > FLOOD_ABOVE else translate("Alarms", "flood above 10")
        self._figure("peak", str(kpis.peak_10min), peak_note)
        flood_note = (
            over if kpis.flood_share > FLOOD_TARGET else translate("Alarms", "target < 1 %")
        )
        self._figure("flood", f"{kpis.flood_share:.1%}", flood_note)
        none = translate("Alarms", "none")
        lines = [
            (
                self.words.line(r.line) if r.line else "–",
                r.activations,
                f"{r.per_10min:.2f}",
                r.peak_10min,
                f"{r.flood_share:.1%}",
            )
            for r in kpis.lines
        ]
        _fill(self.lines_table, lines, none)
        actors = [
            (i + 1, a.alarm_id, a.count, f"{a.share:.0%}", self.words.stored(a.alarm_id, a.message))
            for i, a in enumerate(kpis.bad_actors)
        ]
        _fill(self.actors_table, actors, none)
        _fill(
            self.chatter_table,
            [(c.alarm_id, c.most_per_minute, c.count) for c in kpis.chattering],
            none,
        )
        stale = [
            (
                s.alarm_id,
                priority_words(s.priority),
                f"{s.active_for_s / 3600:.1f} h",
                self.words.stored(s.alarm_id, s.message),
            )
            for s in kpis.stale
        ]
        _fill(self.stale_table, stale, none)
        self.bars.show_counts(kpis.priority_counts)

    def _figure(self, key: str, value: str, note: str) -> None:
        figure, label = self.figures[key]
        figure.setText(value)
        label.setText(note)

    def export_report(self, path: str | None = None) -> str:
        """Write the KPI report of the period shown to ``path`` (asked for when not given)."""
        if path is None:
            suggested = time.strftime("alarm-kpis-%Y%m%d-%H%M.csv")
            path, _ = QFileDialog.getSaveFileName(
                self, translate("Alarms", "Export the alarm KPI report"), suggested, "CSV (*.csv)"
            )
            if not path:
                return ""
        end = time.time()
        try:
            self.manager.write_kpi_report(path, end - self.period, end)
        except OSError as error:
            self.message.say(translate("Alarms", "Export failed: {e}").format(e=error), True)
            return ""
        self.message.say(translate("Alarms", "KPI report written to {path}").format(path=path))
        return path
