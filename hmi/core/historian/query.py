"""Reading history for trends: raw points, buckets for any zoom, the value at a time.

Times are integer milliseconds since the epoch. A tag without history gives an empty
answer, never an error. NaN comes back as ``math.nan`` (a point whose value was NaN), a
sample that had no value as None, and missing data as no point at all.

Buckets are aligned to multiples of their width, so panning does not reshuffle them, and
cover every bucket that touches the range. They come from the coarsest rollup level that
still gives the number of buckets asked for, so a year of one tag reads 8,760 hourly rows
instead of millions of points; below 10 s they are computed from the points themselves.
The newest sample that compression still holds back (the "tail") is included, so a live
trend reaches the present.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Collection
from pathlib import Path
from typing import Any, NamedTuple

from ..store import connect
from ..tags import Quality
from .storage import GOOD_SQL, KIND_TEXT, LEVELS, QUALITY_MASK, decode

KIND_NUMBER = 0
GOOD_TEXT_SQL = "(q & 3) != 2 AND v IS NOT NULL"


class HistoryUnavailable(Exception):
    """The history file cannot be read (damaged, unreadable); the message says why."""


class Point(NamedTuple):
    t: int
    value: Any
    quality: Quality
    flags: int = 0  # storage.FLAG_CLOCK_BACK when the clock had gone back before it


class Bucket(NamedTuple):
    """Aggregates of the points in [start, start + width) that are not Bad and are finite."""

    start: int
    min: float | None
    max: float | None
    first: Any
    last: Any
    avg: float | None
    count: int  # type: ignore[assignment]  # hides tuple.count; read as .count everywhere
    bad: int  # points that are Bad or not a finite number: draw a gap where only these are


# One pass groups the rows into buckets; the first and last values are then looked up by
# primary key from the times found, which is much cheaper than grouping three times.
_SAMPLE_BUCKETS = """
SELECT b, mn, mx,
    (SELECT v FROM hist_sample WHERE tag = :tag AND t = tf),
    (SELECT v FROM hist_sample WHERE tag = :tag AND t = tl),
    s / nullif(n, 0), n, nb
FROM (
    SELECT t - t % :w AS b,
        min(CASE WHEN {good} THEN v END) AS mn, max(CASE WHEN {good} THEN v END) AS mx,
        min(CASE WHEN {good} THEN t END) AS tf, max(CASE WHEN {good} THEN t END) AS tl,
        total(CASE WHEN {good} THEN v END) AS s,
        sum(CASE WHEN {good} THEN 1 ELSE 0 END) AS n,
        sum(CASE WHEN {good} THEN 0 ELSE 1 END) AS nb
    FROM hist_sample WHERE tag = :tag AND t >= :a AND t < :z GROUP BY b
) ORDER BY b
"""

_ROLLUP_BUCKETS = """
SELECT b, mn, mx,
    (SELECT v_first FROM hist_rollup WHERE tag = :tag AND level = :level AND t = tf - tf % :level),
    (SELECT v_last FROM hist_rollup WHERE tag = :tag AND level = :level AND t = tl - tl % :level),
    s / nullif(n, 0), n, nb
