"""What the alarm manager hands out: transitions (events), snapshots and counts.

All are frozen, so the UI may keep them on another thread without locking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .definitions import AlarmDef, AlarmKind
from .states import Action, AlarmState


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """One transition of one alarm, as the journal keeps it."""

    time: float
    alarm_id: str
    tag: str
    line: str
    action: Action
    from_state: AlarmState
    to_state: AlarmState
    priority: int
    value: Any
    message: str
    user: str = ""
    comment: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "alarm_id": self.alarm_id,
            "tag": self.tag,
            "line": self.line,
            "action": self.action.value,
            "from_state": self.from_state.value,
            "to_state": self.to_state.value,
            "priority": self.priority,
            "value": self.value,
            "message": self.message,
            "user": self.user,
            "comment": self.comment,
        }


@dataclass(frozen=True, slots=True)
class AlarmStatus:
    """One alarm as it stands now. ``activated_at`` is when it was last announced;
    ``first_out`` marks the alarm that tripped its line (see ``firstout``)."""

    id: str
    tag: str
    kind: AlarmKind
    priority: int
    line: str
    area: str
    screen: str
    state: AlarmState
    active: bool
    acked: bool
    suppressed: bool
    since: float
    activated_at: float | None
    value: Any
    message: str
    shelved_until: float | None = None
    shelve_reason: str = ""
    shelved_by: str = ""
    one_shot: bool = False
    oos_reason: str = ""
    oos_by: str = ""
    first_out: bool = False
    definition: AlarmDef | None = field(default=None, compare=False, repr=False)

    @property
    def cause(self) -> str:
        return self.definition.cause if self.definition is not None else ""

    @property
    def consequence(self) -> str:
        return self.definition.consequence if self.definition is not None else ""

    @property
    def action(self) -> str:
        """The corrective action: what the operator should do."""
        return self.definition.action if self.definition is not None else ""

    @property
    def needs_ack(self) -> bool:
        return self.state in (AlarmState.UNACKED, AlarmState.RTN_UNACKED) or (
            self.state is AlarmState.LATCHED and not self.acked
        )


@dataclass(frozen=True, slots=True)
class AlarmCounts:
    """Counts for a banner. ``listed`` are the alarms in the alarm list (active or waiting
    for acknowledgement or reset); by priority, 1 is the highest."""

    listed: int = 0
    active: int = 0
    unacked: int = 0
    latched: int = 0
    shelved: int = 0
    suppressed: int = 0
    out_of_service: int = 0
    listed_by_priority: dict[int, int] = field(default_factory=dict)
    unacked_by_priority: dict[int, int] = field(default_factory=dict)

    @property
    def highest_priority(self) -> int:
        """The most urgent priority in the alarm list; 0 when the list is empty."""
        return min((p for p, n in self.listed_by_priority.items() if n), default=0)
