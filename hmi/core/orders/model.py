"""The production records' shared types: what the service keeps, the views show, the
report prints and the outbox carries. Plain frozen data, no behaviour beyond arithmetic.

Times are POSIX seconds (UTC); quantities are whole pieces (profiles, bottles) unless a
name says kg or m.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..outbox import OutboxEvent as OutboxEvent  # the outbox is the core's; named here too

#: the downtime key of stops nobody gave a reason yet (ShiftReport.downtime_by_reason)
UNASSIGNED = "unassigned"


class OrderState(StrEnum):
    """ISA-95 dispatch states of a work order at the line."""

    RELEASED = "released"  # in the line's queue, not started
    RUNNING = "running"  # the one order the line produces for now
    HELD = "held"  # started, paused (counts while held are kept apart, see Order.held_*)
    COMPLETED = "completed"
    ABORTED = "aborted"

    @property
    def closed(self) -> bool:
        return self in (OrderState.COMPLETED, OrderState.ABORTED)


#: the changes an operator or supervisor may make: action -> (from states, to state)
TRANSITIONS: dict[str, tuple[tuple[OrderState, ...], OrderState]] = {
    "start": ((OrderState.RELEASED,), OrderState.RUNNING),
    "hold": ((OrderState.RUNNING,), OrderState.HELD),
    "resume": ((OrderState.HELD,), OrderState.RUNNING),
    "complete": ((OrderState.RUNNING, OrderState.HELD), OrderState.COMPLETED),
    "abort": ((OrderState.RELEASED, OrderState.RUNNING, OrderState.HELD), OrderState.ABORTED),
}


class MachineState(StrEnum):
    """What the machine-state tag says, mapped by the project (``orders.lines.*.states``)."""

    RUNNING = "running"
    IDLE = "idle"
    FAULT = "fault"
    CHANGEOVER = "changeover"
    STARVED = "starved"  # waits for material from upstream
    BLOCKED = "blocked"  # waits for downstream to take its output
    NO_DATA = "no_data"  # the state tag is Bad: the PLC or the link is down

    @property
    def producing(self) -> bool:
        return self is MachineState.RUNNING


class StopKind(StrEnum):
    """How a reason counts in OEE: planned stops leave the planned busy time."""

    PLANNED = "planned"
    UNPLANNED = "unplanned"


@dataclass(frozen=True)
class Reason:
    """A leaf of the project's reason tree: ``kind`` → ``category`` → ``name``."""

    kind: StopKind
    category: str
    name: str
    #: the ISO 22400 / six-big-losses bucket it books to: breakdown, setup, small_stop,
    #: speed, startup_reject, production_reject, planned
    loss: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind.value}/{self.category}/{self.name}"


@dataclass(frozen=True)
class Order:
    """A work order as the line knows it. ``product`` holds the product data of the line
    type (extrusion: die, alloy, billet_length_mm, billet_weight_kg, weight_per_m_g,
    profile_length_m; filling: product, bottle_size_l); ``figures`` computes the rest."""

    number: str
    line: str
    target: int  # pieces (profiles, bottles)
    state: OrderState = OrderState.RELEASED
    product: dict[str, Any] = field(default_factory=dict)
    #: the MES's order of the queue; lower runs first; a supervisor may re-sequence
    sequence: int = 0
    #: ideal cycle time per piece in seconds (ISO 22400 PRI); 0: the line's default
    ideal_cycle_s: float = 0.0
    source: str = "manual"  # mes, import, manual, line (made at the line, MES unreachable)
    good: int = 0
    scrap: int = 0
    #: extrusion: billets pressed for this order (from the billet counter)
    billets: int = 0
    created: float = 0.0
    started: float | None = None
    ended: float | None = None
    #: running seconds of the line while this order was running (for the rate and ETA)
    run_seconds: float = 0.0
    #: pieces made that no camera decided on (its model or frame was missing): neither good
    #: nor scrap until someone looks at them, so they stay out of both
    uninspected: int = 0

    @property
    def produced(self) -> int:
        return self.good + self.scrap

    @property
    def remaining(self) -> int:
        return max(self.target - self.good, 0)

    @property
    def progress(self) -> float:
        """Good pieces as a share of the target, 0..1 (more than 1 when over-produced)."""
        return self.good / self.target if self.target > 0 else 0.0


