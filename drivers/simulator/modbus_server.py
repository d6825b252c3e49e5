"""Serves the extrusion press model as a Modbus TCP PLC (unit 1) on a pymodbus server.

The register map uses every area and every data type a Modbus driver has to handle:
command coils, status discrete inputs, holding registers with a bit-packed status word,
16/32/64-bit integers, IEEE floats (big-endian words) and a string, and scaled integers in
input registers. The order block (hr:30..44) is what the HMI downloads when an order
starts; the order target, written last, starts it. Each area is one block from address 0
whose unused registers read as
zero, so a driver may merge reads across gaps. Client writes reach the model through the
device ``action`` hook; a write the model refuses is answered with Modbus exception 3
(illegal data value), a write to a read-only register with exception 2.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from .press import PressModel
from .signals import WriteRefused

log = logging.getLogger(__name__)

# struct format and register count of each register type (big-endian bytes and words)
_FORMATS = {
    "int16": ("h", 1),
    "uint16": ("H", 1),
    "int32": ("i", 2),
    "uint32": ("I", 2),
    "int64": ("q", 4),
    "uint64": ("Q", 4),
    "float32": ("f", 2),
    "float64": ("d", 4),
}
_LIMITS = {
    "int16": (-(1 << 15), (1 << 15) - 1),
    "uint16": (0, (1 << 16) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "uint32": (0, (1 << 32) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint64": (0, (1 << 64) - 1),
}
# the function code used to reach each area's datastore block
_AREA_CODES = {"co": 5, "di": 2, "hr": 16, "ir": 4}


@dataclass(frozen=True, slots=True)
class Point:
    """Where one model variable lives in the Modbus address space.

    ``scale`` multiplies the engineering value into the raw integer register
    (container temperature in 0.1 °C, for instance); ``length`` is a string's characters.
    """

    name: str
    area: str  # co | di | hr | ir
    address: int  # 0-based; a bit number for co/di
    kind: str  # bool or a key of _FORMATS, or string
    scale: float = 1.0
    length: int = 0

    @property
    def width(self) -> int:
        """Registers (or bits) the point occupies."""
        if self.kind == "bool":
            return 1
        if self.kind == "string":
            return (self.length + 1) // 2
        return _FORMATS[self.kind][1]


PRESS_POINTS: tuple[Point, ...] = (
    Point("cmd_start", "co", 0, "bool"),
    Point("cmd_stop", "co", 1, "bool"),
    Point("cmd_reset", "co", 2, "bool"),
    Point("running", "di", 0, "bool"),
    Point("fault_active", "di", 1, "bool"),
    Point("heater_on", "di", 2, "bool"),
    Point("ram_advancing", "di", 3, "bool"),
    Point("planned_stop", "di", 4, "bool"),
    Point("puller_running", "di", 5, "bool"),
    Point("starved", "di", 6, "bool"),
    Point("blocked", "di", 7, "bool"),
    Point("order_active", "di", 8, "bool"),
    Point("state", "hr", 0, "uint16"),
    Point("fault_code", "hr", 1, "uint16"),
    Point("status_word", "hr", 2, "uint16"),
    Point("cycle_phase", "hr", 3, "uint16"),
    Point("wait_reason", "hr", 4, "uint16"),
    Point("profile_count", "hr", 10, "uint32"),
    Point("billet_count", "hr", 12, "uint16"),  # 16-bit: wraps within hours of pressing
    Point("scrap_count", "hr", 14, "uint32"),
    Point("profiles_per_billet", "hr", 16, "uint16"),
    Point("die_number", "hr", 20, "uint16"),
    Point("alloy", "hr", 21, "string", length=8),
    Point("order_die", "hr", 30, "uint16"),
    Point("order_alloy", "hr", 31, "string", length=8),
    Point("order_billet_length", "hr", 35, "uint16"),
    Point("order_billet_weight", "hr", 36, "uint16", scale=10.0),  # 0.1 kg
    Point("order_weight_per_m", "hr", 37, "float32"),
    Point("order_profile_length", "hr", 39, "float32"),
    Point("order_target", "hr", 41, "uint32"),
    Point("order_good", "hr", 43, "uint32"),
    Point("billet_temp", "hr", 100, "float32"),
    Point("die_temp", "hr", 102, "float32"),
    Point("ram_pressure", "hr", 104, "float32"),
    Point("ram_speed", "hr", 106, "float32"),
    Point("energy_kwh", "hr", 120, "float64"),
    Point("ram_speed_sp", "hr", 200, "float32"),
    Point("billet_temp_sp", "hr", 202, "float32"),
    Point("container_temp", "ir", 0, "int16", scale=10.0),
    Point("ram_position", "ir", 2, "int32", scale=100.0),
    Point("last_cycle_time", "ir", 4, "float32"),
    Point("run_seconds", "ir", 6, "int64"),
    Point("extruded_length_mm", "ir", 10, "uint64"),
)


def encode(point: Point, value: float | str) -> list[int]:
    """Model value -> the point's 16-bit registers (big-endian bytes and words)."""
    if point.kind == "string":
        raw = str(value).encode("ascii", "replace")[: point.length].ljust(point.width * 2, b"\0")
    else:
        fmt, _ = _FORMATS[point.kind]
        number = float(value) * point.scale
        if fmt not in "fd":
            low, high = _LIMITS[point.kind]
            number = min(max(round(number), low), high)
        raw = struct.pack(f">{fmt}", number)
    return list(struct.unpack(f">{len(raw) // 2}H", raw))


def decode(point: Point, registers: Sequence[int]) -> object:
    """The point's registers -> model value; the inverse of ``encode``."""
    raw = struct.pack(f">{len(registers)}H", *registers)
    if point.kind == "string":
        return raw.rstrip(b"\0").decode("ascii", "replace")
    (number,) = struct.unpack(f">{_FORMATS[point.kind][0]}", raw)
    if point.scale == 1.0:
        return number
    return number / point.scale


