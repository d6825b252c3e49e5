"""Tag address strings of the Modbus driver, parsed into an area, an offset and a bit.

Accepted forms: ``hr:N``, ``ir:N``, ``co:N``, ``di:N`` (0-based protocol address),
``hr:N.B`` / ``ir:N.B`` (bit B of a register, 0 = least significant), and Modicon
1-based numbers of 5 or 6 digits: 4xxxx holding, 3xxxx input, 0xxxx coils, 1xxxx
discrete inputs (``40001`` is ``hr:0``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hmi.core.project.models import DataType, TagConfig

from .codec import ORDERS, Field, register_count

LAST_ADDRESS = 65535


class AddressError(ValueError):
    """A tag address that cannot be used; the message is meant for the plant engineer.

    ``key`` names the tag setting to fix (``address``, ``type``, ``length``, an order), so
    a problem can point at the line where that setting is written.
    """

    def __init__(self, message: str, key: str = "address"):
        super().__init__(message)
        self.key = key


class Area(enum.Enum):
    """The four Modbus data tables."""

    HOLDING = "hr"
    INPUT = "ir"
    COIL = "co"
    DISCRETE = "di"

    @property
    def is_bits(self) -> bool:
        return self in (Area.COIL, Area.DISCRETE)

    @property
    def writable(self) -> bool:
        return self in (Area.HOLDING, Area.COIL)

    @property
    def label(self) -> str:
        """What one item of the area is called, with its article: 'an input register'."""
        return _LABELS[self]


_LABELS = {
    Area.HOLDING: "a holding register",
    Area.INPUT: "an input register",
    Area.COIL: "a coil",
    Area.DISCRETE: "a discrete input",
}
_MODICON_AREAS = {"4": Area.HOLDING, "3": Area.INPUT, "0": Area.COIL, "1": Area.DISCRETE}


@dataclass(frozen=True, slots=True)
class Address:
    area: Area
    offset: int
    bit: int | None = None

    def __str__(self) -> str:
        bit = "" if self.bit is None else f".{self.bit}"
        return f"{self.area.value}:{self.offset}{bit}"


def parse_address(text: str) -> Address:
    """Parse ``text`` or raise AddressError saying what is wrong and what would be right."""
    raw = str(text).strip()
    if not raw:
        raise AddressError("address is empty: use hr:N, ir:N, co:N, di:N or a Modicon number")
    if ":" in raw:
        prefix, _, rest = raw.partition(":")
        try:
            area = Area(prefix.strip().lower())
        except ValueError:
            raise AddressError(
                f"address '{raw}': unknown area '{prefix}', use hr, ir, co or di"
            ) from None
        offset, bit = _number_and_bit(raw, rest.strip())
    elif raw.split(".")[0].isdigit():
        area, offset, bit = _modicon(raw)
    else:
        raise AddressError(
            f"address '{raw}': not understood, use hr:N, ir:N, co:N, di:N (0-based), "
            "hr:N.B for a bit, or a Modicon number such as 40001"
        )
    if not 0 <= offset <= LAST_ADDRESS:
        raise AddressError(f"address '{raw}': {offset} is outside 0..{LAST_ADDRESS}")
    if bit is not None:
        if area.is_bits:
            raise AddressError(
                f"address '{raw}': {area.label} is already a single bit, drop '.{bit}'"
            )
        if not 0 <= bit <= 15:
            raise AddressError(f"address '{raw}': bit {bit} is outside 0..15")
    return Address(area, offset, bit)


def _number_and_bit(raw: str, body: str) -> tuple[int, int | None]:
    number, dot, bit_text = body.partition(".")
    if not number.isdigit() or (dot and not bit_text.isdigit()):
        raise AddressError(
            f"address '{raw}': '{body}' is not a number; write e.g. hr:100 or hr:100.3"
        )
    return int(number), int(bit_text) if dot else None


def _modicon(raw: str) -> tuple[Area, int, int | None]:
    digits, _, _ = raw.partition(".")
    if len(digits) not in (5, 6):
        raise AddressError(
            f"address '{raw}': a Modicon address has 5 or 6 digits (e.g. 40001 or 400001); "
            "for a 0-based address write hr:N"
        )
    area = _MODICON_AREAS.get(digits[0])
    if area is None:
        raise AddressError(
            f"address '{raw}': a Modicon address starts with 4 (holding), 3 (input), "
            "0 (coil) or 1 (discrete input)"
        )
    number, bit = _number_and_bit(raw, raw[1:])
    if number < 1:
        raise AddressError(f"address '{raw}': Modicon addresses start at 1 ({digits[0]}0001)")
    return area, number - 1, bit


@dataclass(frozen=True, slots=True)
class TagPoint:
    """A tag resolved on a device: where its value lives and how it is encoded."""

    tag: TagConfig
    address: Address
    size: int  # registers, or bits for coils and discrete inputs
    field: Field  # its offset is the absolute start address

    @property
    def name(self) -> str:
        return self.tag.name

    @property
    def area(self) -> Area:
        return self.address.area


def resolve_point(tag: TagConfig, byte_order: str = "big", word_order: str = "big") -> TagPoint:
    """Check a tag's address against its type and size; raise AddressError if they clash.

    ``byte_order``/``word_order`` are the device's; the tag's options may override them.
    """
    address = parse_address(tag.address)
    data_type = tag.data_type
    area = address.area
    where = f"address '{tag.address}'"
    if area.is_bits:
        if data_type is not DataType.BOOL:
            raise AddressError(
                f"{where} is {area.label}, which holds a bool, not {data_type.value}", "type"
            )
        size = 1
    else:
        if address.bit is not None and data_type is not DataType.BOOL:
            raise AddressError(
                f"{where} is a single bit, so the type must be bool, not {data_type.value}",
                "type",
            )
        if data_type is DataType.BOOL and address.bit is None:
            raise AddressError(
                f"{where}: a bool in {area.label} needs a bit, write {address}.B with B = 0..15"
            )
        if data_type is DataType.STRING and tag.length < 1:
            raise AddressError(
                "a string tag needs length: the number of characters to read", "length"
            )
        size = register_count(data_type, tag.length)
        if address.offset + size - 1 > LAST_ADDRESS:
            raise AddressError(
                f"{where}: a {data_type.value} needs {size} registers from {address.offset}, "
                f"past the last address {LAST_ADDRESS}"
            )
    orders = {"byte_order": byte_order, "word_order": word_order}
    for key in orders:
        if key in tag.options:
            value = str(tag.options[key]).strip().lower()
            if value not in ORDERS:
                raise AddressError(f"{key} '{tag.options[key]}': use big or little", key)
            orders[key] = value
    field = Field(tag.name, address.offset, data_type, tag.length, address.bit, **orders)
    return TagPoint(tag, address, size, field)
