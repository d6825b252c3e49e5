"""OPC UA built-in types against Linea's tag types: what a tag accepts, what a node suggests.

A value whose type the tag does not accept is Bad with the reason ("server sends String,
tag is int32"), never Good: a wrong declaration would otherwise put a number that means
something else on a screen. Accepted are only the types every value of which the tag
holds without loss of meaning:

- an integer tag takes the integer types whose whole range fits it (Int16 into int32,
  Byte into uint16), never a Float/Double (the fraction would go) nor a Boolean;
- a float tag takes every number (Linea keeps reals as 64-bit floats; Int64 beyond 2**53
  rounds); float64 also takes DateTime, as seconds since 1970;
- a bool tag takes Boolean only; a string tag takes the text types only
  (String, LocalizedText, QualifiedName, NodeId, ExpandedNodeId, Guid, XmlElement);
- StatusCode goes into uint32 (and into the 64-bit integers).

The node's DataType is read once per session; when it does not fit the tag, every value
is Bad with that reason and the log says so once per tag, not per value. An abstract
DataType (BaseDataType, Number, ...) gives no verdict: each value's own type decides.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from asyncua import Client, ua
from asyncua.common.ua_utils import data_type_to_variant_type

from hmi.core.project.models import DataType

log = logging.getLogger(__name__)

VT = ua.VariantType
_SIGNED = {VT.SByte: 8, VT.Int16: 16, VT.Int32: 32, VT.Int64: 64}
_UNSIGNED = {VT.Byte: 8, VT.UInt16: 16, VT.UInt32: 32, VT.UInt64: 64}
NUMBERS = frozenset({*_SIGNED, *_UNSIGNED, VT.Float, VT.Double})
TEXT = frozenset(
    {
        VT.String,
        VT.LocalizedText,
        VT.QualifiedName,
        VT.NodeId,
        VT.ExpandedNodeId,
        VT.Guid,
        VT.XmlElement,
    }
)
BUILTIN_IDS = range(1, 26)  # ns=0 DataType ids that equal their VariantType
ABSTRACT = (VT.Variant, VT.Null)  # BaseDataType, Number, Integer, UInteger


def _integers(bits: int, signed: bool) -> frozenset[ua.VariantType]:
    """Integer types whose every value fits a tag of ``bits`` bits."""
    fits = {t for t, b in _UNSIGNED.items() if b < bits or (b == bits and not signed)}
    if signed:
        fits |= {t for t, b in _SIGNED.items() if b <= bits}
    return frozenset(fits)


ACCEPTS: dict[DataType, frozenset[ua.VariantType]] = {
    DataType.BOOL: frozenset({VT.Boolean}),
    DataType.INT16: _integers(16, True),
    DataType.UINT16: _integers(16, False),
    DataType.INT32: _integers(32, True),
    DataType.UINT32: _integers(32, False) | {VT.StatusCode},
    DataType.INT64: _integers(64, True) | {VT.StatusCode},
    DataType.UINT64: _integers(64, False) | {VT.StatusCode},
    DataType.FLOAT32: NUMBERS,
    DataType.FLOAT64: NUMBERS | {VT.DateTime},
    DataType.STRING: TEXT,
}

# The Linea type a node of each built-in type is imported as (``hmi browse``).
LINEA_TYPE: dict[ua.VariantType, DataType] = {
    VT.Boolean: DataType.BOOL,
    VT.SByte: DataType.INT16,
    VT.Byte: DataType.UINT16,
    VT.Int16: DataType.INT16,
    VT.UInt16: DataType.UINT16,
    VT.Int32: DataType.INT32,
    VT.UInt32: DataType.UINT32,
    VT.Int64: DataType.INT64,
    VT.UInt64: DataType.UINT64,
    VT.Float: DataType.FLOAT32,
    VT.Double: DataType.FLOAT64,
    VT.DateTime: DataType.FLOAT64,
    VT.StatusCode: DataType.UINT32,
    **{t: DataType.STRING for t in TEXT},
}


def wrong_type(tag_type: DataType, sent: ua.VariantType, array: bool = False) -> str:
    """The reason a value of type ``sent`` is Bad for a tag of ``tag_type``."""
    what = f"an array of {sent.name}" if array else sent.name
    return f"server sends {what}, tag is {tag_type.value}"


class TypeRule:
    """What one tag accepts, and the log line said once when the server sends otherwise.

    ``refused`` is set when the node's DataType itself does not fit: then every value is
    Bad with it, even one whose own type would pass (a small Int32 in an int16 tag).
    """

    __slots__ = ("accepts", "device", "refused", "said", "tag", "tag_type")

    def __init__(self, tag: str, tag_type: DataType, device: str, said: set[tuple[str, str]]):
        self.tag = tag
        self.tag_type = tag_type
        self.device = device
        self.accepts = ACCEPTS[tag_type]
        self.refused = ""
        self.said = said  # (tag, reason) already logged; shared over the driver's sessions

    def refuse(self, reason: str, node: NodeType) -> None:
        """The node's DataType does not fit: every value is Bad with ``reason``."""
        self.refused = reason
        self.accepts = frozenset()
        self.note(reason, None if node.array else node.variant)

    def wrong(self, sent: ua.VariantType, array: bool = False) -> str:
        """The reason for a value of the wrong type; logged the first time only."""
        reason = self.refused or wrong_type(self.tag_type, sent, array)
        self.note(reason, None if array else sent)
        return reason

    def note(self, reason: str, sent: ua.VariantType | None) -> None:
        if (self.tag, reason) in self.said:
            return
        self.said.add((self.tag, reason))
        suggested = LINEA_TYPE.get(sent) if sent is not None else None
        fix = "change the variable on the server"
        if suggested is not None:
            fix = f"declare 'type: {suggested.value}' or {fix}"
        log.warning("%s: tag %s is Bad: %s; %s", self.device, self.tag, reason, fix)


