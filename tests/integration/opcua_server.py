"""An asyncua server for the OPC UA driver tests, and the helpers that run a driver on it.

asyncua servers take about two seconds to initialise, so each test module shares one
plain server (and one secure-only server) built from ``LinePlc``; only the tests that stop
a server own one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from asyncua import Server, ua
from asyncua.crypto.cert_gen import setup_self_signed_certificate
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.user_managers import UserManager
from cryptography.x509.oid import ExtendedKeyUsageOID

from drivers.opcua import OpcUaDriver
from drivers.opcua.types import LINEA_TYPE
from hmi.core.driver import DeviceStatus, DriverContext
from hmi.core.project.models import DataType, DeviceConfig, ScanClass, TagConfig
from tests.helpers import RecordingSink

NAMESPACE = "urn:linea:test"
SCANS = {
    "fast": ScanClass("fast", 0.1),
    "normal": ScanClass("normal", 0.5),
    "slow": ScanClass("slow", 30.0),
}
TIMEOUT = 1.0  # the driver's request timeout in these tests
USER, PASSWORD = "operator", "secret"

# name -> (initial value, variant type, writable by clients)
VARIABLES: dict[str, tuple[object, ua.VariantType, bool]] = {
    "Speed": (1.5, ua.VariantType.Double, True),
    "Count": (7, ua.VariantType.Int32, True),
    "Level": (10, ua.VariantType.UInt16, True),
    "Label": ("idle", ua.VariantType.String, True),
    "Running": (False, ua.VariantType.Boolean, True),
    "Ratio": (0.5, ua.VariantType.Float, True),
    "Locked": (3.0, ua.VariantType.Double, False),
    "Guarded": (4.0, ua.VariantType.Double, True),
    "Clamped": (0.0, ua.VariantType.Double, True),
    "Polled": (0.0, ua.VariantType.Double, False),
    "A": (0.0, ua.VariantType.Double, False),
    "B": (0.0, ua.VariantType.Double, False),
    "C": (0.0, ua.VariantType.Double, False),
    "Sensor": (20.0, ua.VariantType.Double, False),
    "Restart": (1.0, ua.VariantType.Double, False),
    # for the type checks
    "Small": (-5, ua.VariantType.Int16, False),
    "Tiny": (200, ua.VariantType.Byte, False),
    "Big": (2**40, ua.VariantType.Int64, False),
    "Stamp": (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), ua.VariantType.DateTime, False),
    "Text": (ua.LocalizedText("Cola"), ua.VariantType.LocalizedText, False),
    "Series": ([1, 2, 3], ua.VariantType.Int32, False),
    "Anything": (5, ua.VariantType.Int16, False),  # DataType BaseDataType: values decide
    "Liar": (7, ua.VariantType.Int32, False),  # DataType Int32; ``set`` may send another type
}
# DataType of a variable when it is not its value's type
DATA_TYPES = {"Anything": ua.NodeId(ua.ObjectIds.BaseDataType)}


class Users(UserManager):
    """Anonymous clients may connect; a named one needs the right password."""

    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username is None or (username, password) == (USER, PASSWORD):
            return User(role=UserRole.User)
        return None


def refuse_writes(node, attr, value) -> None:
    """A value setter that answers like a PLC whose variable is locked against writes."""
    raise ua.uaerrors.BadNotWritable


def clamp_to_100(node, attr, value) -> None:
    """A value setter that keeps at most 100, as a PLC limiting a setpoint would."""
    clamped = min(value.Value.Value, 100.0)
    node.attributes[attr].value = ua.DataValue(ua.Variant(clamped, ua.VariantType.Double))


class LinePlc:
    """An asyncua server with the ``Line`` object; initialised now, listening on ``start``."""

    def __init__(self, port: int, values: dict[str, object] | None = None):
        self.port = port
        self.endpoint = f"opc.tcp://127.0.0.1:{port}/linea"
        self.values = values or {}
        self.server = Server(user_manager=Users())
        self.nodes: dict[str, object] = {}
        self.cert_path: Path | None = None

    async def init(self, pki: Path | None = None) -> LinePlc:
        server = self.server
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("Linea test PLC")
        if pki is None:
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        else:
            await self._secure(pki)
        ns = await server.register_namespace(NAMESPACE)
        line = await server.nodes.objects.add_object(ns, "Line")
        for name, (value, vtype, writable) in VARIABLES.items():
            value = self.values.get(name, value)
            node = await line.add_variable(
                f"ns={ns};s=Line.{name}",
                name,
                ua.Variant(value, vtype),
                datatype=DATA_TYPES.get(name),
            )
            if writable:
                await node.set_writable()
            self.nodes[name] = node
        speed = self.nodes["Speed"]  # an analog item: units and range as properties
        units = ua.EUInformation(DisplayName=ua.LocalizedText("m/min"))
        await speed.add_property(ns, "EngineeringUnits", units)
        await speed.add_property(ns, "EURange", ua.Range(0.0, 600.0))
        server.set_attribute_value_setter(self.nodes["Guarded"].nodeid, refuse_writes)
        server.set_attribute_value_setter(self.nodes["Clamped"].nodeid, clamp_to_100)
        return self

    async def _secure(self, pki: Path) -> None:
        uri = "urn:linea:test:plc"
        pki.mkdir(parents=True, exist_ok=True)
        key, cert = pki / "server_key.pem", pki / "server_cert.der"
        await setup_self_signed_certificate(
            key, cert, uri, socket.gethostname(), [ExtendedKeyUsageOID.SERVER_AUTH], {}
        )
        await self.server.set_application_uri(uri)
        self.cert_path = cert
        await self.server.load_certificate(str(cert))
        await self.server.load_private_key(str(key))
        self.server.set_security_policy(
            [
                ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,
                ua.SecurityPolicyType.Basic256Sha256_Sign,
            ]
        )

    async def start(self) -> LinePlc:
        await self.server.start()
        return self

    async def stop(self) -> None:
        await self.server.stop()

    async def set(
        self, name: str, value: object, status: int = 0, vtype: ua.VariantType | None = None
    ) -> None:
        """Change a value as the PLC would. With ``vtype`` the value goes out with that type
        whatever the node's DataType says, as from a server that does not check (asyncua's
        own write refuses it, so the value is stored under it and its subscribers told)."""
        dv = ua.DataValue(
            ua.Variant(value, vtype or VARIABLES[name][1]),
            StatusCode=ua.StatusCode(status),
            SourceTimestamp=dt.datetime.now(dt.UTC),
        )
        if vtype is None:
            await self.server.write_attribute_value(self.nodes[name].nodeid, dv)
            return
        node = self.server.iserver.aspace[self.nodes[name].nodeid]
        held = node.attributes[ua.AttributeIds.Value]
        held.value = dv
        for handle, notify in list(held.datachange_callbacks.items()):
            await notify(handle, dv)

    async def get(self, name: str) -> object:
        return await self.nodes[name].read_value()


class FreezingProxy:
    """A TCP relay that can stop passing bytes while keeping the sockets open: a hung PLC."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.frozen = False
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> FreezingProxy:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if not self.frozen:
                    writer.write(data)
                    await writer.drain()
        finally:
            writer.close()


