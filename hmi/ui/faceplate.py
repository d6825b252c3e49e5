"""Details over the current screen, never instead of it: the operator keeps their place.

``Faceplate`` is everything about one tag, live: value, quality and why, when it was read,
range, normal band and alarm limits, and the commands the operator may give it.
``ScreenPopup`` shows a detail screen (a symbol's ``faceplate:``) as a popup over the
current screen, bound to the same bridge.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hmi.core.project.models import Project
from hmi.core.screens import ScreenDef
from hmi.core.systemtags import DEVICE_TAG_PREFIX
from hmi.core.tags import TagValue
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.dialogs import describe, format_tag_value, quality_text
from hmi.ui.i18n import device_status_text, translate
from hmi.ui.symbols import Symbol, SymbolContext

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
    limits = symbol.props.get("limits") or {}
    if limits:
        listed = ", ".join(
            translate("Faceplate", "{name} {value} (priority {priority})").format(
                name=key, value=f"{limit.value:g}", priority=limit.priority
            )
            for key, limit in limits.items()
        )
        parts.append(translate("Faceplate", "Alarm limits: {limits}").format(limits=listed))
    return "\n".join(parts)


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
        parent: QWidget | None = None,
    ):
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
        self.finished.connect(lambda _result: self._binding.unbind())

    def _command(self, value: object) -> None:
        self.command_requested.emit(self.tag_name, value)

    def retranslate(self) -> None:
        if self.device:
            title = translate("Faceplate", "Connection of {device}").format(device=self.device)
        else:
            title = describe(self.tag, self.tag_name)
        self.title.setText(title)
        self.setWindowTitle(title)
        if self.tag is not None and self.tag.eng_range is not None:
            lo, hi = self.tag.eng_range
            self.range_label.setText(
                translate("Faceplate", "Range: {lo} .. {hi} {units}")
                .format(lo=f"{lo:g}", hi=f"{hi:g}", units=self.tag.units)
                .rstrip()
            )
        self.band_label.setText(band_text(self.symbol))
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

    def show_value(self, tv: TagValue | None) -> None:
        self._tv = tv
        if self.device and tv is not None:
            self.value_label.setText(device_status_text(str(tv.value)))
        else:
            self.value_label.setText(format_tag_value(self.tag, tv))
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
        self.title = QLabel(screen.title, self)
        self.title.setObjectName("dialogTitle")
        top.addWidget(self.title, 1)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("popupClose")
        self.close_button.clicked.connect(self.accept)
        top.addWidget(self.close_button)
        layout.addLayout(top)
        layout.addWidget(host, 1)
        self.setWindowTitle(screen.title)
        self.retranslate()
        host.show_screen(screen.name)
        self.finished.connect(lambda _result: host.close_screen())

    def retranslate(self) -> None:
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
    )
