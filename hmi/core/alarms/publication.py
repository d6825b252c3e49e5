"""Alarm state as system tags, so screens, the MES and a plant-wide view can carry it.

Published (only what changed since the last cycle):

- ``_sys.alarms.listed_count``, ``active_count``, ``unacked_count``, ``latched_count``,
  ``shelved_count``, ``suppressed_count``, ``out_of_service_count``, ``highest_priority``
  (0 = none);
- ``_sys.alarms.priority<N>.listed_count`` / ``.unacked_count`` for N = 1..4;
- ``_sys.alarms.<line>.listed_count`` / ``.unacked_count`` / ``.highest_priority``, and
  ``.first_out``: the id of the alarm that tripped the line ("" for none, see ``firstout``);
- ``_sys.alarms.recent_count`` (activations in the last 10 minutes) and
  ``_sys.alarms.flood`` (more than 10 of them);
- ``_sys.alarm.<alarm id>``: that alarm's state (``normal``, ``unacked``, ...);
- ``_sys.alarms.events``: the events of the cycle, as a tuple of plain dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..systemtags import SYSTEM_PREFIX
from ..tags import Batch, TagValue
from .definitions import PRIORITIES
from .events import AlarmCounts, AlarmEvent
from .kpi import FLOOD_ABOVE
from .states import AlarmState

if TYPE_CHECKING:
    from .manager import AlarmManager
    from .record import Record

SUMMARY_PREFIX = f"{SYSTEM_PREFIX}alarms."  # counts, flood, events
STATE_PREFIX = f"{SYSTEM_PREFIX}alarm."  # + alarm id: that alarm's state


def counts(records: Iterable[Record]) -> AlarmCounts:
    tally = dict.fromkeys(("listed", "active", "unacked", "latched"), 0)
    tally |= dict.fromkeys(("shelved", "suppressed", "out_of_service"), 0)
    listed = dict.fromkeys(PRIORITIES, 0)
    unacked = dict.fromkeys(PRIORITIES, 0)
    for record in records:
        state = record.state
        priority = record.alarm.priority
        if state.listed:
            tally["listed"] += 1
            listed[priority] += 1
            if state in (AlarmState.UNACKED, AlarmState.ACKED):
                tally["active"] += 1
            if state is AlarmState.LATCHED:
                tally["latched"] += 1
            if state in (AlarmState.UNACKED, AlarmState.RTN_UNACKED) or (
                state is AlarmState.LATCHED and not record.acked
            ):
                tally["unacked"] += 1
                unacked[priority] += 1
        elif state is not AlarmState.NORMAL:
            tally[state.value] += 1
    return AlarmCounts(**tally, listed_by_priority=listed, unacked_by_priority=unacked)


def summary(manager: AlarmManager, now: float) -> dict[str, Any]:
    """Every summary tag and its value now."""
    total = counts(manager.records)
    values: dict[str, Any] = {
        f"{SUMMARY_PREFIX}listed_count": total.listed,
        f"{SUMMARY_PREFIX}active_count": total.active,
        f"{SUMMARY_PREFIX}unacked_count": total.unacked,
        f"{SUMMARY_PREFIX}latched_count": total.latched,
        f"{SUMMARY_PREFIX}shelved_count": total.shelved,
        f"{SUMMARY_PREFIX}suppressed_count": total.suppressed,
        f"{SUMMARY_PREFIX}out_of_service_count": total.out_of_service,
        f"{SUMMARY_PREFIX}highest_priority": total.highest_priority,
    }
    for priority in PRIORITIES:
        values[f"{SUMMARY_PREFIX}priority{priority}.listed_count"] = total.listed_by_priority[
            priority
        ]
        values[f"{SUMMARY_PREFIX}priority{priority}.unacked_count"] = total.unacked_by_priority[
            priority
        ]
    for line, records in manager.records_by_line.items():
        on_line = counts(records)
        values[f"{SUMMARY_PREFIX}{line}.listed_count"] = on_line.listed
        values[f"{SUMMARY_PREFIX}{line}.unacked_count"] = on_line.unacked
        values[f"{SUMMARY_PREFIX}{line}.highest_priority"] = on_line.highest_priority
        values[f"{SUMMARY_PREFIX}{line}.first_out"] = manager.first_out.by_line.get(line, "")
    recent = manager.recent_activations(now)
    values[f"{SUMMARY_PREFIX}recent_count"] = recent
    values[f"{SUMMARY_PREFIX}flood"] = recent > FLOOD_ABOVE
    return values


def changed(
    manager: AlarmManager,
    now: float,
    touched: Iterable[Record],
    published: dict[str, Any],
    events: list[AlarmEvent],
    refresh: bool,
) -> Batch:
    """What to publish this cycle: the states of ``touched`` alarms and, with ``refresh``,
    the summary; only values that differ from ``published``, which is updated."""
    values = {f"{STATE_PREFIX}{r.alarm.id}": r.state.value for r in touched}
    if refresh:
        values |= summary(manager, now)
    batch: Batch = {
        name: TagValue(value, ts=now)
        for name, value in values.items()
        if published.get(name, _MISSING) != value
    }
    published.update((name, tv.value) for name, tv in batch.items())
    if events:
        batch[f"{SUMMARY_PREFIX}events"] = TagValue(tuple(e.as_dict() for e in events), ts=now)
    return batch


_MISSING = object()
