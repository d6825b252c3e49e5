"""The released orders the station refused, under the MES sync page's events: when, which
order, for which line, what was not done (the download, or a change or withdrawal of an
order the line had started) and why, newest first. The MES was told each reason; the
list is for the supervisor who has to ring the planner, so it only reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmi.core.mes import RefusedOrder
from hmi.ui.i18n import project_text, translate

from .table import list_table
from .words import clock_text, count_text


def refused_text(refused: str) -> str:
    return {
        "download": translate("Mes", "not taken"),
        "change": translate("Mes", "change not applied"),
        "withdrawal": translate("Mes", "withdrawal not applied"),
    }.get(refused, refused)


class RefusedOrders(QWidget):
    """See the module; ``source`` names the target the orders come from."""

    def __init__(self, source: str, project: Any, profile: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mesRefusedOrders")
        self.source = source
        self.project = project
        self.rows: list[RefusedOrder] = []
        self.loaded = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(round(profile.gap_px))
        self.heading = QLabel("", self)
        self.heading.setProperty("heading", True)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        table = self.table = list_table(5, 4, profile, self)
        table.setObjectName("mesRefusedOrdersTable")
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(table, 1)
        layout.addStretch(0)
        self.retranslate()

    def show_orders(self, rows: Sequence[RefusedOrder]) -> None:
        self.rows, self.loaded = list(rows), True
        table = self.table
        table.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            cells = (
                clock_text(row.ts),
                row.number or translate("Mes", "(no ID)"),
                self.line_text(row.line),
                refused_text(row.refused),
                row.reason,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setToolTip(text)
                table.setItem(n, column, item)
        table.setVisible(bool(self.rows))
        self.retranslate_heading()

    def line_text(self, line: str) -> str:
        project = self.project
        if project is None or line not in project.lines:
            return line or "?"
        return project_text(project, project.lines[line], "Project")

    def retranslate_heading(self) -> None:
        if not self.loaded:
            text = translate("Mes", "Reading the orders refused…")
        elif not self.rows:
            text = translate("Mes", "Every order {source} released was taken").format(
                source=self.source
            )
        else:
            text = translate(
                "Mes", "Orders from {source} refused: {n}. {source} was told why."
            ).format(source=self.source, n=count_text(len(self.rows)))
        self.heading.setText(text)

    def retranslate(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [
                translate("Mes", "Time"),
                translate("Mes", "Order"),
                translate("Mes", "Line"),
                translate("Mes", "What"),
                translate("Mes", "Why refused"),
            ]
        )
        if self.loaded:
            self.show_orders(self.rows)
        else:
            self.retranslate_heading()
