"""Periodic scans on absolute deadlines, so a period never drifts by the work it contains."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class ScanStats:
    """Start lateness and duration of the last N cycles, for diagnostics and benchmarks."""

    def __init__(self, keep: int = 1000):
        self.lateness: deque[float] = deque(maxlen=keep)
        self.duration: deque[float] = deque(maxlen=keep)
        self.cycles = 0
        self.overruns = 0

    def record(self, lateness: float, duration: float, overrun: bool) -> None:
        self.lateness.append(lateness)
        self.duration.append(duration)
        self.cycles += 1
        self.overruns += overrun


async def run_periodic(
    period: float,
    work: Callable[[], Awaitable[object]],
    stats: ScanStats | None = None,
    name: str = "scan",
) -> None:
    """Call ``work`` every ``period`` seconds until cancelled.

    Deadlines are ``t0 + k * period``. A cycle that overruns skips the deadlines it
    missed instead of firing a burst to catch up. ``work`` must handle its own errors;
    one that escapes is logged and the schedule goes on.
    """
    loop = asyncio.get_running_loop()
    clock = loop.time
    deadline = clock()
    while True:
        start = clock()
        lateness = max(0.0, start - deadline)
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: cycle failed", name)
        end = clock()
        deadline += period
        overrun = end > deadline
        if overrun:
            missed = int((end - deadline) // period) + 1
            deadline += missed * period
        if stats is not None:
            stats.record(lateness, end - start, overrun)
        await _sleep_until(deadline, clock)


async def _sleep_until(deadline: float, clock: Callable[[], float]) -> None:
    delay = deadline - clock()
    if delay > 0:
        await asyncio.sleep(delay)
