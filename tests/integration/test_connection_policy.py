"""The connection policy on a running runtime: a PLC whose server stops goes Bad with the
reason at once, is demoted after a few failed cycles while a healthy device on the same
runtime keeps its scan rate, and is back within 5 s of its server returning on the same
port. Default policy options throughout; real pymodbus and asyncua servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from asyncua import Server, ua
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType as SimType
from pymodbus.simulator import SimData, SimDevice

from hmi.core.connection import RECOVERY_TARGET
from hmi.core.driver import DeviceStatus
from hmi.core.project.models import DataType, DeviceConfig, Project, ScanClass, TagConfig
from hmi.core.runtime import Runtime
from hmi.core.tags import Quality
from tests.helpers import free_port

pytestmark = pytest.mark.slow

FAST = 0.1  # s: the healthy device's scan period
NAMESPACE = "urn:linea:policy"


async def modbus_server(port: int, value: int) -> ModbusTcpServer:
    device = SimDevice(
        id=1, simdata=[SimData(0, count=20, values=value, datatype=SimType.REGISTERS)]
    )
    server = ModbusTcpServer(device, address=("127.0.0.1", port))
    await server.serve_forever(background=True)
    return server


async def opcua_server(port: int, value: float) -> Server:
    """Initialised, not yet listening: ``start()`` it (initialising takes a while)."""
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/policy")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    ns = await server.register_namespace(NAMESPACE)
    line = await server.nodes.objects.add_object(ns, "Line")
    await line.add_variable(
        f"ns={ns};s=Line.Speed", "Speed", ua.Variant(value, ua.VariantType.Double)
    )
    return server


def modbus_device(name: str, port: int) -> DeviceConfig:
    return DeviceConfig(name, "modbus", {"host": "127.0.0.1", "port": port})


def project_of(devices: list[DeviceConfig], tags: list[TagConfig]) -> Project:
    return Project(
        "policy",
        ".",
        devices={d.name: d for d in devices},
        tags={t.name: t for t in tags},
        scan_classes={"fast": ScanClass("fast", FAST)},
    )


def register_tags(device: str, count: int = 10) -> list[TagConfig]:
    return [
        TagConfig(f"{device}.r{i}", DataType.UINT16, device, f"hr:{i}", scan_class="fast")
        for i in range(count)
    ]


async def until(predicate: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until ``predicate`` held, polled every 10 ms; fails after ``timeout``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


class Watched:
    """A runtime on its own thread, read from the test's loop (where the servers live)."""

    def __init__(self, project: Project, data_dir) -> None:
        self.runtime = Runtime(project, data_dir)

    async def __aenter__(self) -> Watched:
        await asyncio.to_thread(self.runtime.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.runtime.stop)

    def value(self, name: str):
        return self.runtime.engine.values.get(name)

    def good(self, name: str, value: object = None) -> bool:
        tv = self.value(name)
        return tv is not None and tv.good and (value is None or tv.value == value)

    def bad(self, name: str) -> bool:
        tv = self.value(name)
        return tv is not None and tv.quality is Quality.BAD

    def status(self, device: str) -> DeviceStatus | None:
        state = self.runtime.engine.device_states.get(device)
        return state.status if state is not None else None

    def reason(self, device: str) -> str:
        state = self.runtime.engine.device_states.get(device)
        return state.reason if state is not None else ""

    def driver(self, device: str):
        return self.runtime.engine.drivers[device]


async def scan_rate_during(watched: Watched, device: str, seconds: float) -> float:
    """Cycles per second of a Modbus device's fast scan over ``seconds``."""
    stats = watched.driver(device).stats.scans["fast"]
    cycles = stats.cycles
    await asyncio.sleep(seconds)
    return (stats.cycles - cycles) / seconds


async def restart_after_a_probe(watched: Watched, device: str, start) -> float:
    """Bring the server back just after a failed probe of the demoted device (the worst
    moment: the whole wait lies ahead) and return the seconds until its tag is Good."""
    policy = watched.driver(device).connection
    failures = policy.failures
    await until(lambda: policy.failures > failures, 2 * policy.policy.demote_for, "a probe")
    back_at = time.monotonic()
    await start()
    return back_at


