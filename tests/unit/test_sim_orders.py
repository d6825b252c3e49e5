"""The demo plant runs work orders: the press and the filler idle without one, take the
order data the HMI downloads, change over, produce it to its target consistently with
that data, and stop now and then in every way the HMI has to tell apart.

Models are stepped as fast as Python runs; every loop is bounded in model time.
"""

from __future__ import annotations

import itertools

import pytest

from drivers.simulator.filler import FillerModel, StopReason, format_speed
from drivers.simulator.press import (
    BUTT_FRACTION,
    UINT16,
    UINT32,
    PressModel,
    PressWait,
    billet_plan,
)
from drivers.simulator.signals import MachineState, WriteRefused

HOUR = 3600.0
CALM = {"fault_rate_per_hour": 0.0, "planned_stop_rate_per_hour": 0.0}
CALM |= {"starved_rate_per_hour": 0.0, "blocked_rate_per_hour": 0.0}
# WO-1003 of the demo's orders.csv: die 2001 (the press has 1204 mounted), 6063
ORDER = {
    "order_die": 2001,
    "order_alloy": "6063",
    "order_billet_length": 800,
    "order_billet_weight": 53.8,
    "order_weight_per_m": 850.0,
    "order_profile_length": 6.5,
}


def run_until(model, predicate, limit_s: float) -> float:
    start = model.time
    while not predicate(model):
        assert model.time - start < limit_s, f"not reached within {limit_s} model seconds"
        model.advance(model.DT)
    return model.time - start


def download(model, target: int, **data) -> None:
    """As the HMI does when an order starts: the product data, then the target."""
    for name, value in data.items():
        model.write(name, value)
    model.write("order_target", target)


def calm_press(**kwargs) -> PressModel:
    return PressModel(seed=7, orders=True, **CALM, **kwargs)


def calm_filler(**kwargs) -> FillerModel:
    options = {"fault_rate_per_hour": 0.0, "stop_rate_per_hour": 0.0}
    options |= {"blocked_rate_per_hour": 0.0, "supply_outage_rate_per_hour": 0.0}
    return FillerModel(seed=7, orders=True, **options | kwargs)


# -- the billet arithmetic ---------------------------------------------------------------------


def test_profiles_per_billet_follow_the_order_data():
    plan = billet_plan(800, 53.8, 850.0, 6.5)
    # usable 53.8 kg × 0.94 = 50.572 kg; / 0.850 kg/m = 59.496 m; / 6.5 m = 9.15 -> 9
    assert BUTT_FRACTION == 0.06
    assert plan.exit_m == pytest.approx(59.496, abs=1e-3)
    assert plan.profiles == 9
    assert plan.stroke_mm == pytest.approx(752.0)  # 800 mm less the 6 % butt
    assert plan.ratio == pytest.approx(59_496 / 752, rel=1e-4)
    # 28.9 kg × 0.94 = 27.166 kg; / 1.5 kg/m = 18.11 m; / 3 m = 6.04 -> 6
    assert billet_plan(430, 28.9, 1500.0, 3.0).profiles == 6
    # a profile heavier than the billet: no whole profile
    assert not billet_plan(430, 28.9, 9000.0, 6.0).valid


# -- the press ---------------------------------------------------------------------------------


def test_press_idles_without_an_order_and_counts_nothing():
    press = calm_press()
    counters = (press.profile_count, press.scrap_count, press.billet_count)
    press.advance(600)
    assert press.state is MachineState.IDLE and press.wait_reason is PressWait.NO_ORDER
    assert not press.order_active and not press.running
    assert (press.profile_count, press.scrap_count, press.billet_count) == counters
    press.write("order_target", 0)  # a target of 0 is no order
    press.advance(60)
    assert press.state is MachineState.IDLE and press.billet_count == counters[2]


def test_press_changes_the_die_then_cuts_whole_profiles_per_billet_to_the_target():
    press = calm_press()
    download(press, 40, **ORDER)
    assert press.profiles_per_billet == 9
    setup = run_until(press, lambda m: m.state is not MachineState.SETUP, 400)
    assert 180 <= setup <= 360  # a die change takes minutes
    assert press.state is MachineState.RUNNING and press.die_number == 2001
    assert press.alloy == "6063" and press.status_word & 0b1 and press.order_active
    billets, pieces = press.billet_count, press.profile_count + press.scrap_count
    per_billet = []
    while press.order_active:
        assert press.time < 3 * HOUR
        press.advance(press.DT)
        if press.billet_count != billets:
            made = press.profile_count + press.scrap_count
            per_billet.append(made - pieces)
            billets, pieces = press.billet_count, made
    assert per_billet and set(per_billet) == {9}  # every billet: floor(...) = 9 profiles
    run_until(press, lambda m: m.state is MachineState.IDLE, 200)
    assert press.wait_reason is PressWait.ORDER_DONE and not press.order_active
    assert 40 <= press.order_good < 40 + 9  # the last billet is pressed to its end
    frozen = (press.profile_count, press.billet_count)
    press.advance(600)
    assert (press.profile_count, press.billet_count) == frozen  # waits for the next order


