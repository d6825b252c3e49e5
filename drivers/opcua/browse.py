"""Listing a server's variables under the Objects folder, to import them as tags.

Breadth first, one Browse request per level and one Read for all attributes, bounded in
depth and count so a huge address space cannot hang ``hmi browse``. Namespace 0 (the
standard Server object and friends) is left out: it holds no plant data. Properties
(HasProperty children such as an analog item's EngineeringUnits and EURange) describe
their variable and are not listed; units, range and a string's MaxStringLength are taken
from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asyncua import Client, ua
from asyncua.ua.object_ids import ObjectIdNames

from hmi.core.project.models import DeviceConfig

from .connection import close_client, connect_failure, open_client
from .monitor import chunks
from .options import options_of
from .status import describe_error
from .types import LINEA_TYPE, TypeResolver

MAX_DEPTH = 8
MAX_NODES = 5000
_BROWSE_MASK = int(ua.NodeClass.Object) | int(ua.NodeClass.Variable)
_CURRENT_WRITE = 1 << 1  # AccessLevel bit
_HAS_PROPERTY = ua.NodeId(ua.Int32(ua.ObjectIds.HasProperty))
# properties read into a variable's row
_DESCRIBING = ("EngineeringUnits", "EURange", "MaxStringLength")
_ATTRIBUTES = (
    ua.AttributeIds.DataType,
    ua.AttributeIds.ValueRank,
    ua.AttributeIds.UserAccessLevel,
    ua.AttributeIds.Description,
)


class BrowseError(OSError):
    """Browsing failed; an OSError so callers report it like any other I/O failure."""


@dataclass
class _Found:
    """A variable met on the walk, with the properties that describe it."""

    node: ua.NodeId
    path: str
    properties: dict[str, ua.NodeId] = field(default_factory=dict)


async def browse(
    device: DeviceConfig,
    data_dir: str | Path,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> list[dict[str, Any]]:
    """Variables of the device's server, sorted by browse path: ``{node_id, browse_path,
    data_type (OPC UA, "Int32[]" for an array), type (Linea's, None when no tag type
    holds it), writable, units, range ([lo, hi] or None), max_length (of a string, or
    None), description}``."""
    try:
        options = options_of(device)
    except ValueError as exc:
        raise BrowseError(f"device {device.name}: {exc}") from exc
    try:
        client = await open_client(device, options, data_dir)
    except Exception as exc:
        raise BrowseError(connect_failure(options, exc)) from exc
    try:
        found = await _walk(client, max_depth, max_nodes, options.max_items_per_request)
        return await _describe(client, found, options.max_items_per_request)
    except BrowseError:
        raise
    except Exception as exc:
        raise BrowseError(f"browsing {options.endpoint} failed: {describe_error(exc)}") from exc
    finally:
        await close_client(client, options.timeout)


async def _walk(client: Client, max_depth: int, max_nodes: int, per_request: int) -> list[_Found]:
    """Every variable found, objects and variables descended into."""
    level: list[tuple[ua.NodeId, str]] = [(ua.NodeId(ua.Int32(ua.ObjectIds.ObjectsFolder)), "")]
    seen = {level[0][0]}
    variables: dict[ua.NodeId, _Found] = {}
    for _ in range(max_depth):
        if not level:
            break
        children = await _children(client, [node for node, _ in level], per_request)
        next_level: list[tuple[ua.NodeId, str]] = []
        for (parent, path), refs in zip(level, children, strict=True):
            for ref in refs:
                node = ua.NodeId(
                    ref.NodeId.Identifier, ref.NodeId.NamespaceIndex, ref.NodeId.NodeIdType
                )
                name = ref.BrowseName.Name
                if ref.ReferenceTypeId == _HAS_PROPERTY:
                    if parent in variables and name in _DESCRIBING:
                        variables[parent].properties[name] = node
                    continue
                if node.NamespaceIndex == 0 or node in seen:
                    continue
                if len(seen) > max_nodes:
                    return list(variables.values())
                seen.add(node)
                child_path = f"{path}/{name}" if path else name
                if ref.NodeClass == ua.NodeClass.Variable:
                    variables[node] = _Found(node, child_path)
                next_level.append((node, child_path))
        level = next_level
    return list(variables.values())


async def _children(
    client: Client, nodes: list[ua.NodeId], per_request: int
) -> list[list[ua.ReferenceDescription]]:
    out: list[list[ua.ReferenceDescription]] = []
    for part in chunks(len(nodes), per_request):
        params = ua.BrowseParameters(
            View=ua.ViewDescription(),
            RequestedMaxReferencesPerNode=0,
            NodesToBrowse=[
                ua.BrowseDescription(
                    NodeId=nodes[i],
                    BrowseDirection=ua.BrowseDirection.Forward,
                    ReferenceTypeId=ua.NodeId(ua.Int32(ua.ObjectIds.HierarchicalReferences)),
                    IncludeSubtypes=True,
                    NodeClassMask=_BROWSE_MASK,
                    ResultMask=int(ua.BrowseResultMask.All),
                )
                for i in part
            ],
        )
        for result in await client.uaclient.browse(params):
            refs = list(result.References)
            point = result.ContinuationPoint
            while point:
                (more,) = await client.uaclient.browse_next(
                    ua.BrowseNextParameters(ContinuationPoints=[point])
                )
                refs += more.References
                point = more.ContinuationPoint
            out.append(refs)
    return out


async def _describe(client: Client, found: list[_Found], per_request: int) -> list[dict[str, Any]]:
    items = [(f.node, attr) for f in found for attr in _ATTRIBUTES]
    props = [(k, name, node) for k, f in enumerate(found) for name, node in f.properties.items()]
    items += [(node, ua.AttributeIds.Value) for _, _, node in props]
    values = await _read(client, items, per_request)
    width = len(_ATTRIBUTES)
    described: dict[tuple[int, str], Any] = {
        (k, name): _value(dv)
        for (k, name, _), dv in zip(props, values[width * len(found) :], strict=True)
    }
    dtypes = [_value(values[k * width]) for k in range(len(found))]
    names = await _type_names(client, [d for d in dtypes if isinstance(d, ua.NodeId)], per_request)
    resolver = TypeResolver()
    rows: list[dict[str, Any]] = []
    for k, f in enumerate(found):
        dtype, rank, access, description = (_value(v) for v in values[k * width : (k + 1) * width])
        array = isinstance(rank, int) and rank >= 0
        type_name = names.get(dtype, "") if isinstance(dtype, ua.NodeId) else ""
        variant = (
            await resolver.variant_type(client, dtype) if isinstance(dtype, ua.NodeId) else None
        )
        linea = LINEA_TYPE.get(variant) if variant is not None and not array else None
        rows.append(
            {
                "node_id": f.node.to_string(),
                "browse_path": f.path,
                "data_type": f"{type_name}[]" if array and type_name else type_name,
                "type": linea.value if linea is not None else None,
                "writable": bool(isinstance(access, int) and access & _CURRENT_WRITE),
                "units": _units(described.get((k, "EngineeringUnits"))),
                "range": _range(described.get((k, "EURange"))),
                "max_length": _count(described.get((k, "MaxStringLength"))),
                "description": getattr(description, "Text", None) or "",
            }
        )
    rows.sort(key=lambda r: r["browse_path"])
    return rows


async def _read(
    client: Client, items: list[tuple[ua.NodeId, ua.AttributeIds]], per_request: int
) -> list[ua.DataValue]:
    values: list[ua.DataValue] = []
    for part in chunks(len(items), per_request):
        params = ua.ReadParameters(
            NodesToRead=[ua.ReadValueId(NodeId=items[i][0], AttributeId=items[i][1]) for i in part],
            TimestampsToReturn=ua.TimestampsToReturn.Neither,
        )
        values += await client.uaclient.read(params)
    return values


def _units(info: Any) -> str:
    """The display name of an EUInformation (``°C``), or its description."""
    for attr in ("DisplayName", "Description"):
        text = getattr(getattr(info, attr, None), "Text", None)
        if text:
            return str(text)
    return ""


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _range(value: Any) -> list[float] | None:
    low, high = getattr(value, "Low", None), getattr(value, "High", None)
    if isinstance(low, int | float) and isinstance(high, int | float) and low < high:
        return [low, high]
    return None


async def _type_names(
    client: Client, dtypes: list[ua.NodeId], per_request: int
) -> dict[ua.NodeId, str]:
    """Readable data type names: the standard ones by their id, others by BrowseName."""
    names: dict[ua.NodeId, str] = {}
    unknown: list[ua.NodeId] = []
    for dtype in dict.fromkeys(dtypes):
        ident = dtype.Identifier
        if dtype.NamespaceIndex == 0 and isinstance(ident, int) and ident in ObjectIdNames:
            names[dtype] = ObjectIdNames[ident]
        else:
            unknown.append(dtype)
    if unknown:
        values = await _read(
            client, [(d, ua.AttributeIds.BrowseName) for d in unknown], per_request
        )
        for dtype, dv in zip(unknown, values, strict=True):
            name = _value(dv)
            names[dtype] = name.Name if isinstance(name, ua.QualifiedName) else dtype.to_string()
    return names


def _value(dv: ua.DataValue) -> Any:
    if dv.StatusCode is not None and not dv.StatusCode.is_good():
        return None
    return dv.Value.Value if dv.Value is not None else None