async def test_a_modbus_plc_that_stops_is_demoted_and_back_within_5_s(tmp_path):
    healthy_port, victim_port = free_port(), free_port()
    healthy = await modbus_server(healthy_port, 7)
    victim = await modbus_server(victim_port, 11)
    project = project_of(
        [modbus_device("healthy", healthy_port), modbus_device("victim", victim_port)],
        register_tags("healthy") + register_tags("victim"),
    )
    restarted: ModbusTcpServer | None = None
    try:
        async with Watched(project, tmp_path) as watched:
            await until(lambda: watched.good("victim.r0", 11), 5, "victim online")
            await until(lambda: watched.good("healthy.r0", 7), 5, "healthy online")
            normal_rate = await scan_rate_during(watched, "healthy", 1.0)
            policy = watched.driver("victim").connection.policy

            await victim.shutdown()
            stopped = time.monotonic()
            await until(lambda: watched.bad("victim.r9"), policy.timeout, "victim Bad")
            reason = watched.value("victim.r0").reason
            assert reason and (
                "closed by the device" in reason or "connection refused" in reason
            ), reason
            assert watched.value("victim.r0").value == 11  # the last value, marked Bad

            waited = await until(
                lambda: watched.status("victim") is DeviceStatus.DEMOTED, 5, "demoted"
            )
            assert watched.driver("victim").connection.failures == policy.demote_after
            # the first failures back off between reconnect_min and reconnect_max each
            assert (policy.demote_after - 1) * policy.reconnect_min <= time.monotonic() - stopped
            assert waited <= (policy.demote_after - 1) * policy.reconnect_max + 1
            assert "connection refused" in watched.reason("victim")

            # the dead device is probed rarely; the healthy one keeps its pace meanwhile
            outage_rate = await scan_rate_during(watched, "healthy", 2 * policy.demote_for)
            assert outage_rate >= 0.9 / FAST and outage_rate >= 0.9 * normal_rate
            assert watched.good("healthy.r5", 7)
            connects = watched.driver("victim").stats.connects
            assert connects <= policy.demote_after + 3  # ~1 probe per demote_for

            async def start() -> None:
                nonlocal restarted
                restarted = await modbus_server(victim_port, 12)

            back_at = await restart_after_a_probe(watched, "victim", start)
            await until(lambda: watched.good("victim.r0", 12), RECOVERY_TARGET, "back")
            assert time.monotonic() - back_at <= RECOVERY_TARGET
            await until(lambda: watched.status("victim") is DeviceStatus.ONLINE, 1, "online")
            assert watched.driver("victim").connection.failures == 0
    finally:
        await healthy.shutdown()
        if restarted is not None:
            await restarted.shutdown()


@pytest.mark.timeout(60)
async def test_an_opcua_server_that_stops_is_demoted_and_back_within_5_s(tmp_path):
    healthy_port, ua_port = free_port(), free_port()
    healthy = await modbus_server(healthy_port, 7)
    first = await opcua_server(ua_port, 1.5)
    second = await opcua_server(ua_port, 2.5)  # the same server after a restart
    await first.start()
    endpoint = f"opc.tcp://127.0.0.1:{ua_port}/policy"
    ua_device = DeviceConfig("filler", "opcua", {"endpoint": endpoint})
    speed = TagConfig(
        "filler.speed", DataType.FLOAT64, "filler", "ns=2;s=Line.Speed", scan_class="fast"
    )
    project = project_of(
        [modbus_device("healthy", healthy_port), ua_device], [*register_tags("healthy"), speed]
    )
    second_started = False
    try:
        async with Watched(project, tmp_path) as watched:
            await until(lambda: watched.good("filler.speed", 1.5), 10, "filler online")
            await until(lambda: watched.good("healthy.r0", 7), 5, "healthy online")
            normal_rate = await scan_rate_during(watched, "healthy", 1.0)
            connection = watched.driver("filler").connection
            policy = connection.policy

            await first.stop()
            await until(lambda: watched.bad("filler.speed"), policy.timeout, "filler Bad")
            reason = watched.value("filler.speed").reason
            assert "connection lost" in reason or "connection refused" in reason, reason
            assert watched.status("filler") in (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED)

            await until(lambda: watched.status("filler") is DeviceStatus.DEMOTED, 6, "demoted")
            assert connection.failures == policy.demote_after
            assert "connection refused" in watched.reason("filler")

            outage_rate = await scan_rate_during(watched, "healthy", 2 * policy.demote_for)
            assert outage_rate >= 0.9 / FAST and outage_rate >= 0.9 * normal_rate
            assert watched.bad("filler.speed")  # still Bad, no stale Good in between

            async def start() -> None:
                nonlocal second_started
                await second.start()
                second_started = True

            back_at = await restart_after_a_probe(watched, "filler", start)
            await until(lambda: watched.good("filler.speed", 2.5), RECOVERY_TARGET, "back")
            assert time.monotonic() - back_at <= RECOVERY_TARGET
            assert watched.status("filler") is DeviceStatus.ONLINE
            assert connection.failures == 0
    finally:
        await healthy.shutdown()
        if second_started:
            await second.stop()
