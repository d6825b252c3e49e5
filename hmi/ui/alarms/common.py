"""What the alarm views share: words for states, the priority shape, times, sizes, style.

Colour appears only where an alarm priority is shown, and always inside the priority's
shape with its number (1 square, 2 diamond, 3 triangle, 4 inverted triangle), so the
views read the same for a colour-blind operator.

Messages are kept in the words the engineer wrote (the journal stores them as they were
formatted). ``AlarmWords`` shows them in the operator's language: the definition's message
template, translated by the project's ``i18n/<code>.yaml`` (``Alarms``), filled with the
values the message shows.
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from hmi.core.alarms import PRIORITIES, Action, AlarmCommandError, AlarmDef, AlarmState
from hmi.ui.i18n import alarm_text, project_text, translate
from hmi.ui.profile import Profile
from hmi.ui.symbols.painting import paint_priority_shape
from hmi.ui.theme import Theme, fill_stylesheet

S = AlarmState
UserProvider = Callable[[], str]


def state_words(state: AlarmState, acked: bool = True) -> str:
    """The state as the operator reads it; what needs acknowledging says so first."""
    words = {
        S.NORMAL: translate("Alarms", "Normal"),
        S.UNACKED: translate("Alarms", "UNACK · active"),
        S.ACKED: translate("Alarms", "Active"),
        S.RTN_UNACKED: translate("Alarms", "UNACK · cleared"),
        S.LATCHED: translate("Alarms", "Latched"),
        S.SHELVED: translate("Alarms", "Shelved"),
        S.SUPPRESSED: translate("Alarms", "Suppressed by design"),
        S.OUT_OF_SERVICE: translate("Alarms", "Out of service"),
    }
    text = words.get(state, str(state))
    if state is S.LATCHED and not acked:
        text = translate("Alarms", "UNACK · latched")
    return text


def action_words(action: Action) -> str:
    """A journal entry's transition, as the operator says it."""
    words = {
        Action.ACTIVATE: translate("Alarms", "Raised"),
        Action.CLEAR: translate("Alarms", "Cleared"),
        Action.ACKNOWLEDGE: translate("Alarms", "Acknowledged"),
        Action.RESET: translate("Alarms", "Reset"),
        Action.SHELVE: translate("Alarms", "Shelved"),
        Action.UNSHELVE: translate("Alarms", "Unshelved"),
        Action.SUPPRESS: translate("Alarms", "Suppressed"),
        Action.UNSUPPRESS: translate("Alarms", "Unsuppressed"),
        Action.REMOVE: translate("Alarms", "Out of service"),
        Action.RESTORE: translate("Alarms", "Back in service"),
    }
    return words.get(action, str(action))


def first_out_words() -> str:
    """The mark of the alarm that tripped its line."""
    return translate("Alarms", "FIRST OUT")


def message_with_mark(alarm: Any, words: AlarmWords | None = None) -> str:
    """An alarm's message as lists and the banner show it (in the operator's language
    with ``words``): the first-out says so first."""
    message = words.message(alarm) if words is not None else alarm.message or alarm.id
    return f"▶ {first_out_words()} · {message}" if getattr(alarm, "first_out", False) else message


class AlarmWords:
    """The engineer's words of the alarms in the operator's language: messages, lines."""

    def __init__(self, manager: Any, line_names: dict[str, str] | None = None):
        self.manager = manager
        self.project = getattr(manager, "project", None)
        self.line_names = dict(line_names if line_names is not None else self.project.lines)
        self._definitions: dict[str, AlarmDef] | None = None

    def definition(self, alarm_id: str) -> AlarmDef | None:
        """The alarm's definition as the project has it now (None: no longer defined)."""
        if self._definitions is None:
            alarms = self.manager.alarms() if hasattr(self.manager, "alarms") else []
            self._definitions = {a.id: a.definition for a in alarms if a.definition is not None}
        return self._definitions.get(alarm_id)

    def message(self, alarm: Any) -> str:
        """A standing alarm's message (an ``AlarmStatus``)."""
        definition = getattr(alarm, "definition", None) or self.definition(alarm.id)
        return self.filled(definition, alarm.message) or alarm.id

    def stored(self, alarm_id: str, message: str) -> str:
        """A message kept in the journal (or counted for the KPIs), written when it
        happened. Re-rendered from the alarm's definition when the alarm still exists and
        its template still matches what was stored: the template's translation is filled
        with the values the stored message shows. Otherwise (the alarm is gone, or its
        message was rewritten since) the row stays as it was written."""
        return self.filled(self.definition(alarm_id), message)

    def filled(self, definition: AlarmDef | None, message: str) -> str:
        if definition is None or self.project is None or not message:
            return message
        return alarm_text(self.project, definition.message, message)

    def line(self, line: str) -> str:
        """The line's short name ("Line 1") in the operator's language."""
        name = self.line_names.get(line, line)
        if self.project is not None:
            name = project_text(self.project, name, "Project")
        return short_line_name(name)


def priority_words(priority: int) -> str:
    names = {
        1: translate("Alarms", "critical"),
        2: translate("Alarms", "high"),
        3: translate("Alarms", "medium"),
        4: translate("Alarms", "low"),
    }
    return f"{priority} {names.get(priority, PRIORITIES.get(priority, ''))}"


def short_line_name(name: str) -> str:
    """ "Line 1 - Extrusion press" -> "Line 1": lists have room for the line, not more."""
    for dash in (" - ", " – ", " — ", ": "):
        if dash in name:
            return name.split(dash, 1)[0]
    return name


