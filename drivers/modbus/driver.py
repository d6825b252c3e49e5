"""Modbus TCP/RTU driver: block reads per scan class, writes with read-back.

One connection per device and one request at a time on it. Failures never raise into
the engine: a cycle that cannot talk to the device marks every tag Bad once, with the
reason, and the device is retried under the connection policy (``hmi.core.connection``:
backoff with jitter; a device that keeps failing is demoted, probed once every
``demote_for``, so it never stalls anything else), and it recovers by itself. The
connection itself (pymodbus, readable reasons for failures) is ``link.Link``.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import sqlite3
import time
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hmi.core.connection import ConnectionState
from hmi.core.driver import (
    DeviceState,
    DeviceStatus,
    Driver,
    DriverContext,
    WriteResult,
    WriteStatus,
)
from hmi.core.project.models import DataType, DeviceConfig, Problem, TagConfig
from hmi.core.runtime import STORE_FILE
from hmi.core.scan import ScanStats, run_periodic
from hmi.core.store import Step
from hmi.core.tags import Batch, Quality, TagValue, bad, good
from hmi.core.tasks import cancel_and_wait

from . import codec
from .address import Area, TagPoint, resolve_point
from .checks import device_problems, tag_problems
from .codec import BitDecoder, BlockDecoder, EncodeError
from .link import DeviceAnswer, Link, LinkCounters, LinkError, seconds_text
from .options import ModbusOptions, OptionsError, parse_options
from .planner import Block, Span, plan_blocks, split_requests
from .refused import (
    REFUSED_COMPONENT,
    REFUSED_SCHEMA,
    Probe,
    RangeSet,
    TooLong,
    load_refused,
    locate,
    recheck,
    save_refused,
)

log = logging.getLogger(__name__)

_FAILING = (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED)
REFUSED = str(DeviceAnswer(2))  # the reason of a tag on an address the device refuses
_AREAS = {area.value: area for area in Area}
# the k-th device started polls at k * golden ratio (mod 1) of its period: any number of
# devices started together end up spread over the period, never two at the same moment
_STARTED = itertools.count()
_GOLDEN = (5**0.5 - 1) / 2


class _WhenDebugging(logging.Filter):
    """Lets a record through only while the application logs at DEBUG (``hmi -v``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def _quiet_pymodbus() -> None:
    """pymodbus logs each skipped frame and failed connect as an ERROR with hex dumps; the
    driver says what each fault is, once per change. pymodbus's own lines are kept for
    ``hmi -v``. A level the user gave the ``pymodbus`` logger is left alone."""
    library_log = logging.getLogger("pymodbus.logging")  # the one pymodbus logs to
    if logging.getLogger("pymodbus").level == library_log.level == logging.NOTSET:
        library_log.addFilter(_WhenDebugging())


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
    decoder: BlockDecoder | BitDecoder | None  # None: not read
    points: Mapping[str, TagPoint]  # every point planned with it, to plan again
    refused: str = ""  # not read: its tags are on refused addresses, Bad with this reason
    # what the last poll handed out as Good: its data (the bytes as they came, or the
    # bits) and the values decoded from it; None once any of its tags went Bad
    data: bytes | list[Any] | None = None
    values: tuple[Any, ...] | None = None

    def decode(self, data: bytes | list[Any]) -> dict[str, Any]:
        """Every value of the block's tags from its data."""
        if self.decoder is None:
            return {}
        return dict(zip(self.decoder.keys, self.decoder.values(data), strict=True))  # type: ignore[arg-type]

    def changes(self, data: bytes | list[Any]) -> dict[str, Any]:
        """The values that differ from the last ones handed out (all, the first time or
        after ``forget``); nothing is decoded when the data came back the same."""
        if self.decoder is None or data == self.data:
            return {}
        values = self.decoder.values(data)  # type: ignore[arg-type]
        out = codec.changed(self.decoder.keys, values, self.values)
        self.data, self.values = data, values
        return out

    def forget(self) -> None:
        """Its tags went Bad: the next poll hands out every value again."""
        self.data = self.values = None


def _range_text(area: Area, start: int, end: int) -> str:
    """``hr:3243..3266``, or ``hr:17`` for one address."""
    last = f"..{end - 1}" if end - start > 1 else ""
    return f"{area.value}:{start}{last}"


@dataclass
class _ScanGroup:
    name: str
    period: float
    points: list[TagPoint]
    plans: list[_PlannedBlock] = field(default_factory=list)


class ModbusDriver(Driver):
    """Polls one Modbus TCP or RTU device (see the module docstring)."""

    protocol = "modbus"

    @classmethod
    def schemas(cls) -> Mapping[str, Sequence[Step]]:
        return {REFUSED_COMPONENT: REFUSED_SCHEMA}

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
        # the device under the connection policy: failures, demotion, next attempt
        self.connection = ConnectionState(self.options.connection)
        # what the device refuses (exception 2), kept in the project's store
        self._refused: dict[Area, RangeSet] = {area: RangeSet() for area in Area}
        self._refused_loaded = self._refused_changed = False
        self._checked_at, self._checked_connects = 0.0, -1  # the last recheck of them
        self._learned_limit: dict[Area, int] = {}  # shorter reads than the options say
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
        self._bad_reason: str | None = None
        self._groups_in_error: set[str] = set()
        self._last: dict[str, Any] = {}  # every tag's newest value, shown stale while Bad

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
        phase = next(_STARTED) * _GOLDEN % 1.0
        for group in self._groups:
            name = f"modbus {self.device.name}/{group.name}"
            task = asyncio.create_task(self._scan(group, phase, name), name=name)
            self._tasks.append(task)

    async def _scan(self, group: _ScanGroup, phase: float, name: str) -> None:
        """Poll at once, then every period at ``phase`` (a fraction) of it. Devices started
        together would otherwise poll at the same moments for good, each cycle waiting for
        the others' responses to be handled on the loop: spread, each has it to itself."""
        work = functools.partial(self._poll, group)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            await work()
        except Exception:  # _poll handles its own; as run_periodic does for the rest
            log.exception("%s: cycle failed", name)
        following = started + phase * group.period
        if following < loop.time():
            following += group.period
        await asyncio.sleep(following - loop.time())
        await run_periodic(group.period, work, self.stats.scans[group.name], name)

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
        if not self.connection.due():
            return
        loop = asyncio.get_running_loop()
        async with self._link.lock:
            if not self.connection.due():
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
        await self._link.ensure_connected(self.options.connection.connect_timeout)

    def _on_failure(self, reason: str) -> None:
        self._link.close()
        self.connection.failed()
        demoted = self.connection.demoted
        self._set_state(DeviceStatus.DEMOTED if demoted else DeviceStatus.OFFLINE, reason)
        for group in self._groups:
            for planned in group.plans:
                planned.forget()
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
        self.connection.succeeded()
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
        # ``values`` holds only what changed since it was last published Good (the engine
        # would drop the rest: same value, same quality); a tag Bad or never published is
        # always in it (``_PlannedBlock.changes``)
        self._last.update(values)
        make, ok = tuple.__new__, Quality.GOOD  # good() without a call per value
        batch: Batch = {name: make(TagValue, (v, ok, None, ts, "")) for name, v in values.items()}
        for name, reason in errors.items():
            batch[name] = bad(reason, self._last.get(name), ts)
        if batch:
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
                    self.connection.failures,
                    seconds_text(self.options.connection.demote_for),
                    reason,
                )
            elif status in (DeviceStatus.OFFLINE, DeviceStatus.DEGRADED):
                log.warning("%s: %s: %s", name, status.value, reason)
            elif status is DeviceStatus.ONLINE and previous in _FAILING:
                log.info("%s: recovered", name)
        self.ctx.sink.device_state(DeviceState(name, status, reason, time.time()))

    # -- planning and reading --

    def _plan(self, points: Sequence[TagPoint]) -> list[_PlannedBlock]:
        """The cheapest blocks for ``points``; a tag on a refused address is not read."""
        lookup = {p.name: p for p in points}
        by_area: dict[Area, list[TagPoint]] = {}
        for point in points:
            by_area.setdefault(point.area, []).append(point)
        planned: list[_PlannedBlock] = []
        for area, members in by_area.items():
            refused = self._refused[area]
            spans: list[Span] = []
            for point in members:
                span = Span(point.name, point.address.offset, point.size)
                if refused.touches(span.start, span.end):
                    block = Block(span.start, span.size, (span,), ())
                    planned.append(_PlannedBlock(area, block, None, lookup, REFUSED))
                else:
                    spans.append(span)
            scale = 16 if area.is_bits else 1  # costs and gaps are given in registers
            gap = self.options.max_gap
            blocks = plan_blocks(
                spans,
                limit=self._limit(area),
                request_cost=self.options.read_cost * scale,
                max_gap=None if gap is None else gap * scale,
                walls=refused.ranges,
            )
            planned.extend(self._compile(area, block, lookup) for block in blocks)
        return planned

    def _limit(self, area: Area) -> int:
        limit = self.options.max_bits if area.is_bits else self.options.max_registers
        return min(limit, self._learned_limit.get(area, limit))

    @staticmethod
    def _compile(area: Area, block: Block, points: Mapping[str, TagPoint]) -> _PlannedBlock:
        if area.is_bits:
            offsets = [(s.key, s.start - block.start) for s in block.spans]
            return _PlannedBlock(area, block, BitDecoder(offsets), points)
        fields = [replace(points[s.key].field, offset=s.start - block.start) for s in block.spans]
        return _PlannedBlock(area, block, BlockDecoder(block.size, fields), points)

    async def _read(self, plans: Sequence[_PlannedBlock]) -> tuple[dict[str, Any], dict[str, str]]:
        """Per-tag errors and the values of some blocks that changed since each block's
        last read (``_PlannedBlock.changes``: all of them from new plans); a LinkError
        fails them all."""
        plans = await self._check_refused(plans)
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for planned in plans:
            if planned.refused:
                errors.update((s.key, planned.refused) for s in planned.block.spans)
                continue
            try:
                data = await self._read_range(planned.area, planned.block.requests)
            except DeviceAnswer as answer:
                try:
                    if answer.code != 2:
                        raise
                    await self._locate(planned, values, errors)
                except DeviceAnswer as other:  # busy, failing...: this block only
                    keys = (s.key for s in planned.block.spans)
                    errors.update((k, str(other)) for k in keys if k not in values)
                planned.forget()
                continue
            values.update(planned.changes(data))
        if self._refused_changed:
            await self._save_refused()
        return values, errors

    async def _locate(
        self, planned: _PlannedBlock, values: dict[str, Any], errors: dict[str, str]
    ) -> None:
        """Find what a refused block refuses, read all the rest, remember the refused part."""
        area, block = planned.area, planned.block
        needed = RangeSet((s.start, s.end) for s in block.spans)
        probe = self._probe(area)
        data: dict[int, Any] = {}
        found = RangeSet()
        try:
            for address, count in block.requests:
                answer = await probe(address, count)
                if answer is not None:
                    data.update(zip(range(address, address + count), answer, strict=False))
                    continue
                part = await locate(probe, address, address + count, needed)
                data.update(part.data)
                for a, b in part.refused:
                    found.add(a, b)
        except TooLong as exc:
            self._learn_limit(area, exc.limit)
            requests = split_requests(block.start, block.size, exc.limit)
            shorter = Block(block.start, block.size, block.spans, requests)
            again = self._compile(area, shorter, planned.points)
            try:
                values.update(again.decode(await self._read_range(area, requests)))
            except DeviceAnswer as answer:
                if answer.code != 2:
                    raise
                await self._locate(again, values, errors)
            return
        self._remember_refused(area, found, [s.key for s in block.spans])
        for span in block.spans:
            addresses = range(span.start, span.end)
            if all(a in data for a in addresses):
                values[span.key] = self._decode_one(planned.points[span.key], data)
            else:
                errors[span.key] = REFUSED

    @staticmethod
    def _decode_one(point: TagPoint, data: Mapping[int, Any]) -> Any:
        start = point.address.offset
        if point.area.is_bits:
            return bool(data[start])
        registers = [data[a] for a in range(start, start + point.size)]
        return codec.decode(replace(point.field, offset=0), registers)

    def _probe(self, area: Area) -> Probe:
        async def probe(address: int, count: int) -> Sequence[Any] | None:
            try:
                return await self._request(area, address, count)
            except DeviceAnswer as answer:
                if answer.code == 2:
                    return None
                raise

        return probe

    def _learn_limit(self, area: Area, limit: int) -> None:
        self._learned_limit[area] = limit
        self._replan = True
        option = "max_bits" if area.is_bits else "max_registers"
        log.warning(
            "%s: refuses reads of more than %d %s (Modbus exception 2); reading less at "
            "once from now on (set %s: %d to say so)",
            self.device.name,
            limit,
            "bits" if area.is_bits else "registers",
            option,
            limit,
        )

    def _remember_refused(self, area: Area, found: RangeSet, keys: Sequence[str]) -> None:
        known = self._refused[area]
        new = [(a, b) for a, b in found if not all(known.touches(x, x + 1) for x in range(a, b))]
        for a, b in found:
            known.add(a, b)
        if new:
            self._refused_changed = self._replan = True
            shown = ", ".join(_range_text(area, a, b) for a, b in new)
            log.info("%s: refuses %s (Modbus exception 2)", self.device.name, shown)

    async def _check_refused(self, plans: Sequence[_PlannedBlock]) -> Sequence[_PlannedBlock]:
        """Load the remembered refused ranges once; check them again after each (re)connect
        and every ``refused_recheck``. The plans again if anything changed."""
        changed = False
        if not self._refused_loaded:
            self._refused_loaded = True
            changed = await self._load_refused()
        now = time.monotonic()
        connects = self.stats.connects
        if (
            connects != self._checked_connects
            or now >= self._checked_at + self.options.refused_recheck
        ):
            self._checked_connects, self._checked_at = connects, now
            changed = await self._recheck() or changed
        if not changed:
            return plans
        self._replan = True
        return self._plan(list(plans[0].points.values())) if plans else plans

    async def _recheck(self) -> bool:
        """Ask about each remembered range again; True if any changed."""
        changed = False
        for area, known in self._refused.items():
            needed = RangeSet(
                (p.address.offset, p.address.offset + p.size)
                for group in self._groups
                for p in group.points
                if p.area is area
            )
            for start, end in known:
                try:
                    found = await recheck(self._probe(area), start, end, needed, self._limit(area))
                except TooLong as exc:
                    self._learn_limit(area, exc.limit)
                    continue
                except DeviceAnswer as answer:
                    log.debug("%s: recheck of %s: %s", self.device.name, start, answer)
                    continue
                if found is None:
                    continue
                changed = self._refused_changed = True
                known.discard(start, end)
                for a, b in found.refused:
                    known.add(a, b)
                if not found.refused:
                    log.info("%s: %s reads again", self.device.name, _range_text(area, start, end))
        return changed

    @property
    def _store(self) -> tuple[Path, str]:
        """The store file and this device's key in it (a device moved elsewhere starts over)."""
        key = f"{self.device.name} {self.options.endpoint} unit {self.options.unit}"
        return Path(self.ctx.data_dir) / STORE_FILE, key

    async def _load_refused(self) -> bool:
        path, key = self._store
        try:
            stored = await asyncio.to_thread(load_refused, path, key)
        except (sqlite3.Error, OSError) as exc:
            log.warning(
                "%s: cannot read refused addresses from %s: %s", self.device.name, path, exc
            )
            return False
        for code, pairs in stored.items():
            area = _AREAS.get(code)
            if area is not None:
                for a, b in pairs:
                    self._refused[area].add(a, b)
        return bool(stored)

    async def _save_refused(self) -> None:
        self._refused_changed = False
        path, key = self._store
        ranges = {area.value: list(known) for area, known in self._refused.items() if known}
        try:
            await asyncio.to_thread(save_refused, path, key, ranges)
        except (sqlite3.Error, OSError) as exc:
            log.warning(
                "%s: cannot remember refused addresses in %s: %s", self.device.name, path, exc
            )

    async def _read_range(
        self, area: Area, requests: Sequence[tuple[int, int]]
    ) -> bytes | list[Any]:
        """A block's data: its bits, or its registers' bytes as they came."""
        if area.is_bits:
            bits: list[Any] = []
            for address, count in requests:
                bits += await self._request(area, address, count)
            return bits
        attempts = self.connection.attempts
        parts = [
            await self._link.read_words(area, address, count, attempts)
            for address, count in requests
        ]
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def _request(self, area: Area, address: int, count: int) -> Sequence[int]:
        return await self._link.read(area, address, count, self.connection.attempts)

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
        if self._running and not self.connection.due():
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
