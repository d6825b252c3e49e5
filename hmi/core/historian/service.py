"""The historian as the runtime sees it: one object to start, stop, ask and watch."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..project.models import Problem, Project
from ..store import Writer
from ..systemtags import SYSTEM_PREFIX
from .config import HistorianConfig, Mode, read_config
from .forward import Forwarder, HistoryTarget
from .query import HistoryQuery
from .recorder import HistorianHealth, Recorder

log = logging.getLogger(__name__)

#: "ok", or Bad with the reason while history is not recorded
HEALTH_TAG = f"{SYSTEM_PREFIX}historian.health"


class Historian:
    """Records the project's ``historian:`` policies into the store that ``writer`` writes.

    ``start`` subscribes to the engine: call it before the drivers start (or on the runtime
    loop); ``stop`` after they stopped and before the writer stops, so the last points land.
    """

    def __init__(
        self,
        project: Project,
        engine: Any,
        writer: Writer,
        *,
        targets: Sequence[HistoryTarget] = (),
        on_health: Callable[[HistorianHealth], None] | None = None,
        clock: Callable[[], float] = time.time,
        **recorder_options: Any,
    ):
        self.project = project
        self.engine = engine
        self.writer = writer
        self.config: HistorianConfig
        self.problems: list[Problem]
        self.config, self.problems = read_config(project)
        self.recorder = Recorder(
            self.config, writer, clock=clock, on_health=on_health, **recorder_options
        )
        lines = [n for n, p in self.config.policies.items() if p.mode is Mode.SWINGING_DOOR]
        self.query = HistoryQuery(writer.path, interpolated=lines)
        self.targets = list(targets) or [f.make() for f in self.config.forward]
        self.forwarders: list[Forwarder] = []
        self._started = False

    @property
    def health(self) -> HistorianHealth:
        """ok, or failing with the reason; the points waiting in memory."""
        return self.recorder.health

    @property
    def recorded_tags(self) -> list[str]:
        return list(self.config.policies)

    def start(self) -> Historian:
        for problem in self.problems:  # `hmi check` lists them; the rest still records
            log.warning("%s", problem)
        try:
            self.recorder.start(self.engine)
        except Exception as exc:  # the rest of the application runs on without history
            reason = f"history is not recorded: cannot prepare the local database: {exc}"
            log.error("%s", reason)
            self.recorder.fail(reason)
            return self
        self.forwarders = [
            Forwarder(self.writer.path, target, self.writer).start() for target in self.targets
        ]
        self._started = True
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if not self._started:
            return
        self._started = False
        for forwarder in self.forwarders:
            forwarder.stop(timeout)
        for target in self.targets:  # a central store's connection ends with the station
            getattr(target, "close", lambda: None)()
        self.recorder.stop(self.engine, timeout)
        self.query.close()