def test_cycle_time_follows_ram_speed_and_billet_length():
    def cycle(length_mm: int, ram_speed: float) -> float:
        press = calm_press()
        press.write("ram_speed_sp", ram_speed)
        data = dict(ORDER, order_die=1204, order_alloy="6060", order_billet_length=length_mm)
        download(press, 10_000, **data)
        start = press.billet_count
        run_until(press, lambda m: (m.billet_count - start) % UINT16 >= 3, 1200)
        return press.last_cycle_time

    short, long_ = cycle(600, 12.0), cycle(1000, 12.0)
    # the ram pushes 0.94 × length at the ram speed and comes back at 80 mm/s:
    # 400 mm more billet take 376 / 12 + 376 / 80 = 31.3 + 4.7 = 36 s more
    assert long_ - short == pytest.approx(376 / 12.0 + 376 / 80.0, abs=2.0)
    fast = cycle(1000, 20.0)  # 940 / 12 - 940 / 20 = 31 s less
    assert long_ - fast == pytest.approx(940 / 12.0 - 940 / 20.0, abs=2.0)


def test_same_die_starts_at_once_and_an_alloy_change_is_short():
    press = calm_press()
    download(press, 12, **dict(ORDER, order_die=1204, order_alloy="6060"))
    assert press.state is MachineState.RUNNING
    run_until(press, lambda m: m.wait_reason is PressWait.ORDER_DONE, 600)
    download(press, 12, **dict(ORDER, order_die=1204, order_alloy="6082"))
    setup = run_until(press, lambda m: m.state is not MachineState.SETUP, 200)
    assert 60 <= setup <= 150 and press.die_number == 1204 and press.alloy == "6082"


def test_order_data_written_after_the_target_still_reach_the_next_billet():
    press = calm_press()
    press.write("order_target", 30)
    assert press.state is MachineState.RUNNING  # with the last job's data so far
    for name, value in ORDER.items():  # the rest lands within the billet load
        press.write(name, value)
    run_until(press, lambda m: m.state is MachineState.SETUP, 10)
    assert press.die_number == 1204 and press.billet_count == 65_250  # nothing pressed


def test_order_data_that_give_no_whole_profile_keep_the_press_waiting():
    press = calm_press()
    download(press, 10, **dict(ORDER, order_die=1204, order_alloy="6060", order_weight_per_m=9000))
    assert press.state is MachineState.IDLE and press.wait_reason is PressWait.BAD_ORDER
    press.advance(120)
    assert press.billet_count == 65_250
    press.write("order_weight_per_m", 850.0)
    press.advance(1)
    assert press.state is MachineState.RUNNING


def test_press_refuses_order_data_it_cannot_hold():
    press = calm_press()
    with pytest.raises(WriteRefused, match="1 to 8 characters"):
        press.write("order_alloy", "AA6063-T6X")
    with pytest.raises(WriteRefused, match=r"within 100\.\.2000"):
        press.write("order_billet_length", 50)
    with pytest.raises(WriteRefused, match="read-only"):
        press.write("order_good", 3)
    assert press.order_alloy == "6060" and press.order_billet_length == 430


def test_start_up_scrap_after_each_die_change_then_a_few_percent():
    press = PressModel(seed=3, orders=True, **CALM)
    first = [0, 0]  # scrap, pieces of the first billet after a die change
    later = [0, 0]
    for order in range(24):
        die = 2001 if order % 2 else 1204
        download(press, 27, **dict(ORDER, order_die=die, order_alloy="6063"))
        run_until(press, lambda m: m.state is MachineState.RUNNING, 400)
        for bucket in (first, later, later):  # three billets of 9: 27 profiles
            scrap, good = press.scrap_count, press.profile_count
            start = press.billet_count
            run_until(press, lambda m, s=start: m.billet_count != s, 200)
            bucket[0] += press.scrap_count - scrap
            bucket[1] += press.scrap_count - scrap + press.profile_count - good
        run_until(press, lambda m: m.state is MachineState.IDLE, 300)
    assert first[1] == 24 * 9 and later[1] == 48 * 9
    assert 0.15 <= first[0] / first[1] <= 0.45  # 30 % start-up scrap
    assert later[0] / later[1] <= 0.06  # 2 %


