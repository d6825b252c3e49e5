"""The ISA-18.2 state machine, transition by transition."""

import pytest

from hmi.core.alarms.states import Action, AlarmState, acked_after, next_state

S, A = AlarmState, Action
N, UA, AA, RTN, L = S.NORMAL, S.UNACKED, S.ACKED, S.RTN_UNACKED, S.LATCHED
SH, SUP, OOS = S.SHELVED, S.SUPPRESSED, S.OUT_OF_SERVICE

# state, action, options, expected state (None: the action does not apply)
TABLE = [
    # the process
    (N, A.ACTIVATE, {}, UA),
    (UA, A.CLEAR, {}, RTN),
    (AA, A.CLEAR, {}, N),
    (RTN, A.ACTIVATE, {}, UA),
    (UA, A.ACTIVATE, {}, None),
    (AA, A.ACTIVATE, {}, None),
    (N, A.CLEAR, {}, None),
    # acknowledgement
    (UA, A.ACKNOWLEDGE, {}, AA),
    (RTN, A.ACKNOWLEDGE, {}, N),
    (AA, A.ACKNOWLEDGE, {}, None),
    (N, A.ACKNOWLEDGE, {}, None),
    # latching: stays until acknowledged and reset
    (UA, A.CLEAR, {"latch": True}, L),
    (AA, A.CLEAR, {"latch": True}, L),
    (L, A.ACKNOWLEDGE, {"acked": False}, L),
    (L, A.ACKNOWLEDGE, {"acked": True}, None),
    (L, A.RESET, {}, N),
    (L, A.ACTIVATE, {}, UA),
    (AA, A.RESET, {}, None),
    # shelving, from any announced state; unshelving lands where the process is
    (N, A.SHELVE, {}, SH),
    (UA, A.SHELVE, {}, SH),
    (AA, A.SHELVE, {}, SH),
    (RTN, A.SHELVE, {}, SH),
    (L, A.SHELVE, {}, SH),
    (SH, A.SHELVE, {}, None),
    (SH, A.ACTIVATE, {}, None),
    (SH, A.UNSHELVE, {"active": False}, N),
    (SH, A.UNSHELVE, {"active": True}, UA),
    (SH, A.UNSHELVE, {"active": True, "suppressed": True}, SUP),
    (N, A.UNSHELVE, {}, None),
    (OOS, A.SHELVE, {}, None),
    (SUP, A.SHELVE, {}, None),
    # suppression by design
    (N, A.SUPPRESS, {}, SUP),
    (UA, A.SUPPRESS, {}, SUP),
    (AA, A.SUPPRESS, {}, SUP),
    (SH, A.SUPPRESS, {}, None),
    (OOS, A.SUPPRESS, {}, None),
    (SUP, A.UNSUPPRESS, {"active": False}, N),
    (SUP, A.UNSUPPRESS, {"active": True}, UA),
    (SUP, A.ACTIVATE, {}, None),
    (N, A.UNSUPPRESS, {}, None),
    # out of service, from anywhere; back in service where the process is
    (N, A.REMOVE, {}, OOS),
    (UA, A.REMOVE, {}, OOS),
    (SH, A.REMOVE, {}, OOS),
    (SUP, A.REMOVE, {}, OOS),
    (OOS, A.REMOVE, {}, None),
    (OOS, A.ACTIVATE, {}, None),
    (OOS, A.ACKNOWLEDGE, {}, None),
    (OOS, A.RESTORE, {"active": False}, N),
    (OOS, A.RESTORE, {"active": True}, UA),
    (OOS, A.RESTORE, {"active": True, "suppressed": True}, SUP),
    (N, A.RESTORE, {}, None),
]


@pytest.mark.parametrize(("state", "action", "options", "expected"), TABLE)
def test_transition(state, action, options, expected):
    kwargs = {"active": False, **options}
    assert next_state(state, action, **kwargs) is expected


def test_out_of_service_is_reachable_from_every_state_and_returns_to_the_process():
    for state in AlarmState:
        if state is OOS:
            continue
        removed = next_state(state, A.REMOVE, active=False)
        assert removed is OOS
        assert next_state(removed, A.RESTORE, active=False) is N
        assert next_state(removed, A.RESTORE, active=True) is UA


def test_a_normal_alarm_answers_only_the_process_and_the_overlays():
    applies = {a for a in Action if next_state(N, a, active=True) is not None}
    assert applies == {A.ACTIVATE, A.SHELVE, A.SUPPRESS, A.REMOVE}


@pytest.mark.parametrize(
    ("state", "action", "new", "acked_before", "expected"),
    [
        (N, A.ACTIVATE, UA, True, False),
        (UA, A.ACKNOWLEDGE, AA, False, True),
        (UA, A.CLEAR, RTN, False, False),
        (UA, A.CLEAR, L, False, False),  # latched and never acknowledged
        (AA, A.CLEAR, L, True, True),  # latched after acknowledgement: reset is enough
        (L, A.ACKNOWLEDGE, L, False, True),
        (SH, A.UNSHELVE, UA, True, False),  # announced again
    ],
)
def test_acknowledgement_follows_the_transition(state, action, new, acked_before, expected):
    assert acked_after(state, action, new, acked_before) is expected


def test_listed_states_are_those_an_operator_must_see():
    assert {s for s in AlarmState if s.listed} == {UA, AA, RTN, L}
