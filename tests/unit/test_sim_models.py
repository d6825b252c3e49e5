"""The demo plant models, their register/node maps and the in-process simulator driver.

Models are stepped as fast as Python runs, so an hour of production takes about a second.
"""

from __future__ import annotations

import math

import pytest

from drivers.simulator.driver import SimulatorDriver
from drivers.simulator.filler import FillerFault, FillerModel, StopReason
from drivers.simulator.modbus_server import PRESS_POINTS, Point, decode, encode
from drivers.simulator.opcua_server import FILLER_POINTS
from drivers.simulator.press import PressFault, PressModel, PressPhase
from drivers.simulator.signals import COMMAND_HOLD_S, MachineState, WriteRefused, lag, ramp
from hmi.core.driver import DeviceStatus, DriverContext, WriteStatus
from hmi.core.project.models import (
    DEFAULT_SCAN_CLASSES,
    DataType,
    DeviceConfig,
    Source,
    TagConfig,
)
from hmi.core.tags import Quality
from tests.helpers import RecordingSink, wait_for

HOUR = 3600.0


def calm_press(**kwargs) -> PressModel:
    return PressModel(seed=7, fault_rate_per_hour=0.0, planned_stop_rate_per_hour=0.0, **kwargs)


def calm_filler(**kwargs) -> FillerModel:
    options = {"fault_rate_per_hour": 0.0, "stop_rate_per_hour": 0.0}
    options["supply_outage_rate_per_hour"] = 0.0
    options.update(kwargs)
    return FillerModel(seed=7, **options)


def run_until(model, predicate, limit_s: float) -> float:
    """Advance until ``predicate(model)``; return the model seconds it took."""
    start = model.time
    while not predicate(model):
        assert model.time - start < limit_s, f"not reached within {limit_s} model seconds"
        model.advance(model.DT)
    return model.time - start


# -- shared building blocks ----------------------------------------------------------------


def test_lag_is_exact_for_coarse_steps_and_ramp_stops_at_target():
    fine = 0.0
    for _ in range(100):
        fine = lag(fine, 10.0, 2.0, 0.1)
    assert lag(0.0, 10.0, 2.0, 10.0) == pytest.approx(fine)
    assert ramp(0.0, 1.0, 5.0, 1.0) == 1.0
    assert ramp(10.0, 0.0, 2.0, 1.0) == 8.0


# -- press -------------------------------------------------------------------------------------


def test_press_counts_profiles_and_billets_while_running():
    press = calm_press()
    start = press.snapshot()
    counters = ("profile_count", "billet_count", "scrap_count", "extruded_length_mm")
    previous = start
    for _ in range(int(600 / press.DT)):
        press.advance(press.DT)
        now = press.snapshot()
        for name in counters:
            assert now[name] >= previous[name], name
        previous = now
    billets = previous["billet_count"] - start["billet_count"]
    profiles = previous["profile_count"] - start["profile_count"]
    assert 8 <= billets <= 16  # 30-60 s per billet
    assert 4 * billets <= profiles <= 8 * billets
    assert previous["extruded_length_mm"] > start["extruded_length_mm"]
    assert previous["run_seconds"] - start["run_seconds"] == pytest.approx(600, abs=1)


def test_press_cycle_goes_through_every_phase_with_plausible_pressure():
    press = calm_press()
    phases, extrusion_pressures = set(), []
    for _ in range(int(300 / press.DT)):
        press.advance(press.DT)
        phases.add(press.cycle_phase)
        if press.cycle_phase is PressPhase.EXTRUDE and press.ram_speed > 11:
            extrusion_pressures.append(press.ram_pressure)
    assert phases == set(PressPhase)
    assert 30.0 <= press.last_cycle_time <= 60.0
    assert min(extrusion_pressures) >= 170.0 and max(extrusion_pressures) <= 260.0


def test_press_starts_stops_and_holds_its_counters_when_stopped():
    press = PressModel(seed=3, autostart=False)
    assert press.state is MachineState.STOPPED
    press.advance(60)
    assert press.billet_count == 40_000 and press.ram_speed == 0.0

    press.write("cmd_start", True)
    assert press.state is MachineState.RUNNING and press.running
    run_until(press, lambda m: m.billet_count > 40_000, 120)

    press.write("cmd_stop", True)
    assert press.state is MachineState.STOPPED
    frozen = (press.profile_count, press.billet_count)
    press.advance(300)
    assert (press.profile_count, press.billet_count) == frozen


