"""A write to an MQTT tag: published to its ``write_topic`` with QoS 1, done when the
tag's own topic shows the value (the line took it), failed with the reason otherwise.

The engine has checked the value (type, range), the user's permission and recorded the
attempt before the driver is asked; here only the broker and the line can refuse.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any

import paho.mqtt.client as mqtt

from hmi.core.driver import WriteResult, WriteStatus
from hmi.core.tags import Batch, Quality

from .address import TagAddress


class Readbacks:
    """The writes waiting for their tag's topic to show the value written."""

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[Any, asyncio.Future[Any]]] = {}

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def expect(self, name: str, value: Any) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[name] = (value, future)
        return future

    def forget(self, name: str) -> None:
        self._waiting.pop(name, None)

    def settle(self, batch: Batch) -> None:
        """Resolve the writes whose value this batch shows (Good)."""
        for name, (expected, future) in list(self._waiting.items()):
            tv = batch.get(name)
            if tv is None or tv.quality is not Quality.GOOD or future.done():
                continue
            if same(tv.value, expected):
                future.set_result(tv.value)


async def publish_and_confirm(
    client: mqtt.Client,
    name: str,
    address: TagAddress,
    value: Any,
    current: Any,
    readbacks: Readbacks,
    timeout: float,
) -> WriteResult:
    """Publish ``value``; ``current`` is the tag's Good value now (None if it has none): a
    line publishes by exception, so writing the value it shows is done once acknowledged."""
    future = readbacks.expect(name, value)
    try:
        info = client.publish(address.write_topic, payload(address, value), qos=1)
        if not await asyncio.to_thread(_acknowledged, info, timeout):
            return WriteResult(
                name,
                WriteStatus.FAILED,
                f"the broker did not acknowledge {address.write_topic} within {timeout:g} s",
            )
        if current is not None and same(current, value):
            return WriteResult(name, WriteStatus.DONE, "", current)
        try:
            readback = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return WriteResult(
                name,
                WriteStatus.FAILED,
                f"published to {address.write_topic}, but {address.topic} "
                f"did not show {value!r} within {timeout:g} s",
            )
        return WriteResult(name, WriteStatus.DONE, "", readback)
    finally:
        readbacks.forget(name)


def payload(address: TagAddress, value: Any) -> bytes:
    """The UNS JSON ``{"v", "ts"}``, or for a raw tag the value as text."""
    if address.payload == "raw":
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return text.encode()
    return json.dumps({"v": value, "ts": int(time.time() * 1000)}).encode()


def same(value: Any, expected: Any) -> bool:
    """Equal, reals within rounding (a line may keep them as 32-bit floats)."""
    if isinstance(value, float) or isinstance(expected, float):
        try:
            return math.isclose(float(value), float(expected), rel_tol=1e-6, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return bool(value == expected)


def _acknowledged(info: mqtt.MQTTMessageInfo, timeout: float) -> bool:
    try:
        info.wait_for_publish(timeout)
    except (ValueError, RuntimeError):  # the connection went meanwhile
        return False
    return info.is_published()
