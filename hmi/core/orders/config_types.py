"""The ``orders:`` section as read: line types, the settings' dataclasses and limits, and
the small readings shared by the section's parts (losses, rates, counter widths)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..project.fields import as_number
from ..project.limits import DAY, YEAR, DurationRange, WholeRange
from ..project.models import DataType
from .calendar import ShiftCalendar
from .model import MachineState, Reason, StopKind

#: the product fields an order of each line type carries
LINE_TYPES: dict[str, tuple[str, ...]] = {
    "extrusion": (
        "die",
        "alloy",
        "billet_length_mm",
        "billet_weight_kg",
        "weight_per_m_g",
        "profile_length_m",
    ),
    "filling": ("product", "bottle_size_l"),
}
TEXT_FIELDS = frozenset({"number", "die", "alloy", "product"})  # the rest are numbers
ORDER_FIELDS = ("number", "target", "ideal_cycle_s")  # any line type downloads these
DOWNLOAD_ALIASES = {"die_number": "die", "order": "number", "order_number": "number"}
COUNTER_ROLES = ("good", "scrap", "uninspected", "billets")
#: the roles a filling line counts (it has no billets)
FILLING_ROLES = ("good", "scrap", "uninspected")
#: the width a system tag counter (a camera's decisions) is taken to have: it only grows
SYSTEM_COUNTER_BITS = 64
LOSSES = ("breakdown", "setup", "small_stop", "speed", "startup_reject", "production_reject")
PLANNED_LOSS = "planned"
SETUP_WORDS = ("setup", "set-up", "set up", "changeover", "change-over", "change over")
#: the states a project maps values and flags to (no_data is the tag being Bad)
STATE_NAMES = tuple(s.value for s in MachineState if s is not MachineState.NO_DATA)

SECTION_FIELDS = (
    "micro_stop",
    "lines",
    "reasons",
    "scrap_reasons",
    "startup_scrap",
    "calendar",
    "report",
)
LINE_FIELDS = ("type", "ideal_cycle", "counters", "state", "micro_stop", "download")
COUNTER_FIELDS = ("tag", "max_rate", "max_jump", "bits")
STATE_FIELDS = ("tag", "values", "flags", "default", *STATE_NAMES)
CALENDAR_FIELDS = ("timezone", "shifts", "days", "holidays", "planned_downtime")
SHIFT_FIELDS = ("name", "start", "end", "breaks", "days")
BREAK_FIELDS = ("at", "length")
DOWNTIME_FIELDS = ("line", "start", "end", "reason")
REPORT_FIELDS = ("at_shift_end", "keep")

MICRO_STOP = DurationRange(0.0, 3600.0, "2m")
IDEAL_CYCLE = DurationRange(0.001, DAY, "40s")
BREAK_LENGTH = DurationRange(1.0, 12 * 3600.0, "15m")
REPORT_KEEP = DurationRange(DAY, 100 * YEAR, "400d")
MAX_JUMP = WholeRange(1, 1_000_000_000)
COUNTER_BITS = WholeRange(1, 64)
MAX_RATE = 1_000_000.0  # pieces per second; more is a typing mistake
DEFAULT_MICRO_STOP = 120.0
DEFAULT_MAX_JUMP = 1000
DEFAULT_KEEP = 400 * DAY
TYPE_BITS = {"16": 16, "32": 32, "64": 64}

_RATE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?\d+)?)\s*(?:/\s*([a-zA-Z]+))?\s*$")
_RATE_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class CounterConfig:
    """A counter tag (a PLC's, or a capability's system tag such as a camera's ``good``):
    ``role`` good, scrap, uninspected or billets; steps above ``max_jump`` + ``max_rate``
    × elapsed seconds are flagged, not counted."""

    role: str
    tag: str
    modulus: int = 2**32
    max_jump: int = DEFAULT_MAX_JUMP
    max_rate: float = 0.0


@dataclass(frozen=True)
class StateConfig:
    """How the line's state is read: ``values`` of ``tag`` mapped to states, and bool
    ``flags`` tags that say a state while true; ``default`` for a value not mapped."""

    tag: str | None
    values: dict[Any, MachineState] = field(default_factory=dict)
    flags: dict[MachineState, str] = field(default_factory=dict)
    default: MachineState = MachineState.IDLE


@dataclass(frozen=True)
class LineConfig:
    """One line's production settings; ``download`` maps an order field (``number``,
    ``target``, ``ideal_cycle_s`` or a product field of its type) to a writable tag."""

    id: str
    title: str
    type: str
    ideal_cycle_s: float
    #: each counter tag -> how it counts (its role inside); a role may have several tags
    counters: dict[str, CounterConfig] = field(default_factory=dict)
    state: StateConfig | None = None
    micro_stop_s: float = DEFAULT_MICRO_STOP
    download: dict[str, str] = field(default_factory=dict)

    @property
    def product_fields(self) -> tuple[str, ...]:
        return LINE_TYPES.get(self.type, ())

    @property
    def roles(self) -> dict[str, tuple[CounterConfig, ...]]:
        """Role -> its counters, in the order written; their steps add up in the role."""
        out: dict[str, tuple[CounterConfig, ...]] = {}
        for counter in self.counters.values():
            out[counter.role] = (*out.get(counter.role, ()), counter)
        return out

    @property
    def tags(self) -> set[str]:
        """Every tag the line's counting and downtime read."""
        names = {c.tag for c in self.counters.values()}
        if self.state is not None:
            names.update(self.state.flags.values())
            if self.state.tag is not None:
                names.add(self.state.tag)
        return names


@dataclass(frozen=True)
class OrdersConfig:
    """The ``orders:`` section as read; what was wrong in it is left out."""

    lines: dict[str, LineConfig] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    scrap_reasons: tuple[str, ...] = ()
    startup_scrap: frozenset[str] = frozenset()
    calendar: ShiftCalendar = field(default_factory=ShiftCalendar.from_config)
    report_at_shift_end: bool = True
    report_keep_s: float = DEFAULT_KEEP

    def reason(self, key: str) -> Reason | None:
        """The reason with ``key`` (``unplanned/Mechanical/Die jam``), or named ``key``
        (names are unique in a project)."""
        for reason in self.reasons:
            if reason.key == key:
                return reason
        folded = key.casefold()
        for reason in self.reasons:
            if reason.name.casefold() == folded:
                return reason
        return None

    def tree(self) -> dict[StopKind, dict[str, list[Reason]]]:
        """Kind -> category -> reasons, in the order written: the reason picker's pages."""
        out: dict[StopKind, dict[str, list[Reason]]] = {}
        for reason in self.reasons:
            out.setdefault(reason.kind, {}).setdefault(reason.category, []).append(reason)
        return out


def default_loss(kind: StopKind, category: str) -> str:
    """The loss a reason books to when the project names none."""
    if kind is StopKind.PLANNED:
        return PLANNED_LOSS
    return "setup" if any(w in category.casefold() for w in SETUP_WORDS) else "breakdown"


def parse_rate(value: Any) -> float | None:
    """Pieces per second from ``5/s``, ``300/min``, ``18000/h`` or a number (per second)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = as_number(value)
        return number if number is not None and 0 < number <= MAX_RATE else None
    if not isinstance(value, str) or not (match := _RATE.match(value)):
        return None
    unit = (match[2] or "s").lower()
    if unit not in _RATE_UNITS:
        return None
    rate = float(match[1]) / _RATE_UNITS[unit]
    return rate if 0 < rate <= MAX_RATE else None


def type_bits(data_type: DataType) -> int:
    return TYPE_BITS.get(data_type.value[-2:], 32)
