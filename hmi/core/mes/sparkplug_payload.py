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
    if value < 0x80:
        return _SMALL[value]
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_SMALL = [bytes((i,)) for i in range(0x80)]


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


WIRE_OF = {FLOAT_FIELD: FIXED32, DOUBLE_FIELD: FIXED64, STRING_FIELD: LENGTH, BYTES_FIELD: LENGTH}
#: a Metric's value fields' keys, and a PropertyValue's
VALUE_KEYS = {n: _key(n, WIRE_OF.get(n, VARINT)) for n in range(INT_FIELD, BYTES_FIELD + 1)}
PROPERTY_KEYS = {
    n: _key(n - PROPERTY_OFFSET, WIRE_OF.get(n, VARINT)) for n in range(INT_FIELD, BYTES_FIELD)
}
NAME, ALIAS, STAMP, TYPE, PROPERTIES = (_key(n, w) for n, w in (
    (1, LENGTH), (2, VARINT), (3, VARINT), (4, VARINT), (9, LENGTH)))  # fmt: skip
FLAG_SET = b"\x01"
HISTORICAL, TRANSIENT, NULL = (_key(n, VARINT) + FLAG_SET for n in (5, 6, 7))
_pack_f, _pack_d = struct.Struct("<f").pack, struct.Struct("<d").pack


def _value_field(datatype: DataType, value: Any) -> tuple[int, bytes]:
    """The Metric field number and encoded value of ``value`` as ``datatype``."""
    if datatype is DataType.FLOAT or datatype is DataType.DOUBLE:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PayloadError(f"{datatype.name} needs a number, got {value!r}")
        if datatype is DataType.DOUBLE:
            return DOUBLE_FIELD, _pack_d(value)
        try:
            return FLOAT_FIELD, _pack_f(value)
        except OverflowError:
            raise PayloadError(f"{value!r} is beyond a FLOAT (32 bits)") from None
    if datatype in INTEGERS:
        bits, signed = INTEGERS[datatype]
        if isinstance(value, bool) or not isinstance(value, int):
            raise PayloadError(f"{datatype.name} needs a whole number, got {value!r}")
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        if not low <= value <= high:
            raise PayloadError(f"{value} is outside {datatype.name} ({low}..{high})")
        number = LONG_FIELD if bits == 64 else INT_FIELD
        return number, _varint(value & ((1 << bits) - 1))
    if datatype is DataType.BOOLEAN:
        if not isinstance(value, bool):
            raise PayloadError(f"Boolean needs true or false, got {value!r}")
        return BOOL_FIELD, _SMALL[value]
    if datatype in TEXTS:
        if not isinstance(value, str):
            raise PayloadError(f"{datatype.name} needs text, got {value!r}")
        data = value.encode("utf-8")
        return STRING_FIELD, _varint(len(data)) + data
    if datatype in BLOBS:
        if not isinstance(value, bytes | bytearray):
            raise PayloadError(f"{datatype.name} needs bytes, got {type(value).__name__}")
        return BYTES_FIELD, _varint(len(value)) + bytes(value)
    raise PayloadError(f"a {datatype.name} value is not written by this encoder")


def _length(key: bytes, data: bytes) -> bytes:
    return key + _varint(len(data)) + data


def _property_set(properties: dict[str, Property]) -> bytes:
    out = bytearray()
    for key in properties:
        out += _length(b"\x0a", key.encode("utf-8"))
    for key, prop in properties.items():
        value = b"\x08" + _varint(int(prop.datatype))
        if prop.value is None:
            value += b"\x10\x01"
        else:
            try:
                number, data = _value_field(prop.datatype, prop.value)
            except PayloadError as error:
                raise PayloadError(f"property {key}: {error}") from None
            value += PROPERTY_KEYS[number] + data
        out += _length(b"\x12", value)
    return bytes(out)


