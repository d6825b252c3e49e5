"""OEE per ISO 22400-2 and the six big losses, against examples worked out by hand."""

from __future__ import annotations

import random

import pytest

from hmi.core.orders.model import MachineState, Reason, Stop, StopKind
from hmi.core.orders.oee import LOSSES, clip_stops, compute_oee, loss_of, pareto

T0 = 1_796_882_400.0  # 2026-12-10 06:00 UTC: a morning shift, 06:00-14:00
SHIFT = (T0, T0 + 8 * 3600)
JAM = Reason(StopKind.UNPLANNED, "Mechanical", "Die jam", "breakdown")
MEETING = Reason(StopKind.PLANNED, "Break", "Meeting", "planned")
ADJUST = Reason(StopKind.UNPLANNED, "Quality", "Adjustments", "setup")
SLOW = Reason(StopKind.UNPLANNED, "Material", "Slow billets", "speed")
NO_LOSS = Reason(StopKind.UNPLANNED, "Mechanical", "Puller fault")
DIE_CHANGE = Reason(StopKind.PLANNED, "Changeover", "Die change")

_ids = iter(range(1, 1_000_000))


def stop(start: float, seconds: float | None, state=MachineState.FAULT, reason=None, micro=False):
    """A stop ``start`` seconds into the shift lasting ``seconds`` (None: still open)."""
    end = None if seconds is None else T0 + start + seconds
    return Stop(next(_ids), "line1", T0 + start, end, state, micro, reason)


def test_a_shift_worked_out_by_hand():
    stops = [
        stop(3600, 1800, reason=JAM),  # a die jam: 30 min breakdown
        stop(9000, 1200, MachineState.CHANGEOVER),  # a changeover nobody named yet: setup
        *[stop(12_000 + 600 * i, 60, MachineState.IDLE, micro=True) for i in range(10)],
        stop(20_000, 900, MachineState.IDLE, reason=MEETING),  # planned: leaves PBT
    ]
    # the calendar's PBT: 8 h - 30 min of breaks = 28800 - 1800 = 27000 s
    oee = compute_oee(27_000, stops, 40.0, good=500, scrap=20, startup_scrap=5, period=SHIFT)
    # PBT = 27000 - 900 (the meeting) = 26100
    assert oee.planned_busy_time == 26_100
    # APT = 26100 - 1800 - 1200 - 10 x 60 = 22500
    assert oee.actual_production_time == 22_500
    # ideal time = PRI x PQ = 40 x (500 + 20) = 20800
    assert oee.ideal_time == 20_800
    # availability = 22500 / 26100 = 0.862069; effectiveness = 20800 / 22500 = 0.924444;
    # quality = 500 / 520 = 0.961538; OEE = their product = 40 x 500 / 26100 = 0.766284
    assert oee.availability == pytest.approx(22_500 / 26_100)
    assert oee.effectiveness == pytest.approx(20_800 / 22_500)
    assert oee.quality == pytest.approx(500 / 520)
    assert oee.oee == pytest.approx(20_000 / 26_100)
    assert oee.oee == pytest.approx(0.766284, abs=1e-6)
    # speed = APT - ideal = 22500 - 20800 = 1700; rejects at PRI: 5 x 40 = 200 start-up,
    # 15 x 40 = 600 in production; all six: 1800 + 1200 + 600 + 1700 + 200 + 600 = 6100
    # = PBT x (1 - OEE) = 26100 - 20000
    assert oee.losses == {
        "breakdown": 1800,
        "setup": 1200,
        "small_stop": 600,
        "speed": 1700,
        "startup_reject": 200,
        "production_reject": 600,
    }
    assert (oee.good, oee.scrap) == (500, 20)


def test_orders_with_their_own_ideal_cycle():
    # two orders: 300 pieces at 40 s, 220 at 30 s: ideal time 12000 + 6600 = 18600 s
    runs = [(40.0, 300), (30.0, 220)]
    oee = compute_oee(27_000, [], runs, good=500, scrap=20, startup_scrap=0, period=SHIFT)
    assert oee.ideal_time == 18_600
    # no stops: APT = PBT = 27000; effectiveness = 18600 / 27000 = 0.688889
    assert oee.effectiveness == pytest.approx(18_600 / 27_000)
    # the quality loss is the ideal time of the scrap share: 18600 x 20 / 520 = 715.3846
    assert oee.losses["production_reject"] == pytest.approx(18_600 * 20 / 520)
    # OEE = 1 x 0.688889 x 0.961538 = 0.662393; 27000 x (1 - OEE) = 9115.38 = the losses
    assert oee.oee == pytest.approx(0.662393, abs=1e-6)
    assert sum(oee.losses.values()) == pytest.approx(27_000 * (1 - oee.oee))


