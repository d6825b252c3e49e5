"""One connection to a Modbus device, with pymodbus kept at arm's length.

Everything that knows pymodbus lives here. A request ends in one of three ways: values, a
``DeviceAnswer`` (the device refused it, the connection is fine), or a ``LinkError`` whose
reason an operator can read (the connection is dropped). When to connect again is the
driver's connection policy (``hmi.core.connection``), not the link's. One request at a
time: whoever talks through the link holds ``lock``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import struct
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.client.base import ModbusBaseClient
from pymodbus.exceptions import ConnectionException, ModbusException
from pymodbus.framer import FramerType
from pymodbus.pdu import DecodePDU, ModbusPDU
from pymodbus.pdu.register_message import (
    ReadHoldingRegistersResponse,
    ReadInputRegistersResponse,
)

from .address import Area
from .frames import unanswered
from .options import ModbusOptions

log = logging.getLogger(__name__)

EXCEPTION_TEXT = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "server device failure",
    5: "acknowledge",
    6: "server device busy",
    7: "negative acknowledge",
    8: "memory parity error",
    10: "gateway path unavailable",
    11: "gateway target device failed to respond",
}
_READERS = {
    Area.HOLDING: ("read_holding_registers", 3),
    Area.INPUT: ("read_input_registers", 4),
    Area.COIL: ("read_coils", 1),
    Area.DISCRETE: ("read_discrete_inputs", 2),
}

Send = Callable[[ModbusBaseClient], Awaitable[ModbusPDU]]


class LinkError(Exception):
    """The device could not be talked to: the cycle fails and the connection is dropped."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class DeviceAnswer(Exception):
    """The device answered with a Modbus exception response."""

    def __init__(self, code: int):
        self.code = code
        super().__init__(f"Modbus exception {code}: {EXCEPTION_TEXT.get(code, 'unknown code')}")


def seconds_text(value: float) -> str:
    """A duration as reasons and log lines show it: ``0.2 s``."""
    return f"{round(value, 3)!r} s"


@dataclass
class LinkCounters:
    """What the link costs, for diagnostics and benchmarks."""

    requests: int = 0  # Modbus requests sent, repeats included
    connects: int = 0  # connection attempts


