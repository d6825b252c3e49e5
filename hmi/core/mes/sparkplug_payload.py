"""The Sparkplug B payload (Eclipse Tahu's ``sparkplug_b.proto``), encoded and decoded here.

    encode(Payload(seq=0, metrics=[Metric("speed", alias=3, datatype=DataType.FLOAT,
                                          value=12.5)])) -> bytes
    decode(data) -> Payload            # PayloadError (a ValueError) says what and where

The protobuf wire format Sparkplug uses is small (varints, fixed 32/64-bit numbers,
length-delimited strings and messages), so it is written out here rather than pulling a
protobuf runtime and generated code into the bundle. What is covered: the payload's
timestamp, seq, uuid and body; each metric's name, alias, timestamp, datatype,
is_historical, is_transient, is_null, a flat property set (such as ``Quality``) and a
value of the scalar types (integers of every width, DateTime, Float, Double, Boolean,
String, Text, UUID, Bytes, File). A DataSet, Template or metadata a peer sends is skipped;
an array's packed bytes are kept as bytes.

Signed integers travel as two's complement of their own width (Int8 -1 is 255), as Tahu
writes them; on decoding, any width up to 64 bits is read back (a peer that wrote
-1 as a 32-bit 4294967295 for an Int8 is read as -1 too). A metric without a datatype (a
DDATA by alias from a peer that leaves it out) keeps the raw number: the birth's datatype
says what it is (``typed``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class DataType(IntEnum):
    """Sparkplug B's datatype numbers."""

    UNKNOWN = 0
    INT8 = 1
    INT16 = 2
    INT32 = 3
    INT64 = 4
    UINT8 = 5
    UINT16 = 6
    UINT32 = 7
    UINT64 = 8
    FLOAT = 9
    DOUBLE = 10
    BOOLEAN = 11
    STRING = 12
    DATETIME = 13
    TEXT = 14
    UUID = 15
    DATASET = 16
    BYTES = 17
    FILE = 18
    TEMPLATE = 19
    PROPERTYSET = 20
    PROPERTYSETLIST = 21


class PayloadError(ValueError):
    """Bytes that are not a Sparkplug B payload, or a value its datatype cannot carry."""


@dataclass(slots=True)
class Property:
    """One entry of a metric's property set; ``value`` None is a null property."""

    datatype: DataType
    value: Any = None


@dataclass(slots=True)
class Metric:
    """One metric: a name in a birth, the alias alone (or both) after it."""

    name: str | None = None
    alias: int | None = None
    timestamp: int | None = None  # epoch ms
    datatype: DataType = DataType.UNKNOWN
    value: Any = None
    is_historical: bool = False
    is_transient: bool = False
    is_null: bool = False
    properties: dict[str, Property] = field(default_factory=dict)


@dataclass(slots=True)
class Payload:
    timestamp: int | None = None  # epoch ms
    metrics: list[Metric] = field(default_factory=list)
    seq: int | None = None
    uuid: str | None = None
    body: bytes | None = None


VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
#: integer datatypes → (bits, signed)
INTEGERS: dict[DataType, tuple[int, bool]] = {
    DataType.INT8: (8, True),
    DataType.INT16: (16, True),
    DataType.INT32: (32, True),
    DataType.INT64: (64, True),
    DataType.UINT8: (8, False),
    DataType.UINT16: (16, False),
    DataType.UINT32: (32, False),
    DataType.UINT64: (64, False),
    DataType.DATETIME: (64, False),
}
TEXTS = (DataType.STRING, DataType.TEXT, DataType.UUID)
BLOBS = (DataType.BYTES, DataType.FILE)
#: the value field of each datatype in a Metric (a PropertyValue's are these minus 7)
INT_FIELD, LONG_FIELD, FLOAT_FIELD, DOUBLE_FIELD, BOOL_FIELD, STRING_FIELD, BYTES_FIELD = (
    10, 11, 12, 13, 14, 15, 16,
)  # fmt: skip
PROPERTY_OFFSET = 7


# -- encoding ----------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _uint(number: int, value: int) -> bytes:
    return _key(number, VARINT) + _varint(value)


def _bytes(number: int, value: bytes) -> bytes:
    return _key(number, LENGTH) + _varint(len(value)) + value


