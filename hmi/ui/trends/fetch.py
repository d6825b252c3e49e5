"""History for the visible time range, read off the GUI thread at the right resolution.

The resolution follows the view: about two raw points per pixel column are drawn as they
are; more than that, and the pen draws buckets one pixel wide (min/max envelope and
average), read from the historian's rollups, so a year costs what an hour costs.

Queries run on one worker thread. Each request gets a generation number; a request made
stale by a newer one is skipped before it starts and ignored if it finishes, so panning
fast queues no backlog and never freezes the screen.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtCore import QObject, QThreadPool, Signal

from hmi.core.historian import HistoryQuery, HistoryUnavailable, Point
from hmi.core.historian.query import bucket_plan
from hmi.ui.i18n import translate

from .series import NONE, PenData, from_buckets, from_points

log = logging.getLogger(__name__)

RAW_PER_PX = 2  # raw points drawn as they are up to this many per pixel column
FINEST_ROLLUP_MS = 10_000  # below this per pixel buckets would be computed from points
MIN_RAW_LIMIT = 200


def fetch_pen(query: HistoryQuery, tag: str, t0: float, t1: float, width_px: int) -> PenData:
    """History of ``tag`` over [t0, t1] (seconds) for a plot ``width_px`` wide."""
    a, z = int(t0 * 1000), int(t1 * 1000)
    width_px = max(16, int(width_px))
    limit = max(MIN_RAW_LIMIT, RAW_PER_PX * width_px)
    width_ms = bucket_plan(a, z, width_px, None)[0]
    data = None
    if z - a <= width_px * FINEST_ROLLUP_MS:  # buckets would come from the points anyway
        points = query.raw(tag, a, z, limit=limit)
        if sum(1 for p in points if a <= p.t <= z) < limit:
            data = from_points(points, t0, t1)
    if data is None:
        data = from_buckets(query.buckets(tag, a, z, n_buckets=width_px), t0, t1, width_ms)
        if data.points < limit:  # sparse (compressed) history: every point can be drawn
            data = from_points(query.raw(tag, a, z, limit=limit), t0, t1)
    if data.empty:
        data.mode = NONE
        known = tag in query.tags()
        data.note = (
            translate("Trend", "no history in this time range")
            if known
            else translate("Trend", "no history recorded")
        )
    return data


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a query builds tens of thousands of small tuples.

    Reference counting still frees every one of them (they form no cycles); without the
    pause the collector would walk the whole heap several times per query, which doubled
    its time. Restores the collector only if it was running before.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def fetch_all(
    query: HistoryQuery, tags: Sequence[str], t0: float, t1: float, width_px: int
) -> dict[str, PenData]:
    """Every pen's history; a pen whose history cannot be read gets the reason as its note."""
    out: dict[str, PenData] = {}
    with cyclic_gc_paused():
        for tag in tags:
            try:
                out[tag] = fetch_pen(query, tag, t0, t1, width_px)
            except HistoryUnavailable as error:
                out[tag] = PenData(t0=t0, t1=t1, note=str(error))
            except Exception as error:  # one pen's failure must not stop the others
                log.exception("reading the history of %s", tag)
                note = translate("Trend", "history cannot be read: {error}").format(error=error)
                out[tag] = PenData(t0=t0, t1=t1, note=note)
    return out


class HistoryFetcher(QObject):
    """Asks a ``HistoryQuery`` on a worker thread; answers arrive as signals on the GUI
    thread. ``query`` may be None (no historian): every answer is then empty."""

    #: generation, {tag: PenData}
    fetched = Signal(int, dict)
    #: generation, time (s), {tag: Point | None}
    values = Signal(int, float, dict)

    def __init__(self, query: HistoryQuery | None, parent: QObject | None = None):
        super().__init__(parent)
        self.query = query
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.generation = 0
        self.value_generation = 0
        self.queries_run = 0

    def request(self, tags: Sequence[str], t0: float, t1: float, width_px: int) -> int:
        """Fetch the history of ``tags`` over [t0, t1]; returns the request's generation."""
        self.generation += 1
        generation = self.generation
        tags = list(tags)

        def job() -> None:
            if generation != self.generation:
                return  # a newer request replaced this one before it started
            if self.query is None:
                note = translate("Trend", "no history kept")
                result = {t: PenData(t0=t0, t1=t1, note=note) for t in tags}
            else:
                result = fetch_all(self.query, tags, t0, t1, width_px)
            self.queries_run += 1
            self._emit(self.fetched, generation, result)

        self.pool.start(job)
        return generation

    def request_values(self, tags: Sequence[str], t: float) -> int:
        """The value of each tag at ``t`` (seconds), as the historian interpolates it."""
        self.value_generation += 1
        generation = self.value_generation
        tags = list(tags)

        def job() -> None:
            if generation != self.value_generation or self.query is None:
                return
            found: dict[str, Point | None] = {}
            for tag in tags:
                try:
                    found[tag] = self.query.value_at(tag, int(t * 1000))
                except Exception:  # the drawn value stays shown
                    found[tag] = None
            self._emit(self.values, generation, t, found)

        self.pool.start(job)
        return generation

    @staticmethod
    def _emit(signal: Signal, *args: object) -> None:
        try:
            signal.emit(*args)  # type: ignore[attr-defined]
        except RuntimeError:  # the view was closed while the query ran
            pass

    def wait(self, timeout_ms: int = 5000) -> bool:
        return self.pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        self.generation += 1
        self.value_generation += 1
        self.pool.clear()
        self.pool.waitForDone(5000)
