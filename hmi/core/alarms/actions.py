"""What an operator does to alarms: acknowledge, reset, shelve, take out of service.

Every action names its user and may carry a comment; it may come from any thread. It
changes state at once under the manager's lock, and its events reach the journal and the
listeners through the manager's own thread like every other transition. Each one asks the
permission hook first and tells the audit hook what it changed (or that it was refused).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Literal

from ..access import Access
from ..project.durations import parse_duration
from .record import Record
from .states import Action, AlarmState, next_state

ALL: Literal["all"] = "all"
SYSTEM_USER = "system"
ACKNOWLEDGE = "alarms.acknowledge"  # acknowledge and reset
SHELVE = "alarms.shelve"  # shelve and unshelve
OUT_OF_SERVICE = "alarms.out_of_service"  # take out of service and back
MAX_SHELVE_S = 7 * 24 * 3600.0
Ids = Iterable[str] | str


class AlarmCommandError(ValueError):
    """An operator action that cannot be done; the text says why, for the operator."""


class OperatorActions:
    """The operator's side of the AlarmManager; ``ids`` is one id, a list, or ``"all"``."""

    _lock: threading.RLock
    clock: Callable[[], float]
    records: list[Record]
    by_id: dict[str, Record]
    _transition: Callable[..., bool]
    access: Access

    def acknowledge(self, ids: Ids, user: str, comment: str = "") -> list[str]:
        """Acknowledge alarms (ids, or ``"all"``); returns the ids that changed."""
        changed = self._command(ids, Action.ACKNOWLEDGE, user, comment, ACKNOWLEDGE)
        return self._recorded(ACKNOWLEDGE, ids, user, changed, comment=comment)

    def reset(self, ids: Ids, user: str, comment: str = "") -> list[str]:
        """Reset latched alarms whose condition has cleared (acknowledging them too)."""
        changed = []
        with self._lock:
            now = self.clock()
            for record in self._select(ids, user, ACKNOWLEDGE):
                if record.state is AlarmState.LATCHED:
                    self._transition(record, Action.ACKNOWLEDGE, now, user, comment)
                    if self._transition(record, Action.RESET, now, user, comment):
                        changed.append(record.alarm.id)
        return self._recorded("alarms.reset", ids, user, changed, comment=comment)

    def shelve(
        self,
        ids: Ids,
        duration: float | str,
        reason: str,
        user: str,
        *,
        one_shot: bool = False,
    ) -> list[str]:
        """Shelve for ``duration`` (seconds or text such as ``2h``); with ``one_shot`` the
        shelving also ends when the alarm returns to normal."""
        try:
            seconds = parse_duration(duration)
        except ValueError as error:
            raise AlarmCommandError(f"shelving time: {error}") from None
        if not 0 < seconds <= MAX_SHELVE_S:
            raise AlarmCommandError("shelve for more than 0 and at most 7 days")
        if not reason.strip():
            raise AlarmCommandError("shelving needs a reason")
        changed = []
        with self._lock:
            now = self.clock()
            for record in self._select(ids, user, SHELVE):
                if next_state(record.state, Action.SHELVE, active=record.active) is None:
                    continue  # already shelved, suppressed by design or out of service
                record.shelve(now + seconds, reason.strip(), user, one_shot)
                self._transition(record, Action.SHELVE, now, user, reason.strip())
                changed.append(record.alarm.id)
        return self._recorded(
            SHELVE, ids, user, changed, reason=reason.strip(), seconds=seconds, one_shot=one_shot
        )

    def unshelve(self, ids: Ids, user: str, comment: str = "") -> list[str]:
        changed = self._command(ids, Action.UNSHELVE, user, comment, SHELVE)
        return self._recorded("alarms.unshelve", ids, user, changed, comment=comment)

    def set_out_of_service(self, ids: Ids, reason: str, user: str) -> list[str]:
        if not reason.strip():
            raise AlarmCommandError("taking an alarm out of service needs a reason")
        changed = []
        with self._lock:
            now = self.clock()
            for record in self._select(ids, user, OUT_OF_SERVICE):
                if record.state is AlarmState.OUT_OF_SERVICE:
                    continue
                record.take_out(reason.strip(), user)
                self._transition(record, Action.REMOVE, now, user, reason.strip())
                changed.append(record.alarm.id)
        return self._recorded(OUT_OF_SERVICE, ids, user, changed, reason=reason.strip())

    def return_to_service(self, ids: Ids, user: str, comment: str = "") -> list[str]:
        changed = self._command(ids, Action.RESTORE, user, comment, OUT_OF_SERVICE)
        return self._recorded("alarms.return_to_service", ids, user, changed, comment=comment)

    def _recorded(
        self, action: str, ids: Ids, user: str, changed: list[str], **detail: object
    ) -> list[str]:
        """Tell the audit hook about an action that changed something; returns ``changed``."""
        if changed:
            self.access.record(user, action, _target(ids), changed=changed, **detail)
        return changed

    def _command(
        self, ids: Ids, action: Action, user: str, comment: str, permission: str
    ) -> list[str]:
        with self._lock:
            now = self.clock()
            return [
                record.alarm.id
                for record in self._select(ids, user, permission)
                if self._transition(record, action, now, user, comment.strip())
            ]

    def _select(self, ids: Ids, user: str, permission: str) -> list[Record]:
        if not user or not user.strip():
            raise AlarmCommandError("an alarm action needs the name of the user")
        target = _target(ids)
        refusal = self.access.refusal(user, permission, target)
        if refusal:
            self.access.record(user, permission, target, status="refused", message=refusal)
            raise AlarmCommandError(refusal)
        if ids == ALL:
            return list(self.records)
        wanted = [ids] if isinstance(ids, str) else list(ids)
        unknown = [alarm_id for alarm_id in wanted if alarm_id not in self.by_id]
        if unknown:
            raise AlarmCommandError(f"no alarm with the id {', '.join(map(repr, unknown))}")
        return [self.by_id[alarm_id] for alarm_id in dict.fromkeys(wanted)]


def _target(ids: Ids) -> str:
    return ids if isinstance(ids, str) else ", ".join(ids)
