"""Mini-trends filled from the history when a screen opens, off the GUI thread.

A screen's scene is made anew at every navigation, so its sparklines would start empty
each time. When the past is kept (the context's ``history``), the scene asks for the last
``seconds`` of every sparkline's tag in one job on a worker thread: one range query per
tag, and the historian's buckets instead when the range holds more points than a
sparkline can show. The answers come back through a queued signal, so the screen opens
at once and its trends fill a moment later; live values that arrived meanwhile win.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtCore import QObject, QThreadPool, Signal

from hmi.core.tags import Quality

log = logging.getLogger(__name__)

MAX_POINTS = 6000  # raw points read per sparkline; beyond this, the historian's buckets
SHOWN = 600  # points a sparkline draws: it is a few hundred pixels wide


class HistorySource(Protocol):
    """What a mini-trend reads of the history (the historian's ``HistoryQuery``)."""

    def raw(self, tag: str, t0: int, t1: int, limit: int = ...) -> list[Any]: ...

    def buckets(self, tag: str, t0: int, t1: int, n_buckets: int | None = ...) -> list[Any]: ...


Samples = list[tuple[float, float]]  # (time in seconds, value), oldest first


def recent(history: HistorySource, tag: str, t0: float, t1: float) -> Samples:
    """The numeric values of ``tag`` over [t0, t1] (seconds) as a step line reads them:
    the value just before t0 first; Bad and non-numbers are left out."""
    a, z = int(t0 * 1000), int(t1 * 1000)
    points = history.raw(tag, a, z, limit=MAX_POINTS)
    if len(points) < MAX_POINTS:
        samples = [
            (p.t / 1000, float(p.value))
            for p in points
            if p.quality is not Quality.BAD and _finite(p.value)
        ]
        return samples if len(samples) <= SHOWN else thinned(samples, SHOWN)
    half = SHOWN // 2
    width = (z - a) / half
    samples = []
    for b in history.buckets(tag, a, z, n_buckets=half):
        if b.min is not None and b.max is not None and _finite(b.min) and _finite(b.max):
            middle = min(z, b.start + width / 2) / 1000
            samples += [(middle - 1e-3, float(b.min)), (middle, float(b.max))]
    return samples


def thinned(samples: Samples, most: int) -> Samples:
    """At most ``most`` samples that keep every peak: the lowest and the highest of each
    slice, in time order (a spike one sample wide still shows)."""
    step = max(1, (2 * len(samples) + most - 1) // most)
    out: Samples = []
    for start in range(0, len(samples), step):
        part = samples[start : start + step]
        low = min(part, key=lambda sample: sample[1])
        high = max(part, key=lambda sample: sample[1])
        out += sorted({low, high})
    return out


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_pool: QThreadPool | None = None


def pool() -> QThreadPool:
    """One worker for every screen's history: screens open one after another."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class HistoryFill(QObject):
    """Fills the sparklines of one scene from the history; lives as long as the scene."""

    filled = Signal(dict)  # tag -> samples

    def __init__(
        self,
        sparklines: Sequence[Any],
        history: HistorySource,
        now: float,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.sparklines = list(sparklines)
        self.done = False
        self.filled.connect(self._fill)
        spans: dict[str, float] = {}
        for spark in self.sparklines:
            if spark.tag:
                spans[spark.tag] = max(spans.get(spark.tag, 0.0), spark.window)
        self._start(history, spans, now)

    def _start(self, history: HistorySource, spans: dict[str, float], now: float) -> None:
        def job() -> None:
            found: dict[str, Samples] = {}
            for tag, seconds in spans.items():
                try:
                    found[tag] = recent(history, tag, now - seconds, now)
                except Exception:  # no history for a mini-trend is no reason to fail
                    log.warning("mini-trend history of %s cannot be read", tag, exc_info=True)
            try:
                self.filled.emit(found)
            except RuntimeError:  # the screen was closed while the history was read
                pass

        pool().start(job)

    def _fill(self, found: dict[str, Samples]) -> None:
        for spark in self.sparklines:
            samples = found.get(spark.tag or "")
            if samples:
                spark.fill(samples)
        self.done = True
