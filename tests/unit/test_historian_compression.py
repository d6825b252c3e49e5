"""Compression filters: what is stored, and that a swinging-door trend stays within deviation."""

from __future__ import annotations

import bisect
import itertools
import math
import random

import pytest

from drivers.simulator import FillerModel, PressModel
from hmi.core.historian.compression import (
    ExceptionFilter,
    IntervalFilter,
    SwingingDoorFilter,
)
from hmi.core.tags import Quality

GOOD, UNCERTAIN, BAD = int(Quality.GOOD), int(Quality.UNCERTAIN), int(Quality.BAD)


def trend_at(stored: list, t: int, times: list[int]) -> float:
    """The stored trend at ``t``: straight lines between stored points."""
    i = bisect.bisect_right(times, t) - 1
    assert i >= 0, "the trend must start at the first sample"
    t0, v0, _ = stored[i]
    if t0 == t or i + 1 == len(stored):
        return v0
    t1, v1, _ = stored[i + 1]
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def run(filt, samples, tick_every_ms: int | None = None) -> list:
    out: list = []
    next_tick = samples[0][0] if tick_every_ms else None
    for t, value in samples:
        while next_tick is not None and next_tick <= t:
            filt.tick(next_tick, out)
            next_tick += tick_every_ms
        filt.feed(t, value, GOOD, out)
    filt.flush(out)
    return out


def max_error(samples, stored) -> float:
    times = [p[0] for p in stored]
    return max(abs(trend_at(stored, t, times) - v) for t, v in samples)


def sine_with_noise(n=20_000, seed=3):
    rng = random.Random(seed)
    return [(i * 1000, 50 * math.sin(i / 300) + rng.gauss(0, 0.02)) for i in range(n)]


def steps_and_ramps(n=20_000):
    out = []
    for i in range(n):
        phase = (i // 2000) % 4
        value = [0.0, 100.0, (i % 2000) * 0.05, 100 - (i % 2000) * 0.05][phase]
        out.append((i * 1000 + (i % 7), value))  # slightly irregular sampling
    return out


def simulated(model_class, names, seconds=3600, seed=7):
    model = model_class(seed=seed)
    series: dict[str, list] = {name: [] for name in names}
    for second in range(seconds):
        model.advance(1.0)
        for name in names:
            series[name].append((second * 1000, float(model.read(name))))
    return series


@pytest.mark.parametrize("deviation", [0.05, 0.5, 2.0])
@pytest.mark.parametrize("signal", [sine_with_noise, steps_and_ramps])
def test_swinging_door_trend_stays_within_the_deviation(signal, deviation):
    samples = signal()
    stored = run(SwingingDoorFilter(deviation), samples)
    assert max_error(samples, stored) <= deviation * (1 + 1e-9)
    assert stored[0][0] == samples[0][0] and stored[-1][0] == samples[-1][0]
    assert len(stored) < len(samples) / 2  # and it does compress


@pytest.mark.parametrize(
    ("model_class", "names"),
    [
        (PressModel, ["billet_temp", "die_temp", "ram_pressure", "ram_speed", "ram_position"]),
        (FillerModel, ["tank_level", "product_temp", "supply_valve", "filler_speed"]),
    ],
)
def test_swinging_door_on_the_simulated_plant(model_class, names):
    for name, samples in simulated(model_class, names).items():
        values = [v for _, v in samples]
        deviation = max(0.01, (max(values) - min(values)) * 0.005)
        stored = run(SwingingDoorFilter(deviation, 600_000), samples)
        assert max_error(samples, stored) <= deviation * (1 + 1e-9), name
        assert len(stored) < len(samples), name


def test_max_interval_bounds_the_gap_between_stored_points():
    samples = [(i * 1000, 5.0 + (i % 2) * 1e-6) for i in range(3000)]  # flat within deviation
    stored = run(SwingingDoorFilter(0.1, 60_000), samples)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(stored)]
    assert max(gaps) <= 60_000 and len(stored) <= 3000 / 60 + 3


def test_a_quiet_tag_gets_a_point_per_max_interval_from_the_timer():
    filt = ExceptionFilter(0.0, 10_000)
    out: list = []
    filt.feed(0, 7.0, GOOD, out)
    for now in range(1000, 35_000, 1000):  # no samples: the value did not change
        filt.tick(now, out)
    assert [p[0] for p in out] == [0, 10_000, 20_000, 30_000]
    assert {p[1] for p in out} == {7.0}


