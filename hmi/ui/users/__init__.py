"""The users views: who operates the station, as the operator windows plug it in.

A header button names the signed-in user and role (or says nobody is) and opens sign-in,
sign-out and switching user; a badge read anywhere while nobody is signed in signs in;
every press, touch and key keeps the session alive, and when it ends for inactivity the
header says so and the write gate refuses (through ``Access``). Critical writes ask for
electronic signatures (``operator.gate.signatures``). The desk has a users page.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QPushButton

from hmi.core.users import SignInError
from hmi.ui.capability import CapabilityViews
from hmi.ui.i18n import add_language_listener, translate

from .page import UsersPage
from .signature import SignatureDialog, SignatureProvider
from .signin import PinKeypad, SignInDialog, StationInput, user_words
from .words import speak_refusals

log = logging.getLogger(__name__)

EXPIRY_CHECK_MS = 1000

__all__ = [
    "PinKeypad",
    "SignInDialog",
    "SignatureDialog",
    "SignatureProvider",
    "UsersPage",
    "UsersViews",
]


class _Session(QObject):
    """The service's session changes (from any thread) brought to the GUI thread."""

    changed = Signal()


class UsersViews(CapabilityViews):
    name = "users"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.operator: Any = None
        self.window: Any = None
        self.button: QPushButton | None = None
        self.dialog: SignInDialog | None = None
        self.page: UsersPage | None = None
        self.input: StationInput | None = None
        self._session = _Session()
        self._stop_watching: Any = None
        self._stop_language: Any = None
        self._timer: QTimer | None = None

    def configure(self, operator: Any) -> None:
        users = self.service
        if users is None:
            return
        self.operator = operator
        speak_refusals(getattr(operator, "project", None))
        operator.gate.signatures = SignatureProvider(users, operator)
        self._session.changed.connect(self.follow, Qt.ConnectionType.QueuedConnection)
        self._stop_watching = users.watch(lambda _session: self._session.changed.emit())
        self.input = StationInput(users, self.reading, self.badge_read)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.input)
        self._timer = QTimer()
        self._timer.setInterval(EXPIRY_CHECK_MS)  # ends an idle session even without its thread
        self._timer.timeout.connect(users.expire_idle)
        self._timer.start()

    def install(self, window: Any) -> None:
        users = self.service
        if users is None:
            return
        self.window = window
        self.button = button = QPushButton(window.header)
        button.setObjectName("userButton")
        button.clicked.connect(lambda _=False: self.open_sign_in())
        window.header.set_user_item(button)
        if not window.profile.touch:
            self.page = UsersPage(users, self.operator.access, window)
            # opened from the sign-in dialog: the navigation keeps its room for screens
            self.page.setParent(window.pages)
            window.pages.add("users", self.page, self.page_words)
        # now, and again in each new language ("Signed out" is words too)
        self._stop_language = add_language_listener(lambda code: self.follow())

    @staticmethod
    def page_words() -> tuple[str, str]:
        return "👤", translate("Users", "Users")

    def follow(self) -> None:
        """The session changed: the station's user, the header and the controls follow."""
        users = self.service
        session = users.current
        if self.operator is not None:
            self.operator.set_user(session.user if session else "")
        if self.button is not None:
            self.button.setText(user_words(users))
            self.button.ensurePolished()  # the header's style decides the padding
            self.button.setMinimumWidth(self.button.sizeHint().width())  # never cut short
            self.window.header.fit() if self.window is not None else None
            self.button.setProperty("signedOut", session is None and not users.open)
            self.button.style().unpolish(self.button)
            self.button.style().polish(self.button)
        if self.page is not None:
            self.page.refresh()

    def reading(self) -> bool:
        """Digits may be a badge: the sign-in dialog is open, or nobody is signed in."""
        users = self.service
        if self.dialog is not None and self.dialog.isVisible():
            return True
        return users.current is None and not users.open

    def badge_read(self, badge: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.badge_read(badge)
            return
        try:
            self.service.sign_in_badge(badge, profile=self.operator.profile.name)
        except SignInError as exc:
            if self.window is not None:
                self.window.show_message(str(exc), problem=True)

    def open_sign_in(self) -> SignInDialog:
        parent = self.window or self.button
        self.dialog = SignInDialog(self.service, self.operator.profile, parent)
        window = self.window
        pages = getattr(getattr(window, "pages", None), "pages", {})
        for key, permission in (("users", "users.manage"), ("audit", "audit.view")):
            if key in pages:
                words = pages[key][1]()[1]
                self.dialog.add_page_button(words, permission, lambda k=key: window.open_page(k))
        self.operator.show_dialog(self.dialog, parent)
        return self.dialog

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        """The gallery's pictures of these views."""
        if self.service is None:
            return []

        def close(opened: Any) -> None:
            for widget in opened or ():
                if hasattr(widget, "reject"):
                    widget.reject()
            if hasattr(window, "close_page"):
                window.close_page()

        views = [("sign-in", self.open_sign_in, close)]
        if self.page is not None:
            views.append(("users", lambda: window.open_page("users") and [], close))
        return views

    def close(self) -> None:
        if self._stop_language is not None:
            self._stop_language()
            self._stop_language = None
        if self._stop_watching is not None:
            self._stop_watching()
            self._stop_watching = None
        if self._timer is not None:
            self._timer.stop()
        app = QApplication.instance()
        if app is not None and self.input is not None:
            app.removeEventFilter(self.input)
