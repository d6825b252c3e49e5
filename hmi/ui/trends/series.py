"""The numbers a pen draws, as numpy arrays: history (points or buckets) and live samples.

Times are float seconds since the epoch (what the time axis shows). A value that cannot be
drawn — Bad quality, no value, NaN, infinite — is NaN, which breaks the line: a stretch of
bad data is a gap, never a line drawn as if the value were live. ``bad_spans`` lists those
stretches so the plot can hatch them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hmi.core.historian import Bucket, Point
from hmi.core.tags import Quality

EMPTY = np.empty(0, dtype=np.float64)
RAW, BUCKETS, NONE = "raw", "buckets", "none"


@dataclass
class PenData:
    """History of one pen over [t0, t1]: raw points, or min/max/avg per bucket."""

    mode: str = NONE
    t: np.ndarray = field(default_factory=lambda: EMPTY)  # point times / bucket centres
    y: np.ndarray = field(default_factory=lambda: EMPTY)  # values / bucket averages
    lo: np.ndarray = field(default_factory=lambda: EMPTY)  # bucket minimum (buckets only)
    hi: np.ndarray = field(default_factory=lambda: EMPTY)  # bucket maximum
    bad_spans: list[tuple[float, float]] = field(default_factory=list)
    t0: float = 0.0
    t1: float = 0.0
    bucket_s: float = 0.0
    points: int = 0  # points (good and bad) the buckets hold
    note: str = ""  # why there is nothing to draw, in words

    @property
    def empty(self) -> bool:
        return not len(self.t)


def drawable(value: object, quality: Quality) -> float:
    """The value as a float for the plot, or NaN when it must not be drawn."""
    if quality is Quality.BAD or value is None or isinstance(value, str):
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def from_points(points: Sequence[Point], t0: float, t1: float) -> PenData:
    t = np.fromiter((p.t for p in points), dtype=np.float64, count=len(points)) / 1000.0
    y = np.fromiter(
        (drawable(p.value, p.quality) for p in points), dtype=np.float64, count=len(points)
    )
    return PenData(RAW, t, y, bad_spans=gap_spans(t, y, t1), t0=t0, t1=t1)


def from_buckets(buckets: Sequence[Bucket], t0: float, t1: float, width_ms: int) -> PenData:
    """Buckets with only bad points are gaps; empty buckets are just no point (the line
    joins its neighbours, as compressed history holds between stored points)."""
    if not buckets:
        return PenData(BUCKETS, t0=t0, t1=t1, bucket_s=width_ms / 1000.0)
    columns = list(zip(*buckets, strict=True))  # one pass in C; None becomes NaN below
    start, lo, hi, avg, count, bad = (
        np.array(columns[i], dtype=np.float64) for i in (0, 1, 2, 5, 6, 7)
    )
    width_s = width_ms / 1000.0
    t = start / 1000.0 + width_s / 2
    spans = _bad_runs(start / 1000.0, bad > 0, width_s)
    points = int(count.sum() + bad.sum())
    return PenData(BUCKETS, t, avg, lo, hi, spans, t0, t1, width_s, points)


def _bad_runs(starts: np.ndarray, bad: np.ndarray, width_s: float) -> list[tuple[float, float]]:
    """Runs of adjacent buckets holding bad points, as (from, to) in seconds."""
    index = np.flatnonzero(bad)
    if not len(index):
        return []
    breaks = np.flatnonzero(np.diff(starts[index]) > width_s * 1.5)
    firsts = np.r_[index[0], index[breaks + 1]]
    lasts = np.r_[index[breaks], index[-1]]
    return [
        (float(starts[a]), float(starts[z]) + width_s) for a, z in zip(firsts, lasts, strict=True)
    ]


def gap_spans(t: np.ndarray, y: np.ndarray, end: float) -> list[tuple[float, float]]:
    """Stretches from each run of NaN to the next drawable sample (or ``end``)."""
    if not len(y):
        return []
    bad = np.isnan(y)
    if not bad.any():
        return []
    edges = np.diff(bad.astype(np.int8))
    starts = list(np.flatnonzero(edges == 1) + 1)
    stops = list(np.flatnonzero(edges == -1) + 1)
    if bad[0]:
        starts.insert(0, 0)
    spans = []
    for i, start in enumerate(starts):
        stop_time = float(t[stops[i]]) if i < len(stops) else max(end, float(t[-1]))
        spans.append((float(t[start]), stop_time))
    return spans


def minmax_decimate(
    t: np.ndarray, y: np.ndarray, t0: float, t1: float, columns: int
) -> tuple[np.ndarray, np.ndarray]:
    """At most two points per pixel column (the column's min and max, in time order), so a
    dense series draws as fast as a sparse one and no peak is lost. A column whose samples
    are all NaN stays NaN (a gap)."""
    n = len(t)
    if n <= 2 * columns or t1 <= t0:
        return t, y
    index = ((t - t0) * (columns / (t1 - t0))).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])
    with np.errstate(invalid="ignore"):
        low = np.fmin.reduceat(y, starts)
        high = np.fmax.reduceat(y, starts)
    ends = np.r_[starts[1:], n] - 1
    out_t = np.empty(2 * len(starts))
    out_y = np.empty(2 * len(starts))
    out_t[0::2] = t[starts]
    out_t[1::2] = t[ends]
    # keep the order in time: the first sample's side first
    first_is_low = y[starts] <= y[ends]
    out_y[0::2] = np.where(first_is_low, low, high)
    out_y[1::2] = np.where(first_is_low, high, low)
    return out_t, out_y


def shown_part(t: np.ndarray, y: np.ndarray, t0: float, t1: float) -> np.ndarray:
    """The values of ``y`` whose times lie in [t0, t1] (what a pen shows of itself)."""
    if not len(t):
        return y[:0]
    a = int(np.searchsorted(t, t0, side="left"))
    z = int(np.searchsorted(t, t1, side="right"))
    return y[a:z]


def value_at(t: np.ndarray, y: np.ndarray, at: float, step: bool = False) -> float | None:
    """The drawn value at ``at``: interpolated between two drawable samples (held for a
    step pen); None outside the data or inside a gap."""
    n = len(t)
    if not n or at < t[0]:
        return None
    i = int(np.searchsorted(t, at, side="right")) - 1
    before = float(y[i])
    if math.isnan(before):
        return None
    if step or i + 1 >= n or t[i] == at:
        return before
    after = float(y[i + 1])
    if math.isnan(after):
        return before
    share = (at - t[i]) / (t[i + 1] - t[i])
    return before + (after - before) * share


class LiveRing:
    """The newest ``capacity`` samples of a pen, preallocated; appending never allocates.

    Each sample is written twice (at i and i + capacity), so the newest n samples are
    always one contiguous slice: no copy to draw them.
    """

    def __init__(self, capacity: int = 16384):
        self.capacity = capacity
        self._t = np.zeros(2 * capacity)
        self._y = np.full(2 * capacity, math.nan)
        self._next = 0
        self.count = 0

    def append(self, t: float, y: float) -> None:
        if self.count and t < self.last_t:
            t = self.last_t  # the clock went back: keep time in order
        i = self._next
        self._t[i] = self._t[i + self.capacity] = t
        self._y[i] = self._y[i + self.capacity] = y
        self._next = (i + 1) % self.capacity
        self.count = min(self.count + 1, self.capacity)

    @property
    def last_t(self) -> float:
        return float(self._t[self._next - 1 + self.capacity])

    @property
    def last_y(self) -> float:
        return float(self._y[self._next - 1 + self.capacity])

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Times and values, oldest first (views into the buffer: do not keep them)."""
        end = self._next + self.capacity
        return self._t[end - self.count : end], self._y[end - self.count : end]

    def since(self, t0: float) -> tuple[np.ndarray, np.ndarray]:
        t, y = self.arrays()
        start = int(np.searchsorted(t, t0, side="left"))
        return t[start:], y[start:]

    def clear(self) -> None:
        self.count = 0
        self._next = 0
