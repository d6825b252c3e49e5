"""The demo plant runs work orders over its real protocols: the order data written to the
press's Modbus order block and the filler's OPC UA ``Mes`` object, as the HMI downloads
them, start the order; the lines produce it to its target and wait for the next.

The plant runs model time 20x faster than wall time; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import struct

import pytest
import pytest_asyncio
from asyncua import Client, ua
from pymodbus.client import AsyncModbusTcpClient

from drivers.simulator import Plant
from drivers.simulator.filler import StopReason
from drivers.simulator.press import PressWait
from tests.helpers import free_port

pytestmark = pytest.mark.asyncio(loop_scope="module")

UNIT = 1
SPEED = 20.0


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def plant():
    plant = Plant(modbus_port=free_port(), opcua_port=free_port(), seed=8, speed=SPEED)
    plant.press.calm()
    plant.filler.calm()
    async with plant:
        yield plant


async def until(check, seconds: float, what: str) -> None:
    """Poll ``check`` (a coroutine function) every 0.1 s for at most ``seconds``."""
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"{what} not within {seconds} s")


def registers(fmt: str, *values) -> list[int]:
    raw = struct.pack(fmt, *values)
    return list(struct.unpack(f">{len(raw) // 2}H", raw))


async def test_press_idles_then_presses_a_downloaded_order_to_its_target(plant):
    client = AsyncModbusTcpClient("127.0.0.1", port=plant.modbus.port, timeout=2, retries=0)
    assert await client.connect()

    async def holding(address: int, count: int) -> list[int]:
        response = await client.read_holding_registers(address, count=count, device_id=UNIT)
        assert not response.isError(), response
        return response.registers

    async def write(address: int, values: list[int]) -> None:
        response = await client.write_registers(address, values, device_id=UNIT)
        assert not response.isError(), response

    try:
        state, _fault, _status, _phase, wait = await holding(0, 5)
        assert (state, wait) == (1, PressWait.NO_ORDER)  # idle: no order yet
        # the order block as the HMI writes it: die, alloy, billet mm, kg × 10, g/m, m
        await write(30, [1204])
        await write(31, list(struct.unpack(">4H", b"6060\0\0\0\0")))
        await write(35, [800])
        await write(36, [538])  # 53.8 kg
        await write(37, registers(">f", 850.0))
        await write(39, registers(">f", 6.5))
        assert plant.press.order_billet_weight == pytest.approx(53.8)

        async def nine_per_billet() -> bool:  # profiles per billet from those data
            return (await holding(16, 1))[0] == 9

        await until(nine_per_billet, 2, "9 profiles per billet published")
        refused = await client.write_registers(43, [0, 5], device_id=UNIT)  # order_good
        assert refused.isError() and refused.exception_code == 2
        before = struct.unpack(">I", struct.pack(">2H", *await holding(10, 2)))[0]
        await write(41, registers(">I", 9))  # the target, last: the order starts

        async def done() -> bool:
            block = await holding(0, 5)
            return block[0] == 1 and block[4] == PressWait.ORDER_DONE

        await until(done, 15, "the order done")
        good = struct.unpack(">I", struct.pack(">2H", *await holding(43, 2)))[0]
        after = struct.unpack(">I", struct.pack(">2H", *await holding(10, 2)))[0]
        assert 9 <= good < 18 and after - before == good  # one or two billets of 9
        bits = (await client.read_discrete_inputs(0, count=9, device_id=UNIT)).bits
        assert bits[0] is False and bits[8] is False  # not running, no order active
    finally:
        client.close()


async def test_filler_fills_a_downloaded_order_and_says_why_it_waits(plant):
    async with Client(plant.opcua_endpoint, timeout=4) as client:

        def node(path: str):
            return client.get_node(f"ns=2;s={path}")

        assert await node("Filler.State").read_value() == 1
        assert await node("Filler.StopReason").read_value() == StopReason.NO_ORDER
        await node("Mes.Order.Product").write_value(ua.Variant("Cola", ua.VariantType.String))
        await node("Mes.Order.BottleSize").write_value(ua.Variant(0.5, ua.VariantType.Double))
        await node("Mes.Order.Target").write_value(ua.Variant(300, ua.VariantType.UInt32))
        filled = await node("Filler.Counters.Filled").read_value()

        async def done() -> bool:
            return await node("Filler.StopReason").read_value() == StopReason.NO_ORDER and (
                await node("Mes.Order.Good").read_value() >= 300
            )

        await until(done, 15, "the filling order done")
        assert await node("Mes.Order.Active").read_value() is False
        assert await node("Mes.Line.Starved").read_value() is False
        assert await node("Mes.Line.Blocked").read_value() is False
        await asyncio.sleep(1.0)  # the filler runs down
        good = await node("Mes.Order.Good").read_value()
        assert 300 <= good <= 340
        assert await node("Filler.Counters.Filled").read_value() - filled == good
        assert await node("Filler.Product").read_value() == "Cola 0.5 L"
        await node("Mes.Order.Product").write_value(ua.Variant("", ua.VariantType.String))
        assert await node("Mes.Order.Product").read_value() == "Cola"  # refused: put back
