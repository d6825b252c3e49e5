"""UI tests run without a display: choose Qt's offscreen platform before Qt loads."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_SCALE_FACTOR", "1")

import pytest

from hmi.core.driver import (
    DeviceState,
    DeviceStatus,
    Driver,
    WriteResult,
    WriteStatus,
)
from hmi.core.engine import TagEngine
from hmi.core.plugins import DriverRegistry
from hmi.core.project.models import DataType, DeviceConfig, Project, TagConfig
from hmi.core.runtime import Runtime
from hmi.core.tags import good


def make_project(*tags: TagConfig, lines: dict[str, str] | None = None) -> Project:
    return Project(
        name="Test plant",
        root=".",
        devices={"plc": DeviceConfig("plc", "fake", line="line1")},
        tags={t.name: t for t in tags},
        lines=lines or {"line1": "Line 1"},
    )


def dev_tag(name: str, **kw) -> TagConfig:
    return TagConfig(name=name, device="plc", address="x", **kw)


@pytest.fixture
def project() -> Project:
    return make_project(
        dev_tag("line1.temp", units="°C", eng_range=(0.0, 600.0), decimals=1),
        dev_tag("line1.speed", units="mm/s", eng_range=(0.0, 25.0), decimals=1),
        dev_tag("line1.speed_sp", units="mm/s", eng_range=(1.0, 25.0), decimals=1, writable=True),
        dev_tag("line1.running", data_type=DataType.BOOL),
        dev_tag("line1.state", data_type=DataType.INT16),
        dev_tag("line1.count", data_type=DataType.UINT32),
        dev_tag("line1.cmd_start", data_type=DataType.BOOL, writable=True),
    )


@pytest.fixture
def engine(project: Project) -> TagEngine:
    return TagEngine(project)


class MemoryDriver(Driver):
    """A device that keeps written values in memory: the runtime's whole write path, no I/O."""

    protocol = "memory"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.memory: dict[str, object] = {}
        self.refuse = ""

    async def start(self) -> None:
        self.ctx.sink.device_state(DeviceState(self.device.name, DeviceStatus.ONLINE))

    async def stop(self) -> None:
        pass

    async def write(self, tag, raw_value):
        if self.refuse:
            return WriteResult(tag.name, WriteStatus.FAILED, self.refuse)
        self.memory[tag.name] = raw_value
        self.ctx.sink.publish({tag.name: good(raw_value)})
        return WriteResult(tag.name, WriteStatus.DONE, "", raw_value)


@pytest.fixture
def runtime(project: Project, tmp_path):
    project.devices["plc"] = DeviceConfig("plc", "memory", line="line1")
    rt = Runtime(project, tmp_path / "data", registry=DriverRegistry({"memory": MemoryDriver}))
    rt.start()
    yield rt
    rt.stop()