def _metric(metric: Metric, datatypes: bool) -> bytes:
    out = bytearray()
    if metric.name is not None:
        out += _length(NAME, metric.name.encode("utf-8"))
    if metric.alias is not None:
        out += ALIAS + _varint(metric.alias)
    if metric.timestamp is not None:
        out += STAMP + _varint(metric.timestamp)
    if datatypes and metric.datatype:
        out += TYPE + _SMALL[metric.datatype]
    if metric.is_historical:
        out += HISTORICAL
    if metric.is_transient:
        out += TRANSIENT
    null = metric.is_null or metric.value is None
    if null:
        out += NULL
    if metric.properties:
        out += _length(PROPERTIES, _property_set(metric.properties))
    if not null:
        number, data = _value_field(metric.datatype, metric.value)
        out += VALUE_KEYS[number] + data
    return bytes(out)


def encode(payload: Payload, *, datatypes: bool = True) -> bytes:
    """The payload's protobuf bytes; ``PayloadError`` names the metric whose value its
    datatype cannot carry. ``datatypes=False`` leaves each metric's datatype out (it still
    says how its value is written): Sparkplug sends it in births only."""
    out = bytearray()
    if payload.timestamp is not None:
        out += b"\x08" + _varint(payload.timestamp)
    for i, metric in enumerate(payload.metrics):
        try:
            out += _length(b"\x12", _metric(metric, datatypes))
        except PayloadError as error:
            label = metric.name if metric.name is not None else metric.alias
            raise PayloadError(f"metric {label if label is not None else i}: {error}") from None
    if payload.seq is not None:
        out += b"\x18" + _varint(payload.seq)
    if payload.uuid is not None:
        out += _length(b"\x22", payload.uuid.encode("utf-8"))
    if payload.body is not None:
        out += _length(b"\x2a", payload.body)
    return bytes(out)


# -- decoding ----------------------------------------------------------------------------


def _varint_at(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    result = shift = 0
    end = len(data)
    while True:
        if pos >= end:
            raise PayloadError(f"cut short inside a number at byte {pos}")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise PayloadError(f"a number longer than 10 bytes at byte {pos}")


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) of a message: an int for varints, bytes else."""
    out: list[tuple[int, int, Any]] = []
    pos, end = 0, len(data)
    while pos < end:
        start = pos
        key = data[pos]
        if key < 0x80:
            pos += 1
        else:
            key, pos = _varint_at(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise PayloadError(f"field number 0 at byte {start}")
        if wire in (VARINT, LENGTH):
            if pos >= end:
                raise PayloadError(f"cut short inside a number at byte {pos}")
            value = data[pos]
            if value < 0x80:
                pos += 1
            else:
                value, pos = _varint_at(data, pos)
            if wire == VARINT:
                out.append((number, wire, value))
                continue
            if pos + value > end:
                raise PayloadError(
                    f"field {number} at byte {start} says {value} bytes, {end - pos} are left"
                )
            out.append((number, wire, data[pos : pos + value]))
            pos += value
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            if pos + size > end:
                raise PayloadError(f"cut short in field {number} at byte {start}")
            out.append((number, wire, data[pos : pos + size]))
            pos += size
        else:
            raise PayloadError(f"wire type {wire} of field {number} at byte {start}")
    return out


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"{what}: not UTF-8 text ({error.reason})") from None


def _expect(raw: Any, wire: int, expected: int, what: str) -> Any:
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


_unpack_f, _unpack_d = struct.Struct("<f").unpack, struct.Struct("<d").unpack


def _value(number: int, wire: int, raw: Any) -> Any:
    """A value field's content (``number`` as in a Metric)."""
    if wire != WIRE_OF.get(number, VARINT):
        raise PayloadError(f"value: wire type {wire}, expected {WIRE_OF.get(number, VARINT)}")
    if number in (INT_FIELD, LONG_FIELD):
        return raw
    if number == FLOAT_FIELD:
        return _unpack_f(raw)[0]
    if number == DOUBLE_FIELD:
        return _unpack_d(raw)[0]
    if number == BOOL_FIELD:
        return bool(raw)
    if number == STRING_FIELD:
        return _text(raw, "value")
    return bytes(raw)


