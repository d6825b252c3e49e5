"""Device options of a Modbus device, read from ``DeviceConfig.options`` with defaults.

Every problem is collected, so ``hmi check`` can list them all at once, each with the
option it is about so it can point at that option's line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hmi.core.connection import POLICY_OPTIONS, ConnectionPolicy, OptionProblem, read_policy
from hmi.core.project.durations import parse_duration
from hmi.core.words import did_you_mean

from .codec import ORDERS

POLICY = ConnectionPolicy(timeout=1.0, retries=1)  # the Modbus defaults of the policy
REQUEST_COST_TCP = 1000
REQUEST_COST_RTU = 20
_PARITY = {"n": "N", "none": "N", "e": "E", "even": "E", "o": "O", "odd": "O"}


class OptionsError(ValueError):
    def __init__(self, problems: list[OptionProblem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


@dataclass(frozen=True, slots=True)
class ModbusOptions:
    transport: str = "tcp"  # tcp | rtu
    host: str = ""
    port: int = 502
    unit: int = 1
    serial: str = ""  # serial device for RTU, e.g. /dev/ttyUSB0 or COM3
    baudrate: int = 19200
    parity: str = "N"
    stopbits: int = 1
    bytesize: int = 8
    # what one request costs, in registers it could carry instead; None: by transport
    request_cost: int | None = None
    max_gap: int | None = None  # at most this many unused registers in a read (x16 bits)
    refused_recheck: float = 600.0  # s between checks that refused addresses still are
    max_registers: int = 125
    max_bits: int = 2000
    byte_order: str = "big"
    word_order: str = "big"
    connection: ConnectionPolicy = POLICY  # timeout, retries, backoff, demotion

    @property
    def timeout(self) -> float:
        return self.connection.timeout

    @property
    def retries(self) -> int:
        return self.connection.retries

    @property
    def read_cost(self) -> int:
        """``request_cost``, or the transport's: a TCP round trip takes as long as ~1000
        registers on the wire; at 19200 baud a request's framing, silences and the
        device's turnaround take as long as ~20 registers."""
        if self.request_cost is not None:
            return self.request_cost
        return REQUEST_COST_RTU if self.transport == "rtu" else REQUEST_COST_TCP

    @property
    def endpoint(self) -> str:
        return self.serial if self.transport == "rtu" else f"{self.host}:{self.port}"


def _integer(lo: int, hi: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"{value!r} is not a whole number")
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"'{value}' is not a whole number") from None
        if not lo <= number <= hi:
            raise ValueError(f"{number} is outside {lo}..{hi}")
        return number

    return convert


def _seconds(lo: float, hi: float) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        seconds = parse_duration(value)
        if not lo <= seconds <= hi:
            raise ValueError(f"{value!r} is outside {lo:g}..{hi:g} s")
        return seconds

    return convert


def _choice(*allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise ValueError(f"'{value}' is not one of {', '.join(allowed)}")
        return text

    return convert


def _parity(value: Any) -> str:
    parity = _PARITY.get(str(value).strip().lower())
    if parity is None:
        raise ValueError(f"'{value}' is not a parity; use none, even or odd (N, E, O)")
    return parity


def _text(value: Any) -> str:
    text = str(value).strip()
    if not text:
        raise ValueError("is empty")
    return text


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "transport": _choice("tcp", "rtu"),
    "host": _text,
    "port": _integer(1, 65535),
    "unit": _integer(0, 255),
    "serial": _text,
    "baudrate": _integer(50, 4_000_000),
    "parity": _parity,
    "stopbits": _integer(1, 2),
    "bytesize": _integer(5, 8),
    "request_cost": _integer(0, 100_000),
    "max_gap": _integer(0, 125),
    "refused_recheck": _seconds(0.1, 86400.0),
    "max_registers": _integer(1, 125),
    "max_bits": _integer(1, 2000),
    "byte_order": _choice(*ORDERS),
    "word_order": _choice(*ORDERS),
}


def parse_options(raw: Mapping[str, Any]) -> ModbusOptions:
    """Typed options from a device's ``options``; raises OptionsError listing every problem."""
    connection, problems = read_policy(raw, POLICY)
    values: dict[str, Any] = {"connection": connection}
    known = [*_CONVERTERS, *POLICY_OPTIONS]
    for key, value in raw.items():
        if key in POLICY_OPTIONS:
            continue
        convert = _CONVERTERS.get(key)
        if convert is None:
            hint = did_you_mean(key, known, "modbus options", listed=len(known))
            problems.append(OptionProblem(key, f"unknown option '{key}'; {hint}"))
            continue
        try:
            values[key] = convert(value)
        except ValueError as exc:
            problems.append(OptionProblem(key, f"{key}: {exc}"))
    if "transport" not in values and "transport" not in raw and "serial" in values:
        values["transport"] = "rtu"
    transport = values.get("transport", "tcp")
    if transport == "tcp" and "host" not in values and "host" not in raw:
        message = "host is required for Modbus TCP (or give serial: for Modbus RTU)"
        problems.append(OptionProblem("", message))
    if transport == "rtu" and "serial" not in values and "serial" not in raw:
        message = "serial is required for Modbus RTU, e.g. serial: /dev/ttyUSB0"
        problems.append(OptionProblem("", message))
    if problems:
        order = {key: i for i, key in enumerate(raw)}  # as written; device-wide ones last
        problems.sort(key=lambda p: order.get(p.key, len(order)))
        raise OptionsError(problems)
    return ModbusOptions(**values)