class Link:
    """A pymodbus client plus what it does not report: why a connect failed, a lost link.

    Three pymodbus 3.16 internals are used (the version is pinned): ``ctx.call_create`` is
    wrapped to keep the connect error, ``ctx.framer.decoder`` is replaced so that an
    undecodable frame becomes a response instead of an exception in the transport, and
    ``ctx.framer.handleFrame`` is wrapped to keep the bytes that came after a request, so
    a request left unanswered can say what came instead (``frames.unanswered``).
    """

    def __init__(self, options: ModbusOptions, counters: LinkCounters):
        self.options = options
        self.counters = counters
        self.lock = asyncio.Lock()
        self._client: ModbusBaseClient | None = None
        self._lost: asyncio.Future[None] | None = None
        self._sent = b""  # the newest request's frame
        self._received = b""  # every byte that came after it
        self._unused = b""  # of those, what the framer has not consumed yet

    @property
    def up(self) -> bool:
        return (
            self._client is not None
            and self._client.connected
            and self._lost is not None
            and not self._lost.done()
        )

    # -- connecting --

    async def ensure_connected(self, timeout: float) -> None:
        if not self.up:
            await self._connect(timeout)

    async def _connect(self, timeout: float) -> None:
        self.close()
        self.counters.connects += 1
        lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        client = self._new_client(lost)
        failure: list[BaseException] = []
        create = client.ctx.call_create

        async def create_and_remember() -> Any:
            try:
                return await create()
            except BaseException as exc:
                failure.append(exc)
                raise

        client.ctx.call_create = create_and_remember
        client.ctx.framer.decoder = _TolerantDecoder(False)
        handle_frame = client.ctx.framer.handleFrame

        def handle_and_keep(data: bytes, exp_devid: int, exp_tid: int) -> tuple[int, Any]:
            # ``data`` is what was left over last time plus what just arrived
            self._received += data[len(self._unused) :]
            used, pdu = handle_frame(data, exp_devid, exp_tid)
            self._unused = data[used:]
            return used, pdu

        client.ctx.framer.handleFrame = handle_and_keep  # type: ignore[method-assign]
        try:
            connected = await asyncio.wait_for(client.connect(), timeout)
        except TimeoutError:
            connected = False
        if not connected or lost.done():
            client.close()
            reason = _connect_reason(failure[-1] if failure else None, self.options, timeout)
            raise LinkError(f"no connection to {self.options.endpoint}: {reason}")
        self._client, self._lost = client, lost

    def _new_client(self, lost: asyncio.Future[None]) -> ModbusBaseClient:
        options = self.options

        def on_connect(up: bool) -> None:
            if not up and not lost.done():
                lost.set_result(None)

        def on_packet(sending: bool, data: bytes) -> bytes:
            if sending:
                self._sent = data
            return data

        common: dict[str, Any] = {
            # our own deadlines fire first; pymodbus must neither retry nor reconnect
            "timeout": max(options.timeout, options.connection.connect_timeout) * 2 + 1,
            "retries": 0,
            "reconnect_delay": 0,
            "trace_connect": on_connect,
            "trace_packet": on_packet,
        }
        if options.transport == "rtu":
            return AsyncModbusSerialClient(
                options.serial,
                framer=FramerType.RTU,
                baudrate=options.baudrate,
                bytesize=options.bytesize,
                parity=options.parity,
                stopbits=options.stopbits,
                **common,
            )
        return AsyncModbusTcpClient(options.host, port=options.port, **common)

    def close(self) -> None:
        client, self._client, self._lost = self._client, None, None
        if client is not None:
            client.close()

    # -- requests --

    async def read(self, area: Area, address: int, count: int, attempts: int) -> Sequence[int]:
        """``count`` registers or bits from ``address``, repeated after a timeout."""
        response = await self._read(area, address, count, attempts)
        if area.is_bits:
            return list(response.bits[:count])
        return response.registers

    async def read_words(self, area: Area, address: int, count: int, attempts: int) -> bytes:
        """``count`` registers from ``address`` as the bytes that came (big-endian words):
        what a block decodes from, and compares with the last poll's, without a list."""
        response = await self._read(area, address, count, attempts)
        if isinstance(response, _Words):
            return response.raw
        return struct.pack(f">{count}H", *response.registers)

    async def _read(self, area: Area, address: int, count: int, attempts: int) -> ModbusPDU:
        method, function_code = _READERS[area]
        unit = self.options.unit
        response = await self._exchange(
            lambda client: getattr(client, method)(address, count=count, device_id=unit),
            attempts,
        )
        _check(response, function_code)
        if area.is_bits:
            if len(response.bits) < count:
                raise LinkError(f"malformed response: {len(response.bits)} of {count} bits")
        elif len(response.registers) != count:
            raise LinkError(f"malformed response: {len(response.registers)} of {count} registers")
        return response

    async def write_coil(self, address: int, value: bool) -> None:
        """Sent once: a write that timed out may have landed."""
        unit = self.options.unit
        response = await self._exchange(
            lambda client: client.write_coil(address, value, device_id=unit), 1
        )
        _check(response, 5)

    async def write_registers(self, address: int, registers: list[int]) -> None:
        """Sent once, as function 6 for one register (which every device knows), else 16."""
        unit = self.options.unit
        if len(registers) == 1:
            response = await self._exchange(
                lambda client: client.write_register(address, registers[0], device_id=unit), 1
            )
            _check(response, 6)
        else:
            response = await self._exchange(
                lambda client: client.write_registers(address, registers, device_id=unit), 1
            )
            _check(response, 16)

    async def _exchange(self, send: Send, attempts: int) -> ModbusPDU:
        """Send a request and wait for its answer, repeating it after a timeout.

        The request is awaited in the caller's own task under ``asyncio.timeout``, and a
        lost connection cancels that wait: no task, set of futures and extra turn of the
        loop per request (``asyncio.wait`` cost 26 µs of the loop's time per request)."""
        timeout = self.options.timeout
        task = asyncio.current_task()
        assert task is not None
        for _ in range(attempts):
            client, lost = self._client, self._lost
            if not self.up or client is None or lost is None:
                raise LinkError(f"connection to {self.options.endpoint} lost")
            self._received = self._unused = b""
            self.counters.requests += 1
            try:
                pending = send(client)
            except (ModbusException, ValueError) as exc:
                raise LinkError(f"request refused by the client library: {exc}") from None
            waiting: list[bool] = [True]
            cut: list[bool] = []

            def on_lost(_: object, waiting: list[bool] = waiting, cut: list[bool] = cut) -> None:
                if waiting[0]:  # run soon after the loss: the answer may have come first
                    cut.append(True)
                    task.cancel()

            lost.add_done_callback(on_lost)
            try:
                async with asyncio.timeout(timeout):
                    return await pending
            except TimeoutError:
                continue
            except asyncio.CancelledError:
                if cut and task.uncancel() == 0:  # the connection went, nobody else cancels
                    raise LinkError(
                        f"connection to {self.options.endpoint} closed by the device"
                    ) from None
                raise
            except ConnectionException:
                raise LinkError(f"connection to {self.options.endpoint} lost") from None
            except (ModbusException, ValueError, struct.error) as exc:
                raise LinkError(f"malformed response: {exc}") from None
            except Exception as exc:  # whatever the library raises, the driver goes on
                log.debug("unexpected error from pymodbus", exc_info=True)
                raise LinkError(f"communication error: {exc!r}") from None
            finally:
                waiting[0] = False
                lost.remove_done_callback(on_lost)
        rtu = self.options.transport == "rtu"
        waited = seconds_text(timeout)
        raise LinkError(unanswered(self._received, self._sent, rtu=rtu, waited=waited))


