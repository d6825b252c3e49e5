"""PLC counter readings → count steps: wraps, resets, outages, restarts of the HMI,
glitches and implausible jumps; and a simulated production day counted exactly."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from hmi.core.orders.counting import ADDING, CounterSpec, CounterTracker
from hmi.core.orders.model import CountStep

T0 = 1_796_882_400.0  # 2026-12-10 06:00 UTC
U16 = 2**16
GOOD16 = CounterSpec("good", modulus=U16, max_jump=1000, max_rate=10.0)


def feed(tracker: CounterTracker, readings: list[tuple[int | None, float]]) -> list[CountStep]:
    """The steps a series of (reading, seconds after T0) makes; None reads Bad."""
    steps = []
    for raw, at in readings:
        step = tracker.update(raw, T0 + at, good=raw is not None)
        if step is not None:
            steps.append(step)
    return steps


def kinds(steps: list[CountStep]) -> list[tuple[str, int, int | None, int | None]]:
    return [(s.kind, s.delta, s.raw_before, s.raw_after) for s in steps]


def added(steps: list[CountStep]) -> int:
    return sum(s.delta for s in steps if s.kind in ADDING)


# -- one reading at a time -------------------------------------------------------------


def test_first_reading_is_a_baseline_then_counts_follow():
    tracker = CounterTracker(GOOD16)
    steps = feed(tracker, [(500, 0), (500, 1), (503, 2), (510, 3)])
    assert kinds(steps) == [
        ("first", 0, None, 500),  # nothing counted: the PLC's history is not this order's
        ("count", 3, 500, 503),
        ("count", 7, 503, 510),
    ]
    assert steps[1].counter == "good" and steps[1].ts == T0 + 2 and steps[1].line == ""
    assert (tracker.last_raw, tracker.last_ts) == (510, T0 + 3)


def test_an_unchanged_reading_makes_no_step_but_moves_the_time():
    tracker = CounterTracker(GOOD16)
    feed(tracker, [(7, 0)])
    assert tracker.update(7, T0 + 5) is None
    assert (tracker.last_raw, tracker.last_ts) == (7, T0 + 5)


def test_a_16_bit_counter_wraps():
    steps = feed(CounterTracker(GOOD16), [(65530, 0), (4, 1)])
    # 65536 - 65530 + 4 = 10 pieces across the wrap
    assert kinds(steps)[1] == ("wrap", 10, 65530, 4)


def test_a_32_bit_counter_wraps():
    spec = CounterSpec("scrap", max_jump=100)
    steps = feed(CounterTracker(spec), [(2**32 - 3, 0), (2, 1)])
    # 2**32 - (2**32 - 3) + 2 = 5
    assert kinds(steps)[1] == ("wrap", 5, 2**32 - 3, 2)


def test_bad_readings_count_nothing_and_keep_the_baseline():
    tracker = CounterTracker(GOOD16)
    feed(tracker, [(100, 0)])
    assert tracker.update(9999, T0 + 1, good=False) is None  # a Bad value is no value
    assert tracker.update(None, T0 + 2) is None
    assert (tracker.last_raw, tracker.last_ts) == (100, T0)
    steps = feed(tracker, [(130, 10)])
    assert kinds(steps) == [("count", 30, 100, 130)]


def test_a_power_cycle_during_an_outage_is_a_reset_counted_from_zero():
    tracker = CounterTracker(GOOD16)
    steps = feed(tracker, [(50_000, 0), (None, 1), (None, 30), (12, 60), (15, 61)])
    # the PLC came back from 0 and counted 12 while the link was down: 12, then 3 more
    assert kinds(steps)[1:] == [("reset", 12, 50_000, 12), ("count", 3, 12, 15)]


def test_a_reset_without_an_outage_is_confirmed_by_the_next_readings():
    """The PLC's program zeroes its counter: the first low reading could be a glitch, so it
    is flagged; the counter counting on from there makes it a reset, counted from 0."""
    tracker = CounterTracker(GOOD16)
    steps = feed(tracker, [(5000, 0), (0, 1), (0, 2), (3, 3), (4, 4)])
    assert kinds(steps)[1:] == [
        ("jump", 0, 5000, 0),  # flagged, nothing added yet
        ("reset", 3, 5000, 3),  # 0 -> 3 since the reset
        ("count", 1, 3, 4),
    ]
    assert added(steps) == 4


def test_a_reading_a_little_backwards_is_flagged_and_never_added():
    tracker = CounterTracker(GOOD16)
    steps = feed(tracker, [(1000, 0), (997, 1), (1002, 2)])
    assert kinds(steps)[1:] == [
        ("jump", 0, 1000, 997),  # a glitch: flagged with its raw readings
        ("count", 2, 1000, 1002),  # counted on from 1000: the 3 are not counted twice
    ]
    assert added(steps) == 2


def test_a_counter_stepped_back_for_good_counts_on_from_its_new_level():
    tracker = CounterTracker(GOOD16)
    steps = feed(tracker, [(1000, 0), (997, 1), (997, 2), (999, 3)])
    # 997 stays, then 999: the PLC's counter went back 3 and counts on from 997
    assert kinds(steps)[1:] == [("jump", 0, 1000, 997), ("count", 2, 997, 999)]
    assert added(steps) == 2


def test_a_spike_is_flagged_and_counting_goes_on_from_before_it():
    tracker = CounterTracker(GOOD16)
    steps = feed(tracker, [(1000, 0), (40_000, 1), (1004, 2)])
    assert kinds(steps)[1:] == [("jump", 0, 1000, 40_000), ("count", 4, 1000, 1004)]
    assert tracker.flagged is None


def test_an_implausible_jump_that_holds_is_flagged_not_added():
    tracker = CounterTracker(GOOD16)
    steps = feed(tracker, [(1000, 0), (40_000, 1), (40_000, 2), (40_003, 3)])
    # somebody preset the counter: its 39000 are flagged, only the 3 after it are counted
    assert kinds(steps)[1:] == [("jump", 0, 1000, 40_000), ("count", 3, 40_000, 40_003)]
    assert tracker.last_raw == 40_003


def test_the_plausible_step_grows_with_max_rate_and_time():
    spec = CounterSpec("good", modulus=U16, max_jump=100, max_rate=5.0)
    tracker = CounterTracker(spec)
    # 100 + 5/s x 100 s = 600 allowed after a 100 s outage: 550 is counted
    steps = feed(tracker, [(0, 0), (None, 50), (550, 100)])
    assert kinds(steps)[1] == ("count", 550, 0, 550)
    # 100 + 5 x 10 = 150 allowed 10 s later: 200 more is a jump
    steps = feed(tracker, [(750, 110)])
    assert kinds(steps) == [("jump", 0, 550, 750)]


def test_without_max_rate_a_long_outage_production_is_flagged():
    spec = CounterSpec("good", modulus=U16, max_jump=1000)
    steps = feed(CounterTracker(spec), [(0, 0), (None, 10), (3000, 3600)])
    assert kinds(steps)[1] == ("jump", 0, 0, 3000)
    assert added(steps) == 0


def test_the_hmi_resumes_from_the_stored_reading():
    first = CounterTracker(GOOD16)
    feed(first, [(100, 0), (160, 10)])
    stored = (first.last_raw, first.last_ts)
    # the HMI was down for 5 minutes; the PLC counted on and wrapped meanwhile? no: 100 more
    resumed = CounterTracker(GOOD16, *stored)
    assert kinds(feed(resumed, [(260, 310)])) == [("count", 100, 160, 260)]


def test_a_power_cycle_while_the_hmi_was_down_is_a_reset():
    resumed = CounterTracker(GOOD16, last_raw=30_000, last_ts=T0)
    # nothing seen in between: the counter reads 40, nearer 0 than 30000, within 1000+10x120
    assert kinds(feed(resumed, [(40, 120)])) == [("reset", 40, 30_000, 40)]


def test_a_reset_just_below_the_wrap_point_during_an_outage_reads_as_a_wrap():
    """Indistinguishable from the readings: 65000 -> 40 is 576 pieces across the wrap or 40
    after a restart. The wrap wins (the common case); the simulated day keeps its power
    cycles away from the top of the counter for that reason."""
    steps = feed(CounterTracker(GOOD16), [(65_000, 0), (None, 30), (40, 60)])
    assert kinds(steps)[1] == ("wrap", 576, 65_000, 40)


def test_the_clock_going_back_never_widens_the_plausible_step():
    spec = CounterSpec("good", modulus=U16, max_jump=100, max_rate=5.0)
    tracker = CounterTracker(spec)
    steps = feed(tracker, [(0, 3600), (50, 0), (200, 1)])
    # 50 within max_jump with no time (clock back), then 150 in 1 s > 100 + 5: a jump
    assert kinds(steps)[1:] == [("count", 50, 0, 50), ("jump", 0, 50, 200)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (-1, ("count", 1, 65534, 65535)),  # a signed INT16 tag: -1 is 65535
        (65535.0, ("count", 1, 65534, 65535)),  # a whole float is taken as is
        (70_000, ("invalid", 0, 65534, 70_000)),  # above 16 bits: the wrong tag or bits
        (12.5, ("invalid", 0, 65534, None)),
        ("12", ("invalid", 0, 65534, None)),
        (True, ("invalid", 0, 65534, None)),
    ],
)
def test_readings_outside_the_counter_range(raw, expected):
    tracker = CounterTracker(GOOD16)
    feed(tracker, [(65534, 0)])
    step = tracker.update(raw, T0 + 1)
    assert step is not None and kinds([step]) == [expected]
    if expected[0] == "invalid":
        assert tracker.last_raw == 65534  # the baseline is kept


def test_a_stored_reading_outside_the_range_is_refused():
    with pytest.raises(ValueError, match=r"outside 0\.\.65535"):
        CounterTracker(GOOD16, last_raw=70_000, last_ts=T0)
    with pytest.raises(ValueError, match="modulus"):
        CounterSpec("good", modulus=1)


# -- a simulated production day ---------------------------------------------------------

DAY = 86_400
MAX_PIECES = 8  # the most the simulated line makes in a second


@dataclass
class Day:
    """What happened at the PLC (the truth) and what the HMI's trackers made of it."""

    steps: list[CountStep] = field(default_factory=list)
    produced: int = 0
    wraps: int = 0
    power_cycles: list[tuple[int, float]] = field(default_factory=list)  # value before, when
    glitches: list[tuple[int, int, float]] = field(default_factory=list)  # before, read, when
    restarts: int = 0
    readings_lost: int = 0
    readings_bad: int = 0


