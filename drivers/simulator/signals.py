"""Building blocks shared by the plant models: machine states, lags, variables, stepping.

A model is pure Python and knows nothing of protocols; it exposes named variables that
the Modbus and OPC UA servers (and the in-process driver) map onto their own addresses.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

#: A command bit stays set this long (model seconds) so a write can be read back.
COMMAND_HOLD_S = 2.0

#: Repair times as multiples of ``auto_recover_s`` when faults vary (``orders`` mode): most
#: are quick, some take a while, now and then one takes the crew half an hour.
REPAIR_SPREAD = ((0.65, 0.5, 1.5), (0.93, 2.0, 5.0), (1.0, 8.0, 15.0))


class MachineState(IntEnum):
    """The state a PLC reports for a machine; the same numbers on both lines."""

    STOPPED = 0
    IDLE = 1
    RUNNING = 2
    FAULT = 3
    SETUP = 4


def lag(current: float, target: float, tau: float, dt: float) -> float:
    """First-order lag solved exactly, so it stays stable however coarse ``dt`` is."""
    if tau <= 0.0:
        return target
    return target + (current - target) * math.exp(-dt / tau)


def ramp(current: float, target: float, rate: float, dt: float) -> float:
    """Move towards ``target`` at no more than ``rate`` units per second."""
    step = rate * dt
    if target > current:
        return min(current + step, target)
    return max(current - step, target)


def rate_or(given: float | None, default: float) -> float:
    """An event rate as given, or the model's default for its mode when None."""
    return default if given is None else given


class WriteRefused(ValueError):
    """A model turned a write down, with a reason an operator can act on."""


@dataclass(frozen=True, slots=True)
class Variable:
    """One named value of a model: its Python type, units and whether clients may write it."""

    name: str
    kind: type  # bool, int, float or str
    units: str = ""
    writable: bool = False
    low: float | None = None
    high: float | None = None
    description: str = ""

    def coerce(self, value: Any) -> Any:
        """Convert a written value to this variable's type or refuse it."""
        if self.kind is bool:
            if isinstance(value, bool) or value in (0, 1):
                return bool(value)
            raise WriteRefused(f"{self.name} takes true or false, not {value!r}")
        if self.kind is str:
            return str(value)
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise WriteRefused(f"{self.name} takes a number, not {value!r}") from None
        if not math.isfinite(number):
            raise WriteRefused(f"{self.name} takes a finite number, not {value!r}")
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        if not low <= number <= high:
            raise WriteRefused(f"{self.name} must be within {self.low}..{self.high} {self.units}")
        if self.kind is int:
            if number != int(number):
                raise WriteRefused(f"{self.name} takes a whole number, not {value!r}")
            return int(number)
        return number


# the start, stop and reset commands every simulated machine obeys
COMMAND_VARIABLES = (
    Variable("cmd_start", bool, writable=True),
    Variable("cmd_stop", bool, writable=True),
    Variable("cmd_reset", bool, writable=True),
)


