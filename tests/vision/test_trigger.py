"""One trigger per part: PLC signals with bounce, spikes, drop-outs and touching parts, and a
conveyor seen by a camera with parts apart, touching, and the light changing."""

from __future__ import annotations

import random

import numpy as np
import pytest

from hmi.core.vision.trigger import EdgeTrigger, PartDebounce, PresenceTrigger

MS = 0.001


def run_edges(trigger: EdgeTrigger, readings: list[tuple[float, object]]) -> list:
    fired = []
    for ts, value in readings:
        found = trigger.update(value, ts)
        if found is not None:
            fired.append(found)
    return fired


def bounce(ts: float, rng: random.Random, to: bool) -> tuple[list[tuple[float, bool]], float]:
    """Up to four contact bounces of under 2 ms each, ending at level ``to``; the readings
    and the time the level is steady."""
    readings = []
    for _ in range(rng.randint(0, 4)):
        readings.append((ts, to))
        ts += rng.uniform(0.1, 2) * MS
        readings.append((ts, not to))
        ts += rng.uniform(0.1, 2) * MS
    readings.append((ts, to))
    return readings, ts


def test_clean_parts_one_trigger_each_at_the_rising_edge():
    trigger = EdgeTrigger(debounce=20 * MS)
    readings = []
    for i in range(5):
        readings += [(i * 1.0, True), (i * 1.0 + 0.3, False)]
    fired = run_edges(trigger, readings)
    assert [t.ts for t in fired] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert [t.part for t in fired] == [1, 2, 3, 4, 5] and trigger.parts == 5
    assert all(t.confirmed == pytest.approx(t.ts + 0.3) for t in fired)  # by the falling edge


def test_a_steady_high_is_confirmed_by_poll_after_the_debounce():
    trigger = EdgeTrigger(debounce=20 * MS)
    assert trigger.update(True, 10.0) is None
    assert trigger.poll(10.0 + 19 * MS) is None
    found = trigger.poll(10.0 + 21 * MS)
    assert found is not None and found.ts == 10.0 and found.confirmed == pytest.approx(10.021)
    assert trigger.poll(10.5) is None and trigger.update(True, 10.6) is None  # the same part
    assert trigger.update(False, 10.7) is None


def test_bounce_at_both_edges_and_a_noise_spike_make_no_extra_part():
    trigger = EdgeTrigger(debounce=10 * MS)
    readings = [(0.0, 1), (0.001, 0), (0.0015, 1), (0.002, 0), (0.003, 1)]  # rising bounce
    readings += [(0.2, 0), (0.2008, 1), (0.2012, 0), (0.202, 1), (0.2025, 0)]  # falling
    readings += [(0.5, 1), (0.504, 0)]  # a 4 ms spike between parts
    readings += [(0.8, 1), (0.9, 0)]
    fired = run_edges(trigger, readings)
    assert [t.ts for t in fired] == [0.003, 0.8]  # from the start of the steady high


def test_touching_parts_are_two_parts_and_a_drop_out_in_mid_part_is_one():
    touching = EdgeTrigger(debounce=10 * MS, min_interval=0.15)
    # part 1 from 0.0, a 3 ms seam at 0.2 (shorter than the debounce), part 2 until 0.4
    fired = run_edges(touching, [(0.0, True), (0.2, False), (0.203, True), (0.4, False)])
    assert [t.ts for t in fired] == [0.0, 0.203]
    drop_out = EdgeTrigger(debounce=10 * MS, min_interval=0.15)
    # a 2 ms drop-out 80 ms into a part: sooner than min_interval after its start
    fired = run_edges(drop_out, [(0.0, True), (0.08, False), (0.082, True), (0.3, False)])
    assert [t.ts for t in fired] == [0.0]
    without = EdgeTrigger(debounce=10 * MS)  # without min_interval it would be two
    assert len(run_edges(without, [(0.0, 1), (0.08, 0), (0.082, 1), (0.3, 0)])) == 2


def test_readings_without_a_value_and_analog_levels():
    trigger = EdgeTrigger(debounce=0.0, threshold=2.5)
    readings = [(0.0, 0.4), (0.1, None), (0.2, 3.1), (0.3, None), (0.4, 2.9), (0.5, 1.0)]
    readings += [(0.6, "high"), (0.7, 2.5), (0.8, 0)]
    fired = run_edges(trigger, readings)
    assert [t.ts for t in fired] == [0.2, 0.7]  # a Bad reading or a text is no edge


