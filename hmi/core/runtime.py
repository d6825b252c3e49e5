"""The runtime: an asyncio loop on its own thread that owns the engine and the drivers,
and starts and stops the capabilities around them (``hmi.core.capability``).

Other threads (the GUI, the CLI, the capabilities') talk to it through ``submit``/``call``
and ``live``, never by awaiting on their own thread, so a slow PLC can never freeze them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from .access import Access
from .capability import (
    Capability,
    CapabilityContext,
    CapabilityRegistry,
    default_capabilities,
    health_value,
)
from .driver import DeviceState, DeviceStatus, Driver, DriverContext, WriteResult
from .engine import TagEngine
from .i18n import Translator
from .live import LiveTags
from .plugins import DriverRegistry, default_registry
from .project.models import Project
from .store import Writer
from .systemtags import STORE_HEALTH

log = logging.getLogger(__name__)
T = TypeVar("T")

STORE_FILE = "hmi.db"


class Runtime:
    def __init__(
        self,
        project: Project,
        data_dir: str | Path,
        registry: DriverRegistry | None = None,
        capabilities: CapabilityRegistry | None = None,
    ):
        self.project = project
        self.data_dir = Path(data_dir)
        self.registry = registry or default_registry()
        self.capability_registry = (
            capabilities if capabilities is not None else default_capabilities()
        )
        self.access = Access()
        self.engine = TagEngine(project, access=self.access)
        self.translator = Translator(project.root)
        self.store: Writer | None = None  # the local SQLite store, opened by start()
        self.capabilities: list[Capability] = []  # the started ones, in start order
        self.loop = asyncio.new_event_loop()
        self.live = LiveTags(self.engine, self.loop)  # the engine for other threads
        self._thread = threading.Thread(target=self._run_loop, name="hmi-runtime", daemon=True)
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        """Open the store, start the capabilities in order, then every enabled driver."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Writer(self.data_dir / STORE_FILE, on_health=self._store_health).start()
        self._store_health(None)
        # before the loop runs: their subscriptions are in place before any value arrives
        for cls in self.capability_registry:
            self._start_capability(cls)
        self.loop.call_soon(self.live.loop_started)
        self._thread.start()
        self._started = True
        self.submit(self._start_drivers()).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if not self._started:
            return
        for capability in reversed(self.capabilities):
            self._guarded(capability, "before_drivers_stop", capability.before_drivers_stop)
        try:
            self.submit(self._stop_drivers()).result(timeout)
        except Exception:
            log.exception("stopping drivers")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        self.live.loop_stopped()
        for capability in reversed(self.capabilities):
            self._guarded(capability, "stop", capability.stop, timeout)
        if self.store is not None:
            self.store.stop(timeout)  # commits what is pending
        self._started = False

    def __enter__(self) -> Runtime:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def _store_health(self, problem: str | None) -> None:
        """The store's health as a system tag, so screens and alarms can show a full disk."""
        self.live.publish_system({STORE_HEALTH: health_value(problem)})

    # -- capabilities --------------------------------------------------------------------

    def _start_capability(self, cls: type[Capability]) -> None:
        """One capability that fails to start is reported (its health tag says why); the
        others and the drivers run on."""
        assert self.store is not None
        context = CapabilityContext(
            cls,
            self.project,
            self.data_dir,
            self.store,
            self.live,
            self.access,
            self.translator,
            self.submit,
            write=self.write,
        )
        try:
            capability = cls(context)
            capability.start()
        except Exception as exc:
            log.exception("%s failed to start; Linea runs on without it", cls.name)
            if cls.health_tag:
                problem = f"{cls.name} failed to start: {exc}"
                self.live.publish_system({cls.health_tag: health_value(problem)})
            return
        self.capabilities.append(capability)

    @staticmethod
    def _guarded(capability: Capability, what: str, step: Callable[..., Any], *args: Any) -> None:
        try:
            step(*args)
        except Exception:
            log.exception("%s: %s failed", capability.name, what)

    def service(self, name: str) -> Any:
        """The service of the started capability ``name``, or None."""
        for capability in self.capabilities:
            if capability.name == name:
                return capability.service
        return None

    @property
    def services(self) -> dict[str, Any]:
        """Every started capability's service, by name (what its views are given)."""
        return {c.name: c.service for c in self.capabilities}

    # -- cross-thread calls --------------------------------------------------------------

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the runtime loop; the caller gets a Future and never blocks."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, fn: Callable[..., T], *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def write(self, tag: str, value: Any, user: str = "") -> concurrent.futures.Future[WriteResult]:
        return self.submit(self.engine.write(tag, value, user))

    # -- drivers -------------------------------------------------------------------------

    async def _start_drivers(self) -> None:
        await start_drivers(self.project, self.engine, self.registry, self.data_dir)

    async def _stop_drivers(self) -> None:
        await stop_drivers(self.engine)


async def start_drivers(
    project: Project, engine: TagEngine, registry: DriverRegistry, data_dir: Path
) -> None:
    """Create and start a driver per enabled device. A driver that fails is reported, not fatal."""
    for device in project.devices.values():
        if not device.enabled:
            continue
        cls = registry.get(device.protocol)
        if cls is None:
            engine.device_state(
                DeviceState(
                    device.name, DeviceStatus.STOPPED, registry.describe_missing(device.protocol)
                )
            )
            continue
        ctx = DriverContext(
            device=device,
            tags=project.device_tags(device.name),
            scan_classes=project.scan_classes,
            sink=engine,
            data_dir=str(data_dir),
        )
        try:
            driver: Driver = cls(ctx)
            await driver.start()
        except Exception as exc:
            log.exception("device %s: driver failed to start", device.name)
            engine.device_state(
                DeviceState(device.name, DeviceStatus.STOPPED, f"driver failed to start: {exc}")
            )
            continue
        engine.drivers[device.name] = driver


async def stop_drivers(engine: TagEngine) -> None:
    for name, driver in list(engine.drivers.items()):
        try:
            await asyncio.wait_for(driver.stop(), 5.0)
        except Exception:
            log.exception("device %s: driver failed to stop cleanly", name)
    engine.drivers.clear()
