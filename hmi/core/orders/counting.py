"""Raw PLC counter readings → increments of production, exactly.

A PLC counter runs forever: it wraps at its modulus, starts again from 0 when the PLC is
power-cycled (or its program resets it), reads Bad while the link is down, and now and
then a reading is simply wrong (a glitch a few pieces back, a spike). The HMI restarts
too, and resumes from the last reading it stored. ``CounterTracker`` turns the readings
into ``CountStep``s so that every piece the PLC counted is added once and only once, and
every reading it cannot explain is flagged with its raw values instead of being added.

How a reading ``raw`` after the baseline ``last`` is read (``allowed`` = ``max_jump`` +
``max_rate`` × seconds since ``last`` was read, the most a counter can plausibly move):

- ``raw - last`` within ``allowed``: ``count``;
- below ``last`` and ``modulus - last + raw`` within ``allowed``: ``wrap``;
- below ``last``, after an outage or a restart of the HMI (when a power cycle of the PLC may
  have gone unseen), and clearly a new start (``raw`` within ``allowed`` and nearer 0 than
  ``last``): ``reset``, the ``raw`` pieces since 0 counted;
- anything else: ``jump``, flagged, nothing added, the baseline kept. The next reading
  tells what it was: one that follows on from the old baseline makes it a glitch (counting
  goes on from there, nothing lost); one that follows on from the flagged reading makes it
  a new level: a reset (counted from 0) when it went back to a clearly new start after an
  outage or nearer 0 than before, otherwise counting goes on from the new level without
  the flagged difference (the supervisor corrects the count if it was real production).

The tracker keeps its baseline across Bad readings; ``last_raw``/``last_ts`` are what the
service stores with each step, and a tracker built from them resumes exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import CountStep

#: how a step came about (``CountStep.kind``); only count, wrap and reset add pieces
FIRST, COUNT, WRAP, RESET, JUMP, INVALID = "first", "count", "wrap", "reset", "jump", "invalid"
ADDING = frozenset({COUNT, WRAP, RESET})


@dataclass(frozen=True)
class CounterSpec:
    """One counter tag as the project maps it (``orders.lines.*.counters``)."""

    name: str  # good, scrap, billets
    modulus: int = 2**32  # the value it wraps at: 2**16 for a 16-bit counter
    #: the most it can move between two readings, whatever the time between them
    max_jump: int = 1000
    #: pieces per second it can at most count (0: no allowance for time): a plausible step
    #: is ``max_jump + max_rate × seconds`` since the last reading
    max_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.modulus < 2:
            raise ValueError(f"counter {self.name!r}: modulus {self.modulus} is below 2")
        if self.max_jump < 0 or self.max_rate < 0:
            raise ValueError(f"counter {self.name!r}: max_jump and max_rate must not be negative")


class CounterTracker:
    """Readings of one counter → ``CountStep``s; pure (time comes in with each reading).

    Not thread-safe: one tracker per counter, fed from one place.
    """

    __slots__ = (
        "_base",
        "_base_ts",
        "_gap",
        "_max_jump",
        "_max_rate",
        "_modulus",
        "_name",
        "_pending",
        "spec",
    )

    def __init__(
        self, spec: CounterSpec, last_raw: int | None = None, last_ts: float | None = None
    ):
        self.spec = spec
        self._name = spec.name
        self._modulus = spec.modulus
        self._max_jump = spec.max_jump
        self._max_rate = spec.max_rate
        if last_raw is not None and not 0 <= last_raw < spec.modulus:
            raise ValueError(
                f"counter {spec.name!r}: stored reading {last_raw} is outside 0..{spec.modulus - 1}"
            )
        self._base = last_raw
        self._base_ts = last_ts
        #: readings may have been missed since the baseline (Bad, or the HMI was not running):
        #: a power cycle of the PLC may have gone unseen
        self._gap = last_raw is not None
        #: a flagged reading waiting for the next one to tell what it was:
        #: (raw, ts, gap at the time, allowed step at the time)
        self._pending: tuple[int, float, bool, float] | None = None

    @property
    def last_raw(self) -> int | None:
        """The baseline reading: what the next counted step starts from."""
        return self._base

    @property
    def last_ts(self) -> float | None:
        """When the baseline was last read (the plausible step grows from there)."""
        return self._base_ts

    @property
    def flagged(self) -> int | None:
        """The flagged reading still waiting for the next one to explain it, if any."""
        return self._pending[0] if self._pending is not None else None

    def update(self, raw: int | None, ts: float, good: bool = True) -> CountStep | None:
        """One reading; the step it makes, or None when nothing changed (or it read Bad)."""
        if raw is None or not good:
            self._gap = True  # nothing counted while Bad; a power cycle may hide in it
            return None
        if type(raw) is not int or not 0 <= raw < self._modulus:
            valid = self._valid(raw)
            if valid is None:
                return self._step(0, self._base, raw if type(raw) is int else None, INVALID, ts)
            raw = valid
        base = self._base
        if base is None:
            self._base = raw
            self._base_ts = ts
            self._gap = False
            return self._step(0, None, raw, FIRST, ts)
        base_ts = self._base_ts
        allowed: float = self._max_jump
        if base_ts is not None and ts > base_ts:
            allowed += self._max_rate * (ts - base_ts)
        if self._pending is None:
            if raw >= base:  # the hot path: the counter moved on (or stood still)
                delta = raw - base
                if delta <= allowed:
                    self._base_ts = ts
                    self._gap = False
                    if delta == 0:
                        return None
                    self._base = raw
                    return self._step(delta, base, raw, COUNT, ts)
            return self._explain(raw, ts, base, allowed, self._gap) or self._flag(
                raw, ts, base, allowed, self._gap
            )
        return self._resolve(raw, ts, base, allowed)

    # -- the slow paths ------------------------------------------------------------------

    def _explain(
        self, raw: int, ts: float, base: int, allowed: float, gap: bool
    ) -> CountStep | None:
        """The step when ``raw`` follows on from the baseline (count, wrap, clear reset)."""
        if raw >= base:
            delta, kind = raw - base, COUNT
        else:
            delta, kind = self._modulus - base + raw, WRAP
            if delta > allowed and gap and raw <= allowed and raw < base - raw:
                delta, kind = raw, RESET
        if delta > allowed:
            return None
        self._pending = None
        self._base_ts = ts
        self._gap = False
        if delta == 0 and kind == COUNT:
            return None
        self._base = raw
        return self._step(delta, base, raw, kind, ts)

    def _flag(self, raw: int, ts: float, base: int, allowed: float, gap: bool) -> CountStep:
        """An unexplained reading: flagged, nothing added, the baseline kept."""
        self._pending = (raw, ts, gap, allowed)
        return self._step(0, base, raw, JUMP, ts)

    def _resolve(self, raw: int, ts: float, base: int, allowed: float) -> CountStep | None:
        """The reading after a flagged one: a glitch, a reset or a new level."""
        assert self._pending is not None
        flagged, flagged_ts, flagged_gap, flagged_allowed = self._pending
        gap = self._gap or flagged_gap
        step = self._explain(raw, ts, base, allowed, gap)
        if step is not None or self._pending is None:
            return step  # it follows on from the baseline: the flagged reading was a glitch
        if raw == flagged:
            return None  # still there; wait for the counter to move
        since = self._max_jump + self._max_rate * max(ts - flagged_ts, 0.0)
        delta = (raw - flagged) % self._modulus
        if delta > since:  # follows on from neither: flag this one instead
            return self._flag(raw, ts, base, allowed, gap)
        self._pending = None
        self._base = raw
        self._base_ts = ts
        self._gap = False
        back = flagged < base
        if back and flagged <= flagged_allowed and (gap or flagged < base - flagged):
            # went back to a new start and counts on from it: the PLC counter restarted
            return self._step(flagged + delta, base, raw, RESET, ts)
        # a new level: counting goes on from it; the flagged difference stays out
        return self._step(delta, flagged, raw, COUNT, ts)

    def _valid(self, raw: object) -> int | None:
        """A reading outside 0..modulus-1 as the counter's value, or None when it is none:
        a whole float is taken as is, a negative one from a signed tag in two's complement."""
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            return None
        if isinstance(raw, float):
            if not raw.is_integer():
                return None
            raw = int(raw)
        if 0 <= raw < self._modulus:
            return raw
        if -(self._modulus // 2) <= raw < 0:
            return raw + self._modulus
        return None

    def _step(
        self, delta: int, before: int | None, after: int | None, kind: str, ts: float
    ) -> CountStep:
        return CountStep("", self._name, delta, before, after, kind, ts)
