"""One live connection of the driver: its client, what it learned, and why it ended."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from asyncua import Client, ua

from hmi.core.tags import Batch

from .status import describe_error

_LIMIT_NODES = (
    ua.ObjectIds.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead,
    ua.ObjectIds.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall,
)


class Link:
    """A connection from open to loss. Once lost it forwards nothing more to the engine,
    so a late publish response can never overwrite the Bad values of the outage."""

    def __init__(
        self, publish: Callable[[Batch], None], items_per_request: int, watchdog: float = 0.0
    ):
        self.client: Client | None = None
        self.lost = asyncio.Event()
        self.reason = ""
        self.node_ids: dict[str, ua.NodeId] = {}  # tag name -> NodeId on this server
        self.read_limit = items_per_request  # nodes per Read request
        self.monitor_limit = items_per_request  # items per CreateMonitoredItems request
        self._publish = publish
        self._watchdog = watchdog

    def fail(self, reason: str) -> None:
        if not self.lost.is_set():
            self.reason = reason
            self.lost.set()

    async def on_lost(self, exc: Exception) -> None:
        """Called by the client's watchdog: the socket closed or the server went silent."""
        if isinstance(exc, TimeoutError) and self._watchdog:
            self.fail(f"the server stopped answering (no reply within {self._watchdog:g} s)")
        else:
            self.fail(describe_error(exc))

    def publish(self, batch: Batch) -> None:
        if not self.lost.is_set():
            self._publish(batch)

    async def learn_limits(self) -> None:
        """Cap the request sizes by the server's own operation limits (0 = no limit)."""
        assert self.client is not None
        params = ua.ReadParameters(
            NodesToRead=[
                ua.ReadValueId(NodeId=ua.NodeId(ua.Int32(n)), AttributeId=ua.AttributeIds.Value)
                for n in _LIMIT_NODES
            ],
            TimestampsToReturn=ua.TimestampsToReturn.Neither,
        )
        try:
            per_read, per_monitor = await self.client.uaclient.read(params)
        except ua.UaStatusCodeError:
            return
        self.read_limit = _capped(self.read_limit, per_read)
        self.monitor_limit = _capped(self.monitor_limit, per_monitor)


def _capped(wanted: int, dv: ua.DataValue) -> int:
    good = dv.StatusCode is None or dv.StatusCode.is_good()
    limit = dv.Value.Value if good and dv.Value is not None else None
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        return min(wanted, limit)
    return wanted
