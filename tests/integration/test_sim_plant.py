"""The demo plant over real protocols: a raw pymodbus client and an asyncua client on loopback.

One plant serves the whole module, running model time 20x faster than wall time, producing
from the start (``orders=False``); test_sim_orders.py runs it with work orders.
"""

from __future__ import annotations

import asyncio
import socket
import struct

import pytest
import pytest_asyncio
from asyncua import Client, ua
from asyncua.crypto import cert_gen
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from pymodbus.client import AsyncModbusTcpClient

from drivers.simulator import Plant, PlantError, run_plant
from drivers.simulator.opcua_server import NAMESPACE
from tests.helpers import free_port, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNIT = 1
SPEED = 20.0


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def plant():
    plant = Plant(
        modbus_port=free_port(),
        opcua_port=free_port(),
        seed=42,
        speed=SPEED,
        opcua_secure=True,
        orders=False,
    )
    plant.press.calm()
    plant.filler.calm()
    async with plant:
        yield plant
    assert not plant.running


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def modbus(plant):
    client = AsyncModbusTcpClient("127.0.0.1", port=plant.modbus.port, timeout=2, retries=0)
    assert await client.connect()
    yield client
    client.close()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def opcua(plant):
    async with Client(plant.opcua_endpoint, timeout=4) as client:
        yield client


async def holding(client: AsyncModbusTcpClient, address: int, count: int) -> list[int]:
    response = await client.read_holding_registers(address, count=count, device_id=UNIT)
    assert not response.isError(), response
    return response.registers


async def inputs(client: AsyncModbusTcpClient, address: int, count: int) -> list[int]:
    response = await client.read_input_registers(address, count=count, device_id=UNIT)
    assert not response.isError(), response
    return response.registers


def unpack(fmt: str, registers: list[int]):
    return struct.unpack(fmt, struct.pack(f">{len(registers)}H", *registers))


async def float32(client: AsyncModbusTcpClient, address: int) -> float:
    return unpack(">f", await holding(client, address, 2))[0]


def float32_registers(value: float) -> list[int]:
    return list(struct.unpack(">2H", struct.pack(">f", value)))


# -- Line 1 over Modbus TCP --------------------------------------------------------------------


async def test_press_values_move_and_counters_count(modbus):
    counters = await holding(modbus, 10, 6)  # profiles, billets, scrap: uint32 each
    profiles = unpack(">3I", counters)[0]
    positions = set()

    async def profiles_counted() -> bool:
        positions.add(unpack(">i", await inputs(modbus, 2, 2))[0])
        return unpack(">I", await holding(modbus, 10, 2))[0] > profiles

    deadline = asyncio.get_running_loop().time() + 8
    while not await profiles_counted():
        assert asyncio.get_running_loop().time() < deadline, "no profile counted"
        await asyncio.sleep(0.1)
    assert len(positions) > 1  # the ram moved
    assert 440.0 < await float32(modbus, 100) < 520.0  # billet temperature


async def test_press_serves_every_register_type(modbus):
    block = await holding(modbus, 0, 25)  # one read across unused registers, as a driver merges
    state, fault, status, _phase = block[:4]
    assert state == 2 and fault == 0 and status & 1
    assert struct.pack(">4H", *block[21:25]).rstrip(b"\0") == b"6060"
    assert block[20] == 1204  # die number
    (energy,) = unpack(">d", await holding(modbus, 120, 4))
    assert energy > 815_000.0
    raw = await inputs(modbus, 0, 14)
    (container_tenths,) = unpack(">h", raw[0:1])
    assert 4150 <= container_tenths <= 4500
    (run_seconds,) = unpack(">q", raw[6:10])
    (extruded_mm,) = unpack(">Q", raw[10:14])
    assert run_seconds >= 3_600_000 and extruded_mm > 2**32
    bits = await modbus.read_discrete_inputs(0, count=6, device_id=UNIT)
    assert bits.bits[0] is True and bits.bits[1] is False


async def test_press_follows_a_setpoint_written_over_modbus(modbus, plant):
    written = await modbus.write_registers(200, float32_registers(18.0), device_id=UNIT)
    assert not written.isError()
    assert plant.press.ram_speed_sp == 18.0
    assert await float32(modbus, 200) == 18.0

    async def ram_at_setpoint() -> bool:
        return abs(await float32(modbus, 106) - 18.0) < 0.3

    deadline = asyncio.get_running_loop().time() + 8
    while not await ram_at_setpoint():
        assert asyncio.get_running_loop().time() < deadline, "ram never reached 18 mm/s"
        await asyncio.sleep(0.1)
    await modbus.write_registers(200, float32_registers(12.0), device_id=UNIT)


async def test_press_answers_bad_writes_with_modbus_exceptions(modbus, plant):
    too_fast = await modbus.write_registers(200, float32_registers(60.0), device_id=UNIT)
    assert too_fast.isError() and too_fast.exception_code == 3  # illegal data value
    read_only = await modbus.write_register(0, 4, device_id=UNIT)
    assert read_only.isError() and read_only.exception_code == 2  # illegal data address
    no_coil = await modbus.write_coil(7, True, device_id=UNIT)
    assert no_coil.isError() and no_coil.exception_code == 2
    assert plant.press.ram_speed_sp == 12.0
    assert (await holding(modbus, 0, 1))[0] == 2