def test_command_bits_read_back_then_clear():
    press = PressModel(seed=3, autostart=False)
    press.write("cmd_start", True)
    assert press.read("cmd_start") is True
    press.advance(COMMAND_HOLD_S + press.DT)
    assert press.read("cmd_start") is False


def test_cold_billet_trips_on_overpressure_and_reset_clears_it():
    press = calm_press()
    press.write("billet_temp_sp", 400.0)
    press.write("ram_speed_sp", 25.0)
    run_until(press, lambda m: m.state is MachineState.FAULT, 900)
    assert press.fault_code == PressFault.OVERPRESSURE
    assert press.fault_active and not press.running and press.status_word & 0b10
    frozen = (press.profile_count, press.billet_count, press.scrap_count)
    press.write("cmd_start", True)  # a start does not override a fault
    with pytest.raises(WriteRefused, match="reset the fault"):
        press.write("die_number", 2001)
    press.advance(120)
    assert press.state is MachineState.FAULT
    assert (press.profile_count, press.billet_count, press.scrap_count) == frozen

    press.write("billet_temp_sp", 480.0)
    press.write("ram_speed_sp", 12.0)
    run_until(press, lambda m: m.billet_temp > 470, 600)
    press.write("cmd_reset", True)
    assert press.state is MachineState.STOPPED and press.fault_code == 0
    press.write("cmd_start", True)
    run_until(press, lambda m: m.billet_count > frozen[1], 180)
    assert press.state is MachineState.RUNNING


def test_random_faults_stop_the_press_until_the_crew_resets_them():
    press = PressModel(seed=11, fault_rate_per_hour=60.0, auto_recover_s=90.0)
    run_until(press, lambda m: m.state is MachineState.FAULT, HOUR)
    assert press.fault_code in {int(code) for code in PressFault if code}
    press.advance(60)
    assert press.state is MachineState.FAULT
    press.advance(40)
    assert press.state is not MachineState.FAULT and press.fault_code == 0


def test_press_follows_its_setpoints():
    press = calm_press()
    press.write("ram_speed_sp", 20.0)
    press.write("billet_temp_sp", 500.0)
    run_until(press, lambda m: m.cycle_phase is PressPhase.EXTRUDE, 120)
    press.advance(8)
    assert press.ram_speed == pytest.approx(20.0, abs=0.3)
    press.advance(900)
    temps = []
    for _ in range(600):
        press.advance(press.DT)
        temps.append(press.billet_temp)
    assert sum(temps) / len(temps) == pytest.approx(500.0, abs=4.0)


def test_press_refuses_writes_it_cannot_take():
    press = calm_press()
    with pytest.raises(WriteRefused, match=r"within 1\.0\.\.25\.0"):
        press.write("ram_speed_sp", 40)
    with pytest.raises(WriteRefused, match="finite"):
        press.write("ram_speed_sp", math.nan)
    with pytest.raises(WriteRefused, match="read-only"):
        press.write("profile_count", 0)
    with pytest.raises(WriteRefused, match="no variable"):
        press.write("ram_sped_sp", 10)
    with pytest.raises(WriteRefused, match="stop the press"):
        press.write("die_number", 2001)
    assert press.ram_speed_sp == 12.0 and press.die_number == 1204


def test_die_change_goes_through_setup_and_changes_the_alloy():
    press = calm_press()
    press.write("cmd_stop", True)
    press.write("die_number", 2001)
    assert press.state is MachineState.SETUP and press.status_word & (1 << 5)
    assert press.alloy == "6063"
    run_until(press, lambda m: m.state is MachineState.STOPPED, 60)


def test_press_is_deterministic_for_a_seed():
    first, second, other = PressModel(seed=5), PressModel(seed=5), PressModel(seed=6)
    for model in (first, second, other):
        model.advance(1800)
    assert first.snapshot() == second.snapshot()
    assert first.snapshot() != other.snapshot()


