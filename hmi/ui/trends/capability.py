"""Trends as the operator windows plug them in (``hmi.ui.capability``): any value opens
its trend, with the history when the historian runs and live only when it does not, and
every screen's navigation has a Trends button for the screen's main values."""

from __future__ import annotations

from typing import Any

from hmi.core.historian import HEALTH_TAG
from hmi.ui.capability import CapabilityViews
from hmi.ui.i18n import translate

from .opener import TrendOpener


class HistoryCapabilityViews(CapabilityViews):
    name = "historian"

    def configure(self, operator: Any) -> None:
        operator.history = getattr(self.service, "query", None)  # None: not recording
        operator.trends = TrendOpener(
            operator.project,
            operator.bridge,
            getattr(self.service, "query", None),
            operator.profile,
            theme=operator.theme,
            data_dir=operator.data_dir,
            prepare_dialog=operator.prepare_dialog,
            access=operator.access,
            user=lambda: operator.user,
        )

    def install(self, window: Any) -> None:
        window.header.storage.watch(HEALTH_TAG)
        opener = window.operator.trends
        window.add_screen_action(
            "trends",
            lambda panel: opener.open_for_screen(panel.host.current_screen, panel),
            trends_words,
        )

    def add_window(self, window: Any) -> None:
        window.header.storage.watch(HEALTH_TAG)


def trends_words() -> tuple[str, str]:
    return "∿", translate("Trend", "Trends")
