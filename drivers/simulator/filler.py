"""Line 2: a beverage filling line, as its PLC would see it. Pure Python, no I/O.

A product tank is kept at its level setpoint by a supply valve while the rotary filler
draws from it; the capper closes each bottle and an inspector rejects a few (underfill,
missing cap, low cap torque). Jams, starved infeed, supply outages that drain the tank,
planned stops, a full outfeed and the odd fault interrupt production, as they do on a real
line. The order data the HMI downloads (product, bottle size, target) decide what is
filled; another product or bottle size first needs a changeover (state 4, setup: rinsing
or a format change), and a bigger bottle runs slower (``format_speed``).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from .signals import (
    COMMAND_VARIABLES,
    MachineState,
    PlantModel,
    Variable,
    WriteRefused,
    lag,
    ramp,
    rate_or,
)


class FillerFault(IntEnum):
    NONE = 0
    CAPPER_OVERLOAD = 201
    FILL_VALVE = 202
    GUARD_DOOR = 203
    PRODUCT_TEMP_HIGH = 204


class StopReason(IntEnum):
    NONE = 0
    BOTTLE_JAM = 1
    LOW_TANK = 2
    NO_BOTTLES = 3
    PLANNED = 4
    OUTFEED_FULL = 5  # blocked: the packer downstream takes no more
    NO_ORDER = 6  # no order downloaded, or its target is reached


STARVED_REASONS = frozenset((StopReason.LOW_TANK, StopReason.NO_BOTTLES))


REJECT_REASONS = (("underfill", 0.011), ("cap missing", 0.005), ("cap torque low", 0.004))
UINT32 = 1 << 32

TANK_LITRES = 1200.0
SUPPLY_MAX_LPM = 300.0
BOTTLE_LITRES = 0.5
MAX_SPEED_BPM = 600.0
FILL_LPM = 250.0
PRODUCT_CHANGE_S = (300.0, 600.0)  # rinse the filler for another product
FORMAT_CHANGE_S = (150.0, 300.0)  # same product, another bottle size
CHILLED_PRODUCT_C = 3.5
AMBIENT_C = 22.0
LOW_TANK_STOP = 8.0
LOW_TANK_RESUME = 20.0
PRODUCT_TEMP_LIMIT = 12.0
ACCELERATION_BPM_S = 50.0
CONVEYOR_M_PER_BOTTLE = 0.075 * 1.15  # bottle pitch plus accumulation margin
NOMINAL_TORQUE_NCM = 180.0


def format_speed(bottle_litres: float) -> float:
    """The most bottles a minute the filler fills of a size (500 of 0.5 L, 167 of 1.5 L):
    the fill valves pass at most ``FILL_LPM``, less than the tank's supply."""
    return min(MAX_SPEED_BPM, FILL_LPM / bottle_litres)


def product_name(product: str, bottle_litres: float) -> str:
    return f"{product} {bottle_litres:g} L"