class PlantModel(ABC):
    """A machine stepped in fixed increments of model time; deterministic for a given seed.

    ``auto_recover_s`` stands in for the maintenance crew: a fault that nobody resets is
    reset after that long and the machine restarted (None: it waits for a reset).

    ``orders`` makes it a line PLC run by work orders: it produces only while an order the
    HMI downloaded (``order_target`` written last, above zero) is not yet complete, and
    idles otherwise; repair times vary. Without it the machine produces from the start, as
    before anyone downloads an order; the first order written switches it to orders.
    """

    VARIABLES: ClassVar[tuple[Variable, ...]]
    #: what the PLC keeps over a power cycle in retentive memory: its order block and its
    #: counters (the line does not forget its order when the HMI PC or the PLC restarts)
    RETAINED: ClassVar[tuple[str, ...]] = ("free_run", "order_target", "order_good")
    COMMANDS: ClassVar[tuple[str, ...]] = ("cmd_start", "cmd_stop", "cmd_reset")
    DT: ClassVar[float] = 0.1

    def __init__(
        self, seed: int | None = None, auto_recover_s: float | None = None, orders: bool = False
    ):
        self.rng = random.Random(seed)
        self.auto_recover_s = auto_recover_s
        self.repair_spread = orders
        self._repair_s = auto_recover_s
        self.free_run = not orders
        self.order_target = 0
        self.order_good = 0
        self.time = 0.0
        self.state = MachineState.STOPPED
        self.fault_code = 0
        self._fault_since = 0.0
        self._carry = 0.0
        self._command_set_at: dict[str, float] = {}
        for command in self.COMMANDS:
            setattr(self, command, False)

    @classmethod
    def variable(cls, name: str) -> Variable:
        for variable in cls.VARIABLES:
            if variable.name == name:
                return variable
        raise KeyError(name)

    @classmethod
    def variable_names(cls) -> list[str]:
        return [variable.name for variable in cls.VARIABLES]

    def read(self, name: str) -> Any:
        self.variable(name)
        return getattr(self, name)

    def snapshot(self) -> dict[str, Any]:
        return {variable.name: getattr(self, variable.name) for variable in self.VARIABLES}

    def write(self, name: str, value: Any) -> Any:
        """Apply a client write; return the value now held, or raise WriteRefused."""
        try:
            variable = self.variable(name)
        except KeyError:
            raise WriteRefused(f"{type(self).__name__} has no variable {name!r}") from None
        if not variable.writable:
            raise WriteRefused(f"{name} is read-only")
        value = variable.coerce(value)
        if name in self.COMMANDS:
            setattr(self, name, value)
            if value:
                self._command_set_at[name] = self.time
                {"cmd_start": self.start, "cmd_stop": self.stop, "cmd_reset": self.reset}[name]()
            return value
        self._apply_setpoint(name, value)
        return getattr(self, name)

    def retained(self) -> dict[str, Any]:
        """The retentive memory, to be given back to ``restore`` after a restart."""
        return {name: getattr(self, name) for name in self.RETAINED}

    def restore(self, memory: dict[str, Any]) -> None:
        """Take back what ``retained`` gave; values of another type are left out. An order
        restored runs on at the PLC's next scan, as after a power cycle."""
        for name in self.RETAINED:
            value, now = memory.get(name), getattr(self, name)
            if name in memory and (value is None or now is None or type(value) is type(now)):
                setattr(self, name, value)

    def advance(self, seconds: float) -> None:
        """Run the model for ``seconds`` of model time in fixed ``DT`` steps."""
        self._carry += seconds
        while self._carry >= self.DT - 1e-9:
            self._carry -= self.DT
            self.time += self.DT
            self.step(self.DT)
            self._expire_commands()
            self._maybe_auto_recover()

    def calm(self) -> None:
        """No more random faults and stops (every ``*_rate_per_hour`` set to zero)."""
        for name in vars(self):
            if name.endswith("_rate_per_hour"):
                setattr(self, name, 0.0)

    def start(self) -> None:
        if self.state is MachineState.STOPPED:
            self.state = MachineState.RUNNING

    def stop(self) -> None:
        if self.state in (MachineState.RUNNING, MachineState.IDLE):
            self.state = MachineState.STOPPED

    def reset(self) -> None:
        if self.state is MachineState.FAULT:
            self.state = MachineState.STOPPED
            self.fault_code = 0

    def trip(self, code: int) -> None:
        """Stop on a fault that needs a reset."""
        if self.state is not MachineState.FAULT:
            self.state = MachineState.FAULT
            self.fault_code = int(code)
            self._fault_since = self.time
            self._repair_s = self._draw_repair()

    def _draw_repair(self) -> float | None:
        if self.auto_recover_s is None or not self.repair_spread:
            return self.auto_recover_s
        draw = self.rng.random()
        for up_to, low, high in REPAIR_SPREAD:
            if draw < up_to:
                return self.auto_recover_s * self.rng.uniform(low, high)
        return self.auto_recover_s

    # -- work orders (the HMI's download) ------------------------------------------------

    @property
    def order_active(self) -> bool:
        """An order is downloaded and its target not yet reached."""
        return not self.free_run and self.order_target > 0 and self.order_good < self.order_target

    def has_work(self) -> bool:
        return self.free_run or self.order_active

    def _new_order(self, target: int) -> None:
        """Writing the target starts an order (the HMI writes it after the product data)."""
        self.free_run = False
        self.order_target = target
        self.order_good = 0

    def _count_good(self) -> None:
        if not self.free_run:
            self.order_good += 1

    def chance(self, rate_per_hour: float, dt: float) -> bool:
        """True with the probability of an event of the given hourly rate within ``dt``."""
        return rate_per_hour > 0 and self.rng.random() < rate_per_hour * dt / 3600.0

    @abstractmethod
    def step(self, dt: float) -> None:
        """Advance the physics and the sequence by ``dt`` seconds."""

    @abstractmethod
    def _apply_setpoint(self, name: str, value: Any) -> None:
        """Take a coerced, in-range setpoint; raise WriteRefused if the state forbids it."""

    def _expire_commands(self) -> None:
        for name, set_at in list(self._command_set_at.items()):
            if self.time - set_at >= COMMAND_HOLD_S:
                setattr(self, name, False)
                del self._command_set_at[name]

    def _maybe_auto_recover(self) -> None:
        if (
            self.auto_recover_s is not None
            and self.state is MachineState.FAULT
            and self._repair_s is not None
            and self.time - self._fault_since >= self._repair_s
        ):
            self.reset()
            self.start()