def test_stops_are_clipped_to_the_period_and_an_open_one_lasts_until_its_end():
    period = (T0 + 3600, T0 + 7200)
    stops = [
        stop(3000, 1200),  # 06:50-07:10: 600 s of it in 07:00-08:00
        stop(7000, None),  # open since 07:56:40: 200 s until 08:00
        stop(0, 600),  # before the period: nothing
    ]
    oee = compute_oee(3600, stops, 10.0, good=200, scrap=0, startup_scrap=0, period=period)
    # breakdown 600 + 200 = 800; APT = 3600 - 800 = 2800
    assert oee.losses["breakdown"] == 800
    assert oee.actual_production_time == 2800
    assert [(s.start - T0, s.end - T0) for s in clip_stops(stops, *period)] == [
        (3600, 4200),
        (7000, 7200),
    ]


def test_only_the_part_of_a_stop_within_busy_time_counts():
    # a break 10:00-10:15 (14400..15300 s into the shift) is out of busy time already
    def busy(a: float, b: float) -> float:
        brk = (T0 + 14_400, T0 + 15_300)
        return (b - a) - max(0.0, min(b, brk[1]) - max(a, brk[0]))

    # the line stood 09:50-10:30 (14000..16200): 2200 s, of which 900 in the break
    stops = [stop(14_000, 2200)]
    oee = compute_oee(27_900, stops, 40.0, 600, 0, 0, SHIFT, busy_time=busy)
    # breakdown 2200 - 900 = 1300; APT = 27900 - 1300 = 26600
    assert oee.losses["breakdown"] == 1300
    assert oee.actual_production_time == 26_600


def test_nothing_made_in_planned_time_is_an_oee_of_zero():
    oee = compute_oee(3600, [stop(0, 3600)], 10.0, 0, 0, 0, (T0, T0 + 3600))
    # the line stood the whole hour: availability 0, effectiveness and quality unknown
    assert (oee.availability, oee.effectiveness, oee.quality, oee.oee) == (0, None, None, 0)
    assert oee.losses["breakdown"] == 3600 and sum(oee.losses.values()) == 3600


def test_no_planned_time_gives_no_figures():
    oee = compute_oee(0, [], 10.0, 0, 0, 0, (T0, T0 + 3600))
    assert (oee.availability, oee.effectiveness, oee.quality, oee.oee) == (None,) * 4


def test_stop_time_beyond_the_planned_time_is_scaled_into_it():
    # 3000 s of breakdown and 1000 of setup in 2000 s of PBT: scaled by 2000 / 4000
    stops = [stop(0, 3000), stop(3000, 1000, MachineState.CHANGEOVER)]
    oee = compute_oee(2000, stops, 10.0, 0, 0, 0, (T0, T0 + 4000))
    assert (oee.losses["breakdown"], oee.losses["setup"]) == (1500, 500)
    assert oee.actual_production_time == 0


def test_running_faster_than_the_ideal_cycle_is_a_negative_speed_loss():
    # 3600 s, no stops, 400 pieces at an ideal 10 s = 4000 s of ideal time in 3600 s
    oee = compute_oee(3600, [], 10.0, 400, 0, 0, (T0, T0 + 3600))
    assert oee.effectiveness == pytest.approx(4000 / 3600)
    assert oee.losses["speed"] == -400  # the ideal cycle time is set too slow
    assert sum(oee.losses.values()) == pytest.approx(3600 * (1 - oee.oee))


def test_startup_scrap_is_at_most_the_scrap():
    oee = compute_oee(3600, [], 10.0, 100, 10, 50, (T0, T0 + 3600))
    # 10 scrap, all of it start-up: 10 x 10 = 100 s; nothing left for production rejects
    assert (oee.losses["startup_reject"], oee.losses["production_reject"]) == (100, 0)


def test_negative_quantities_are_refused():
    with pytest.raises(ValueError, match="negative"):
        compute_oee(3600, [], 10.0, -1, 0, 0, (T0, T0 + 3600))
    with pytest.raises(ValueError, match="ideal cycle"):
        compute_oee(3600, [], -10.0, 1, 0, 0, (T0, T0 + 3600))