def test_press_stops_in_every_way_the_hmi_tells_apart():
    press = PressModel(seed=5, orders=True, auto_recover_s=120.0)
    download(press, 100_000, **dict(ORDER, order_die=1204, order_alloy="6060"))
    stops: list[tuple[str, float]] = []  # (what, seconds)
    since, what = 0.0, None
    for _ in range(int(6 * HOUR / press.DT)):
        press.advance(press.DT)
        now = press.state
        if press.starved:
            assert now is MachineState.IDLE and press.wait_reason is PressWait.NO_BILLETS
        if press.blocked:
            assert now is MachineState.IDLE and press.wait_reason is PressWait.TABLE_FULL
        label = None if now is MachineState.RUNNING else f"{now.name}/{press.wait_reason.name}"
        if label != what:
            if what is not None:
                stops.append((what, press.time - since))
            since, what = press.time, label
    kinds = {kind for kind, _ in stops}
    assert {"IDLE/PLANNED", "IDLE/NO_BILLETS", "IDLE/TABLE_FULL", "FAULT/NONE"} <= kinds
    per_hour = len(stops) / 6
    assert 2 <= per_hour <= 10  # a few stops an hour
    assert any(seconds < 60 for _, seconds in stops)  # micro-stops
    assert any(seconds > 300 for _, seconds in stops)  # and longer ones
    assert press.order_good > 1000


def test_billet_counter_is_16_bit_and_wraps():
    press = calm_press(near_wrap=True)
    assert press.billet_count == UINT16 - 12 and press.profile_count > UINT32 - 200
    download(press, 100_000, **dict(ORDER, order_die=1204, order_alloy="6060"))
    readings = [press.billet_count]
    run_until(press, lambda m: readings.append(m.billet_count) or m.profile_count < 1000, 3 * HOUR)
    wrapped = [(a, b) for a, b in itertools.pairwise(readings) if b < a]
    assert wrapped == [(UINT16 - 1, 0)]  # one wrap, by one billet
    counted = sum((b - a) % UINT16 for a, b in itertools.pairwise(readings))
    assert counted == (press.billet_count - (UINT16 - 12)) % UINT16 > 12
    assert press.profile_count < 1000  # the 32-bit profile counter wrapped too


def test_orders_mode_starts_the_billet_counter_hours_before_its_wrap():
    press = PressModel(seed=1, orders=True)
    billets_to_wrap = UINT16 - press.billet_count
    assert 3 * HOUR <= billets_to_wrap * 50.0 <= 12 * HOUR  # ~50 s a billet at the fastest


# -- the filler --------------------------------------------------------------------------------


def test_filler_idles_without_an_order():
    filler = calm_filler()
    counted = filler.filled_count + filler.rejected_count
    filler.advance(300)
    assert filler.state is MachineState.IDLE and filler.stop_reason is StopReason.NO_ORDER
    assert filler.filled_count + filler.rejected_count == counted
    assert not filler.infeed_starved and not filler.outfeed_blocked


def test_filler_changes_over_then_fills_the_order_to_its_target():
    filler = calm_filler()
    download(filler, 3000, product_sp="Orange", bottle_size_sp=1.5)
    assert filler.state is MachineState.SETUP
    rinse = run_until(filler, lambda m: m.state is not MachineState.SETUP, 700)
    assert 300 <= rinse <= 600 and filler.product == "Orange 1.5 L"
    filler.advance(30)
    # 250 L/min through the fill valves: 166.7 bottles of 1.5 L a minute, not the 400 set
    assert filler.filler_speed == pytest.approx(format_speed(1.5)) == pytest.approx(250 / 1.5)
    good, rejected = filler.filled_count, filler.rejected_count
    run_until(filler, lambda m: m.stop_reason is StopReason.NO_ORDER, 1800)
    assert filler.state is MachineState.IDLE and not filler.order_active
    filler.advance(30)  # the filler runs down
    assert 3000 <= filler.order_good <= 3030
    made = filler.filled_count - good + filler.rejected_count - rejected
    assert 0.005 <= (filler.rejected_count - rejected) / made <= 0.04


def test_filler_same_product_needs_no_changeover_and_a_late_product_still_counts():
    filler = calm_filler()
    download(filler, 500, product_sp="Cola", bottle_size_sp=0.5)
    assert filler.state is MachineState.RUNNING
    run_until(filler, lambda m: m.stop_reason is StopReason.NO_ORDER, 300)
    filler.write("order_target", 500)  # the next order's target first,
    assert filler.state is MachineState.RUNNING
    filler.write("product_sp", "Lemon Tea")  # its product a moment later
    filler.advance(filler.DT)
    assert filler.state is MachineState.SETUP
    with pytest.raises(WriteRefused, match="1 to 14 characters"):
        filler.write("product_sp", "")


