"""Line 1: an aluminium extrusion press, as its PLC would see it. Pure Python, no I/O.

One cycle: load a billet, upset it in the container, extrude it through the die while the
puller cuts profiles, then a dead cycle retracts the ram and shears the butt. Extrusion
pressure rises for colder billets, faster rams and higher extrusion ratios, so a cold
billet setpoint can trip the press on overpressure just as a real one would.

The billet and the profile follow the order data the HMI downloads (``order_*``): a
billet's usable weight (its butt end, ``BUTT_FRACTION``, is sheared off and scrapped)
over the profile's weight per metre gives the metres extruded, cut into whole profiles of
the order's length (``billet_plan``); the ram's stroke is the billet's usable length, so
the cycle time follows the ram speed and the billet length. A new order with another die
or alloy starts with a changeover (state 4, setup) and some start-up scrap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from .signals import (
    COMMAND_VARIABLES,
    MachineState,
    PlantModel,
    Variable,
    WriteRefused,
    lag,
    rate_or,
)


class PressFault(IntEnum):
    NONE = 0
    OVERPRESSURE = 101
    DIE_TEMPERATURE = 102
    BILLET_HEATER = 103
    HYDRAULIC_OIL = 104


class PressWait(IntEnum):
    """Why the press idles (state 1) or waits, in ``wait_reason``."""

    NONE = 0
    NO_ORDER = 1  # no order downloaded, or its target is 0
    ORDER_DONE = 2  # the order's target is reached: waiting for the next
    PLANNED = 3  # planned stop between billets (quality check, meeting)
    NO_BILLETS = 4  # starved: the billet loader is empty
    TABLE_FULL = 5  # blocked: the run-out table and the saw are full
    BAD_ORDER = 6  # the order data make no whole profile per billet


class PressPhase(IntEnum):
    LOAD = 0
    UPSET = 1
    EXTRUDE = 2
    DEAD_CYCLE = 3


ALLOYS = ("6060", "6063", "6082", "6005A")
UINT32 = 1 << 32
UINT16 = 1 << 16  # the billet counter is one 16-bit register: it wraps within hours

LOAD_S = 7.0
UPSET_END_MM = 15.0
UPSET_SPEED = 5.0
RETRACT_SPEED = -80.0
DEAD_CYCLE_MIN_S = 6.0
NOMINAL_RATIO = 45.0  # the extrusion ratio the nominal pressure is given for
SCRAP_PROBABILITY = 0.02
STARTUP_SCRAP_PROBABILITY = 0.3  # first billet after a changeover or a fault
OVERPRESSURE_BAR = 320.0
DIE_CHANGE_S = 45.0  # a die written by hand (press stopped)
ORDER_DIE_CHANGE_S = (180.0, 360.0)  # a new order's die
ALLOY_CHANGE_S = (60.0, 150.0)  # same die, another alloy: the billet furnace is changed
HEATER_BAND = 2.0
BUTT_FRACTION = 0.06  # of each billet, sheared off as the butt end


#: a random wait between billets: its rate attribute and its length range in seconds
WAITS = {
    PressWait.PLANNED: ("planned_stop_rate_per_hour", (60.0, 300.0)),
    PressWait.NO_BILLETS: ("starved_rate_per_hour", (90.0, 600.0)),
    PressWait.TABLE_FULL: ("blocked_rate_per_hour", (15.0, 75.0)),
}
TIMED_WAITS = frozenset(WAITS)
ORDER_WAITS = frozenset((PressWait.NO_ORDER, PressWait.ORDER_DONE, PressWait.BAD_ORDER))


@dataclass(frozen=True, slots=True)
class BilletPlan:
    """What one billet of an order gives: the butt is scrap, the rest whole profiles."""

    stroke_mm: float  # ram travel after upset: the billet's usable length
    exit_m: float  # profile extruded from the usable weight
    profiles: int  # whole profiles cut; the rest of ``exit_m`` is offcut
    ratio: float  # extrusion ratio: profile length out per billet length pushed
    profile_m: float  # the cut length

    @property
    def valid(self) -> bool:
        return self.profiles > 0 and self.stroke_mm > 0


def billet_plan(
    billet_length_mm: float, billet_weight_kg: float, weight_per_m_g: float, profile_m: float
) -> BilletPlan:
    """profiles per billet = floor(billet weight × (1 - butt) / (profile length × g/m))."""
    usable_kg = billet_weight_kg * (1.0 - BUTT_FRACTION)
    exit_m = usable_kg / (weight_per_m_g / 1000.0) if weight_per_m_g > 0 else 0.0
    profiles = math.floor(exit_m / profile_m + 1e-9) if profile_m > 0 else 0
    stroke = billet_length_mm * (1.0 - BUTT_FRACTION)
    ratio = exit_m * 1000.0 / stroke if stroke > 0 else 0.0
    return BilletPlan(stroke, exit_m, profiles, ratio, profile_m)


def _bits(*flags: bool) -> int:
    return sum(1 << index for index, flag in enumerate(flags) if flag)


class PressModel(PlantModel):
    """The extrusion press. Variable names are the addresses the simulator driver uses."""

    VARIABLES = (
        Variable("state", int, description="0 stopped, 1 idle, 2 running, 3 fault, 4 setup"),
        Variable(
            "fault_code",
            int,
            description="0 none, 101 overpressure, 102 die temperature, "
            "103 billet heater, 104 hydraulic oil",
        ),
        Variable("cycle_phase", int, description="0 load, 1 upset, 2 extrude, 3 dead cycle"),
        Variable(
            "status_word",
            int,
            description="bit 0 running, 1 fault, 2 heater on, "
            "3 ram advancing, 4 planned stop, 5 setup, 6 billet in container",
        ),
        Variable(
            "wait_reason",
            int,
            description="0 none, 1 no order, 2 order done, 3 planned stop, 4 no billets, "
            "5 run-out table full, 6 order data make no whole profile",
        ),
        Variable("running", bool),
        Variable("fault_active", bool),
        Variable("heater_on", bool),
        Variable("ram_advancing", bool),
        Variable("planned_stop", bool),
        Variable("puller_running", bool, description="the puller draws profiles off the die"),
        Variable("starved", bool, description="no billets to load"),
        Variable("blocked", bool, description="run-out table and saw full"),
        Variable("billet_temp", float, "°C"),
        Variable("billet_temp_sp", float, "°C", writable=True, low=400.0, high=520.0),
        Variable("container_temp", float, "°C"),
        Variable("die_temp", float, "°C"),
        Variable("ram_pressure", float, "bar"),
        Variable("ram_speed", float, "mm/s"),
        Variable("ram_speed_sp", float, "mm/s", writable=True, low=1.0, high=25.0),
        Variable("ram_position", float, "mm"),
        Variable("last_cycle_time", float, "s"),
        Variable("energy_kwh", float, "kWh"),
        Variable("profile_count", int, description="good profiles cut (wraps at 2^32)"),
        Variable("billet_count", int, description="billets pressed (wraps at 2^16)"),
        Variable("scrap_count", int, description="scrapped profiles and billets (wraps at 2^32)"),
        Variable("die_number", int, writable=True, low=1, high=9999),
        Variable("alloy", str),
        Variable("run_seconds", int, "s"),
        Variable("extruded_length_mm", int, "mm"),
        # the order data the HMI downloads; the target, written last, starts the order
        Variable("order_die", int, writable=True, low=1, high=9999),
        Variable("order_alloy", str, writable=True),
        Variable("order_billet_length", int, "mm", writable=True, low=100, high=2000),
        Variable("order_billet_weight", float, "kg", writable=True, low=1.0, high=500.0),
        Variable("order_weight_per_m", float, "g/m", writable=True, low=10.0, high=50_000.0),
        Variable("order_profile_length", float, "m", writable=True, low=0.5, high=60.0),
        Variable("order_target", int, "profiles", writable=True, low=0, high=UINT32 - 1),
        Variable("order_good", int, "profiles", description="good profiles of this order"),
        Variable("order_active", bool, description="an order runs and its target is not reached"),
        Variable("profiles_per_billet", int, description="whole profiles one billet gives"),
        *COMMAND_VARIABLES,
    )

    RETAINED = (
        *PlantModel.RETAINED,
        *("profile_count", "billet_count", "scrap_count", "die_number", "_alloy"),
        *("order_die", "order_alloy", "order_billet_length", "order_billet_weight"),
        *("order_weight_per_m", "order_profile_length"),
    )

    def __init__(
        self,
        seed: int | None = None,
        *,
        autostart: bool = True,
        orders: bool = False,
        near_wrap: bool = False,
        fault_rate_per_hour: float | None = None,
        planned_stop_rate_per_hour: float | None = None,
        starved_rate_per_hour: float | None = None,
        blocked_rate_per_hour: float | None = None,
        auto_recover_s: float | None = None,
    ):
        super().__init__(seed, auto_recover_s, orders)
        # with orders, stops come in every kind a press has; without, as before orders
        self.fault_rate_per_hour = rate_or(fault_rate_per_hour, 1.0 if orders else 1.5)
        self.planned_stop_rate_per_hour = rate_or(
            planned_stop_rate_per_hour, 1.0 if orders else 3.0
        )
        self.starved_rate_per_hour = rate_or(starved_rate_per_hour, 0.8 if orders else 0.0)
        self.blocked_rate_per_hour = rate_or(blocked_rate_per_hour, 2.5 if orders else 0.0)
        self.cycle_phase = PressPhase.LOAD
        self.billet_temp_sp = 480.0
        self.ram_speed_sp = 12.0
        self.die_number = 1204
        self._alloy: str | None = None  # None: the die's usual alloy
        # the order data before any download: the press's last job
        self.order_die = 1204
        self.order_alloy = "6060"
        self.order_billet_length = 430
        self.order_billet_weight = 28.9
        self.order_weight_per_m = 1500.0
        self.order_profile_length = 3.0
        self.wait_reason = PressWait.NONE
        self.heater_on = False
        self._speed = 0.0
        self._position = 0.0
        self.last_cycle_time = 0.0
        self.energy_kwh = 815_402.5
        # with orders the 16-bit billet counter starts a few hours of pressing before its wrap
        self.profile_count = 120_000
        self.billet_count = 65_250 if orders else 40_000
        self.scrap_count = 1_500
        if near_wrap:  # every counter wraps within minutes
            self.profile_count, self.billet_count = UINT32 - 150, UINT16 - 12
            self.scrap_count = UINT32 - 6
        self.extruded_length_mm = 9_876_543_210_000
        self._billet = 478.0
        self._container = 432.0
        self._die = 462.0
        self._pressure = 8.0
        self._run_time = 3_600_000.0
        self._phase_time = 0.0
        self._cycle_start = 0.0
        self._plan = self._order_plan()
        self._exit_mm = 0.0
        self._cut = 0
        self._wait_due: PressWait | None = None
        self._wait_left = 0.0
        self._setup_left = 0.0
        self._setup_for_order = False
        self._startup = False
        self._interrupted = False
        self.billet_temp = self.container_temp = self.die_temp = self.ram_pressure = 0.0
        self.ram_speed = self.ram_position = 0.0
        self._measure()
        if autostart:
            self.state = MachineState.RUNNING
            self._next_billet()

    # -- derived variables ---------------------------------------------------------------

    @property
    def alloy(self) -> str:
        if self._alloy is not None:
            return self._alloy
        return ALLOYS[self.die_number % len(ALLOYS)]

    @property
    def running(self) -> bool:
        return self.state is MachineState.RUNNING

    @property
    def fault_active(self) -> bool:
        return self.state is MachineState.FAULT

    @property
    def planned_stop(self) -> bool:
        return self.state is MachineState.IDLE and self.wait_reason is PressWait.PLANNED

    @property
    def starved(self) -> bool:
        return self.state is MachineState.IDLE and self.wait_reason is PressWait.NO_BILLETS

    @property
    def blocked(self) -> bool:
        return self.state is MachineState.IDLE and self.wait_reason is PressWait.TABLE_FULL

    @property
    def puller_running(self) -> bool:
        return self.running and self.cycle_phase is PressPhase.EXTRUDE

    @property
    def ram_advancing(self) -> bool:
        return self._speed > 0.5

    @property
    def run_seconds(self) -> int:
        return int(self._run_time)

    @property
    def profiles_per_billet(self) -> int:
        return self._order_plan().profiles

    @property
    def status_word(self) -> int:
        return _bits(
            self.running,
            self.fault_active,
            self.heater_on,
            self.ram_advancing,
            self.planned_stop,
            self.state is MachineState.SETUP,
            self.cycle_phase in (PressPhase.UPSET, PressPhase.EXTRUDE),
        )

    # -- commands and setpoints ----------------------------------------------------------

    def start(self) -> None:
        if self.state is not MachineState.STOPPED:
            return
        if self._interrupted:
            self._enter(PressPhase.DEAD_CYCLE)
            self._interrupted = False
        self.state = MachineState.RUNNING
        if self.cycle_phase is PressPhase.LOAD:
            self._next_billet()

    def stop(self) -> None:
        super().stop()
        if self.state is MachineState.STOPPED:
            self.wait_reason = PressWait.NONE

    def trip(self, code: int) -> None:
        if self.state is MachineState.RUNNING and self.cycle_phase in (
            PressPhase.UPSET,
            PressPhase.EXTRUDE,
        ):
            # the billet in the container is lost: counted as pressed, its profile as scrap
            self.scrap_count = (self.scrap_count + 1) % UINT32
            self.billet_count = (self.billet_count + 1) % UINT16
            self._interrupted = True
        if self.state is not MachineState.FAULT:
            self._startup = True
        self.wait_reason = PressWait.NONE
        super().trip(code)

    def _apply_setpoint(self, name: str, value: Any) -> None:
        if name == "die_number":
            if value == self.die_number:
                return
            if self.state is MachineState.FAULT:
                raise WriteRefused("reset the fault before changing the die")
            if self.state in (MachineState.RUNNING, MachineState.IDLE):
                raise WriteRefused("stop the press before changing the die")
            self.die_number = value
            self._alloy = None
            self.state = MachineState.SETUP
            self._setup_left = DIE_CHANGE_S
            self._setup_for_order = False
            return
        if name == "order_alloy" and not 0 < len(value) <= 8:
            raise WriteRefused(f"order_alloy takes 1 to 8 characters, not {value!r}")
        if name == "order_target":
            self._new_order(value)
            if self.state is MachineState.IDLE and self.wait_reason in ORDER_WAITS:
                self._next_billet()  # the PLC takes the order within its scan
            return
        setattr(self, name, value)

    # -- orders --------------------------------------------------------------------------

    def _order_plan(self) -> BilletPlan:
        return billet_plan(
            self.order_billet_length,
            self.order_billet_weight,
            self.order_weight_per_m,
            self.order_profile_length,
        )

    def _needs_changeover(self) -> bool:
        if self.free_run:
            return False
        return self.order_die != self.die_number or self.order_alloy != self.alloy

    def _next_billet(self) -> None:
        """Between billets (ram home, phase load): wait, change over, or press the next one."""
        if self._wait_due is not None:
            reason, self._wait_due = self._wait_due, None
            low, high = WAITS[reason][1] if self.repair_spread else (30.0, 120.0)
            self._idle(reason, self.rng.uniform(low, high))
        elif not self.has_work():
            self._idle(PressWait.ORDER_DONE if self.order_target else PressWait.NO_ORDER)
        elif not self._order_plan().valid:
            self._idle(PressWait.BAD_ORDER)
        elif self._needs_changeover():
            self._changeover()
        else:
            if self.state is not MachineState.RUNNING:
                self._cycle_start = self.time
            self.state = MachineState.RUNNING
            self.wait_reason = PressWait.NONE

    def _idle(self, reason: PressWait, seconds: float = 0.0) -> None:
        self.state = MachineState.IDLE
        self.wait_reason = reason
        self._wait_left = seconds

    def _changeover(self) -> None:
        die_change = self.order_die != self.die_number
        low, high = ORDER_DIE_CHANGE_S if die_change else ALLOY_CHANGE_S
        self.state = MachineState.SETUP
        self.wait_reason = PressWait.NONE
        self._setup_left = self.rng.uniform(low, high)
        self._setup_for_order = True

    # -- physics and sequence ------------------------------------------------------------

    def step(self, dt: float) -> None:
        running = self.state is MachineState.RUNNING
        if running:
            self._run_time += dt
            self._sequence(dt)
        else:
            self._speed = lag(self._speed, 0.0, 0.4, dt)
            self._pressure = lag(self._pressure, 0.0, 1.5, dt)
            self._hold(dt)
        self._position = min(max(self._position + self._speed * dt, 0.0), self._stroke_end)
        self._thermal(dt)
        self._energy(dt)
        if running and self._pressure > OVERPRESSURE_BAR:
            self.trip(PressFault.OVERPRESSURE)
        elif running and self.chance(self.fault_rate_per_hour, dt):
            self.trip(self.rng.choice(list(PressFault)[1:]))
        self._measure()

    @property
    def _stroke_end(self) -> float:
        return UPSET_END_MM + self._plan.stroke_mm

    def _hold(self, dt: float) -> None:
        if self.state is MachineState.IDLE:
            if self.wait_reason in ORDER_WAITS:
                if self.has_work():
                    self._next_billet()
                return
            self._wait_left -= dt
            if self._wait_left <= 0.0:
                self._next_billet()
        elif self.state is MachineState.SETUP:
            self._setup_left -= dt
            if self._setup_left > 0.0:
                return
            if not self._setup_for_order:
                self.state = MachineState.STOPPED
                return
            self.die_number = self.order_die
            self._alloy = self.order_alloy
            self._startup = True
            self._next_billet()

    def _nominal_pressure(self) -> float:
        """Steady extrusion pressure: colder billets, faster rams, higher ratios need more."""
        cold = math.exp((470.0 - self._billet) / 100.0)
        fast = (max(self.ram_speed_sp, 0.5) / 12.0) ** 0.3
        ratio = math.sqrt(math.log(max(self._plan.ratio, 2.0)) / math.log(NOMINAL_RATIO))
        return 215.0 * cold * fast * ratio

    def _sequence(self, dt: float) -> None:
        self._phase_time += dt
        for reason, (rate, _) in WAITS.items():
            if self.chance(getattr(self, rate), dt):
                self._wait_due = reason
        phase = self.cycle_phase
        if phase is PressPhase.LOAD:
            self._speed = lag(self._speed, 0.0, 0.3, dt)
            self._pressure = lag(self._pressure, 8.0, 0.8, dt)
            if self._phase_time >= LOAD_S:
                self._load_billet()
        elif phase is PressPhase.UPSET:
            self._speed = lag(self._speed, UPSET_SPEED, 0.4, dt)
            self._pressure = lag(self._pressure, 1.2 * self._nominal_pressure(), 0.8, dt)
            if self._position >= UPSET_END_MM:
                self._enter(PressPhase.EXTRUDE)
        elif phase is PressPhase.EXTRUDE:
            self._extrude(dt)
        elif self._position <= 0.0 and self._phase_time >= DEAD_CYCLE_MIN_S:
            self._end_cycle()
        else:  # dead cycle: retract the ram, shear the butt
            self._speed = lag(self._speed, RETRACT_SPEED, 0.5, dt)
            self._pressure = lag(self._pressure, 12.0, 0.6, dt)

    def _load_billet(self) -> None:
        """The billet goes in with the order data of now (a late download still counts)."""
        if self._needs_changeover() or not self._order_plan().valid:
            self._next_billet()
            return
        self._plan = self._order_plan()
        self._exit_mm = 0.0
        self._cut = 0
        self._enter(PressPhase.UPSET)

    def _extrude(self, dt: float) -> None:
        self._speed = lag(self._speed, self.ram_speed_sp, 1.0, dt)
        stroke_end = self._stroke_end
        remaining = 1.0 - (self._position - UPSET_END_MM) / (stroke_end - UPSET_END_MM)
        target = self._nominal_pressure() * (0.88 + 0.2 * max(remaining, 0.0))
        self._pressure = lag(self._pressure, target, 1.2, dt)
        exit_mm = max(self._speed, 0.0) * dt * self._plan.ratio
        self.extruded_length_mm += round(exit_mm)
        self._exit_mm += exit_mm
        cut_mm = self._plan.profile_m * 1000.0
        while self._cut < self._plan.profiles and self._exit_mm >= (self._cut + 1) * cut_mm:
            self._cut_profile()
        if self._position >= stroke_end - 0.5:
            while self._cut < self._plan.profiles:  # the last cut at the billet's end
                self._cut_profile()
            self.billet_count = (self.billet_count + 1) % UINT16
            self._startup = False
            self._enter(PressPhase.DEAD_CYCLE)

    def _cut_profile(self) -> None:
        self._cut += 1
        scrap = STARTUP_SCRAP_PROBABILITY if self._startup else SCRAP_PROBABILITY
        if self.rng.random() < scrap:
            self.scrap_count = (self.scrap_count + 1) % UINT32
        else:
            self.profile_count = (self.profile_count + 1) % UINT32
            self._count_good()

    def _end_cycle(self) -> None:
        self._speed = 0.0
        self._position = 0.0
        self.last_cycle_time = round(self.time - self._cycle_start, 1)
        self._cycle_start = self.time
        self._enter(PressPhase.LOAD)
        self._next_billet()

    def _enter(self, phase: PressPhase) -> None:
        self.cycle_phase = phase
        self._phase_time = 0.0

    def _thermal(self, dt: float) -> None:
        heater_ok = self.fault_code != PressFault.BILLET_HEATER
        if self._billet < self.billet_temp_sp - HEATER_BAND:
            self.heater_on = heater_ok
        elif self._billet > self.billet_temp_sp + HEATER_BAND or not heater_ok:
            self.heater_on = False
        if self.heater_on:
            self._billet = lag(self._billet, self.billet_temp_sp + 25.0, 45.0, dt)
        else:
            self._billet = lag(self._billet, 300.0, 400.0, dt)
        extruding = self.cycle_phase is PressPhase.EXTRUDE and self.ram_advancing
        self._container = lag(self._container, 432.0 + 8.0 * extruding, 120.0, dt)
        die_target = 400.0 if self.fault_code == PressFault.DIE_TEMPERATURE else 462.0
        self._die = lag(self._die, die_target + 6.0 * extruding, 90.0, dt)

    def _energy(self, dt: float) -> None:
        pumps = 0.0 if self.state is MachineState.STOPPED else 35.0
        hydraulic = self._pressure * max(self._speed, 0.0) * 0.12
        heater = 250.0 if self.heater_on else 0.0
        self.energy_kwh += (pumps + hydraulic + heater) * dt / 3600.0

    def _measure(self) -> None:
        """What the sensors read: the true value plus a little noise."""
        gauss = self.rng.gauss
        self.billet_temp = round(self._billet + gauss(0.0, 0.3), 2)
        self.container_temp = round(self._container + gauss(0.0, 0.2), 2)
        self.die_temp = round(self._die + gauss(0.0, 0.3), 2)
        self.ram_pressure = round(max(self._pressure + gauss(0.0, 0.8), 0.0), 2)
        self.ram_speed = round(self._speed, 2)
        self.ram_position = round(self._position, 2)
