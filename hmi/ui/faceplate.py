"""Details over the current screen, never instead of it: the operator keeps their place.

``Faceplate`` is everything about one tag, live: value, quality and why, when it was read,
range, normal band, its alarms (limit, priority, whether active now, and their help: cause,
consequence, corrective action) and the commands the operator may give it.
``ScreenPopup`` shows a detail screen (a symbol's ``faceplate:``) as a popup over the
current screen, bound to the same bridge.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hmi.core.project.models import Project, TagConfig
from hmi.core.screens import ScreenDef
from hmi.core.systemtags import DEVICE_TAG_PREFIX
from hmi.core.tags import TagValue
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.capability import AlarmLink
from hmi.ui.dialogs import describe, format_tag_value, quality_text
from hmi.ui.i18n import device_status_text, project_text, shown_tag, translate
from hmi.ui.symbols import Symbol, SymbolContext
from hmi.ui.symbols.base import ACTIVE_ALARM_STATES
from hmi.ui.symbols.states import device_name

if TYPE_CHECKING:
    from hmi.ui.renderer import ScreenHost

POPUP_SHARE = 0.86  # of the window a detail screen popup may cover


def band_text(symbol: Symbol | None) -> str:
    """The symbol's normal band and alarm limits in words, for its faceplate."""
    if symbol is None:
        return ""
    units = symbol.units()
    parts = []
    band = symbol.props.get("normal")
    if band:
        parts.append(
            translate("Faceplate", "Normal: {lo} .. {hi} {units}")
            .format(lo=f"{band[0]:g}", hi=f"{band[1]:g}", units=units)
            .rstrip()
        )
    return "\n".join(parts)


def limit_words(link: AlarmLink, units: str) -> str:
    """An alarm's kind and limit as the operator says it: "high 290 bar"."""
    kinds = {
        "hihi": translate("Faceplate", "very high"),
        "hi": translate("Faceplate", "high"),
        "lo": translate("Faceplate", "low"),
        "lolo": translate("Faceplate", "very low"),
        "dev_hi": translate("Faceplate", "above setpoint"),
        "dev_lo": translate("Faceplate", "below setpoint"),
        "rate_hi": translate("Faceplate", "rising too fast"),
        "rate_lo": translate("Faceplate", "falling too fast"),
        "bad_quality": translate("Faceplate", "signal lost"),
        "comm": translate("Faceplate", "communication lost"),
        "state": translate("Faceplate", "abnormal state"),
    }
    words = kinds.get(link.kind, link.kind)
    if link.limit is None or link.kind in ("bad_quality", "comm", "state"):
        return words
    limit = f"{link.limit:g}"
    sign = "+" if link.kind == "dev_hi" else ""
    return f"{words} {sign}{limit} {units}".rstrip()


