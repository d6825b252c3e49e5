"""Machine-state readings → stops: start and end, micro-stops, state changes during a
stop, no data, a clock set back, resuming an open stop; and the state from the tags."""

from __future__ import annotations

import pytest

from hmi.core.orders.downtime import StopDetector, StopEvent, state_from
from hmi.core.orders.model import MachineState

RUN = MachineState.RUNNING
IDLE = MachineState.IDLE
FAULT = MachineState.FAULT
CHANGE = MachineState.CHANGEOVER
STARVED = MachineState.STARVED
BLOCKED = MachineState.BLOCKED
NO_DATA = MachineState.NO_DATA
T0 = 1_796_882_400.0


def run(detector: StopDetector, readings: list[tuple[MachineState, float]]) -> list[StopEvent]:
    events = []
    for state, at in readings:
        events.extend(detector.update(state, T0 + at))
    return events


def brief(events: list[StopEvent]) -> list[tuple]:
    """(kind, start, end, state, micro) with times in seconds after T0."""
    return [
        (e.kind, e.start - T0, None if e.end is None else e.end - T0, e.state, e.micro)
        for e in events
    ]


def test_a_stop_starts_when_the_line_stops_and_ends_when_it_runs_again():
    detector = StopDetector("line1", micro_stop=90)
    events = run(detector, [(RUN, 0), (RUN, 10), (IDLE, 100), (IDLE, 150), (RUN, 400)])
    assert brief(events) == [
        ("start", 100, None, IDLE, False),
        ("end", 100, 400, IDLE, False),  # 300 s: not a micro-stop
    ]
    assert events[1].line == "line1" and events[1].duration == 300
    assert detector.open is None


def test_micro_stops_are_those_shorter_than_the_threshold():
    detector = StopDetector("line1", micro_stop=90)
    events = run(detector, [(RUN, 0), (IDLE, 10), (RUN, 99), (IDLE, 200), (RUN, 290)])
    # 99 - 10 = 89 s < 90: micro; 290 - 200 = 90 s is not shorter than 90: a stop
    assert [(e.duration, e.micro) for e in events if e.kind == "end"] == [(89, True), (90, False)]


def test_a_state_change_during_a_stop_keeps_its_start_and_takes_the_worse_state():
    detector = StopDetector("line1", micro_stop=90)
    events = run(
        detector,
        [
            (RUN, 0),
            (IDLE, 100),
            (FAULT, 130),  # worse: the stop becomes a fault stop
            (IDLE, 200),  # milder: it stays a fault stop, no event
            (CHANGE, 250),  # milder than a fault: no event
            (FAULT, 260),  # the state it already has: no event
            (RUN, 500),
        ],
    )
    assert brief(events) == [
        ("start", 100, None, IDLE, False),
        ("state", 100, None, FAULT, False),
        ("end", 100, 500, FAULT, False),
    ]


def test_starved_and_blocked_weigh_the_same_and_the_newest_wins():
    detector = StopDetector("line2", micro_stop=60)
    events = run(detector, [(RUN, 0), (STARVED, 10), (BLOCKED, 20), (RUN, 30)])
    assert brief(events) == [
        ("start", 10, None, STARVED, False),
        ("state", 10, None, BLOCKED, False),
        ("end", 10, 30, BLOCKED, True),
    ]


def test_no_data_is_a_stop_and_never_hides_a_known_state():
    detector = StopDetector("line1", micro_stop=90)
    events = run(detector, [(RUN, 0), (NO_DATA, 10), (FAULT, 300), (NO_DATA, 320), (RUN, 900)])
    # the state tag read Bad: nothing known to be produced, so a stop in state no_data;
    # the fault seen later names it; Bad again does not turn it back into no data
    assert brief(events) == [
        ("start", 10, None, NO_DATA, False),
        ("state", 10, None, FAULT, False),
        ("end", 10, 900, FAULT, False),
    ]


