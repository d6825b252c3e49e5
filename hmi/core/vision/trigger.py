"""Exactly one inspection per part: from a PLC signal's rising edge or from a part entering
the image.

Both triggers turn a two-level signal into parts with the same rules (``PartDebounce``):

- a part starts where the signal goes high **and stays high** for ``debounce`` seconds:
  contact bounce and a spike of noise are shorter, so they never make a part, and the
  trigger's time is the start of that steady high, not the end of the wait;
- any low, however short, ends a part: two parts touching each other leave a seam (the
  sensor sees the gap between their ends, the camera a darker line), and the next steady
  high is the next part. Bounce at the falling edge is short highs, which never count;
- a steady high sooner than ``min_interval`` after the previous part's start is the same
  part (a sensor dropping out on a hole or a reflective patch in mid-part); set it a
  little below the shortest time between two parts' starts.

Times are the readings' own (seconds, any monotonic base), so the rules hold whatever
delay the readings had on their way. Values arrive only when they change: a steady high
is confirmed by the next reading (the falling edge at the latest) or by ``poll(now)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ..words import describe_value


@dataclass(frozen=True, slots=True)
class Trigger:
    """One part: ``ts`` is when it was first seen steadily, ``confirmed`` when that was
    known (``ts + debounce`` or later), ``part`` counts 1, 2, 3 ... per trigger."""

    ts: float
    confirmed: float
    part: int


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{name} {describe_value(value)} is not a number of seconds >= 0")
    return float(value)


class PartDebounce:
    """Steady highs separated by any low, one part each (see the module's rules)."""

    def __init__(self, debounce: float = 0.02, min_interval: float = 0.0):
        self.debounce = _seconds("debounce", debounce)
        self.min_interval = _seconds("min_interval", min_interval)
        self.parts = 0
        self.level = False  # the newest reading's level
        self._high_since: float | None = None  # start of the current high run
        self._decided = False  # the current high run has been judged
        self._last_start: float | None = None  # ts of the newest part
        self._last_ts = float("-inf")

    def step(self, level: bool | None, ts: float) -> Trigger | None:
        """One reading; None (no value: a Bad reading) changes nothing."""
        if level is None:
            return None
        ts = max(ts, self._last_ts)  # a reading older than the newest counts as the newest
        self._last_ts = ts
        if level:
            if self._high_since is None:
                self._high_since, self._decided = ts, False
            self.level = True
            return self._judge(ts)
        found = self._judge(ts)  # the high lasted until this reading
        self._high_since, self.level = None, False
        return found

    def poll(self, now: float) -> Trigger | None:
        """Confirm a high that has been steady long enough, without a new reading."""
        if self._high_since is None:
            return None
        return self._judge(max(now, self._last_ts))

    def _judge(self, now: float) -> Trigger | None:
        start = self._high_since
        if start is None or self._decided or now - start < self.debounce:
            return None
        self._decided = True
        if self._last_start is not None and start - self._last_start < self.min_interval:
            return None  # a drop-out inside the part before
        self._last_start = start
        self.parts += 1
        return Trigger(start, max(now, start + self.debounce), self.parts)


class EdgeTrigger:
    """A part per rising edge of a PLC tag (a light barrier, a part-present bit).

    A value is high when it is true, or a number at or above ``threshold`` (an analog
    sensor); a reading without a value (quality Bad) is ignored.
    """

    def __init__(self, debounce: float = 0.02, min_interval: float = 0.0, threshold: float = 0.5):
        self.threshold = threshold
        self._parts = PartDebounce(debounce, min_interval)

    @property
    def parts(self) -> int:
        return self._parts.parts

    def level_of(self, value: Any) -> bool | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value >= self.threshold
        return None  # a text or a list is no level: ignored rather than guessed

    def update(self, value: Any, ts: float) -> Trigger | None:
        return self._parts.step(self.level_of(value), ts)

    def poll(self, now: float) -> Trigger | None:
        return self._parts.poll(now)


class PresenceTrigger:
    """A part per part entering a region of the image, for lines without a sensor.

    The region is compared with the empty background (learned from the first
    ``learn_frames`` frames, then following slow light changes while the region is
    empty): ``score`` is the share of its pixels that differ from the background by more
    than ``pixel_delta`` grey levels or ``noise_k`` times the background's own noise. The
    region is occupied from ``enter`` on and empty again at ``leave`` or below (hysteresis:
    a score wavering around one level does not flicker); the occupied/empty signal then
    follows the debounce rules above. To see the seam between parts touching each other,
    make the region a strip across the conveyor narrower than the seam plus one frame's
    travel; where the seam cannot be seen, use an ``EdgeTrigger`` on a light barrier.
    """

    def __init__(
        self,
        roi: tuple[int, int, int, int] | None = None,
        *,
        enter: float = 0.5,
        leave: float = 0.2,
        debounce: float = 0.0,
        min_interval: float = 0.0,
        pixel_delta: float = 25.0,
        noise_k: float = 4.0,
        learn_frames: int = 5,
        adapt: float = 0.02,
    ):
        if not 0.0 <= leave < enter <= 1.0:
            raise ValueError(
                f"presence levels: leave ({describe_value(leave)}) must be below enter "
                f"({describe_value(enter)}), both between 0 and 1"
            )
        self.roi = roi
        self.enter, self.leave = enter, leave
        self.pixel_delta, self.noise_k = pixel_delta, noise_k
        self.learn_frames = max(1, learn_frames)
        self.adapt = adapt
        self.score = 0.0
        self.occupied = False
        self._parts = PartDebounce(debounce, min_interval)
        self._learned: list[np.ndarray] = []
        self._background: np.ndarray | None = None
        self._limit: np.ndarray | None = None

    @property
    def parts(self) -> int:
        return self._parts.parts

    @property
    def learning(self) -> bool:
        return self._background is None

    def _grey(self, image: np.ndarray) -> np.ndarray:
        if self.roi is not None:
            x, y, w, h = self.roi
            image = image[y : y + h, x : x + w]
        if image.ndim == 3:
            code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
            image = cv2.cvtColor(image, code) if image.shape[2] in (3, 4) else image[..., 0]
        grey: np.ndarray = image.astype(np.float32)
        if min(grey.shape) >= 3:
            grey = cv2.GaussianBlur(grey, (3, 3), 0)  # sensor noise is not a part
        return grey

    def learn(self, image: np.ndarray) -> None:
        """Take ``image`` as (one view of) the empty background."""
        self._learned.append(self._grey(image))
        if len(self._learned) >= self.learn_frames:
            stack = np.stack(self._learned)
            self._background = stack.mean(axis=0)
            noise = float(stack.std(axis=0).mean()) if len(self._learned) > 1 else 0.0
            self._limit = np.full_like(
                self._background, max(self.pixel_delta, self.noise_k * noise)
            )
            self._learned = []

    def update(self, image: np.ndarray, ts: float) -> Trigger | None:
        """One frame at ``ts``; the first ``learn_frames`` frames only teach the
        background (the region must be empty then)."""
        if self._background is None or self._limit is None:
            self.learn(image)
            return None
        grey = self._grey(image)
        if grey.shape != self._background.shape:
            raise ValueError(
                f"presence region is {grey.shape[1]}x{grey.shape[0]} in this frame, "
                f"{self._background.shape[1]}x{self._background.shape[0]} when learned"
            )
        diff = np.abs(grey - self._background)
        self.score = float((diff > self._limit).mean())
        if self.score >= self.enter:
            self.occupied = True
        elif self.score <= self.leave:
            self.occupied = False
        if not self.occupied and self.score <= self.leave / 2 and self.adapt > 0:
            cv2.accumulateWeighted(grey, self._background, self.adapt)  # light drifts
        return self._parts.step(self.occupied, ts)

    def poll(self, now: float) -> Trigger | None:
        return self._parts.poll(now)