class AlarmHelp(QLabel):
    """The alarms of a tag, each with its help, the active ones first and marked: what the
    operator needs to act on an alarm, at the place they look at its value."""

    def __init__(self, project: Project, links: Sequence[AlarmLink], units: str, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("faceplateAlarms")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.project = project
        self.links = list(links)
        self.raw_units = units
        self.states: dict[str, object] = {}
        self.setVisible(bool(self.links))

    def show_state(self, alarm_id: str, tv: TagValue | None) -> None:
        self.states[alarm_id] = tv.value if tv is not None else None
        self.refresh()

    def active(self, link: AlarmLink) -> bool:
        return self.states.get(link.alarm_id) in ACTIVE_ALARM_STATES

    def refresh(self) -> None:
        blocks = []
        said: set[str] = set()  # a text the alarms share is read once
        units = project_text(self.project, self.raw_units, "Units")
        for link in sorted(self.links, key=lambda li: (not self.active(li), li.priority)):
            head = translate("Faceplate", "{limit} · priority {priority}").format(
                limit=limit_words(link, units), priority=link.priority
            )
            if self.active(link):
                head = "▶ " + translate("Faceplate", "ACTIVE") + " · " + head
            lines = [f"<b>{html.escape(head)}</b>"]
            for words, text in (
                (translate("Faceplate", "Cause"), link.cause),
                (translate("Faceplate", "Consequence"), link.consequence),
                (translate("Faceplate", "Corrective action"), link.action),
            ):
                if text and text not in said:
                    said.add(text)
                    shown = html.escape(project_text(self.project, text, "Alarms"))
                    lines.append(f"{html.escape(words)}: {shown}")
            blocks.append("<br>".join(lines))
        self.setText("<p>" + "</p><p>".join(blocks) + "</p>")


class Faceplate(QDialog):
    """One tag, live, with its commands: change a setpoint, switch a flag on or off."""

    change_requested = Signal(str)
    command_requested = Signal(str, object)  # tag, value

    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        tag_name: str,
        *,
        symbol: Symbol | None = None,
        links: Sequence[AlarmLink] | None = None,
        parent: QWidget | None = None,
    ):
        """``links`` are the tag's alarms (default: those the symbol shows)."""
        super().__init__(parent)
        self.setObjectName("faceplate")
        self.project = project
        self.tag_name = tag_name
        self.tag = project.tags.get(tag_name)
        self.device = (
            tag_name[len(DEVICE_TAG_PREFIX) :] if tag_name.startswith(DEVICE_TAG_PREFIX) else ""
        )
        self.symbol = symbol
        self._tv: TagValue | None = None
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("dialogTitle")
        layout.addWidget(self.title)
        name = QLabel(tag_name, self)
        name.setObjectName("faceplateTag")
        layout.addWidget(name)
        self.value_label = QLabel(self)
        self.value_label.setObjectName("faceplateValue")
        self.quality_label = QLabel(self)
        self.quality_label.setObjectName("faceplateQuality")
        self.quality_label.setWordWrap(True)
        self.time_label = QLabel(self)
        self.range_label = QLabel(self)
        self.band_label = QLabel(self)
        self.band_label.setWordWrap(True)
        for label in (self.value_label, self.quality_label, self.time_label):
            layout.addWidget(label)
        layout.addWidget(self.range_label)
        layout.addWidget(self.band_label)
        self.range_label.setVisible(self.tag is not None and self.tag.eng_range is not None)
        self.band_label.setVisible(bool(band_text(symbol)))
        if links is None:
            links = symbol.alarm_links if symbol is not None else ()
        units = self.tag.units if self.tag is not None else ""
        self.alarm_help = AlarmHelp(project, links, units, self)
        layout.addWidget(self.alarm_help)
        self._alarm_bindings = [
            bridge.bind(link.state_tag, partial(self.alarm_help.show_state, link.alarm_id))
            for link in self.alarm_help.links
        ]
        buttons = QHBoxLayout()
        buttons.setSpacing(24)
        self.commands: dict[str, QPushButton] = {}
        writable = self.tag is not None and self.tag.writable and not self.tag.derived
        if writable and self.tag.data_type.value == "bool":
            for key, value in (("on", True), ("off", False)):
                button = QPushButton(self)
                button.clicked.connect(lambda _=False, v=value: self._command(v))
                self.commands[key] = button
                buttons.addWidget(button)
        elif writable:
            button = QPushButton(self)
            button.clicked.connect(lambda: self.change_requested.emit(tag_name))
            self.commands["change"] = button
            buttons.addWidget(button)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.retranslate()
        self._binding: Binding = bridge.bind(tag_name, self.show_value, initial=False)
        self.show_value(bridge.value(tag_name))
        self.finished.connect(lambda _result: self._unbind())

    def _unbind(self) -> None:
        self._binding.unbind()
        for binding in self._alarm_bindings:
            binding.unbind()

    def _command(self, value: object) -> None:
        self.command_requested.emit(self.tag_name, value)

    def retranslate(self) -> None:
        if self.device:
            title = translate("Faceplate", "Connection of {device}").format(
                device=device_name(self.project, self.device)
            )
        else:
            title = describe(self.shown, self.tag_name)
        self.title.setText(title)
        self.setWindowTitle(title)
        if self.shown is not None and self.shown.eng_range is not None:
            lo, hi = self.shown.eng_range
            self.range_label.setText(
                translate("Faceplate", "Range: {lo} .. {hi} {units}")
                .format(lo=f"{lo:g}", hi=f"{hi:g}", units=self.shown.units)
                .rstrip()
            )
        self.band_label.setText(band_text(self.symbol))
        self.alarm_help.refresh()
        texts = {
            "on": translate("Faceplate", "Switch on"),
            "off": translate("Faceplate", "Switch off"),
            "change": translate("Faceplate", "Change…"),
        }
        for key, button in self.commands.items():
            button.setText(texts[key])
        self.close_button.setText(translate("Faceplate", "Close"))
        self.show_value(self._tv)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    @property
    def shown(self) -> TagConfig | None:
        """The tag with its description and units in the operator's language."""
        return shown_tag(self.project, self.tag)

    def show_value(self, tv: TagValue | None) -> None:
        self._tv = tv
        if self.device and tv is not None:
            self.value_label.setText(device_status_text(str(tv.value)))
        else:
            self.value_label.setText(format_tag_value(self.shown, tv))
        self.quality_label.setText(
            translate("Faceplate", "Quality: {quality}").format(quality=quality_text(tv))
        )
        parts = []
        if tv is not None and tv.ts:
            received = time.strftime("%H:%M:%S", time.localtime(tv.ts))
            parts.append(translate("Faceplate", "received {time}").format(time=received))
        if tv is not None and tv.source_ts:
            measured = time.strftime("%H:%M:%S", time.localtime(tv.source_ts))
            parts.append(translate("Faceplate", "measured {time}").format(time=measured))
        self.time_label.setText(", ".join(parts))
        self.time_label.setVisible(bool(parts))


class ScreenPopup(QDialog):
    """A detail screen over the current one, live, closed with one touch."""

    def __init__(
        self,
        screen: ScreenDef,
        host: ScreenHost,
        *,
        parent: QWidget,
    ):
        super().__init__(parent)
        self.setObjectName("screenPopup")
        self.screen = screen
        self.host = host
        host.setParent(self)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setObjectName("dialogTitle")
        top.addWidget(self.title, 1)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("popupClose")
        self.close_button.clicked.connect(self.accept)
        top.addWidget(self.close_button)
        layout.addLayout(top)
        layout.addWidget(host, 1)
        self.retranslate()
        host.show_screen(screen.name)
        self.finished.connect(lambda _result: host.close_screen())

    def retranslate(self) -> None:
        title = project_text(self.host.project, self.screen.title, "Screens")
        self.title.setText(title)
        self.setWindowTitle(title)
        self.close_button.setText(translate("Faceplate", "Close"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def sizeHint(self) -> QSize:
        """Most of the window, in the screen's proportions."""
        window = self.parentWidget().window() if self.parentWidget() else None
        if window is None:
            return QSize(960, 600)
        room_w = window.width() * POPUP_SHARE
        room_h = window.height() * POPUP_SHARE
        width, height = self.screen.size
        scale = min(room_w / width, (room_h - 80) / height)
        return QSize(round(width * scale) + 24, round(height * scale) + 80)


def popup_context(context: SymbolContext) -> SymbolContext:
    """A popup's symbols are activated by the popup, not by the screen underneath."""
    return SymbolContext(
        context.project,
        theme=context.theme,
        touch=context.touch,
        clock=context.clock,
        extra=dict(context.extra),
        alarm_links=context.alarm_links,
        history=context.history,
    )
