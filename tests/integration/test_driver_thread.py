"""A driver with a loop of its own (``Driver.own_loop``: OPC UA) under the runtime: values
reach the engine on the runtime's thread, writes from other threads reach the driver's
loop, a write given up on is cancelled there, and stopping ends the driver's thread."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import pytest
import pytest_asyncio

from hmi.core.capability import CapabilityRegistry
from hmi.core.driver import DeviceStatus, Driver, WriteResult, WriteStatus
from hmi.core.plugins import DriverRegistry, default_registry
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.runtime import DriverThread, Runtime
from hmi.core.tags import good
from tests.helpers import free_port, wait_for
from tests.integration.opcua_server import SCANS, TIMEOUT, LinePlc, tag

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def plc() -> AsyncIterator[LinePlc]:
    server = await (await LinePlc(free_port()).init()).start()
    yield server
    await server.stop()


def project_of(device: DeviceConfig, tags: list[TagConfig]) -> Project:
    return Project(
        name="thread",
        root=".",
        devices={device.name: device},
        tags={t.name: t for t in tags},
        scan_classes=SCANS,
    )


def threads_named(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name and t.is_alive()]


async def test_opc_ua_runs_on_its_own_thread_and_hands_the_engine_its_values(plc, tmp_path):
    device = DeviceConfig("plc", "opcua", {"endpoint": plc.endpoint, "timeout": TIMEOUT})
    tags = [tag("speed", "Speed", writable=True), tag("count", "Count")]
    runtime = Runtime(project_of(device, tags), tmp_path, CapabilityRegistry())
    publishers: set[str] = set()
    publish = runtime.engine.publish

    def recording_publish(batch: Any) -> None:
        publishers.add(threading.current_thread().name)
        publish(batch)

    runtime.engine.publish = recording_publish  # type: ignore[method-assign]
    await asyncio.to_thread(runtime.start)
    try:
        values = runtime.engine.values
        await wait_for(lambda: all(n in values and values[n].good for n in ("speed", "count")))
        driver = runtime.engine.drivers["plc"]
        assert isinstance(driver, DriverThread) and driver.loop is not runtime.loop
        assert threads_named("hmi-driver plc")
        assert driver.connection.failures == 0  # the driver's own attributes, through it
        await plc.set("Count", 41)
        await wait_for(lambda: values["count"].value == 41, 3)
        assert publishers == {"hmi-runtime"}  # the engine only ever on its own thread

        # a write from a thread other than the runtime's, as the GUI does
        result = await asyncio.to_thread(lambda: runtime.write("speed", 12.5).result(5))
        assert result.status is WriteStatus.DONE, result.message
        assert result.readback == 12.5 and await plc.get("Speed") == 12.5
    finally:
        started = time.monotonic()
        await asyncio.to_thread(runtime.stop)
    assert time.monotonic() - started < 3.0
    assert not threads_named("hmi-driver plc")
    assert runtime.engine.device_states["plc"].status is DeviceStatus.STOPPED


class Hanging(Driver):
    """Answers nothing it is asked to write; says on which thread it ran and how it ended."""

    protocol = "hanging"
    own_loop = True
    seen: ClassVar[dict[str, Any]] = {}

    async def start(self) -> None:
        self.seen["start"] = threading.current_thread().name
        self.ctx.sink.publish({t.name: good(1) for t in self.tags})

    async def stop(self) -> None:
        self.seen["stop"] = threading.current_thread().name

    async def write(self, tag: TagConfig, raw_value: Any) -> WriteResult:
        self.seen["write"] = threading.current_thread().name
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            self.seen["cancelled"] = threading.current_thread().name
            raise
        return WriteResult(tag.name, WriteStatus.DONE)


class Broken(Hanging):
    protocol = "broken"

    async def start(self) -> None:
        raise OSError("no such port")


def fake_runtime(protocol: str, tmp_path: Any) -> Runtime:
    device = DeviceConfig("dev", protocol)
    tags = [TagConfig("x", DataType.INT16, "dev", "x", writable=True)]
    registry = DriverRegistry({"hanging": Hanging, "broken": Broken})
    return Runtime(project_of(device, tags), tmp_path, registry, CapabilityRegistry())


async def test_a_write_given_up_on_is_cancelled_on_the_drivers_loop(tmp_path):
    Hanging.seen = {}
    runtime = fake_runtime("hanging", tmp_path)
    await asyncio.to_thread(runtime.start)
    try:
        await wait_for(lambda: "x" in runtime.engine.values)
        future = runtime.submit(runtime.engine.write("x", 5, timeout=0.2))
        result = await asyncio.to_thread(future.result, 5)
        assert result.status is WriteStatus.FAILED and result.message == "no answer within 0.2 s"
        await wait_for(lambda: "cancelled" in Hanging.seen, 2)
    finally:
        await asyncio.to_thread(runtime.stop)
    own = {Hanging.seen[step] for step in ("start", "write", "cancelled", "stop")}
    assert own == {"hmi-driver dev"}
    assert not threads_named("hmi-driver dev")


async def test_a_driver_that_fails_to_start_leaves_no_thread(tmp_path):
    runtime = fake_runtime("broken", tmp_path)
    await asyncio.to_thread(runtime.start)
    try:
        state = runtime.engine.device_states["dev"]
        assert state.status is DeviceStatus.STOPPED
        assert state.reason == "driver failed to start: no such port"
        assert "dev" not in runtime.engine.drivers
        assert not threads_named("hmi-driver dev")
    finally:
        await asyncio.to_thread(runtime.stop)


async def test_opc_ua_asks_for_a_loop_of_its_own_and_modbus_does_not():
    registry = default_registry()
    assert registry.get("opcua").own_loop is True  # type: ignore[union-attr]
    assert registry.get("modbus").own_loop is False  # type: ignore[union-attr]
