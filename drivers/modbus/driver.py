"""Modbus TCP/RTU driver: block reads per scan class, writes with read-back.

One connection per device and one request at a time on it. Failures never raise into
the engine: a cycle that cannot talk to the device marks every tag Bad once, with the
reason, and the device is retried with exponential backoff; a device that keeps failing
is demoted (tried only every ``demote_for`` seconds, with a short connect timeout) so it
never stalls anything else, and it recovers by itself. The connection itself (pymodbus,
reconnect backoff, readable reasons for failures) is ``link.Link``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

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
from hmi.core.tasks import cancel_and_wait

from . import codec
from .address import Area, TagPoint, resolve_point
from .checks import device_problems, tag_problems
from .codec import BlockDecoder, EncodeError
from .link import DeviceAnswer, Link, LinkCounters, LinkError, seconds_text
from .options import ModbusOptions, OptionsError, parse_options
from .planner import Block, Span, plan_blocks, split_requests

log = logging.getLogger(__name__)

_FAILING = (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED)


def _quiet_pymodbus() -> None:
    """pymodbus warns on every failed connect; the driver says it once per transition.

    A level the user gave the ``pymodbus`` logger is left alone.
    """
    library_log = logging.getLogger("pymodbus")
    if library_log.level == logging.NOTSET:
        library_log.setLevel(logging.ERROR)


_quiet_pymodbus()


@dataclass
class ModbusStats(LinkCounters):
    """Light figures for diagnostics and benchmarks."""

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
        self._link = Link(self.options, self.stats)
        self._refused: dict[Area, set[int]] = {area: set() for area in Area}
        self._replan = False
        self._tag_errors: dict[str, str] = {}
        groups: dict[str, _ScanGroup] = {}
        for tag in self.tags:
            try:
                point = self._resolve(tag)
            except ValueError as exc:
                self._tag_errors[tag.name] = str(exc)
                continue
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
        self._bad_reason: str | None = None
        self._groups_in_error: set[str] = set()
        self._last: dict[str, Any] = {}

    def _resolve(self, tag: TagConfig) -> TagPoint:
        return resolve_point(tag, self.options.byte_order, self.options.word_order)

    # -- validation for `hmi check` --

    @classmethod
    def validate_device(cls, device: DeviceConfig) -> list[Problem]:
        return device_problems(device)

    @classmethod
    def validate_tag(cls, device: DeviceConfig, tag: TagConfig) -> list[Problem]:
        return tag_problems(device, tag)

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
        await cancel_and_wait(tasks, what=f"modbus {self.device.name}")
        self._link.close()
        if self._status is not DeviceStatus.STOPPED:
            self._set_state(DeviceStatus.STOPPED)

    # -- polling --

    async def _poll(self, group: _ScanGroup) -> None:
        if not self._link.due():
            return
        loop = asyncio.get_running_loop()
        async with self._link.lock:
            if not self._link.due():
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
        timeout = self.options.timeout
        if self._status is DeviceStatus.DEMOTED:
            timeout = min(timeout, self.options.demoted_connect_timeout)
        await self._link.ensure_connected(timeout)

    def _on_failure(self, reason: str) -> None:
        self._failures += 1
        if self._failures >= self.options.demote_after:
            self._link.retry_later(self.options.demote_for)
            self._set_state(DeviceStatus.DEMOTED, reason)
        else:
            self._link.retry_later()
            self._set_state(DeviceStatus.OFFLINE, reason)
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
        self._link.reset_backoff()
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
                    seconds_text(self.options.demote_for),
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

    async def _request(self, area: Area, address: int, count: int) -> Sequence[int]:
        demoted = self._status is DeviceStatus.DEMOTED  # a probe: no repeats
        attempts = 1 if demoted else 1 + self.options.retries
        return await self._link.read(area, address, count, attempts)

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
            async with self._link.lock:
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
        if self._running and not self._link.due():
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
            async with self._link.lock:
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
        address = point.address.offset
        if point.area is Area.COIL:
            await self._link.write_coil(address, value)
            return
        if point.address.bit is not None:
            # read-modify-write, safe because the connection lock is held
            (word,) = await self._request(Area.HOLDING, address, 1)
            registers = [codec.set_bit(word, point.address.bit, value, point.field.byte_order)]
        await self._link.write_registers(address, registers)

    async def _read_back(self, point: TagPoint) -> Any:
        span = Span(point.name, point.address.offset, point.size)
        block = Block(span.start, span.size, (span,), ((span.start, span.size),))
        planned = self._compile(point.area, block, {point.name: point})
        return planned.decode(await self._read_range(point.area, block.requests))[point.name]