FROM (
    SELECT t - t % :w AS b, min(vmin) AS mn, max(vmax) AS mx, min(t_first) AS tf,
        max(t_last) AS tl, total(vsum) AS s, sum(n) AS n, sum(n_bad) AS nb
    FROM hist_rollup WHERE tag = :tag AND level = :level AND t >= :a AND t < :z GROUP BY b
) ORDER BY b
"""

# when the buckets are the rollup rows themselves
_ROLLUP_ROWS = """
SELECT t, vmin, vmax, v_first, v_last, vsum / nullif(n, 0), n, n_bad
FROM hist_rollup WHERE tag = :tag AND level = :level AND t >= :a AND t < :z ORDER BY t
"""


def _point(row: tuple) -> Point:
    t, value, q = row
    return Point(t, decode(value, q), Quality(q & QUALITY_MASK), q & ~QUALITY_MASK)


def _good(point: Point) -> bool:
    value = point.value
    return (
        point.quality is not Quality.BAD and isinstance(value, int | float) and math.isfinite(value)
    )


def bucket_plan(t0: int, t1: int, n_buckets: int | None, bucket_ms: int | None) -> tuple[int, int]:
    """The bucket width and the rollup level to read (0: the points themselves)."""
    if bucket_ms:
        width = max(1, int(bucket_ms))
        level = next((lv for lv in reversed(LEVELS) if width % lv == 0), 0)
        return width, level
    width = max(1, math.ceil((t1 - t0) / max(1, n_buckets or 1000)))
    level = next((lv for lv in reversed(LEVELS) if lv <= width), 0)
    return (width - width % level, level) if level else (width, 0)


class HistoryQuery:
    """Read-only access to the history in the store at ``path``; safe from any thread."""

    def __init__(self, path: str | Path, interpolated: Collection[str] | None = None):
        """``interpolated``: the tags whose history is a line between stored points
        (swinging door); the others (exception, interval) hold each value until the next.
        None: every number is drawn as a line."""
        self.path = Path(path)
        self.interpolated = None if interpolated is None else frozenset(interpolated)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._tags: dict[str, tuple[int, int]] = {}

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _run(self, sql: str, args: Any = ()) -> list[tuple]:
        try:
            if self._conn is None:
                if not self.path.exists():
                    return []
                self._conn = connect(self.path, readonly=True)
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            if "no such table" in str(error):
                return []  # nothing has been recorded in this file yet
            raise HistoryUnavailable(
                f"history cannot be read from {self.path.name}: {error}"
            ) from None

    def _tag(self, name: str) -> tuple[int, int] | None:
        info = self._tags.get(name)
        if info is None:
            rows = self._run("SELECT id, kind FROM hist_tag WHERE name = ?", (name,))
            if rows:
                info = self._tags[name] = rows[0]
        return info

    def tags(self) -> list[str]:
        """Every tag with history, by name."""
        with self._lock:
            return [r[0] for r in self._run("SELECT name FROM hist_tag ORDER BY name")]

    def _tail(self, tag: int) -> Point | None:
        """The held-back newest sample, if it is newer than every stored point."""
        rows = self._run(
            "SELECT t, v, q FROM hist_tail WHERE tag = :tag AND t > "
            "coalesce((SELECT max(t) FROM hist_sample WHERE tag = :tag), -1)",
            {"tag": tag},
        )
        return _point(rows[0]) if rows else None

    def _one(self, sql: str, tag: int, t: int) -> Point | None:
        rows = self._run(sql, (tag, t))
        return _point(rows[0]) if rows else None

    def raw(
        self, tag: str, t0: int, t1: int, limit: int = 10_000, bounds: bool = True
    ) -> list[Point]:
        """Points in [t0, t1], oldest first, at most ``limit`` of them.

        With ``bounds`` the last point before t0 and the first after t1 (or the tail) are
        added, so the lines of a trend run to both edges of the view; a list cut short at
        ``limit`` gets no point after it.
        """
        with self._lock:
            info = self._tag(tag)
            if info is None:
                return []
            tag_id = info[0]
            points = [
                _point(r)
                for r in self._run(
                    "SELECT t, v, q FROM hist_sample WHERE tag = ? AND t >= ? AND t <= ? "
                    "ORDER BY t LIMIT ?",
                    (tag_id, int(t0), int(t1), int(limit)),
                )
            ]
            tail = self._tail(tag_id)
            after = None
            if len(points) >= limit:
                pass  # cut short: the caller asks again from the last point
            elif tail is not None and t0 <= tail.t <= t1:
                points.append(tail)
            elif bounds:
                after = self._one(
                    "SELECT t, v, q FROM hist_sample WHERE tag = ? AND t > ? ORDER BY t LIMIT 1",
                    tag_id,
                    int(t1),
                )
                if after is None and tail is not None and tail.t > t1:
                    after = tail
            if not bounds:
                return points
            before = self._one(
                "SELECT t, v, q FROM hist_sample WHERE tag = ? AND t < ? ORDER BY t DESC LIMIT 1",
                tag_id,
                int(t0),
            )
            return ([before] if before else []) + points + ([after] if after else [])

    def buckets(
        self,
        tag: str,
        t0: int,
        t1: int,
        n_buckets: int | None = None,
        bucket_ms: int | None = None,
        use_rollups: bool = True,
    ) -> list[Bucket]:
        """Aggregates per bucket over [t0, t1]: ``n_buckets`` or more, or ``bucket_ms`` wide.

        ``use_rollups=False`` computes them from the points (slower; to check the rollups).
        """
        if t1 < t0:
            return []
        with self._lock:
            info = self._tag(tag)
            if info is None:
                return []
            tag_id, kind = info
            width, level = bucket_plan(int(t0), int(t1), n_buckets, bucket_ms)
            if kind == KIND_TEXT or not use_rollups:
                level = 0
            args = {
                "tag": tag_id,
                "w": width,
                "level": level,
                "a": int(t0) - int(t0) % width,
                "z": int(t1) - int(t1) % width + width,
            }
            if level:
                sql = _ROLLUP_ROWS if width == level else _ROLLUP_BUCKETS
            else:
                sql = _SAMPLE_BUCKETS.format(good=GOOD_TEXT_SQL if kind == KIND_TEXT else GOOD_SQL)
            buckets = [Bucket(*row) for row in self._run(sql, args)]
            if kind == KIND_TEXT:
                buckets = [b._replace(min=None, max=None, avg=None) for b in buckets]
            tail = self._tail(tag_id)
        if tail is not None and args["a"] <= tail.t < args["z"]:
            _merge_tail(buckets, tail, width, kind == KIND_TEXT)
        return buckets

    def interpolates(self, tag: str) -> bool:
        """Whether ``tag``'s values between stored points lie on the line joining them."""
        return self.interpolated is None or tag in self.interpolated

    def value_at(self, tag: str, t: int, interpolate: bool | None = None) -> Point | None:
        """The value at ``t`` for a trend cursor, or None before the first point.

        Numbers are interpolated between the points around ``t`` (both good, same quality)
        when ``interpolate`` says so (default: ``interpolates(tag)``); other values hold
        until the next point. ``t`` of the answer is ``t`` when
        interpolated, else the time of the point whose value holds.
        """
        if interpolate is None:
            interpolate = self.interpolates(tag)
        with self._lock:
            info = self._tag(tag)
            if info is None:
                return None
            tag_id, kind = info
            t = int(t)
            before = self._one(
                "SELECT t, v, q FROM hist_sample WHERE tag = ? AND t <= ? ORDER BY t DESC LIMIT 1",
                tag_id,
                t,
            )
            after = self._one(
                "SELECT t, v, q FROM hist_sample WHERE tag = ? AND t > ? ORDER BY t LIMIT 1",
                tag_id,
                t,
            )
            tail = self._tail(tag_id) if after is None else None
        if tail is not None:
            if tail.t <= t:
                before, after = tail, None
            else:
                after = tail
        if before is None:
            return None
        if (
            interpolate
            and kind == KIND_NUMBER
            and after is not None
            and before.t < t
            and _good(before)
            and _good(after)
            and before.quality is after.quality
        ):
            share = (t - before.t) / (after.t - before.t)
            value = before.value + (after.value - before.value) * share
            return Point(t, value, before.quality, 0)
        return before


def _merge_tail(buckets: list[Bucket], tail: Point, width: int, text: bool) -> None:
    """Count the held-back newest sample in its bucket, as if it were stored."""
    start = tail.t - tail.t % width
    good = (tail.quality is not Quality.BAD and tail.value is not None) if text else _good(tail)
    if buckets and buckets[-1].start == start:
        b = buckets.pop()
    else:
        b = Bucket(start, None, None, None, None, None, 0, 0)
    if not good:
        buckets.append(b._replace(bad=b.bad + 1))
        return
    value = tail.value
    if text:
        buckets.append(
            b._replace(first=b.first if b.count else value, last=value, count=b.count + 1)
        )
        return
    count = b.count + 1
    avg = ((b.avg or 0.0) * b.count + value) / count
    buckets.append(
        Bucket(
            start,
            value if b.min is None else min(b.min, value),
            value if b.max is None else max(b.max, value),
            b.first if b.count else value,
            value,
            avg,
            count,
            b.bad,
        )
    )
