"""OPC UA values to Python scalars, and Python values to the Variant a node expects.

Pure functions: the hot path calls ``to_python`` only for values that are not already
a plain scalar, and a write checks its value here before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
import uuid
from typing import Any

from asyncua import ua

PLAIN = frozenset({float, int, bool, str, type(None)})

VT = ua.VariantType
INTEGER_RANGES: dict[ua.VariantType, tuple[int, int]] = {
    VT.SByte: (-(2**7), 2**7 - 1),
    VT.Byte: (0, 2**8 - 1),
    VT.Int16: (-(2**15), 2**15 - 1),
    VT.UInt16: (0, 2**16 - 1),
    VT.Int32: (-(2**31), 2**31 - 1),
    VT.UInt32: (0, 2**32 - 1),
    VT.Int64: (-(2**63), 2**63 - 1),
    VT.UInt64: (0, 2**64 - 1),
}
FLOAT32_MAX = 3.4028234663852886e38
_TRUE_TEXT = {"true", "1", "on", "yes"}
_FALSE_TEXT = {"false", "0", "off", "no"}


def to_python(value: Any) -> Any:
    """A plain Python value for anything a Variant may hold (lists element-wise)."""
    if type(value) in PLAIN:
        return value
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):  # IntEnum values such as ServerState
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, ua.LocalizedText):
        return value.Text
    if isinstance(value, ua.QualifiedName):
        return value.to_string()
    if isinstance(value, ua.NodeId):
        return value.to_string()
    if isinstance(value, ua.StatusCode):
        return int(value.value)
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_python(v) for v in value]
    return str(value)


def coerce_for_write(value: Any, vtype: ua.VariantType) -> Any:
    """``value`` as the Python type that encodes as ``vtype``; TypeError/ValueError if it can't."""
    if vtype is VT.Boolean:
        return _to_bool(value)
    if vtype in INTEGER_RANGES:
        return _to_int(value, vtype)
    if vtype in (VT.Float, VT.Double):
        number = _to_float(value, vtype)
        if vtype is VT.Float and math.isfinite(number) and abs(number) > FLOAT32_MAX:
            raise ValueError(f"{number:g} is too large for a Float node")
        return number
    if vtype is VT.String:
        if isinstance(value, str):
            return value
        raise TypeError(f"String node needs text, not {_kind(value)}")
    if vtype is VT.LocalizedText:
        if isinstance(value, str):
            return ua.LocalizedText(value)
        raise TypeError(f"LocalizedText node needs text, not {_kind(value)}")
    if vtype is VT.DateTime:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        raise TypeError(f"DateTime node needs epoch seconds, not {_kind(value)}")
    if vtype is VT.ByteString:
        if isinstance(value, bytes | bytearray):
            return bytes(value)
        raise TypeError(f"ByteString node needs bytes, not {_kind(value)}")
    raise TypeError(f"writing a node of data type {vtype.name} is not supported")


def same_value(sent: Any, readback: Any, vtype: ua.VariantType) -> bool:
    """Did the node keep what was written? Float nodes are compared at 32-bit precision."""
    if vtype is VT.Float and isinstance(readback, float):
        return _float32(sent) == readback or (math.isnan(sent) and math.isnan(readback))
    if isinstance(sent, float) and isinstance(readback, float):
        return sent == readback or (math.isnan(sent) and math.isnan(readback))
    if isinstance(sent, ua.LocalizedText) and isinstance(readback, ua.LocalizedText):
        return sent.Text == readback.Text
    return bool(sent == readback)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_TEXT:
            return True
        if text in _FALSE_TEXT:
            return False
    raise TypeError(f"Boolean node needs true/false, not {_kind(value)}")


def _to_int(value: Any, vtype: ua.VariantType) -> int:
    if isinstance(value, bool):
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} cannot be stored in {vtype.name}")
        number = round(value)
    else:
        raise TypeError(f"{vtype.name} node needs a number, not {_kind(value)}")
    lo, hi = INTEGER_RANGES[vtype]
    if not lo <= number <= hi:
        raise ValueError(f"{number} is outside the {vtype.name} range {lo}..{hi}")
    return number


def _to_float(value: Any, vtype: ua.VariantType) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{vtype.name} node needs a number, not {_kind(value)}")


def _float32(number: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", number))[0]
    except OverflowError:
        return number


def _kind(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:80]
