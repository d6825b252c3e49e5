"""The audit trail as a capability: it runs whether or not the project has users, records
every action ``Access`` hears of (with this station's name), publishes the chain's head,
and says in its health tag when the trail was found damaged or its head cannot be kept.

```yaml
audit:
  station: press-pc-1     # the name records carry; the computer's name if not given
```
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..capability import Capability, CapabilityContext, health_value
from ..project.fields import Fields
from ..project.models import Problem, Project, Section
from ..tags import good
from .chain import Head
from .trail import AuditTrail

if TYPE_CHECKING:
    from ..commands import CommandSet

HEAD_TAG = "_sys.audit.head"  # the last record's hash, for an upstream copy
COUNT_TAG = "_sys.audit.count"  # the last record's number
HEALTH_TAG = "_sys.audit.health"
VIEW = "audit.view"
START, STOP = "station.start", "station.stop"
FIELDS = ("station",)


def read_station(project: Project) -> tuple[str, list[Problem]]:
    """The station's name (``audit: station:``, else the computer's) and the problems."""
    problems: list[Problem] = []
    section = project.extra.get("audit")
    name = None
    if section is not None:
        if not isinstance(section, Section):
            section = Section("audit", section, project.source)
        data = section.data
        fields = Fields(
            problems.append,
            data if isinstance(data, Mapping) else {},
            section.source.file,
            section.source.line,
            "audit",
        )
        if data is not None and not isinstance(data, Mapping):
            fields.problem(None, "expected a mapping such as {station: press-pc-1}")
        else:
            fields.unknown_keys(FIELDS)
            name = fields.text("station")
    return name or socket.gethostname() or "station", problems


def project_digest(project: Project) -> str:
    """The SHA-256 of project.yaml, so the trail says which project a start ran."""
    try:
        return hashlib.sha256((Path(project.root) / "project.yaml").read_bytes()).hexdigest()
    except OSError:
        return ""


class AuditCapability(Capability):
    name = "audit"
    sections = ("audit",)
    system_tags = (HEAD_TAG, COUNT_TAG, HEALTH_TAG)
    health_tag = HEALTH_TAG
    permissions: ClassVar[Mapping[str, str]] = {VIEW: "search and export the audit trail"}
    # before drivers run and anyone acts (every capability starts before them); before
    # users, so it stops after them and the last sign-out is still recorded
    order = 25
    at_console = True  # what a console command does is recorded too

    trail: AuditTrail | None = None

    @classmethod
    def schemas(cls) -> dict[str, Any]:
        from .chain import COMPONENT, SCHEMA

        return {COMPONENT: SCHEMA}

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        return read_station(project)[1]

    def __init__(self, context: CapabilityContext):
        super().__init__(context)
        self._stop_recording: Callable[[], None] | None = None

    @property
    def service(self) -> Any:
        return self.trail

    def start(self) -> None:
        context = self.context
        station = read_station(context.project)[0]
        self.trail = trail = AuditTrail(context.store, station, on_head=self._publish_head)
        problem = trail.prepare()
        context.publish_system({HEALTH_TAG: health_value(problem)})
        self._publish_head(trail.head)
        self._stop_recording = context.access.add_recorder(trail.record)
        if context.console is None:  # a console command starts no station
            trail.append("", START, context.project.name, project=project_digest(context.project))

    def stop(self, timeout: float = 10.0) -> None:
        if self.trail is None:
            return
        if self.context.console is None:
            self.trail.append("", STOP, self.context.project.name)  # committed as the store stops
        if self._stop_recording is not None:
            self._stop_recording()

    @classmethod
    def add_commands(cls, commands: CommandSet) -> None:
        from .console import add_commands

        add_commands(commands)

    def _publish_head(self, head: Head) -> None:
        trail = self.trail
        batch = {HEAD_TAG: good(head.hash), COUNT_TAG: good(head.seq)}
        if trail is not None and trail.head_problem:
            batch[HEALTH_TAG] = health_value(trail.head_problem)
        self.context.publish_system(batch)
