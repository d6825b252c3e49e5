"""The alarm list: filter, sort, select, acknowledge, reset, shelve, take out of service,
and jump to the screen an alarm belongs to.

"Acknowledge all" means every alarm the list shows under its filter: what the operator
has in front of them. Under the list, the selected alarm's help (cause, consequence,
corrective action, from the alarm's definition); the alarm that tripped its line first is
marked FIRST OUT. Every action names the user, may carry a comment (a reason where
ISA-18.2 asks for one) and is refused with a plain message, never a traceback. In the
touch profile rows are finger-sized, a tap toggles a row's selection and the list
scrolls by dragging.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hmi.core.alarms import AlarmEvent, AlarmManager, AlarmState, AlarmStatus
from hmi.core.alarms.actions import ACKNOWLEDGE, OUT_OF_SERVICE, SHELVE
from hmi.ui.entry import EntryDialog, make_kinetic
from hmi.ui.i18n import project_text, translate
from hmi.ui.profile import Profile
from hmi.ui.theme import Theme
from hmi.ui.writes import Permission

from .banner import row_height
from .common import (
    AlarmWords,
    MessageLine,
    UserProvider,
    message_with_mark,
    priority_icon,
    run_command,
)
from .models import AlarmTableModel
from .prompts import ShelveDialog, comment_dialog, prepare, reason_dialog

S = AlarmState
#: the state filter: its words and the states it shows (None: every alarm configured)
STATE_FILTERS: tuple[tuple[str, frozenset[AlarmState] | None], ...] = (
    (
        QT_TRANSLATE_NOOP("Alarms", "Alarm list"),
        frozenset({S.UNACKED, S.ACKED, S.RTN_UNACKED, S.LATCHED}),
    ),
    (
        QT_TRANSLATE_NOOP("Alarms", "Unacknowledged"),
        frozenset({S.UNACKED, S.RTN_UNACKED, S.LATCHED}),
    ),
    (QT_TRANSLATE_NOOP("Alarms", "Shelved"), frozenset({S.SHELVED})),
    (QT_TRANSLATE_NOOP("Alarms", "Suppressed by design"), frozenset({S.SUPPRESSED})),
    (QT_TRANSLATE_NOOP("Alarms", "Out of service"), frozenset({S.OUT_OF_SERVICE})),
    (QT_TRANSLATE_NOOP("Alarms", "All alarms"), None),
)
NOT_SHELVABLE = frozenset({S.SHELVED, S.SUPPRESSED, S.OUT_OF_SERVICE})


def list_row_height(profile: Profile) -> int:
    return row_height(profile) if profile.touch else round(profile.target_px)


def icon_size(profile: Profile) -> int:
    return round(list_row_height(profile) * 0.8)


def make_table(profile: Profile, theme: Theme, model, parent: QWidget) -> QTableView:
    """A read-only table with finger-sized rows in touch, scrolled by dragging there."""
    table = QTableView(parent)
    table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setIconSize(QSize(model.icon_px, model.icon_px))
    rows = table.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # no measuring a thousand rows
    rows.setDefaultSectionSize(list_row_height(profile))
    rows.hide()
    table.horizontalHeader().setHighlightSections(False)
    table.horizontalHeader().setMinimumHeight(round(profile.target_px))
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    if profile.touch:
        make_kinetic(table)
    return table


class AlarmSummary(QWidget):
    go_to_screen = Signal(str)

    def __init__(
        self,
        manager: AlarmManager,
        user: UserProvider,
        *,
        theme: Theme,
        profile: Profile,
        line_names: dict[str, str],
        style: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("alarmSummary")
        self.manager = manager
        self.user = user
        self.profile = profile
        self.style_text = style
        self.dialog: EntryDialog | None = None
        self.dirty = True
        gap = round(profile.gap_px)
        self.words = AlarmWords(manager, line_names)
        self.model = AlarmTableModel(theme, icon_size(profile), line_names, self, self.words)
        self.table = make_table(profile, theme, self.model, self)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        mode = QAbstractItemView.SelectionMode
        self.table.setSelectionMode(
            mode.MultiSelection if profile.touch else mode.ExtendedSelection
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.model.column("message"), QHeaderView.ResizeMode.Stretch)
        for name, width in (
            ("priority", 2.2),
            ("time", 3.4),
            ("line", 2.8),
            ("value", 3.0),
            ("state", 5.0),
            ("id", 7.5),
        ):
            self.table.setColumnWidth(self.model.column(name), round(profile.target_px * width))
        if profile.touch:  # the message says the value; the id is for the engineer
            for name in ("value", "id"):
                self.table.setColumnHidden(self.model.column(name), True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _: self.go_to_selected())

        self.line_filter = QComboBox(self)
        self.line_filter.addItem(translate("Alarms", "All lines"), "")
        for line, name in line_names.items():
            self.line_filter.addItem(name, line)
        self.state_filter = QComboBox(self)
        for words, _states in STATE_FILTERS:
            self.state_filter.addItem(translate("Alarms", words))
        self.priority_buttons: dict[int, QPushButton] = {}
        filters = QHBoxLayout()
        filters.setSpacing(gap)
        filters.addWidget(self.line_filter)
        for priority in (1, 2, 3, 4):
            button = QPushButton(str(priority), self)
            button.setIcon(priority_icon(theme, priority, round(profile.target_px * 0.8)))
            button.setIconSize(
                QSize(round(profile.target_px * 0.7), round(profile.target_px * 0.7))
            )
            button.setCheckable(True)
            button.setChecked(True)
            button.setProperty("toggle", True)
            button.toggled.connect(lambda _=False: self.refresh(force=True))
            self.priority_buttons[priority] = button
            filters.addWidget(button)
        filters.addWidget(self.state_filter)
        self.shown = QLabel("", self)
        self.shown.setProperty("note", True)
        filters.addWidget(self.shown, 1)
        for combo in (self.line_filter, self.state_filter):
            combo.setMinimumHeight(round(profile.target_px))
            combo.currentIndexChanged.connect(lambda _=0: self.refresh(force=True))

        self.buttons: dict[str, QPushButton] = {}
        actions = QGridLayout()
        actions.setSpacing(gap)
        for index, (key, slot) in enumerate(
            (
                ("ack", self.ask_acknowledge),
                ("ack_all", self.ask_acknowledge_all),
                ("reset", self.ask_reset),
                ("screen", self.go_to_selected),
                ("shelve", self.ask_shelve),
                ("unshelve", self.ask_unshelve),
                ("oos", self.ask_out_of_service),
                ("rts", self.ask_return_to_service),
                ("all", self.table.selectAll),
                ("none", self.table.clearSelection),
            )
        ):
            self.buttons[key] = self._button(key, slot)
            actions.addWidget(self.buttons[key], index // 2, index % 2)
        actions.setRowStretch(5, 1)
        # an action the user may not do is disabled, its reason on a touch and as tooltip
        access = getattr(manager, "access", None)
        self.permissions = {
            key: Permission(access, user, permission, parent=self)
            for key, permission in (
                ("ack", ACKNOWLEDGE),
                ("ack_all", ACKNOWLEDGE),
                ("reset", ACKNOWLEDGE),
                ("shelve", SHELVE),
                ("unshelve", SHELVE),
                ("oos", OUT_OF_SERVICE),
                ("rts", OUT_OF_SERVICE),
            )
        }
        self.message = MessageLine(self)
        self.details = QLabel("", self)
        self.details.setObjectName("alarmDetails")
        self.details.setProperty("tile", True)
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lines = 6 if profile.touch else 5  # never moves the list: room for the help is kept
        self.details.setFixedHeight(round(profile.font_px * 1.45 * lines + 2 * gap))
        listing = QVBoxLayout()
        listing.setSpacing(gap)
        listing.addWidget(self.table, 1)
        listing.addWidget(self.details)
        body = QHBoxLayout()
        body.setSpacing(gap * 2)
        body.addLayout(listing, 1)
        body.addLayout(actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addLayout(body, 1)
        for key, permission in self.permissions.items():
            permission.explain_on(self.buttons[key], lambda reason: self.message.say(reason, True))
            permission.changed.connect(self._selection_changed)
        self.retranslate()
        self._selection_changed()

    def _button(self, key: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(f"alarm_{key}")
        button.setMinimumHeight(round(self.profile.target_px))
        button.clicked.connect(lambda _=False: slot())
        return button

    def retranslate(self) -> None:
        texts = {
            "ack": "✓ " + translate("Alarms", "Ack. selected"),
            "ack_all": "✓ " + translate("Alarms", "Ack. all shown"),
            "reset": "↺ " + translate("Alarms", "Reset latched"),
            "screen": "→ " + translate("Alarms", "Its screen"),
            "shelve": translate("Alarms", "Shelve…"),
            "unshelve": translate("Alarms", "Unshelve"),
            "oos": translate("Alarms", "Out of service…"),
            "rts": translate("Alarms", "Back in service"),
            "all": translate("Alarms", "Select all"),
            "none": translate("Alarms", "Select none"),
        }
        for key, button in self.buttons.items():
            button.setText(texts[key])
        self.line_filter.setItemText(0, translate("Alarms", "All lines"))
        for index in range(1, self.line_filter.count()):
            name = self.words.line_names.get(self.line_filter.itemData(index), "")
            self.line_filter.setItemText(index, project_text(self.manager.project, name, "Project"))
        for index, (words, _states) in enumerate(STATE_FILTERS):
            self.state_filter.setItemText(index, translate("Alarms", words))
        self.model.retranslate()
        self.show_details(self.selected())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    # -- reading -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.dirty:
            self.refresh()

    def on_events(self, events: list[AlarmEvent]) -> None:
        self.refresh()

    def refresh(self, force: bool = False) -> None:
        """Read the alarms again; while hidden, only note that it is due."""
        if not (self.isVisible() or force):
            self.dirty = True
            return
        self.dirty = False
        states = STATE_FILTERS[max(0, self.state_filter.currentIndex())][1]
        line = self.line_filter.currentData() or None
        wanted = {p for p, b in self.priority_buttons.items() if b.isChecked()}
        alarms = [a for a in self.manager.alarms(states, line) if a.priority in wanted]
        keep = set(self.selected_ids())
        self.model.set_alarms(alarms)
        self._select(keep)
        self._selection_changed()

    def selected(self) -> list[AlarmStatus]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.rows[row] for row in rows if row < len(self.model.rows)]

    def messages(self, ids: list[str]) -> list[str]:
        """What the operator reads for each of ``ids``."""
        known = {a.id: self.words.message(a) for a in self.model.rows}
        return [known.get(alarm_id, alarm_id) for alarm_id in ids]

    def selected_ids(self) -> list[str]:
        return [a.id for a in self.selected()]

    def select_alarm(self, alarm_id: str) -> bool:
        """Select only ``alarm_id`` and scroll to it (from a touch on the banner)."""
        self.refresh(force=True)
        self.table.clearSelection()
        self._select({alarm_id})
        rows = [i for i, a in enumerate(self.model.rows) if a.id == alarm_id]
        if rows:
            self.table.scrollTo(self.model.index(rows[0], 0))
        return bool(rows)

    def _select(self, ids: set[str]) -> None:
        if not ids:
            return
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        for row, alarm in enumerate(self.model.rows):
            if alarm.id in ids:
                selection.select(self.model.index(row, 0), self.model.index(row, last))
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().select(selection, flags)

    def _selection_changed(self, *_: object) -> None:
        chosen = self.selected()
        states = {a.state for a in chosen}
        b = self.buttons
        b["ack"].setEnabled(any(a.needs_ack for a in chosen))
        b["ack_all"].setEnabled(any(a.needs_ack for a in self.model.rows))
        b["reset"].setEnabled(S.LATCHED in states)
        b["screen"].setEnabled(len(chosen) == 1 and bool(chosen[0].screen))
        b["shelve"].setEnabled(bool(states - NOT_SHELVABLE))
        b["unshelve"].setEnabled(S.SHELVED in states)
        b["oos"].setEnabled(bool(states - {S.OUT_OF_SERVICE}))
        b["rts"].setEnabled(S.OUT_OF_SERVICE in states)
        b["none"].setEnabled(bool(chosen))
        for key, permission in self.permissions.items():
            permission.mark(b[key], b[key].isEnabled())
        self.shown.setText(
            translate("Alarms", "{n} shown, {k} selected").format(
                n=len(self.model.rows), k=len(chosen)
            )
        )
        self.show_details(chosen)

    def show_details(self, chosen: list[AlarmStatus]) -> None:
        """The help of the one selected alarm: why it comes, what follows, what to do."""
        if len(chosen) != 1:
            hint = (
                translate("Alarms", "Select one alarm to see its cause and what to do.")
                if not chosen
                else translate("Alarms", "{k} alarms selected.").format(k=len(chosen))
            )
            self.details.setText(f"<i>{html.escape(hint)}</i>")
            return
        alarm = chosen[0]
        project = self.manager.project
        lines = [f"<b>{html.escape(message_with_mark(alarm, self.words))}</b>"]
        for words, text in (
            (translate("Alarms", "Cause"), alarm.cause),
            (translate("Alarms", "Consequence"), alarm.consequence),
            (translate("Alarms", "Corrective action"), alarm.action),
        ):
            if text:
                shown = html.escape(project_text(project, text, "Alarms"))
                lines.append(f"<b>{html.escape(words)}:</b> {shown}")
        if len(lines) == 1:
            lines.append(html.escape(translate("Alarms", "No help is written for this alarm.")))
        self.details.setText("<br>".join(lines))

    # -- acting --------------------------------------------------------------------------

    def _open(self, dialog: EntryDialog, command: Callable[..., list[str]], done: str):
        """Open ``dialog``; once accepted, run ``command(dialog)`` and say what it did."""
        self.dialog = prepare(dialog, self.profile, self.style_text)
        dialog.accepted.connect(lambda: self._finish(self._run(lambda: command(dialog)), done))
        dialog.open()
        return dialog

    def _finish(self, changed: list[str], done: str) -> None:
        if changed:
            self.message.say(done.format(n=len(changed)))
        self.refresh(force=True)

    def _run(self, action: Callable[[], list[str]]) -> list[str]:
        return run_command(action, self.message.say)

    def ask_acknowledge(self, ids: list[str] | None = None) -> EntryDialog | None:
        ids = ids if ids is not None else [a.id for a in self.selected() if a.needs_ack]
        if not ids:
            return None
        return self._open(
            comment_dialog(
                self.messages(ids), translate("Alarms", "Acknowledge"), self.profile, self
            ),
            lambda d: self.manager.acknowledge(ids, self.user(), d.value),
            translate("Alarms", "{n} alarm(s) acknowledged"),
        )

    def ask_acknowledge_all(self) -> EntryDialog | None:
        return self.ask_acknowledge([a.id for a in self.model.rows if a.needs_ack])

    def ask_reset(self) -> EntryDialog | None:
        ids = [a.id for a in self.selected() if a.state is S.LATCHED]
        if not ids:
            return None
        return self._open(
            comment_dialog(self.messages(ids), translate("Alarms", "Reset"), self.profile, self),
            lambda d: self.manager.reset(ids, self.user(), d.value),
            translate("Alarms", "{n} alarm(s) reset"),
        )

    def ask_shelve(self) -> EntryDialog | None:
        ids = [a.id for a in self.selected() if a.state not in NOT_SHELVABLE]
        if not ids:
            return None
        return self._open(
            ShelveDialog(self.messages(ids), self.profile, self),
            lambda d: self.manager.shelve(
                ids, d.seconds, d.value, self.user(), one_shot=d.one_shot
            ),
            translate("Alarms", "{n} alarm(s) shelved"),
        )

    def ask_unshelve(self) -> list[str]:
        ids = [a.id for a in self.selected() if a.state is S.SHELVED]
        changed = self._run(lambda: self.manager.unshelve(ids, self.user()))
        self._finish(changed, translate("Alarms", "{n} alarm(s) unshelved"))
        return changed

    def ask_out_of_service(self) -> EntryDialog | None:
        ids = [a.id for a in self.selected() if a.state is not S.OUT_OF_SERVICE]
        if not ids:
            return None
        return self._open(
            reason_dialog(
                self.messages(ids), translate("Alarms", "Out of service"), self.profile, self
            ),
            lambda d: self.manager.set_out_of_service(ids, d.value, self.user()),
            translate("Alarms", "{n} alarm(s) out of service"),
        )

    def ask_return_to_service(self) -> EntryDialog | None:
        ids = [a.id for a in self.selected() if a.state is S.OUT_OF_SERVICE]
        if not ids:
            return None
        return self._open(
            comment_dialog(
                self.messages(ids), translate("Alarms", "Return to service"), self.profile, self
            ),
            lambda d: self.manager.return_to_service(ids, self.user(), d.value),
            translate("Alarms", "{n} alarm(s) back in service"),
        )

    def go_to_selected(self) -> str:
        chosen = self.selected()
        if len(chosen) == 1 and chosen[0].screen:
            self.go_to_screen.emit(chosen[0].screen)
            return chosen[0].screen
        return ""
