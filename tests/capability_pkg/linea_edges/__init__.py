"""Counts rising edges of on/off tags (machine starts, say): a capability a plant adds
without editing Linea, through the ``hmi.capabilities`` entry point.

Its section lists the tags, ``edges: [line1.running]``; each count is published as the
system tag ``_sys.edges.<tag>``, and the total as ``_sys.edges.total``.
"""

from __future__ import annotations

from hmi.core.capability import Capability
from hmi.core.project.models import Problem, Project
from hmi.core.tags import Batch, TagValue
from hmi.core.words import did_you_mean

PREFIX = "_sys.edges."
TOTAL = f"{PREFIX}total"


class EdgeCounter(Capability):
    name = "edges"
    sections = ("edges",)
    system_tags = (f"{PREFIX}*",)
    order = 50

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        section = project.extra.get("edges")
        if section is None:
            return []
        if not isinstance(section.data, list):
            return [Problem(section.source, "edges: expected a list of tag names")]
        return [
            Problem(
                section.source_at(index),
                f"edges: unknown tag '{name}'; {did_you_mean(str(name), project.tags, 'tags')}",
            )
            for index, name in enumerate(section.data)
            if name not in project.tags
        ]

    def start(self) -> None:
        section = self.context.project.extra.get("edges")
        names = section.data if section is not None and isinstance(section.data, list) else []
        self.counts = {name: 0 for name in names if name in self.context.project.tags}
        self.last: dict[str, bool] = {}
        self.journal("started")
        self._publish(list(self.counts))
        self.sub = self.context.subscribe(tags=self.counts, on_loop=self._count, initial=True)

    def stop(self, timeout: float = 10.0) -> None:
        self.context.unsubscribe(self.sub)
        self.journal(f"stopped at {sum(self.counts.values())}")

    def journal(self, line: str) -> None:
        """What happened, in a file of its data folder (the tests read it)."""
        with (self.context.data_dir / "edges.log").open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def summary(self) -> list[str]:
        return [f"edges: {sum(self.counts.values())} counted"]

    def _count(self, batches: list[Batch]) -> None:
        changed = []
        for batch in batches:
            for name, tv in batch.items():
                now = bool(tv.value) and tv.good
                if now and self.last.get(name) is False:
                    self.counts[name] += 1
                    changed.append(name)
                self.last[name] = now
        if changed:
            self._publish(changed)

    def _publish(self, names: list[str]) -> None:
        batch = {f"{PREFIX}{name}": TagValue(self.counts[name]) for name in names}
        batch[TOTAL] = TagValue(sum(self.counts.values()))
        self.context.publish_system(batch)
