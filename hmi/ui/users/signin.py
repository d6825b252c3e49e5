"""Signing in at the station: the dialog (desk: name and password; touch: a user's large
button and a PIN on the own keypad), a keyboard-wedge badge reader, and the activity that
keeps a session alive.

A badge reader types its digits and Enter faster than any person: ``BadgeReader`` holds
back digits while the sign-in dialog is open or nobody is signed in, and signs in with
them when Enter follows within ``KEY_GAP_S`` of each; digits a person typed go on to the
field they were meant for once the gap passes. The badge number is never shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.core.users import Method, SignInError
from hmi.ui.i18n import refusal_text, translate
from hmi.ui.keypad import BACKSPACE, CLEAR, KeyPad
from hmi.ui.profile import Profile

from .words import role_title

KEY_GAP_S = 0.06  # a reader types faster than this between keys; a person does not
BADGE_MIN = 4  # fewer digits then Enter is a person pressing Enter
ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
        QEvent.Type.Wheel,
    }
)


class PinKeypad(KeyPad):
    """Digits only, with clear and backspace: a PIN has no sign and no decimal point."""

    LAYOUT = (("1", "2", "3"), ("4", "5", "6"), ("7", "8", "9"), (CLEAR, "0", BACKSPACE))

    def __init__(self, target: QLineEdit, profile: Profile, parent: QWidget | None = None):
        super().__init__(target, profile, parent)
        for row, keys in enumerate(self.LAYOUT):
            for column, key in enumerate(keys):
                self.add_key(key, row, column)


def masked_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def user_words(users: Any) -> str:
    """ "Sara Supervisor (Supervisor)", or that nobody is signed in."""
    session = users.current
    if session is None:
        return translate("Users", "Signed out")
    title = role_title(users.config.table.title(session.role))
    return f"{session.full_name or session.user} ({title})"


class SignInDialog(QDialog):
    """Who operates the station: sign in (switching from whoever was), or sign out."""

    signed_in = Signal(str)

    def __init__(self, users: Any, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.users = users
        self.profile = profile
        self.chosen = ""  # touch: the user whose button was touched
        layout = QVBoxLayout(self)
        self.who = QLabel(self)
        self.who.setObjectName("signInWho")
        layout.addWidget(self.who)
        self.user_buttons: dict[str, QPushButton] = {}
        self.keypad: PinKeypad | None = None
        self.name = QLineEdit(self)
        self.name.setObjectName("signInName")
        if profile.touch:
            self.secret = masked_field(self, "signInPin")
            self.secret.setAlignment(Qt.AlignmentFlag.AlignCenter)
            body = QHBoxLayout()
            grid = QGridLayout()
            people = [u for u in users.users() if u.enabled and u.pin]
            for index, info in enumerate(people):
                button = QPushButton(info.full_name or info.name, self)
                button.setObjectName("signInUser")
                button.setCheckable(True)
                # its own rule: the touch style's button height is a target, a name a key
                button.setStyleSheet(f"min-height: {round(profile.key_px * 0.8)}px;")
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                button.clicked.connect(lambda _=False, n=info.name: self.choose(n))
                grid.addWidget(button, index // 2, index % 2)
                self.user_buttons[info.name] = button
            grid.setRowStretch(len(people) // 2 + 1, 1)  # the names at the top, not spread
            body.addLayout(grid, 1)
            pad = QVBoxLayout()
            pad.addWidget(self.secret)
            self.keypad = PinKeypad(self.secret, profile, self)
            pad.addWidget(self.keypad)
            body.addLayout(pad)
            layout.addLayout(body)
            self.name.hide()
        else:
            self.secret = masked_field(self, "signInPassword")
            self.form = QFormLayout()
            self.form.addRow(translate("Users", "User name"), self.name)
            self.form.addRow(translate("Users", "Password"), self.secret)
            layout.addLayout(self.form)
        self.secret.returnPressed.connect(self.try_sign_in)
        self.hint = QLabel(self)
        self.hint.setObjectName("signInHint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.problem = QLabel(self)
        self.problem.setObjectName("signInProblem")
        self.problem.setWordWrap(True)
        self.problem.setProperty("severity", 2)
        self.problem.hide()
        layout.addWidget(self.problem)
        row = QHBoxLayout()
        self.sign_out_button = QPushButton(self)
        self.sign_out_button.setObjectName("signOut")
        self.sign_out_button.clicked.connect(self.sign_out)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(self)
        self.ok_button.setObjectName("signInOk")
        self.ok_button.setDefault(True)
        self.ok_button.clicked.connect(self.try_sign_in)
        for button in (self.sign_out_button, self.cancel_button, self.ok_button):
            button.setMinimumHeight(round(profile.target_px))
        row.addWidget(self.sign_out_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(translate("Users", "Sign in"))
        session = self.users.current
        self.who.setText(
            translate("Users", "Signed in: {who}. Sign in as someone else to switch.").format(
                who=user_words(self.users)
            )
            if session is not None
            else translate("Users", "Nobody is signed in.")
        )
        self.hint.setText(
            translate(
                "Users", "Touch your name and type your PIN, or hold your badge to the reader."
            )
            if self.profile.touch
            else translate("Users", "Type your user name and password, or use your badge.")
        )
        self.sign_out_button.setText(translate("Users", "Sign out"))
        self.sign_out_button.setVisible(session is not None)
        self.cancel_button.setText(translate("Dialogs", "Cancel"))
        self.ok_button.setText(translate("Users", "Sign in"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def add_page_button(
        self, words: str, permission: str, open_page: Callable[[], object]
    ) -> QPushButton:
        """A way to a page (desk: users, audit trail), greyed with the reason for those
        who may not use it."""
        button = QPushButton(words + "…", self)
        button.setObjectName("openPage")
        reason = refusal_text(self.users.may(permission))
        button.setEnabled(reason is None)
        button.setToolTip(reason or "")
        button.clicked.connect(lambda _=False: (self.accept(), open_page()))
        self.layout().itemAt(self.layout().count() - 1).layout().insertWidget(1, button)
        return button

    def choose(self, name: str) -> None:
        """Touch: the user whose PIN is typed next."""
        self.chosen = name
        for other, button in self.user_buttons.items():
            button.setChecked(other == name)
        self.secret.clear()
        self.secret.setFocus()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def try_sign_in(self) -> bool:
        if self.profile.touch:
            name, method = self.chosen, Method.PIN
            if not name:
                self.show_problem(translate("Users", "Touch your name first"))
                return False
        else:
            name, method = self.name.text().strip(), Method.PASSWORD
        secret = self.secret.text()
        self.secret.clear()
        try:
            self.users.sign_in(name, secret, method=method, profile=self.profile.name)
        except SignInError as exc:
            self.show_problem(str(exc))
            return False
        self.signed_in.emit(name)
        self.accept()
        return True

    def badge_read(self, badge: str) -> bool:
        try:
            session = self.users.sign_in_badge(badge, profile=self.profile.name)
        except SignInError as exc:
            self.show_problem(str(exc))
            return False
        self.signed_in.emit(session.user)
        self.accept()
        return True

    def sign_out(self) -> None:
        self.users.sign_out(translate("Users", "signed out"))
        self.accept()


class StationInput(QObject):
    """Application-wide: every press, touch and key keeps the session alive, and a badge
    typed by a keyboard-wedge reader signs in (see the module's docstring)."""

    def __init__(
        self,
        users: Any,
        reading: Callable[[], bool],
        badge: Callable[[str], object],
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(parent)
        self.users = users
        self.reading = reading  # whether digits may be a badge now
        self.badge = badge
        self.clock = clock
        self.held: list[QKeyEvent] = []
        self.last = 0.0
        self._releasing = False
        self._release = QTimer(self, singleShot=True, interval=round(KEY_GAP_S * 2000))
        self._release.timeout.connect(self.release)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in ACTIVITY:
            return False
        if self.users.current is not None:
            self.users.touch()
        if kind != QEvent.Type.KeyPress or self._releasing or not watched.isWidgetType():
            return False
        assert isinstance(event, QKeyEvent)
        now = self.clock()
        fast = bool(self.held) and now - self.last <= KEY_GAP_S
        if self.held and not fast:
            self.release()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and fast:
            digits = "".join(e.text() for e in self.held)
            if len(digits) >= BADGE_MIN:
                self.held.clear()
                self._release.stop()
                self.badge(digits)
                return True
            self.release()
            return False
        text = event.text()
        if len(text) == 1 and text.isdigit() and self.reading():
            self.held.append(
                QKeyEvent(event.type(), event.key(), event.modifiers(), text, False, 1)
            )
            self.last = now
            self._release.start()
            return True
        return False

    def release(self) -> None:
        """Digits that were not a badge go where a person meant them."""
        held, self.held = self.held, []
        self._release.stop()
        target = QApplication.focusWidget()
        if target is None:
            return
        self._releasing = True
        try:
            for event in held:
                QApplication.sendEvent(target, event)
        finally:
            self._releasing = False
