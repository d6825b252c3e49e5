"""Downtime at the line: a polite count of stops without a reason in the header, and the
stop list it opens, where a reason is given in three touches (the stop, its category,
the reason), a stop is split in two or merged with its neighbour.

The count never blocks anything and has no colour of its own: an outline says there is
something to do. The reason tree is the project's: planned and unplanned categories are
two groups of the same grey buttons, since neither is an alarm.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.orders.model import MachineState, Stop, StopKind
from hmi.ui.dialogs import ConfirmDialog
from hmi.ui.i18n import project_text, translate
from hmi.ui.notice import set_flag

from .common import (
    ASSIGN,
    VALUE_SCALE,
    ElidedButton,
    Guard,
    attempt,
    clock_text,
    duration_text,
    line_short,
    line_title,
)
from .common import now as current

UNASSIGNED_TAG = "_sys.orders.unassigned_stops"
CATEGORY_COLUMNS = 4  # a finger-wide button each on 1280 px; few rows when the banner grows
SPLIT_STEP_S = 60  # the − / + buttons move the split time by a minute
SHIFT_S = 8 * 3600.0  # how far back "earlier" goes where the calendar has no shifts
ROW_SCALE = 1.7  # a row's height against its large words' size: finger-high with air
# a row's two parts: what stopped and how long (large), then where, when and why
WORDS_ROLE = Qt.ItemDataRole.UserRole + 1


def machine_state_text(state: MachineState) -> str:
    return {
        MachineState.RUNNING: translate("Orders", "running"),
        MachineState.IDLE: translate("Orders", "idle"),
        MachineState.FAULT: translate("Orders", "fault"),
        MachineState.CHANGEOVER: translate("Orders", "changeover"),
        MachineState.STARVED: translate("Orders", "starved"),
        MachineState.BLOCKED: translate("Orders", "blocked"),
        MachineState.NO_DATA: translate("Orders", "no data"),
    }.get(state, str(state))


def kind_text(kind: StopKind) -> str:
    return (
        translate("Orders", "Planned")
        if kind is StopKind.PLANNED
        else translate("Orders", "Unplanned")
    )


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


class StopRows(QStyledItemDelegate):
    """A stop as a row read at 1.5 m: its state and length first in the figures' size,
    then its line, start and reason in the text size (ending in "…" if too long); each
    row at least a gloved finger high."""

    def __init__(self, theme: Any, profile: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self.large_px = round(profile.font_px * VALUE_SCALE)
        self.small_px = round(profile.font_px)
        self.row_px = round(max(profile.target_px, self.large_px * ROW_SCALE))
        self.pad = round(profile.gap_px)

    def sizeHint(self, option: QStyleOptionViewItem, index: Any) -> QSize:
        return QSize(option.rect.width(), self.row_px)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        words = index.data(WORDS_ROLE)
        if not words:  # "no stops in this period"
            super().paint(painter, option, index)
            return
        head, tail = words
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        style = plain.widget.style() if plain.widget is not None else None
        if style is not None:  # the background: the style sheet's, selected or not
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, plain.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setPen(self.theme.color("text_on_running" if selected else "text"))
        rect = option.rect.adjusted(self.pad, 0, -self.pad, 0)
        large = self.theme.font(self.large_px, True)
        painter.setFont(large)
        centre = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, centre, head)
        used = round(self.theme.metrics(large).horizontalAdvance(head)) + self.pad * 2
        small = self.theme.font(self.small_px)
        painter.setFont(small)
        room = QRect(rect.left() + used, rect.top(), max(rect.width() - used, 0), rect.height())
        shown = self.theme.metrics(small).elidedText(
            tail, Qt.TextElideMode.ElideRight, room.width()
        )
        painter.drawText(room, centre, shown)
        painter.restore()


class DowntimeItem(QPushButton):
    """The header's count of stops that still need a reason; touching it opens them."""

    def __init__(self, views: Any, window: Any):
        super().__init__(window.header)
        self.setObjectName("downtimeItem")
        self.views, self.window_ = views, window
        self.count = 0
        self.clicked.connect(lambda _=False: views.open_stops(window))
        self.binding = window.bridge.bind(UNASSIGNED_TAG, self._published)
        self.destroyed.connect(lambda *_, b=self.binding: b.unbind())
        self.show_count(len(views.service.unassigned_stops()))

    def _published(self, tv: Any) -> None:
        if tv is not None and isinstance(tv.value, int | float) and tv.quality.name == "GOOD":
            self.show_count(int(tv.value))

    def show_count(self, count: int) -> None:
        self.count = count
        set_flag(self, "pending", count > 0)
        self.retranslate()

    def retranslate(self) -> None:
        if not self.count:
            self.setText(translate("Orders", "Stops"))
        elif self.views.operator.profile.touch:  # the header's one row is narrow
            self.setText(translate("Orders", "Stops: {n}").format(n=self.count))
        else:
            self.setText(translate("Orders", "{n} stops without reason").format(n=self.count))
        self.ensurePolished()  # the header's style decides the padding
        self.setMinimumWidth(self.sizeHint().width())
        header = getattr(self.window_, "header", None)
        if header is not None:
            header.fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


