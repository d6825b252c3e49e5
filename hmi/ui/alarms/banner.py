"""The alarm banner under the header of every screen.

Left, the count of listed alarms per priority, each in its numbered shape (coloured only
while there is one); middle, the most urgent alarms (highest priority, newest first), one
per row, large enough to read from 1.5 m; right, "+N more", acknowledge (the alarms shown,
which the operator has just read), silence the horn, and the alarm list. With nothing
listed it is one calm grey row, a target high: "No active alarms" and the alarm list
button (no counts, nothing to acknowledge or silence then); it grows to two rows as soon
as an alarm stands (three on a large screen once three stand), and shrinks back when none
is listed. A touch on a row opens the alarm
list at that alarm; a touch anywhere else on the banner opens the list.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QWidget

from hmi.core.alarms import AlarmCounts, AlarmEvent, AlarmManager, AlarmState, AlarmStatus
from hmi.core.alarms.actions import ACKNOWLEDGE
from hmi.ui.i18n import translate
from hmi.ui.profile import Profile
from hmi.ui.symbols.painting import (
    CENTER,
    RIGHT,
    VCENTER,
    draw_text,
    paint_priority_shape,
    priority_polygon,
)
from hmi.ui.theme import Theme
from hmi.ui.writes import Permission

from .common import (
    AlarmWords,
    UserProvider,
    clock_text,
    message_with_mark,
    run_command,
    set_flag,
    short_line_name,
    state_words,
)
from .sound import LOUD_PRIORITIES, AlarmHorn

Say = Callable[[str, bool], None]


def row_height(profile: Profile) -> int:
    """Rows a gloved finger can hit and text an operator reads from 1.5 m."""
    return round(max(profile.target_px * 1.2, 48.0))


def calm_height(profile: Profile) -> int:
    """The banner's one row while no alarm is listed: one target high."""
    return round(profile.target_px)


