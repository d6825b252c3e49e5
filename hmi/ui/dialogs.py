"""The operator's dialogs for writes: setpoint entry and the confirmation before any write.

All open with ``open()`` (window-modal, never a nested event loop), so the screen keeps
updating behind them and nothing blocks the GUI thread. In the touch profile the setpoint
entry brings our own keypad; on the desk the keyboard is used.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hmi.core.project.models import Project, TagConfig
from hmi.core.tags import Quality, TagValue
from hmi.ui.entry import EntryDialog
from hmi.ui.i18n import translate
from hmi.ui.profile import Profile
from hmi.ui.symbols.painting import THIN_SPACE, format_number
from hmi.ui.writes import check_write


def describe(tag: TagConfig | None, name: str) -> str:
    return tag.description if tag is not None and tag.description else name


def format_tag_value(tag: TagConfig | None, tv: TagValue | None) -> str:
    if tv is None:
        return translate("Dialogs", "no value yet")
    text = format_number(tv.value, tag.decimals if tag else None)
    units = tag.units if tag is not None else ""
    return f"{text} {units}".strip()


def quality_text(tv: TagValue | None) -> str:
    """Quality in words with its reason; "?" marks anything that is not Good."""
    if tv is None:
        return "? " + translate("Dialogs", "no value received yet")
    if tv.quality is Quality.GOOD:
        return translate("Dialogs", "good")
    word = (
        translate("Dialogs", "bad")
        if tv.quality is Quality.BAD
        else translate("Dialogs", "uncertain")
    )
    return f"? {word}" + (f": {tv.reason}" if tv.reason else "")


def range_text(tag: TagConfig | None) -> str:
    if tag is None or tag.eng_range is None:
        return ""
    lo, hi = tag.eng_range
    return (
        translate("Dialogs", "Allowed: {lo} .. {hi} {units}")
        .format(lo=f"{lo:g}", hi=f"{hi:g}", units=tag.units)
        .strip()
    )


class SetpointDialog(EntryDialog):
    """Asks for a new value, shows the allowed range and units, refuses what cannot be
    written (before the operator can go on to confirm it)."""

    def __init__(
        self,
        project: Project,
        tag_name: str,
        current: TagValue | None,
        *,
        profile: Profile,
        parent: QWidget | None = None,
    ):
        tag = project.tags.get(tag_name)
        text = ""
        if current is not None and current.value is not None:
            text = format_number(current.value, tag.decimals if tag else None)
            text = text.replace(THIN_SPACE, "")
        now = translate("Dialogs", "Now: {value}").format(value=format_tag_value(tag, current))
        numeric = tag is None or tag.data_type.numeric or tag.data_type.value == "bool"
        super().__init__(
            describe(tag, tag_name),
            profile=profile,
            text=text,
            details=(now, range_text(tag)),
            numeric=numeric,
            check=lambda typed: check_write(project, tag_name, typed),
            accept_text=translate("Dialogs", "Next"),
            parent=parent,
        )
        self.setObjectName("setpointDialog")
        self.setWindowTitle(translate("Dialogs", "Change setpoint"))
        self.project = project
        self.tag_name = tag_name

    def retranslate(self) -> None:
        self._accept_text = translate("Dialogs", "Next")
        super().retranslate()


class ConfirmDialog(QDialog):
    """The last step before any write: what, where, from what, to what."""

    def __init__(
        self,
        question: str,
        detail: str = "",
        action: str | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("confirmDialog")
        self._action = action
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
        buttons.setSpacing(24)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button = QPushButton(self)
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.clicked.connect(self.accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(translate("Dialogs", "Confirm"))
        self.cancel_button.setText(translate("Dialogs", "Cancel"))
        self.confirm_button.setText(self._action or translate("Dialogs", "Write"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()


def value_words(value: Any) -> str:
    """A value to write, as the operator reads it."""
    if isinstance(value, bool):
        return translate("Symbol", "on") if value else translate("Symbol", "off")
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
