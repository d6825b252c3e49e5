"""The first-out alarm of each line: the one that tripped it.

When a line trips, one alarm comes first and a cascade follows (the pressure trips the
press, the stopped press raises more). The first alarm of priority 1 or 2 that becomes
active on a line with no other standing alarm of those priorities (so the line was
running as far as the alarms know) is that line's first-out. It stays marked until it
is acknowledged or reset, or leaves the alarm list, so the operator fixes the cause and
not a consequence; the next trip then has a first-out of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from .record import Record
from .states import Action, AlarmState

TRIPPING_PRIORITY = 2  # alarms of this priority or higher (1) can trip a line
_ENDS = (Action.ACKNOWLEDGE, Action.RESET)


class FirstOut:
    """Which alarm is the first-out of each line (guarded by the manager's lock)."""

    def __init__(self) -> None:
        self.by_line: dict[str, str] = {}  # line -> alarm id

    def holds(self, record: Record) -> bool:
        return self.by_line.get(record.alarm.line) == record.alarm.id

    def follow(
        self, record: Record, action: Action, new: AlarmState, peers: Iterable[Record]
    ) -> None:
        """After ``record`` moved to ``new`` by ``action``; ``peers`` are its line's alarms."""
        alarm = record.alarm
        line = alarm.line
        if not line:
            return
        if self.holds(record):
            if action in _ENDS or not new.listed:
                del self.by_line[line]
            return
        if (
            action is Action.ACTIVATE
            and new is AlarmState.UNACKED
            and alarm.priority <= TRIPPING_PRIORITY
            and line not in self.by_line
            and not any(
                peer is not record
                and peer.alarm.priority <= TRIPPING_PRIORITY
                and peer.state.listed
                for peer in peers
            )
        ):
            self.by_line[line] = alarm.id
