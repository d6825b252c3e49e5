"""Scan jitter at a 100 ms period: start lateness of absolute deadlines vs sleep(period).

Both loops do the same 20 ms of work per cycle in the same run; the naive loop sleeps a
full period after its work, so its starts drift away from the schedule.
"""

from __future__ import annotations

import asyncio
import time

from hmi.core.scan import ScanStats, run_periodic
from tests.bench.common import median, percentile, report

PERIOD = 0.1
CYCLES = 100
WORK = 0.02


async def busy_work() -> None:
    end = time.perf_counter() + WORK / 2
    while time.perf_counter() < end:  # CPU half, awaiting I/O half, like a poll
        pass
    await asyncio.sleep(WORK / 2)


async def absolute() -> list[float]:
    stats = ScanStats(keep=CYCLES * 2)
    task = asyncio.create_task(run_periodic(PERIOD, busy_work, stats))
    await asyncio.sleep(PERIOD * CYCLES + 0.05)
    task.cancel()
    return list(stats.lateness)


async def naive() -> list[float]:
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    lateness = []
    for k in range(CYCLES):
        lateness.append(loop.time() - (t0 + k * PERIOD))
        await busy_work()
        await asyncio.sleep(PERIOD)
    return lateness


def main() -> None:
    ours = asyncio.run(absolute())
    theirs = asyncio.run(naive())
    report(
        "scan_jitter",
        period_ms=PERIOD * 1000,
        cycles=len(ours),
        lateness_median_ms=median(ours) * 1000,
        lateness_p99_ms=percentile(ours, 99) * 1000,
        lateness_max_ms=max(ours) * 1000,
        naive_lateness_p99_ms=percentile(theirs, 99) * 1000,
        naive_drift_after_run_ms=theirs[-1] * 1000,
        target_p99_ms=5.0,
    )


if __name__ == "__main__":
    main()
