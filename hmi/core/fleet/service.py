"""``Fleet``: the model of the plant's lines, kept current from the broker (or the
simulated plant) and marked offline when a line goes silent; what the views read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .config import FleetConfig
from .lines import LineState
from .link import BrokerLink
from .model import FleetModel
from .simulation import SimulatedPlant

EXPIRE_EVERY_S = 1.0
SIMULATED_LINES = 12


class Fleet:
    """Start it, read ``lines()`` from any thread, ``watch`` for changes, stop it."""

    def __init__(
        self,
        config: FleetConfig,
        on_status: Callable[[str | None], None] = lambda problem: None,
        simulated_lines: int = SIMULATED_LINES,
        on_tick: Callable[[], None] = lambda: None,
        secrets: Any = None,
    ):
        self.config = config
        self.model = FleetModel(config.roots, config.lines, config.offline_after)
        self.link: BrokerLink | None = None
        self.plant: SimulatedPlant | None = None
        self._on_status = on_status
        self._simulated_lines = simulated_lines
        self._on_tick = on_tick
        self._secrets = secrets
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    @property
    def source(self) -> str:
        """Where the lines come from, for the page's header."""
        if self.config.simulated:
            return "simulated"
        return self.config.broker.where if self.config.broker is not None else ""

    @property
    def local(self) -> str:
        """The root this station's own lines are shown under ("" when they are not)."""
        return self.config.local

    @property
    def problem(self) -> str | None:
        """Why the fleet hears nothing now (the broker's connection), or None."""
        return self.model.link_problem

    def lines(self) -> list[LineState]:
        return self.model.lines()

    def line(self, key: str) -> LineState | None:
        return self.model.line(key)

    def watch(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self.model.watch(callback)

    def start(self) -> Fleet:
        if self.config.simulated:
            enterprise = next((r.split("/")[0] for r in self.config.roots), "acme")
            enterprise = "acme" if enterprise == "+" else enterprise
            self.plant = SimulatedPlant(self.model, self._simulated_lines, enterprise).start()
            self._on_status(None)
        elif self.config.broker is not None:
            self.link = BrokerLink(
                self.config.broker, self.model, self._on_status, self._secrets
            ).start()
        self._ticker = threading.Thread(target=self._expire, name="fleet-expiry", daemon=True)
        self._ticker.start()
        return self

    def _expire(self) -> None:
        while not self._stop.wait(EXPIRE_EVERY_S):
            self.model.expire()
            self._on_tick()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self.plant is not None:
            self.plant.stop(timeout)
        if self.link is not None:
            self.link.stop(timeout)
        if self._ticker is not None:
            self._ticker.join(timeout)
