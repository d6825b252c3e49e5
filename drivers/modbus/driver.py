"""Modbus TCP/RTU driver: block reads per scan class, writes with read-back.

One connection per device and one request at a time on it. Failures never raise into
the engine: a cycle that cannot talk to the device marks every tag Bad once, with the
reason, and the device is retried with exponential backoff; a device that keeps failing
is demoted (tried only every ``demote_for`` seconds, with a short connect timeout) so it
never stalls anything else, and it recovers by itself.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import struct
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient
from pymodbus.client.base import ModbusBaseClient
from pymodbus.exceptions import ConnectionException, ModbusException
from pymodbus.framer import FramerType
from pymodbus.pdu import DecodePDU, ModbusPDU

from hmi.core.driver import (
    DeviceState,
    DeviceStatus,
    Driver,
    DriverContext,
    WriteResult,
    WriteStatus,
)
from hmi.core.project.models import DataType, DeviceConfig, Problem, TagConfig
from hmi.core.scan import ScanStats, run_periodic
from hmi.core.tags import Batch, bad, good

from . import codec
from .address import Area, TagPoint, resolve_point
from .codec import BlockDecoder, EncodeError
from .options import ModbusOptions, OptionsError, parse_options
from .planner import Block, Span, plan_blocks, split_requests

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
_READ_CODES = {Area.COIL: 1, Area.DISCRETE: 2, Area.HOLDING: 3, Area.INPUT: 4}
_FAILING = (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED)


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


def _seconds(value: float) -> str:
    return f"{round(value, 3)!r} s"


# -- low level: one connection, one request at a time ---------------------------------------


class _Undecodable(ModbusPDU):
    """A frame that arrived complete but could not be decoded, kept to report it."""

    def __init__(self, frame: bytes):
        super().__init__()
        self.frame = frame
        self.function_code = frame[0] if frame else 0


class _TolerantDecoder(DecodePDU):
    """Hands an undecodable frame up as a response instead of failing in the transport."""

    def decode(self, frame: bytes) -> ModbusPDU | None:
        pdu = super().decode(frame)
        return pdu if pdu is not None else _Undecodable(frame)


def _connect_reason(exc: BaseException | None, options: ModbusOptions, timeout: float) -> str:
    if exc is None or isinstance(exc, TimeoutError | asyncio.CancelledError):
        return f"timeout after {_seconds(timeout)}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"unknown host '{options.host}'"
    if isinstance(exc, OSError) and exc.errno:
        text = os.strerror(exc.errno)
        return text[0].lower() + text[1:]
    return str(exc) or type(exc).__name__


class _Link:
    """A pymodbus client plus what it does not report: why a connect failed, a lost link.

    Two pymodbus 3.16 internals are used (the version is pinned): ``ctx.call_create`` is
    wrapped to keep the connect error, and ``ctx.framer.decoder`` is replaced so that an
    undecodable frame becomes a response instead of an exception in the transport.
    """

    def __init__(self, options: ModbusOptions, stats: ModbusStats):
        self.options = options
        self.stats = stats
        self.client: ModbusBaseClient | None = None
        self._lost: asyncio.Future[None] | None = None
        self._received = b""

    @property
    def up(self) -> bool:
        return (
            self.client is not None
            and self.client.connected
            and self._lost is not None
            and not self._lost.done()
        )

    async def connect(self, timeout: float) -> None:
        self.close()
        self.stats.connects += 1
        loop = asyncio.get_running_loop()
        lost: asyncio.Future[None] = loop.create_future()
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
        try:
            connected = await asyncio.wait_for(client.connect(), timeout)
        except TimeoutError:
            connected = False
        if not connected or lost.done():
            client.close()
            reason = _connect_reason(failure[-1] if failure else None, self.options, timeout)
            raise LinkError(f"no connection to {self.options.endpoint}: {reason}")
        self.client, self._lost = client, lost

    def _new_client(self, lost: asyncio.Future[None]) -> ModbusBaseClient:
        options = self.options

        def on_connect(up: bool) -> None:
            if not up and not lost.done():
                lost.set_result(None)

        def on_packet(sending: bool, data: bytes) -> bytes:
            if not sending:
                self._received = data
            return data

        common: dict[str, Any] = {
            # our own deadlines fire first; pymodbus must neither retry nor reconnect
            "timeout": options.timeout * 2 + 1,
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
        client, self.client, self._lost = self.client, None, None
        if client is not None:
            client.close()

    async def exchange(
        self, send: Callable[[ModbusBaseClient], Coroutine[Any, Any, ModbusPDU]], attempts: int
    ) -> ModbusPDU:
        """Send a request and wait for its answer, repeating it after a timeout."""
        timeout = self.options.timeout
        for _ in range(attempts):
            if not self.up or self.client is None or self._lost is None:
                raise LinkError(f"connection to {self.options.endpoint} lost")
            self._received = b""
            self.stats.requests += 1
            try:
                request = asyncio.ensure_future(send(self.client))
            except (ModbusException, ValueError) as exc:
                raise LinkError(f"request refused by the client library: {exc}") from None
            try:
                done, _ = await asyncio.wait(
                    (request, self._lost), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                if not request.done():
                    request.cancel()
            if request in done:
                return self._result(request)
            if self._lost.done():
                raise LinkError(f"connection to {self.options.endpoint} closed by the device")
        if self._received:
            raise LinkError(
                f"malformed response: {len(self._received)} bytes without a valid frame "
                f"within {_seconds(timeout)} ({self._received[:16].hex(' ')})"
            )
        raise LinkError(f"timeout after {_seconds(timeout)}")

    def _result(self, request: asyncio.Future[ModbusPDU]) -> ModbusPDU:
        try:
            return request.result()
        except ConnectionException:
            raise LinkError(f"connection to {self.options.endpoint} lost") from None
        except (ModbusException, ValueError, struct.error) as exc:
            raise LinkError(f"malformed response: {exc}") from None
        except Exception as exc:  # whatever the library raises, the driver goes on
            log.debug("unexpected error from pymodbus", exc_info=True)
            raise LinkError(f"communication error: {exc!r}") from None


def _check(response: ModbusPDU, function_code: int) -> ModbusPDU:
    if isinstance(response, _Undecodable):
        raise LinkError(f"malformed response: undecodable frame {response.frame[:16].hex(' ')}")
    if response.function_code == function_code | 0x80:
        raise DeviceAnswer(getattr(response, "exception_code", 0))
    if response.function_code != function_code:
        raise LinkError(
            f"malformed response: function {response.function_code} "
            f"to a function {function_code} request"
        )
    return response


# -- the driver -----------------------------------------------------------------------------


@dataclass
class ModbusStats:
    """Light figures for diagnostics and benchmarks."""

    requests: int = 0  # Modbus requests sent, repeats included
    connects: int = 0  # connection attempts
    scans: dict[str, ScanStats] = field(default_factory=dict)
    last_cycle: float = 0.0  # seconds the newest completed poll took


@dataclass
class _PlannedBlock:
    area: Area
    block: Block
    decode: Callable[[list[Any]], dict[str, Any]]
    points: Mapping[str, TagPoint]  # to re-plan parts of the block


@dataclass
class _ScanGroup:
    name: str
    period: float
    points: list[TagPoint]
    plans: list[_PlannedBlock] = field(default_factory=list)


class ModbusDriver(Driver):
    """Polls one Modbus TCP or RTU device (see the module docstring)."""

    protocol = "modbus"

    def __init__(self, ctx: DriverContext):
        super().__init__(ctx)
        self.stats = ModbusStats()
        self._config_error = ""
        try:
            self.options = parse_options(ctx.device.options)
        except OptionsError as exc:
            self._config_error = f"configuration: {exc}"
            self.options = ModbusOptions(host="-")
        self._link = _Link(self.options, self.stats)
        self._lock = asyncio.Lock()
        self._refused: dict[Area, set[int]] = {area: set() for area in Area}
        self._replan = False
        self._points: dict[str, TagPoint] = {}
        self._tag_errors: dict[str, str] = {}
        groups: dict[str, _ScanGroup] = {}
        for tag in self.tags:
            try:
                point = self._resolve(tag)
            except ValueError as exc:
                self._tag_errors[tag.name] = str(exc)
                continue
            self._points[tag.name] = point
            scan = ctx.scan_classes.get(tag.scan_class)
            if scan is None:
                self._tag_errors[tag.name] = f"unknown scan class '{tag.scan_class}'"
                continue
            group = groups.setdefault(scan.name, _ScanGroup(scan.name, scan.period, []))
            group.points.append(point)
        self._groups = list(groups.values())
        for group in self._groups:
            group.plans = self._plan(group.points)
            self.stats.scans[group.name] = ScanStats()
        self._tasks: list[asyncio.Task[None]] = []
        self._side_tasks: set[asyncio.Task[None]] = set()
        self._running = False
        self._status = DeviceStatus.STOPPED
        self._reason = ""
        self._failures = 0
        self._backoff = self.options.reconnect_min
        self._next_attempt = 0.0
        self._bad_reason: str | None = None
        self._groups_in_error: set[str] = set()
        self._last: dict[str, Any] = {}

    def _resolve(self, tag: TagConfig) -> TagPoint:
        return resolve_point(tag, self.options.byte_order, self.options.word_order)

    # -- validation for `hmi check` --

    @classmethod
    def validate_device(cls, device: DeviceConfig) -> list[Problem]:
        try:
            parse_options(device.options)
        except OptionsError as exc:
            return [Problem(device.source, f"device '{device.name}': {p}") for p in exc.problems]
        return []

    @classmethod
    def validate_tag(cls, device: DeviceConfig, tag: TagConfig) -> list[Problem]:
        try:
            options = parse_options(device.options)
        except OptionsError:
            options = ModbusOptions(host="-")
        try:
            point = resolve_point(tag, options.byte_order, options.word_order)
        except ValueError as exc:
            return [Problem(tag.source, f"tag '{tag.name}': {exc}")]
        if tag.writable and not point.area.writable:
            return [
                Problem(
                    tag.source,
                    f"tag '{tag.name}' is writable but '{tag.address}' is "
                    f"{point.area.label}, which is read-only",
                )
            ]
        return []

    # -- life cycle --

    async def start(self) -> None:
        self._running = True
        now = time.time()
        if self._config_error:
            self._set_state(DeviceStatus.OFFLINE, self._config_error)
            self.ctx.sink.publish({t.name: bad(self._config_error, ts=now) for t in self.tags})
            return
        if self._tag_errors:
            self.ctx.sink.publish({n: bad(r, ts=now) for n, r in self._tag_errors.items()})
        self._set_state(DeviceStatus.CONNECTING)
        for group in self._groups:
            work = functools.partial(self._poll, group)
            name = f"modbus {self.device.name}/{group.name}"
            stats = self.stats.scans[group.name]
            task = asyncio.create_task(run_periodic(group.period, work, stats, name), name=name)
            self._tasks.append(task)

    async def stop(self) -> None:
        self._running = False
        tasks = self._tasks + list(self._side_tasks)
        self._tasks, self._side_tasks = [], set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._link.close()
        if self._status is not DeviceStatus.STOPPED:
            self._set_state(DeviceStatus.STOPPED)

    # -- polling --

    def _due(self) -> bool:
        return asyncio.get_running_loop().time() >= self._next_attempt

    async def _poll(self, group: _ScanGroup) -> None:
        if not self._due():
            return
        loop = asyncio.get_running_loop()
        async with self._lock:
            if not self._due():
                return
            started = loop.time()
            try:
                await self._ensure_connected()
                values, errors = await self._read(group.plans)
            except LinkError as exc:
                self._on_failure(exc.reason)
                return
            finally:
                self.stats.last_cycle = loop.time() - started
            if self._replan:
                self._replan = False
                for each in self._groups:
                    each.plans = self._plan(each.points)
        self._on_success(group, values, errors)

    async def _ensure_connected(self) -> None:
        if self._link.up:
            return
        demoted = self._status is DeviceStatus.DEMOTED
        timeout = self.options.timeout
        if demoted:
            timeout = min(timeout, self.options.demoted_connect_timeout)
        await self._link.connect(timeout)

    def _on_failure(self, reason: str) -> None:
        self._link.close()
        self._failures += 1
        now = asyncio.get_running_loop().time()
        if self._failures >= self.options.demote_after:
            status = DeviceStatus.DEMOTED
            self._next_attempt = now + self.options.demote_for
        else:
            status = DeviceStatus.OFFLINE
            self._next_attempt = now + self._backoff
            self._backoff = min(self._backoff * 2, self.options.reconnect_max)
        self._set_state(status, reason)
        if reason != self._bad_reason:
            self._bad_reason = reason
            ts = time.time()
            batch = {
                p.name: bad(reason, self._last.get(p.name), ts)
                for group in self._groups
                for p in group.points
            }
            self.ctx.sink.publish(batch)

    def _on_success(
        self, group: _ScanGroup, values: dict[str, Any], errors: dict[str, str]
    ) -> None:
        recovering = self._status in _FAILING
        self._failures = 0
        self._backoff = self.options.reconnect_min
        self._bad_reason = None
        if errors:
            self._groups_in_error.add(group.name)
            name, reason = next(iter(errors.items()))
            more = f" (and {len(errors) - 1} more tags)" if len(errors) > 1 else ""
            self._set_state(DeviceStatus.DEGRADED, f"{name}: {reason}{more}")
        else:
            self._groups_in_error.discard(group.name)
            if not self._groups_in_error:
                self._set_state(DeviceStatus.ONLINE)
        ts = time.time()
        self._last.update(values)
        batch: Batch = {name: good(value, None, ts) for name, value in values.items()}
        for name, reason in errors.items():
            batch[name] = bad(reason, self._last.get(name), ts)
        self.ctx.sink.publish(batch)
        if recovering:
            for other in self._groups:
                if other is not group:
                    self._spawn(self._poll(other))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    def _set_state(self, status: DeviceStatus, reason: str = "") -> None:
        if status is self._status and reason == self._reason:
            return
        previous, self._status, self._reason = self._status, status, reason
        name = self.device.name
        if status is not previous:
            if status is DeviceStatus.DEMOTED:
                log.warning(
                    "%s: demoted after %d failed cycles, now tried every %s: %s",
                    name,
                    self._failures,
                    _seconds(self.options.demote_for),
                    reason,
                )
            elif status in (DeviceStatus.OFFLINE, DeviceStatus.DEGRADED):
                log.warning("%s: %s: %s", name, status.value, reason)
            elif status is DeviceStatus.ONLINE and previous in _FAILING:
                log.info("%s: recovered", name)
        self.ctx.sink.device_state(DeviceState(name, status, reason, time.time()))

    # -- planning and reading --

    def _plan(self, points: Sequence[TagPoint]) -> list[_PlannedBlock]:
        lookup = {p.name: p for p in points}
        by_area: dict[Area, list[TagPoint]] = {}
        for point in points:
            by_area.setdefault(point.area, []).append(point)
        planned: list[_PlannedBlock] = []
        for area, members in by_area.items():
            spans = [Span(p.name, p.address.offset, p.size) for p in members]
            gap = self.options.max_gap * (16 if area.is_bits else 1)
            avoid = self._refused[area]
            blocks = plan_blocks(spans, limit=self._limit(area), max_gap=gap, avoid=avoid)
            planned.extend(self._compile(area, block, lookup) for block in blocks)
        return planned

    def _limit(self, area: Area) -> int:
        return self.options.max_bits if area.is_bits else self.options.max_registers

    @staticmethod
    def _compile(area: Area, block: Block, points: Mapping[str, TagPoint]) -> _PlannedBlock:
        if area.is_bits:
            offsets = [(s.key, s.start - block.start) for s in block.spans]
            return _PlannedBlock(area, block, lambda bits: codec.bit_values(bits, offsets), points)
        fields = [replace(points[s.key].field, offset=s.start - block.start) for s in block.spans]
        return _PlannedBlock(area, block, BlockDecoder(block.size, fields).decode, points)

    async def _read(self, plans: Sequence[_PlannedBlock]) -> tuple[dict[str, Any], dict[str, str]]:
        """Values and per-tag errors of some blocks; a LinkError fails them all."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for planned in plans:
            try:
                data = await self._read_range(planned.area, planned.block.requests)
            except DeviceAnswer as answer:
                if answer.code == 2 and len(planned.block.spans) > 1:
                    await self._isolate_refused(planned, values, errors)
                else:
                    errors.update(dict.fromkeys((s.key for s in planned.block.spans), str(answer)))
                continue
            values.update(planned.decode(data))
        return values, errors

    async def _isolate_refused(
        self, planned: _PlannedBlock, values: dict[str, Any], errors: dict[str, str]
    ) -> None:
        """Halve a refused block down to single tags; remember what the device refuses."""
        area = planned.area
        read_ok: list[Block] = []

        async def attempt(spans: Sequence[Span]) -> None:
            start, end = spans[0].start, max(s.end for s in spans)
            requests = split_requests(start, end - start, self._limit(area))
            part = self._compile(
                area, Block(start, end - start, tuple(spans), requests), planned.points
            )
            try:
                data = await self._read_range(area, requests)
            except DeviceAnswer as answer:
                if answer.code == 2 and len(spans) > 1:
                    half = len(spans) // 2
                    await attempt(spans[:half])
                    await attempt(spans[half:])
                else:
                    errors.update(dict.fromkeys((s.key for s in spans), str(answer)))
                return
            read_ok.append(part.block)
            values.update(part.decode(data))

        await attempt(sorted(planned.block.spans, key=lambda s: (s.start, s.end)))
        suspects = set(range(planned.block.start, planned.block.end))
        for block in read_ok:
            suspects.difference_update(range(block.start, block.end))
        self._refused[area] |= suspects
        self._replan = True

    async def _read_range(self, area: Area, requests: Sequence[tuple[int, int]]) -> list[Any]:
        data: list[Any] = []
        for address, count in requests:
            data += await self._request(area, address, count)
        return data

    async def _request(self, area: Area, address: int, count: int) -> list[Any]:
        unit = self.options.unit
        readers = {
            Area.HOLDING: lambda c: c.read_holding_registers(address, count=count, device_id=unit),
            Area.INPUT: lambda c: c.read_input_registers(address, count=count, device_id=unit),
            Area.COIL: lambda c: c.read_coils(address, count=count, device_id=unit),
            Area.DISCRETE: lambda c: c.read_discrete_inputs(address, count=count, device_id=unit),
        }
        demoted = self._status is DeviceStatus.DEMOTED  # a probe: no repeats
        attempts = 1 if demoted else 1 + self.options.retries
        response = await self._link.exchange(readers[area], attempts)
        _check(response, _READ_CODES[area])
        if area.is_bits:
            if len(response.bits) < count:
                raise LinkError(f"malformed response: {len(response.bits)} of {count} bits")
            return list(response.bits[:count])
        if len(response.registers) != count:
            raise LinkError(f"malformed response: {len(response.registers)} of {count} registers")
        return response.registers

    # -- one-shot reads and writes --

    async def read(self, tags: Sequence[TagConfig]) -> Batch:
        """Read some tags once, block-planned; the connection stays open until ``stop()``."""
        ts = time.time()
        if self._config_error:
            return {t.name: bad(self._config_error, ts=ts) for t in tags}
        batch: Batch = {}
        points: list[TagPoint] = []
        for tag in tags:
            try:
                points.append(self._resolve(tag))
            except ValueError as exc:
                batch[tag.name] = bad(str(exc), ts=ts)
        try:
            async with self._lock:
                await self._connect_for_request()
                values, errors = await self._read(self._plan(points))
        except LinkError as exc:
            self._link.close()
            values, errors = {}, dict.fromkeys((p.name for p in points), exc.reason)
        ts = time.time()
        batch.update({name: good(value, None, ts) for name, value in values.items()})
        batch.update({name: bad(reason, ts=ts) for name, reason in errors.items()})
        return batch

    async def _connect_for_request(self) -> None:
        if self._running and not self._due():
            raise LinkError(self._reason or "device is offline")
        await self._ensure_connected()

    async def write(self, tag: TagConfig, raw_value: Any) -> WriteResult:
        """Write once (a timed-out write may have landed, so it is not repeated), read back."""
        name = tag.name
        if self._config_error:
            return WriteResult(name, WriteStatus.REFUSED, self._config_error)
        try:
            point = self._resolve(tag)
        except ValueError as exc:
            return WriteResult(name, WriteStatus.REFUSED, str(exc))
        if not point.area.writable:
            return WriteResult(
                name,
                WriteStatus.REFUSED,
                f"'{tag.address}' is {point.area.label}, which is read-only",
            )
        try:
            expected, registers = self._encode(point, raw_value)
        except EncodeError as exc:
            return WriteResult(name, WriteStatus.REFUSED, str(exc))
        try:
            async with self._lock:
                await self._connect_for_request()
                await self._send_write(point, expected, registers)
                readback = await self._read_back(point)
        except DeviceAnswer as answer:
            return WriteResult(name, WriteStatus.FAILED, str(answer))
        except LinkError as exc:
            self._link.close()
            return WriteResult(name, WriteStatus.FAILED, exc.reason)
        if codec.same_value(point.field.data_type, expected, readback):
            return WriteResult(name, WriteStatus.DONE, "", readback)
        return WriteResult(
            name,
            WriteStatus.FAILED,
            f"read back {readback!r} after writing {expected!r}",
            readback,
        )

    @staticmethod
    def _encode(point: TagPoint, raw_value: Any) -> tuple[Any, list[int]]:
        """(value the device should hold afterwards, registers to write)."""
        data_type = point.field.data_type
        if data_type is DataType.BOOL:
            if not isinstance(raw_value, bool | int) or raw_value not in (0, 1):
                raise EncodeError(f"bool needs true/false or 1/0, not {raw_value!r}")
            return bool(raw_value), []
        f = point.field
        registers = codec.encode(
            data_type,
            raw_value,
            byte_order=f.byte_order,
            word_order=f.word_order,
            length=f.length,
        )
        if len(registers) > 123:
            raise EncodeError(f"{len(registers)} registers are more than one write can carry (123)")
        return codec.decode(replace(f, offset=0), registers), registers

    async def _send_write(self, point: TagPoint, value: Any, registers: list[int]) -> None:
        unit = self.options.unit
        address = point.address.offset
        if point.area is Area.COIL:
            response = await self._link.exchange(
                lambda c: c.write_coil(address, value, device_id=unit), 1
            )
            _check(response, 5)
            return
        if point.address.bit is not None:
            # read-modify-write, safe because the connection lock is held
            (word,) = await self._request(Area.HOLDING, address, 1)
            registers = [codec.set_bit(word, point.address.bit, value, point.field.byte_order)]
        if len(registers) == 1:
            response = await self._link.exchange(
                lambda c: c.write_register(address, registers[0], device_id=unit), 1
            )
            _check(response, 6)
        else:
            response = await self._link.exchange(
                lambda c: c.write_registers(address, registers, device_id=unit), 1
            )
            _check(response, 16)

    async def _read_back(self, point: TagPoint) -> Any:
        span = Span(point.name, point.address.offset, point.size)
        block = Block(span.start, span.size, (span,), ((span.start, span.size),))
        planned = self._compile(point.area, block, {point.name: point})
        return planned.decode(await self._read_range(point.area, block.requests))[point.name]
