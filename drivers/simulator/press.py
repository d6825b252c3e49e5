"""Line 1: an aluminium extrusion press, as its PLC would see it. Pure Python, no I/O.

One cycle: load a billet, upset it in the container, extrude it through the die while the
puller cuts profiles, then a dead cycle retracts the ram and shears the butt. Extrusion
pressure rises for colder billets and faster rams, so a cold billet setpoint can trip the
press on overpressure just as a real one would.
"""

from __future__ import annotations

import math
from enum import IntEnum
from typing import Any

from .signals import COMMAND_VARIABLES, MachineState, PlantModel, Variable, WriteRefused, lag


class PressFault(IntEnum):
    NONE = 0
    OVERPRESSURE = 101
    DIE_TEMPERATURE = 102
    BILLET_HEATER = 103
    HYDRAULIC_OIL = 104


class PressPhase(IntEnum):
    LOAD = 0
    UPSET = 1
    EXTRUDE = 2
    DEAD_CYCLE = 3


ALLOYS = ("6060", "6063", "6082", "6005A")
UINT32 = 1 << 32

LOAD_S = 7.0
UPSET_END_MM = 15.0
UPSET_SPEED = 5.0
EXTRUDE_END_MM = 420.0
RETRACT_SPEED = -80.0
DEAD_CYCLE_MIN_S = 6.0
EXTRUSION_RATIO = 45.0
PROFILE_CUT_MM = 3000.0
SCRAP_PROBABILITY = 0.02
OVERPRESSURE_BAR = 320.0
DIE_CHANGE_S = 45.0
HEATER_BAND = 2.0


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
        Variable("running", bool),
        Variable("fault_active", bool),
        Variable("heater_on", bool),
        Variable("ram_advancing", bool),
        Variable("planned_stop", bool),
        Variable("puller_running", bool, description="the puller draws profiles off the die"),
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
        Variable("billet_count", int, description="billets pressed (wraps at 2^32)"),
        Variable("scrap_count", int, description="scrapped profiles and billets"),
        Variable("die_number", int, writable=True, low=1, high=9999),
        Variable("alloy", str),
        Variable("run_seconds", int, "s"),
        Variable("extruded_length_mm", int, "mm"),
        *COMMAND_VARIABLES,
    )

    def __init__(
        self,
        seed: int | None = None,
        *,
        autostart: bool = True,
        fault_rate_per_hour: float = 1.5,
        planned_stop_rate_per_hour: float = 3.0,
        auto_recover_s: float | None = None,
    ):
        super().__init__(seed, auto_recover_s)
        self.fault_rate_per_hour = fault_rate_per_hour
        self.planned_stop_rate_per_hour = planned_stop_rate_per_hour
        self.cycle_phase = PressPhase.LOAD
        self.billet_temp_sp = 480.0
        self.ram_speed_sp = 12.0
        self.die_number = 1204
        self.heater_on = False
        self._speed = 0.0
        self._position = 0.0
        self.last_cycle_time = 0.0
        self.energy_kwh = 815_402.5
        self.profile_count = 120_000
        self.billet_count = 40_000
        self.scrap_count = 1_500
        self.extruded_length_mm = 9_876_543_210_000
        self._billet = 478.0
        self._container = 432.0
        self._die = 462.0
        self._pressure = 8.0
        self._run_time = 3_600_000.0
        self._phase_time = 0.0
        self._cycle_start = 0.0
        self._exit_mm = 0.0
        self._planned_stop_due = False
        self._planned_stop_left = 0.0
        self._setup_left = 0.0
        self._interrupted = False
        self.billet_temp = self.container_temp = self.die_temp = self.ram_pressure = 0.0
        self.ram_speed = self.ram_position = 0.0
        self._measure()
        if autostart:
            self.state = MachineState.RUNNING

    # -- derived variables ---------------------------------------------------------------

    @property
    def alloy(self) -> str:
        return ALLOYS[self.die_number % len(ALLOYS)]

    @property
    def running(self) -> bool:
        return self.state is MachineState.RUNNING

    @property
    def fault_active(self) -> bool:
        return self.state is MachineState.FAULT

    @property
    def planned_stop(self) -> bool:
        return self.state is MachineState.IDLE

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
        if self.state is MachineState.STOPPED and self._interrupted:
            self._enter(PressPhase.DEAD_CYCLE)
            self._interrupted = False
        super().start()

    def trip(self, code: int) -> None:
        if self.state is MachineState.RUNNING and self.cycle_phase in (
            PressPhase.UPSET,
            PressPhase.EXTRUDE,
        ):
            self.scrap_count = (self.scrap_count + 1) % UINT32
            self._interrupted = True
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
            self.state = MachineState.SETUP
            self._setup_left = DIE_CHANGE_S
            return
        setattr(self, name, value)

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
        self._position = min(max(self._position + self._speed * dt, 0.0), EXTRUDE_END_MM)
        self._thermal(dt)
        self._energy(dt)
        if running and self._pressure > OVERPRESSURE_BAR:
            self.trip(PressFault.OVERPRESSURE)
        elif running and self.chance(self.fault_rate_per_hour, dt):
            self.trip(self.rng.choice(list(PressFault)[1:]))
        self._measure()

    def _hold(self, dt: float) -> None:
        if self.state is MachineState.IDLE:
            self._planned_stop_left -= dt
            if self._planned_stop_left <= 0.0:
                self.state = MachineState.RUNNING
                self._cycle_start = self.time
        elif self.state is MachineState.SETUP:
            self._setup_left -= dt
            if self._setup_left <= 0.0:
                self.state = MachineState.STOPPED

    def _nominal_pressure(self) -> float:
        """Steady extrusion pressure: colder billets and faster rams need more force."""
        cold = math.exp((470.0 - self._billet) / 100.0)
        fast = (max(self.ram_speed_sp, 0.5) / 12.0) ** 0.3
        return 215.0 * cold * fast

    def _sequence(self, dt: float) -> None:
        self._phase_time += dt
        if self.chance(self.planned_stop_rate_per_hour, dt):
            self._planned_stop_due = True
        phase = self.cycle_phase
        if phase is PressPhase.LOAD:
            self._speed = lag(self._speed, 0.0, 0.3, dt)
            self._pressure = lag(self._pressure, 8.0, 0.8, dt)
            if self._phase_time >= LOAD_S:
                self._enter(PressPhase.UPSET)
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

    def _extrude(self, dt: float) -> None:
        self._speed = lag(self._speed, self.ram_speed_sp, 1.0, dt)
        remaining = 1.0 - (self._position - UPSET_END_MM) / (EXTRUDE_END_MM - UPSET_END_MM)
        target = self._nominal_pressure() * (0.88 + 0.2 * max(remaining, 0.0))
        self._pressure = lag(self._pressure, target, 1.2, dt)
        exit_mm = max(self._speed, 0.0) * dt * EXTRUSION_RATIO
        self.extruded_length_mm += round(exit_mm)
        self._exit_mm += exit_mm
        while self._exit_mm >= PROFILE_CUT_MM:
            self._exit_mm -= PROFILE_CUT_MM
            if self.rng.random() < SCRAP_PROBABILITY:
                self.scrap_count = (self.scrap_count + 1) % UINT32
            else:
                self.profile_count = (self.profile_count + 1) % UINT32
        if self._position >= EXTRUDE_END_MM - 0.5:
            self.billet_count = (self.billet_count + 1) % UINT32
            self._enter(PressPhase.DEAD_CYCLE)

    def _end_cycle(self) -> None:
        self._speed = 0.0
        self._position = 0.0
        self.last_cycle_time = round(self.time - self._cycle_start, 1)
        self._cycle_start = self.time
        self._enter(PressPhase.LOAD)
        if self._planned_stop_due:
            self._planned_stop_due = False
            self.state = MachineState.IDLE
            self._planned_stop_left = self.rng.uniform(30.0, 120.0)

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