def _runs(points: Sequence[Point]) -> list[tuple[Point, ...]]:
    """Address-sorted points grouped into gapless runs: one datastore write each."""
    runs: list[list[Point]] = []
    for point in sorted(points, key=lambda p: p.address):
        if runs and runs[-1][-1].address + runs[-1][-1].width == point.address:
            runs[-1].append(point)
        else:
            runs.append([point])
    return [tuple(run) for run in runs]


class PressModbusServer:
    """A Modbus TCP server whose datastore mirrors a PressModel."""

    BIT_AREA_SIZE = 16

    def __init__(
        self,
        model: PressModel,
        host: str = "127.0.0.1",
        port: int = 5020,
        unit: int = 1,
        points: Sequence[Point] = PRESS_POINTS,
    ):
        self.model = model
        self.host = host
        self.port = port
        self.unit = unit
        self.points = tuple(points)
        self._by_area = {area: [p for p in self.points if p.area == area] for area in _AREA_CODES}
        self._sizes = {
            area: max((p.address + p.width for p in self._by_area[area]), default=1)
            for area in ("hr", "ir")
        }
        self._runs = [(area, run) for area in ("hr", "ir") for run in _runs(self._by_area[area])]
        self._published: dict[tuple[str, int], list[int] | list[bool]] = {}
        self._server: ModbusTcpServer | None = None
        self._publishing = False

    async def start(self) -> None:
        """Listen on host:port; raises OSError with a clear message if that fails."""
        device = SimDevice(
            id=self.unit,
            simdata=(
                [self._bit_block("co")],
                [self._bit_block("di")],
                self._register_block("hr"),
                self._register_block("ir"),
            ),
            action=self._on_access,
        )
        server = ModbusTcpServer(device, address=(self.host, self.port))
        try:
            await server.serve_forever(background=True)
        except RuntimeError as exc:
            await server.shutdown()
            raise OSError(f"Modbus server cannot listen on {self.host}:{self.port}") from exc
        self._server = server

    async def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await server.shutdown()

    async def publish(self) -> None:
        """Copy the model values that changed since the last publish into the datastore."""
        if self._server is None:
            return
        snapshot = self.model.snapshot()
        self._publishing = True
        try:
            for area in ("co", "di"):
                bits = [False] * self.BIT_AREA_SIZE
                for point in self._by_area[area]:
                    bits[point.address] = bool(snapshot[point.name])
                await self._store(area, 0, bits)
            for area, run in self._runs:
                registers = [reg for p in run for reg in encode(p, snapshot[p.name])]
                await self._store(area, run[0].address, registers)
        finally:
            self._publishing = False

    async def _store(self, area: str, address: int, values: list[int] | list[bool]) -> None:
        if self._published.get((area, address)) == values:
            return
        assert self._server is not None
        await self._server.async_setValues(self.unit, _AREA_CODES[area], address, values)
        self._published[(area, address)] = values

    def _bit_block(self, area: str) -> SimData:
        for point in self._by_area[area]:
            if point.address >= self.BIT_AREA_SIZE:
                raise ValueError(f"{point.name}: bit {point.address} outside the {area} block")
        return SimData(address=0, values=[False] * self.BIT_AREA_SIZE, datatype=DataType.BITS)

    def _register_block(self, area: str) -> list[SimData]:
        image = self._image(area, self.model.snapshot())
        return [SimData(address=0, values=image, datatype=DataType.REGISTERS)]

    def _image(self, area: str, snapshot: Mapping[str, float | str]) -> list[int]:
        """The whole register area from address 0; unused registers read as zero."""
        image = [0] * self._sizes[area]
        for point in self._by_area[area]:
            image[point.address : point.address + point.width] = encode(point, snapshot[point.name])
        return image

    async def _on_access(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        """Apply a client write to the model before the datastore takes it."""
        if set_values is None or self._publishing:
            return None
        if function_code in (5, 15):
            return self._write_coils(address, [bool(v) for v in set_values])
        return self._write_registers(start_address, address, registers, list(set_values))

    def _write_coils(self, address: int, bits: list[bool]) -> ExcCodes | None:
        written = range(address, address + len(bits))
        targets = [p for p in self._by_area["co"] if p.address in written]
        if len(targets) != len(bits) or not all(self._writable(p) for p in targets):
            return ExcCodes.ILLEGAL_ADDRESS
        return self._apply([(p, bits[p.address - address]) for p in targets])

    def _write_registers(
        self, block_start: int, address: int, block: list[int], values: list[int]
    ) -> ExcCodes | None:
        end = address + len(values)
        targets = [
            p for p in self._by_area["hr"] if p.address < end and address < p.address + p.width
        ]
        if not targets or not all(self._writable(p) for p in targets):
            return ExcCodes.ILLEGAL_ADDRESS
        changes = []
        for point in targets:
            image = []
            for register in range(point.address, point.address + point.width):
                if address <= register < end:
                    image.append(values[register - address])
                else:
                    image.append(block[register - block_start])
            changes.append((point, decode(point, image)))
        return self._apply(changes)

    def _writable(self, point: Point) -> bool:
        return self.model.variable(point.name).writable

    def _apply(self, changes: list[tuple[Point, object]]) -> ExcCodes | None:
        self._published.clear()  # the datastore now holds client values: rewrite it all
        try:
            for point, value in changes:
                variable = self.model.variable(point.name)
                variable.coerce(value)
            for point, value in changes:
                self.model.write(point.name, value)
        except WriteRefused as exc:
            log.debug("press write refused: %s", exc)
            return ExcCodes.ILLEGAL_VALUE
        return None
