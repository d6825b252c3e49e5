"""Multi-state indicators: a machine state in words, a device's connection state."""

from __future__ import annotations

from PySide6.QtGui import QPainter

from hmi.core.screens import StateStyle
from hmi.core.tags import Quality, TagValue
from hmi.ui.i18n import device_status_text, translate

from .indicators import Labelled
from .painting import CENTER, NO_VALUE, draw_text

DEVICE_DOWN = frozenset({"offline", "demoted", "stopped", "degraded"})


class State(Labelled):
    """Multi-state text: the state's words; filled for a running-type state, alarm colour
    and shape for an abnormal one."""

    framed = False

    def style(self) -> StateStyle | None:
        tv = self.main
        if tv is None or tv.value is None:
            return None
        states: dict = self.props["states"]
        style = states.get(tv.value)
        if style is None and isinstance(tv.value, str):
            style = states.get(tv.value.strip())
        return style or StateStyle(translate("Symbol", "state {value}").format(value=tv.value))

    def display_text(self) -> str:
        style = self.style()
        return style.text if style is not None else NO_VALUE

    def look(self) -> tuple:
        style = self.style()
        return (*super().look(), style.filled if style is not None else False)

    def own_severity(self) -> int:
        style = self.style()
        return style.priority if style is not None else 0

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
        return self.props.get("label") or self.props["device"]

    def style(self) -> StateStyle | None:
        tv = self.main
        if tv is None or tv.value is None:
            return None
        status = str(tv.value)
        return StateStyle(device_status_text(status), priority=4 if status in DEVICE_DOWN else 0)

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
        return text + (f"\n{tv.reason}" if tv.reason else "")
