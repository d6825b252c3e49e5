"""Alarms as a capability: the ``alarms:`` section, the manager, its system tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..capability import Capability
from ..project.models import Problem, Project
from .actions import ACKNOWLEDGE, OUT_OF_SERVICE, SHELVE
from .definitions import alarm_problems
from .manager import AlarmManager
from .publication import STATE_PREFIX, SUMMARY_PREFIX


class AlarmsCapability(Capability):
    name = "alarms"
    sections = ("alarms",)
    system_tags = (f"{SUMMARY_PREFIX}*", f"{STATE_PREFIX}*")
    permissions: ClassVar[Mapping[str, str]] = {
        ACKNOWLEDGE: "acknowledge and reset alarms",
        SHELVE: "shelve and unshelve alarms",
        OUT_OF_SERVICE: "take alarms out of service and back",
    }
    order = 20  # after the history, which records the alarm tags too

    manager: AlarmManager | None = None

    @classmethod
    def schemas(cls) -> dict[str, Any]:
        from .journal import COMPONENT, SCHEMA

        return {COMPONENT: SCHEMA}

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        return alarm_problems(project)

    @property
    def service(self) -> Any:
        return self.manager

    def start(self) -> None:
        context = self.context
        self.manager = AlarmManager(context.project, context.store, access=context.access)
        self.manager.attach(context)
        self.manager.start()  # restores standing alarms before any value arrives

    def summary(self) -> list[str]:
        if self.manager is None:
            return []
        counts = self.manager.counts()
        top = counts.highest_priority
        worst = f", highest priority {top}" if counts.listed and top else ""
        return [f"alarms: {counts.listed} listed, {counts.unacked} unacknowledged{worst}"]

    def before_drivers_stop(self) -> None:
        if self.manager is not None:
            self.manager.stop()  # devices stopping on purpose raise no alarms
