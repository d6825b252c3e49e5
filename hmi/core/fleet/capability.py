"""The plant-wide view as a capability: the ``fleet:`` section, the ``Fleet`` service that
follows the lines on the broker, and the fleet's figures as system tags.

System tags: ``_sys.fleet.lines`` (lines known), ``offline``, ``stopped``, ``in_alarm``
(lines with an active alarm), ``unknown`` (lines whose state cannot be told: the broker
out of reach, a payload that cannot be read) and ``_sys.fleet.health`` (Bad while the
broker cannot be reached, with why). Without a ``fleet:`` section it does nothing.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from ..capability import Capability, CapabilityContext, health_value
from ..project.models import DataType, Problem, Project, TagConfig
from ..subscription import Subscription
from ..systemtags import system_tag
from ..tags import Batch, good
from .lines import OFFLINE, STOPPED, UNKNOWN, LineState

if TYPE_CHECKING:
    from .local import LocalLines

PREFIX = "_sys.fleet."
HEALTH_TAG = f"{PREFIX}health"
COUNTS = {
    "lines": "lines followed",
    "offline": "lines offline",
    "stopped": "lines stopped",
    "in_alarm": "lines with an active alarm",
    "unknown": "lines whose state cannot be told",
}


def fleet_tag(field: str) -> str:
    return f"{PREFIX}{field}"


def counts(lines: list[LineState]) -> dict[str, int]:
    """The fleet's figures, as its system tags carry them."""
    return {
        "lines": len(lines),
        "offline": sum(1 for s in lines if s.state == OFFLINE),
        "stopped": sum(1 for s in lines if s.state == STOPPED),
        "in_alarm": sum(1 for s in lines if s.highest_priority is not None),
        "unknown": sum(1 for s in lines if s.state == UNKNOWN or s.problem),
    }


class FleetCapability(Capability):
    name = "fleet"
    sections = ("fleet",)
    system_tags = (f"{PREFIX}*",)
    health_tag = HEALTH_TAG
    order = 70  # after the orders and alarms, whose figures show this station's own lines

    fleet: Any = None

    def __init__(self, context: CapabilityContext):
        super().__init__(context)
        self._published: dict[str, int] = {}
        self._local: LocalLines | None = None
        self._sub: Subscription | None = None

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        from .config import fleet_problems

        return fleet_problems(project)

    @classmethod
    def project_tags(cls, project: Project) -> list[TagConfig]:
        tags = super().project_tags(project)
        if project.extra.get("fleet") is None:
            return tags
        return tags + [
            system_tag(fleet_tag(k), DataType.INT64, description=f"fleet: {what}")
            for k, what in COUNTS.items()
        ]

    @property
    def service(self) -> Any:
        return self.fleet

    def start(self) -> None:
        from .config import read_fleet
        from .service import Fleet

        context = self.context
        config = read_fleet(context.project)[0]
        if config is None or context.console is not None:
            context.publish_system({HEALTH_TAG: good("ok")})
            return
        self.fleet = Fleet(config, on_status=self._status, on_tick=self._figures).start()
        if config.local:
            from .local import LocalLines

            station = socket.gethostname() or "station"
            self._local = LocalLines(self.fleet.model, config.local, context.project, station)
            self._local.feed(context.values)
            self._sub = context.subscribe(tags=self._local.tags, on_loop=self._own_values)
        self._figures()

    def _own_values(self, batches: list[Batch]) -> None:
        if self._local is not None:
            self._local.feed(self.context.values)

    def _status(self, problem: str | None) -> None:
        self.context.publish_system({HEALTH_TAG: health_value(problem)})

    def _figures(self) -> None:
        if self.fleet is None:
            return
        figures = counts(self.fleet.lines())
        if figures != self._published:
            self._published = figures
            self.context.publish_system({fleet_tag(k): good(v) for k, v in figures.items()})

    def stop(self, timeout: float = 10.0) -> None:
        if self._sub is not None:
            self.context.unsubscribe(self._sub)
        if self.fleet is not None:
            self.fleet.stop(min(timeout, 5.0))

    def summary(self) -> list[str]:
        if self.fleet is None:
            return super().summary()
        figures = counts(self.fleet.lines())
        text = (
            f"fleet {self.fleet.source}: {figures['lines']} lines, {figures['offline']} "
            f"offline, {figures['stopped']} stopped, {figures['in_alarm']} in alarm"
        )
        return [text + (f" ({self.fleet.problem})" if self.fleet.problem else "")]
