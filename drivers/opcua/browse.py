"""Listing a server's variables under the Objects folder, to import them as tags.

Breadth first, one Browse request per level and one Read for all attributes, bounded in
depth and count so a huge address space cannot hang ``hmi browse``. Namespace 0 (the
standard Server object and friends) is left out: it holds no plant data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asyncua import Client, ua

from hmi.core.project.models import DeviceConfig

from .connection import close_client, connect_failure, open_client
from .monitor import chunks
from .options import options_of
from .status import describe_error

MAX_DEPTH = 8
MAX_NODES = 5000
_BROWSE_MASK = int(ua.NodeClass.Object) | int(ua.NodeClass.Variable)
_CURRENT_WRITE = 1 << 1  # AccessLevel bit


class BrowseError(OSError):
    """Browsing failed; an OSError so callers report it like any other I/O failure."""


async def browse(
    device: DeviceConfig,
    data_dir: str | Path,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> list[dict[str, Any]]:
    """Variables of the device's server: ``{node_id, browse_path, data_type, writable,
    description}`` sorted by browse path."""
    try:
        options = options_of(device)
    except ValueError as exc:
        raise BrowseError(f"device {device.name}: {exc}") from exc
    try:
        client = await open_client(device.name, options, data_dir)
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


async def _walk(
    client: Client, max_depth: int, max_nodes: int, per_request: int
) -> list[tuple[ua.NodeId, str]]:
    """(node id, browse path) of every variable found, objects descended into."""
    level: list[tuple[ua.NodeId, str]] = [(ua.NodeId(ua.Int32(ua.ObjectIds.ObjectsFolder)), "")]
    seen = {level[0][0]}
    variables: list[tuple[ua.NodeId, str]] = []
    for _ in range(max_depth):
        if not level:
            break
        children = await _children(client, [node for node, _ in level], per_request)
        next_level: list[tuple[ua.NodeId, str]] = []
        for (_, path), refs in zip(level, children, strict=True):
            for ref in refs:
                node = ua.NodeId(
                    ref.NodeId.Identifier, ref.NodeId.NamespaceIndex, ref.NodeId.NodeIdType
                )
                if node.NamespaceIndex == 0 or node in seen:
                    continue
                if len(seen) > max_nodes:
                    return variables
                seen.add(node)
                child_path = f"{path}/{ref.BrowseName.Name}" if path else ref.BrowseName.Name
                if ref.NodeClass == ua.NodeClass.Variable:
                    variables.append((node, child_path))
                next_level.append((node, child_path))
        level = next_level
    return variables


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


async def _describe(
    client: Client, found: list[tuple[ua.NodeId, str]], per_request: int
) -> list[dict[str, Any]]:
    attributes = (
        ua.AttributeIds.DataType,
        ua.AttributeIds.UserAccessLevel,
        ua.AttributeIds.Description,
    )
    values: list[ua.DataValue] = []
    items = [(node, attr) for node, _ in found for attr in attributes]
    for part in chunks(len(items), per_request):
        params = ua.ReadParameters(
            NodesToRead=[ua.ReadValueId(NodeId=items[i][0], AttributeId=items[i][1]) for i in part],
            TimestampsToReturn=ua.TimestampsToReturn.Neither,
        )
        values += await client.uaclient.read(params)
    width = len(attributes)
    dtypes = [_value(values[k * width]) for k in range(len(found))]
    names = await _type_names(client, [d for d in dtypes if isinstance(d, ua.NodeId)])
    rows = []
    for k, (node, path) in enumerate(found):
        dtype = dtypes[k]
        access = _value(values[k * width + 1])
        description = _value(values[k * width + 2])
        rows.append(
            {
                "node_id": node.to_string(),
                "browse_path": path,
                "data_type": names.get(dtype, "") if isinstance(dtype, ua.NodeId) else "",
                "writable": bool(isinstance(access, int) and access & _CURRENT_WRITE),
                "description": getattr(description, "Text", None) or "",
            }
        )
    rows.sort(key=lambda r: r["browse_path"])
    return rows


async def _type_names(client: Client, dtypes: list[ua.NodeId]) -> dict[ua.NodeId, str]:
    """Readable data type names: built-ins by their VariantType, others by BrowseName."""
    names: dict[ua.NodeId, str] = {}
    unknown: list[ua.NodeId] = []
    for dtype in dict.fromkeys(dtypes):
        ident = dtype.Identifier
        if dtype.NamespaceIndex == 0 and isinstance(ident, int) and ident in range(1, 26):
            names[dtype] = ua.VariantType(ident).name
        else:
            unknown.append(dtype)
    if unknown:
        params = ua.ReadParameters(
            NodesToRead=[
                ua.ReadValueId(NodeId=d, AttributeId=ua.AttributeIds.BrowseName) for d in unknown
            ],
            TimestampsToReturn=ua.TimestampsToReturn.Neither,
        )
        for dtype, dv in zip(unknown, await client.uaclient.read(params), strict=True):
            name = _value(dv)
            names[dtype] = name.Name if isinstance(name, ua.QualifiedName) else dtype.to_string()
    return names


def _value(dv: ua.DataValue) -> Any:
    if dv.StatusCode is not None and not dv.StatusCode.is_good():
        return None
    return dv.Value.Value if dv.Value is not None else None
