"""How the link waits for an answer: a lost connection ends the wait at once, and only
the wait; a timeout is repeated as often as asked. The device side is a client stand-in
whose answers the test releases itself (the protocol itself is tested against real
servers in tests/integration/test_modbus_driver.py)."""

import asyncio

import pytest
from pymodbus.pdu.register_message import ReadHoldingRegistersResponse

from drivers.modbus.address import Area
from drivers.modbus.link import Link, LinkCounters, LinkError
from drivers.modbus.options import ModbusOptions
from hmi.core.connection import ConnectionPolicy


class Answers:
    """A client whose each read waits for the test to answer it."""

    connected = True

    def __init__(self) -> None:
        self.pending: list[asyncio.Future] = []

    def read_holding_registers(self, address, count, device_id):
        future = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        return self._wait(future)

    @staticmethod
    async def _wait(future):
        return await future

    def close(self) -> None:
        pass


def link_to(client: Answers, timeout: float = 5.0) -> Link:
    policy = ConnectionPolicy(timeout=timeout)
    link = Link(ModbusOptions(host="127.0.0.1", connection=policy), LinkCounters())
    link._client = client
    link._lost = asyncio.get_running_loop().create_future()
    return link


def answer(registers: list[int]) -> ReadHoldingRegistersResponse:
    response = ReadHoldingRegistersResponse(registers=registers)
    response.function_code = 3
    return response


async def test_a_lost_connection_ends_the_wait_at_once():
    client = Answers()
    link = link_to(client)
    read = asyncio.create_task(link.read(Area.HOLDING, 0, 2, attempts=3))
    await asyncio.sleep(0.01)
    link._lost.set_result(None)
    with pytest.raises(LinkError, match="closed by the device"):
        await asyncio.wait_for(read, 1.0)


async def test_a_loss_right_after_the_answer_leaves_the_caller_alone():
    client = Answers()
    link = link_to(client)

    async def read_then_sleep():
        registers = await link.read(Area.HOLDING, 0, 2, attempts=1)
        await asyncio.sleep(0.05)  # a cancel meant for the read must not land here
        return registers

    caller = asyncio.create_task(read_then_sleep())
    await asyncio.sleep(0.01)
    client.pending[0].set_result(answer([1, 2]))
    link._lost.set_result(None)  # in the same turn of the loop as the answer
    assert await asyncio.wait_for(caller, 1.0) == [1, 2]


async def test_a_caller_cancelled_while_waiting_is_cancelled():
    client = Answers()
    link = link_to(client)
    read = asyncio.create_task(link.read(Area.HOLDING, 0, 2, attempts=1))
    await asyncio.sleep(0.01)
    read.cancel()
    with pytest.raises(asyncio.CancelledError):
        await read
    assert not link._lost.done() and link._lost._callbacks in (None, [])


async def test_an_unanswered_request_is_sent_again_then_fails():
    client = Answers()
    link = link_to(client, timeout=0.05)
    with pytest.raises(LinkError, match=r"timeout after 0\.05 s"):
        await asyncio.wait_for(link.read(Area.HOLDING, 0, 2, attempts=3), 2.0)
    assert len(client.pending) == 3 and link.counters.requests == 3
    assert all(future.cancelled() for future in client.pending)