def test_press_stays_in_plausible_ranges_for_an_hour():
    press = PressModel(seed=21, auto_recover_s=120.0)
    states = set()
    for _ in range(int(HOUR / press.DT)):
        press.advance(press.DT)
        states.add(press.state)
        assert 420.0 <= press.billet_temp <= 525.0
        assert 415.0 <= press.container_temp <= 450.0
        assert 380.0 <= press.die_temp <= 480.0
        assert 0.0 <= press.ram_pressure <= 330.0
        assert -81.0 <= press.ram_speed <= 25.5
        assert 0.0 <= press.ram_position <= 420.0
    assert MachineState.RUNNING in states


# -- filler ------------------------------------------------------------------------------------


def test_filler_counts_bottles_and_rejects_a_few_percent():
    filler = calm_filler()
    filled, rejected = filler.filled_count, filler.rejected_count
    previous = (filled, rejected)
    for _ in range(int(HOUR / filler.DT)):
        filler.advance(filler.DT)
        now = (filler.filled_count, filler.rejected_count)
        assert now[0] >= previous[0] and now[1] >= previous[1]
        previous = now
    good, bad_ = previous[0] - filled, previous[1] - rejected
    assert good + bad_ == pytest.approx(400 * 60, rel=0.01)  # 400 bottles/min for an hour
    assert 0.01 <= bad_ / (good + bad_) <= 0.03
    assert filler.last_reject_reason in {"underfill", "cap missing", "cap torque low"}


def test_filler_follows_speed_and_tank_setpoints():
    filler = calm_filler()
    filler.write("filler_speed_sp", 250.0)
    filler.write("tank_level_sp", 50.0)
    filler.advance(10)
    assert filler.filler_speed == 250.0
    assert filler.infeed_speed == pytest.approx(250 * 0.075 * 1.15, rel=0.02)
    filler.advance(900)
    assert filler.tank_level == pytest.approx(50.0, abs=1.0)
    assert 4.0 <= filler.capper_torque / 45 <= 4.4  # about 180 N·cm


def test_supply_outage_drains_the_tank_and_stops_the_filler_until_it_refills():
    filler = calm_filler(supply_outage_rate_per_hour=3600.0)
    run_until(filler, lambda m: m.state is MachineState.IDLE, 900)
    assert filler.stop_reason is StopReason.LOW_TANK and filler.tank_level < 8.0
    assert not filler.running and not filler.outfeed_running
    filler.supply_outage_rate_per_hour = 0.0
    filler.advance(10)  # the filler runs down
    counted = filler.filled_count + filler.rejected_count
    filler.advance(30)
    assert filler.filled_count + filler.rejected_count == counted
    run_until(filler, lambda m: m.state is MachineState.RUNNING, 900)
    assert filler.tank_level >= 20.0 and filler.stop_reason is StopReason.NONE


def test_filler_fault_stops_it_until_reset_and_start():
    filler = FillerModel(seed=4, fault_rate_per_hour=120.0, stop_rate_per_hour=0.0)
    run_until(filler, lambda m: m.state is MachineState.FAULT, HOUR)
    assert filler.fault_code in {int(code) for code in FillerFault if code}
    filler.advance(15)
    counted = filler.filled_count + filler.rejected_count
    filler.advance(60)
    assert filler.filled_count + filler.rejected_count == counted
    assert filler.filler_speed == 0.0 and filler.capper_torque == 0.0
    filler.write("cmd_reset", True)
    assert filler.state is MachineState.STOPPED
    filler.calm()
    filler.write("cmd_start", True)
    filler.advance(30)
    assert filler.filled_count + filler.rejected_count > counted


def test_filler_stops_for_jams_and_restarts_by_itself():
    filler = FillerModel(seed=9, fault_rate_per_hour=0.0, stop_rate_per_hour=120.0)
    run_until(filler, lambda m: m.state is MachineState.IDLE, HOUR)
    assert filler.stop_reason in set(StopReason) - {StopReason.NONE}
    filler.calm()
    run_until(filler, lambda m: m.state is MachineState.RUNNING, 300)


def test_filler_is_deterministic_and_plausible_for_an_hour():
    first, second = FillerModel(seed=8, auto_recover_s=120), FillerModel(seed=8, auto_recover_s=120)
    for _ in range(int(HOUR / first.DT)):
        first.advance(first.DT)
        second.advance(second.DT)
        assert 0.0 <= first.tank_level <= 100.0
        assert 2.0 <= first.product_temp <= 12.0
        assert 0.0 <= first.filler_speed <= 600.0
        assert 0.0 <= first.capper_torque <= 220.0
        assert 0.0 <= first.supply_valve <= 100.0
    assert first.snapshot() == second.snapshot()


