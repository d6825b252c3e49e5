"""The edge counter in the operator windows: the total in each header, and a page that
lists the counts, opened from the navigation."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel

from hmi.ui.capability import CapabilityViews

from . import PREFIX, TOTAL


class EdgeViews(CapabilityViews):
    name = "edges"

    def install(self, window: Any) -> None:
        self.add_window(window)
        self.page = QLabel("")
        self.page.setObjectName("edgeCounts")
        window.add_page("edges", self.page, lambda: ("⤒", "Edges"))
        window.bridge.flushed.connect(lambda batch: self.refresh(window))

    def add_window(self, window: Any) -> None:
        label = QLabel("")
        label.setObjectName("edgeTotal")
        window.add_header_item(label)
        window.bridge.bind(TOTAL, lambda tv: label.setText(f"⤒ {tv.value}"))

    def refresh(self, window: Any) -> None:
        counts = {
            name[len(PREFIX) :]: tv.value
            for name, tv in window.bridge.engine.values.items()
            if name.startswith(PREFIX) and name != TOTAL
        }
        self.page.setText("\n".join(f"{k}: {v}" for k, v in sorted(counts.items())))
