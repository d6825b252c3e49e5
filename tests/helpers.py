"""Small test doubles and utilities shared by the test suites."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable

from hmi.core.driver import DeviceState
from hmi.core.tags import Batch, TagValue


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingSink:
    """A DriverSink that keeps everything it is given, for assertions."""

    def __init__(self) -> None:
        self.batches: list[Batch] = []
        self.latest: dict[str, TagValue] = {}
        self.states: list[DeviceState] = []

    def publish(self, batch: Batch) -> None:
        self.batches.append(batch)
        self.latest.update(batch)

    def device_state(self, state: DeviceState) -> None:
        self.states.append(state)

    @property
    def last_state(self) -> DeviceState | None:
        return self.states[-1] if self.states else None


def wait_until(
    predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition", step: float = 0.01
) -> float:
    """Poll ``predicate`` from a plain thread until true; the seconds it took. Fails after
    ``timeout`` seconds naming ``what``."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not met within {timeout} s")
        time.sleep(step)
    return time.monotonic() - start


async def wait_for(predicate: Callable[[], bool], timeout: float = 5.0, step: float = 0.02) -> None:
    """Poll ``predicate`` on the running loop until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(step)
