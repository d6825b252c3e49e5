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

The section is read in parts, one module each: ``config_types`` (the settings as read),
``config_lines``, ``config_reasons`` and ``config_calendar``; every name stays importable
from here.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..project.models import Problem, Project, Section
from ..project.problems import internal_fault
from ..words import describe_value
from .calendar import ShiftCalendar
from .config_calendar import CalendarReader
from .config_lines import LinesReader
from .config_reasons import ReasonsReader
from .config_types import (
    BREAK_FIELDS,
    BREAK_LENGTH,
    CALENDAR_FIELDS,
    COUNTER_BITS,
    COUNTER_FIELDS,
    COUNTER_ROLES,
    DEFAULT_KEEP,
    DEFAULT_MAX_JUMP,
    DEFAULT_MICRO_STOP,
    DOWNLOAD_ALIASES,
    DOWNTIME_FIELDS,
    IDEAL_CYCLE,
    LINE_FIELDS,
    LINE_TYPES,
    LOSSES,
    MAX_JUMP,
    MAX_RATE,
    MICRO_STOP,
    ORDER_FIELDS,
    PLANNED_LOSS,
    REPORT_FIELDS,
    REPORT_KEEP,
    SECTION_FIELDS,
    SETUP_WORDS,
    SHIFT_FIELDS,
    STATE_FIELDS,
    STATE_NAMES,
    TEXT_FIELDS,
    TYPE_BITS,
    CounterConfig,
    LineConfig,
    OrdersConfig,
    StateConfig,
    default_loss,
    parse_rate,
    type_bits,
)

__all__ = [
    "BREAK_FIELDS",
    "BREAK_LENGTH",
    "CALENDAR_FIELDS",
    "COUNTER_BITS",
    "COUNTER_FIELDS",
    "COUNTER_ROLES",
    "DEFAULT_KEEP",
    "DEFAULT_MAX_JUMP",
    "DEFAULT_MICRO_STOP",
    "DOWNLOAD_ALIASES",
    "DOWNTIME_FIELDS",
    "IDEAL_CYCLE",
    "LINE_FIELDS",
    "LINE_TYPES",
    "LOSSES",
    "MAX_JUMP",
    "MAX_RATE",
    "MICRO_STOP",
    "ORDER_FIELDS",
    "PLANNED_LOSS",
    "REPORT_FIELDS",
    "REPORT_KEEP",
    "SECTION_FIELDS",
    "SETUP_WORDS",
    "SHIFT_FIELDS",
    "STATE_FIELDS",
    "STATE_NAMES",
    "TEXT_FIELDS",
    "TYPE_BITS",
    "CounterConfig",
    "LineConfig",
    "OrdersConfig",
    "StateConfig",
    "default_loss",
    "orders_problems",
    "parse_rate",
    "read_orders",
    "type_bits",
]


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


class _Reader(LinesReader, ReasonsReader, CalendarReader):
    """The whole section: each part read by its own reader, the report settings here."""

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
