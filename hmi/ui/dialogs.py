"""The operator's dialogs: setpoint entry, write confirmation, and the tag faceplate.

All open with ``open()`` (window-modal, never a nested event loop), so the screen keeps
updating behind them and nothing blocks the GUI thread. Touch profile: an on-screen keypad
and big buttons, no right-click, no hover.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmi.core.project.models import Project, TagConfig
from hmi.core.tags import Quality, TagValue
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.symbols.base import format_number
from hmi.ui.writes import WriteRefused, check_write


def describe(tag: TagConfig | None, name: str) -> str:
    return tag.description if tag is not None and tag.description else name


def format_tag_value(tag: TagConfig | None, tv: TagValue | None) -> str:
    if tv is None:
        return "no value yet"
    text = format_number(tv.value, tag.decimals if tag else None)
    units = tag.units if tag is not None else ""
    return f"{text} {units}".strip()


def quality_text(tv: TagValue | None) -> str:
    if tv is None:
        return "? no value received yet"
    if tv.quality is Quality.GOOD:
        return "good"
    return f"? {tv.quality.name.lower()}" + (f": {tv.reason}" if tv.reason else "")


class Keypad(QWidget):
    """Digits for a gloved finger; edits the given line edit."""

    KEYS = ("7", "8", "9", "4", "5", "6", "1", "2", "3", "±", "0", ".")

    def __init__(self, target: QLineEdit, parent: QWidget | None = None):
        super().__init__(parent)
        self.target = target
        grid = QGridLayout(self)
        grid.setSpacing(8)
        for index, key in enumerate(self.KEYS):
            button = QPushButton(key, self)
            button.setObjectName("keypadKey")
            button.clicked.connect(lambda _=False, k=key: self.press(k))
            grid.addWidget(button, index // 3, index % 3)
        back = QPushButton("⌫", self)
        back.setObjectName("keypadKey")
        back.clicked.connect(lambda: self.press("back"))
        clear = QPushButton("C", self)
        clear.setObjectName("keypadKey")
        clear.clicked.connect(lambda: self.press("clear"))
        grid.addWidget(back, 0, 3)
        grid.addWidget(clear, 1, 3)

    def press(self, key: str) -> None:
        text = self.target.text()
        if key == "back":
            text = text[:-1]
        elif key == "clear":
            text = ""
        elif key == "±":
            text = text[1:] if text.startswith("-") else "-" + text
        else:
            text += key
        self.target.setText(text)


class SetpointDialog(QDialog):
    """Asks for a new value, shows the allowed range, refuses what cannot be written."""

    def __init__(
        self,
        project: Project,
        tag_name: str,
        current: TagValue | None,
        *,
        touch: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("setpointDialog")
        self.project = project
        self.tag_name = tag_name
        self.value: Any = None
        tag = project.tags.get(tag_name)
        self.setWindowTitle("Change setpoint")
        layout = QVBoxLayout(self)
        title = QLabel(describe(tag, tag_name), self)
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        layout.addWidget(QLabel(f"Now: {format_tag_value(tag, current)}", self))
        if tag is not None and tag.eng_range is not None:
            lo, hi = tag.eng_range
            units = f" {tag.units}" if tag.units else ""
            layout.addWidget(QLabel(f"Allowed: {lo:g} .. {hi:g}{units}", self))
        self.entry = QLineEdit(self)
        self.entry.setObjectName("setpointEntry")
        if current is not None and current.value is not None:
            self.entry.setText(
                format_number(current.value, tag.decimals if tag else None).replace("\u2009", "")
            )
        self.entry.selectAll()
        layout.addWidget(self.entry)
        self.error = QLabel("", self)
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        if touch:
            layout.addWidget(Keypad(self.entry, self))
        buttons = QHBoxLayout()
        cancel = QPushButton("Cancel", self)
        cancel.clicked.connect(self.reject)
        self.next_button = QPushButton("Next", self)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.try_accept)
        buttons.addWidget(cancel)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)

    def try_accept(self) -> None:
        try:
            self.value = check_write(self.project, self.tag_name, self.entry.text().strip())
        except WriteRefused as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class ConfirmDialog(QDialog):
    """The last step before any write: what, where, from what, to what."""

    def __init__(
        self, question: str, detail: str = "", action: str = "Write", parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setObjectName("confirmDialog")
        self.setWindowTitle("Confirm")
        layout = QVBoxLayout(self)
        title = QLabel(question, self)
        title.setObjectName("dialogTitle")
        title.setWordWrap(True)
        layout.addWidget(title)
        if detail:
            text = QLabel(detail, self)
            text.setWordWrap(True)
            layout.addWidget(text)
        buttons = QHBoxLayout()
        cancel = QPushButton("Cancel", self)
        cancel.clicked.connect(self.reject)
        self.confirm_button = QPushButton(action, self)
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.clicked.connect(self.accept)
        buttons.addWidget(cancel)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)


class Faceplate(QDialog):
    """Everything about one tag, live: value, quality and why, units, range, description."""

    change_requested = Signal(str)

    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        tag_name: str,
        *,
        extra: str = "",
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("faceplate")
        self.project = project
        self.tag_name = tag_name
        self.tag = project.tags.get(tag_name)
        self.setWindowTitle(describe(self.tag, tag_name))
        layout = QVBoxLayout(self)
        title = QLabel(describe(self.tag, tag_name), self)
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        layout.addWidget(QLabel(tag_name, self))
        self.value_label = QLabel(self)
        self.value_label.setObjectName("faceplateValue")
        self.quality_label = QLabel(self)
        self.quality_label.setWordWrap(True)
        layout.addWidget(self.value_label)
        layout.addWidget(self.quality_label)
        if self.tag is not None and self.tag.eng_range is not None:
            lo, hi = self.tag.eng_range
            layout.addWidget(QLabel(f"Range: {lo:g} .. {hi:g} {self.tag.units}".rstrip(), self))
        if extra:
            layout.addWidget(QLabel(extra, self))
        buttons = QHBoxLayout()
        if self.tag is not None and self.tag.writable and not self.tag.derived:
            change = QPushButton("Change…", self)
            change.clicked.connect(lambda: self.change_requested.emit(tag_name))
            buttons.addWidget(change)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self._binding: Binding = bridge.bind(tag_name, self.show_value, initial=False)
        self.show_value(bridge.value(tag_name))
        self.finished.connect(lambda _result: self._binding.unbind())

    def show_value(self, tv: TagValue | None) -> None:
        self.value_label.setText(format_tag_value(self.tag, tv))
        when = (
            f" — received {time.strftime('%H:%M:%S', time.localtime(tv.ts))}"
            if tv and tv.ts
            else ""
        )
        self.quality_label.setText(f"Quality: {quality_text(tv)}{when}")
