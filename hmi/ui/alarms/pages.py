"""The alarm pages: the alarm list, the journal and (desk) the KPIs, shown in place of the
screen, with one button back to it in the same place as the navigation bar's."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from hmi.ui.i18n import translate
from hmi.ui.profile import Profile

SUMMARY, JOURNAL, KPIS = "summary", "journal", "kpis"


class AlarmPages(QWidget):
    closed = Signal()

    def __init__(self, pages: dict[str, QWidget], profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alarmPages")
        self.pages = pages
        gap = round(profile.gap_px)
        bar = QWidget(self)
        bar.setObjectName("alarmPageBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(gap)
        self.back_button = QPushButton(bar)
        self.back_button.setObjectName("alarmBack")
        self.back_button.clicked.connect(lambda _=False: self.close_pages())
        row.addWidget(self.back_button)
        row.addSpacing(gap * 3)
        self.tabs: dict[str, QPushButton] = {}
        self.stack = QStackedWidget(self)
        for key, page in pages.items():
            tab = QPushButton(bar)
            tab.setCheckable(True)
            tab.setProperty("tab", True)
            tab.setMinimumWidth(round(profile.target_px * 4))
            tab.clicked.connect(lambda _=False, k=key: self.show_page(k))
            self.tabs[key] = tab
            row.addWidget(tab)
            self.stack.addWidget(page)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(bar)
        layout.addWidget(self.stack, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.back_button.setText("‹ " + translate("Alarms", "Back to the screen"))
        words = {
            SUMMARY: translate("Alarms", "Alarm list"),
            JOURNAL: translate("Alarms", "Journal"),
            KPIS: translate("Alarms", "Alarm KPIs"),
        }
        for key, tab in self.tabs.items():
            tab.setText(words.get(key, key))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    @property
    def current(self) -> str:
        page = self.stack.currentWidget()
        return next((k for k, p in self.pages.items() if p is page), "")

    def show_page(self, key: str) -> QWidget:
        page = self.pages[key]
        self.stack.setCurrentWidget(page)
        for name, tab in self.tabs.items():
            tab.setChecked(name == key)
        return page

    def close_pages(self) -> None:
        self.closed.emit()
