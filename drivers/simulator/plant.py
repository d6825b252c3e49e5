"""The demo plant: both line models served over real protocols on one asyncio loop.

Line 1 (the extrusion press) answers Modbus TCP, Line 2 (the filling line) answers OPC UA.
Every ``step_s`` of wall time both models advance by ``step_s * speed`` of model time, so
tests can run an hour of production in minutes while the servers stay real.

The demo plant runs work orders (``orders``): both lines idle until the HMI downloads an
order, produce it to its target, stop now and then, and change over for another die or
product. ``orders=False`` is a plant that produces from the start, as before orders.

``retain`` is the file that stands in for the PLCs' retentive memory: their order blocks
and counters are read from it at start and kept in it while they run, so a line restarted
with the HMI (``hmi demo`` starts its plant anew each time) goes on with the order the HMI
still has running instead of waiting for one. ``hmi sim`` keeps it in the data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from hmi.core.paths import app_paths
from hmi.core.scan import ScanStats, run_periodic

from .filler import FillerModel
from .modbus_server import PressModbusServer
from .opcua_server import FillerOpcUaServer
from .press import PressModel

#: How long a fault waits for someone to reset it before the demo's crew does.
DEMO_AUTO_RECOVER_S = 120.0
#: How often (wall seconds) the retentive memory is written while the plant runs.
RETAIN_EVERY_S = 1.0

log = logging.getLogger(__name__)


class PlantError(OSError):
    """The plant could not start; the message says why (a port in use, usually)."""


class Plant:
    """Two simulated PLCs bound to ``host`` (loopback by default)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        modbus_port: int = 5020,
        opcua_port: int = 4840,
        *,
        seed: int | None = None,
        speed: float = 1.0,
        step_s: float = 0.1,
        auto_recover_s: float | None = DEMO_AUTO_RECOVER_S,
        opcua_secure: bool = False,
        orders: bool = True,
        near_wrap: bool = False,
        retain: Path | None = None,
    ):
        if speed <= 0 or step_s <= 0:
            raise ValueError("speed and step_s must be positive")
        self.speed = speed
        self.step_s = step_s
        self.press = PressModel(
            seed, auto_recover_s=auto_recover_s, orders=orders, near_wrap=near_wrap
        )
        self.filler = FillerModel(
            None if seed is None else seed + 1,
            auto_recover_s=auto_recover_s,
            orders=orders,
            near_wrap=near_wrap,
        )
        self.modbus = PressModbusServer(self.press, host, modbus_port)
        self.opcua = FillerOpcUaServer(self.filler, host, opcua_port, secure=opcua_secure)
        self.stats = ScanStats()
        self.retain = retain
        self._retained_at = 0.0
        self._task: asyncio.Task[None] | None = None

    @property
    def modbus_address(self) -> str:
        return f"{self.modbus.host}:{self.modbus.port} (unit {self.modbus.unit})"

    @property
    def opcua_endpoint(self) -> str:
        return self.opcua.endpoint

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Open both servers and begin stepping; raises PlantError if a server cannot listen."""
        if self._task is not None:
            return
        for what, host, port in (
            ("Modbus", self.modbus.host, self.modbus.port),
            ("OPC UA", self.opcua.host, self.opcua.port),
        ):
            _check_free(what, host, port)
        try:
            await self.modbus.start()
            await self.opcua.start()
        except OSError as exc:
            await self._close_servers()
            raise PlantError(str(exc)) from exc
        self._restore()
        await self._publish()
        self._task = asyncio.create_task(
            run_periodic(self.step_s, self._tick, self.stats, name="plant"), name="plant"
        )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._keep()
        await self._close_servers()

    async def run(
        self, seconds: float | None = None, on_ready: Callable[[Plant], None] | None = None
    ) -> None:
        """Serve for ``seconds`` (forever if None); stops cleanly when cancelled."""
        async with self:
            if on_ready is not None:
                on_ready(self)
            if seconds is None:
                await asyncio.Event().wait()
            else:
                await asyncio.sleep(seconds)

    async def __aenter__(self) -> Plant:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _tick(self) -> None:
        seconds = self.step_s * self.speed
        self.press.advance(seconds)
        self.filler.advance(seconds)
        await self._publish()
        now = asyncio.get_running_loop().time()
        if now - self._retained_at >= RETAIN_EVERY_S:
            self._retained_at = now
            self._keep()

    def _restore(self) -> None:
        if self.retain is None or not self.retain.is_file():
            return
        try:
            memory = json.loads(self.retain.read_text(encoding="utf-8"))
            self.press.restore(memory.get("press", {}))
            self.filler.restore(memory.get("filler", {}))
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("simulated plant: retentive memory %s not read: %s", self.retain, exc)

    def _keep(self) -> None:
        if self.retain is None:
            return
        memory = {"press": self.press.retained(), "filler": self.filler.retained()}
        part = self.retain.with_name(self.retain.name + ".part")
        try:
            self.retain.parent.mkdir(parents=True, exist_ok=True)
            part.write_text(json.dumps(memory), encoding="utf-8")
            os.replace(part, self.retain)
        except OSError as exc:
            log.debug("simulated plant: retentive memory %s not written: %s", self.retain, exc)

    async def _publish(self) -> None:
        await self.modbus.publish()
        await self.opcua.publish()

    async def _close_servers(self) -> None:
        await self.modbus.stop()
        await self.opcua.stop()


def _check_free(what: str, host: str, port: int) -> None:
    """Fail early and quietly, before a server library logs its own bind error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise PlantError(f"{what} server cannot listen on {host}:{port}: {reason}") from exc


async def run_plant(
    host: str = "127.0.0.1",
    modbus_port: int = 5020,
    opcua_port: int = 4840,
    seconds: float | None = None,
    *,
    seed: int | None = None,
    speed: float = 1.0,
    on_ready: Callable[[Plant], None] | None = None,
    orders: bool = True,
    near_wrap: bool = False,
) -> None:
    """Serve the demo plant until ``seconds`` pass or the task is cancelled.

    Prints nothing; ``on_ready`` is called once both servers listen (to say where). A
    plant run by orders keeps its retentive memory in the data folder (one file per pair
    of ports); a free-running or near-wrap plant starts afresh each time.
    """
    plant = Plant(
        host,
        modbus_port,
        opcua_port,
        seed=seed,
        speed=speed,
        orders=orders,
        near_wrap=near_wrap,
        retain=retain_file(modbus_port, opcua_port) if orders and not near_wrap else None,
    )
    await plant.run(seconds, on_ready)


def retain_file(modbus_port: int, opcua_port: int) -> Path:
    """Where ``hmi sim`` keeps its PLCs' retentive memory."""
    return app_paths().data / f"simulated-plant-{modbus_port}-{opcua_port}.json"
