"""Serves the filling line model as an OPC UA PLC on an asyncua server.

Nodes live under Objects/Filler in the namespace ``urn:linea:demo:filler`` with string
NodeIds such as ``ns=2;s=Filler.Tank.Level`` (index 2: the first namespace a server
registers after its own). The line's interface to the MES, as a line PLC has it in a data
block of its own, lives under Objects/Mes: the order data the HMI downloads when an order
starts (``Mes.Order.*``, the target written last starts it) and the starved and blocked
flags the HMI's downtime detection reads (``Mes.Line.*``).

Client writes are applied to the model after the server stored them; a value the model
refuses is put back at once, so the client's read-back shows the refusal, as a PLC that
overwrites an out-of-range setpoint would.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from asyncua import Server, ua
from asyncua.common.callback import CallbackType, ServerItemCallback

from .filler import FillerModel
from .signals import WriteRefused

log = logging.getLogger(__name__)

NAMESPACE = "urn:linea:demo:filler"
APPLICATION_URI = "urn:linea:demo:filler-plc"
ROOT = "Filler"
MES_ROOT = "Mes"
VT = ua.VariantType


@dataclass(frozen=True, slots=True)
class UaPoint:
    """Where one model variable lives: its path below Objects/<root> and its OPC UA type."""

    name: str
    path: str  # dotted, below the root object: "Tank.Level"
    variant: ua.VariantType
    root: str = ROOT

    @property
    def node_id_text(self) -> str:
        return f"{self.root}.{self.path}"


FILLER_POINTS: tuple[UaPoint, ...] = (
    UaPoint("state", "State", VT.Int32),
    UaPoint("fault_code", "FaultCode", VT.UInt16),
    UaPoint("stop_reason", "StopReason", VT.Int32),
    UaPoint("product", "Product", VT.String),
    UaPoint("running", "Running", VT.Boolean),
    UaPoint("filler_speed", "Speed", VT.Double),
    UaPoint("filler_speed_sp", "SpeedSetpoint", VT.Double),
    UaPoint("tank_level", "Tank.Level", VT.Double),
    UaPoint("tank_level_sp", "Tank.LevelSetpoint", VT.Double),
    UaPoint("product_temp", "Tank.Temperature", VT.Double),
    UaPoint("supply_valve", "Tank.SupplyValve", VT.Float),
    UaPoint("capper_torque", "Capper.Torque", VT.Float),
    UaPoint("infeed_running", "Infeed.Running", VT.Boolean),
    UaPoint("infeed_speed", "Infeed.Speed", VT.Float),
    UaPoint("outfeed_running", "Outfeed.Running", VT.Boolean),
    UaPoint("outfeed_speed", "Outfeed.Speed", VT.Float),
    UaPoint("filled_count", "Counters.Filled", VT.UInt32),
    UaPoint("rejected_count", "Counters.Rejected", VT.UInt32),
    UaPoint("last_reject_reason", "Counters.LastRejectReason", VT.String),
    UaPoint("cmd_start", "Commands.Start", VT.Boolean),
    UaPoint("cmd_stop", "Commands.Stop", VT.Boolean),
    UaPoint("cmd_reset", "Commands.Reset", VT.Boolean),
    UaPoint("product_sp", "Order.Product", VT.String, MES_ROOT),
    UaPoint("bottle_size_sp", "Order.BottleSize", VT.Double, MES_ROOT),
    UaPoint("order_target", "Order.Target", VT.UInt32, MES_ROOT),
    UaPoint("order_good", "Order.Good", VT.UInt32, MES_ROOT),
    UaPoint("order_active", "Order.Active", VT.Boolean, MES_ROOT),
    UaPoint("bottle_size", "Line.BottleSize", VT.Double, MES_ROOT),
    UaPoint("infeed_starved", "Line.Starved", VT.Boolean, MES_ROOT),
    UaPoint("outfeed_blocked", "Line.Blocked", VT.Boolean, MES_ROOT),
)

_PYTHON_TYPES = {VT.Boolean: bool, VT.String: str, VT.Float: float, VT.Double: float}


def _as_variant(point: UaPoint, value: Any) -> ua.Variant:
    return ua.Variant(_PYTHON_TYPES.get(point.variant, int)(value), point.variant)


class FillerOpcUaServer:
    """An OPC UA server whose address space mirrors a FillerModel.

    ``secure`` also offers Basic256Sha256 (Sign and SignAndEncrypt) with a self-signed
    certificate made at start; anonymous access without security stays available.
    """

    def __init__(
        self,
        model: FillerModel,
        host: str = "127.0.0.1",
        port: int = 4840,
        *,
        secure: bool = False,
        points: tuple[UaPoint, ...] = FILLER_POINTS,
    ):
        self.model = model
        self.host = host
        self.port = port
        self.secure = secure
        self.points = points
        self.namespace_index = 0
        self._server: Server | None = None
        self._node_ids: dict[str, ua.NodeId] = {}
        self._by_node_id: dict[ua.NodeId, UaPoint] = {}
        self._published: dict[str, Any] = {}

    @property
    def endpoint(self) -> str:
        return f"opc.tcp://{self.host}:{self.port}"

    async def start(self) -> None:
        """Build the address space and listen; raises OSError if the port is taken."""
        server = Server()
        await server.init()
        await server.set_application_uri(APPLICATION_URI)
        server.set_endpoint(self.endpoint)
        server.set_server_name("Linea demo filler PLC")
        policies = [ua.SecurityPolicyType.NoSecurity]
        if self.secure:
            await _install_self_signed_certificate(server)
            policies += [
                ua.SecurityPolicyType.Basic256Sha256_Sign,
                ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,
            ]
        server.set_security_policy(policies)
        server.set_identity_tokens([ua.AnonymousIdentityToken])
        self.namespace_index = await server.register_namespace(NAMESPACE)
        await self._build_address_space(server)
        server.subscribe_server_callback(CallbackType.PostWrite, self._on_write)
        try:
            await server.start()
        except OSError as exc:
            await _quiet_stop(server)
            raise OSError(f"OPC UA server cannot listen on {self.endpoint}: {exc}") from exc
        self._server = server

    async def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await _quiet_stop(server)

    async def publish(self) -> None:
        """Write the model values that changed since the last publish."""
        if self._server is None:
            return
        now = ua.DateTime.now(UTC)
        snapshot = self.model.snapshot()
        for point in self.points:
            value = snapshot[point.name]
            if self._published.get(point.name, _UNSET) == value:
                continue
            await self._store(point, value, now)

    def node_id(self, name: str) -> ua.NodeId:
        """The NodeId of a model variable, e.g. ``ns=2;s=Filler.Tank.Level``."""
        return self._node_ids[name]

    async def _store(self, point: UaPoint, value: Any, now: ua.DateTime) -> None:
        assert self._server is not None
        data = ua.DataValue(_as_variant(point, value), SourceTimestamp=now, ServerTimestamp=now)
        await self._server.write_attribute_value(self._node_ids[point.name], data)
        self._published[point.name] = value

    async def _build_address_space(self, server: Server) -> None:
        idx = ua.Int16(self.namespace_index)
        folders = {}
        snapshot = self.model.snapshot()
        for point in self.points:
            if point.root not in folders:
                root = ua.NodeId(ua.String(point.root), idx)
                folders[point.root] = await server.nodes.objects.add_object(root, point.root)
            *groups, leaf = point.path.split(".")
            parent = folders[point.root]
            for depth in range(1, len(groups) + 1):
                key = ".".join((point.root, *groups[:depth]))
                if key not in folders:
                    node_id = ua.NodeId(ua.String(key), idx)
                    folders[key] = await parent.add_object(
                        node_id, ua.QualifiedName(groups[depth - 1], idx)
                    )
                parent = folders[key]
            node_id = ua.NodeId(ua.String(point.node_id_text), idx)
            variable = await parent.add_variable(
                node_id, ua.QualifiedName(leaf, idx), _as_variant(point, snapshot[point.name])
            )
            if self.model.variable(point.name).writable:
                await variable.set_writable()
            self._node_ids[point.name] = node_id
            self._by_node_id[node_id] = point
            self._published[point.name] = snapshot[point.name]

    async def _on_write(self, event: ServerItemCallback, _dispatcher: object) -> None:
        """After a client write: hand it to the model, or put the model's value back."""
        if not event.is_external or self._server is None:
            return
        now = ua.DateTime.now(UTC)
        for item, status in zip(
            event.request_params.NodesToWrite, event.response_params, strict=False
        ):
            point = self._by_node_id.get(item.NodeId)
            if point is None or item.AttributeId != ua.AttributeIds.Value or not status.is_good():
                continue
            try:
                self.model.write(point.name, item.Value.Value.Value)
            except WriteRefused as exc:
                log.debug("filler write refused: %s", exc)
            await self._store(point, self.model.read(point.name), now)


_UNSET = object()


async def _quiet_stop(server: Server) -> None:
    try:
        await server.stop()
    except Exception:  # a half-started server may not stop cleanly; nothing is left to free
        log.debug("OPC UA server stop failed", exc_info=True)


async def _install_self_signed_certificate(server: Server) -> None:
    """Give the server a fresh in-memory certificate for its application URI."""
    from asyncua.crypto import cert_gen
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key = cert_gen.generate_private_key()
    names = [
        x509.UniformResourceIdentifier(server.get_application_uri()),
        x509.DNSName(socket.gethostname()),
        x509.DNSName("localhost"),
    ]
    certificate = cert_gen.generate_self_signed_app_certificate(
        key,
        "Linea demo filler PLC",
        {},
        names,
        [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH],
    )
    server.iserver.certificate = certificate
    server.iserver.private_key = key
