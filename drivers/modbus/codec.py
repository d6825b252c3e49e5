"""Registers <-> values, as pure functions: testable without a device, fast on blocks.

A value's bytes are arranged by two settings. ``byte_order`` is the order of the two
bytes inside each 16-bit register, ``word_order`` the order of the registers inside a
32/64-bit value. Both "big" is the Modbus convention (ABCD); word "little" is the common
CDAB of many PLCs. Each combination reduces to a byte buffer (the registers as sent, or
each register byte-swapped) read with one struct endianness, so a whole block of tags
decodes with one ``struct.unpack_from``.
"""

from __future__ import annotations

import array
import math
import operator
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hmi.core.project.models import DataType

ORDERS = ("big", "little")

# struct code and register count of each fixed-width type
_FIXED = {
    DataType.INT16: ("h", 1),
    DataType.UINT16: ("H", 1),
    DataType.INT32: ("i", 2),
    DataType.UINT32: ("I", 2),
    DataType.INT64: ("q", 4),
    DataType.UINT64: ("Q", 4),
    DataType.FLOAT32: ("f", 2),
    DataType.FLOAT64: ("d", 4),
}


class EncodeError(ValueError):
    """A value that cannot be written as the tag's type; the message says why."""


def register_count(data_type: DataType, length: int = 0) -> int:
    """Registers a value occupies (a bool is one bit of one register)."""
    if data_type is DataType.STRING:
        return (max(length, 0) + 1) // 2
    if data_type is DataType.BOOL:
        return 1
    return _FIXED[data_type][1]


@dataclass(frozen=True, slots=True)
class Field:
    """One tag inside a block: where it sits and how its bytes are arranged."""

    key: str
    offset: int  # registers from the start of the block
    data_type: DataType
    length: int = 0  # characters, for strings
    bit: int | None = None  # for a bool inside a register
    byte_order: str = "big"
    word_order: str = "big"

    @property
    def size(self) -> int:
        return register_count(self.data_type, self.length)


def _arrangement(field: Field) -> tuple[bool, str]:
    """(read the byte-swapped buffer?, struct endianness) for a field."""
    if field.data_type is DataType.STRING:
        return field.byte_order == "little", ">"
    word_order = field.word_order if field.size > 1 else field.byte_order
    if field.byte_order == word_order:
        return False, ">" if field.byte_order == "big" else "<"
    return True, "<" if word_order == "little" else ">"


def _code(field: Field) -> str:
    if field.data_type is DataType.STRING:
        return f"{field.size * 2}s"
    if field.data_type is DataType.BOOL:
        return "H"
    return _FIXED[field.data_type][0]


def _text(length: int) -> Callable[[bytes], str]:
    """Up to ``length`` characters, up to the first NUL (an odd length leaves a pad byte)."""

    def convert(raw: bytes) -> str:
        return raw[:length].split(b"\x00", 1)[0].decode("ascii", errors="replace")

    return convert


def _converter(field: Field) -> Callable[[Any], Any] | None:
    if field.data_type is DataType.STRING:
        return _text(field.length)
    if field.data_type is DataType.BOOL:
        mask = 1 << (field.bit or 0)
        return lambda word: bool(word & mask)
    return None


class _Layer:
    """Non-overlapping fields sharing a buffer and an endianness: one struct call."""

    def __init__(self, swapped: bool, endian: str) -> None:
        self.swapped = swapped
        self.endian = endian
        self.fields: list[Field] = []
        self.end = 0  # register offset after the last field

    def compile(self) -> None:
        parts: list[str] = []
        position = 0
        for field in self.fields:
            if field.offset > position:
                parts.append(f"{(field.offset - position) * 2}x")
            parts.append(_code(field))
            position = field.offset + field.size
        self.struct = struct.Struct(self.endian + "".join(parts))
        self.keys = tuple(f.key for f in self.fields)
        converters = [_converter(f) for f in self.fields]
        self.converters = tuple(converters) if any(converters) else None


