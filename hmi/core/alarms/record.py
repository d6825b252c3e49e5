"""One alarm's standing state inside the manager (mutable; guarded by the manager's lock)."""

from __future__ import annotations

from typing import Any

from .definitions import AlarmDef
from .events import AlarmEvent, AlarmStatus
from .journal import StateRow
from .states import Action, AlarmState, acked_after


class Record:
    __slots__ = (
        "acked",
        "activated_at",
        "active",
        "alarm",
        "message",
        "one_shot",
        "oos_by",
        "oos_reason",
        "shelve_reason",
        "shelved_by",
        "shelved_until",
        "since",
        "state",
        "suppressed",
        "value",
    )

    shelved_until: float | None

    def __init__(self, alarm: AlarmDef):
        self.alarm = alarm
        self.state = AlarmState.NORMAL
        self.active = False
        self.acked = True
        self.suppressed = False
        self.since = 0.0
        self.activated_at: float | None = None
        self.value: Any = None
        self.message = ""
        self.unshelve()
        self.oos_reason = ""
        self.oos_by = ""

    @property
    def standing(self) -> bool:
        """Worth keeping over a restart: anything but plainly normal."""
        return self.state is not AlarmState.NORMAL

    def move(self, action: Action, new: AlarmState, now: float) -> None:
        old = self.state
        self.acked = acked_after(old, action, new, self.acked)
        if old is AlarmState.SHELVED and new is not AlarmState.SHELVED:
            self.unshelve()
        if old is AlarmState.OUT_OF_SERVICE and new is not AlarmState.OUT_OF_SERVICE:
            self.oos_reason = self.oos_by = ""
        if new is AlarmState.NORMAL:
            self.activated_at = None
        self.state = new
        self.since = now

    def shelve(self, until: float, reason: str, user: str, one_shot: bool) -> None:
        self.shelved_until = until
        self.shelve_reason = reason
        self.shelved_by = user
        self.one_shot = one_shot

    def unshelve(self) -> None:
        self.shelved_until = None
        self.shelve_reason = ""
        self.shelved_by = ""
        self.one_shot = False

    def take_out(self, reason: str, user: str) -> None:
        self.oos_reason = reason
        self.oos_by = user

    def event(
        self, now: float, action: Action, old: AlarmState, user: str, comment: str
    ) -> AlarmEvent:
        alarm = self.alarm
        return AlarmEvent(
            now,
            alarm.id,
            alarm.tag,
            alarm.line,
            action,
            old,
            self.state,
            alarm.priority,
            self.value,
            self.message,
            user,
            comment,
        )

    def status(self, first_out: bool = False) -> AlarmStatus:
        alarm = self.alarm
        return AlarmStatus(
            id=alarm.id,
            tag=alarm.tag,
            kind=alarm.kind,
            priority=alarm.priority,
            line=alarm.line,
            area=alarm.area,
            screen=alarm.screen,
            state=self.state,
            active=self.active,
            acked=self.acked,
            suppressed=self.suppressed,
            since=self.since,
            activated_at=self.activated_at,
            value=self.value,
            message=self.message,
            shelved_until=self.shelved_until,
            shelve_reason=self.shelve_reason,
            shelved_by=self.shelved_by,
            one_shot=self.one_shot,
            oos_reason=self.oos_reason,
            oos_by=self.oos_by,
            first_out=first_out,
            definition=alarm,
        )

    def state_row(self) -> StateRow:
        return StateRow(
            self.alarm.id,
            self.state,
            self.active,
            self.acked,
            self.suppressed,
            self.since,
            self.activated_at,
            self.value,
            self.message,
            self.shelved_until,
            self.shelve_reason,
            self.shelved_by,
            self.one_shot,
            self.oos_reason,
            self.oos_by,
        )

    def restore(self, row: StateRow) -> None:
        for name in StateRow.__slots__:
            if name != "alarm_id":
                setattr(self, name, getattr(row, name))
