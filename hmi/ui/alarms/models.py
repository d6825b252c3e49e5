"""Table models of the alarm list and the journal: plain rows, formatted on demand.

A model holds frozen snapshots (``AlarmStatus`` / ``AlarmEvent``) and formats only the
cells a view paints, so a thousand alarms cost one reset, not a thousand widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from hmi.core.alarms import AlarmEvent, AlarmStatus
from hmi.ui.i18n import device_status_text, project_text, translate
from hmi.ui.theme import Theme

from .common import (
    AlarmWords,
    action_words,
    clock_text,
    full_time,
    message_with_mark,
    priority_icon,
    short_line_name,
    state_words,
    value_text,
)

Index = QModelIndex | QPersistentModelIndex
D = Qt.ItemDataRole
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def shown_value(value: Any, units: str = "") -> str:
    """A value as the alarm views show it; a device's state (of a communication alarm)
    in the operator's words."""
    if isinstance(value, str):
        return device_status_text(value)
    return value_text(value, units)


class _Table(QAbstractTableModel):
    COLUMNS: tuple[str, ...] = ()

    def __init__(
        self,
        theme: Theme,
        icon_px: int,
        line_names: dict[str, str],
        parent=None,
        words: AlarmWords | None = None,
    ):
        super().__init__(parent)
        self.theme = theme
        self.icon_px = icon_px
        self.words = words  # the engineer's words in the operator's language
        self.line_names = {key: short_line_name(name) for key, name in line_names.items()}
        self.bold = QFont()
        self.bold.setBold(True)

    def headers(self) -> dict[str, str]:
        return {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = D.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == D.DisplayRole:
            return self.headers().get(self.COLUMNS[section], "")
        return None

    def column(self, name: str) -> int:
        return self.COLUMNS.index(name)

    def line_name(self, line: str) -> str:
        if self.words is not None:
            return self.words.line(line)
        return self.line_names.get(line, line)

    def retranslate(self) -> None:
        """The language changed: headers and every cell say their words again."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.rows:
            last = self.index(len(self.rows) - 1, len(self.COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    rows: Sequence[Any] = ()


class AlarmTableModel(_Table):
    """The alarm list; ``sort`` keeps the operator's chosen order across refreshes."""

    COLUMNS = ("priority", "time", "line", "message", "value", "state", "id")

    def __init__(
        self, theme: Theme, icon_px: int, line_names: dict[str, str], parent=None, words=None
    ):
        super().__init__(theme, icon_px, line_names, parent, words)
        self.rows: list[AlarmStatus] = []
        self.sort_column = 0
        self.sort_order = Qt.SortOrder.AscendingOrder

    def headers(self) -> dict[str, str]:
        return {
            "priority": translate("Alarms", "Prio"),
            "time": translate("Alarms", "Time"),
            "line": translate("Alarms", "Line"),
            "message": translate("Alarms", "Alarm"),
            "value": translate("Alarms", "Value"),
            "state": translate("Alarms", "State"),
            "id": translate("Alarms", "Alarm id"),
        }

    def set_alarms(self, alarms: list[AlarmStatus]) -> None:
        self.beginResetModel()
        self.rows = sorted(alarms, key=self._key(self.COLUMNS[self.sort_column]))
        if self.sort_order == Qt.SortOrder.DescendingOrder:
            self.rows.reverse()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        self.rows.sort(key=self._key(self.COLUMNS[column]))
        if order == Qt.SortOrder.DescendingOrder:
            self.rows.reverse()
        self.layoutChanged.emit()

    def _key(self, name: str) -> Callable[[AlarmStatus], Any]:
        def when(a: AlarmStatus) -> float:
            return a.activated_at or a.since

        return {
            "priority": lambda a: (a.priority, -when(a)),
            "time": lambda a: (-when(a), a.priority),
            "line": lambda a: (self.line_name(a.line), a.priority, -when(a)),
            "message": lambda a: self.message(a).lower(),
            "value": lambda a: str(a.value),
            "state": lambda a: (not a.needs_ack, a.state.value, a.priority),
            "id": lambda a: a.id,
        }[name]

    def data(self, index: Index, role: int = D.DisplayRole) -> Any:
        if not index.isValid():
            return None
        alarm = self.rows[index.row()]
        name = self.COLUMNS[index.column()]
        if role == D.DisplayRole:
            return self._text(alarm, name)
        if role == D.DecorationRole and name == "priority":
            return priority_icon(self.theme, alarm.priority, self.icon_px)
        if role == D.FontRole and (alarm.needs_ack or alarm.first_out):
            return self.bold
        if role == D.TextAlignmentRole:
            return RIGHT if name == "value" else LEFT
        if role == D.ToolTipRole:
            return self._details(alarm)
        if role == D.UserRole:
            return alarm.id
        return None

    def _text(self, alarm: AlarmStatus, name: str) -> str:
        if name == "priority":
            return str(alarm.priority)
        if name == "time":
            return clock_text(alarm.activated_at or alarm.since)
        if name == "line":
            return self.line_name(alarm.line)
        if name == "message":
            return message_with_mark(alarm, self.words)
        if name == "value":
            units = alarm.definition.units if alarm.definition is not None else ""
            if self.words is not None and self.words.project is not None:
                units = project_text(self.words.project, units, "Units")
            return shown_value(alarm.value, units)
        if name == "state":
            return state_words(alarm.state, alarm.acked)
        return alarm.id

    def message(self, alarm: AlarmStatus) -> str:
        return self.words.message(alarm) if self.words is not None else alarm.message or alarm.id

    def _details(self, alarm: AlarmStatus) -> str:
        since = translate("Alarms", "since {time}").format(time=full_time(alarm.since))
        lines = [f"{alarm.id} ({alarm.tag})", since]
        if alarm.shelve_reason:
            lines.append(
                translate("Alarms", "shelved by {user} until {time}: {reason}").format(
                    user=alarm.shelved_by,
                    time=full_time(alarm.shelved_until),
                    reason=alarm.shelve_reason,
                )
            )
        if alarm.oos_reason:
            lines.append(
                translate("Alarms", "out of service by {user}: {reason}").format(
                    user=alarm.oos_by, reason=alarm.oos_reason
                )
            )
        return "\n".join(lines)


class JournalTableModel(_Table):
    """A page of the journal, newest first, as the query returned it."""

    COLUMNS = (
        "time",
        "priority",
        "id",
        "line",
        "action",
        "state",
        "value",
        "message",
        "user",
        "comment",
    )

    def __init__(
        self, theme: Theme, icon_px: int, line_names: dict[str, str], parent=None, words=None
    ):
        super().__init__(theme, icon_px, line_names, parent, words)
        self.rows: list[AlarmEvent] = []

    def headers(self) -> dict[str, str]:
        return {
            "time": translate("Alarms", "Time"),
            "priority": translate("Alarms", "Prio"),
            "id": translate("Alarms", "Alarm id"),
            "line": translate("Alarms", "Line"),
            "action": translate("Alarms", "What"),
            "state": translate("Alarms", "State after"),
            "value": translate("Alarms", "Value"),
            "message": translate("Alarms", "Message"),
            "user": translate("Alarms", "User"),
            "comment": translate("Alarms", "Comment / reason"),
        }

    def set_events(self, events: list[AlarmEvent]) -> None:
        self.beginResetModel()
        self.rows = events
        self.endResetModel()

    def data(self, index: Index, role: int = D.DisplayRole) -> Any:
        if not index.isValid():
            return None
        event = self.rows[index.row()]
        name = self.COLUMNS[index.column()]
        if role == D.DisplayRole:
            return {
                "time": lambda: full_time(event.time),
                "priority": lambda: str(event.priority),
                "id": lambda: event.alarm_id,
                "line": lambda: self.line_name(event.line),
                "action": lambda: action_words(event.action),
                "state": lambda: state_words(event.to_state),
                "value": lambda: shown_value(event.value),
                "message": lambda: self.message(event),
                "user": lambda: event.user,
                "comment": lambda: event.comment,
            }[name]()
        if role == D.DecorationRole and name == "priority":
            return priority_icon(self.theme, event.priority, self.icon_px)
        if role == D.TextAlignmentRole:
            return RIGHT if name == "value" else LEFT
        if role == D.UserRole:
            return event
        return None

    def message(self, event: AlarmEvent) -> str:
        """As stored; in the operator's language where it can be re-rendered."""
        if self.words is None:
            return event.message
        return self.words.stored(event.alarm_id, event.message)
