"""A plant of simulated lines publishing the Unified Namespace's retained topics straight
into the fleet model (``broker: simulated``): the demo shows a fleet with nothing to
install. The payloads are the ones a station sends to a broker, so they go through the
same reading as real ones.

Most lines run their order; a few are held, one waits for an order, some raise alarms
now and then, one has a device down and one station drops off (its last will) and comes
back.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .lines import STATIONS
from .model import FleetModel

#: sites, their areas and the lines' display names, in the order lines are made
LAYOUT = (
    ("turin", "extrusion", "Turin Press", "6060-T5 window frame"),
    ("turin", "anodising", "Turin Anodising", "6063 heat sink, anodised"),
    ("turin", "packaging", "Turin Packing", "Profile bundle 6 m"),
    ("brescia", "extrusion", "Brescia Press", "6082 profile 40x40"),
    ("brescia", "machining", "Brescia CNC", "Bracket 6082"),
    ("lyon", "filling", "Lyon Filler", "Still water 0.5 l"),
    ("lyon", "labelling", "Lyon Labeller", "Sparkling water 1 l"),
)
ALARMS = (
    (1, "Hydraulic oil temperature very high"),
    (2, "Die temperature low"),
    (3, "Run-out table full"),
    (4, "Lubrication due"),
)
TICK_S = 2.0
HEALTH_EVERY_S = 5.0


@dataclass
class SimulatedLine:
    root: str
    line: str
    station: str
    name: str
    product: str
    target: int
    good: float
    rate: float  # pieces a second while running
    state: str = "running"
    alarms: dict[str, int] = field(default_factory=dict)
    device: str = "ok"


class SimulatedPlant:
    """``count`` lines under ``enterprise``'s sites, published into ``model`` every tick."""

    def __init__(
        self,
        model: FleetModel,
        count: int = 12,
        enterprise: str = "acme",
        seed: int = 7,
        clock: Callable[[], float] = time.time,
    ):
        self.model = model
        self.clock = clock
        self.random = random.Random(seed)
        self.lines = self._make(count, enterprise)
        self.started = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._health_at = 0.0
        self.dropped: str | None = None  # the station off the broker now

    def _make(self, count: int, enterprise: str) -> list[SimulatedLine]:
        lines: list[SimulatedLine] = []
        for index in range(count):
            site, area, title, product = LAYOUT[index % len(LAYOUT)]
            number = index // len(LAYOUT) + 1
            target = self.random.choice((800, 1200, 2400, 5000))
            line = SimulatedLine(
                f"{enterprise}/{site}/{area}",
                f"line{number}",
                f"{site}-{area}-{number}",
                f"{title} {number}",
                product,
                target,
                good=self.random.uniform(0.05, 0.9) * target,
                rate=self.random.uniform(0.2, 1.5),
            )
            lines.append(line)
        # the abnormal few, so that the fleet shows what it is for
        abnormal = ("held", "none", "held", "none", "held", "none")
        for line, state in zip(lines[3::9], abnormal, strict=False):
            line.state = state
        for line, (priority, _) in zip(lines[1::7], ALARMS, strict=False):
            line.alarms[f"alarm{priority}"] = priority
        if len(lines) > 5:
            lines[5].device = "connection refused (192.168.10.21:502)"
        return lines

    def start(self) -> SimulatedPlant:
        self.publish_all()
        self._thread = threading.Thread(target=self._run, name="fleet-simulation", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(TICK_S):
            self.step(TICK_S)

    # -- what each tick does ------------------------------------------------------------

    def step(self, seconds: float) -> None:
        """Production moves on, an alarm comes or goes now and then, a station drops off
        the broker and comes back; health every ``HEALTH_EVERY_S``."""
        now = self.clock()
        for line in self.lines:
            if line.state == "running":
                line.good = min(line.target, line.good + line.rate * seconds)
                if line.good >= line.target:
                    line.good = 0.0  # the next order
            self._order(line)
        if self.lines and self.random.random() < 0.1:
            line = self.random.choice(self.lines)
            priority, _ = self.random.choice(ALARMS[1:])
            name = f"alarm{priority}"
            if name in line.alarms:
                del line.alarms[name]
            else:
                line.alarms[name] = priority
            self._alarms(line)
        if len(self.lines) > 8 and self.random.random() < 0.05:
            self._toggle_station(self.lines[8].station)
        if now - self._health_at >= HEALTH_EVERY_S:
            self._health_at = now
            for line in self.lines:
                if line.station != self.dropped:
                    self._health(line)

    def publish_all(self) -> None:
        for line in self.lines:
            self.send(f"{line.root}/{STATIONS}/{line.station}", {"online": True})
            self._health(line)
            self._order(line)
            self._alarms(line)
        self._health_at = self.clock()
        if len(self.lines) > 8:
            self._toggle_station(self.lines[8].station)

    def send(self, topic: str, payload: object) -> None:
        body = b"" if payload is None else json.dumps(payload).encode()
        self.model.receive(topic, body)

    def _toggle_station(self, station: str) -> None:
        line = next(line for line in self.lines if line.station == station)
        if self.dropped == station:
            self.dropped = None
            self.send(f"{line.root}/{STATIONS}/{station}", {"online": True})
            self._health(line)
        else:
            self.dropped = station
            self.send(f"{line.root}/{STATIONS}/{station}", {"online": False})  # its will

    def _health(self, line: SimulatedLine) -> None:
        payload = {
            "online": True,
            "station": line.station,
            "name": line.name,
            "version": "0.1.0",
            "uptime_s": round(self.clock() - self.started + 86400),
            "devices": {"plc": line.device},
            "backlog": 0 if line.device == "ok" else 37,
            "oee": {"oee": round(0.55 + 0.3 * (line.rate / 1.5), 3)},
            "ts": round(self.clock() * 1000),
        }
        self.send(f"{line.root}/{line.line}/health", payload)

    def _order(self, line: SimulatedLine) -> None:
        topic = f"{line.root}/{line.line}/orders/current"
        if line.state == "none":
            self.send(topic, None)
            return
        number = f"{line.station[:2].upper()}-{24000 + 37 * self.lines.index(line)}"
        order = {
            "number": number,
            "product": line.product,
            "state": line.state,
            "good": round(line.good),
            "scrap": round(line.good * 0.012),
            "target": line.target,
        }
        self.send(topic, order)

    def _alarms(self, line: SimulatedLine) -> None:
        for priority, message in ALARMS:
            name = f"alarm{priority}"
            topic = f"{line.root}/{line.line}/alarms/{name}"
            if name in line.alarms:
                self.send(topic, {"active": True, "acknowledged": priority > 2,
                                  "priority": priority, "message": message})  # fmt: skip
            else:
                self.send(topic, None)