class FillerModel(PlantModel):
    """The filling line. Variable names are the addresses the simulator driver uses."""

    VARIABLES = (
        Variable("state", int, description="0 stopped, 1 idle, 2 running, 3 fault, 4 setup"),
        Variable(
            "fault_code",
            int,
            description="0 none, 201 capper overload, "
            "202 fill valve, 203 guard door open, 204 product temperature high",
        ),
        Variable(
            "stop_reason",
            int,
            description="0 none, 1 bottle jam, 2 low tank, 3 no bottles, 4 planned stop, "
            "5 outfeed full, 6 no order",
        ),
        Variable("running", bool, description="the filler turns and fills bottles"),
        Variable("tank_level", float, "%"),
        Variable("tank_level_sp", float, "%", writable=True, low=20.0, high=95.0),
        Variable("product_temp", float, "°C"),
        Variable("supply_valve", float, "%"),
        Variable("filler_speed", float, "bottles/min"),
        Variable("filler_speed_sp", float, "bottles/min", writable=True, low=0.0, high=600.0),
        Variable("capper_torque", float, "N·cm"),
        Variable("infeed_running", bool),
        Variable("infeed_speed", float, "m/min"),
        Variable("outfeed_running", bool),
        Variable("outfeed_speed", float, "m/min"),
        Variable("filled_count", int, description="good bottles (wraps at 2^32)"),
        Variable("rejected_count", int, description="rejected bottles (wraps at 2^32)"),
        Variable("last_reject_reason", str),
        Variable("product", str),
        Variable("bottle_size", float, "L", description="the bottle size the filler is set for"),
        Variable("infeed_starved", bool, description="waits for bottles or product"),
        Variable("outfeed_blocked", bool, description="waits for the packer"),
        # the order data the HMI downloads; the target, written last, starts the order
        Variable("product_sp", str, writable=True),
        Variable("bottle_size_sp", float, "L", writable=True, low=0.1, high=5.0),
        Variable("order_target", int, "bottles", writable=True, low=0, high=UINT32 - 1),
        Variable("order_good", int, "bottles", description="good bottles of this order"),
        Variable("order_active", bool, description="an order runs and its target is not reached"),
        *COMMAND_VARIABLES,
    )
    RETAINED = (
        *PlantModel.RETAINED,
        *("filled_count", "rejected_count", "product_sp", "bottle_size_sp"),
        *("_product", "bottle_size"),
    )

    def __init__(
        self,
        seed: int | None = None,
        *,
        autostart: bool = True,
        orders: bool = False,
        near_wrap: bool = False,
        fault_rate_per_hour: float = 1.0,
        stop_rate_per_hour: float | None = None,
        blocked_rate_per_hour: float | None = None,
        supply_outage_rate_per_hour: float = 0.7,
        auto_recover_s: float | None = None,
    ):
        super().__init__(seed, auto_recover_s, orders)
        self.fault_rate_per_hour = fault_rate_per_hour
        default_stops, default_blocked = (4.0, 1.5) if orders else (6.0, 0.0)
        self.stop_rate_per_hour = rate_or(stop_rate_per_hour, default_stops)
        self.blocked_rate_per_hour = rate_or(blocked_rate_per_hour, default_blocked)
        self.supply_outage_rate_per_hour = supply_outage_rate_per_hour
        self.stop_reason = StopReason.NONE
        self.tank_level_sp = 70.0
        self.filler_speed_sp = 400.0
        self.filler_speed = 0.0
        self._valve = 0.0
        self._infeed = 0.0
        self._outfeed = 0.0
        self.filled_count = 2_451_870
        self.rejected_count = 49_310
        if near_wrap:  # both counters wrap within minutes
            self.filled_count, self.rejected_count = UINT32 - 3000, UINT32 - 40
        self.last_reject_reason = ""
        self._product = self.product_sp = "Cola"
        self.bottle_size = self.bottle_size_sp = BOTTLE_LITRES
        self._setup_left = 0.0
        self._volume = TANK_LITRES * 0.70
        self._temp = 4.0
        self._torque = 0.0
        self._bottles = 0.0
        self._stop_left = 0.0
        self._outage_left = 0.0
        self.tank_level = self.product_temp = self.capper_torque = self.supply_valve = 0.0
        self.infeed_speed = self.outfeed_speed = 0.0
        self._measure()
        if autostart:
            self.state = MachineState.RUNNING
            self._check_order()

    @property
    def product(self) -> str:
        return product_name(self._product, self.bottle_size)

    @property
    def infeed_starved(self) -> bool:
        return self.state is MachineState.IDLE and self.stop_reason in STARVED_REASONS

    @property
    def outfeed_blocked(self) -> bool:
        return self.state is MachineState.IDLE and self.stop_reason is StopReason.OUTFEED_FULL

    @property
    def running(self) -> bool:
        return self.state is MachineState.RUNNING

    @property
    def infeed_running(self) -> bool:
        return self.state is MachineState.RUNNING or self.stop_reason is StopReason.NO_BOTTLES

    @property
    def outfeed_running(self) -> bool:
        return self.state is MachineState.RUNNING

    @property
    def supply_outage(self) -> bool:
        return self._outage_left > 0.0

    def start(self) -> None:
        super().start()
        self._check_order()

    def stop(self) -> None:
        super().stop()
        self.stop_reason = StopReason.NONE

    def trip(self, code: int) -> None:
        super().trip(code)
        self.stop_reason = StopReason.NONE

    def _apply_setpoint(self, name: str, value: Any) -> None:
        if name == "product_sp" and not 0 < len(value) <= 14:
            raise WriteRefused(f"product_sp takes 1 to 14 characters, not {value!r}")
        if name == "order_target":
            self._new_order(value)
            if self.state is MachineState.IDLE and self.stop_reason is StopReason.NO_ORDER:
                self._wait_for_restart(0.0)  # the PLC takes the order within its scan
            return
        setattr(self, name, value)

    # -- orders --------------------------------------------------------------------------

    def _needs_changeover(self) -> bool:
        if self.free_run:
            return False
        return self.product_sp != self._product or self.bottle_size_sp != self.bottle_size

    def _check_order(self) -> None:
        """While running: stop when there is no order; change over for another product."""
        if self.state is not MachineState.RUNNING:
            return
        if not self.has_work():
            self._pause(StopReason.NO_ORDER, 0.0)
        elif self._needs_changeover():
            product_change = self.product_sp != self._product
            low, high = PRODUCT_CHANGE_S if product_change else FORMAT_CHANGE_S
            self.state = MachineState.SETUP
            self.stop_reason = StopReason.NONE
            self._setup_left = self.rng.uniform(low, high)

    def _changed_over(self, dt: float) -> None:
        self._setup_left -= dt
        if self._setup_left <= 0.0:
            self._product, self.bottle_size = self.product_sp, self.bottle_size_sp
            self.state = MachineState.RUNNING
            self._check_order()

    # -- physics -------------------------------------------------------------------------

    def step(self, dt: float) -> None:
        if self.state is MachineState.RUNNING:
            self._random_events(dt)
            if self._needs_changeover():  # product data written after the target
                self._check_order()
        elif self.state is MachineState.IDLE:
            self._wait_for_restart(dt)
        elif self.state is MachineState.SETUP:
            self._changed_over(dt)
        running = self.state is MachineState.RUNNING
        target_speed = min(self.filler_speed_sp, format_speed(self.bottle_size)) if running else 0.0
        self.filler_speed = ramp(self.filler_speed, target_speed, ACCELERATION_BPM_S, dt)
        self._count_bottles(dt)
        self._tank(dt)
        conveyor = self.filler_speed_sp * CONVEYOR_M_PER_BOTTLE
        self._infeed = lag(self._infeed, conveyor * self.infeed_running, 1.5, dt)
        self._outfeed = lag(self._outfeed, conveyor * self.outfeed_running, 1.5, dt)
        torque = NOMINAL_TORQUE_NCM if self.filler_speed > 1.0 else 0.0
        self._torque = lag(self._torque, torque, 0.5, dt)
        if running and self._temp > PRODUCT_TEMP_LIMIT:
            self.trip(FillerFault.PRODUCT_TEMP_HIGH)
        elif running and self.tank_level < LOW_TANK_STOP:
            self._pause(StopReason.LOW_TANK, 0.0)
        self._measure()

    def _random_events(self, dt: float) -> None:
        if self.chance(self.fault_rate_per_hour, dt):
            self.trip(self.rng.choice(list(FillerFault)[1:4]))
        elif self.chance(self.stop_rate_per_hour, dt):
            reason = self.rng.choice(
                (
                    StopReason.BOTTLE_JAM,
                    StopReason.BOTTLE_JAM,
                    StopReason.NO_BOTTLES,
                    StopReason.PLANNED,
                )
            )
            low, high = (60.0, 180.0) if reason is StopReason.PLANNED else (15.0, 60.0)
            self._pause(reason, self.rng.uniform(low, high))
        elif self.chance(self.blocked_rate_per_hour, dt):
            self._pause(StopReason.OUTFEED_FULL, self.rng.uniform(20.0, 150.0))
        if self.chance(self.supply_outage_rate_per_hour, dt):
            self._outage_left = self.rng.uniform(120.0, 360.0)

    def _pause(self, reason: StopReason, seconds: float) -> None:
        self.state = MachineState.IDLE
        self.stop_reason = reason
        self._stop_left = seconds

    def _wait_for_restart(self, dt: float) -> None:
        self._stop_left -= dt
        if self.stop_reason is StopReason.LOW_TANK:
            cleared = self.tank_level >= LOW_TANK_RESUME
        elif self.stop_reason is StopReason.NO_ORDER:
            cleared = self.has_work()
        else:
            cleared = self._stop_left <= 0.0
        if cleared:
            self.state = MachineState.RUNNING
            self.stop_reason = StopReason.NONE
            self._check_order()

    def _count_bottles(self, dt: float) -> None:
        self._bottles += self.filler_speed / 60.0 * dt
        while self._bottles >= 1.0:
            self._bottles -= 1.0
            draw = self.rng.random()
            for reason, probability in REJECT_REASONS:
                if draw < probability:
                    self.rejected_count = (self.rejected_count + 1) % UINT32
                    self.last_reject_reason = reason
                    break
                draw -= probability
            else:
                self.filled_count = (self.filled_count + 1) % UINT32
                self._count_good()
        if self.state is MachineState.RUNNING and not self.has_work():
            self._pause(StopReason.NO_ORDER, 0.0)  # the target is reached

    def _tank(self, dt: float) -> None:
        outflow = self.filler_speed * self.bottle_size  # litres per minute
        demand = outflow / SUPPLY_MAX_LPM * 100.0 + 12.0 * (self.tank_level_sp - self.tank_level)
        self._valve = lag(self._valve, min(max(demand, 0.0), 100.0), 3.0, dt)
        if self._outage_left > 0.0:
            self._outage_left -= dt
            inflow = 0.0
        else:
            inflow = self._valve / 100.0 * SUPPLY_MAX_LPM
        self._volume += (inflow - outflow) / 60.0 * dt
        self._volume = min(max(self._volume, 0.0), TANK_LITRES)
        mixing = min(inflow / 60.0 * dt / max(self._volume, 10.0), 1.0)
        self._temp += mixing * (CHILLED_PRODUCT_C - self._temp)
        self._temp = lag(self._temp, AMBIENT_C, 7200.0, dt)

    def _measure(self) -> None:
        gauss = self.rng.gauss
        level = self._volume / TANK_LITRES * 100.0 + gauss(0.0, 0.05)
        self.tank_level = round(min(max(level, 0.0), 100.0), 2)
        self.product_temp = round(self._temp + gauss(0.0, 0.05), 2)
        torque = self._torque + gauss(0.0, 3.0) if self._torque > 1.0 else 0.0
        self.capper_torque = round(max(torque, 0.0), 1)
        self.supply_valve = round(self._valve, 2)
        self.infeed_speed = round(self._infeed, 2)
        self.outfeed_speed = round(self._outfeed, 2)
