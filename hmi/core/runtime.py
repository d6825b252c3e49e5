"""The runtime: an asyncio loop on its own thread that owns the engine and the drivers.

Other threads (the GUI, the CLI) talk to it through ``submit``/``call``, never by awaiting
on their own thread, so a slow PLC can never freeze them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from .alarms import AlarmManager
from .driver import DeviceState, DeviceStatus, Driver, DriverContext, WriteResult
from .engine import TagEngine
from .historian import Historian, HistorianHealth
from .plugins import DriverRegistry, default_registry
from .project.models import Project
from .store import Writer
from .tags import bad, good

log = logging.getLogger(__name__)
T = TypeVar("T")

STORE_FILE = "hmi.db"
STORE_HEALTH_TAG = "_sys.store.health"
HISTORIAN_HEALTH_TAG = "_sys.historian.health"


class Runtime:
    def __init__(
        self,
        project: Project,
        data_dir: str | Path,
        registry: DriverRegistry | None = None,
    ):
        self.project = project
        self.data_dir = Path(data_dir)
        self.registry = registry or default_registry()
        self.engine = TagEngine(project)
        self.store: Writer | None = None  # the local SQLite store, opened by start()
        self.alarms: AlarmManager | None = None  # evaluated on its own thread, from start()
        self.historian: Historian | None = None  # records on its own thread, from start()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="hmi-runtime", daemon=True)
        self._started = False

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        """Start the loop thread and every enabled device's driver."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Writer(self.data_dir / STORE_FILE, on_health=self._store_health).start()
        self.alarms = AlarmManager(self.project, self.store)
        # subscribes before any driver publishes, so the first values are recorded too
        self.historian = Historian(
            self.project, self.engine, self.store, on_health=self._historian_health
        ).start()
        self._thread.start()
        self._started = True
        self._store_health(None)
        self.submit(self._attach_alarms()).result(timeout)
        self.alarms.start()  # restores standing alarms before any value arrives
        self.submit(self._start_drivers()).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if not self._started:
            return
        if self.alarms is not None:
            self.alarms.stop()  # first: devices stopping on purpose raise no alarms
        try:
            self.submit(self._stop_drivers()).result(timeout)
        except Exception:
            log.exception("stopping drivers")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)
        if self.historian is not None:
            self.historian.stop(timeout)  # before the store: its last held points must land
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
        tv = bad(problem, "failing") if problem else good("ok")
        self.call(self.engine.publish_system, {STORE_HEALTH_TAG: tv})

    def _historian_health(self, health: HistorianHealth) -> None:
        tv = good("ok") if health.ok else bad(health.reason, "failing")
        self.call(self.engine.publish_system, {HISTORIAN_HEALTH_TAG: tv})

    # -- cross-thread calls --------------------------------------------------------------

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the runtime loop; the caller gets a Future and never blocks."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, fn: Callable[..., T], *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def write(self, tag: str, value: Any, user: str = "") -> concurrent.futures.Future[WriteResult]:
        return self.submit(self.engine.write(tag, value, user))

    # -- drivers -------------------------------------------------------------------------

    async def _attach_alarms(self) -> None:
        """On the loop: the engine's subscribers are the loop's to change."""
        if self.alarms is not None:
            self.alarms.attach(self.engine, self.loop)

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
