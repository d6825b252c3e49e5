"""The MES page's lists: a row a target high, columns fitted to their text but one that
takes the rest (the reason), text cut with "…" rather than wrapped, never edited, and on a
touch panel dragged by a finger."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QWidget


def list_table(columns: int, stretch: int, profile: Any, parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(round(profile.target_px))
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    heads = table.horizontalHeader()
    for column in range(columns):
        mode = QHeaderView.ResizeMode
        heads.setSectionResizeMode(
            column, mode.Stretch if column == stretch else mode.ResizeToContents
        )
    if profile.touch:
        from PySide6.QtWidgets import QScroller

        QScroller.grabGesture(
            table.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
    return table