def clock_text(when: float | None, now: float | None = None) -> str:
    """``HH:MM:SS`` today, ``DD.MM HH:MM`` on another day, empty when unknown."""
    if not when:
        return ""
    moment = time.localtime(when)
    today = time.localtime(now if now is not None else time.time())
    if moment[:3] == today[:3]:
        return time.strftime("%H:%M:%S", moment)
    return time.strftime("%d.%m %H:%M", moment)


def full_time(when: float | None) -> str:
    if not when:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when))


def value_text(value: Any, units: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.4g}" if abs(value) < 1e5 else f"{value:.0f}"
    else:
        text = str(value)
    return f"{text} {units}".strip()


def priority_pixmap(theme: Theme, priority: int, size: int) -> QPixmap:
    """The priority's numbered shape, drawn once per size."""
    key = ("alarm_view_icon", priority, size)
    pixmap = theme._cache.get(key)
    if pixmap is None:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_priority_shape(painter, theme, QPointF(size / 2, size / 2), size * 0.62, priority)
        painter.end()
        theme._cache[key] = pixmap
    return pixmap


def priority_icon(theme: Theme, priority: int, size: int) -> QIcon:
    """The shape as an icon that keeps its colour in a selected row (no tint)."""
    pixmap = priority_pixmap(theme, priority, size)
    icon = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Active):
        icon.addPixmap(pixmap, mode)
    return icon


def as_profile(profile: Any) -> Profile:
    """The application profile, whichever shape the window keeps it in."""
    if isinstance(profile, Profile):
        return profile
    touch = bool(getattr(profile, "touch", False))
    target = float(getattr(profile, "target_px", 56.0 if touch else 36.0))
    font = float(getattr(profile, "font_px", 20.0 if touch else 17.0))
    gap = float(getattr(profile, "gap_px", 12.0 if touch else 8.0))
    return Profile("touch" if touch else "desk", touch, target, font, gap)


def default_user() -> str:
    """The login of this PC until the application knows its operator."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def run_command(action: Callable[[], list[str]], show: Callable[[str, bool], None]) -> list[str]:
    """Run an operator action; a refusal becomes a message, never a traceback."""
    try:
        return action()
    except AlarmCommandError as error:
        show(str(error), True)
        return []


def period_buttons(
    parent: QWidget,
    periods: tuple[tuple[int, str], ...],
    height: int,
    choose: Callable[[int], None],
) -> dict[int, QPushButton]:
    """Toggle buttons for the time spans a page offers, in the order given."""
    buttons: dict[int, QPushButton] = {}
    for seconds, words in periods:
        button = QPushButton(translate("Alarms", words), parent)
        button.setCheckable(True)
        button.setProperty("toggle", True)
        button.setMinimumHeight(height)
        button.clicked.connect(lambda _=False, s=seconds: choose(s))
        buttons[seconds] = button
    return buttons


def set_flag(widget: QWidget, name: str, value: Any) -> None:
    """Restyle ``widget`` after a property the stylesheet reads has changed."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class MessageLine(QLabel):
    """One line that says what an action did; a refusal is shown inverted, not coloured."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setObjectName("alarmMessage")
        self.setWordWrap(True)
        self.hide()

    def say(self, text: str, problem: bool = False) -> None:
        self.setText(text)
        set_flag(self, "problem", problem)
        self.setVisible(bool(text))


STYLE = """
QFrame#alarmBannerPanel { background: @header; border-bottom: 3px solid @outline; }
QLabel#alarmMore { color: @text; font-weight: bold; font-size: @px(20); }
QPushButton#alarmSilence[sounding="true"] { background: @running; color: @text_on_running; }
QLabel#alarmMessage { background: @panel; padding: @px(6) @px(10); font-weight: bold; }
QLabel#alarmDetails { padding: @px(4) @px(10); }
QLabel#alarmMessage[problem="true"] { background: @running; color: @text_on_running; }
QWidget#alarmPages, QWidget#alarmKpiContent { background: @background; }
QWidget#alarmPageBar { background: @header; border-bottom: 2px solid @outline; }
QPushButton[tab="true"]:checked { background: @running; color: @text_on_running; }
QPushButton[toggle="true"]:checked { background: @running; color: @text_on_running; }
QTableView {
    background: @panel; alternate-background-color: @background; color: @text;
    gridline-color: @normal_band; selection-background-color: @running;
    selection-color: @text_on_running; border: 1px solid @outline;
}
QHeaderView::section {
    background: @header; color: @text; font-weight: bold; border: 1px solid @normal_band;
    padding: @px(4);
}
QComboBox, QDateTimeEdit {
    background: @entry; color: @text; border: 2px solid @button_border; padding: @px(4);
}
QLabel[heading="true"] { font-weight: bold; font-size: @px(20); }
QLabel[figure="true"] { font-weight: bold; font-size: @px(30); }
QLabel[note="true"] { color: @text_dim; }
QFrame[tile="true"] { background: @panel; border: 1px solid @outline; }
"""

TOUCH_STYLE = """
QScrollBar:vertical { width: @px(36); }
QScrollBar:horizontal { height: @px(36); }
QCheckBox::indicator { width: @px(32); height: @px(32); }
"""


def alarm_stylesheet(theme: Theme, profile: Profile) -> str:
    text = STYLE + (TOUCH_STYLE if profile.touch else "")
    return fill_stylesheet(text, theme, profile.chrome_scale)
