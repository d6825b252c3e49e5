"""The header every screen shares: where you are, what the devices do, who, when, alarms,
and the language.

Device chips follow the ``_sys.device.<name>`` tags. A chip's ``severity`` is a Qt property
so the stylesheet colours it (an offline device is a diagnostic alarm, priority 4); its text
always says the state too, and touching it opens the device's faceplate with the reason
(no hover needed). The language button switches the whole application at once.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from hmi.core.project.models import Project
from hmi.core.screens import ScreenDef
from hmi.core.systemtags import DEVICE_TAG_PREFIX, STORE_HEALTH
from hmi.core.tags import Quality, TagValue
from hmi.ui.bridge import TagBridge
from hmi.ui.i18n import (
    LANGUAGE_NAMES,
    current_language,
    device_status_text,
    next_language,
    set_language,
    translate,
)
from hmi.ui.symbols.states import DEVICE_DOWN


def set_severity(widget: QWidget, severity: int) -> None:
    """Restyle a widget whose look depends on its alarm severity (0 = none)."""
    if widget.property("severity") == severity:
        return
    widget.setProperty("severity", severity)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ElidedLabel(QLabel):
    """A label that shortens its text with "…" instead of pushing the window wider."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.full_text = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        self.setText(metrics.elidedText(self.full_text, Qt.TextElideMode.ElideRight, self.width()))


class DeviceChip(QPushButton):
    """A device and its connection state; touch it for the reason."""

    def __init__(self, device: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.device = device
        self.setObjectName("deviceChip")
        self.status = ""
        self.tv: TagValue | None = None
        self.show_status(None)

    def show_status(self, tv: TagValue | None) -> None:
        self.tv = tv
        if tv is None:
            self.status, severity, text = "", 0, f"{self.device} ?"
        else:
            self.status = str(tv.value)
            down = self.status in DEVICE_DOWN
            severity = 4 if down else 0
            words = device_status_text(self.status)
            text = f"{self.device}: {words}" if down else f"{self.device} {words}"
            self.setToolTip(tv.reason)
        self.setText(text)
        set_severity(self, severity)


class StorageNotice(QLabel):
    """Shown only while the local store (or a capability that keeps records in it, which
    ``watch`` adds) cannot write (a full disk, ...): polling goes on and writes wait in
    memory, but the operator must know."""

    def __init__(self, bridge: TagBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("storageNotice")
        self.setWordWrap(True)
        self.bridge = bridge
        self.problems: dict[str, str] = {}
        self.bindings: list = []
        set_severity(self, 2)
        self.watch(STORE_HEALTH)

    def watch(self, tag: str) -> None:
        """Follow one more health tag ("ok", or Bad with the reason)."""
        self.bindings.append(self.bridge.bind(tag, lambda tv: self.show_health(tag, tv)))
        self.refresh()

    def show_health(self, tag: str, tv: TagValue | None) -> None:
        if tv is not None and tv.quality is Quality.BAD:
            self.problems[tag] = tv.reason
        else:
            self.problems.pop(tag, None)
        self.refresh()

    def refresh(self) -> None:
        if not self.problems:
            self.hide()
            return
        reason = "; ".join(dict.fromkeys(self.problems.values()))
        self.setText(
            translate(
                "Header",
                "Local storage cannot write ({reason}). Polling goes on; "
                "records wait in memory until space returns.",
            ).format(reason=reason)
        )
        self.show()


class Header(QWidget):
    device_chosen = Signal(str)  # a device chip was touched

    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        *,
        clock=time.localtime,
        compact: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("header")
        self.project = project
        self.clock = clock
        self.compact = compact  # the touch profile: the time without the date, for room
        self.top = top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        self.plant = QLabel(project.name, self)
        self.plant.setObjectName("plantName")
        self.title = ElidedLabel("", self)
        self.title.setObjectName("screenTitle")
        top.addWidget(self.plant)
        top.addWidget(self.title, 1)
        self.chips: dict[str, DeviceChip] = {}
        self._bindings = []
        for device in project.devices.values():
            if not device.enabled:
                continue
            chip = DeviceChip(device.name, self)
            chip.clicked.connect(lambda _=False, d=device.name: self.device_chosen.emit(d))
            self.chips[device.name] = chip
            top.addWidget(chip)
            self._bindings.append(bridge.bind(DEVICE_TAG_PREFIX + device.name, chip.show_status))
        self.user_name = ""
        self.user = QLabel(self)
        self.user.setObjectName("userName")
        self.time_label = QLabel("", self)
        self.time_label.setObjectName("clock")
        top.addWidget(self.user)
        top.addWidget(self.time_label)
        self.language = QPushButton(self)
        self.language.setObjectName("languageButton")
        self.language.clicked.connect(self.switch_language)
        top.addWidget(self.language)
        self.alarm_text = ""
        self.alarms = QLabel(self)
        self.alarms.setObjectName("alarmBanner")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.alarms)
        self.storage = StorageNotice(bridge, self)
        layout.addWidget(self.storage)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(1000)
        self.tick()
        self.retranslate()
        bindings, storage = self._bindings, self.storage.bindings  # it may watch more later
        self.destroyed.connect(lambda *_: [b.unbind() for b in bindings + storage])

    def add_item(self, widget: QWidget) -> None:
        """A capability's own item (a counter, a status), before the user's name."""
        widget.setParent(self)
        self.top.insertWidget(self.top.indexOf(self.user), widget)

    def retranslate(self) -> None:
        self.user.setText(
            translate("Header", "operator: {name}").format(name=self.user_name or "—")
        )
        self.alarms.setText(self.alarm_text or translate("Header", "No active alarms"))
        code = current_language()
        self.language.setText(f"{code.upper()} ▸ {next_language().upper()}")
        self.language.setToolTip(
            translate("Header", "Language: {name}").format(name=LANGUAGE_NAMES.get(code, code))
        )
        for chip in self.chips.values():
            chip.show_status(chip.tv)
        self.storage.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def switch_language(self) -> str:
        """The next language the application speaks, for everyone, at once."""
        code = next_language()
        set_language(code)
        return code

    def tick(self) -> None:
        form = "%H:%M:%S" if self.compact else "%Y-%m-%d  %H:%M:%S"
        self.time_label.setText(time.strftime(form, self.clock()))

    def show_screen(self, screen: ScreenDef | None) -> None:
        """The line's name on a line's screens, else the screen's title (the path says more)."""
        if screen is None:
            self.title.set_full_text("")
            return
        self.title.set_full_text(self.project.lines.get(screen.line) or screen.title)

    def show_alarm(self, text: str, severity: int) -> None:
        """Placeholder banner until the alarm manager feeds it."""
        self.alarm_text = text
        self.alarms.setText(text or translate("Header", "No active alarms"))
        set_severity(self.alarms, severity)
