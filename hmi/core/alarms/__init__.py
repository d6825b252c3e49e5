"""ISA-18.2 alarms without Qt: definitions, detection, states, journal, KPIs.

``AlarmManager`` is the entry point; ``alarm_problems`` is what ``hmi check`` reports.
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
from .kpi import AlarmKpis, compute_kpis, write_kpi_csv
from .manager import AlarmManager
from .states import Action, AlarmState, next_state

__all__ = [
    "ALL",
    "PRIORITIES",
    "Action",
    "AlarmCommandError",
    "AlarmCounts",
    "AlarmDef",
    "AlarmEvent",
    "AlarmKind",
    "AlarmKpis",
    "AlarmManager",
    "AlarmState",
    "AlarmStatus",
    "alarm_problems",
    "alarms_by_tag",
    "compute_kpis",
    "load_alarms",
    "next_state",
    "write_kpi_csv",
]