# -- protocol maps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "scale"),
    [
        ("int16", -123.4, 10.0),
        ("uint16", 65535, 1.0),
        ("int32", -2_000_000_000, 1.0),
        ("uint32", 4_000_000_000, 1.0),
        ("int64", -(2**40), 1.0),
        ("uint64", 2**63 + 5, 1.0),
        ("float32", 12.5, 1.0),
        ("float64", 815402.123456789, 1.0),
    ],
)
def test_register_codec_round_trips_big_endian(kind, value, scale):
    point = Point("x", "hr", 0, kind, scale=scale)
    registers = encode(point, value)
    assert len(registers) == point.width
    assert decode(point, registers) == pytest.approx(value)


def test_register_codec_orders_words_big_endian_and_pads_strings():
    assert encode(Point("x", "hr", 0, "uint32"), 0x12345678) == [0x1234, 0x5678]
    assert encode(Point("x", "hr", 0, "float32"), 1.0) == [0x3F80, 0x0000]
    alloy = Point("alloy", "hr", 21, "string", length=8)
    assert encode(alloy, "6060") == [0x3630, 0x3630, 0, 0]
    assert decode(alloy, encode(alloy, "6005A")) == "6005A"


def test_press_points_name_real_variables_without_overlap():
    taken: dict[tuple[str, int], str] = {}
    for point in PRESS_POINTS:
        variable = PressModel.variable(point.name)
        if point.area in ("co", "di"):
            assert point.kind == "bool" and variable.kind is bool
        assert not (point.area in ("di", "ir") and variable.writable), point.name
        for offset in range(point.address, point.address + point.width):
            assert (point.area, offset) not in taken, f"{point.name} overlaps {taken}"
            taken[(point.area, offset)] = point.name
    kinds = {point.kind for point in PRESS_POINTS}
    expected = {"bool", "string", "int16", "uint16", "int32", "uint32", "int64", "uint64"}
    assert kinds >= expected | {"float32", "float64"}
    assert {point.area for point in PRESS_POINTS} == {"co", "di", "hr", "ir"}


def test_filler_points_name_real_variables_once():
    names = [point.name for point in FILLER_POINTS]
    assert len(names) == len(set(names))
    for point in FILLER_POINTS:
        FillerModel.variable(point.name)
    assert len({point.node_id_text for point in FILLER_POINTS}) == len(FILLER_POINTS)


# -- simulator driver --------------------------------------------------------------------------


def sim_device(**options) -> DeviceConfig:
    return DeviceConfig("press_sim", "simulator", {"model": "press", **options}, line="line1")


def sim_tag(name: str, address: str, data_type: DataType = DataType.FLOAT32, **kw) -> TagConfig:
    return TagConfig(name, data_type, device="press_sim", address=address, **kw)


def make_driver(
    device: DeviceConfig, tags: list[TagConfig]
) -> tuple[SimulatorDriver, RecordingSink]:
    sink = RecordingSink()
    ctx = DriverContext(device, tags, dict(DEFAULT_SCAN_CLASSES), sink)
    return SimulatorDriver(ctx), sink


async def test_simulator_driver_publishes_counting_values_with_their_types():
    tags = [
        sim_tag("line1.profile_count", "profile_count", DataType.UINT32, scan_class="fast"),
        sim_tag("line1.running", "running", DataType.BOOL, scan_class="fast"),
        sim_tag("line1.alloy", "alloy", DataType.STRING, scan_class="slow"),
        sim_tag("line1.billet_temp", "billet_temp", scan_class="normal"),
    ]
    driver, sink = make_driver(sim_device(seed=1, speed=200, faults=False), tags)
    await driver.start()
    try:
        assert sink.last_state.status is DeviceStatus.ONLINE
        first = sink.latest["line1.profile_count"].value
        await wait_for(lambda: sink.latest["line1.profile_count"].value > first, timeout=5)
        latest = sink.latest
        assert latest["line1.running"].value is True
        assert latest["line1.alloy"].value == "6060" and latest["line1.alloy"].good
        assert isinstance(latest["line1.profile_count"].value, int)
        assert 440.0 < latest["line1.billet_temp"].value < 520.0
    finally:
        await driver.stop()
    assert sink.last_state.status is DeviceStatus.STOPPED


