"""The alarm journal: every transition with its user and comment, searched and exported.

Search by period (the last hour, shift, day, week, or a custom range), tag (``line1.*``
for a prefix), priority and text (in the message, id, tag, user and comment); results
come newest first, a page at a time. While the period runs up to now, the first page
follows new entries. Export writes every matching row (not just the page) to a CSV file
the user chooses, on a thread of its own, so a long journal never freezes the screen.

"Replay from here" (when the station can replay its past: the operator's ``replay_at``)
replays the screen of the selected entry's alarm from one minute before it happened.
Messages are shown in the operator's language where they can be re-rendered from their
alarm's definition (see ``AlarmWords.stored``), else as they were written.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDateTime, QEvent, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmi.core.alarms import AlarmEvent, AlarmManager
from hmi.ui.i18n import translate
from hmi.ui.profile import Profile
from hmi.ui.theme import Theme

from .common import AlarmWords, MessageLine, period_buttons, priority_words
from .models import JournalTableModel
from .summary import icon_size, make_table

PAGE_SIZE = 100
PERIODS = (
    (3600, QT_TRANSLATE_NOOP("Alarms", "Last hour")),
    (8 * 3600, QT_TRANSLATE_NOOP("Alarms", "8 h")),
    (86400, QT_TRANSLATE_NOOP("Alarms", "24 h")),
    (7 * 86400, QT_TRANSLATE_NOOP("Alarms", "7 days")),
    (0, QT_TRANSLATE_NOOP("Alarms", "Custom")),
)
CUSTOM = 0  # the period whose dates the user sets
REPLAY_BEFORE_S = 60.0  # replay starts this long before the chosen entry
# how the station replays its past from a moment (``operator.replay_at``), if it can
ReplayAt = Callable[[float], Any]


class JournalView(QWidget):
    exported = Signal(str, int, str)  # path, rows written, problem ("" when it worked)
    go_to_screen = Signal(str)  # replay: the screen to show ("" for the one shown)

    def __init__(
        self,
        manager: AlarmManager,
        *,
        theme: Theme,
        profile: Profile,
        line_names: dict[str, str],
        page_size: int = PAGE_SIZE,
        replay: Callable[[], ReplayAt | None] | None = None,
        parent: QWidget | None = None,
    ):
        """``replay`` gives the station's way to replay from a moment (default: the
        ``replay_at`` of this window's operator), asked each time it may be used."""
        super().__init__(parent)
        self.setObjectName("alarmJournal")
        self.manager = manager
        self.profile = profile
        self.page_size = page_size
        self.page = 0
        self.has_more = False
        self.period = 86400
        self.dirty = True
        self.export_thread: threading.Thread | None = None
        self.replay = replay or self._operator_replay
        self.shown_page: tuple[int, int, int, bool] = (0, 0, 0, False)  # page, first, last, more
        gap = round(profile.gap_px)
        target = round(profile.target_px)
        self.words = AlarmWords(manager, line_names)
        self.model = JournalTableModel(theme, icon_size(profile), line_names, self, self.words)
        self.table = make_table(profile, theme, self.model, self)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        widths = {"priority": 2.0, "id": 7.0, "line": 2.4, "action": 4.4}
        widths |= {"state": 4.4, "value": 2.4, "message": 10.0, "user": 2.8}
        for name, width in widths.items():
            self.table.setColumnWidth(self.model.column(name), round(target * width))
        time_px = round(profile.font_px * 12.5)  # "2026-11-22 03:14:07" in full
        self.table.setColumnWidth(self.model.column("time"), time_px)
        if profile.touch:  # "what" says it; the message says the value
            for name in ("state", "value"):
                self.table.setColumnHidden(self.model.column(name), True)

        self.period_buttons = period_buttons(self, PERIODS, target, self.choose_period)
        periods = QHBoxLayout()
        periods.setSpacing(gap)
        for button in self.period_buttons.values():
            periods.addWidget(button)
        self.start_edit = self._date_edit()
        self.end_edit = self._date_edit()
        self.from_label = QLabel(self)
        self.to_label = QLabel(self)
        periods.addWidget(self.from_label)
        periods.addWidget(self.start_edit)
        periods.addWidget(self.to_label)
        periods.addWidget(self.end_edit)
        periods.addStretch(1)

        self.tag_edit = self._field()
        self.text_edit = self._field()
        self.priority_combo = QComboBox(self)
        self.priority_combo.setMinimumHeight(target)
        self.priority_combo.addItem("", 0)
        for priority in (1, 2, 3, 4):
            self.priority_combo.addItem("", priority)
        self.search_button = self._button(lambda: self.search())
        self.export_button = self._button(lambda: self.export_csv())
        search = QHBoxLayout()
        search.setSpacing(gap)
        search.addWidget(self.tag_edit, 2)
        search.addWidget(self.priority_combo, 1)
        search.addWidget(self.text_edit, 3)
        search.addWidget(self.search_button)
        search.addWidget(self.export_button)

        self.newer_button = self._button(self.newer)
        self.older_button = self._button(self.older)
        self.replay_button = self._button(self.replay_selected)
        self.replay_button.setObjectName("journalReplay")
        self.page_label = QLabel("", self)
        self.page_label.setProperty("note", True)
        pages = QHBoxLayout()
        pages.setSpacing(gap)
        pages.addWidget(self.newer_button)
        pages.addWidget(self.page_label, 1)
        pages.addWidget(self.replay_button)
        pages.addWidget(self.older_button)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._offer_replay())

        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap)
        layout.addLayout(periods)
        layout.addLayout(search)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(pages)
        self.exported.connect(self._exported)
        self.retranslate()
        self.choose_period(self.period, search=False)

    def retranslate(self) -> None:
        """Every word of the view in the current language (after a switch too)."""
        for seconds, words in PERIODS:
            self.period_buttons[seconds].setText(translate("Alarms", words))
        self.from_label.setText(translate("Alarms", "from"))
        self.to_label.setText(translate("Alarms", "to"))
        for edit, words in (
            (self.tag_edit, translate("Alarms", "Tag (line1.* for all of line 1)")),
            (self.text_edit, translate("Alarms", "Text in message, id, user, comment")),
        ):
            edit.setPlaceholderText(words)
            edit.setAccessibleName(words)  # the title of the on-screen keyboard
        self.priority_combo.setItemText(0, translate("Alarms", "All priorities"))
        for index in range(1, self.priority_combo.count()):
            self.priority_combo.setItemText(
                index, priority_words(int(self.priority_combo.itemData(index)))
            )
        self.search_button.setText("⌕ " + translate("Alarms", "Search"))
        self.export_button.setText(translate("Alarms", "Export CSV…"))
        self.newer_button.setText("‹ " + translate("Alarms", "Newer"))
        self.older_button.setText(translate("Alarms", "Older") + " ›")
        self.replay_button.setText("↺ " + translate("Alarms", "Replay from here"))
        self.replay_button.setToolTip(
            translate("Alarms", "Replay the screen of this alarm from a minute before it")
        )
        self._show_page()
        self.model.retranslate()
        self._offer_replay()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def _date_edit(self) -> QDateTimeEdit:
        edit = QDateTimeEdit(self)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        edit.setCalendarPopup(True)
        edit.setMinimumHeight(round(self.profile.target_px))
        return edit

    def _field(self) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setClearButtonEnabled(not self.profile.touch)
        edit.setMinimumHeight(round(self.profile.target_px))
        edit.returnPressed.connect(lambda: self.search())
        return edit

    def _button(self, slot: Any) -> QPushButton:
        button = QPushButton(self)
        button.setMinimumHeight(round(self.profile.target_px))
        button.clicked.connect(lambda _=False: slot())
        return button

    # -- what to search ------------------------------------------------------------------

    @property
    def live(self) -> bool:
        """The period runs up to now: new entries belong on the first page."""
        return self.period != CUSTOM

    def choose_period(self, seconds: int, *, search: bool = True) -> None:
        self.period = seconds
        for value, button in self.period_buttons.items():
            button.setChecked(value == seconds)
        for edit in (self.start_edit, self.end_edit):
            edit.setEnabled(not self.live)
        if self.live:
            now = time.time()
            self.start_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(now - seconds)))
            self.end_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(now) + 60))
        if search:
            self.search()

    def set_range(self, start: float, end: float) -> None:
        """A custom period (also what the date fields give)."""
        self.start_edit.setDateTime(QDateTime.fromMSecsSinceEpoch(int(start * 1000)))
        self.end_edit.setDateTime(QDateTime.fromMSecsSinceEpoch(int(end * 1000)))
        self.choose_period(CUSTOM, search=False)

    def filters(self) -> dict[str, Any]:
        if self.live:
            start, end = time.time() - self.period, None
        else:
            start = self.start_edit.dateTime().toMSecsSinceEpoch() / 1000.0
            end = self.end_edit.dateTime().toMSecsSinceEpoch() / 1000.0
        found: dict[str, Any] = {"start": start, "end": end}
        if tag := self.tag_edit.text().strip():
            found["tag"] = tag
        if priority := self.priority_combo.currentData():
            found["priority"] = int(priority)
        if text := self.text_edit.text().strip():
            found["text"] = text
        return found

    # -- searching -----------------------------------------------------------------------

    def search(self, page: int = 0) -> list[AlarmEvent]:
        """Show page ``page`` (0 = newest) of the matching entries."""
        self.page = max(0, page)
        self.dirty = False
        wanted = (self.page + 1) * self.page_size
        try:
            found = self.manager.query(**self.filters(), limit=wanted + 1, newest_first=True)
        except (sqlite3.Error, OSError) as error:
            self.message.say(
                translate("Alarms", "The journal cannot be read: {e}").format(e=error), True
            )
            return []
        self.has_more = len(found) > wanted
        rows = found[self.page * self.page_size : wanted]
        chosen = self.selected_event()
        self.model.set_events(rows)
        if chosen is not None and chosen in rows:  # new entries came: keep the operator's
            self.table.selectRow(rows.index(chosen))
        self.newer_button.setEnabled(self.page > 0)
        self.older_button.setEnabled(self.has_more)
        first = self.page * self.page_size
        self.shown_page = (self.page, first + 1 if rows else 0, first + len(rows), self.has_more)
        self._show_page()
        self._offer_replay()
        return rows

    def _show_page(self) -> None:
        page, first, last, more = self.shown_page
        self.page_label.setText(
            translate("Alarms", "Page {p}: entries {a}–{b}{more}").format(
                p=page + 1,
                a=first,
                b=last,
                more=translate("Alarms", ", more older") if more else "",
            )
        )

    # -- replay ----------------------------------------------------------------------------

    def _operator_replay(self) -> ReplayAt | None:
        operator = getattr(self.window(), "operator", None)
        replay_at = getattr(operator, "replay_at", None)
        return replay_at if callable(replay_at) else None

    def selected_event(self) -> AlarmEvent | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.model.rows):
            return None
        return self.model.rows[rows[0].row()]

    def _offer_replay(self) -> None:
        """Shown where the station can replay; pressable with one entry chosen."""
        can = self.replay() is not None
        self.replay_button.setVisible(can)
        self.replay_button.setEnabled(can and self.selected_event() is not None)

    def replay_selected(self) -> float | None:
        """Replay from a minute before the selected entry, on its alarm's screen; the
        moment replayed from, or None when nothing was chosen or nothing can replay."""
        event = self.selected_event()
        replay_at = self.replay()
        if event is None or replay_at is None:
            return None
        definition = self.words.definition(event.alarm_id)
        self.go_to_screen.emit(definition.screen if definition is not None else "")
        moment = event.time - REPLAY_BEFORE_S
        replay_at(moment)
        return moment

    def newer(self) -> None:
        self.search(self.page - 1)

    def older(self) -> None:
        if self.has_more:
            self.search(self.page + 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.dirty:
            self.search(self.page)
        self._offer_replay()

    def on_events(self, events: list[AlarmEvent]) -> None:
        if not (self.live and self.page == 0):
            return
        if self.isVisible():
            self.search(0)
        else:
            self.dirty = True

    # -- export --------------------------------------------------------------------------

    def export_csv(self, path: str | None = None) -> threading.Thread | None:
        """Write every matching entry to ``path`` (asked for when not given)."""
        if path is None:
            suggested = time.strftime("alarm-journal-%Y%m%d-%H%M.csv")
            path, _ = QFileDialog.getSaveFileName(
                self, translate("Alarms", "Export the alarm journal"), suggested, "CSV (*.csv)"
            )
            if not path:
                return None
        filters = self.filters()
        self.export_button.setEnabled(False)
        self.message.say(translate("Alarms", "Writing {path} …").format(path=path))

        def work() -> None:
            try:
                rows, problem = self.manager.export_csv(path, **filters), ""
            except (OSError, sqlite3.Error) as error:
                rows, problem = -1, str(error)
            try:
                self.exported.emit(path, rows, problem)
            except RuntimeError:  # the view was closed meanwhile; the file is written
                pass

        self.export_thread = threading.Thread(target=work, name="hmi-journal-export", daemon=True)
        self.export_thread.start()
        return self.export_thread

    def _exported(self, path: str, rows: int, problem: str) -> None:
        self.export_button.setEnabled(True)
        if problem:
            self.message.say(translate("Alarms", "Export failed: {e}").format(e=problem), True)
        else:
            self.message.say(
                translate("Alarms", "{n} entries written to {path}").format(n=rows, path=path)
            )