#: datatype numbers this codec knows; an array or a newer type reads as UNKNOWN (value raw)
_DATATYPES = {int(d): d for d in DataType}


def _properties(data: bytes) -> dict[str, Property]:
    keys: list[str] = []
    values: list[Property] = []
    for number, wire, raw in _fields(data):
        if number == 1:
            keys.append(_text(_expect(raw, wire, LENGTH, "properties"), "properties"))
        elif number == 2:
            prop = Property(DataType.UNKNOWN)
            for n, w, r in _fields(_expect(raw, wire, LENGTH, "properties")):
                if n == 1:
                    kind = _expect(r, w, VARINT, "property type")
                    prop.datatype = _DATATYPES.get(kind, DataType.UNKNOWN)
                elif 3 <= n <= 8:
                    prop.value = _value(n + PROPERTY_OFFSET, w, r)
            prop.value = typed(prop.value, prop.datatype)
            values.append(prop)
    if len(keys) != len(values):
        raise PayloadError(f"properties: {len(keys)} keys for {len(values)} values")
    return dict(zip(keys, values, strict=True))


def _decode_metric(data: bytes, index: int) -> Metric:
    metric = Metric()
    try:
        for number, wire, raw in _fields(data):
            if number == 1:
                metric.name = _text(_expect(raw, wire, LENGTH, "name"), "name")
            elif number == 2:
                metric.alias = _expect(raw, wire, VARINT, "alias")
            elif number == 3:
                metric.timestamp = _expect(raw, wire, VARINT, "timestamp")
            elif number == 4:
                kind = _expect(raw, wire, VARINT, "datatype")
                metric.datatype = _DATATYPES.get(kind, DataType.UNKNOWN)
            elif number == 5:
                metric.is_historical = bool(_expect(raw, wire, VARINT, "is_historical"))
            elif number == 6:
                metric.is_transient = bool(_expect(raw, wire, VARINT, "is_transient"))
            elif number == 7:
                metric.is_null = bool(_expect(raw, wire, VARINT, "is_null"))
            elif number == 9:
                metric.properties = _properties(_expect(raw, wire, LENGTH, "properties"))
            elif INT_FIELD <= number <= BYTES_FIELD:
                metric.value = _value(number, wire, raw)
            # 8 metadata, 17 DataSet, 18 Template, 19 extension and newer fields: skipped
    except PayloadError as error:
        label = metric.name if metric.name is not None else index
        raise PayloadError(f"metric {label}: {error}") from None
    metric.value = None if metric.is_null else typed(metric.value, metric.datatype)
    return metric


_PAYLOAD_FIELDS = {1: ("timestamp", VARINT), 3: ("seq", VARINT), 4: ("uuid", LENGTH),
                   5: ("body", LENGTH)}  # fmt: skip


def decode(data: bytes) -> Payload:
    """The payload in ``data``; ``PayloadError`` says what is wrong and at which byte (of
    the payload, or of the metric it names)."""
    try:
        fields = _fields(bytes(data))
    except PayloadError as error:
        raise PayloadError(f"payload: {error}") from None
    payload = Payload()
    metrics = payload.metrics
    for number, wire, raw in fields:
        if number == 2:
            body = _expect(raw, wire, LENGTH, f"metric {len(metrics)}")
            metrics.append(_decode_metric(body, len(metrics)))
        elif number in _PAYLOAD_FIELDS:
            name, expected = _PAYLOAD_FIELDS[number]
            value = _expect(raw, wire, expected, f"payload {name}")
            if number == 1:
                payload.timestamp = value
            elif number == 3:
                payload.seq = value
            elif number == 4:
                payload.uuid = _text(value, "payload uuid")
            else:
                payload.body = bytes(value)
    return payload
