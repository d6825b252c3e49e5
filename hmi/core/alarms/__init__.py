"""ISA-18.2 alarms without Qt: definitions, detection, states, journal, KPIs.

``AlarmManager`` is the service, ``capability.AlarmsCapability`` plugs it into the runtime;
``alarm_problems`` is what ``hmi check`` reports; ``STATE_PREFIX`` + an alarm id names the
system tag that carries that alarm's state, ``SUMMARY_PREFIX`` starts the count tags.
"""

from __future__ import annotations

from .actions import ALL, AlarmCommandError
from .definitions import (
    PRIORITIES,
    AlarmDef,
    AlarmKind,
    alarm_problems,
    alarms_by_tag,
    load_alarms,
)
from .events import AlarmCounts, AlarmEvent, AlarmStatus
from .history import AlarmStateHistory
from .kpi import AlarmKpis, compute_kpis, write_kpi_csv
from .manager import AlarmManager
from .publication import STATE_PREFIX, SUMMARY_PREFIX
from .states import Action, AlarmState, next_state

__all__ = [
    "ALL",
    "PRIORITIES",
    "STATE_PREFIX",
    "SUMMARY_PREFIX",
    "Action",
    "AlarmCommandError",
    "AlarmCounts",
    "AlarmDef",
    "AlarmEvent",
    "AlarmKind",
    "AlarmKpis",
    "AlarmManager",
    "AlarmState",
    "AlarmStateHistory",
    "AlarmStatus",
    "alarm_problems",
    "alarms_by_tag",
    "compute_kpis",
    "load_alarms",
    "next_state",
    "write_kpi_csv",
]
