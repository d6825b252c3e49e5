"""Machine-state readings → stops: when the line stopped, why (its state), when it ran again.

``StopDetector`` follows one line: running → anything else starts a stop, back to running
ends it (a micro-stop when shorter than the line's threshold, counted apart), a change
between two non-running states keeps the stop and may change its state. A state tag that
reads Bad is ``MachineState.NO_DATA``: a stop like any other (nothing is known to be
produced), never production. Time comes in with each reading; a clock set back never makes a
negative duration, and the event says so in ``note``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .model import MachineState

#: which state a stop takes when the machine goes from one non-running state to another:
#: the higher one (a fault during a changeover makes it a fault stop), the newer on a tie
SEVERITY: dict[MachineState, int] = {
    MachineState.FAULT: 5,
    MachineState.CHANGEOVER: 4,
    MachineState.STARVED: 3,
    MachineState.BLOCKED: 3,
    MachineState.IDLE: 2,
    MachineState.NO_DATA: 1,  # knowing nothing never hides what was known
    MachineState.RUNNING: 0,
}

START, END, STATE = "start", "end", "state"


@dataclass(frozen=True)
class StopEvent:
    """A stop started (``end`` None), ended, or changed its state while it lasts."""

    kind: str  # start, end, state
    line: str
    start: float
    end: float | None
    state: MachineState
    micro: bool = False  # only on "end": shorter than the line's micro-stop threshold
    note: str = ""  # why a time was adjusted (the clock went back)

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start


class StopDetector:
    """One line's state readings → ``StopEvent``s. ``open_since`` resumes a stop the
    service had open when the HMI stopped: (its start, its state)."""

    __slots__ = ("_clock_back", "_last_state", "_last_ts", "_open", "line", "micro_stop")

    def __init__(
        self,
        line: str,
        micro_stop: float,
        open_since: tuple[float, MachineState] | None = None,
    ):
        if micro_stop < 0:
            raise ValueError(f"line {line!r}: the micro-stop threshold {micro_stop} is negative")
        self.line = line
        self.micro_stop = micro_stop
        #: the stop going on: (start, state); None while running or not known yet
        self._open: tuple[float, MachineState] | None = open_since
        self._last_state: MachineState | None = open_since[1] if open_since else None
        self._last_ts: float | None = None
        #: seconds the clock went back during the open stop (its duration may be short)
        self._clock_back = 0.0

    @property
    def open(self) -> tuple[float, MachineState] | None:
        """The stop going on, (start, state), or None."""
        return self._open

    def update(self, state: MachineState, ts: float) -> list[StopEvent]:
        """One reading of the line's state; the events it makes (mostly none)."""
        last_ts = self._last_ts
        self._last_ts = ts
        back = last_ts - ts if last_ts is not None and ts < last_ts else 0.0
        if back and self._open is not None:
            self._clock_back += back
        if state is self._last_state:
            return []
        self._last_state = state
        stop = self._open
        if state is MachineState.RUNNING:
            if stop is None:
                return []
            return [self._end(stop, ts)]
        if stop is None:
            self._open = (ts, state)
            self._clock_back = 0.0
            note = f"the clock went back {back:.0f} s as this stop started" if back else ""
            return [StopEvent(START, self.line, ts, None, state, note=note)]
        start, current = stop
        if state is current or SEVERITY[state] < SEVERITY[current]:
            return []
        self._open = (start, state)
        return [StopEvent(STATE, self.line, start, None, state)]

    def _end(self, stop: tuple[float, MachineState], ts: float) -> StopEvent:
        start, state = stop
        self._open = None
        note = ""
        if self._clock_back:
            note = f"the clock went back {self._clock_back:.0f} s during this stop"
            if ts < start:
                note += f"; it ended {start - ts:.0f} s before it started by the clock"
                note += ", so its end is taken as its start"
                ts = start
            else:
                note += ": it may have lasted longer"
        self._clock_back = 0.0
        return StopEvent(END, self.line, start, ts, state, ts - start < self.micro_stop, note)


def state_from(
    value: Any,
    mapping: Mapping[Any, MachineState],
    flags: Mapping[MachineState, bool] | None = None,
    default: MachineState = MachineState.IDLE,
) -> MachineState:
    """The machine state from the state tag's value and the flag tags that are on.

    ``value`` is looked up in the project's ``values`` (a whole float or a numeric text
    finds its integer key); a value not listed is ``default``; None means the line has no
    state tag (running unless a flag says otherwise). Flags name why the machine does not
    produce (starved, blocked, fault): one that is on wins over running, and the most severe
    of the value's state and the flags' wins otherwise. A Bad state tag is the caller's to
    turn into ``MachineState.NO_DATA``.
    """
    if value is None:
        state = MachineState.RUNNING
    else:
        found = mapping.get(value)
        if found is None:
            found = mapping.get(_integer(value))
        state = found if found is not None else default
    if flags:
        for flag, on in flags.items():
            if (
                on
                and flag is not MachineState.RUNNING
                and (state is MachineState.RUNNING or SEVERITY[flag] > SEVERITY[state])
            ):
                state = flag
    return state


def _integer(value: Any) -> Any:
    """2.0 and "2" as 2 (a state code read as a float or a text); anything else as is."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return value
    return value