def simulate_day(modulus: int, start: int, seed: int) -> Day:
    """One second at a time for a day: the line runs and stops, the PLC counts (wrapping),
    is power-cycled (its counter restarts from 0 and its link is down a while), the link
    drops on its own, the HMI restarts (a new tracker from the last stored reading, with
    up to 10 minutes of readings lost), and now and then a reading is a glitch (a few
    pieces back, or a spike). A power cycle comes only after a delivered reading and while
    the counter is at least 20000 from 0 and from the wrap: nearer, a reset after an outage
    looks exactly like counting on or like a wrap (see the tests above)."""
    rng = random.Random(seed)
    spec = CounterSpec("good", modulus=modulus, max_jump=1000, max_rate=10.0)
    tracker = CounterTracker(spec)
    stored: tuple[int | None, float | None] = (None, None)  # what the service stores
    day = Day()
    counter = start
    running = True
    run_change_at = rng.randint(600, 3600)
    plc_off_until = link_down_until = hmi_down_until = 0
    restart_pending = False
    previous: int | None = None  # last second's reading, when it was delivered and good
    previous_glitch = False
    for s in range(DAY):
        ts = T0 + s
        if s >= run_change_at:
            running = not running
            run_change_at = s + (rng.randint(300, 7200) if running else rng.randint(10, 600))
        quiet = s >= link_down_until and s >= hmi_down_until and previous is not None
        # (the last hour is calm, so the day ends on a good reading of what was made)
        quiet = quiet and not previous_glitch and not restart_pending and s < DAY - 3600
        chance = rng.random()
        if quiet and chance < 1 / 10_000 and 20_000 <= counter <= modulus - 20_000:
            day.power_cycles.append((counter, ts))
            counter = 0
            plc_off_until = s + rng.randint(20, 60)
            link_down_until = plc_off_until + rng.randint(0, 120)
        elif quiet and chance < 2 / 10_000:
            link_down_until = s + rng.randint(5, 300)
        elif quiet and chance < 3 / 10_000:
            hmi_down_until = s + rng.choice((0, rng.randint(1, 600)))
            restart_pending = True
        if running and s >= plc_off_until and s > 0:  # the first reading is the baseline
            pieces = rng.randint(0, MAX_PIECES)
            day.produced += pieces
            counter += pieces
            if counter >= modulus:
                counter -= modulus
                day.wraps += 1
        if s < hmi_down_until:
            day.readings_lost += 1
            previous = None
            continue
        if restart_pending:
            tracker = CounterTracker(spec, *stored)
            restart_pending = False
            day.restarts += 1
        if s < link_down_until:
            step = tracker.update(counter, ts, good=False)  # Bad: its value means nothing
            day.readings_bad += 1
            previous, previous_glitch = None, False
        else:
            reading, glitch = counter, False
            if previous is not None and not previous_glitch and rng.random() < 1 / 2500:
                # one reading wrong, right after a good one (a glitch right after an outage
                # is read as the outage's reset or count: nothing tells them apart)
                glitch = True
                if rng.random() < 0.5:
                    off = -rng.randint(1, 5)
                else:
                    off = rng.randint(modulus // 4, modulus // 3)
                reading = (previous + off) % modulus
                day.glitches.append((previous, reading, ts))
            step = tracker.update(reading, ts)
            previous, previous_glitch = reading, glitch
        if step is not None:
            day.steps.append(step)
            stored = (tracker.last_raw, tracker.last_ts)
    return day


@pytest.mark.parametrize(
    ("modulus", "seed"),
    [(U16, 1), (U16, 2), (U16, 3), (2**32, 4), (2**32, 5)],
)
def test_a_simulated_day_is_counted_exactly(modulus, seed):
    start = random.Random(seed).randint(0, U16 - 1)
    if modulus > U16:
        start = modulus - 1 - start // 4  # a 32-bit counter near its top wraps too
    day = simulate_day(modulus, start, seed)

    # the day had what it claims to have
    assert day.wraps >= (3 if modulus == U16 else 1)
    assert len(day.power_cycles) >= 2
    assert len(day.glitches) >= 10
    assert day.restarts >= 2
    assert day.readings_lost > 0 and day.readings_bad > 0

    # every piece the PLC counted is added once: not one more, not one less
    assert added(day.steps) == day.produced
    by_kind: dict[str, list[CountStep]] = {}
    for step in day.steps:
        by_kind.setdefault(step.kind, []).append(step)
    assert set(by_kind) <= {"first", "count", "wrap", "reset", "jump"}
    assert all(s.delta == 0 for s in by_kind.get("jump", []))
    # each wrap, power cycle and glitch is reported, with its raw readings, and nothing else
    assert len(by_kind["wrap"]) == day.wraps
    resets = by_kind["reset"]
    assert [s.raw_before for s in resets] == [before for before, _ in day.power_cycles]
    assert all(s.ts > at for s, (_, at) in zip(resets, day.power_cycles, strict=True))
    flagged = [(s.raw_before, s.raw_after, s.ts) for s in by_kind["jump"]]
    assert flagged == day.glitches