class PriorityCount(QWidget):
    """The numbered shape of one priority and how many alarms of it are listed."""

    def __init__(self, priority: int, theme: Theme, height: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.priority = priority
        self.theme = theme
        self.count = 0
        self.setMinimumSize(round(height * 2.4), height)

    def show_count(self, count: int) -> None:
        if count != self.count:
            self.count = count
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme = self.theme
        h = self.height()
        size = h * 0.62
        center = QPointF(h * 0.5, h * 0.5)
        if self.count:
            paint_priority_shape(painter, theme, center, size, self.priority)
            color = theme.color("text")
        else:  # nothing of this priority: a hollow grey shape, so only alarms are coloured
            painter.setPen(theme.pen("normal_band", 2.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolygon(priority_polygon(center, size, self.priority))
            draw_text(
                painter,
                theme,
                QRectF(center.x() - size / 2, center.y() - size / 2, size, size),
                str(self.priority),
                size * 0.6,
                color=theme.color("normal_band"),
                bold=True,
                align=CENTER,
            )
            color = theme.color("normal_band")
        text_rect = QRectF(h * 1.0, 0, self.width() - h * 1.05, h)
        draw_text(painter, theme, text_rect, str(self.count), h * 0.62, color=color, bold=True)
        painter.end()


class AlarmLines(QWidget):
    """The most urgent alarms, drawn row by row (a flood must not cost a widget per row)."""

    clicked = Signal(str)  # the alarm id, or "" for the empty area

    def __init__(
        self,
        theme: Theme,
        line_names: dict[str, str],
        row_px: int,
        parent=None,
        words: AlarmWords | None = None,
    ):
        super().__init__(parent)
        self.theme = theme
        self.words = words  # the engineer's words in the operator's language
        self.line_names = {key: short_line_name(name) for key, name in line_names.items()}
        self.row_px = row_px
        self.rows = 3
        self.alarms: list[AlarmStatus] = []
        self.empty_text = translate("Alarms", "No active alarms")

    def sizeHint(self) -> QSize:
        return QSize(600, self.row_px * self.rows)

    def show_alarms(self, alarms: list[AlarmStatus]) -> None:
        self.alarms = alarms[: self.rows]
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        index = int(event.position().y() // self.row_px)
        self.clicked.emit(self.alarms[index].id if 0 <= index < len(self.alarms) else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme = self.theme
        if not self.alarms:
            rect = QRectF(self.rect()).adjusted(16, 0, -16, 0)
            color = theme.color("text_dim")
            size = min(self.row_px * 0.55, 30.0)
            draw_text(painter, theme, rect, self.empty_text, size, color=color, align=CENTER)
            painter.end()
            return
        h = float(self.row_px)
        font = theme.font(h * 0.5, True)
        metrics = theme.metrics(font)
        longest = max(metrics.horizontalAdvance(self.message(a)) for a in self.alarms)
        has_line = any(self.line(a.line) for a in self.alarms)
        widths = self._columns(self.width() - h * 1.25 - 10, h, has_line, longest)
        for index, alarm in enumerate(self.alarms):
            rect = QRectF(0, index * self.row_px, self.width(), self.row_px)
            self._paint_row(painter, rect, alarm, widths)
        painter.end()

    def _paint_row(
        self, painter: QPainter, rect: QRectF, alarm: AlarmStatus, widths: dict[str, float]
    ) -> None:
        theme = self.theme
        h = rect.height()
        inner = rect.adjusted(0, 2, 0, -2)
        painter.setPen(theme.pen("outline", 1.0))
        painter.setBrush(theme.color("panel"))
        painter.drawRect(inner)
        unacked = alarm.needs_ack
        if unacked:  # what waits for the operator: a bar of the priority's colour
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.alarm_color(alarm.priority))
            painter.drawRect(QRectF(inner.left(), inner.top(), h * 0.18, inner.height()))
        center = QPointF(inner.left() + h * 0.7, inner.center().y())
        paint_priority_shape(painter, theme, center, h * 0.55, alarm.priority)
        text_px = h * 0.5
        when = clock_text(alarm.activated_at or alarm.since)
        line = self.line(alarm.line)
        state = state_words(alarm.state, alarm.acked)
        x = inner.left() + h * 1.25
        if widths["time"]:
            draw_text(
                painter, theme, QRectF(x, inner.top(), widths["time"], h), when, text_px * 0.9
            )
            x += widths["time"]
        if widths["line"]:
            box = QRectF(x, inner.top(), widths["line"] - h * 0.2, inner.height())
            draw_text(painter, theme, box, line, text_px * 0.9, bold=True)
            x += widths["line"]
        if widths["state"] and widths["state"] < h * 3:
            state = state_short(alarm.state, alarm.acked)
        message_w = inner.right() - 10 - widths["state"] - x
        message = self.message(alarm)  # the first-out says so first
        message_px = text_px
        font = theme.font(message_px, unacked)
        fits = message_w / max(1.0, theme.metrics(font).horizontalAdvance(message))
        if fits < 1.0:  # a little smaller before it is cut short, never much smaller
            message_px *= max(0.82, fits)
            font = theme.font(message_px, unacked)
        message = theme.metrics(font).elidedText(message, Qt.TextElideMode.ElideRight, message_w)
        draw_text(
            painter, theme, QRectF(x, inner.top(), message_w, h), message, message_px, bold=unacked
        )
        if widths["state"]:
            box = QRectF(inner.right() - 10 - widths["state"], inner.top(), widths["state"], h)
            draw_text(
                painter, theme, box, state, text_px * 0.8, bold=unacked, align=RIGHT | VCENTER
            )

    def message(self, alarm: AlarmStatus) -> str:
        """What a row says of ``alarm``, in the operator's language."""
        return message_with_mark(alarm, self.words)

    def line(self, line: str) -> str:
        if self.words is not None:
            return self.words.line(line)
        return self.line_names.get(line, line)

    @staticmethod
    def _columns(room: float, h: float, has_line: bool, message: float) -> dict[str, float]:
        """The same columns for every row (so they line up), as wide as leaves the longest
        ``message`` whole; on a narrow banner the state gets short, then the line and the
        time go (the alarm list has them)."""
        steps = (
            {"time": h * 2.7, "line": h * 2.6, "state": h * 3.8},
            {"time": h * 2.7, "line": h * 2.6, "state": h * 2.2},
            {"time": h * 2.7, "line": 0.0, "state": h * 2.2},
            {"time": 0.0, "line": 0.0, "state": h * 2.2},  # "UNACK" stays: not colour alone
        )
        if not has_line:
            steps = tuple({**widths, "line": 0.0} for widths in steps)
        for widths in steps:
            if room - sum(widths.values()) >= message:
                return widths
        return steps[-1]  # the message cannot be whole: give it all the room there is


def state_short(state: AlarmState, acked: bool) -> str:
    if state in (AlarmState.UNACKED, AlarmState.RTN_UNACKED) or (
        state is AlarmState.LATCHED and not acked
    ):
        return translate("Alarms", "UNACK")
    if state is AlarmState.LATCHED:
        return translate("Alarms", "Latched")
    return translate("Alarms", "Active") if state is AlarmState.ACKED else state_words(state)


class AlarmBanner(QFrame):
    open_list = Signal(str)  # the alarm to show first, or ""

    def __init__(
        self,
        manager: AlarmManager,
        user: UserProvider,
        horn: AlarmHorn,
        *,
        theme: Theme,
        profile: Profile,
        line_names: dict[str, str],
        say: Say | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("alarmBannerPanel")
        self.manager = manager
        self.user = user
        self.horn = horn
        self.say = say or (lambda text, problem: None)
        self.refreshes = 0
        self.counts_now = AlarmCounts()
        self.row_px = row_px = row_height(profile)
        self.calm_px = calm_height(profile)
        self.shown_rows: int | None = None  # rows high now: 1 when calm (None: not yet laid out)
        self.words = AlarmWords(manager, line_names)
        self.lines = AlarmLines(theme, line_names, row_px, self, self.words)
        self.lines.clicked.connect(self.open_list.emit)
        self.counts_box = counts = QWidget(self)
        grid = QGridLayout(counts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        self.counts = {
            p: PriorityCount(p, theme, round(row_px * 0.9), counts) for p in (1, 2, 3, 4)
        }
        for index, widget in enumerate(self.counts.values()):
            grid.addWidget(widget, index // 2, index % 2)
        self.more = QLabel("", self)
        self.more.setObjectName("alarmMore")
        self.more.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.more.setMinimumWidth(round(row_px * 2.6))
        self.ack_button = self._button("alarmAck", self.acknowledge_shown, row_px)
        # disabled for a user who may not acknowledge; a touch then says why
        self.acknowledging = Permission(
            getattr(manager, "access", None), self.user, ACKNOWLEDGE, parent=self
        )
        self.acknowledging.explain_on(self.ack_button, lambda reason: self.say(reason, True))
        self.acknowledging.changed.connect(lambda: self.refresh())
        self.silence_button = self._button("alarmSilence", self.horn.silence, row_px)
        self.list_button = self._button("alarmList", lambda: self.open_list.emit(""), self.calm_px)
        buttons = QGridLayout()
        buttons.setSpacing(round(profile.gap_px))
        buttons.addWidget(self.ack_button, 0, 0)
        buttons.addWidget(self.silence_button, 0, 1)
        buttons.addWidget(self.list_button, 1, 0, 1, 2)
        self.layout_ = layout = QHBoxLayout(self)
        layout.setSpacing(round(profile.gap_px) + 4)
        layout.addWidget(counts)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.more)
        layout.addLayout(buttons)
        self.horn.sounding_changed.connect(self._sounding)
        self.set_rows(3)
        self.retranslate()
        self.refresh()

    def _button(self, name: str, slot: Callable[[], object], row_px: int) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setMinimumHeight(row_px)
        button.clicked.connect(lambda _=False: slot())
        return button

    def _sounding(self, sounding: bool) -> None:
        self.silence_button.setEnabled(sounding)
        set_flag(self.silence_button, "sounding", sounding)

    def retranslate(self) -> None:
        self.ack_button.setText("✓ " + translate("Alarms", "Acknowledge"))
        self.silence_button.setText("♪ " + translate("Alarms", "Silence"))
        self.list_button.setText("☰ " + translate("Alarms", "Alarm list"))
        self.lines.empty_text = translate("Alarms", "No active alarms")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.refresh()  # "+N more" and the rows, in the new words

    def set_rows(self, rows: int) -> None:
        """The most rows of alarms shown: 2 on a small screen, 3 on a large one."""
        self.lines.rows = rows
        self.shown_rows = None  # lay out again
        self.refresh()

    @property
    def calm(self) -> bool:
        return self.shown_rows == 1

    def fit_rows(self, listed: int) -> None:
        """One row with nothing listed; with alarms the counts, the buttons and two rows
        of alarms (a third on a large screen once three stand): the screen under the
        banner moves when the first alarm comes, when the third does, and when all are
        gone, not with every alarm."""
        rows = 1 if not listed else min(self.lines.rows, max(2, listed))
        if rows == self.shown_rows:
            return
        self.shown_rows = rows
        calm = rows == 1
        if calm:
            self.layout_.setContentsMargins(8, 2, 8, 2)
            self.lines.setFixedHeight(self.calm_px)
        else:
            self.layout_.setContentsMargins(8, 4, 8, 6)
            self.lines.setFixedHeight(self.lines.row_px * rows)
        self.counts_box.setVisible(not calm)  # nothing of any priority: the words say it
        self.ack_button.setVisible(not calm)
        self.silence_button.setVisible(not calm)
        self.list_button.setMinimumHeight(self.calm_px if calm else self.row_px)
        self.lines.updateGeometry()

    def refresh(self, events: list[AlarmEvent] | None = None) -> None:
        """Read the alarm list (once, however many events came) and redraw."""
        if events and any(_is_new_loud(e) for e in events):
            self.horn.announce()
        self.refreshes += 1
        counts = self.manager.counts()
        self.counts_now = counts
        self.fit_rows(counts.listed)
        shown = self.manager.active()[: self.lines.rows] if counts.listed else []
        self.lines.show_alarms(shown)
        for priority, widget in self.counts.items():
            widget.show_count(counts.listed_by_priority.get(priority, 0))
        hidden = counts.listed - len(shown)
        more = translate("Alarms", "+{n} more").format(n=hidden)
        if counts.unacked:
            more += "\n" + translate("Alarms", "{n} unack.").format(n=counts.unacked)
        self.more.setText(more if hidden > 0 else "")
        self.more.setVisible(hidden > 0)  # all in view: the rows have the room
        self.acknowledging.mark(self.ack_button, any(a.needs_ack for a in shown))
        self._sounding(self.horn.sounding)
        if self.horn.sounding and not any(
            counts.unacked_by_priority.get(p, 0) for p in LOUD_PRIORITIES
        ):
            self.horn.silence()

    def acknowledge_shown(self) -> list[str]:
        """Acknowledge the alarms in the banner: the ones the operator has in front of them."""
        ids = [a.id for a in self.lines.alarms if a.needs_ack]
        if not ids:
            return []
        done = run_command(lambda: self.manager.acknowledge(ids, self.user()), self.say)
        self.refresh()
        return done

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.open_list.emit("")


def _is_new_loud(event: AlarmEvent) -> bool:
    return (
        event.priority in LOUD_PRIORITIES
        and event.to_state is AlarmState.UNACKED
        and event.from_state is not AlarmState.UNACKED
    )