@pytest.mark.parametrize(
    ("made", "bucket"),
    [
        (stop(0, 60, reason=JAM), "breakdown"),
        (stop(0, 60, reason=ADJUST), "setup"),
        (stop(0, 60, reason=MEETING), "planned"),
        (stop(0, 60, reason=SLOW), "speed"),  # its time stays in APT: it shows as speed
        (stop(0, 60, MachineState.CHANGEOVER), "setup"),
        (stop(0, 60, MachineState.CHANGEOVER, reason=DIE_CHANGE), "setup"),
        (stop(0, 60, MachineState.IDLE, reason=DIE_CHANGE), "planned"),
        (stop(0, 60, MachineState.IDLE, micro=True), "small_stop"),
        (stop(0, 60, MachineState.IDLE, reason=NO_LOSS, micro=True), "small_stop"),
        (stop(0, 600, MachineState.STARVED), "breakdown"),
        (stop(0, 600, MachineState.NO_DATA), "breakdown"),
    ],
)
def test_where_a_stop_goes(made, bucket):
    assert loss_of(made) == bucket


def test_a_stop_booked_as_speed_stays_in_production_time():
    # 600 s stood for slow billets: not taken off APT, so 600 s more of speed loss
    oee = compute_oee(3600, [stop(0, 600, reason=SLOW)], 10.0, 300, 0, 0, (T0, T0 + 3600))
    # APT = 3600; ideal 3000; speed 600
    assert oee.actual_production_time == 3600 and oee.losses["speed"] == 600


def test_the_six_losses_add_up_to_what_oee_misses_over_random_periods():
    """PBT x (1 - OEE) = the sum of the six losses, whatever the period holds."""
    rng = random.Random(22400)
    states = list(MachineState)
    reasons = [None, JAM, MEETING, ADJUST, SLOW, NO_LOSS, DIE_CHANGE]
    checked = 0
    for _ in range(300):
        length = rng.uniform(600, 12 * 3600)
        pbt = length * rng.uniform(0.5, 1.0)
        period = (T0, T0 + length)
        stops = []
        at = -rng.uniform(0, 600)
        while at < length and len(stops) < 50:
            seconds = rng.uniform(5, length / 10)
            state = rng.choice([s for s in states if s is not MachineState.RUNNING])
            stops.append(stop(at, seconds, state, rng.choice(reasons), seconds < 120))
            at += seconds + rng.uniform(0, length / 5)
        good, scrap = rng.randint(1, 5000), rng.randint(0, 300)
        cycle: float | list[tuple[float, int]] = rng.uniform(0.1, 60)
        if rng.random() < 0.5:  # two orders of different products
            split = rng.randint(0, good + scrap)
            cycle = [(rng.uniform(0.1, 60), split), (rng.uniform(0.1, 60), good + scrap - split)]
        oee = compute_oee(pbt, stops, cycle, good, scrap, rng.randint(0, scrap), period)
        if not oee.actual_production_time:
            continue  # the line stood all the planned time: effectiveness is unknown
        checked += 1
        assert oee.oee is not None
        assert oee.oee == pytest.approx(oee.availability * oee.effectiveness * oee.quality)
        assert sum(oee.losses.values()) == pytest.approx(
            oee.planned_busy_time * (1 - oee.oee), rel=1e-9, abs=1e-6
        )
        assert list(oee.losses) == list(LOSSES)
    assert checked >= 200


def test_pareto_ranks_the_losses_with_their_cumulative_share():
    rows = pareto(
        {"breakdown": 1800, "setup": 1200, "small_stop": 600, "speed": 1700, "startup_reject": 0}
    )
    # total 1800 + 1700 + 1200 + 600 = 5300: 1800/5300 = 0.3396, 3500/5300 = 0.6604,
    # 4700/5300 = 0.8868, then 1
    assert [(name, value) for name, value, _ in rows] == [
        ("breakdown", 1800),
        ("speed", 1700),
        ("setup", 1200),
        ("small_stop", 600),
    ]
    shares = [share for _, _, share in rows]
    assert shares == pytest.approx([0.339623, 0.660377, 0.886792, 1.0], abs=1e-6)


def test_pareto_leaves_out_gains_and_breaks_ties_by_name():
    rows = pareto({"speed": -400, "setup": 100, "breakdown": 100})
    assert rows == [("breakdown", 100, 0.5), ("setup", 100, 1.0)]
    assert pareto({}) == [] and pareto({"speed": -5}) == []