def test_filler_stops_are_starved_blocked_or_idle_with_their_reason():
    filler = FillerModel(seed=12, orders=True, auto_recover_s=120.0)
    download(filler, 10_000_000, product_sp="Cola", bottle_size_sp=0.5)
    seen: dict[StopReason, int] = {}
    previous = filler.stop_reason
    for _ in range(int(4 * HOUR / filler.DT)):
        filler.advance(filler.DT)
        reason = filler.stop_reason
        assert filler.infeed_starved == (
            filler.state is MachineState.IDLE
            and reason in (StopReason.LOW_TANK, StopReason.NO_BOTTLES)
        )
        assert filler.outfeed_blocked == (reason is StopReason.OUTFEED_FULL)
        if reason != previous and reason is not StopReason.NONE:
            seen[reason] = seen.get(reason, 0) + 1
        previous = reason
    assert {StopReason.BOTTLE_JAM, StopReason.NO_BOTTLES, StopReason.OUTFEED_FULL} <= set(seen)
    assert 2 <= sum(seen.values()) / 4 <= 12


def test_filler_counters_wrap_near_their_end_when_asked():
    filler = calm_filler(near_wrap=True)
    assert filler.filled_count == UINT32 - 3000
    download(filler, 10_000, product_sp="Cola", bottle_size_sp=0.5)
    run_until(filler, lambda m: m.filled_count < 1000, 900)
    assert filler.order_good == 3000 + filler.filled_count  # every good bottle, across the wrap


# -- options -----------------------------------------------------------------------------------


def test_simulator_device_option_orders_is_a_flag():
    from drivers.simulator.driver import SimOptions, build_model, parse_options

    options, problems = parse_options({"model": "filler", "orders": True, "seed": 2})
    assert problems == {} and options is not None and options.orders
    model = build_model(options)
    assert model.state is MachineState.IDLE and not model.has_work()
    assert build_model(SimOptions("filler", 2)).running  # without orders: produces from the start
    _, problems = parse_options({"model": "press", "orders": "yes"})
    assert problems == {"orders": "simulator option 'orders' must be true or false, not 'yes'"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["sim"], (1.0, None, False, False)),
        (
            ["sim", "--speed", "20", "--seed", "4", "--free-run", "--near-wrap"],
            (20.0, 4, True, True),
        ),
    ],
)
def test_hmi_sim_takes_speed_seed_and_order_options(args, expected):
    from hmi.cli import build_parser

    parsed = build_parser().parse_args(args)
    assert (parsed.speed, parsed.seed, parsed.free_run, parsed.near_wrap) == expected


@pytest.mark.parametrize("speed", ["0", "-1", "nan", "fast", "5000"])
def test_hmi_sim_refuses_a_speed_out_of_range(speed, capsys):
    from hmi.cli import build_parser

    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["sim", "--speed", speed])
    assert stopped.value.code == 2
    assert f"'{speed}' is not a speed; use 0.1 to 1000" in capsys.readouterr().err


# -- retentive memory --------------------------------------------------------------------------


def test_a_restarted_line_goes_on_with_its_order_and_its_counters():
    """The PLC's retentive memory: a model made anew from what the old one kept produces
    the same order on, its counters and the order's count continued, never waiting for an
    order the HMI still has running."""
    for old, new, data in (
        (calm_press(), calm_press(), ORDER),
        (calm_filler(), calm_filler(), {"product_sp": "Orange", "bottle_size_sp": 1.5}),
    ):
        download(old, 50_000, **data)
        run_until(old, lambda m: m.order_good >= 3, 2 * HOUR)
        counters = {name: getattr(old, name) for name in old.RETAINED if name.endswith("count")}
        new.restore(old.retained())
        assert {name: getattr(new, name) for name in counters} == counters
        assert (new.order_target, new.order_good, new.order_active) == (
            50_000,
            old.order_good,
            True,
        )
        before = old.order_good
        run_until(new, lambda m, n=before: m.order_good > n, 2 * HOUR)
        assert new.state is MachineState.RUNNING


def test_retentive_memory_of_another_type_is_left_out():
    filler = calm_filler()
    filler.restore({"order_target": "many", "product_sp": 3, "order_good": 12})
    assert (filler.order_target, filler.product_sp, filler.order_good) == (0, "Cola", 12)