async def test_simulator_driver_writes_read_back_or_say_why_not():
    speed_sp = sim_tag("line1.ram_speed_sp", "ram_speed_sp", writable=True)
    count = sim_tag("line1.profile_count", "profile_count", DataType.UINT32)
    locked = sim_tag("line1.billet_count", "billet_count", DataType.UINT32, writable=True)
    driver, sink = make_driver(sim_device(seed=2), [speed_sp, count])
    done = await driver.write(speed_sp, 18.5)
    assert done.ok and done.readback == 18.5 and driver.model.ram_speed_sp == 18.5
    assert sink.latest["line1.ram_speed_sp"].value == 18.5
    out_of_range = await driver.write(speed_sp, 99)
    assert out_of_range.status is WriteStatus.FAILED and "1.0..25.0" in out_of_range.message
    assert (await driver.write(count, 5)).status is WriteStatus.REFUSED
    assert (await driver.write(locked, 5)).status is WriteStatus.FAILED
    batch = await driver.read([speed_sp, count])
    assert batch["line1.ram_speed_sp"].value == 18.5 and batch["line1.profile_count"].good


async def test_simulator_driver_with_a_bad_model_reports_offline_and_bad_values():
    tag = sim_tag("line2.level", "tank_level")
    device = DeviceConfig("sim", "simulator", {"model": "boiler"})
    driver, sink = make_driver(device, [tag])
    await driver.start()
    assert sink.last_state.status is DeviceStatus.OFFLINE
    assert sink.latest["line2.level"].quality is Quality.BAD
    assert "model: press" in sink.latest["line2.level"].reason
    await driver.stop()


def test_simulator_driver_checks_options_and_addresses():
    assert SimulatorDriver.validate_device(sim_device()) == []
    wrong = sim_device(model="oven", speed=-1, seed="x", step="fast", faults="no")
    problems = SimulatorDriver.validate_device(wrong)
    assert len(problems) == 5
    assert SimulatorDriver.validate_device(sim_device(speed="20", step="50ms", seed=4)) == []
    assert "model: press" in problems[0].message
    device = sim_device()
    assert SimulatorDriver.validate_tag(device, sim_tag("a.b", "billet_temp")) == []
    typo = SimulatorDriver.validate_tag(device, sim_tag("a.b", "billet_tmp"))
    assert "no variable 'billet_tmp'" in typo[0].message and "billet_temp" in typo[0].message
    read_only = SimulatorDriver.validate_tag(device, sim_tag("a.b", "ram_speed", writable=True))
    assert "read-only" in read_only[0].message


@pytest.mark.parametrize(
    ("step", "seconds"), [("100ms", 0.1), ("2 s", 2.0), ("1m", 60.0), (0.5, 0.5)]
)
def test_simulator_step_is_a_duration_as_written_everywhere_in_a_project(step, seconds):
    driver, _ = make_driver(sim_device(step=step), [])
    assert driver.options is not None and driver.options.step == pytest.approx(seconds)


@pytest.mark.parametrize("step", [0, "0ms", "-1s", "fast", True, "10 parsecs"])
def test_simulator_step_must_be_a_positive_duration(step):
    (problem,) = SimulatorDriver.validate_device(sim_device(step=step))
    assert "'step' must be a positive duration" in problem.message


def test_simulator_problems_point_at_the_setting_to_fix():
    lines = {"protocol": Source("p.yaml", 5), "model": Source("p.yaml", 6)}
    lines |= {"speed": Source("p.yaml", 7), "step": Source("p.yaml", 8)}
    device = DeviceConfig(
        "press_sim",
        "simulator",
        {"model": "press", "speed": 0, "step": "fast"},
        source=Source("p.yaml", 4),
        field_sources=lines,
    )
    assert [p.source.line for p in SimulatorDriver.validate_device(device)] == [7, 8]
    tag_lines = {"address": Source("p.yaml", 12), "writable": Source("p.yaml", 13)}
    typo = sim_tag("a.b", "billet_tmp", source=Source("p.yaml", 10), field_sources=tag_lines)
    assert SimulatorDriver.validate_tag(device, typo)[0].source.line == 12
    read_only = sim_tag(
        "a.b", "ram_speed", writable=True, source=Source("p.yaml", 10), field_sources=tag_lines
    )
    assert SimulatorDriver.validate_tag(device, read_only)[0].source.line == 13