@dataclass(frozen=True)
class OrderChange:
    """One state change of an order: who, when, why (the audit trail has it too)."""

    order: str
    action: str  # start, hold, resume, complete, abort, create, import, resequence
    state: OrderState
    user: str
    ts: float
    reason: str = ""


@dataclass(frozen=True)
class CountStep:
    """An increment of an order's count and the raw counter readings it came from."""

    line: str
    counter: str  # good, scrap, billets, or a source of its own (vision:cam1)
    delta: int
    raw_before: int | None
    raw_after: int | None
    #: count, wrap, reset (counted from 0), jump (flagged, not added), first (baseline)
    kind: str
    ts: float
    order: str | None = None


@dataclass(frozen=True)
class Stop:
    """A period the line did not produce, from the machine-state tag."""

    id: int
    line: str
    start: float
    end: float | None  # None: still stopped
    state: MachineState
    micro: bool = False  # shorter than the line's micro-stop threshold
    reason: Reason | None = None
    reason_by: str = ""
    comment: str = ""
    order: str | None = None

    @property
    def open(self) -> bool:
        return self.end is None

    def duration(self, now: float) -> float:
        return max((self.end if self.end is not None else now) - self.start, 0.0)


@dataclass(frozen=True)
class Scrap:
    order: str
    line: str
    quantity: int
    reason: str
    user: str
    ts: float
    kg: float = 0.0


@dataclass(frozen=True)
class Correction:
    """A count corrected by a person: the original stays, beside it what it should be."""

    order: str
    counter: str  # good or scrap
    before: int
    after: int
    user: str
    reason: str
    ts: float


@dataclass(frozen=True)
class ShiftSpan:
    """One shift of the calendar on one day."""

    name: str
    day: str  # ISO date the shift starts on
    start: float
    end: float

    @property
    def key(self) -> str:
        return f"{self.day}/{self.name}"


@dataclass(frozen=True)
class Oee:
    """ISO 22400-2 key performance indicators over a period (seconds, pieces).

    PBT planned busy time, APT actual production time, PRI the ideal time per piece
    (``ideal_time`` = PRI × produced), GQ good, SQ scrap. ``availability`` = APT / PBT,
    ``effectiveness`` = ideal_time / APT, ``quality`` = GQ / (GQ + SQ), ``oee`` their product;
    each None when its denominator is zero (no planned time, nothing produced).
    """

    planned_busy_time: float
    actual_production_time: float
    ideal_time: float
    good: int
    scrap: int
    availability: float | None
    effectiveness: float | None
    quality: float | None
    oee: float | None
    #: the six big losses in seconds of planned busy time: breakdown, setup, small_stop,
    #: speed, startup_reject, production_reject (they add up to PBT × (1 - OEE))
    losses: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ShiftReport:
    """What the shift report shows for one line and one shift (or any period)."""

    line: str
    line_title: str
    shift: ShiftSpan
    orders: list[Order]
    good: int
    scrap: int
    scrap_by_reason: dict[str, int]
    #: reason key ("unplanned/Mechanical/Die jam") or "unassigned" -> (stops, seconds)
    downtime_by_reason: dict[str, tuple[int, float]]
    micro_stops: tuple[int, float]
    oee: Oee
    alarm_counts: dict[str, int]  # priority name -> alarms raised in the shift
    stops: list[Stop] = field(default_factory=list)
    generated: float = 0.0
    #: order number -> (good, scrap) counted for it inside the period, so an order that ran
    #: across the period's edge is credited what it made in it; an order missing here is
    #: shown with its whole-order counts
    order_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: pieces counted uninspected in the period, in all and per order (as ``order_counts``)
    uninspected: int = 0
    order_uninspected: dict[str, int] = field(default_factory=dict)