async def test_press_obeys_stop_and_start_coils(modbus, plant):
    assert not (await modbus.write_coil(1, True, device_id=UNIT)).isError()
    coils = await modbus.read_coils(0, count=3, device_id=UNIT)
    assert coils.bits[:3] == [False, True, False]  # held for read-back, cleared later
    await wait_for(lambda: plant.press.state == 0)

    async def published(state: int, running: bool) -> bool:
        registers = await holding(modbus, 0, 3)
        di = (await modbus.read_discrete_inputs(0, count=1, device_id=UNIT)).bits[0]
        return registers[0] == state and registers[2] & 1 == running and di is running

    await asyncio.sleep(0.15)
    assert await published(0, False)
    assert not (await modbus.write_coil(0, True, device_id=UNIT)).isError()
    await asyncio.sleep(0.15)
    assert await published(2, True)
    await wait_for(lambda: not plant.press.cmd_start, timeout=2)


# -- Line 2 over OPC UA ------------------------------------------------------------------------


def node(client: Client, path: str):
    return client.get_node(f"ns=2;s=Filler.{path}")


async def test_filler_namespace_is_index_2_and_values_count(opcua):
    assert await opcua.get_namespace_index(NAMESPACE) == 2
    assert 0.0 < await node(opcua, "Tank.Level").read_value() <= 100.0
    assert await node(opcua, "Product").read_value() == "Cola 0.5 L"
    assert await node(opcua, "Counters.Filled").read_data_type_as_variant_type() == (
        ua.VariantType.UInt32
    )
    filled = await node(opcua, "Counters.Filled").read_value()
    for _ in range(50):
        await asyncio.sleep(0.1)
        if await node(opcua, "Counters.Filled").read_value() > filled:
            break
    else:
        pytest.fail("no bottle counted in 5 s")


async def test_filler_follows_a_setpoint_and_keeps_refused_ones_out(opcua, plant):
    setpoint = node(opcua, "SpeedSetpoint")
    await setpoint.write_value(ua.Variant(300.0, ua.VariantType.Double))
    assert plant.filler.filler_speed_sp == 300.0
    speed = node(opcua, "Speed")
    for _ in range(50):
        if await speed.read_value() == 300.0:
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail("filler never slowed to 300 bottles/min")
    await setpoint.write_value(ua.Variant(900.0, ua.VariantType.Double))
    assert await setpoint.read_value() == 300.0  # the PLC put its own value back
    with pytest.raises(ua.UaStatusCodeError):
        await node(opcua, "Speed").write_value(ua.Variant(1.0, ua.VariantType.Double))
    await setpoint.write_value(ua.Variant(400.0, ua.VariantType.Double))


async def test_filler_obeys_command_variables(opcua, plant):
    state = node(opcua, "State")
    await node(opcua, "Commands.Stop").write_value(True)
    assert plant.filler.state == 0
    await asyncio.sleep(0.15)
    assert await state.read_value() == 0 and await node(opcua, "Running").read_value() is False
    await node(opcua, "Commands.Start").write_value(True)
    await asyncio.sleep(0.15)
    assert await state.read_value() == 2


async def test_filler_accepts_basic256sha256(plant):
    client = Client(plant.opcua_endpoint, timeout=4)
    key = cert_gen.generate_private_key()
    certificate = cert_gen.generate_self_signed_app_certificate(
        key,
        "test client",
        {},
        [x509.UniformResourceIdentifier(client.application_uri)],
        [ExtendedKeyUsageOID.CLIENT_AUTH],
    )
    await client.set_security(
        SecurityPolicyBasic256Sha256,
        certificate.public_bytes(serialization.Encoding.DER),
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        mode=ua.MessageSecurityMode.SignAndEncrypt,
    )
    async with client:
        assert 0.0 < await node(client, "Tank.Level").read_value() <= 100.0


# -- lifecycle ---------------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


async def test_run_plant_stops_cleanly_when_cancelled():
    modbus_port, opcua_port = free_port(), free_port()
    ready = asyncio.Event()
    task = asyncio.create_task(
        run_plant(modbus_port=modbus_port, opcua_port=opcua_port, on_ready=lambda _: ready.set())
    )
    await asyncio.wait_for(ready.wait(), timeout=10)
    assert not port_is_free(modbus_port) and not port_is_free(opcua_port)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=5)
    assert port_is_free(modbus_port) and port_is_free(opcua_port)


@pytest.mark.parametrize("server", ["Modbus", "OPC UA"])
async def test_plant_says_which_port_is_taken(server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ports = {"modbus_port": free_port(), "opcua_port": free_port()}
        ports["modbus_port" if server == "Modbus" else "opcua_port"] = port
        plant = Plant(**ports)
        with pytest.raises(PlantError, match=f"{server} server cannot listen on 127.0.0.1:{port}"):
            await plant.start()
        assert not plant.running


async def test_hmi_sim_restarted_keeps_the_order_its_lines_were_given():
    """``hmi sim`` (run_plant) keeps the PLCs' order blocks in the data folder: the plant
    that ``hmi demo`` starts anew goes on with the orders the HMI still has running."""
    modbus_port, opcua_port = free_port(), free_port()
    seen: list[tuple[int, int, bool]] = []

    def give_orders(plant) -> None:
        plant.filler.write("order_target", 12_000)
        plant.press.write("order_target", 240)

    def look(plant) -> None:
        seen.append((plant.filler.order_target, plant.press.order_target, plant.filler.free_run))

    await run_plant(
        modbus_port=modbus_port, opcua_port=opcua_port, seconds=0.3, on_ready=give_orders
    )
    await run_plant(modbus_port=modbus_port, opcua_port=opcua_port, seconds=0.1, on_ready=look)
    assert seen == [(12_000, 240, False)]
    await run_plant(  # another plant (other ports) starts without them
        modbus_port=free_port(), opcua_port=free_port(), seconds=0.1, on_ready=look
    )
    assert seen[1][:2] == (0, 0)