class StopsDialog(QDialog):
    """This shift's stops (or an earlier one's) of every line or one: touch a stop, then
    its category, then the reason."""

    def __init__(self, views: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("stopsDialog")
        self.views, self.service = views, views.service
        self.project = views.operator.project
        profile = views.operator.profile
        self.gap = gap = round(profile.gap_px)
        self.guard = Guard(views.operator.access, views.user, self.say, self)
        self.line: str | None = None  # None: every line
        self.until: float | None = None  # None: now (this shift)
        self.since = views.shift_start()
        self.stops: list[Stop] = []
        self.stop: Stop | None = None
        self.category: tuple[StopKind, str] | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(gap)
        top = QHBoxLayout()  # Close beside the title: the list gets every row below
        self.title = QLabel("", self)
        self.title.setObjectName("dialogTitle")
        top.addWidget(self.title, 1)
        self.close_button = QPushButton("", self)
        self.close_button.setObjectName("cancelButton")
        self.close_button.clicked.connect(self.reject)
        top.addWidget(self.close_button)
        layout.addLayout(top)
        self.message = QLabel("", self)
        self.message.setObjectName("ordersMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.message)
        self._build_list()
        self._build_stop()
        self._build_reasons()
        views.events.changed.connect(self._changed)
        if not profile.touch:  # the touch panel gives it the screen's room (``open_stops``)
            self.setMinimumSize(round(profile.target_px * 26), round(profile.target_px * 17))
        self.show_list()

    # -- the pages -----------------------------------------------------------------------

    def _build_list(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        filters.setSpacing(self.gap)
        # each as wide as its words where the row has the room; "…" at the end where not
        self.line_buttons: dict[str | None, ElidedButton] = {}
        for line in [None, *self.service.config.lines]:
            button = ElidedButton(page, QSizePolicy.Policy.Preferred)
            button.setCheckable(True)
            button.setProperty("toggle", True)
            button.clicked.connect(lambda _=False, li=line: self.filter_line(li))
            filters.addWidget(button)
            self.line_buttons[line] = button
        filters.addStretch(1)
        # which shift: one choice of two, side by side as one control
        shifts = QHBoxLayout()
        shifts.setSpacing(0)
        self.earlier_button = ElidedButton(page, QSizePolicy.Policy.Preferred)
        self.earlier_button.setObjectName("stopsEarlier")
        self.earlier_button.setProperty("segment", "first")
        self.earlier_button.clicked.connect(lambda _=False: self.earlier())
        self.now_button = ElidedButton(page, QSizePolicy.Policy.Preferred)
        self.now_button.setObjectName("stopsNow")
        self.now_button.setProperty("segment", "last")
        self.now_button.clicked.connect(lambda _=False: self.this_shift())
        for button in (self.earlier_button, self.now_button):
            button.setCheckable(True)
            button.setProperty("toggle", True)
            shifts.addWidget(button)
        filters.addLayout(shifts)
        layout.addLayout(filters)
        self.period = QLabel("", page)
        self.period.setProperty("orderNote", True)
        layout.addWidget(self.period)
        self.list = QListWidget(page)
        self.list.setObjectName("stopList")
        self.list.setItemDelegate(
            StopRows(self.views.operator.theme, self.views.operator.profile, self.list)
        )
        self.list.setUniformItemSizes(True)
        self.list.itemClicked.connect(self._stop_touched)
        layout.addWidget(self.list, 1)
        self.stack.addWidget(page)
        self.list_page = page

    def _build_stop(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.gap)
        top = QHBoxLayout()
        self.back_to_list = QPushButton("", page)
        self.back_to_list.setObjectName("stopsBack")
        self.back_to_list.clicked.connect(lambda _=False: self.show_list())
        self.stop_words = QLabel("", page)
        self.stop_words.setProperty("heading", True)
        self.stop_words.setWordWrap(True)
        top.addWidget(self.back_to_list)
        top.addWidget(self.stop_words, 1)
        layout.addLayout(top)
        edits = QHBoxLayout()
        edits.setSpacing(self.gap * 2)
        self.split_button = QPushButton("", page)
        self.split_button.setObjectName("stopSplit")
        self.split_button.clicked.connect(lambda _=False: self.ask_split())
        self.merge_prev = QPushButton("", page)
        self.merge_prev.setObjectName("stopMergePrevious")
        self.merge_prev.clicked.connect(lambda _=False: self.ask_merge(-1))
        self.merge_next = QPushButton("", page)
        self.merge_next.setObjectName("stopMergeNext")
        self.merge_next.clicked.connect(lambda _=False: self.ask_merge(1))
        for button in (self.split_button, self.merge_prev, self.merge_next):
            edits.addWidget(button)
        self.guard.add(self.split_button, ASSIGN)
        self.guard.add(self.merge_prev, ASSIGN, lambda: self._no_neighbour(-1))
        self.guard.add(self.merge_next, ASSIGN, lambda: self._no_neighbour(1))
        edits.addStretch(1)
        layout.addLayout(edits)
        self.groups: dict[StopKind, QLabel] = {}
        self.category_buttons: dict[tuple[StopKind, str], QPushButton] = {}
        tree = self.service.config.tree()
        for kind in (StopKind.UNPLANNED, StopKind.PLANNED):
            label = QLabel("", page)
            label.setProperty("heading", True)
            self.groups[kind] = label
            layout.addWidget(label)
            grid = QGridLayout()
            grid.setSpacing(self.gap)
            for index, category in enumerate(tree.get(kind, {})):
                button = QPushButton(project_text(self.project, category, "Orders"), page)
                button.setObjectName(f"category_{kind.value}_{category}")
                button.clicked.connect(lambda _=False, k=kind, c=category: self.show_reasons(k, c))
                self.guard.add(button, ASSIGN)
                grid.addWidget(button, index // CATEGORY_COLUMNS, index % CATEGORY_COLUMNS)
                self.category_buttons[(kind, category)] = button
            layout.addLayout(grid)
        layout.addStretch(1)
        self.stack.addWidget(page)
        self.stop_page = page

    def _build_reasons(self) -> None:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.gap)
        top = QHBoxLayout()
        self.back_to_stop = QPushButton("", page)
        self.back_to_stop.setObjectName("stopsBack")
        self.back_to_stop.clicked.connect(lambda _=False: self.show_stop(self.stop))
        self.category_words = QLabel("", page)
        self.category_words.setProperty("heading", True)
        top.addWidget(self.back_to_stop)
        top.addWidget(self.category_words, 1)
        layout.addLayout(top)
        self.reason_grid = QGridLayout()
        self.reason_grid.setSpacing(self.gap)
        layout.addLayout(self.reason_grid)
        layout.addStretch(1)
        self.reason_buttons: dict[str, QPushButton] = {}
        self.stack.addWidget(page)
        self.reasons_page = page

    # -- the list ------------------------------------------------------------------------

    def filter_line(self, line: str | None) -> None:
        self.line = line
        self.show_list()

    def earlier(self) -> None:
        """One shift further back."""
        calendar = getattr(self.service.config, "calendar", None)
        shift = calendar.shift_at(self.since - 1) if calendar is not None else None
        self.until = self.since
        self.since = shift.start if shift is not None else self.since - SHIFT_S
        self.show_list()

    def this_shift(self) -> None:
        self.until, self.since = None, self.views.shift_start()
        self.show_list()

    def load(self) -> list[Stop]:
        lines = [self.line] if self.line else list(self.service.config.lines)
        stops = [
            stop
            for line in lines
            for stop in self.service.stops(line, self.since, self.until)
            if not stop.micro
        ]
        return sorted(stops, key=lambda s: s.start, reverse=True)

    def show_list(self) -> None:
        self.stop = None
        self.stops = self.load()
        now = current(self.service)
        self.list.clear()
        for stop in self.stops:
            head, tail = self.stop_parts(stop, now)
            item = QListWidgetItem(f"{head} · {tail}")
            item.setData(Qt.ItemDataRole.UserRole, stop.id)
            item.setData(WORDS_ROLE, (head, tail))
            self.list.addItem(item)
        if not self.stops:
            empty = QListWidgetItem(translate("Orders", "No stops in this period"))
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(empty)
        self.stack.setCurrentWidget(self.list_page)
        self.retranslate()

    def stop_parts(self, stop: Stop, now: float) -> tuple[str, str]:
        """What stopped and for how long; then its line, start and reason."""
        if stop.reason is not None:
            why = project_text(self.project, stop.reason.name, "Orders")
        else:
            why = translate("Orders", "— no reason yet")
        head = translate("Orders", "{state} {length}").format(
            state=capitalised(machine_state_text(stop.state)),
            length=duration_text(stop.duration(now)),
        )
        where = translate("Orders", "{line} · since {start} · {why}").format(
            line=line_short(self.project, self.service, stop.line),
            start=clock_text(stop.start, now),
            why=why,
        )
        if stop.open:
            where = translate("Orders", "still stopped · {rest}").format(rest=where)
        return head, where

    def stop_text(self, stop: Stop, now: float) -> str:
        return " · ".join(self.stop_parts(stop, now))

    def _stop_touched(self, item: QListWidgetItem) -> None:
        stop_id = item.data(Qt.ItemDataRole.UserRole)
        stop = next((s for s in self.stops if s.id == stop_id), None)
        if stop is not None:
            self.show_stop(stop)

    def _changed(self, _line: str) -> None:
        if self.stack.currentWidget() is self.list_page:
            self.show_list()

    # -- one stop ------------------------------------------------------------------------

    def show_stop(self, stop: Stop | None) -> None:
        if stop is None:
            self.show_list()
            return
        self.stop = stop
        self.stop_words.setText(self.stop_text(stop, current(self.service)))
        self.stack.setCurrentWidget(self.stop_page)
        self.guard.refresh()
        self.retranslate()

    def neighbour(self, step: int) -> Stop | None:
        """The stop before (-1) or after (1) the chosen one on its line."""
        stop = self.stop
        if stop is None:
            return None
        same = sorted((s for s in self.stops if s.line == stop.line), key=lambda s: s.start)
        index = next((i for i, s in enumerate(same) if s.id == stop.id), None)
        if index is None or not 0 <= index + step < len(same):
            return None
        return same[index + step]

    def _no_neighbour(self, step: int) -> str | None:
        if self.neighbour(step) is None:
            return translate("Orders", "No neighbouring stop on this line")
        return None

    def show_reasons(self, kind: StopKind, category: str) -> None:
        self.category = (kind, category)
        for button in self.reason_buttons.values():
            button.deleteLater()
        self.reason_buttons = {}
        reasons = self.service.config.tree().get(kind, {}).get(category, [])
        for index, reason in enumerate(reasons):
            button = QPushButton(project_text(self.project, reason.name, "Orders"), self)
            button.setObjectName(f"reason_{reason.name}")
            button.clicked.connect(lambda _=False, r=reason: self.assign(r.key))
            self.guard.add(button, ASSIGN)
            self.reason_grid.addWidget(button, index // CATEGORY_COLUMNS, index % CATEGORY_COLUMNS)
            self.reason_buttons[reason.key] = button
        self.stack.setCurrentWidget(self.reasons_page)
        self.retranslate()

    def assign(self, key: str) -> Stop | None:
        stop = self.stop
        if stop is None:
            return None
        done = attempt(
            lambda: self.service.assign_reason(stop.id, key, self.views.user()), self.say
        )
        if done is not None:
            reason = self.service.config.reason(key)
            self.say(
                translate("Orders", "Reason given: {reason}").format(
                    reason=project_text(self.project, reason.name if reason else key, "Orders")
                )
            )
            self.show_list()
        return done

    def ask_split(self) -> QDialog | None:
        if self.stop is None:
            return None
        dialog = SplitDialog(self.views, self.stop, parent=self)
        dialog.accepted.connect(lambda: self.split(dialog.at))
        return self.views.show_dialog(dialog, self)

    def split(self, at: float) -> Any:
        stop = self.stop
        if stop is None:
            return None
        done = attempt(lambda: self.service.split_stop(stop.id, at, self.views.user()), self.say)
        if done is not None:
            self.say(translate("Orders", "Stop split at {at}").format(at=clock_text(at)))
            self.show_list()
        return done

    def ask_merge(self, step: int) -> QDialog | None:
        stop, other = self.stop, self.neighbour(step)
        if stop is None or other is None:
            return None
        first, second = (other, stop) if step < 0 else (stop, other)
        now = current(self.service)
        dialog = ConfirmDialog(
            translate("Orders", "Merge these two stops into one?"),
            f"{self.stop_text(first, now)}\n{self.stop_text(second, now)}",
            translate("Orders", "Merge"),
            parent=self,
        )
        dialog.setObjectName("stopMergeDialog")
        dialog.accepted.connect(lambda: self.merge(first.id, second.id))
        return self.views.show_dialog(dialog, self)

    def merge(self, first: int, second: int) -> Any:
        done = attempt(lambda: self.service.merge_stops(first, second, self.views.user()), self.say)
        if done is not None:
            self.say(translate("Orders", "Stops merged"))
            self.show_list()
        return done

    # -- words ---------------------------------------------------------------------------

    def say(self, text: str, problem: bool = False) -> None:
        self.message.setText(text)
        set_flag(self.message, "problem", problem)
        self.message.setVisible(bool(text))

    def retranslate(self) -> None:
        self.setWindowTitle(translate("Orders", "Stops"))
        self.title.setText(translate("Orders", "Stops and their reasons"))
        for line, button in self.line_buttons.items():
            if line:
                button.set_words(line_short(self.project, self.service, line))
                button.setToolTip(line_title(self.project, self.service, line))
            else:
                button.set_words(translate("Orders", "All lines"))
            button.setChecked(line == self.line)
        self.earlier_button.set_words(translate("Orders", "◀ Earlier shift"))
        self.now_button.set_words(translate("Orders", "This shift"))
        self.earlier_button.setChecked(self.until is not None)
        self.now_button.setChecked(self.until is None)
        if self.until is None:
            period = translate("Orders", "From {since} until now").format(
                since=clock_text(self.since)
            )
        else:
            period = translate("Orders", "From {since} to {until}").format(
                since=clock_text(self.since), until=clock_text(self.until)
            )
        self.period.setText(period)
        self.back_to_list.setText(translate("Orders", "◀ Stops"))
        self.back_to_stop.setText(translate("Orders", "◀ Categories"))
        self.split_button.setText(translate("Orders", "Split in two…"))
        self.merge_prev.setText(translate("Orders", "Merge with previous"))
        self.merge_next.setText(translate("Orders", "Merge with next"))
        for kind, label in self.groups.items():
            label.setText(kind_text(kind))
        if self.category is not None:
            kind, category = self.category
            self.category_words.setText(
                f"{kind_text(kind)} · {project_text(self.project, category, 'Orders')}"
            )
        self.close_button.setText(translate("Orders", "Close"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


class SplitDialog(QDialog):
    """Where to split a stop: a slider over its length, − / + a minute for a finger."""

    def __init__(self, views: Any, stop: Stop, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("splitDialog")
        self.stop = stop
        end = stop.end if stop.end is not None else current(views.service)
        self.start, self.end = stop.start, end
        gap = round(views.operator.profile.gap_px)
        layout = QVBoxLayout(self)
        layout.setSpacing(gap)
        self.title = QLabel(translate("Orders", "Split the stop at"), self)
        self.title.setObjectName("dialogTitle")
        layout.addWidget(self.title)
        self.when = QLabel("", self)
        self.when.setProperty("orderFigure", True)
        self.when.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.when)
        row = QHBoxLayout()
        row.setSpacing(gap * 2)
        self.minus = QPushButton("−", self)
        self.plus = QPushButton("+", self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(1, max(int(end - stop.start) - 1, 1))
        self.slider.setValue(max(int((end - stop.start) / 2), 1))
        self.slider.setMinimumHeight(round(views.operator.profile.target_px))
        self.slider.valueChanged.connect(self._moved)
        self.minus.clicked.connect(
            lambda _=False: self.slider.setValue(self.slider.value() - SPLIT_STEP_S)
        )
        self.plus.clicked.connect(
            lambda _=False: self.slider.setValue(self.slider.value() + SPLIT_STEP_S)
        )
        row.addWidget(self.minus)
        row.addWidget(self.slider, 1)
        row.addWidget(self.plus)
        layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.setSpacing(gap * 3)
        self.cancel_button = QPushButton(translate("Orders", "Cancel"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton(translate("Orders", "Split"), self)
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.clicked.connect(self.accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(round(views.operator.profile.target_px * 12))
        self._moved(self.slider.value())

    @property
    def at(self) -> float:
        return self.start + self.slider.value()

    def _moved(self, _value: int) -> None:
        self.when.setText(
            translate("Orders", "{at} · {first} + {second}").format(
                at=time.strftime("%H:%M:%S", time.localtime(self.at)),
                first=duration_text(self.at - self.start),
                second=duration_text(self.end - self.at),
            )
        )
