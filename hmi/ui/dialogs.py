"""The operator's dialogs for writes: setpoint entry and the confirmation before any write.

All open with ``open()`` (window-modal, never a nested event loop), so the screen keeps
updating behind them and nothing blocks the GUI thread. In the touch profile the setpoint
entry brings our own keypad; on the desk the keyboard is used. A confirmation says the
change in the operator's words: "Billet temperature setpoint: 480 °C → 485 °C?".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hmi.core.project.models import Project, TagConfig
from hmi.core.tags import Quality, TagValue
from hmi.ui.entry import EntryDialog
from hmi.ui.i18n import project_text, reason_text, shown_tag, translate
from hmi.ui.profile import Profile
from hmi.ui.symbols.painting import THIN_SPACE, format_number
from hmi.ui.writes import WriteRefused, check_write

MIN_WIDTH_TARGETS = 11  # a setpoint dialog is at least this many targets wide
# where a description stops naming the thing and starts explaining it
PHRASE_ENDS = ("; ", ": ", " (", " — ", " – ")


def describe(tag: TagConfig | None, name: str) -> str:
    return tag.description if tag is not None and tag.description else name


def short_name(tag: TagConfig | None, name: str) -> str:
    """What the operator calls a tag: the first phrase of its description ("Billet heater
    setpoint; colder billets need ..." -> "Billet heater setpoint"), else its name made
    readable ("line1.billet_temp_sp" -> "Billet temp sp")."""
    if tag is not None and tag.description:
        text = tag.description.strip()
        cut = min((i for i in (text.find(end) for end in PHRASE_ENDS) if i > 0), default=-1)
        return text[:cut] if cut > 0 else text
    words = name.rsplit(".", 1)[-1].replace("_", " ").strip() or name
    return words[:1].upper() + words[1:]


def value_text(tag: TagConfig | None, value: Any) -> str:
    """A value as the operator reads it: the tag's decimals and units; On/Off for a flag."""
    if isinstance(value, bool):
        return translate("Dialogs", "On") if value else translate("Dialogs", "Off")
    if isinstance(value, str):
        return f"“{value}”"
    text = format_number(value, tag.decimals if tag else None)
    units = tag.units if tag is not None else ""
    return f"{text} {units}".strip()


def change_question(tag: TagConfig | None, name: str, now: TagValue | None, new: Any) -> str:
    """ "Billet heater setpoint: 480 °C → 485 °C?"; "Heater: Off → On?"."""
    if now is None or now.value is None:
        old = "?"
    else:
        old = value_text(tag, bool(now.value) if isinstance(new, bool) else now.value)
    return translate("Dialogs", "{name}: {old} → {new}?").format(
        name=short_name(tag, name), old=old, new=value_text(tag, new)
    )


def command_question(confirm: str | None, tag: TagConfig | None, name: str, label: str) -> str:
    """A command asks in the screen's words (its ``confirm:``), else in the tag's."""
    if confirm:
        return confirm
    if tag is not None and tag.description:
        return f"{short_name(tag, name)}?"
    return f"{label or short_name(tag, name)}?"


def where_text(project: Project, name: str) -> str:
    """Which line and which tag: the small print under a question."""
    tag = project.tags.get(name)
    device = project.devices.get(tag.device or "") if tag is not None else None
    line = project.lines.get(device.line, device.line) if device is not None else ""
    line = project_text(project, line, "Project")
    return f"{line} · {name}" if line else name


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
    return f"? {word}" + (f": {reason_text(tv.reason)}" if tv.reason else "")


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
    """Asks for a new value; the allowed range and units stay in one place, and on Next
    what cannot be written is refused there with the reason (``refusal``: what forbids
    any write to the tag now, asked again at that moment)."""

    def __init__(
        self,
        project: Project,
        tag_name: str,
        current: TagValue | None,
        *,
        profile: Profile,
        refusal: Callable[[str], str | None] | None = None,
        parent: QWidget | None = None,
    ):
        tag = shown_tag(project, project.tags.get(tag_name))
        text = ""
        if current is not None and current.value is not None:
            text = format_number(current.value, tag.decimals if tag else None)
            text = text.replace(THIN_SPACE, "")
        now = translate("Dialogs", "Now: {value}").format(value=format_tag_value(tag, current))
        numeric = tag is None or tag.data_type.numeric or tag.data_type.value == "bool"
        self.project = project
        self.tag_name = tag_name
        self.refusal = refusal
        super().__init__(
            short_name(tag, tag_name),
            profile=profile,
            text=text,
            details=(now,),
            hint=range_text(tag),
            numeric=numeric,
            check=self.check_value,
            accept_text=translate("Dialogs", "Next"),
            parent=parent,
        )
        self.setObjectName("setpointDialog")
        self.setMinimumWidth(round(profile.target_px * MIN_WIDTH_TARGETS))
        self.setWindowTitle(translate("Dialogs", "Change setpoint"))

    def check_value(self, typed: str) -> Any:
        value = check_write(self.project, self.tag_name, typed)
        reason = self.refusal(self.tag_name) if self.refusal is not None else None
        if reason:
            raise WriteRefused(reason)
        return value

    def retranslate(self) -> None:
        self._accept_text = translate("Dialogs", "Next")
        self.set_hint(range_text(self.project.tags.get(self.tag_name)))
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
        self.title = QLabel(question, self)
        self.title.setObjectName("dialogTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.detail = QLabel(detail, self)
        self.detail.setObjectName("confirmDetail")
        self.detail.setWordWrap(True)
        self.detail.setVisible(bool(detail))
        layout.addWidget(self.detail)
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
