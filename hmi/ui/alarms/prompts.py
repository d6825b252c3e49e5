"""What an alarm action asks before it is done: a comment, a reason, a shelving time.

They are the project's entry dialogs, so the touch profile brings the on-screen keyboard;
all open window-modal with ``open()`` and never block the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from hmi.ui.entry import EntryDialog
from hmi.ui.i18n import translate
from hmi.ui.profile import Profile

#: shelving times offered (seconds); the operator picks one, never types a number
SHELVE_CHOICES = (
    (900, "15 min"),
    (3600, "1 h"),
    (4 * 3600, "4 h"),
    (8 * 3600, "8 h"),
    (86400, "24 h"),
)
DEFAULT_SHELVE_S = 3600
SHOWN = 3  # alarms named in a dialog acting on several


def _required(what: str):
    def check(text: str) -> str:
        if not text.strip():
            raise ValueError(what)
        return text.strip()

    return check


def _optional(text: str) -> str:
    return text.strip()


def prepare(dialog: EntryDialog, profile: Profile, style: str) -> EntryDialog:
    dialog.setStyleSheet(style)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if profile.touch:
        dialog.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    return dialog


def naming(action: str, alarms: list[str]) -> tuple[str, list[str]]:
    """A title that says what is acted on, and the first few alarms when there are several."""
    if len(alarms) == 1:
        return f"{action}: {alarms[0]}", []
    title = translate("Alarms", "{action}: {n} alarms").format(action=action, n=len(alarms))
    listed = [f"• {text}" for text in alarms[:SHOWN]]
    if len(alarms) > SHOWN:
        listed.append(translate("Alarms", "… and {n} more").format(n=len(alarms) - SHOWN))
    return title, listed


def comment_dialog(
    alarms: list[str], action: str, profile: Profile, parent: QWidget
) -> EntryDialog:
    """Acknowledge (or reset, return to service) ``alarms`` (their messages), with an
    optional comment."""
    title, listed = naming(action, alarms)
    return EntryDialog(
        title,
        profile=profile,
        details=[
            *listed,
            translate("Alarms", "Comment (optional), kept in the journal with your name"),
        ],
        check=_optional,
        accept_text=action,
        parent=parent,
    )


def reason_dialog(alarms: list[str], action: str, profile: Profile, parent: QWidget) -> EntryDialog:
    """Take ``alarms`` out of service: a reason is required."""
    title, listed = naming(action, alarms)
    return EntryDialog(
        title,
        profile=profile,
        details=[
            *listed,
            translate("Alarms", "Reason (required), kept in the journal with your name"),
        ],
        check=_required(translate("Alarms", "Give a reason")),
        accept_text=action,
        parent=parent,
    )


class ShelveDialog(EntryDialog):
    """Shelve for a chosen time with a reason; optionally only until the alarm clears."""

    def __init__(self, alarms: list[str], profile: Profile, parent: QWidget):
        title, listed = naming(translate("Alarms", "Shelve"), alarms)
        super().__init__(
            title,
            profile=profile,
            details=[*listed, translate("Alarms", "For how long, and why (required)")],
            check=_required(translate("Alarms", "Give a reason for shelving")),
            accept_text=translate("Alarms", "Shelve"),
            parent=parent,
        )
        self.setObjectName("shelveDialog")
        self.seconds = DEFAULT_SHELVE_S
        self.duration_buttons: dict[int, QPushButton] = {}
        row = QHBoxLayout()
        row.setSpacing(round(profile.gap_px))
        for seconds, text in SHELVE_CHOICES:
            button = self._toggle(text)
            button.clicked.connect(lambda _=False, s=seconds: self.choose(s))
            self.duration_buttons[seconds] = button
            row.addWidget(button)
        self.one_shot_button = self._toggle(translate("Alarms", "Until it clears"))
        row.addWidget(self.one_shot_button)
        self.layout().insertLayout(1 + len(self.details), row)  # above the reason
        self.choose(DEFAULT_SHELVE_S)

    def _toggle(self, text: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setCheckable(True)
        button.setProperty("toggle", True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setMinimumHeight(round(self.profile.target_px))
        return button

    @property
    def one_shot(self) -> bool:
        return self.one_shot_button.isChecked()

    def choose(self, seconds: int) -> None:
        self.seconds = seconds
        for value, button in self.duration_buttons.items():
            button.setChecked(value == seconds)