def test_every_quality_change_is_stored_with_the_point_before_it():
    filt = SwingingDoorFilter(10.0)
    out: list = []
    for t, value, q in [(0, 1.0, GOOD), (1, 1.1, GOOD), (2, 1.2, GOOD), (3, 1.2, BAD)]:
        filt.feed(t, value, q, out)
    filt.feed(4, 9.9, BAD, out)  # still Bad: nothing new to say
    filt.feed(5, 1.3, UNCERTAIN, out)
    filt.feed(6, 1.4, GOOD, out)
    expected = [(0, GOOD), (2, GOOD), (3, BAD), (5, UNCERTAIN), (6, GOOD)]
    assert [(p[0], p[2]) for p in out] == expected


def test_nan_and_infinity_are_stored_once_each_and_compression_resumes():
    filt = SwingingDoorFilter(0.5)
    out: list = []
    values = [1.0, 2.0, 3.0, math.nan, math.nan, math.inf, math.inf, 4.0, 5.0, 6.0]
    for t, value in enumerate(values):
        filt.feed(t, value, GOOD, out)
    filt.flush(out)
    stored = [(p[0], p[1]) for p in out]
    assert stored[0] == (0, 1.0) and stored[-1] == (9, 6.0)
    assert [t for t, v in stored if isinstance(v, float) and math.isnan(v)] == [3]
    assert [t for t, v in stored if v == math.inf] == [5]
    assert (2, 3.0) in stored and (7, 4.0) in stored  # the line ends and restarts cleanly
    assert (1, 2.0) not in stored and (8, 5.0) not in stored


def test_exception_stores_moves_beyond_the_deadband_and_the_point_before_them():
    out = run(ExceptionFilter(1.0), [(0, 10.0), (1, 10.4), (2, 10.9), (3, 12.0), (4, 12.5)])
    assert [(p[0], p[1]) for p in out] == [(0, 10.0), (2, 10.9), (3, 12.0), (4, 12.5)]


def test_text_and_bool_values_are_stored_on_change():
    filt = ExceptionFilter(0.0)
    out: list = []
    for t, value in enumerate(["Cola", "Cola", "Water", True, True, False, False]):
        filt.feed(t, value, GOOD, out)
    assert [(p[0], p[1]) for p in out] == [(0, "Cola"), (2, "Water"), (3, True), (5, False)]
    filt.flush(out)
    assert out[-1][:2] == (6, False)  # the series ends where it was last seen


def test_fixed_interval_stores_the_newest_value_each_period_and_quality_at_once():
    filt = IntervalFilter(1000)
    out: list = []
    filt.tick(0, out)
    for t in range(50, 3500, 100):
        filt.feed(t, float(t), GOOD, out)
        filt.tick(t + 10, out)
    filt.feed(3550, 0.0, BAD, out)
    assert [p[0] for p in out][:4] == [50, 1060, 2060, 3060]
    assert out[1][1] == 1050.0
    assert out[-1][:3] == (3550, 0.0, BAD) and out[-2][0] == 3450  # held point, then Bad


def test_the_deviation_holds_between_good_points_with_gaps_faults_and_timers():
    rng = random.Random(11)
    filt = SwingingDoorFilter(0.3, 20_000)
    out: list = []
    raw = []
    value, t = 0.0, 0
    for _ in range(30_000):
        t += rng.choice([100, 1000, 1000, 5000])
        value += rng.gauss(0, 0.2)
        q = BAD if rng.random() < 0.003 else GOOD
        sample = math.nan if rng.random() < 0.002 else value
        filt.tick(t - 50, out)
        filt.feed(t, sample, q, out)
        raw.append((t, sample, q))
    filt.flush(out)
    times = [p[0] for p in out]
    assert times == sorted(set(times))
    checked = 0
    for t, sample, q in raw:
        i = bisect.bisect_right(times, t) - 1
        a, b = out[i], out[min(i + 1, len(out) - 1)]
        if q != GOOD or math.isnan(sample) or a[2] != GOOD or b[2] != GOOD:
            continue
        if a[0] == t:
            assert a[1] == sample
        elif not (math.isnan(a[1]) or math.isnan(b[1])):
            assert abs(trend_at(out, t, times) - sample) <= 0.3 * (1 + 1e-9)
        checked += 1
    assert checked > 25_000 and len(out) < len(raw) / 2
