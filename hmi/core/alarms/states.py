"""The alarm state machine of ISA-18.2 (and OPC UA Part 9), as one pure function.

States A to H of ISA-18.2: normal, unacknowledged active, acknowledged active, returned
to normal unacknowledged, latched, shelved, suppressed by design, out of service. Shelving,
suppression and out of service are overlays: the process condition is still tracked under
them, and when one ends the alarm lands where that condition says (an alarm still active
is announced again, unacknowledged).
"""

from __future__ import annotations

from enum import StrEnum


class AlarmState(StrEnum):
    NORMAL = "normal"
    UNACKED = "unacked"  # active, not acknowledged
    ACKED = "acked"  # active, acknowledged
    RTN_UNACKED = "rtn_unacked"  # returned to normal, not acknowledged
    LATCHED = "latched"  # returned to normal; stays until acknowledged and reset
    SHELVED = "shelved"
    SUPPRESSED = "suppressed"  # by design: its condition says it means nothing now
    OUT_OF_SERVICE = "out_of_service"

    @property
    def listed(self) -> bool:
        """Shown in the alarm list and the banner."""
        return self in LISTED


LISTED = frozenset(
    {AlarmState.UNACKED, AlarmState.ACKED, AlarmState.RTN_UNACKED, AlarmState.LATCHED}
)


class Action(StrEnum):
    """What makes an alarm change state: the process, the operator, or the design."""

    ACTIVATE = "activate"
    CLEAR = "clear"
    ACKNOWLEDGE = "acknowledge"
    RESET = "reset"
    SHELVE = "shelve"
    UNSHELVE = "unshelve"
    SUPPRESS = "suppress"
    UNSUPPRESS = "unsuppress"
    REMOVE = "remove"  # out of service
    RESTORE = "restore"  # back in service


S = AlarmState
_SHELVABLE = frozenset({S.NORMAL, S.UNACKED, S.ACKED, S.RTN_UNACKED, S.LATCHED})


def next_state(
    state: AlarmState,
    action: Action,
    *,
    active: bool,
    latch: bool = False,
    acked: bool = True,
    suppressed: bool = False,
) -> AlarmState | None:
    """The state after ``action``, or None when the action does not apply in ``state``.

    ``active`` is the process condition now; ``acked`` matters only for a latched alarm;
    ``suppressed`` is the design condition, which still holds under shelving or out of
    service and decides where those end.
    """
    match action:
        case Action.ACTIVATE:
            return S.UNACKED if state in (S.NORMAL, S.RTN_UNACKED, S.LATCHED) else None
        case Action.CLEAR:
            if state is S.UNACKED:
                return S.LATCHED if latch else S.RTN_UNACKED
            if state is S.ACKED:
                return S.LATCHED if latch else S.NORMAL
            return None
        case Action.ACKNOWLEDGE:
            if state is S.UNACKED:
                return S.ACKED
            if state is S.RTN_UNACKED:
                return S.NORMAL
            if state is S.LATCHED and not acked:
                return S.LATCHED
            return None
        case Action.RESET:
            return S.NORMAL if state is S.LATCHED else None
        case Action.SHELVE:
            return S.SHELVED if state in _SHELVABLE else None
        case Action.SUPPRESS:
            return S.SUPPRESSED if state in _SHELVABLE else None
        case Action.REMOVE:
            return S.OUT_OF_SERVICE if state is not S.OUT_OF_SERVICE else None
        case Action.UNSHELVE:
            return _settled(active, suppressed) if state is S.SHELVED else None
        case Action.UNSUPPRESS:
            return _settled(active, False) if state is S.SUPPRESSED else None
        case Action.RESTORE:
            return _settled(active, suppressed) if state is S.OUT_OF_SERVICE else None


def _settled(active: bool, suppressed: bool) -> AlarmState:
    """Where an alarm lands when an overlay ends: active ones are announced again."""
    if suppressed:
        return S.SUPPRESSED
    return S.UNACKED if active else S.NORMAL


def acked_after(state: AlarmState, action: Action, new: AlarmState, acked: bool) -> bool:
    """Whether the alarm counts as acknowledged after a transition into ``new``."""
    if action is Action.ACKNOWLEDGE or action is Action.RESET:
        return True
    if new in (S.UNACKED, S.RTN_UNACKED):
        return False
    if new is S.LATCHED:
        return acked and state is not S.UNACKED
    return True