class _Undecodable(ModbusPDU):
    """A frame that arrived complete but could not be decoded, kept to report it."""

    def __init__(self, frame: bytes):
        super().__init__()
        self.frame = frame
        self.function_code = frame[0] if frame else 0


class _Words:
    """A register response that keeps its payload as it came (``raw``)."""

    raw: bytes = b""


class _HoldingWords(_Words, ReadHoldingRegistersResponse):
    pass


class _InputWords(_Words, ReadInputRegistersResponse):
    pass


_WORDS: dict[int, type[_HoldingWords | _InputWords]] = {3: _HoldingWords, 4: _InputWords}


class _TolerantDecoder(DecodePDU):
    """Hands an undecodable frame up as a response instead of failing in the transport.

    A register response is decoded here in one ``unpack_from`` (pymodbus unpacks each
    register on its own and formats the whole response for a debug line that is not
    shown), keeping its bytes for the driver; anything unusual goes to pymodbus."""

    def decode(self, frame: bytes) -> ModbusPDU | None:
        words = _WORDS.get(frame[0]) if len(frame) >= 2 else None
        if words is not None:
            size = frame[1]
            if not size % 2 and len(frame) >= size + 2:
                response = words()
                response.raw = frame[2 : 2 + size]
                response.registers = list(struct.unpack_from(f">{size // 2}H", frame, 2))
                return response
        pdu = super().decode(frame)
        return pdu if pdu is not None else _Undecodable(frame)


def _connect_reason(exc: BaseException | None, options: ModbusOptions, timeout: float) -> str:
    if exc is None or isinstance(exc, TimeoutError | asyncio.CancelledError):
        return f"timeout after {seconds_text(timeout)}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"unknown host '{options.host}'"
    if isinstance(exc, OSError) and exc.errno:
        text = os.strerror(exc.errno)
        return text[0].lower() + text[1:]
    return str(exc) or type(exc).__name__


def _check(response: ModbusPDU, function_code: int) -> None:
    """Raise unless ``response`` answers a request of ``function_code``."""
    if isinstance(response, _Undecodable):
        raise LinkError(f"malformed response: undecodable frame {response.frame[:16].hex(' ')}")
    if response.function_code == function_code | 0x80:
        raise DeviceAnswer(getattr(response, "exception_code", 0))
    if response.function_code != function_code:
        raise LinkError(
            f"malformed response: function {response.function_code} "
            f"to a function {function_code} request"
        )
