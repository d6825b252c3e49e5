"""The electronic signature a critical action needs before it is sent.

The signed-in user confirms with their password (desk) or PIN (touch) and a reason chosen
from the project's list or typed; where the project asks for a second person, another
user (never the first) signs too. Only when every signature is valid is the action sent;
the service keeps the signatures (and voids them when the session ends).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmi.core.users import Method, UsersError
from hmi.ui.i18n import translate
from hmi.ui.profile import Profile

from .signin import PinKeypad, masked_field


class SignatureDialog(QDialog):
    """One critical action: what it is, the signer's secret and reason, and a second
    person's where required."""

    def __init__(
        self,
        users: Any,
        rule: Any,
        permission: str,
        target: str,
        what: str,
        profile: Profile,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("signatureDialog")
        self.users, self.rule, self.profile = users, rule, profile
        self.permission, self.target = permission, target
        self.method = Method.PIN if profile.touch else Method.PASSWORD
        self.first: Any = None  # the first signature, once valid (kept on a failed second)
        layout = QVBoxLayout(self)
        self.meaning = QLabel(self)
        self.meaning.setObjectName("signatureMeaning")
        self.meaning.setWordWrap(True)
        self.what = QLabel(what, self)
        self.what.setObjectName("signatureWhat")
        self.what.setWordWrap(True)
        layout.addWidget(self.meaning)
        layout.addWidget(self.what)
        form = self.form = QFormLayout()
        session = users.current
        self.signer = QLabel(session.user if session else "", self)
        self.secret = masked_field(self, "signatureSecret")
        self.reason = QComboBox(self)
        self.reason.setObjectName("signatureReason")
        self.reason.setEditable(True)
        self.reason.addItems(list(rule.reasons))
        self.reason.setCurrentIndex(-1)
        self.signer_label, self.secret_label, self.reason_label = QLabel(), QLabel(), QLabel()
        form.addRow(self.signer_label, self.signer)
        form.addRow(self.secret_label, self.secret)
        form.addRow(self.reason_label, self.reason)
        self.second_name: QComboBox | None = None
        self.second_secret: QLineEdit | None = None
        self.second_label, self.second_secret_label = QLabel(), QLabel()
        if rule.second:
            self.second_name = QComboBox(self)
            self.second_name.setObjectName("signatureSecond")
            self.second_name.setEditable(not profile.touch)
            others = [u.name for u in users.users() if u.enabled and u.name != self.signer.text()]
            self.second_name.addItems(others)
            self.second_name.setCurrentIndex(-1)
            self.second_secret = masked_field(self, "signatureSecondSecret")
            form.addRow(self.second_label, self.second_name)
            form.addRow(self.second_secret_label, self.second_secret)
        body = QHBoxLayout()
        body.addLayout(form, 1)
        self.keypad: PinKeypad | None = None
        if profile.touch:  # one keypad types into whichever PIN field was touched last
            self.keypad = PinKeypad(self.secret, profile, self)
            body.addWidget(self.keypad)
            app = QApplication.instance()
            if isinstance(app, QApplication):
                app.focusChanged.connect(self._focus)
        layout.addLayout(body)
        self.problem = QLabel(self)
        self.problem.setObjectName("signatureProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        row = QHBoxLayout()
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(self)
        self.ok_button.setObjectName("signatureOk")
        self.ok_button.clicked.connect(self.try_sign)
        for button in (self.cancel_button, self.ok_button):
            button.setMinimumHeight(round(profile.target_px))
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.ok_button)
        layout.addLayout(row)
        self.retranslate()

    def _focus(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self.keypad is not None and new in (self.secret, self.second_secret):
            assert isinstance(new, QLineEdit)
            self.keypad.target = new

    def retranslate(self) -> None:
        self.setWindowTitle(translate("Users", "Electronic signature"))
        second = self.rule.second
        self.meaning.setText(
            (
                translate("Users", "{meaning}: your signature and a second person's")
                if second
                else translate("Users", "{meaning}: your signature")
            ).format(meaning=self.rule.meaning)
        )
        pin = self.method is Method.PIN
        self.signer_label.setText(translate("Users", "Signed by"))
        self.secret_label.setText(
            translate("Users", "PIN") if pin else translate("Users", "Password")
        )
        self.reason_label.setText(translate("Users", "Reason"))
        self.second_label.setText(translate("Users", "Second person"))
        self.second_secret_label.setText(
            translate("Users", "Their PIN") if pin else translate("Users", "Their password")
        )
        self.cancel_button.setText(translate("Dialogs", "Cancel"))
        self.ok_button.setText(translate("Users", "Sign and send"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def try_sign(self) -> bool:
        """Sign (once), then countersign where required; accept when all are valid."""
        reason = self.reason.currentText().strip()
        if not reason:
            self.show_problem(translate("Users", "Choose or type a reason"))
            return False
        users = self.users
        try:
            if self.first is None:
                secret = self.secret.text()
                self.secret.clear()
                self.first = users.sign(
                    self.signer.text(),
                    secret,
                    reason,
                    permission=self.permission,
                    target=self.target,
                    method=self.method,
                )
                self.secret.setEnabled(False)
                self.reason.setEnabled(False)
            if self.second_name is not None and self.second_secret is not None:
                name = self.second_name.currentText().strip()
                if not name:
                    self.show_problem(translate("Users", "Choose the second person"))
                    return False
                secret = self.second_secret.text()
                self.second_secret.clear()
                users.countersign(self.first, name, secret, reason, method=self.method)
        except UsersError as exc:
            self.show_problem(str(exc))
            return False
        self.accept()
        return True


class SignatureProvider:
    """What the write path asks (``hmi.ui.writes.Signatures``), from the users service."""

    def __init__(self, users: Any, operator: Any):
        self.users = users
        self.operator = operator

    def needed(self, permission: str, target: str) -> bool:
        return not self.users.open and self.users.signature_rule(permission, target) is not None

    def refusal(self, permission: str, target: str) -> str | None:
        return self.users.may(permission, target)

    def ask(
        self, permission: str, target: str, what: str, parent: Any, signed: Callable[[], None]
    ) -> SignatureDialog:
        rule = self.users.signature_rule(permission, target)
        dialog = SignatureDialog(
            self.users, rule, permission, target, what, self.operator.profile, parent
        )
        dialog.accepted.connect(signed)
        self.operator.show_dialog(dialog, parent)
        return dialog
