"""Forgetting old history without ever stalling the recording of new history.

Old points are deleted a small chunk at a time, each chunk a job in the same writer that
records new points, and the next chunk only once the last one has run: a purge adds a few
milliseconds to a transaction, never seconds.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from ..store import Job
from .storage import LEVELS

log = logging.getLogger(__name__)

HOUR_MS = LEVELS[-1]

DELETE_SAMPLES = """
DELETE FROM hist_sample WHERE tag = :tag AND t < coalesce(
    (SELECT t FROM hist_sample WHERE tag = :tag AND t < :cutoff ORDER BY t LIMIT 1 OFFSET :n),
    :cutoff)
"""
DELETE_ROLLUPS = """
DELETE FROM hist_rollup WHERE tag = :tag AND level = :level AND t < coalesce(
    (SELECT t FROM hist_rollup WHERE tag = :tag AND level = :level AND t < :cutoff
     ORDER BY t LIMIT 1 OFFSET :n),
    :cutoff)
"""


class PurgeJob:
    """Delete at most ``chunk`` points and rollup rows per level of one tag before ``cutoff``."""

    __slots__ = ("chunk", "cutoff", "deleted", "finished", "ran", "tag")

    def __init__(self, tag: int, cutoff: int, chunk: int):
        self.tag = tag
        self.cutoff = cutoff
        self.chunk = chunk
        self.ran = False
        self.finished = False
        self.deleted = 0

    def __call__(self, conn: sqlite3.Connection) -> None:
        args = {"tag": self.tag, "cutoff": self.cutoff, "n": self.chunk}
        deleted = conn.execute(DELETE_SAMPLES, args).rowcount
        finished = deleted < self.chunk
        for level in LEVELS:
            count = conn.execute(DELETE_ROLLUPS, {**args, "level": level}).rowcount
            finished = finished and count < self.chunk
        self.deleted = deleted
        self.finished = finished
        self.ran = True


class Retention:
    """Plans which tags have points past their retention and purges them chunk by chunk."""

    def __init__(
        self,
        submit: Callable[[Job], None],
        retention_of: Callable[[str], float | None],
        ids: dict[str, int],
        *,
        chunk: int = 2000,
        check_every: float = 600.0,
    ):
        self.submit = submit
        self.retention_of = retention_of
        self.ids = ids
        self.chunk = chunk
        self.check_every = check_every
        self.purged = 0
        self._plan: list[tuple[int, int]] = []
        self._job: PurgeJob | None = None
        self._next_check = 0.0

    def step(self, now: float) -> None:
        """Called every recorder cycle: submit the next chunk once the last one has run."""
        job = self._job
        if job is not None:
            if not job.ran:
                return
            self.purged += job.deleted
            self._job = None
            if job.finished:
                self._plan.pop(0)
        if not self._plan:
            if now < self._next_check:
                return
            self._next_check = now + self.check_every
            self._plan = self._make_plan(now)
            if not self._plan:
                return
        tag, cutoff = self._plan[0]
        self._job = PurgeJob(tag, cutoff, self.chunk)
        self.submit(self._job)

    def _make_plan(self, now: float) -> list[tuple[int, int]]:
        plan = []
        now_ms = int(now * 1000)
        for name, tag in self.ids.items():
            seconds = self.retention_of(name)
            if seconds is None:
                continue
            cutoff = now_ms - int(seconds * 1000)
            plan.append((tag, cutoff - cutoff % HOUR_MS))  # whole rollup buckets only
        return plan