def tag(name: str, node: str | None = None, scan: str = "fast", **kw) -> TagConfig:
    """A tag on ``Line.<node>``, of the type its node suggests unless ``data_type`` says."""
    address = kw.pop("address", f"ns=2;s=Line.{node or name}")
    known = VARIABLES.get(node or "")
    data_type = kw.pop("data_type", LINEA_TYPE[known[1]] if known else DataType.FLOAT64)
    return TagConfig(name, data_type, device="plc", address=address, scan_class=scan, **kw)


@asynccontextmanager
async def running(
    endpoint: str, tags: list[TagConfig], data_dir: Path, **options
) -> AsyncIterator[tuple[OpcUaDriver, RecordingSink]]:
    device = DeviceConfig("plc", "opcua", {"endpoint": endpoint, "timeout": TIMEOUT, **options})
    sink = RecordingSink()
    driver = OpcUaDriver(DriverContext(device, tags, SCANS, sink, data_dir=str(data_dir)))
    await driver.start()
    try:
        yield driver, sink
    finally:
        await driver.stop()


def good(sink: RecordingSink, name: str, value: object = None) -> bool:
    tv = sink.latest.get(name)
    return tv is not None and tv.good and (value is None or tv.value == value)


def statuses(sink: RecordingSink) -> list[DeviceStatus]:
    """The changes of status (a new reason within one outage is reported, not a change)."""
    changes: list[DeviceStatus] = []
    for state in sink.states:
        if not changes or changes[-1] is not state.status:
            changes.append(state.status)
    return changes
