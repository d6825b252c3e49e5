"""Which samples of a tag are worth storing: pure filters, one per tag, no I/O.

A sample is ``(t, value, q)``: time in integer milliseconds, the value, and the quality in
the two low bits of ``q`` (flags above them pass through). Every filter stores the first
sample, every change of quality, every change to or from a value that is not a finite
number, and at least one point per ``max_interval``. ``held`` is the newest sample not
stored yet: storing it ends the trend where the signal really was (``flush``).

Swinging door keeps the straight line between two stored points within ``deviation`` of
every sample between them: a candidate end point is accepted only while its slope lies
inside the "doors", the slope bounds set by every intermediate sample ± deviation.
"""

from __future__ import annotations

import math
from typing import Any

from ..tags import Quality

Sample = tuple[int, Any, int]
QUALITY_MASK = 0b11
BAD = int(Quality.BAD)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _finite(value: Any) -> bool:
    return is_number(value) and math.isfinite(value)


def _same(a: Any, b: Any) -> bool:
    return a == b or (a != a and b != b)  # NaN equals NaN here


class Filter:
    """Store-on-change with the rules every mode shares; subclasses refine ``_accept``."""

    def __init__(self, max_interval_ms: int | None = None):
        self.max_ms = max_interval_ms
        self.last: Sample | None = None  # the newest stored sample
        self.held: Sample | None = None  # the newest sample not stored yet

    @property
    def latest(self) -> Sample | None:
        return self.held or self.last

    def feed(self, t: int, value: Any, q: int, out: list[Sample]) -> None:
        """Take the next sample (times strictly increasing) and append what to store to ``out``."""
        sample = (t, value, q)
        last = self.last
        if last is None:
            self._store(sample, out)
            return
        if (q ^ last[2]) & QUALITY_MASK:
            self.flush(out)
            self._store(sample, out)
            return
        if q & QUALITY_MASK == BAD:
            return  # nothing more to say while the value is not trustworthy
        if self.max_ms is not None and t - last[0] >= self.max_ms:
            if self.held is not None:
                last = self.held  # stored now: the newest stored sample
                self.flush(out)
            if t - last[0] >= self.max_ms:
                self._store(sample, out)
                return
        if not (_finite(value) and _finite(last[1])):
            held = self.held
            if _same(value, (held or last)[1]):
                self.held = sample
                return
            if held is not None and _same(held[1], last[1]):
                self.held = None  # a repeat of the stored value: a step draws it already
            self.flush(out)
            self._store(sample, out)
            return
        self._accept(sample, last, out)

    def tick(self, now: int, out: list[Sample]) -> None:
        """At ``now`` (ms): keep at most ``max_interval`` between stored points."""
        last = self.last
        if last is None or self.max_ms is None or last[2] & QUALITY_MASK == BAD:
            return
        if now - last[0] < self.max_ms:
            return
        if self.held is not None:
            held = self.held
            self.flush(out)
            if now - held[0] < self.max_ms:
                return
            last = held
        if now > last[0]:
            self._store((now, last[1], last[2] & QUALITY_MASK), out)

    def flush(self, out: list[Sample]) -> None:
        """Store the held sample: the series stops here (shutdown, quality change, restart)."""
        if self.held is not None:
            self._store(self.held, out)

    def restart(self, out: list[Sample]) -> None:
        """Store what is held and start afresh: the next sample is stored as a first one."""
        self.flush(out)
        self.last = None

    def _store(self, sample: Sample, out: list[Sample]) -> None:
        out.append(sample)
        self.last = sample
        self.held = None

    def _accept(self, sample: Sample, last: Sample, out: list[Sample]) -> None:
        """Decide on ``sample``, given ``last``, the newest stored sample."""
        if _same(sample[1], last[1]):
            self.held = sample
        else:
            self.flush(out)
            self._store(sample, out)


class ExceptionFilter(Filter):
    """Store when the value moves more than ``deviation`` from the last stored one.

    The sample just before the jump is stored too, so a step draws as a step.
    """

    def __init__(self, deviation: float = 0.0, max_interval_ms: int | None = None):
        super().__init__(max_interval_ms)
        self.deviation = deviation

    def _accept(self, sample: Sample, last: Sample, out: list[Sample]) -> None:
        reference = last[1]
        if abs(sample[1] - reference) > self.deviation:
            self.flush(out)
            self._store(sample, out)
        else:
            self.held = sample


class SwingingDoorFilter(Filter):
    """Store the fewest points whose straight lines stay within ``deviation`` of every sample."""

    def __init__(self, deviation: float, max_interval_ms: int | None = None):
        super().__init__(max_interval_ms)
        self.deviation = deviation
        self._low = -math.inf  # the doors: allowed slopes from the last stored point
        self._high = math.inf

    def _store(self, sample: Sample, out: list[Sample]) -> None:
        super()._store(sample, out)
        self._low, self._high = -math.inf, math.inf

    def _accept(self, sample: Sample, last: Sample, out: list[Sample]) -> None:
        t, value, _ = sample
        t0, v0, _ = last
        if not self._low <= (value - v0) / (t - t0) <= self._high:
            held = self.held
            self.flush(out)  # the held point is the farthest one the doors allowed
            if held is not None:
                t0, v0, _ = held
        dt = t - t0
        self.held = sample
        deviation = self.deviation
        low = (value - deviation - v0) / dt
        high = (value + deviation - v0) / dt
        if low > self._low:
            self._low = low
        if high < self._high:
            self._high = high


class IntervalFilter(Filter):
    """Store the newest value every ``interval``, and every change of quality at once."""

    def __init__(self, interval_ms: int):
        super().__init__(None)
        self.interval_ms = max(1, interval_ms)
        self._due: int | None = None

    def feed(self, t: int, value: Any, q: int, out: list[Sample]) -> None:
        latest = self.latest
        if latest is None or (q ^ latest[2]) & QUALITY_MASK:
            self.flush(out)
            self._store((t, value, q), out)
        else:
            self.held = (t, value, q)

    def tick(self, now: int, out: list[Sample]) -> None:
        if self._due is None:
            self._due = now - now % self.interval_ms + self.interval_ms
            return
        if now < self._due:
            return
        self._due = now - now % self.interval_ms + self.interval_ms
        latest = self.latest
        if latest is None or latest[2] & QUALITY_MASK == BAD or now <= latest[0]:
            return
        self._store((now, latest[1], latest[2] & QUALITY_MASK), out)
