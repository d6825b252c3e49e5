"""History as a capability: the ``historian:`` and ``trends:`` sections, the recorder,
the queries trends read, and the health tag that says whether history is recorded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..capability import Capability, health_value
from ..project.models import Problem, Project
from ..trendviews import trendview_problems
from .config import historian_problems
from .recorder import HistorianHealth
from .service import HEALTH_TAG, Historian


class HistorianCapability(Capability):
    name = "historian"
    sections = ("historian", "trends")
    system_tags = (HEALTH_TAG,)
    health_tag = HEALTH_TAG
    permissions: ClassVar[Mapping[str, str]] = {"trends.save": "save trend views for everyone"}
    order = 10  # subscribes before the others publish, so their first values are kept

    historian: Historian | None = None

    @classmethod
    def schemas(cls) -> dict[str, Any]:
        from .storage import SCHEMA

        return {"historian": SCHEMA}

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        return historian_problems(project) + trendview_problems(project)

    @property
    def service(self) -> Any:
        return self.historian

    def start(self) -> None:
        context = self.context
        self.historian = Historian(
            context.project, context, context.store, on_health=self._health
        ).start()

    def stop(self, timeout: float = 10.0) -> None:
        if self.historian is not None:
            self.historian.stop(timeout)  # before the store stops: the last points land

    def _health(self, health: HistorianHealth) -> None:
        self.context.publish_system(
            {HEALTH_TAG: health_value(None if health.ok else health.reason)}
        )