def _value_field(datatype: DataType, value: Any, what: str) -> tuple[int, bytes]:
    """The Metric field number and encoded value of ``value`` as ``datatype``."""
    if datatype in INTEGERS:
        bits, signed = INTEGERS[datatype]
        if isinstance(value, bool) or not isinstance(value, int):
            raise PayloadError(f"{what}: {datatype.name} needs a whole number, got {value!r}")
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        if not low <= value <= high:
            raise PayloadError(f"{what}: {value} is outside {datatype.name} ({low}..{high})")
        number = LONG_FIELD if bits == 64 else INT_FIELD
        return number, _varint(value & ((1 << bits) - 1))
    if datatype is DataType.FLOAT or datatype is DataType.DOUBLE:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PayloadError(f"{what}: {datatype.name} needs a number, got {value!r}")
        if datatype is DataType.FLOAT:
            try:
                return FLOAT_FIELD, struct.pack("<f", value)
            except OverflowError:
                raise PayloadError(f"{what}: {value!r} is beyond a FLOAT (32 bits)") from None
        return DOUBLE_FIELD, struct.pack("<d", value)
    if datatype is DataType.BOOLEAN:
        if not isinstance(value, bool):
            raise PayloadError(f"{what}: Boolean needs true or false, got {value!r}")
        return BOOL_FIELD, _varint(int(value))
    if datatype in TEXTS:
        if not isinstance(value, str):
            raise PayloadError(f"{what}: {datatype.name} needs text, got {value!r}")
        data = value.encode("utf-8")
        return STRING_FIELD, _varint(len(data)) + data
    if datatype in BLOBS:
        if not isinstance(value, bytes | bytearray):
            raise PayloadError(f"{what}: {datatype.name} needs bytes, got {type(value).__name__}")
        return BYTES_FIELD, _varint(len(value)) + bytes(value)
    raise PayloadError(f"{what}: a {datatype.name} value is not written by this encoder")


def _wire_of(number: int) -> int:
    return {FLOAT_FIELD: FIXED32, DOUBLE_FIELD: FIXED64, STRING_FIELD: LENGTH}.get(
        number, LENGTH if number == BYTES_FIELD else VARINT
    )


def _property_set(properties: dict[str, Property], what: str) -> bytes:
    keys = b"".join(_bytes(1, key.encode("utf-8")) for key in properties)
    values = bytearray()
    for key, prop in properties.items():
        out = bytearray(_uint(1, int(prop.datatype)))
        if prop.value is None:
            out += _uint(2, 1)
        else:
            number, data = _value_field(prop.datatype, prop.value, f"{what} property {key}")
            out += _key(number - PROPERTY_OFFSET, _wire_of(number)) + data
        values += _bytes(2, bytes(out))
    return keys + bytes(values)


def _metric(metric: Metric, index: int, datatypes: bool) -> bytes:
    what = f"metric {metric.name or metric.alias or index}"
    out = bytearray()
    if metric.name is not None:
        out += _bytes(1, metric.name.encode("utf-8"))
    if metric.alias is not None:
        out += _uint(2, metric.alias)
    if metric.timestamp is not None:
        out += _uint(3, metric.timestamp)
    if datatypes and metric.datatype is not DataType.UNKNOWN:
        out += _uint(4, int(metric.datatype))
    if metric.is_historical:
        out += _uint(5, 1)
    if metric.is_transient:
        out += _uint(6, 1)
    if metric.is_null or metric.value is None:
        out += _uint(7, 1)
    if metric.properties:
        out += _bytes(9, _property_set(metric.properties, what))
    if not metric.is_null and metric.value is not None:
        number, data = _value_field(metric.datatype, metric.value, what)
        out += _key(number, _wire_of(number)) + data
    return bytes(out)


def encode(payload: Payload, *, datatypes: bool = True) -> bytes:
    """The payload's protobuf bytes; ``PayloadError`` names the metric whose value its
    datatype cannot carry. ``datatypes=False`` leaves each metric's datatype out (it still
    says how its value is written): Sparkplug sends it in births only."""
    out = bytearray()
    if payload.timestamp is not None:
        out += _uint(1, payload.timestamp)
    for i, metric in enumerate(payload.metrics):
        out += _bytes(2, _metric(metric, i, datatypes))
    if payload.seq is not None:
        out += _uint(3, payload.seq)
    if payload.uuid is not None:
        out += _bytes(4, payload.uuid.encode("utf-8"))
    if payload.body is not None:
        out += _bytes(5, payload.body)
    return bytes(out)


# -- decoding ----------------------------------------------------------------------------


