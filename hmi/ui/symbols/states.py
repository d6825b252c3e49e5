"""Multi-state indicators: a machine state in words, a device's connection state.

Neither has a colour of its own: a "Fault" tile takes the colour of the alarm that is
active on its tag (or its ``alarm_tag``), and a device that is down the colour of its
communication alarm; "None", "online" and a cleared state are never coloured.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QPainter

from hmi.core.project.models import Project
from hmi.core.screens import StateStyle
from hmi.core.tags import Quality, TagValue
from hmi.ui.capability import AlarmLink
from hmi.ui.i18n import device_status_text, project_text, reason_text, translate

from .base import identifier_text
from .indicators import Labelled
from .painting import CENTER, NO_VALUE, draw_text

DEVICE_DOWN = frozenset({"offline", "demoted", "stopped", "degraded"})
_VOWELS = frozenset("aeiouy")


def device_name(project: Project, device: str) -> str:
    """What the operator calls a device: its description (in the operator's language),
    else its name made readable ("press_plc" -> "Press PLC")."""
    config = project.devices.get(device)
    if config is not None and config.description:
        return project_text(project, config.description, "Project")
    words = [w for w in re.split(r"[_\-.\s]+", device) if w]
    words = [w.upper() if len(w) <= 3 and not _VOWELS & set(w.lower()) else w for w in words]
    if not words:
        return device
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


class State(Labelled):
    """Multi-state text: the state's words (from ``states:``, else from its ``enum:``);
    filled for a running-type state, alarm colour and shape while an alarm is active."""

    framed = False

    def style(self) -> StateStyle | None:
        tv = self.main
        if tv is None or tv.value is None:
            return None
        states: dict = self.props.get("states") or {}
        style = states.get(tv.value)
        if style is None and isinstance(tv.value, str):
            style = states.get(tv.value.strip())
        if style is not None and style.text:
            words = self.words(style.text)
            return style if words == style.text else StateStyle(words, style.priority, style.filled)
        filled = style is not None and style.filled
        if self._enum is not None:
            return StateStyle(self.enum_text(tv.value), filled=filled)
        text = translate("Symbol", "state {value}").format(value=identifier_text(tv.value))
        return StateStyle(text if style is None else identifier_text(tv.value), filled=filled)

    def display_text(self) -> str:
        style = self.style()
        return style.text if style is not None else NO_VALUE

    def look(self) -> tuple:
        style = self.style()
        return (*super().look(), style.filled if style is not None else False)

    def paint_body(self, painter: QPainter) -> None:
        theme = self.theme
        style = self.style()
        box = self.box()
        severity = self.shown_severity
        if severity:
            fill, color = theme.alarm_color(severity), theme.alarm_text_color(severity)
        elif style is not None and style.filled:
            fill, color = theme.color("running"), theme.color("text_on_running")
        else:
            fill, color = theme.color("panel"), theme.color("text")
        painter.setPen(theme.pen("outline", 1.5))
        painter.setBrush(fill)
        painter.drawRect(box)
        indent = 34.0 if severity else 8.0  # room for the alarm badge
        draw_text(
            painter,
            theme,
            box.adjusted(indent, 0, -8, 0),
            self.value_text,
            box.height() * 0.5,
            color=color,
            bold=True,
            align=CENTER,
        )


class Device(State):
    """A device's connection state from its ``_sys.device.<name>`` tag."""

    @property
    def tag(self) -> str | None:
        return self.tags[-1]

    @property
    def main(self) -> TagValue | None:
        return self.values.get(self.tags[-1])

    def label(self) -> str:
        label = self.props.get("label")
        return (
            self.words(label) if label else device_name(self.context.project, self.props["device"])
        )

    def style(self) -> StateStyle | None:
        tv = self.main
        if tv is None or tv.value is None:
            return None
        return StateStyle(device_status_text(str(tv.value)))

    def alarm_shows(self, watched: str, link: AlarmLink) -> bool:
        tv = self.main
        return tv is None or str(tv.value) != "online"

    @property
    def quality(self) -> Quality | None:
        # the status tag is Bad exactly when the device is down: that is the news it shows,
        # not doubt about it; only a missing status is doubtful
        return Quality.GOOD if self.main is not None else None

    def tooltip(self) -> str:
        tv = self.main
        if tv is None:
            return ""
        text = f"{self.label()}: {device_status_text(str(tv.value))}"
        return text + (f"\n{reason_text(tv.reason)}" if tv.reason else "")
