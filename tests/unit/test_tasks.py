import asyncio

from hmi.core.tasks import cancel_and_wait


async def test_a_task_that_swallows_one_cancellation_is_cancelled_again():
    swallowed = 0

    async def stubborn():
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1  # as asyncio.wait_for may do on Python 3.11

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait([task], timeout=2), 3)
    assert task.done() and swallowed == 1


async def test_a_task_that_never_stops_is_reported_and_the_wait_is_bounded(caplog):
    give_up = False

    async def immortal():
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if give_up:
                    raise

    task = asyncio.create_task(immortal(), name="immortal")
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait([task], what="t", timeout=0.3), 2)
    assert "would not stop: immortal" in caplog.text and not task.done()
    give_up = True
    await cancel_and_wait([task])
    assert task.done()