@dataclass(frozen=True, slots=True)
class NodeType:
    """A node's data type as the built-in type its values are encoded with."""

    variant: ua.VariantType | None  # None: unknown, or abstract (each value decides)
    value_rank: int | None  # -1 scalar, >= 0 array, -2/-3 either; None: unknown

    @property
    def array(self) -> bool:
        return self.value_rank is not None and self.value_rank >= 0


class TypeResolver:
    """DataType NodeIds to built-in types; subtypes (Duration, enumerations, a vendor's
    own) are walked up once per session and remembered."""

    def __init__(self) -> None:
        self._bases: dict[ua.NodeId, ua.VariantType | None] = {}

    def forget(self) -> None:
        """A new session may be a different server: learn the types again."""
        self._bases.clear()

    async def variant_type(self, client: Client, dtype: ua.NodeId) -> ua.VariantType | None:
        ident = dtype.Identifier
        if dtype.NamespaceIndex == 0 and isinstance(ident, int) and ident in BUILTIN_IDS:
            vtype = VT(ident)
            return None if vtype in ABSTRACT else vtype
        if dtype not in self._bases:
            try:
                base = await data_type_to_variant_type(client.get_node(dtype))
            except (ua.UaError, ValueError):
                base = VT.Null
            self._bases[dtype] = None if base in ABSTRACT else base
        return self._bases[dtype]

    async def read(
        self, client: Client, node_ids: Sequence[ua.NodeId], per_request: int
    ) -> list[NodeType]:
        """DataType and ValueRank of each node: one Read per ``per_request`` attributes."""
        items = [
            ua.ReadValueId(NodeId=node, AttributeId=attr)
            for node in node_ids
            for attr in (ua.AttributeIds.DataType, ua.AttributeIds.ValueRank)
        ]
        values: list[ua.DataValue] = []
        step = max(2, per_request - per_request % 2)
        for start in range(0, len(items), step):
            params = ua.ReadParameters(
                NodesToRead=items[start : start + step],
                TimestampsToReturn=ua.TimestampsToReturn.Neither,
            )
            values += await client.uaclient.read(params)
        out = []
        for k in range(len(node_ids)):
            dtype, rank = _good_value(values[2 * k]), _good_value(values[2 * k + 1])
            variant = (
                await self.variant_type(client, dtype) if isinstance(dtype, ua.NodeId) else None
            )
            out.append(NodeType(variant, rank if isinstance(rank, int) else None))
        return out


def node_verdict(tag_type: DataType, node: NodeType) -> str:
    """Why a node of this type cannot feed a tag of ``tag_type``; empty when it can (or
    when only its values can tell)."""
    if node.array:
        sent = node.variant.name if node.variant is not None else "values"
        return f"server sends an array of {sent}, tag is {tag_type.value}"
    if node.variant is not None and node.variant not in ACCEPTS[tag_type]:
        return wrong_type(tag_type, node.variant)
    return ""


def _good_value(dv: ua.DataValue) -> object:
    if dv.StatusCode is not None and not dv.StatusCode.is_good():
        return None
    return dv.Value.Value if dv.Value is not None else None
