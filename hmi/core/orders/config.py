"""The ``orders:`` section of a project: lines, counters, machine states, reasons, calendar.

```yaml
orders:
  micro_stop: 2m            # a stop shorter than this is a micro-stop (0: none)
  lines:
    line1:                  # a line of project: lines:
      type: extrusion       # extrusion | filling: the product data an order carries
      ideal_cycle: 40s      # ideal time per piece (ISO 22400 PRI) unless the order says
      counters:             # integer tags; good is needed, scrap and billets (extrusion) not
        good: line1.profile_count
        scrap: {tag: line1.scrap_count, max_rate: 5/s, max_jump: 100, bits: 32}
        billets: line1.billet_count
      state:
        tag: line1.state    # an integer, bool or text tag
        values: {2: running, 1: idle, 0: idle, 3: fault, 4: changeover}
        starved: line1.infeed_starved     # bool tags that say a state when true
        blocked: line1.outfeed_blocked    # (or under flags: {starved: ..., blocked: ...})
        default: idle       # a value not listed
      micro_stop: 90s
      download:             # written to the PLC when an order starts: writable tags
        die: line1.die_number             # die_number is taken for die
        target: line1.order_target
  reasons:                  # planned | unplanned -> category -> reasons
    planned:
      Changeover: [Die change, Alloy change]
    unplanned:
      Mechanical: [Die jam, {Slow ram: speed}]   # a reason may name its loss
      Setup: {Die trial: setup, Adjustments: }   # or a category maps names to losses
  scrap_reasons: [Surface defect, Start-up scrap]
  startup_scrap: [Start-up scrap]
  calendar:
    timezone: Europe/Rome   # default: the PC's zone
    shifts:                 # none: one shift round the clock
      - {name: Morning, start: "06:00", end: "14:00", breaks: [{at: "10:00", length: 15m}]}
      - {name: Night, start: "22:00", end: "06:00", days: [mon-fri]}
    days: [mon-sat]         # days a shift may start on (default: every day)
    holidays: ["2026-12-25"]
    planned_downtime:
      - {line: line1, start: "2026-12-10 06:00", end: "2026-12-10 10:00", reason: Maintenance}
  report: {at_shift_end: true, keep: 400d}
```

A planned reason books to the ``planned`` loss (out of planned busy time); an unplanned
one to ``breakdown``, or ``setup`` when its category says setup or changeover, unless it
names one of the six losses itself. Counters wrap at ``2**bits`` (default: the width of
the tag's type); ``max_rate`` (default twice the ideal rate) and ``max_jump`` bound the
step that counts as production, a bigger one is flagged, not added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..project.fields import Fields, as_number
from ..project.limits import DAY, YEAR, DurationRange, WholeRange
from ..project.models import DataType, Problem, Project, Section, TagConfig
from ..project.problems import internal_fault
from ..project.yamlsrc import line_of
from ..words import describe_value, did_you_mean, parse_flag, shorten
from .calendar import (
    WEEKDAYS,
    Break,
    PlannedDowntime,
    Shift,
    ShiftCalendar,
    clock,
    overlaps,
    zone,
)
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
COUNTER_ROLES = ("good", "scrap", "billets")
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
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_WHEN = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


@dataclass(frozen=True)
class CounterConfig:
    """A PLC counter tag: ``role`` good, scrap or billets; steps above ``max_jump`` +
    ``max_rate`` × elapsed seconds are flagged, not counted."""

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
    counters: dict[str, CounterConfig] = field(default_factory=dict)
    state: StateConfig | None = None
    micro_stop_s: float = DEFAULT_MICRO_STOP
    download: dict[str, str] = field(default_factory=dict)

    @property
    def product_fields(self) -> tuple[str, ...]:
        return LINE_TYPES.get(self.type, ())

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


def orders_problems(project: Project) -> list[Problem]:
    """Every problem of the ``orders:`` section, for ``hmi check``."""
    return read_orders(project)[1]


def read_orders(project: Project) -> tuple[OrdersConfig | None, list[Problem]]:
    """The section as an ``OrdersConfig`` (None when the project has none) and its
    problems; never raises, whatever the file holds."""
    section = project.extra.get("orders")
    if section is None:
        return None, []
    if not isinstance(section, Section):
        section = Section("orders", section, project.source)
    reader = _Reader(project, section)
    try:
        config = reader.read()
    except Exception as error:  # never a traceback for a project file
        reader.top.problem(None, internal_fault("the orders section", error))
        config = OrdersConfig(calendar=ShiftCalendar.from_config(timezone=None))
    return config, sorted(reader.problems, key=lambda p: p.source.line)


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


class _Reader:
    def __init__(self, project: Project, section: Section):
        self.project = project
        self.section = section
        self.problems: list[Problem] = []
        data = section.data if isinstance(section.data, Mapping) else {}
        source = section.source
        self.top = Fields(self.problems.append, data, source.file, source.line, "orders")
        self.counted: dict[str, str] = {}  # counter tag -> "line1 good", to find it twice

    def read(self) -> OrdersConfig:
        top = self.top
        if not isinstance(self.section.data, Mapping):
            top.problem(
                None, f"expected a mapping with lines:, got {describe_value(self.section.data)}"
            )
            return OrdersConfig(calendar=ShiftCalendar.from_config())
        top.unknown_keys(SECTION_FIELDS)
        micro_stop = top.duration("micro_stop", DEFAULT_MICRO_STOP, within=MICRO_STOP)
        reasons = self.reasons()
        scrap_reasons = self.names(top, "scrap_reasons")
        startup = self.startup_scrap(scrap_reasons)
        calendar = self.calendar(reasons)
        at_end, keep = self.report()
        return OrdersConfig(
            lines=self.lines(micro_stop),
            reasons=tuple(reasons),
            scrap_reasons=tuple(scrap_reasons),
            startup_scrap=frozenset(startup),
            calendar=calendar,
            report_at_shift_end=at_end,
            report_keep_s=keep,
        )

    # -- helpers -------------------------------------------------------------------------

    def item(self, fields: Fields, key: str, values: list, index: int, label: str) -> Fields:
        """Where item ``index`` of the list under ``key`` is, to report against."""
        line = line_of(values, index, fields.line_of(key))
        entry = Fields(fields.report, {}, fields.file, line, label)
        entry.parent = fields
        return entry

    def mapping(self, fields: Fields, key: str, value: Any, example: str) -> Fields | None:
        if isinstance(value, Mapping):
            return fields.nested(key, value, f"{fields.label}: {key}")
        fields.wrong(key, f"a mapping such as {example}")
        return None

    def listed(self, fields: Fields, key: str, example: str) -> list | None:
        """The list under ``key`` (None if absent or not a list, the latter reported)."""
        value = fields.get(key)
        if value is None:
            return None
        if isinstance(value, list):
            return value
        fields.wrong(key, f"a list such as {example}")
        return None

    def entries(
        self, fields: Fields, key: str, label: str, example: str, expected: str
    ) -> Iterator[Fields]:
        """Each mapping in the list under ``key``, read as fields labelled ``label[n]``;
        an item that is no mapping is reported as not ``expected``."""
        values = self.listed(fields, key, f"[{example}]") or []
        for index, value in enumerate(values):
            line = line_of(values, index, fields.line_of(key))
            entry = Fields(fields.report, {}, fields.file, line, f"{label}[{index + 1}]")
            entry.parent = fields
            if not isinstance(value, Mapping):
                entry.problem(None, f"expected {expected}, got {describe_value(value)}")
                continue
            entry.data = value
            yield entry

    def tag(self, fields: Fields, key: Any, value: Any, what: str) -> TagConfig | None:
        """The tag named by ``value``; an unknown one is reported with a hint."""
        if not isinstance(value, str) or not value.strip():
            fields.problem(key, f"{what}: expected a tag name, got {describe_value(value)}")
            return None
        name = value.strip()
        tag = self.project.tags.get(name)
        if tag is None:
            hint = did_you_mean(name, self.project.tags, "tags", listed=0)
            fields.unknown(
                key,
                f"{what}: unknown tag '{shorten(name)}'; {hint}",
                self.project.missing_tag_explained(name),
            )
        return tag

    def names(self, fields: Fields, key: str) -> list[str]:
        """A list of distinct texts (scrap reasons); each wrong or repeated one reported."""
        values = self.listed(fields, key, "[Surface defect, Wrong length]")
        out: list[str] = []
        seen: dict[str, int] = {}
        for index, value in enumerate(values or []):
            entry = self.item(fields, key, values or [], index, fields.label)
            name = _text(value)
            if name is None:
                entry.problem(None, f"{key}: expected a name, got {describe_value(value)}")
                continue
            if name.casefold() in seen:
                entry.problem(
                    None,
                    f"{key}: '{shorten(name)}' is listed twice (first at line "
                    f"{seen[name.casefold()]}); remove one",
                )
                continue
            seen[name.casefold()] = entry.line
            out.append(name)
        return out

    # -- lines ---------------------------------------------------------------------------

    def lines(self, micro_stop: float) -> dict[str, LineConfig]:
        top = self.top
        if top.get("lines") is None:
            top.problem(
                None,
                "lines: missing; name each line of project: lines: with its counters "
                "and state, e.g. lines: {line1: {type: extrusion, ideal_cycle: 40s, ...}}",
            )
            return {}
        fields = top.child("lines", "{line1: {type: extrusion, ideal_cycle: 40s}}")
        if fields is None:
            return {}
        out: dict[str, LineConfig] = {}
        for key, value in fields.data.items():
            name = str(key)
            if name not in self.project.lines:
                hint = did_you_mean(name, self.project.lines, "lines")
                fields.problem(
                    key,
                    f"unknown line '{shorten(name)}'; {hint} (lines are named under "
                    "project: lines:)",
                )
                continue
            if not isinstance(value, Mapping):
                fields.wrong(key, "a mapping with type:, ideal_cycle:, counters: and state:")
                continue
            line = self.line(fields.nested(key, value, f"orders: lines: {name}"), name, micro_stop)
            if line is not None:
                out[name] = line
        return out

    def line(self, fields: Fields, name: str, micro_stop: float) -> LineConfig | None:
        fields.unknown_keys(LINE_FIELDS)
        kind = fields.choice("type", tuple(LINE_TYPES))
        if kind is None and fields.get("type") is None:
            fields.problem(None, f"type: missing; one of {', '.join(LINE_TYPES)}")
        cycle = fields.duration("ideal_cycle", within=IDEAL_CYCLE)
        if cycle is None and fields.get("ideal_cycle") is None:
            fields.problem(None, "ideal_cycle: missing; the ideal time per piece, e.g. 40s")
        counters = self.counters(fields, name, kind, cycle)
        state = self.state(fields)
        micro = fields.duration("micro_stop", micro_stop, within=MICRO_STOP)
        download = self.download(fields, kind)
        if kind is None or cycle is None:
            return None
        title = str(self.project.lines.get(name) or name)
        return LineConfig(name, title, kind, cycle, counters, state, micro, download)

    def counters(
        self, parent: Fields, line: str, kind: str | None, cycle: float | None
    ) -> dict[str, CounterConfig]:
        if parent.get("counters") is None:
            return {}
        fields = parent.child("counters", "{good: line1.profile_count, scrap: line1.scrap_count}")
        if fields is None:
            return {}
        roles = COUNTER_ROLES if kind != "filling" else ("good", "scrap")
        fields.unknown_keys(roles, "counters", "counter")
        if "good" not in fields.data:
            fields.problem(None, "good: missing; the tag that counts good pieces")
        rate = 2.0 / cycle if cycle else 0.0  # twice the ideal rate
        out: dict[str, CounterConfig] = {}
        for role in roles:
            value = fields.data.get(role)
            if value is None:
                continue
            counter = self.counter(fields, role, value, line, rate)
            if counter is not None:
                out[role] = counter
        return out

    def counter(
        self, fields: Fields, role: str, value: Any, line: str, rate: float
    ) -> CounterConfig | None:
        entry = fields
        if isinstance(value, Mapping):
            entry = fields.nested(role, value, f"{fields.label}: {role}")
            entry.unknown_keys(COUNTER_FIELDS)
            if entry.get("tag") is None:
                entry.problem(None, "tag: missing; the counter's tag")
                return None
            key, name = "tag", value.get("tag")
        else:
            key, name = role, value
        tag = self.tag(entry, key, name, role)
        if tag is None:
            return None
        if not tag.data_type.integer:
            entry.problem(
                key,
                f"{role}: tag '{tag.name}' is {tag.data_type.value}; a counter must be an "
                "integer tag (int16, uint16, int32, uint32, int64 or uint64)",
            )
            return None
        first = self.counted.setdefault(tag.name, f"{line} {role}")
        if first != f"{line} {role}":
            entry.problem(
                key,
                f"{role}: tag '{tag.name}' already counts {first}; a piece would be counted twice",
            )
            return None
        width = type_bits(tag.data_type)
        bits, jump, max_rate = width, DEFAULT_MAX_JUMP, rate
        if entry is not fields:
            bits = entry.count("bits", COUNTER_BITS) or width
            if bits > width:
                entry.problem(
                    "bits",
                    f"bits: {bits} is more than the {width} bits of "
                    f"{tag.data_type.value}; use {width} or fewer",
                )
                bits = width
            jump = entry.count("max_jump", MAX_JUMP) or DEFAULT_MAX_JUMP
            given = entry.converted(
                "max_rate", parse_rate, "pieces per time above 0, e.g. 5/s, 300/min or 18000/h"
            )
            max_rate = given if given is not None else rate
        return CounterConfig(role, tag.name, 2**bits, jump, max_rate)

    def state(self, parent: Fields) -> StateConfig | None:
        value = parent.get("state")
        if value is None:
            return None
        if isinstance(value, str):  # a bool tag alone: true is running
            value = {"tag": value}
        fields = self.mapping(parent, "state", value, "{tag: line1.state, values: {2: running}}")
        if fields is None:
            return None
        fields.unknown_keys(STATE_FIELDS)
        tag = None
        if fields.get("tag") is not None:
            tag = self.tag(fields, "tag", fields.get("tag"), "tag")
            if tag is not None and tag.data_type not in _STATE_TYPES:
                fields.problem(
                    "tag",
                    f"tag: '{tag.name}' is {tag.data_type.value}; a state tag is an "
                    "integer, bool or string tag",
                )
                tag = None
        flags = self.flags(fields)
        values = self.values(fields, tag)
        default = fields.data.get("default")
        state_default = MachineState.IDLE
        if default is not None:
            state_default = self.state_name(fields, "default", default) or state_default
        if fields.get("tag") is None and not flags and not fields.failed:
            fields.problem(
                None,
                "expected tag: (with values:) or flag tags such as starved: "
                f"line2.infeed_starved; the states are {', '.join(STATE_NAMES)}",
            )
        if fields.failed:
            return None
        return StateConfig(tag.name if tag else None, values, flags, state_default)

    def state_name(self, fields: Fields, key: Any, value: Any) -> MachineState | None:
        name = _text(value)
        if name is not None and name.lower() in STATE_NAMES:
            return MachineState(name.lower())
        shown = shorten(name) if name is not None else describe_value(value)
        hint = did_you_mean(shown, STATE_NAMES, "states")
        fields.problem(key, f"{key}: unknown state '{shown}'; {hint}")
        return None

    def values(self, fields: Fields, tag: TagConfig | None) -> dict[Any, MachineState]:
        value = fields.get("values")
        if value is None:
            if tag is not None and tag.data_type is DataType.BOOL:
                return {True: MachineState.RUNNING, False: MachineState.IDLE}
            if tag is not None:
                fields.problem(
                    "tag",
                    "values: missing; map the tag's values to states, e.g. "
                    "{2: running, 1: idle, 3: fault, 4: changeover}",
                )
            return {}
        if fields.get("tag") is None:
            fields.problem("values", "values: there is no tag: whose values they map")
            return {}
        values = self.mapping(fields, "values", value, "{2: running, 1: idle, 3: fault}")
        if values is None or tag is None:
            return {}
        out: dict[Any, MachineState] = {}
        for raw, name in values.data.items():
            key = _state_key(raw, tag.data_type)
            if key is None:
                kind = "true or false" if tag.data_type is DataType.BOOL else "a whole number"
                values.problem(
                    raw,
                    f"'{shorten(raw)}': expected {kind}, the values of {tag.data_type.value} "
                    f"tag '{tag.name}'",
                )
                continue
            state = self.state_name(values, raw, name)
            if state is None:
                continue
            if key in out:
                values.problem(raw, f"the value {shorten(raw)} is mapped twice")
                continue
            out[key] = state
        return out

    def flags(self, fields: Fields) -> dict[MachineState, str]:
        given: list[tuple[Fields, str, Any]] = [
            (fields, name, fields.data[name]) for name in STATE_NAMES if name in fields.data
        ]
        if fields.get("flags") is not None:
            nested = fields.child("flags", "{starved: line2.infeed_starved}")
            if nested is not None:
                nested.unknown_keys(STATE_NAMES, "states", "state")
                given += [(nested, n, nested.data[n]) for n in STATE_NAMES if n in nested.data]
        out: dict[MachineState, str] = {}
        for where, name, value in given:
            tag = self.tag(where, name, value, name)
            if tag is None:
                continue
            if tag.data_type is not DataType.BOOL:
                where.problem(
                    name,
                    f"{name}: tag '{tag.name}' is {tag.data_type.value}; "
                    "a state flag is a bool tag",
                )
                continue
            if MachineState(name) in out:
                where.problem(name, f"{name}: the flag is given twice; keep one")
                continue
            out[MachineState(name)] = tag.name
        return out

    def download(self, parent: Fields, kind: str | None) -> dict[str, str]:
        if parent.get("download") is None:
            return {}
        fields = parent.child("download", "{target: line1.order_target}")
        if fields is None:
            return {}
        # a line of no known type: any product field may be right
        products = LINE_TYPES[kind] if kind in LINE_TYPES else sum(LINE_TYPES.values(), ())
        known = (*ORDER_FIELDS, *products)
        out: dict[str, str] = {}
        for key, value in fields.data.items():
            name = DOWNLOAD_ALIASES.get(str(key), str(key))
            if name not in known:
                aliases = [a for a, field in DOWNLOAD_ALIASES.items() if field in known]
                hint = did_you_mean(str(key), [*known, *aliases], "order fields")
                fields.problem(key, f"unknown order field '{shorten(key)}'; {hint}")
                continue
            tag = self.tag(fields, key, value, str(key))
            if tag is None:
                continue
            if not tag.writable:
                fields.problem(
                    key,
                    f"{key}: tag '{tag.name}' is not writable; write "
                    "writable: true on the tag, or leave it out",
                )
            elif tag.data_type is DataType.BOOL or (
                name not in TEXT_FIELDS and not tag.data_type.numeric
            ):
                expected = "a text or number" if name in TEXT_FIELDS else "a number"
                fields.problem(
                    key,
                    f"{key}: tag '{tag.name}' is {tag.data_type.value}; "
                    f"{name} needs {expected} tag",
                )
            elif name in out:
                fields.problem(key, f"{key}: {name} is downloaded twice; keep one")
            else:
                out[name] = tag.name
        return out

    # -- reasons -------------------------------------------------------------------------

    def reasons(self) -> list[Reason]:
        top = self.top
        if top.get("reasons") is None:
            return []
        fields = top.child("reasons", "{unplanned: {Mechanical: [Die jam]}}")
        if fields is None:
            return []
        fields.unknown_keys(tuple(k.value for k in StopKind), "kinds of stop", "kind of stop")
        out: list[Reason] = []
        seen: dict[str, tuple[str, int]] = {}  # folded name -> where it was written
        for kind in StopKind:
            if fields.get(kind.value) is None:
                continue
            categories = fields.child(kind.value, "{Mechanical: [Die jam, Puller fault]}")
            if categories is None:
                continue
            for category, value in categories.data.items():
                out += self.category(categories, kind, category, value, seen)
        return out

    def category(
        self,
        fields: Fields,
        kind: StopKind,
        key: Any,
        value: Any,
        seen: dict[str, tuple[str, int]],
    ) -> list[Reason]:
        name = _text(key)
        if name is None or "/" in name:
            fields.problem(key, f"category '{shorten(key)}': write a name without '/'")
            return []
        entries: list[tuple[Fields, Any, Any]] = []  # where, name as written, loss
        label = f"{fields.label}: {name}"
        if isinstance(value, Mapping):
            nested = fields.nested(key, value, label)
            entries = [(_at(nested, reason), reason, loss) for reason, loss in value.items()]
        elif isinstance(value, list):
            for index, item in enumerate(value):
                where = self.item(fields, key, value, index, label)
                if isinstance(item, Mapping) and len(item) == 1:
                    [(reason, loss)] = item.items()
                    entries.append((where, reason, loss))
                else:
                    entries.append((where, item, None))
        else:
            fields.wrong(str(key), "a list of reasons such as [Die jam, Puller fault]")
            return []
        if not entries:
            fields.problem(key, f"{name}: no reasons; list at least one, or remove the category")
            return []
        out = []
        for where, written, loss in entries:
            reason = self.reason(where, kind, name, written, loss, seen)
            if reason is not None:
                out.append(reason)
        return out

    def reason(
        self,
        where: Fields,
        kind: StopKind,
        category: str,
        written: Any,
        loss: Any,
        seen: dict[str, tuple[str, int]],
    ) -> Reason | None:
        name = _text(written)
        if name is None:
            where.problem(None, f"expected a reason name, got {describe_value(written)}")
            return None
        if "/" in name:
            where.problem(None, f"reason '{shorten(name)}': write a name without '/'")
            return None
        first = seen.get(name.casefold())
        if first is not None:
            where.problem(
                None,
                f"reason '{shorten(name)}' is already in {first[0]} (line {first[1]}); "
                "a reason belongs to one category, rename one",
            )
            return None
        seen[name.casefold()] = (f"{kind.value}: {category}", where.line)
        bucket = default_loss(kind, category)
        if loss is not None and loss != "":
            text = _text(loss)
            allowed = (PLANNED_LOSS,) if kind is StopKind.PLANNED else LOSSES
            if text is None or text.lower() not in allowed:
                shown = shorten(text) if text is not None else describe_value(loss)
                if kind is StopKind.PLANNED:
                    hint = "a planned reason is out of planned busy time: write no loss"
                else:
                    hint = did_you_mean(shown, LOSSES, "losses")
                where.problem(None, f"reason '{shorten(name)}': unknown loss '{shown}'; {hint}")
                return None
            bucket = text.lower()
        return Reason(kind, category, name, bucket)

    def startup_scrap(self, scrap_reasons: list[str]) -> list[str]:
        top = self.top
        names = self.names(top, "startup_scrap")
        values = top.get("startup_scrap")
        known = {n.casefold(): n for n in scrap_reasons}
        out = []
        for index, name in enumerate(names):
            if name.casefold() in known:
                out.append(known[name.casefold()])
                continue
            entry = self.item(top, "startup_scrap", values, _index(values, name, index), "orders")
            hint = did_you_mean(name, scrap_reasons, "scrap reasons")
            entry.problem(None, f"startup_scrap: '{shorten(name)}' is not in scrap_reasons; {hint}")
        return out

    # -- calendar ------------------------------------------------------------------------

    def calendar(self, reasons: list[Reason]) -> ShiftCalendar:
        top = self.top
        if top.get("calendar") is None:
            return ShiftCalendar.from_config()
        fields = top.child("calendar", "{shifts: [{name: Morning, start: '06:00', end: '14:00'}]}")
        if fields is None:
            return ShiftCalendar.from_config()
        fields.unknown_keys(CALENDAR_FIELDS)
        timezone = None
        if fields.get("timezone") is not None:
            timezone = self.timezone(fields)
        tz = zone(timezone)
        days = None
        if fields.get("days") is not None:
            days = self.days(fields, fields, "days")
        shifts = self.shifts(fields)
        for first, second, where in overlaps(shifts, days if days is not None else range(7)):
            entry = self.item(
                fields, "shifts", fields.data["shifts"], _shift_index(fields, second), fields.label
            )
            entry.problem(
                None,
                f"shift {second.name} overlaps shift {first.name} ({where}); move its start or end",
            )
        holidays = self.holidays(fields)
        downtime = self.downtime(fields, reasons, ShiftCalendar((), tz=tz))
        return ShiftCalendar(
            shifts or ShiftCalendar.from_config().shifts,
            days if days is not None else range(7),
            holidays,
            downtime,
            tz,
        )

    def timezone(self, fields: Fields) -> str | None:
        name = fields.text("timezone")
        if name is None:
            return None
        try:
            zone(name)
        except ValueError:
            import zoneinfo

            hint = did_you_mean(name, sorted(zoneinfo.available_timezones()), "zones", listed=0)
            fields.problem(
                "timezone",
                f"timezone: unknown time zone '{shorten(name)}'; {hint} "
                "(IANA names such as Europe/Rome; leave it out for the PC's zone)",
            )
            return None
        return name

    def days(self, fields: Fields, where: Fields, key: str) -> frozenset[int] | None:
        value = fields.get(key)
        items = value if isinstance(value, list) else [value]
        out: set[int] = set()
        for item in items:
            got = _weekdays(item)
            if got is None:
                where.problem(
                    key,
                    f"{key}: expected days such as [mon, tue, wed] or [mon-fri], got "
                    f"{describe_value(item)}; the days are {', '.join(WEEKDAYS)}",
                )
                return None
            out |= got
        return frozenset(out)

    def shifts(self, fields: Fields) -> list[Shift]:
        out: list[Shift] = []
        names: dict[str, int] = {}
        for entry in self.entries(
            fields,
            "shifts",
            "orders: calendar: shifts",
            "{name: Morning, start: '06:00', end: '14:00'}",
            "a mapping with name:, start: and end:",
        ):
            shift = self.shift(entry)
            if shift is None:
                continue
            if shift.name.casefold() in names:
                entry.problem(
                    "name",
                    f"shift name '{shift.name}' is used twice (first at line "
                    f"{names[shift.name.casefold()]}); rename one",
                )
                continue
            names[shift.name.casefold()] = entry.line
            out.append(shift)
        return out

    def shift(self, fields: Fields) -> Shift | None:
        fields.unknown_keys(SHIFT_FIELDS)
        name = fields.text("name")
        if name is None and fields.get("name") is None:
            fields.problem(None, "name: missing; e.g. Morning")
        start = self.clock(fields, "start", required=True)
        end = self.clock(fields, "end", required=True)
        days = self.days(fields, fields, "days") if fields.get("days") is not None else None
        if start is not None and end is not None and start == end:
            fields.problem(
                "end",
                f"end: the shift ends when it starts ({clock(end)}); a shift lasts less than 24 h",
            )
        if name is None or start is None or end is None or fields.failed:
            return None
        shift = Shift(name, start, end, (), days)
        return Shift(name, start, end, self.breaks(fields, shift), days)

    def clock(self, fields: Fields, key: str, required: bool = False) -> int | None:
        """Minutes of the day from ``"06:00"``."""
        value = fields.data.get(key)
        if value is None or value == "":
            if required:
                fields.problem(None, f'{key}: missing; a time of day such as "06:00"')
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1440:
            # YAML 1.1 reads 14:00 written without quotes as the number 840
            fields.problem(
                key,
                f"{key}: got the number {value}; write the time in quotes, "
                f'e.g. "{clock(value)}" (unquoted, YAML reads it as a number)',
            )
            return None
        match = _CLOCK.match(value) if isinstance(value, str) else None
        if match is not None:
            hour, minute = int(match[1]), int(match[2])
            if (hour < 24 and minute < 60) or (hour == 24 and minute == 0):
                return (hour * 60 + minute) % 1440
        fields.wrong(key, 'a time of day such as "06:00" (00:00 to 24:00)')
        return None

    def breaks(self, fields: Fields, shift: Shift) -> tuple[Break, ...]:
        out: list[tuple[int, Break]] = []
        example = "{at: '10:00', length: 15m}"
        for entry in self.entries(fields, "breaks", f"{fields.label}: breaks", example, example):
            entry.unknown_keys(BREAK_FIELDS)
            at = self.clock(entry, "at", required=True)
            length = entry.duration("length", within=BREAK_LENGTH)
            if length is None and entry.get("length") is None:
                entry.problem(None, "length: missing; e.g. 15m")
            if at is None or length is None:
                continue
            offset = shift.offset(at)
            if offset >= shift.minutes or offset * 60 + length > shift.minutes * 60:
                entry.problem(
                    "at",
                    f"the break {clock(at)} for {length / 60:g} min is not inside shift "
                    f"{shift.name} ({clock(shift.start)}-{clock(shift.end)})",
                )
                continue
            if out and offset * 60 < out[-1][0] * 60 + out[-1][1].length_s:
                entry.problem(
                    "at",
                    f"the break at {clock(at)} starts before the one before "
                    "it ends; write breaks in order, apart",
                )
                continue
            out.append((offset, Break(at, length)))
        return tuple(b for _, b in out)

    def holidays(self, fields: Fields) -> list[date]:
        values = self.listed(fields, "holidays", '["2026-12-25", "2027-01-01"]')
        out = []
        for index, value in enumerate(values or []):
            day = value if isinstance(value, date) and not isinstance(value, datetime) else None
            if isinstance(value, str) and (match := _WHEN.match(value)) and match[4] is None:
                day = _date(match)
            if day is None:
                where = self.item(fields, "holidays", values or [], index, fields.label)
                where.problem(
                    None,
                    f'holidays: expected a date such as "2026-12-25", got {describe_value(value)}',
                )
                continue
            out.append(day)
        return out

    def downtime(
        self, fields: Fields, reasons: list[Reason], calendar: ShiftCalendar
    ) -> list[PlannedDowntime]:
        planned = [r.name for r in reasons if r.kind is StopKind.PLANNED]
        out = []
        for entry in self.entries(
            fields,
            "planned_downtime",
            "orders: calendar: planned_downtime",
            '{line: line1, start: "2026-12-10 06:00", end: "2026-12-10 10:00"}',
            "a mapping with start: and end:",
        ):
            entry.unknown_keys(DOWNTIME_FIELDS)
            line = entry.text("line")
            if line is not None and line not in self.project.lines:
                hint = did_you_mean(line, self.project.lines, "lines")
                entry.problem(
                    "line",
                    f"line: unknown line '{shorten(line)}'; {hint} "
                    "(leave line: out for every line)",
                )
            start = self.when(entry, "start", calendar, end=False)
            end = self.when(entry, "end", calendar, end=True)
            if start is not None and end is not None and end <= start:
                entry.problem("end", "end: is not after start:")
            reason = entry.text("reason") or ""
            if reason and reasons and reason.casefold() not in {p.casefold() for p in planned}:
                hint = did_you_mean(reason, planned, "planned reasons")
                entry.problem(
                    "reason", f"reason: '{shorten(reason)}' is not a planned reason; {hint}"
                )
            if entry.failed or start is None or end is None:
                continue
            out.append(PlannedDowntime(start, end, line, reason))
        return out

    def when(self, fields: Fields, key: str, calendar: ShiftCalendar, end: bool) -> float | None:
        """An instant from local ``"2026-12-10 06:00"``; a date alone is its first instant
        (``start``) or the first instant of the next day (``end``)."""
        value = fields.data.get(key)
        if value is None or value == "":
            fields.problem(None, f'{key}: missing; a local time such as "2026-12-10 06:00"')
            return None
        try:
            if isinstance(value, datetime):
                if value.tzinfo is not None:
                    return value.timestamp()
                stamp = value.replace(tzinfo=calendar.tz).timestamp()
                return stamp
            day: date | None = None
            if isinstance(value, date):
                day = value
            elif isinstance(value, str) and (match := _WHEN.match(value)):
                day = _date(match)
                if day is not None and match[4] is not None:
                    hour, minute, second = int(match[4]), int(match[5]), int(match[6] or 0)
                    if hour > 23 or minute > 59 or second > 59:
                        raise ValueError
                    return calendar.instant(day, hour * 60 + minute) + second
            if day is None:
                raise ValueError
            return calendar.instant(day + timedelta(days=1) if end else day, 0)
        except (ValueError, OverflowError, OSError):
            fields.wrong(key, 'a local date and time such as "2026-12-10 06:00"')
            return None

    # -- report --------------------------------------------------------------------------

    def report(self) -> tuple[bool, float]:
        top = self.top
        if top.get("report") is None:
            return True, DEFAULT_KEEP
        fields = top.child("report", "{at_shift_end: true, keep: 400d}")
        if fields is None:
            return True, DEFAULT_KEEP
        fields.unknown_keys(REPORT_FIELDS)
        return (
            fields.flag("at_shift_end", True),
            fields.duration("keep", DEFAULT_KEEP, within=REPORT_KEEP),
        )


_STATE_TYPES = frozenset(t for t in DataType if t.integer or t in (DataType.BOOL, DataType.STRING))


def _text(value: Any) -> str | None:
    """A name as written: text, or a number YAML read as one (``404``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    return None


def _state_key(raw: Any, data_type: DataType) -> Any:
    """A key of ``values:`` as the tag's values compare: a whole number, a bool or text."""
    if data_type is DataType.BOOL:
        return parse_flag(raw)
    if data_type is DataType.STRING:
        return _text(raw)
    number = as_number(raw)
    return int(number) if number is not None and number.is_integer() else None


def _weekdays(item: Any) -> set[int] | None:
    """``mon``, ``Monday`` or a range ``mon-fri`` as week day numbers (0 Monday)."""
    if not isinstance(item, str):
        return None
    parts = [p.strip().lower()[:3] for p in item.split("-")]
    if len(parts) > 2 or any(p not in WEEKDAYS for p in parts):
        return None
    first, last = WEEKDAYS.index(parts[0]), WEEKDAYS.index(parts[-1])
    return {(first + i) % 7 for i in range((last - first) % 7 + 1)}


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _at(fields: Fields, key: Any) -> Fields:
    """A place to report about ``key`` of ``fields``: the line of that key."""
    entry = Fields(fields.report, {}, fields.file, fields.line_of(key), fields.label)
    entry.parent = fields
    return entry


def _index(values: Any, name: str, fallback: int) -> int:
    if isinstance(values, list):
        for index, value in enumerate(values):
            if _text(value) == name:
                return index
    return fallback


def _shift_index(fields: Fields, shift: Shift) -> int:
    values = fields.data.get("shifts")
    if isinstance(values, list):
        for index, value in enumerate(values):
            if isinstance(value, Mapping) and _text(value.get("name")) == shift.name:
                return index
    return 0