class BlockDecoder:
    """Decodes every field of a block of ``size`` registers in one pass."""

    def __init__(self, size: int, fields: Sequence[Field]):
        self.size = size
        for field in fields:
            if field.offset < 0 or field.offset + field.size > size:
                raise ValueError(f"{field.key}: outside the block of {size} registers")
        self._wire = struct.Struct(f">{size}H")
        self._layers: list[_Layer] = []
        for field in sorted(fields, key=lambda f: f.offset):
            swapped, endian = _arrangement(field)
            layer = next(
                (
                    layer
                    for layer in self._layers
                    if layer.swapped == swapped
                    and layer.endian == endian
                    and layer.end <= field.offset
                ),
                None,
            )
            if layer is None:
                layer = _Layer(swapped, endian)
                self._layers.append(layer)
            layer.fields.append(field)
            layer.end = field.offset + field.size
        for layer in self._layers:
            layer.compile()
        #: the key of each value ``values`` returns, in that order
        self.keys: tuple[str, ...] = tuple(k for layer in self._layers for k in layer.keys)
        first = self._layers[0] if len(self._layers) == 1 else None
        self._plain = first is not None and not first.swapped and first.converters is None

    @property
    def passes(self) -> int:
        """struct unpacks per decode: one, unless tags overlap or mix byte arrangements."""
        return len(self._layers)

    def decode(self, registers: Sequence[int]) -> dict[str, Any]:
        """Values by key; ``registers`` must hold exactly ``size`` 16-bit words."""
        if len(registers) != self.size:
            raise ValueError(f"expected {self.size} registers, got {len(registers)}")
        return dict(zip(self.keys, self.values(self._wire.pack(*registers)), strict=True))

    def values(self, wire: bytes) -> tuple[Any, ...]:
        """The value of each of ``keys`` from the block's bytes as they came on the wire
        (``2 * size`` bytes, each register big-endian): no list of registers is made, and
        a block of plain numbers in one arrangement is a single ``unpack_from``."""
        if len(wire) != 2 * self.size:
            raise ValueError(f"expected {2 * self.size} bytes, got {len(wire)}")
        if self._plain:
            return self._layers[0].struct.unpack_from(wire)
        swapped: bytes | None = None
        out: list[Any] = []
        for layer in self._layers:
            buffer = wire
            if layer.swapped:
                if swapped is None:
                    words = array.array("H", wire)
                    words.byteswap()  # the two bytes of every register, on any platform
                    swapped = words.tobytes()
                buffer = swapped
            decoded = layer.struct.unpack_from(buffer)
            if layer.converters is None:
                out.extend(decoded)
            else:
                out.extend(
                    value if convert is None else convert(value)
                    for convert, value in zip(layer.converters, decoded, strict=True)
                )
        return tuple(out)


class BitDecoder:
    """The bits of a coil or discrete-input block picked out for its tags: one C call."""

    def __init__(self, fields: Sequence[tuple[str, int]]):
        self.keys: tuple[str, ...] = tuple(key for key, _ in fields)
        offsets = [offset for _, offset in fields]
        pick = operator.itemgetter(*offsets) if offsets else None
        if len(offsets) == 1:  # itemgetter of one item returns the item, not a tuple
            self._pick: Callable[[Sequence[bool]], tuple[Any, ...]] = lambda bits: (
                bits[offsets[0]],
            )
        elif pick is None:
            self._pick = lambda bits: ()
        else:
            self._pick = pick

    def values(self, bits: Sequence[bool]) -> tuple[bool, ...]:
        return tuple(map(bool, self._pick(bits)))

    def decode(self, bits: Sequence[bool]) -> dict[str, bool]:
        return dict(zip(self.keys, self.values(bits), strict=True))


