"""The alarm views as the operator windows plug them in (``hmi.ui.capability``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from hmi.core.alarms import STATE_PREFIX, AlarmDef, AlarmStateHistory, load_alarms
from hmi.core.systemtags import device_status_tag
from hmi.core.tags import TagValue
from hmi.ui.capability import AlarmLink, CapabilityViews
from hmi.ui.symbols.base import ACTIVE_ALARM_STATES

from .common import default_user


def alarm_link(alarm: AlarmDef) -> AlarmLink:
    """What a symbol showing the alarm's tag needs of it: state, limit, help."""
    return AlarmLink(
        alarm.id,
        STATE_PREFIX + alarm.id,
        alarm.priority,
        alarm.kind.value,
        alarm.limit,
        alarm.setpoint or "",
        alarm.match,
        alarm.cause,
        alarm.consequence,
        alarm.action,
    )


def _chip_alarm(chip: Any, priority: int, tv: TagValue | None) -> None:
    active = tv is not None and tv.value in ACTIVE_ALARM_STATES
    chip.show_alarm(priority if active else 0)


class AlarmCapabilityViews(CapabilityViews):
    """Symbols follow their tag's alarms from the definitions (also when no manager runs,
    as in screen previews); with the manager: banner, alarm list, journal and KPIs."""

    name = "alarms"

    def __init__(self, service: Any | None):
        super().__init__(service)
        self.views: Any = None
        self.links: dict[str, tuple[AlarmLink, ...]] = {}

    def configure(self, operator: Any) -> None:
        alarms = getattr(self.service, "evaluator", None)
        definitions = alarms.alarms if alarms is not None else load_alarms(operator.project)[0]
        found: dict[str, list[AlarmLink]] = {}
        for alarm in definitions:
            found.setdefault(alarm.tag, []).append(alarm_link(alarm))
        self.links = links = {tag: tuple(tag_links) for tag, tag_links in found.items()}

        def alarm_links(tag: str) -> Sequence[AlarmLink]:
            return links.get(tag, ())

        operator.alarm_links = alarm_links
        if self.service is not None:
            operator.alarm_history = AlarmStateHistory(self.service)  # for replay

    def install(self, window: Any) -> None:
        self.follow_device_chips(window)
        if self.service is None:
            return
        from . import install_alarm_views

        self.views = install_alarm_views(
            window, self.service, lambda: window.header.user_name or default_user()
        )

    def add_window(self, window: Any) -> None:
        self.follow_device_chips(window)
        if self.views is not None:
            self.views.add_window(window)

    def follow_device_chips(self, window: Any) -> None:
        """The header's device chips take the colour of their device's communication
        alarm while it is active: the alarm system's priority, not a colour of their own."""
        chips = getattr(getattr(window, "header", None), "chips", {})
        for device, chip in chips.items():
            for link in self.links.get(device_status_tag(device), ()):
                if link.kind == "comm" and hasattr(chip, "show_alarm"):
                    follow = partial(_chip_alarm, chip, link.priority)
                    binding = window.bridge.bind(link.state_tag, follow)
                    chip.destroyed.connect(lambda *_, b=binding: b.unbind())

    def close(self) -> None:
        if self.views is not None:
            self.views.close()