def test_random_lines_of_bouncing_and_touching_parts_one_trigger_each():
    for seed in range(200):
        rng = random.Random(seed)
        readings: list[tuple[float, bool]] = [(0.0, False)]
        starts = []
        ts = 0.05
        for _ in range(rng.randint(1, 25)):
            rising, steady = bounce(ts, rng, True)
            readings += rising
            starts.append(steady)
            end = steady + rng.uniform(0.1, 0.4)  # the part passes the sensor
            falling, ts = bounce(end, rng, False)
            readings += falling
            if rng.random() < 0.3:
                ts += rng.uniform(0.5, 4) * MS  # touching the next: a seam of a few ms
            else:
                ts += rng.uniform(0.05, 0.5)
                if rng.random() < 0.3:  # a spike of noise between parts
                    readings += [(ts - 0.03, True), (ts - 0.03 + rng.uniform(0.1, 5) * MS, False)]
        trigger = EdgeTrigger(debounce=8 * MS, min_interval=0.08)
        fired = run_edges(trigger, readings)
        assert len(fired) == len(starts), f"seed {seed}"
        for found, start in zip(fired, starts, strict=True):
            assert found.ts == start, f"seed {seed}"


def test_settings_are_checked():
    with pytest.raises(ValueError, match="debounce -1 is not a number of seconds >= 0"):
        PartDebounce(debounce=-1)
    with pytest.raises(ValueError, match=r"leave \(0.6\) must be below enter \(0.5\)"):
        PresenceTrigger(enter=0.5, leave=0.6)


# -- presence in the image -----------------------------------------------------------------

H, W = 80, 200
BAND = slice(20, 60)  # rows the parts cover
GATE = (100, 20, 3, 40)  # a strip across the conveyor


def conveyor(rng: np.random.Generator, parts: list[tuple[int, int]], shift: int, light: int = 0):
    """The conveyor (dark, noisy) with the parts (bright, textured) as (start, length) in
    belt coordinates, moved ``shift`` pixels to the right; ``light`` brightens everything."""
    image = rng.normal(60 + light, 3, (H, W, 3))
    for start, length in parts:
        x0, x1 = max(0, start + shift), min(W, start + length + shift)
        if x0 < x1:
            texture = rng.normal(180 + light, 15, (BAND.stop - BAND.start, x1 - x0, 3))
            image[BAND, x0:x1] = texture
    return np.clip(image, 0, 255).astype(np.uint8)


def run_conveyor(trigger, parts, speed=3, fps=30.0, seed=0, light=0):
    """Frames until every part has passed the image; the parts found and the frame each
    was found in."""
    rng = np.random.default_rng(seed)
    fired = []
    frames = (W - min(start for start, _ in parts)) // speed + 2
    assert frames < 2000
    for i in range(frames):
        found = trigger.update(conveyor(rng, parts, i * speed, light), i / fps)
        if found is not None:
            fired.append((found, i))
    return fired


def line_of_parts() -> list[tuple[int, int]]:
    """Six parts left of the image (the first one's right end at 0): gaps, and three
    touching with an 8 px seam between the ends (their chamfers)."""
    parts, x = [], 0
    for length, gap in ((50, 30), (60, 8), (45, 25), (70, 8), (55, 8), (40, 0)):
        parts.append((x, length))
        x += length + gap
    return [(-(s + length), length) for s, length in parts]  # mirrored: first part leads


def test_presence_one_trigger_per_part_apart_and_touching():
    parts = line_of_parts()
    trigger = PresenceTrigger(GATE, enter=0.5, leave=0.2, min_interval=0.2)
    for frame in range(5):  # the empty belt first
        trigger.update(conveyor(np.random.default_rng(100 + frame), [], 0), -1 + frame * 0.01)
    assert not trigger.learning
    fired = run_conveyor(trigger, parts)
    assert len(fired) == len(parts) == trigger.parts
    for (found, frame), (start, length) in zip(fired, sorted(parts, reverse=True), strict=True):
        leading_edge_at_gate = (GATE[0] - start - length) / 3
        assert abs(frame - leading_edge_at_gate) <= 2
        assert found.ts == pytest.approx(frame / 30.0)


def test_presence_follows_slow_light_changes_and_ignores_noise():
    trigger = PresenceTrigger(GATE, learn_frames=3)
    rng = np.random.default_rng(5)
    fired = []
    for i in range(300):  # 10 s of an empty belt getting 60 levels brighter, then one part
        found = trigger.update(conveyor(rng, [], 0, light=i // 5), i / 30)
        fired.append(found)
    assert not any(fired) and trigger.score < 0.2
    assert len(run_conveyor(trigger, [(-60, 60)], seed=6, light=60)) == 1


def test_presence_hysteresis_keeps_one_part_while_the_score_wavers():
    trigger = PresenceTrigger((0, 0, 10, 10), enter=0.5, leave=0.2, learn_frames=1)
    empty = np.zeros((10, 10), np.uint8)
    trigger.update(empty, 0.0)

    def covered(rows: int) -> np.ndarray:
        image = empty.copy()
        image[:rows] = 200
        return image

    scores = [6, 3, 4, 3, 6, 3, 1, 0, 0, 7, 0]  # tenths of the region covered
    fired = [trigger.update(covered(r), i * 0.03) for i, r in enumerate(scores, 1)]
    assert [f.part for f in fired if f] == [1, 2]
    assert [i for i, f in enumerate(fired) if f] == [0, 9]
    with pytest.raises(ValueError, match=r"presence region is 5x5 in this frame, 10x10 when"):
        trigger.update(np.zeros((5, 5), np.uint8), 1.0)
