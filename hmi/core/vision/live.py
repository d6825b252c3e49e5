"""``LiveView``: what a camera's live view draws, taken in one cheap call from any thread.

The frame and the decisions are the objects the camera and the inspection already hold
(read-only images, frozen decisions): nothing is copied, so a view refreshed several
times a second costs the inspection nothing. The frame is peeked at (``Camera.peek``), so
looking never counts as taking it. The newest decision carries the frame it was decided
on; the earlier ones a copy at most 480 px long, their ROI, boxes and anomaly map scaled
with it (``Decision.scale``), so drawing them over their image is right as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .cameras import Frame
from .pipeline import Decision


@dataclass(frozen=True)
class LiveView:
    """One camera now. ``frame``: its newest frame (None before the first); ``decisions``:
    the last few, oldest first (all but the newest shrunk); ``counts``: the durable
    ``good``/``scrap``/``uninspected`` counters; ``defect_rate``: % of the ``window``
    inspected parts it is over."""

    camera: str
    line: str
    state: str  # inspecting | unavailable | connecting | stalled | failed ...
    reason: str  # "" when inspecting
    frame: Frame | None
    decisions: tuple[Decision, ...]
    model: str
    threshold: float | None
    counts: Mapping[str, int]
    defect_rate: float
    window: int
    fps: float
    dropped: int
    parts: int = 0  # parts decided since the station started (any result)

    @property
    def last(self) -> Decision | None:
        """The newest decision, if any."""
        return self.decisions[-1] if self.decisions else None
