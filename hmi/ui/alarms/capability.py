"""The alarm views as the operator windows plug them in (``hmi.ui.capability``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hmi.core.alarms import STATE_PREFIX, AlarmStateHistory, alarms_by_tag
from hmi.ui.capability import AlarmLink, CapabilityViews

from .common import default_user


class AlarmCapabilityViews(CapabilityViews):
    """Symbols follow their tag's alarms from the definitions (also when no manager runs,
    as in screen previews); with the manager: banner, alarm list, journal and KPIs."""

    name = "alarms"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.views: Any = None

    def configure(self, operator: Any) -> None:
        links = {
            tag: tuple(
                AlarmLink(alarm_id, STATE_PREFIX + alarm_id, priority)
                for alarm_id, priority in alarms
            )
            for tag, alarms in alarms_by_tag(operator.project).items()
        }

        def alarm_links(tag: str) -> Sequence[AlarmLink]:
            return links.get(tag, ())

        operator.alarm_links = alarm_links
        if self.service is not None:
            operator.alarm_history = AlarmStateHistory(self.service)  # for replay

    def install(self, window: Any) -> None:
        if self.service is None:
            return
        from . import install_alarm_views

        self.views = install_alarm_views(
            window, self.service, lambda: window.header.user_name or default_user()
        )

    def add_window(self, window: Any) -> None:
        if self.views is not None:
            self.views.add_window(window)

    def close(self) -> None:
        if self.views is not None:
            self.views.close()