def changed(
    keys: Sequence[str], values: Sequence[Any], before: Sequence[Any] | None
) -> dict[str, Any]:
    """The values of ``keys`` that differ from ``before`` (all without it). A NaN that
    stays NaN is no change: its registers did not move either."""
    if before is None:
        return dict(zip(keys, values, strict=True))
    return {
        key: new
        for key, new, old in zip(keys, values, before, strict=True)
        if new != old and (new == new or old == old)  # NaN test
    }


def decode(field: Field, registers: Sequence[int]) -> Any:
    """One value from the registers starting at ``field.offset``."""
    return BlockDecoder(field.offset + field.size, [field]).decode(registers)[field.key]


def encode(
    data_type: DataType,
    value: Any,
    *,
    byte_order: str = "big",
    word_order: str = "big",
    length: int = 0,
) -> list[int]:
    """Registers holding ``value``; raises EncodeError if it cannot be written as the type.

    A bool inside a register is not encoded here: it needs the register's other bits
    (see ``set_bit``).
    """
    field = Field("", 0, data_type, length, None, byte_order, word_order)
    if data_type is DataType.BOOL:
        raise EncodeError("a bool is written as a coil or a bit of a register")
    payload = _pack(field, value)
    swapped, _ = _arrangement(field)
    return list(struct.unpack(f"{'<' if swapped else '>'}{field.size}H", payload))


def _pack(field: Field, value: Any) -> bytes:
    data_type = field.data_type
    _, endian = _arrangement(field)
    if data_type is DataType.STRING:
        if not isinstance(value, str):
            raise EncodeError(f"{data_type.value} needs text, not {type(value).__name__}")
        try:
            raw = value.encode("ascii")
        except UnicodeEncodeError:
            raise EncodeError(f"'{value}' has characters outside ASCII") from None
        if len(raw) > field.length:
            raise EncodeError(f"'{value}' is longer than {field.length} characters")
        return raw.ljust(field.size * 2, b"\x00")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EncodeError(f"{data_type.value} needs a number, not {value!r}")
    code = _FIXED[data_type][0]
    if data_type.integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise EncodeError(f"{data_type.value} takes whole numbers, not {value:g}")
            value = int(value)
        bits = struct.calcsize(code) * 8
        lo, hi = (0, 2**bits - 1) if code.isupper() else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        if not lo <= value <= hi:
            raise EncodeError(f"{value} is outside the {data_type.value} range {lo}..{hi}")
    try:
        return struct.pack(endian + code, value)
    except (OverflowError, struct.error):
        raise EncodeError(f"{value:g} is too large for {data_type.value}") from None


def set_bit(register: int, bit: int, on: bool, byte_order: str = "big") -> int:
    """``register`` as sent, with bit ``bit`` of its value set or cleared.

    With byte order "little" the value is the register with its two bytes swapped.
    """
    swap = byte_order == "little"
    value = _swap(register) if swap else register
    mask = 1 << bit
    value = (value | mask) if on else (value & ~mask & 0xFFFF)
    return _swap(value) if swap else value


def _swap(register: int) -> int:
    return ((register & 0xFF) << 8) | (register >> 8)


def same_value(data_type: DataType, expected: Any, readback: Any) -> bool:
    """Whether a read-back equals what was written; floats within float32/64 precision."""
    if data_type in (DataType.FLOAT32, DataType.FLOAT64):
        if not isinstance(readback, float) or isinstance(expected, bool):
            return False
        if math.isnan(expected) or math.isnan(readback):
            return math.isnan(expected) and math.isnan(readback)
        rel = 1e-6 if data_type is DataType.FLOAT32 else 1e-12
        return math.isclose(expected, readback, rel_tol=rel, abs_tol=1e-30)
    return expected == readback


def bit_values(bits: Sequence[bool], fields: Sequence[tuple[str, int]]) -> dict[str, bool]:
    """Values of coil/discrete tags given as (key, offset) from the bits of a block."""
    return BitDecoder(fields).decode(bits)
