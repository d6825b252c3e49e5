"""Pages that capabilities add to the main window (an order list, a gallery, a user list):
each shown in place of the screens, under the header and its banners, with one button
back to the screens where the navigation bar was."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from hmi.ui.i18n import translate

#: (symbol, translated word) of a page, asked again on every change of language
Words = Callable[[], tuple[str, str]]


class PageArea(QWidget):
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pageArea")
        bar = QWidget(self)
        bar.setObjectName("pageBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        self.back_button = QPushButton(bar)
        self.back_button.setObjectName("pageBack")
        self.back_button.clicked.connect(lambda _=False: self.closed.emit())
        self.title = QLabel("", bar)
        self.title.setObjectName("pageTitle")
        row.addWidget(self.back_button)
        row.addSpacing(24)
        row.addWidget(self.title, 1)
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.stack, 1)
        self.pages: dict[str, tuple[QWidget, Words]] = {}
        self.retranslate()

    def add(self, key: str, widget: QWidget, words: Words) -> None:
        self.pages[key] = (widget, words)
        self.stack.addWidget(widget)

    @property
    def current(self) -> str:
        shown = self.stack.currentWidget()
        return next((key for key, (page, _) in self.pages.items() if page is shown), "")

    def show_page(self, key: str) -> QWidget:
        page, _ = self.pages[key]
        self.stack.setCurrentWidget(page)
        self.retranslate()
        return page

    def retranslate(self) -> None:
        self.back_button.setText("‹ " + translate("Panel", "Back to the screen"))
        entry = self.pages.get(self.current)
        self.title.setText(entry[1]()[1] if entry else "")

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
