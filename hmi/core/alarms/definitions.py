"""Alarm definitions: the ``alarms:`` section of a project, as frozen data.

One entry per watched tag gives one alarm per limit or kind, each with its own id
(``<tag or id>.<kind>``), priority and message::

    alarms:
      - tag: line1.ram_pressure
        hihi: {limit: 300, priority: 1, message: "Ram pressure very high: {value:.0f} bar"}
        hi: 270
        deadband: 2                  # engineering units the value must fall back to clear
        on_delay: 2s                 # must stay in alarm this long before it is raised
        off_delay: 5s                # must stay normal this long before it clears
        priority: 3                  # 1 critical, 2 high, 3 medium, 4 low
        message: "Ram pressure high: {value:.0f} {units}"
        condition: line1.running     # suppressed by design while this is false
        screen: line1_press          # where the operator jumps from the alarm
        cause: "Billet too cold for the ram speed"            # the alarm's help (ISA-18.2
        consequence: "The press trips at 320 bar"             # master alarm database): shown
        action: "Slow the ram; raise the billet temperature"  # in the alarm list and faceplates
        line: line1                  # default: the line of the tag's device
        area: Container              # optional free text for the alarm list
        # per limit instead: hi: {limit: 270, priority: 2, message: "...", id: PT101_HI}
        # (cause, consequence and action may be given per limit too)
        # enabled: false keeps an entry written but unused
      - tag: line1.fault
        state: true                  # digital alarm; or ``equals: 3`` / ``equals: [3, 4]``
        latch: true                  # stays until acknowledged and reset
      - tag: line1.ram_speed
        deviation: {setpoint: line1.ram_speed_sp, hi: 2.0, lo: -2.0}
      - tag: line1.billet_temp
        rate: {hi: 5, per: 1s}       # rises by more than 5 within 1 s
        bad_quality: true            # the signal itself is Bad
      - device: press_plc            # its communication alarm (every device has one)
        priority: 1

Messages may show ``{value}``, ``{units}``, ``{limit}``, ``{setpoint}``, ``{tag}``,
``{device}`` and ``{reason}`` with a format spec (``{value:.1f}``), nothing else. The
deadband applies to limits and deviations; a rate alarm is raised when the value changes
by more than ``hi`` (or falls by more than ``-lo``) within ``per``.

Every enabled device gets one communication alarm (``<device>.comm``) from its
``_sys.device.<name>`` tag; while a device is down, and for a moment after it returns,
the bad-quality alarms of its tags are suppressed, so a dead PLC raises one alarm and not
one per tag. A ``device:`` entry changes its priority, message, delays or screen, or with
``enabled: false`` removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..project.models import Problem, Project, Source
from ..project.problems import internal_fault

PRIORITIES = {1: "critical", 2: "high", 3: "medium", 4: "low"}


class AlarmKind(StrEnum):
    HIHI = "hihi"
    HI = "hi"
    LO = "lo"
    LOLO = "lolo"
    STATE = "state"
    DEV_HI = "dev_hi"
    DEV_LO = "dev_lo"
    RATE_HI = "rate_hi"
    RATE_LO = "rate_lo"
    BAD_QUALITY = "bad_quality"
    COMM = "comm"

    @property
    def rising(self) -> bool:
        """Raised when the watched number goes up past its limit."""
        return self in (AlarmKind.HIHI, AlarmKind.HI, AlarmKind.DEV_HI, AlarmKind.RATE_HI)


DEFAULT_PRIORITY = {AlarmKind.HIHI: 2, AlarmKind.LOLO: 2, AlarmKind.COMM: 2}
FALLBACK_PRIORITY = 3
NO_SOURCE = Source("")


@dataclass(frozen=True, slots=True)
class AlarmDef:
    """One alarm. ``tag`` is what it watches (the device status tag for ``comm``).

    ``limit`` is the limit of limit, deviation and rate alarms; ``match`` the values that
    are in alarm for a state alarm; ``per`` the time base of a rate in seconds. ``cause``,
    ``consequence`` and ``action`` are its help for the operator (empty when not written).
    """

    id: str
    tag: str
    kind: AlarmKind
    priority: int
    message: str
    limit: float | None = None
    match: tuple[Any, ...] = ()
    setpoint: str | None = None
    per: float = 1.0
    deadband: float = 0.0
    on_delay: float = 0.0
    off_delay: float = 0.0
    condition: str | None = None
    latch: bool = False
    line: str = ""
    area: str = ""
    screen: str = ""
    device: str | None = None
    units: str = ""
    source: Source = NO_SOURCE
    cause: str = ""
    consequence: str = ""
    action: str = ""


def load_alarms(project: Project) -> tuple[list[AlarmDef], list[Problem]]:
    """Every alarm of ``project`` (its ``alarms:`` section and one per device), and every
    problem found; an entry with a problem is left out, the rest still load."""
    from .reader import AlarmReader

    reader = AlarmReader(project)
    return reader.read(), reader.problems


def alarm_problems(project: Project) -> list[Problem]:
    """What ``hmi check`` reports about the ``alarms:`` section, each at its file:line."""
    try:
        return load_alarms(project)[1]
    except Exception as error:  # never a traceback for a plant engineer
        section = project.extra.get("alarms")
        source = getattr(section, "source", project.source)
        return [Problem(source, internal_fault("the alarms", error))]


def alarms_by_tag(project: Project) -> dict[str, tuple[tuple[str, int], ...]]:
    """(alarm id, priority) of every alarm watching each tag: what a symbol on a screen
    follows to show its alarm state."""
    index: dict[str, list[tuple[str, int]]] = {}
    for alarm in load_alarms(project)[0]:
        index.setdefault(alarm.tag, []).append((alarm.id, alarm.priority))
    return {tag: tuple(pairs) for tag, pairs in index.items()}
