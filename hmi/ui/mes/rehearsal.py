"""What ``hmi gallery`` draws the MES views over: a plant MES offline for twelve minutes
with a backlog of a busy line, two events it refused and two released orders the station
refused. It answers the questions
the views ask like the service does, from figures made here; it keeps no store and sends
nothing, so the pictures never touch the station's records."""

from __future__ import annotations

import time
from typing import Any

from hmi.core.mes import MesError, Quarantined, RefusedOrder, RetryResult, Status
from hmi.core.outbox import OutboxEvent

from .page import Answer

TARGET = "plant_mes"
OFFLINE_S = 12 * 60 + 20
BACKLOG = 3420
ERROR = "cannot connect to mes.plant.example:443: connection refused"
REFUSED = (
    ("4711-002", 118, "scrap", {"line": "line1", "reason": "Die mark", "pieces": 3},
     "422: unknown scrap reason 'Die mark' for this product"),
    ("4711-002", 131, "count", {"line": "line1", "good": 12, "scrap": 0},
     "409: order 4711-002 is closed in the MES"),
)  # fmt: skip
ORDERS_REFUSED = (
    ("4711-009", "line1", "download",
     "unknown product field 'colour' for line1; expected die, alloy, billet_weight_kg"),
    ("4711-003", "line1", "change",
     "order 4711-003 is running on line1 since 2026-12-04 05:58: a started order is never "
     "changed; the MES's change is not applied"),
)  # fmt: skip


class RehearsedMes:
    """The few questions of ``Mes`` the views ask, answered with the figures above."""

    def __init__(self) -> None:
        self.started = time.time()
        self.deliveries: dict[str, Any] = {TARGET: None}
        self.orders_from = TARGET

    def status(self) -> list[Status]:
        now = time.time()
        offline = OFFLINE_S + (now - self.started)
        return [Status(TARGET, "failing", BACKLOG, offline, now - offline, ERROR, len(REFUSED))]

    def refused_orders(self) -> list[RefusedOrder]:
        now = time.time()
        return [
            RefusedOrder(TARGET, number, line, refused, reason, now - 600 - n * 1500)
            for n, (number, line, refused, reason) in enumerate(ORDERS_REFUSED)
        ]

    def quarantined(self, target: str) -> list[Quarantined]:
        if target != TARGET:
            return []
        now = time.time()
        rows = []
        for n, (stream, seq, kind, payload, reason) in enumerate(REFUSED):
            ts = now - OFFLINE_S - 3600 + n * 900
            event = OutboxEvent(900 + n, f"rehearsal-{n}", stream, seq, kind, payload, ts)
            rows.append(
                Quarantined(TARGET, event, event.id, event.key, stream, seq, kind, reason,
                            1 + n, ts + 2, ts + 2)
            )  # fmt: skip
        return rows

    def retry(self, target: str, ids: Any, user: str) -> RetryResult:
        raise MesError("a rehearsal for the gallery: nothing is sent")

    def discard(self, target: str, ids: Any, user: str, reason: str) -> int:
        raise MesError("a rehearsal for the gallery: nothing is discarded")

    def export(self, target: str, path: Any, user: str) -> int:
        raise MesError("a rehearsal for the gallery: nothing is written")


class Rehearsal:
    def __init__(self) -> None:
        self.service = RehearsedMes()

    @property
    def statuses(self) -> list[Status]:
        return self.service.status()

    def answer(self, target: str) -> Answer:
        """What the page's refresh would bring, at once (the picture is drawn now)."""
        service = self.service
        return target, service.status(), service.quarantined(target), service.refused_orders()

    def close(self) -> None:
        pass
