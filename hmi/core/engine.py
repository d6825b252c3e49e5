"""The tag engine: scaling, deadband, derived tags, publication, and the write path.

It runs on the runtime loop. Drivers hand it raw batches; it keeps the current value of
every tag and publishes what changed to its subscriptions, which never block it.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .access import WRITE_TAG, Access
from .driver import DeviceState, DeviceStatus, Driver, WriteResult, WriteStatus
from .expr import ExprError, Expression, compile_expr
from .project.loader import derived_order
from .project.models import DataType, Project, TagConfig
from .subscription import Subscription
from .systemtags import DEVICE_TAG_PREFIX, SYSTEM_PREFIX, device_status_tag
from .tags import Batch, Quality, TagValue
from .words import parse_flag

log = logging.getLogger(__name__)
_make = tuple.__new__  # a TagValue without the generated __new__'s call (hmi.core.tags)

__all__ = ["DEVICE_TAG_PREFIX", "SYSTEM_PREFIX", "TagEngine", "coerce", "device_status_tag"]


@dataclass(slots=True)
class _Prep:
    """Per-tag numbers precomputed once so the hot path is a dict lookup and arithmetic."""

    gain: float
    offset: float
    scaled: bool
    deadband: float
    numeric: bool
    integer: bool
    band: float = 0.0  # the deadband where it applies (a numeric tag), else 0


def _prep(tag: TagConfig) -> _Prep:
    gain, offset = 1.0, 0.0
    if tag.scaling is not None:
        gain = tag.scaling.gain
        offset = tag.scaling.eng_lo - tag.scaling.raw_lo * gain
    return _Prep(
        gain=gain,
        offset=offset,
        scaled=tag.scaling is not None,
        deadband=tag.deadband,
        numeric=tag.data_type.numeric,
        integer=tag.data_type.integer,
        band=tag.deadband if tag.data_type.numeric else 0.0,
    )


class TagEngine:
    """Owned by the runtime loop: call its methods on that loop only (other threads go
    through ``hmi.core.live.LiveTags``)."""

    def __init__(
        self,
        project: Project,
        clock: Callable[[], float] = time.time,
        access: Access | None = None,
    ):
        self.project = project
        self.clock = clock
        self.access = access or Access(clock)
        self.values: dict[str, TagValue] = {}
        self.device_states: dict[str, DeviceState] = {}
        self.drivers: dict[str, Driver] = {}
        self.unknown_tags = 0
        self._subs: list[Subscription] = []
        self._prep = {name: _prep(t) for name, t in project.tags.items() if not t.derived}
        self._exprs: dict[str, Expression] = {}
        self._dependents: dict[str, set[str]] = {}
        self._order = {name: i for i, name in enumerate(derived_order(project))}
        for name in self._order:
            tag = project.tags[name]
            try:
                expr = compile_expr(tag.expr or "")
            except ExprError as exc:  # a checked project never gets here
                log.error("%s: derived tag %s: %s", tag.source, name, exc)
                continue
            self._exprs[name] = expr
            for dep in expr.names:
                self._dependents.setdefault(dep, set()).add(name)

    # -- subscriptions -------------------------------------------------------------------

    def subscribe(self, name: str, **kwargs: Any) -> Subscription:
        """A new consumer (see ``Subscription`` for the options)."""
        return self.add_subscription(Subscription(name, **kwargs))

    def add_subscription(self, sub: Subscription) -> Subscription:
        """Start offering batches to ``sub``; with ``initial`` it first gets every current
        value it wants, so nothing published between a snapshot and now is missed."""
        if sub.closed:
            return sub
        self._subs.append(sub)
        if sub.initial and self.values:
            sub.offer(dict(self.values))
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub.close()
        if sub in self._subs:
            self._subs.remove(sub)

    # -- the hot path --------------------------------------------------------------------

    def publish(self, batch: Batch) -> None:
        """Take a raw batch from a driver (DriverSink.publish).

        Tens of thousands of values a second pass here, so each costs a few dict lookups
        and comparisons: the per-tag numbers are precomputed (``_Prep``), a sample is read
        by position (``TagValue`` is a tuple), and what passes is stored in one update."""
        out: Batch = {}
        values = self.values
        preps = self._prep
        bad = Quality.BAD
        for name, tv in batch.items():
            prep = preps.get(name)
            if prep is None:
                self.unknown_tags += 1
                continue
            value, quality, source_ts, ts, reason = tv
            prev = values.get(name)
            if quality is bad:
                # a Bad sample keeps showing the last known value (marked, never blanked)
                value = prev[0] if prev is not None else None
                tv = _make(TagValue, (value, quality, source_ts, ts, reason))
            elif prep.scaled and value is not None:
                value = value * prep.gain + prep.offset
                tv = _make(TagValue, (value, quality, source_ts, ts, reason))
            if prev is not None and prev[1] is quality and prev[4] == reason:
                old = prev[0]
                if old == value:
                    continue
                band = prep.band
                if band and value is not None and old is not None and abs(value - old) < band:
                    continue
            out[name] = tv
        if not out:
            return
        values.update(out)
        if self._dependents:
            self._update_derived(out)
        for sub in self._subs:
            sub.offer(out)

    def _update_derived(self, changed: Batch) -> None:
        """Re-evaluate derived tags fed by ``changed``, dependencies first (a heap by order)."""
        order = self._order
        heap: list[tuple[int, str]] = []
        queued: set[str] = set()

        def push_dependents_of(name: str) -> None:
            for dep in self._dependents.get(name, ()):
                if dep not in queued:
                    queued.add(dep)
                    heapq.heappush(heap, (order[dep], dep))

        for name in list(changed):
            push_dependents_of(name)
        while heap:
            _, name = heapq.heappop(heap)
            tv = self._evaluate(name)
            prev = self.values.get(name)
            if prev is not None and prev.value == tv.value and prev.quality is tv.quality:
                continue
            self.values[name] = tv
            changed[name] = tv
            push_dependents_of(name)

    def _evaluate(self, name: str) -> TagValue:
        expr = self._exprs[name]
        now = self.clock()
        inputs: dict[str, Any] = {}
        quality = Quality.GOOD
        reason = ""
        for dep in expr.names:
            tv = self.values.get(dep)
            if tv is None:
                return TagValue(None, Quality.BAD, None, now, f"waiting for {dep}")
            if tv.quality > quality:
                quality, reason = tv.quality, f"{dep}: {tv.reason}"
            inputs[dep] = tv.value
        try:
            value = expr.evaluate(inputs)
        except Exception as exc:
            prev = self.values.get(name)
            return TagValue(prev.value if prev else None, Quality.BAD, None, now, str(exc))
        if isinstance(value, float) and not math.isfinite(value):
            return TagValue(value, Quality.BAD, None, now, "result is not a finite number")
        return TagValue(value, quality, None, now, reason)

    def device_state(self, state: DeviceState) -> None:
        """Take a device's state from its driver (DriverSink.device_state)."""
        prev = self.device_states.get(state.device)
        self.device_states[state.device] = state
        if prev is not None and prev.status is state.status and prev.reason == state.reason:
            return
        if state.status in (DeviceStatus.ONLINE, DeviceStatus.CONNECTING):
            quality = Quality.GOOD
        elif state.status is DeviceStatus.DEGRADED:
            quality = Quality.UNCERTAIN
        else:
            quality = Quality.BAD
        tv = TagValue(state.status.value, quality, None, state.ts or self.clock(), state.reason)
        self.publish_system({device_status_tag(state.device): tv})

    def publish_system(self, batch: Batch) -> None:
        """Publish the application's own tags (``_sys.*``: device states, alarm counts, store
        health). They need no project entry, get no scaling, and pass only when changed."""
        out: Batch = {}
        for name, tv in batch.items():
            if not name.startswith(SYSTEM_PREFIX):
                raise ValueError(f"system tag names start with '{SYSTEM_PREFIX}': {name}")
            prev = self.values.get(name)
            if prev is not None and (prev.value, prev.quality, prev.reason) == (
                tv.value,
                tv.quality,
                tv.reason,
            ):
                continue
            self.values[name] = tv
            out[name] = tv
        if out:
            for sub in self._subs:
                sub.offer(out)

    # -- writes --------------------------------------------------------------------------

    async def write(
        self, name: str, value: Any, user: str = "", timeout: float = 10.0
    ) -> WriteResult:
        """Check, convert to raw units, write through the driver, and report what happened."""
        tag = self.project.tags.get(name)
        if tag is None:
            return WriteResult(name, WriteStatus.REFUSED, f"unknown tag '{name}'")
        previous = self.values.get(name)
        result = self._refusal(tag, value, user)
        if result is None:
            eng = coerce(tag, value)
            raw = self._to_raw(tag, eng)
            driver = self.drivers.get(tag.device or "")
            if driver is None:
                result = WriteResult(
                    name, WriteStatus.FAILED, f"device '{tag.device}' is not running"
                )
            else:
                try:
                    result = await asyncio.wait_for(driver.write(tag, raw), timeout)
                except TimeoutError:
                    result = WriteResult(
                        name, WriteStatus.FAILED, f"no answer within {timeout:g} s"
                    )
                except Exception as exc:  # a driver must not raise, but never let it crash a write
                    log.exception("write %s", name)
                    result = WriteResult(name, WriteStatus.FAILED, f"driver error: {exc}")
                if result.readback is not None and tag.scaling is not None:
                    result = WriteResult(
                        name, result.status, result.message, self._to_eng(tag, result.readback)
                    )
        self.access.record(
            user,
            WRITE_TAG,
            name,
            old=None if previous is None else previous.value,
            new=value,
            status=result.status.value,
            message=result.message,
        )
        return result

    def _refusal(self, tag: TagConfig, value: Any, user: str) -> WriteResult | None:
        name = tag.name
        if tag.derived:
            return WriteResult(name, WriteStatus.REFUSED, "a derived tag cannot be written")
        if not tag.writable:
            return WriteResult(name, WriteStatus.REFUSED, "tag is read-only")
        try:
            eng = coerce(tag, value)
        except (TypeError, ValueError) as exc:
            return WriteResult(name, WriteStatus.REFUSED, str(exc))
        if tag.eng_range is not None and tag.data_type.numeric:
            lo, hi = tag.eng_range
            if not lo <= eng <= hi:
                units = f" {tag.units}" if tag.units else ""
                return WriteResult(
                    name, WriteStatus.REFUSED, f"{eng:g} is outside the range {lo:g}..{hi:g}{units}"
                )
        reason = self.access.refusal(user, WRITE_TAG, name)
        if reason:
            return WriteResult(name, WriteStatus.REFUSED, reason)
        return None

    @staticmethod
    def _to_raw(tag: TagConfig, eng: Any) -> Any:
        if tag.scaling is None or not tag.data_type.numeric:
            return eng
        raw = tag.scaling.to_raw(eng)
        return round(raw) if tag.data_type.integer else raw

    @staticmethod
    def _to_eng(tag: TagConfig, raw: Any) -> Any:
        return tag.scaling.to_eng(raw) if tag.scaling and isinstance(raw, int | float) else raw


def coerce(tag: TagConfig, value: Any) -> Any:
    """Turn a user's value (often typed text) into the tag's type, or say why not."""
    dt = tag.data_type
    if dt is DataType.BOOL:
        flag = parse_flag(value)
        if flag is not None:
            return flag
        raise ValueError(f"'{value}' is not on/off (use 1/0, true/false)")
    if dt is DataType.STRING:
        text = str(value)
        if tag.length and len(text) > tag.length:
            raise ValueError(f"text is longer than {tag.length} characters")
        return text
    if isinstance(value, bool):
        raise TypeError(f"{tag.name} needs a number, not on/off")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"'{value}' is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"'{value}' is not a finite number")
    if dt.integer and tag.scaling is None:
        if number != int(number):
            raise ValueError(f"{tag.name} takes whole numbers, not {value}")
        return int(number)
    return number
