"""The contract between the core and a protocol driver.

A driver lives on the runtime's asyncio loop, or on a loop of its own when it says so
(``own_loop``). It polls or subscribes to one device and hands the engine batches through
its ``DriverSink``. It never raises into the engine:
every failure becomes Bad quality with a reason and a ``DeviceState``.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from .project.models import DeviceConfig, Problem, ScanClass, TagConfig
from .tags import Batch

if TYPE_CHECKING:
    from .store import Step


class DeviceStatus(enum.Enum):
    CONNECTING = "connecting"
    ONLINE = "online"
    DEGRADED = "degraded"  # connected, but some requests fail
    OFFLINE = "offline"  # not reachable; retrying with backoff
    DEMOTED = "demoted"  # kept failing; polled less often so others are not stalled
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class DeviceState:
    device: str
    status: DeviceStatus
    reason: str = ""
    ts: float = 0.0


class WriteStatus(enum.Enum):
    DONE = "done"  # written and read back equal
    REFUSED = "refused"  # not sent: not writable, out of range, wrong type, no permission
    FAILED = "failed"  # sent, but the device answered an error, timed out or read back differs


@dataclass(frozen=True, slots=True)
class WriteResult:
    tag: str
    status: WriteStatus
    message: str = ""
    readback: Any = None

    @property
    def ok(self) -> bool:
        return self.status is WriteStatus.DONE


class DriverSink(Protocol):
    """What the engine offers a driver, called on the driver's loop (for a driver with a
    loop of its own, the runtime passes each call on to its loop, in order)."""

    def publish(self, batch: Batch) -> None: ...

    def device_state(self, state: DeviceState) -> None: ...


@dataclass
class DriverContext:
    """Everything a driver gets at construction."""

    device: DeviceConfig
    tags: Sequence[TagConfig]
    scan_classes: dict[str, ScanClass]
    sink: DriverSink
    data_dir: str = "."  # where a driver may keep state (certificates, ...)
    extra: dict[str, Any] = field(default_factory=dict)


class Driver(ABC):
    """Base of every protocol driver, registered under the ``hmi.drivers`` entry-point group."""

    #: the ``protocol:`` value of a device in the project file
    protocol: ClassVar[str]

    #: run on a thread and asyncio loop of its own (``hmi.core.runtime.DriverThread``):
    #: for a driver whose library does heavy work on its loop (asyncua decodes a whole
    #: publish response at once), so that work never delays the other drivers' cycles
    own_loop: ClassVar[bool] = False

    def __init__(self, ctx: DriverContext):
        self.ctx = ctx
        self.device = ctx.device
        self.tags = list(ctx.tags)

    @classmethod
    def schemas(cls) -> Mapping[str, Sequence[Step]]:
        """Store components it keeps, as a capability declares them: the runtime opens the
        store with these too, so an upgrade copies and migrates them with the rest and a
        newer release's store is refused before any driver starts."""
        return {}

    @classmethod
    def validate_device(cls, device: DeviceConfig) -> list[Problem]:
        """Problems with the device's protocol options (for ``hmi check``)."""
        return []

    @classmethod
    def validate_tag(cls, device: DeviceConfig, tag: TagConfig) -> list[Problem]:
        """Problems with a tag's address and type on this protocol (for ``hmi check``)."""
        return []

    @abstractmethod
    async def start(self) -> None:
        """Begin polling/subscribing in background tasks; return promptly, even if offline."""

    @abstractmethod
    async def stop(self) -> None:
        """Cancel background work and close connections."""

    @abstractmethod
    async def write(self, tag: TagConfig, raw_value: Any) -> WriteResult:
        """Write a raw (device-unit) value, read it back, and say how it went."""

    @classmethod
    async def browse(cls, device: DeviceConfig, data_dir: str) -> list[dict[str, Any]]:
        """The device's variables, so tags can be imported instead of typed."""
        raise NotImplementedError(f"the {cls.protocol} driver cannot browse a device")

    async def read(self, tags: Sequence[TagConfig]) -> Batch:
        """One-shot read of some tags (``hmi read``). Default: not supported."""
        raise NotImplementedError(f"{self.protocol} driver has no one-shot read")