def _fields(data: bytes, what: str) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of a message: an int for varints, bytes else."""
    pos, end = 0, len(data)

    def varint() -> int:
        nonlocal pos
        result = shift = 0
        while True:
            if pos >= end:
                raise PayloadError(f"{what}: cut short inside a number at byte {pos}")
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift >= 70:
                raise PayloadError(f"{what}: a number longer than 10 bytes at byte {pos}")

    while pos < end:
        start = pos
        key = varint()
        number, wire = key >> 3, key & 7
        if number == 0:
            raise PayloadError(f"{what}: field number 0 at byte {start}")
        if wire == VARINT:
            yield number, wire, varint()
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            if pos + size > end:
                raise PayloadError(f"{what}: cut short in field {number} at byte {start}")
            yield number, wire, data[pos : pos + size]
            pos += size
        elif wire == LENGTH:
            size = varint()
            if pos + size > end:
                raise PayloadError(
                    f"{what}: field {number} at byte {start} says {size} bytes, "
                    f"{end - pos} are left"
                )
            yield number, wire, data[pos : pos + size]
            pos += size
        else:
            raise PayloadError(f"{what}: wire type {wire} of field {number} at byte {start}")


def _text(raw: Any, what: str) -> str:
    if not isinstance(raw, bytes):
        raise PayloadError(f"{what}: expected text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"{what}: not UTF-8 text ({error.reason})") from None


def _number(raw: Any, wire: int, expected: int, what: str) -> Any:
    if wire != expected:
        raise PayloadError(f"{what}: wire type {wire}, expected {expected}")
    return raw


def typed(value: Any, datatype: DataType) -> Any:
    """A raw integer as ``datatype`` says (sign and width); other values as they are."""
    if datatype in INTEGERS and isinstance(value, int) and not isinstance(value, bool):
        bits, signed = INTEGERS[datatype]
        value &= (1 << bits) - 1
        if signed and value >= 1 << (bits - 1):
            value -= 1 << bits
    return value


def _value(number: int, wire: int, raw: Any, what: str) -> Any:
    """A value field's content (``number`` as in a Metric)."""
    if number in (INT_FIELD, LONG_FIELD):
        return _number(raw, wire, VARINT, what)
    if number == FLOAT_FIELD:
        return struct.unpack("<f", _number(raw, wire, FIXED32, what))[0]
    if number == DOUBLE_FIELD:
        return struct.unpack("<d", _number(raw, wire, FIXED64, what))[0]
    if number == BOOL_FIELD:
        return bool(_number(raw, wire, VARINT, what))
    if number == STRING_FIELD:
        return _text(_number(raw, wire, LENGTH, what), what)
    return bytes(_number(raw, wire, LENGTH, what))


def _datatype(raw: int) -> DataType:
    try:
        return DataType(raw)
    except ValueError:
        return DataType.UNKNOWN  # an array or a newer type: the value is kept raw


def _properties(data: bytes, what: str) -> dict[str, Property]:
    keys: list[str] = []
    values: list[Property] = []
    for number, wire, raw in _fields(data, what):
        if number == 1:
            keys.append(_text(_number(raw, wire, LENGTH, what), what))
        elif number == 2:
            prop = Property(DataType.UNKNOWN)
            for n, w, r in _fields(_number(raw, wire, LENGTH, what), f"{what} value"):
                if n == 1:
                    prop.datatype = _datatype(_number(r, w, VARINT, what))
                elif 3 <= n <= 8:
                    prop.value = _value(n + PROPERTY_OFFSET, w, r, f"{what} value")
            prop.value = typed(prop.value, prop.datatype)
            values.append(prop)
    if len(keys) != len(values):
        raise PayloadError(f"{what}: {len(keys)} keys for {len(values)} values")
    return dict(zip(keys, values, strict=True))


def _decode_metric(data: bytes, what: str) -> Metric:
    metric = Metric()
    for number, wire, raw in _fields(data, what):
        if number == 1:
            metric.name = _text(_number(raw, wire, LENGTH, what), f"{what} name")
            what = f"metric {metric.name}"
        elif number == 2:
            metric.alias = _number(raw, wire, VARINT, what)
        elif number == 3:
            metric.timestamp = _number(raw, wire, VARINT, what)
        elif number == 4:
            metric.datatype = _datatype(_number(raw, wire, VARINT, what))
        elif number in (5, 6, 7):
            flag = bool(_number(raw, wire, VARINT, what))
            if number == 5:
                metric.is_historical = flag
            elif number == 6:
                metric.is_transient = flag
            else:
                metric.is_null = flag
        elif number == 9:
            metric.properties = _properties(_number(raw, wire, LENGTH, what), f"{what} properties")
        elif INT_FIELD <= number <= BYTES_FIELD:
            metric.value = _value(number, wire, raw, what)
        # 8 metadata, 17 DataSet, 18 Template, 19 extension and newer fields: skipped
    metric.value = None if metric.is_null else typed(metric.value, metric.datatype)
    return metric


def decode(data: bytes) -> Payload:
    """The payload in ``data``; ``PayloadError`` says what is wrong and at which byte (of
    the payload, or of the metric it names)."""
    payload = Payload()
    for number, wire, raw in _fields(bytes(data), "payload"):
        if number == 1:
            payload.timestamp = _number(raw, wire, VARINT, "payload timestamp")
        elif number == 2:
            index = len(payload.metrics)
            body = _number(raw, wire, LENGTH, f"metric {index}")
            payload.metrics.append(_decode_metric(body, f"metric {index}"))
        elif number == 3:
            payload.seq = _number(raw, wire, VARINT, "payload seq")
        elif number == 4:
            payload.uuid = _text(_number(raw, wire, LENGTH, "payload uuid"), "payload uuid")
        elif number == 5:
            payload.body = bytes(_number(raw, wire, LENGTH, "payload body"))
    return payload
