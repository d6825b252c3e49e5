"""The runtime: an asyncio loop on its own thread that owns the engine and the drivers,
and starts and stops the capabilities around them (``hmi.core.capability``).

Other threads (the GUI, the CLI, the capabilities') talk to it through ``submit``/``call``
and ``live``, never by awaiting on their own thread, so a slow PLC can never freeze them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import gc
import logging
import sys
import threading
from collections.abc import Callable, Coroutine, Sequence
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
from .driver import (
    DeviceState,
    DeviceStatus,
    Driver,
    DriverContext,
    DriverSink,
    WriteResult,
    WriteStatus,
)
from .engine import TagEngine
from .i18n import Translator
from .live import LiveTags
from .logs import app_version
from .plugins import DriverRegistry, default_registry
from .project.models import Project, TagConfig
from .station_lock import StationLock
from .store import Opened, Writer, open_store
from .systemtags import STORE_HEALTH
from .tags import Batch
from .tasks import cancel_and_wait

log = logging.getLogger(__name__)
T = TypeVar("T")

STORE_FILE = "hmi.db"
THREAD_STOP_S = 2.0  # a driver's own loop ends this soon after its driver stopped
GC_YOUNG = 20_000  # allocations between collections of the youngest generation (Python: 700)
SWITCH_S = 0.001  # a thread waiting for the interpreter gets it this soon (Python: 5 ms)


def open_station_store(
    data_dir: Path, capabilities: CapabilityRegistry, drivers: DriverRegistry
) -> Opened:
    """The store opened with every capability's and every installed driver's components:
    upgraded under a copy, or ``StoreError`` (a newer release's, an undone upgrade)."""
    schemas = {**capabilities.schemas(), **drivers.schemas()}
    return open_store(data_dir / STORE_FILE, schemas, app_version())


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
        self.opened: Opened | None = None  # what opening it found (an upgrade, its copy)
        self.lock = StationLock(self.data_dir)  # held while it runs
        self.capabilities: list[Capability] = []  # the started ones, in start order
        self.loop = asyncio.new_event_loop()
        self.live = LiveTags(self.engine, self.loop)  # the engine for other threads
        self._thread = threading.Thread(target=self._run_loop, name="hmi-runtime", daemon=True)
        self._started = False
        self._tuned: tuple[tuple[int, int, int], float] | None = None  # what Python had

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> None:
        """Open the store, start the capabilities in order, then every enabled driver.

        A store from a newer release, or an upgrade that failed (and was undone), raises
        ``StoreError`` before anything starts; so does another station running on the same
        data folder (``StationBusy``: it would count every part a second time)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock.acquire()
        try:
            self.opened = open_station_store(self.data_dir, self.capability_registry, self.registry)
        except BaseException:
            self.lock.release()
            raise
        self.store = Writer(self.data_dir / STORE_FILE, on_health=self._store_health).start()
        self._store_health(None)
        # before the loop runs: their subscriptions are in place before any value arrives
        for cls in self.capability_registry:
            self._start_capability(cls)
        self.loop.call_soon(self.live.loop_started)
        self._thread.start()
        self._started = True
        self.submit(self._start_drivers()).result(timeout)
        self._tune_interpreter()

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
        self.lock.release()
        self._untune_interpreter()
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

    def _tune_interpreter(self) -> None:
        """Keep the pauses other threads impose on the runtime loop short, once everything
        has started; ``stop`` gives Python its settings back.

        The garbage collector stops every thread. At 50,000 values a second its default
        threshold made some 40 young collections a second, so every sample living one scan
        (100 ms) was promoted, and a full collection of the whole heap (project, plans,
        libraries) came every few seconds and paused all threads 100-300 ms. What exists
        now is frozen out of its sight and the youngest generation is collected every
        ``GC_YOUNG`` allocations. And a thread that gave the interpreter up for a moment
        (every socket send and poll does) waits up to the switch interval to get it back
        from a busy one (OPC UA decoding on its own thread): 1 ms instead of 5."""
        if self._tuned is not None:
            return
        self._tuned = gc.get_threshold(), sys.getswitchinterval()
        gc.freeze()  # no collection first: it would cost every start 100-300 ms, and what
        # little start-up garbage is frozen with the rest is given back at stop (unfreeze)
        threshold, switch = self._tuned
        gc.set_threshold(max(GC_YOUNG, threshold[0]), *threshold[1:])
        sys.setswitchinterval(min(SWITCH_S, switch))

    def _untune_interpreter(self) -> None:
        if self._tuned is not None:
            threshold, switch = self._tuned
            gc.set_threshold(*threshold)
            gc.unfreeze()
            sys.setswitchinterval(switch)
            self._tuned = None

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
            services=self.service,
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
            driver: Driver = DriverThread(cls, ctx) if cls.own_loop else cls(ctx)
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


class _SinkOnLoop:
    """The engine's sink as a driver on another loop sees it: each call is passed on to
    the engine's loop, in the order made, so the engine stays single-threaded."""

    def __init__(self, sink: DriverSink, loop: asyncio.AbstractEventLoop):
        self._sink = sink
        self._loop = loop

    def publish(self, batch: Batch) -> None:
        self._pass_on(self._sink.publish, batch)

    def device_state(self, state: DeviceState) -> None:
        self._pass_on(self._sink.device_state, state)

    def _pass_on(self, fn: Callable[[Any], None], arg: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, arg)
        except RuntimeError:  # the engine's loop has closed: nobody listens any more
            log.debug("dropped a call to the engine after its loop closed")


class DriverThread(Driver):
    """A driver that asks for it (``Driver.own_loop``) on a thread and asyncio loop of its
    own, so what its library does on that loop (asyncua decoding a 2,000-item publish
    response) never delays the cycles of the drivers on the engine's loop.

    Created and called on the engine's loop like any driver: ``start``, ``stop``, ``write``
    and ``read`` run on the driver's loop and are awaited from the caller's (a caller that
    gives up cancels them there); batches and device states come back to the engine's loop
    in order. Other attributes are the driver's own (``stats``, ``connection``)."""

    def __init__(self, cls: type[Driver], ctx: DriverContext):
        super().__init__(ctx)
        self.protocol = cls.protocol  # type: ignore[misc]
        home = asyncio.get_running_loop()
        self.inner = cls(dataclasses.replace(ctx, sink=_SinkOnLoop(ctx.sink, home)))
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run_loop, name=f"hmi-driver {ctx.device.name}", daemon=True
        )

    def __getattr__(self, name: str) -> Any:
        if name == "inner":  # not set yet: __init__ failed
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
            left = asyncio.all_tasks(self.loop)
            if left:  # what the driver's stop left behind
                self.loop.run_until_complete(
                    cancel_and_wait(left, what=f"{self.device.name} loop", timeout=1.0)
                )
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        finally:
            self.loop.close()

    async def _on_own_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        if self.loop.is_closed():
            coro.close()
            raise RuntimeError(f"device {self.device.name}: its driver has stopped")
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def _end_loop(self) -> None:
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(THREAD_STOP_S)
            if self._thread.is_alive():
                log.error("device %s: its driver's loop would not stop", self.device.name)

    async def start(self) -> None:
        self._thread.start()
        try:
            await self._on_own_loop(self.inner.start())
        except BaseException:
            self._end_loop()
            raise

    async def stop(self) -> None:
        try:
            await self._on_own_loop(self.inner.stop())
        finally:
            self._end_loop()

    async def write(self, tag: TagConfig, raw_value: Any) -> WriteResult:
        if self.loop.is_closed():
            return WriteResult(tag.name, WriteStatus.FAILED, f"device {self.device.name} stopped")
        return await self._on_own_loop(self.inner.write(tag, raw_value))

    async def read(self, tags: Sequence[TagConfig]) -> Batch:
        return await self._on_own_loop(self.inner.read(tags))
