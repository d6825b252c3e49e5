"""The audit views: the supervisor's page that searches the trail, exports it as CSV and
verifies its chain (naming the first record that is not as written).

Search, export and verify are for users with ``audit.view``; without it they are disabled
with the reason. Reading never waits for the trail's writer (a connection of its own).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateTimeEdit,
    QFileDialog,
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

from hmi.core.audit import VIEW
from hmi.ui.capability import CapabilityViews
from hmi.ui.i18n import translate
from hmi.ui.writes import Permission

LIMIT = 1000  # rows a search shows (the newest)
DAY_S = 24 * 3600


def _edit(parent: QWidget, t: float) -> QDateTimeEdit:
    edit = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(t)), parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    return edit


class AuditPage(QWidget):
    def __init__(self, trail: Any, access: Any, user: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("auditPage")
        self.trail = trail
        self.permission = Permission(access, user, VIEW, parent=self)
        self.permission.changed.connect(self._enable)
        now = time.time()
        self.start = _edit(self, now - DAY_S)
        self.end = _edit(self, now + 3600)
        self.user = QLineEdit(self)
        self.action = QLineEdit(self)
        self.text = QLineEdit(self)
        self.labels = [QLabel(self) for _ in range(5)]
        filters = QHBoxLayout()
        for label, field in zip(
            self.labels, (self.start, self.end, self.user, self.action, self.text), strict=True
        ):
            filters.addWidget(label)
            filters.addWidget(field, 1)
        self.buttons: dict[str, QPushButton] = {}
        for key in ("search", "export", "verify"):
            button = QPushButton(self)
            button.setObjectName(f"audit_{key}")
            button.clicked.connect(getattr(self, {"export": "ask_export"}.get(key, key)))
            self.permission.explain_on(button, self.say)
            self.buttons[key] = button
            filters.addWidget(button)
        self.table = QTableWidget(0, 7, self)
        self.table.setObjectName("auditTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.message = QLabel(self)
        self.message.setObjectName("auditMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.rows: list[Any] = []
        self.retranslate()
        self._enable()

    def retranslate(self) -> None:
        for label, text in zip(
            self.labels,
            (
                translate("Audit", "From"),
                translate("Audit", "To"),
                translate("Audit", "User"),
                translate("Audit", "Action"),
                translate("Audit", "Text"),
            ),
            strict=True,
        ):
            label.setText(text)
        self.buttons["search"].setText(translate("Audit", "Search"))
        self.buttons["export"].setText(translate("Audit", "Export CSV…"))
        self.buttons["verify"].setText(translate("Audit", "Verify chain"))
        self.table.setHorizontalHeaderLabels(
            [
                translate("Audit", "No."),
                translate("Audit", "Time"),
                translate("Audit", "User"),
                translate("Audit", "Action"),
                translate("Audit", "Target"),
                translate("Audit", "Station"),
                translate("Audit", "Reason and details"),
            ]
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._enable()
        if self.permission.allows():
            self.search()

    def _enable(self) -> None:
        for button in self.buttons.values():
            self.permission.mark(button, True)

    def say(self, text: str, problem: bool = True) -> None:
        self.message.setProperty("severity", 2 if problem else 0)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def span(self) -> tuple[float, float]:
        return float(self.start.dateTime().toSecsSinceEpoch()), float(
            self.end.dateTime().toSecsSinceEpoch()
        )

    def search(self) -> list[Any]:
        refusal = self.permission.refusal()
        if refusal:
            self.say(refusal)
            return []
        start, end = self.span()
        self.rows = rows = self.trail.search(
            start,
            end,
            user=self.user.text().strip() or None,
            action=self.action.text().strip() or None,
            text=self.text.text().strip() or None,
            limit=LIMIT,
        )
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            details = row.details
            more = ", ".join(f"{k}={json.dumps(v)}" for k, v in details.items())
            cells = (
                str(row.seq),
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.ts)),
                row.user or "—",
                row.action,
                row.target,
                row.station,
                "; ".join(x for x in (row.reason, more) if x),
            )
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.say(translate("Audit", "{n} record(s)").format(n=len(rows)), problem=False)
        return rows

    def ask_export(self) -> int | None:
        path, _ = QFileDialog.getSaveFileName(
            self, translate("Audit", "Export CSV"), "audit.csv", "CSV (*.csv)"
        )
        return self.export_to(Path(path)) if path else None

    def export_to(self, path: Path) -> int | None:
        refusal = self.permission.refusal()
        if refusal:
            self.say(refusal)
            return None
        start, end = self.span()
        try:
            with open(path, "w", encoding="utf-8", newline="") as out:
                count = self.trail.export_csv(out, start, end)
        except OSError as exc:
            self.say(
                translate("Audit", "Cannot write {path}: {reason}").format(path=path, reason=exc)
            )
            return None
        self.say(
            translate("Audit", "{n} record(s) written to {path}").format(n=count, path=path), False
        )
        return count

    def verify(self) -> Any:
        refusal = self.permission.refusal()
        if refusal:
            self.say(refusal)
            return None
        verdict = self.trail.verify()
        if verdict.ok:
            self.say(
                translate("Audit", "Chain intact: {n} record(s) checked").format(n=verdict.count),
                problem=False,
            )
        else:
            self.say(
                translate("Audit", "Chain broken at record {seq}: {problem}").format(
                    seq=verdict.seq if verdict.seq is not None else "?", problem=verdict.problem
                )
            )
        return verdict


class AuditViews(CapabilityViews):
    """The audit page on the desk's navigation."""

    name = "audit"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.page: AuditPage | None = None

    def install(self, window: Any) -> None:
        if self.service is None or window.profile.touch:
            return
        operator = window.operator
        self.page = AuditPage(self.service, operator.access, lambda: operator.user, window)
        # opened from the sign-in dialog (beside the users page): the navigation keeps
        # its room for screens
        self.page.setParent(window.pages)
        window.pages.add("audit", self.page, self.page_words)

    @staticmethod
    def page_words() -> tuple[str, str]:
        return "🔏", translate("Audit", "Audit trail")

    def showcase(self, window: Any) -> list[tuple[str, Any, Any]]:
        if self.page is None:
            return []
        # the page is part of the window: nothing to draw over it
        return [("audit", lambda: window.open_page("audit") and [], lambda _: window.close_page())]
