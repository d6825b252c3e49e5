"""Orders running on every line without touching the plant, for the gallery to draw the
running order panels (progress, rate, ETA, OEE) when the station's own lines are idle.

Starting an order at the station writes the order's data to the PLC, records the action
in the audit trail and queues MES events. A rehearsal does none of that: its service has
a store of its own in a temporary folder (deleted at ``close``), an ``Access`` that lets
the demo user act and keeps no record, and no PLC download (``on_started`` stays unset).
It takes the project's queue (the demo's ``orders.csv``, else the station's queue as
exported), starts the first order of each line and plays some minutes of production on
a clock of its own, which then stands still so every picture shows the same figures.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from hmi.core.access import Access
from hmi.core.orders.console import DEMO_ORDERS
from hmi.core.orders.model import MachineState, OrderState, StopKind
from hmi.core.orders.service import Orders
from hmi.core.store import Writer

USER = "demo"
PLAYED_S = 20 * 60.0  # production played before the pictures: rate and ETA settle
STEP_S = 5.0  # a counter reading each 5 s (the service credits at most 5 s of running a tick)
SPEED = 0.85  # of the ideal rate: OEE below 100 % as on a real line
#: of the good pieces, as scrap, as pieces the camera could not decide on, per billet
SHARES = {"scrap": 0.03, "uninspected": 0.015, "billets": 0.25}
STOP_AT_S, STOP_S = 8 * 60.0, 3 * 60.0  # one stop with its reason, longer than a micro-stop


class Rehearsal:
    """A throw-away ``Orders`` with an order running on each line (see the module)."""

    def __init__(self, project: Any, service: Any, *, played_s: float = PLAYED_S):
        self.folder = Path(tempfile.mkdtemp(prefix="linea-rehearsal-"))
        self.at = time.time() - played_s
        self.store = Writer(self.folder / "orders.db").start()
        self.service = Orders(
            service.config,
            self.store,
            Access(clock=self.clock),
            clock=self.clock,
            line_titles=getattr(service, "line_titles", None),
        )
        try:
            self.service.load()
            self._queue(Path(project.root), service)
            self.started = self._start()
            self._play(played_s)
        except BaseException:
            self.close()
            raise

    def clock(self) -> float:
        return self.at

    def _queue(self, root: Path, station: Any) -> None:
        path = root / DEMO_ORDERS
        if not path.is_file():  # another project: its own queue, as a file
            path = self.folder / "queue.csv"
            path.write_text(station.export("csv"), encoding="utf-8")
        self.service.import_unchecked(path, USER)

    def _start(self) -> list[Any]:
        started = []
        for line in self.service.config.lines:
            waiting = [o for o in self.service.queue(line) if o.state is OrderState.RELEASED]
            if waiting:
                started.append(self.service.start(waiting[0].number, USER))
                self.service.feed_state(line, MachineState.RUNNING)
        return started

    def _play(self, played_s: float) -> None:
        service, config = self.service, self.service.config
        made = {order.line: 0.0 for order in self.started}
        totals: dict[str, float] = {}
        for line in made:  # every counter's first reading: where counting starts
            for counter in config.lines[line].counters.values():
                totals[counter.tag] = 0.0
                service.feed_counter(line, counter.tag, 0)
        elapsed = 0.0
        while elapsed < played_s:
            elapsed += STEP_S
            self.at += STEP_S
            stopped = STOP_AT_S <= elapsed < STOP_AT_S + STOP_S
            for order in self.started:
                line = config.lines[order.line]
                service.feed_state(
                    order.line, MachineState.FAULT if stopped else MachineState.RUNNING
                )
                if not stopped:
                    made[order.line] += STEP_S * SPEED / (order.ideal_cycle_s or line.ideal_cycle_s)
                for role, counters in line.roles.items():
                    first = counters[0].tag  # a role of several tags: the first counts
                    totals[first] = made[order.line] * SHARES.get(role, 1.0)
                    service.feed_counter(order.line, first, int(totals[first]))
            service.tick()
        self._explain_stops()
        self.store.flush(10.0)

    def _explain_stops(self) -> None:
        reasons = self.service.config.reasons
        unplanned = [r for r in reasons if r.kind is StopKind.UNPLANNED] or list(reasons)
        if not unplanned:
            return
        for stop in self.service.unassigned_stops():
            self.service.assign_reason(stop.id, unplanned[0].key, USER)

    def close(self) -> None:
        try:
            self.service.close()
        finally:
            self.store.stop()
            shutil.rmtree(self.folder, ignore_errors=True)