def test_a_stop_that_had_only_no_data_ends_as_no_data():
    detector = StopDetector("line1", micro_stop=90)
    events = run(detector, [(RUN, 0), (NO_DATA, 10), (RUN, 40)])
    assert brief(events)[-1] == ("end", 10, 40, NO_DATA, True)


def test_the_first_reading_starts_a_stop_only_when_the_line_is_not_running():
    assert run(StopDetector("line1", 90), [(RUN, 0), (RUN, 5)]) == []
    events = run(StopDetector("line1", 90), [(CHANGE, 0)])
    assert brief(events) == [("start", 0, None, CHANGE, False)]


def test_an_open_stop_resumes_after_a_restart_with_its_start():
    detector = StopDetector("line1", micro_stop=90, open_since=(T0 - 600, FAULT))
    assert detector.open == (T0 - 600, FAULT)
    events = run(detector, [(FAULT, 0), (IDLE, 10), (RUN, 60)])
    # the stop began 600 s before the HMI came back: it lasted 660 s, in state fault
    assert brief(events) == [("end", -600, 60, FAULT, False)]


def test_a_clock_set_back_during_a_stop_never_makes_a_negative_duration():
    detector = StopDetector("line1", micro_stop=90)
    events = run(detector, [(RUN, 0), (IDLE, 1000), (IDLE, 1100), (RUN, 400)])
    end = events[-1]
    # the clock went back 700 s (1100 -> 400) and the stop "ended" 600 s before it began
    assert (end.start - T0, end.end - T0, end.duration) == (1000, 1000, 0)
    assert "went back 700 s" in end.note and "end is taken as its start" in end.note


def test_a_clock_set_back_a_little_during_a_stop_is_said_in_the_note():
    detector = StopDetector("line1", micro_stop=90)
    events = run(detector, [(RUN, 0), (IDLE, 100), (IDLE, 500), (RUN, 450)])
    assert events[-1].duration == 350 and "may have lasted longer" in events[-1].note
    # the next stop starts afresh: no note
    events = run(detector, [(IDLE, 460), (RUN, 470)])
    assert [e.note for e in events] == ["", ""]


def test_a_clock_set_back_as_a_stop_starts_is_said_in_the_note():
    detector = StopDetector("line1", micro_stop=90)
    events = run(detector, [(RUN, 500), (IDLE, 200)])
    assert events[0].start == T0 + 200 and "went back 300 s" in events[0].note


def test_a_negative_threshold_is_refused():
    with pytest.raises(ValueError, match="negative"):
        StopDetector("line1", micro_stop=-1)


# -- the state from the tags -------------------------------------------------------------

VALUES = {2: RUN, 1: IDLE, 0: IDLE, 3: FAULT, 4: CHANGE}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, RUN), (3, FAULT), (2.0, RUN), ("4", CHANGE), (" 3 ", FAULT), (9, IDLE), ("x", IDLE)],
)
def test_state_from_the_state_tag(value, expected):
    assert state_from(value, VALUES, {}) is expected


def test_a_value_not_listed_takes_the_default():
    assert state_from(7, VALUES, {}, default=FAULT) is FAULT


def test_a_flag_that_is_on_stops_a_running_machine():
    assert state_from(2, VALUES, {STARVED: True, BLOCKED: False}) is STARVED
    assert state_from(2, VALUES, {STARVED: False, BLOCKED: False}) is RUN


def test_the_more_severe_of_the_state_and_the_flags_wins():
    assert state_from(1, VALUES, {BLOCKED: True}) is BLOCKED  # idle, and blocked says why
    assert state_from(3, VALUES, {STARVED: True}) is FAULT  # a fault outweighs starving


def test_without_a_state_tag_only_the_flags_tell():
    assert state_from(None, {}, {STARVED: False, BLOCKED: False}) is RUN
    assert state_from(None, {}, {STARVED: False, BLOCKED: True}) is BLOCKED
    assert state_from(None, {}, {FAULT: True, BLOCKED: True}) is FAULT
