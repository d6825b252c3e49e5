import asyncio
import itertools

from hmi.core.scan import ScanStats, run_periodic


async def test_periodic_scan_keeps_absolute_deadlines_despite_work_time():
    loop = asyncio.get_running_loop()
    starts: list[float] = []

    async def work():
        starts.append(loop.time())
        await asyncio.sleep(0.03)  # work inside the period must not stretch it

    task = asyncio.create_task(run_periodic(0.1, work))
    await asyncio.sleep(1.05)
    task.cancel()
    t0 = starts[0]
    # with sleep(period) after the work, start k would be at k * 0.13 s
    assert 9 <= len(starts) <= 12
    assert abs((starts[9] - t0) - 0.9) < 0.05


async def test_overrun_skips_missed_deadlines_instead_of_bursting():
    loop = asyncio.get_running_loop()
    starts: list[float] = []
    stats = ScanStats()

    async def work():
        starts.append(loop.time())
        await asyncio.sleep(0.25 if len(starts) == 1 else 0.0)

    task = asyncio.create_task(run_periodic(0.1, work, stats))
    await asyncio.sleep(0.65)
    task.cancel()
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps[0] >= 0.25  # the slow cycle
    assert all(g > 0.05 for g in gaps[1:])  # no burst of catch-up cycles
    assert stats.overruns >= 1


async def test_a_failing_cycle_is_logged_and_the_schedule_goes_on(caplog):
    calls = 0

    async def work():
        nonlocal calls
        calls += 1
        raise ValueError("bad frame")

    task = asyncio.create_task(run_periodic(0.02, work, name="t"))
    await asyncio.sleep(0.15)
    task.cancel()
    assert calls >= 3
    assert "t: cycle failed" in caplog.text
