"""Writing one node with its own data type, then reading it back to confirm."""

from __future__ import annotations

from typing import Any

from asyncua import Client, ua

from hmi.core.driver import WriteResult, WriteStatus
from hmi.core.tags import Quality

from .status import describe_error, status_to_quality
from .types import TypeResolver
from .values import coerce_for_write, same_value, to_python


class ReadBackError(Exception):
    """The write was accepted but its value could not be read back."""


class NodeWriter:
    """Writes with the VariantType the node's DataType asks for, learned once per session."""

    def __init__(self, resolver: TypeResolver) -> None:
        self._resolver = resolver
        self._types: dict[ua.NodeId, ua.VariantType] = {}

    def forget(self) -> None:
        """A new session may be a different server: learn the types again."""
        self._types.clear()

    async def write(
        self, client: Client, name: str, node_id: ua.NodeId, raw_value: Any, timeout: float
    ) -> WriteResult:
        try:
            vtype = await self.variant_type(client, node_id)
        except Exception as exc:
            return WriteResult(name, WriteStatus.FAILED, describe_error(exc, timeout))
        try:
            value = coerce_for_write(raw_value, vtype)
        except (TypeError, ValueError) as exc:
            return WriteResult(name, WriteStatus.REFUSED, str(exc))
        try:
            readback = await _write_and_read(client, node_id, value, vtype)
        except ReadBackError as exc:
            return WriteResult(name, WriteStatus.FAILED, str(exc))
        except Exception as exc:
            return WriteResult(name, WriteStatus.FAILED, describe_error(exc, timeout))
        shown = to_python(readback)
        if not same_value(value, readback, vtype):
            message = f"read back {shown!r} instead of {to_python(value)!r}"
            return WriteResult(name, WriteStatus.FAILED, message, shown)
        return WriteResult(name, WriteStatus.DONE, "", shown)

    async def variant_type(self, client: Client, node_id: ua.NodeId) -> ua.VariantType:
        cached = self._types.get(node_id)
        if cached is not None:
            return cached
        dtype_dv, value_dv = await client.uaclient.read(
            read_params([(node_id, ua.AttributeIds.DataType), (node_id, ua.AttributeIds.Value)])
        )
        if dtype_dv.StatusCode is not None:
            dtype_dv.StatusCode.check()
        if dtype_dv.Value is None:
            raise ua.UaError("the server sent no data type for the node")
        vtype = await self._resolver.variant_type(client, dtype_dv.Value.Value)
        if vtype is None:  # e.g. BaseDataType: keep what the node holds
            held = value_dv.Value
            vtype = held.VariantType if held is not None else ua.VariantType.Variant
        self._types[node_id] = vtype
        return vtype


async def _write_and_read(
    client: Client, node_id: ua.NodeId, value: Any, vtype: ua.VariantType
) -> Any:
    to_write = ua.WriteValue(
        NodeId=node_id,
        AttributeId=ua.AttributeIds.Value,
        Value=ua.DataValue(ua.Variant(value, vtype)),
    )
    (status,) = await client.uaclient.write(ua.WriteParameters(NodesToWrite=[to_write]))
    status.check()
    (dv,) = await client.uaclient.read(read_params([(node_id, ua.AttributeIds.Value)]))
    quality, reason = status_to_quality(dv.StatusCode)
    if quality is Quality.BAD:
        raise ReadBackError(f"written, but reading it back failed: {reason}")
    return dv.Value.Value if dv.Value is not None else None


def read_params(items: list[tuple[ua.NodeId, ua.AttributeIds]]) -> ua.ReadParameters:
    return ua.ReadParameters(
        MaxAge=0,
        TimestampsToReturn=ua.TimestampsToReturn.Neither,
        NodesToRead=[ua.ReadValueId(NodeId=n, AttributeId=a) for n, a in items],
    )
