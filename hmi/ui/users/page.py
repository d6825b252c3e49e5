"""The users page (desk): everyone who may sign in here, and their management.

Name, role, state and last sign-in; add, set role, reset PIN or password (which also lifts
a lockout), disable and enable, each through the users service (which records it). The
actions are disabled, with the reason, for a user without ``users.manage``.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.users import MANAGE, UsersError
from hmi.ui.i18n import translate
from hmi.ui.writes import Permission

from .signin import masked_field
from .words import role_title

ACTIONS = ("add", "set_role", "reset", "disable", "enable")


def when_text(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t)) if t else "—"


class UsersPage(QWidget):
    def __init__(self, users: Any, access: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("usersPage")
        self.users = users
        self.permission = Permission(access, self.signed_in, MANAGE, parent=self)
        self.permission.changed.connect(self.refresh)
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("usersTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.name = QLineEdit(self)
        self.full_name = QLineEdit(self)
        self.role = QComboBox(self)
        for role in users.config.table.roles:
            self.role.addItem(role_title(users.config.table.title(role)), role)
        self.password = masked_field(self, "usersPassword")
        self.pin = masked_field(self, "usersPin")
        self.labels = [QLabel(self) for _ in range(5)]
        form = QFormLayout()
        for label, field in zip(
            self.labels,
            (self.name, self.full_name, self.role, self.password, self.pin),
            strict=True,
        ):
            form.addRow(label, field)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key in ACTIONS:
            button = QPushButton(self)
            button.setObjectName(f"users_{key}")
            button.clicked.connect(getattr(self, key))
            self.permission.explain_on(button, self.say)
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.message = QLabel(self)
        self.message.setObjectName("usersMessage")
        self.message.setWordWrap(True)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addLayout(row)
        side.addWidget(self.message)
        side.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addLayout(side, 2)
        self.retranslate()
        self.refresh()

    def signed_in(self) -> str:
        session = self.users.current
        return session.user if session else ""

    def retranslate(self) -> None:
        for index in range(self.role.count()):
            role = self.role.itemData(index)
            self.role.setItemText(index, role_title(self.users.config.table.title(role)))
        self.table.setHorizontalHeaderLabels(
            [
                translate("Users", "User"),
                translate("Users", "Name"),
                translate("Users", "Role"),
                translate("Users", "State"),
                translate("Users", "Last sign-in"),
            ]
        )
        for label, text in zip(
            self.labels,
            (
                translate("Users", "User name"),
                translate("Users", "Full name"),
                translate("Users", "Role"),
                translate("Users", "Password"),
                translate("Users", "PIN"),
            ),
            strict=True,
        ):
            label.setText(text)
        words = {
            "add": translate("Users", "Add"),
            "set_role": translate("Users", "Set role"),
            "reset": translate("Users", "Reset PIN/password"),
            "disable": translate("Users", "Disable"),
            "enable": translate("Users", "Enable"),
        }
        for key, button in self.buttons.items():
            button.setText(words[key])

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            self.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.refresh()

    def state_text(self, info: Any) -> str:
        if not info.enabled:
            return translate("Users", "disabled")
        if info.locked_until > time.time():
            return translate("Users", "locked until {when}").format(
                when=time.strftime("%H:%M:%S", time.localtime(info.locked_until))
            )
        return translate("Users", "active")

    def refresh(self) -> None:
        selected = self.selected()
        people = self.users.users()
        self.table.setRowCount(len(people))
        for row, info in enumerate(people):
            cells = (
                info.name,
                info.full_name,
                role_title(info.role_title),
                self.state_text(info),
                when_text(info.last_sign_in),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, info.name)
                self.table.setItem(row, column, item)
            if info.name == selected:
                self.table.selectRow(row)
        self._enable()

    def selected(self) -> str:
        items = self.table.selectedItems()
        return str(items[0].data(Qt.ItemDataRole.UserRole)) if items else ""

    def _selected(self) -> None:
        name = self.selected()
        info = self.users.user(name) if name else None
        if info is not None:
            self.name.setText(info.name)
            self.full_name.setText(info.full_name)
            index = self.role.findData(info.role)
            if index >= 0:
                self.role.setCurrentIndex(index)
        self._enable()

    def _enable(self) -> None:
        info = self.users.user(self.selected()) if self.selected() else None
        rules = {
            "add": True,
            "set_role": info is not None,
            "reset": info is not None,
            "disable": info is not None and info.enabled,
            "enable": info is not None and not info.enabled,
        }
        for key, button in self.buttons.items():
            self.permission.mark(button, rules[key])

    def say(self, text: str, problem: bool = True) -> None:
        self.message.setProperty("severity", 2 if problem else 0)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def _do(self, action: Any, done: str) -> bool:
        try:
            action()
        except UsersError as exc:
            self.say(str(exc))
            return False
        self.password.clear()
        self.pin.clear()
        self.say(done, problem=False)
        self.refresh()
        return True

    def _secrets(self) -> dict[str, str]:
        return {
            k: v for k, v in (("password", self.password.text()), ("pin", self.pin.text())) if v
        }

    def add(self) -> bool:
        name = self.name.text().strip()
        return self._do(
            lambda: self.users.add_user(
                name,
                self.role.currentData(),
                by=self.signed_in(),
                full_name=self.full_name.text(),
                **self._secrets(),
            ),
            translate("Users", "{name} added").format(name=name),
        )

    def set_role(self) -> bool:
        name = self.selected()
        return self._do(
            lambda: self.users.set_role(name, self.role.currentData(), by=self.signed_in()),
            translate("Users", "{name} is now {role}").format(
                name=name, role=self.role.currentText()
            ),
        )

    def reset(self) -> bool:
        name = self.selected()
        return self._do(
            lambda: self.users.reset(name, by=self.signed_in(), **self._secrets()),
            translate("Users", "{name} reset and unlocked").format(name=name),
        )

    def disable(self) -> bool:
        name = self.selected()
        return self._do(
            lambda: self.users.disable(name, by=self.signed_in()),
            translate("Users", "{name} disabled").format(name=name),
        )

    def enable(self) -> bool:
        name = self.selected()
        return self._do(
            lambda: self.users.enable(name, by=self.signed_in()),
            translate("Users", "{name} enabled").format(name=name),
        )
