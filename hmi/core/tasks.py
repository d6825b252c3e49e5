"""Stopping background tasks for sure.

On Python 3.11 ``asyncio.wait_for`` can swallow a cancellation that arrives just as its
inner call completes, so a single ``cancel()`` may leave a polling loop running and a
plain ``gather`` waiting forever. This cancels again until every task has ended, within
a bound, and says which would not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

log = logging.getLogger(__name__)


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task], *, what: str = "task", timeout: float = 5.0
) -> None:
    pending = {t for t in tasks if not t.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - loop.time()
        if left <= 0:
            names = ", ".join(t.get_name() for t in pending)
            log.error("%s: %d task(s) would not stop: %s", what, len(pending), names)
            return
        _, pending = await asyncio.wait(pending, timeout=min(0.2, left))
