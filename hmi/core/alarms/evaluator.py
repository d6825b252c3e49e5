"""Detection: from tag values to "this alarm's condition is now active / clear / suppressed".

Each alarm has a detector. A batch re-evaluates only the detectors that read a tag in it
(their own tag, a setpoint, a condition input, their device's status), so the cost follows
the rate of change, not the number of alarms. Chattering is stopped twice: the deadband
is hysteresis (a high alarm clears only below ``limit - deadband``) and the on/off delays
require a new state to hold for a while. Delays must expire even when no value arrives,
so detectors with a pending delay (and rate alarms, whose rate decays with time, and
bad-quality alarms whose device just came back) sit in ``timed`` and ``tick`` visits them.

A value of Bad quality holds a process alarm where it is: a lost signal neither raises
nor clears a limit. Its own bad-quality alarm says that the signal is lost, unless the
whole device is down, which its one communication alarm says instead.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ..engine import DEVICE_TAG_PREFIX
from ..expr import ExprError, Expression, ExprRuntimeError, compile_expr
from ..tags import Batch, Quality, TagValue
from .definitions import AlarmDef, AlarmKind
from .states import Action

log = logging.getLogger(__name__)
BAD = Quality.BAD
K = AlarmKind
DEVICE_SETTLE_S = 2.0  # a device just back may still deliver Bad values from its last poll

Latest = Mapping[str, TagValue]
Test = Callable[[Latest, bool, float], bool | None]


class Change(NamedTuple):
    """What the process did to one alarm: ACTIVATE, CLEAR, SUPPRESS or UNSUPPRESS."""

    alarm_index: int  # in the evaluator's alarms (a field named index would hide tuple.index)
    action: Action


class Detector:
    __slots__ = ("active", "alarm", "index", "pending_since", "raw", "suppressed", "test")

    def __init__(self, index: int, alarm: AlarmDef, test: Test):
        self.index = index
        self.alarm = alarm
        self.test = test
        self.raw = False  # the condition now, deadband included
        self.active = False  # the condition after the on/off delays
        self.pending_since: float | None = None  # when raw started to differ from active
        self.suppressed = False


class Evaluator:
    def __init__(self, alarms: Sequence[AlarmDef], settle: float = DEVICE_SETTLE_S):
        self.alarms = list(alarms)
        self.settle = settle
        self.latest: dict[str, TagValue] = {}
        self.history: dict[str, deque[tuple[float, float]]] = {}
        self.window: dict[str, float] = {}  # the longest rate period per tag
        self.timed: dict[Detector, None] = {}  # ordered set: detectors the tick must visit
        self.device_down: dict[str, bool] = {}
        self.device_up_at: dict[str, float] = {}
        self.conditions: dict[str, Expression] = {}
        self.by_tag: dict[str, list[Detector]] = {}
        self._memo: dict[str, bool | None] = {}
        self.detectors = [Detector(i, a, self._test(a)) for i, a in enumerate(self.alarms)]
        for detector in self.detectors:
            for name in self._reads(detector.alarm):
                self.by_tag.setdefault(name, []).append(detector)

    def _reads(self, alarm: AlarmDef) -> list[str]:
        names = [alarm.tag]
        if alarm.setpoint:
            names.append(alarm.setpoint)
        if alarm.condition:
            expr = self.conditions.get(alarm.condition)
            if expr is None:
                expr = self.conditions[alarm.condition] = _compile(alarm)
            names.extend(sorted(expr.names))
        if alarm.kind is K.BAD_QUALITY and alarm.device:
            names.append(DEVICE_TAG_PREFIX + alarm.device)
        return list(dict.fromkeys(names))

    def _test(self, alarm: AlarmDef) -> Test:
        kind = alarm.kind
        if kind in (K.HIHI, K.HI, K.LO, K.LOLO):
            return _limit(alarm.tag, alarm.limit or 0.0, alarm.deadband, kind.rising)
        if kind in (K.DEV_HI, K.DEV_LO):
            return _deviation(alarm, kind.rising)
        if kind in (K.RATE_HI, K.RATE_LO):
            history = self.history.setdefault(alarm.tag, deque())
            self.window[alarm.tag] = max(self.window.get(alarm.tag, 0.0), alarm.per)
            return _rate(history, alarm.limit or 0.0, alarm.per, kind.rising)
        if kind is K.STATE:
            return _state(alarm.tag, alarm.match)
        return _quality(alarm.tag)  # bad_quality, and comm on the device status tag

    # -- feeding -----------------------------------------------------------------------

    def process(self, batch: Batch, now: float) -> list[Change]:
        """Take one batch from the engine; the changes it causes, in order."""
        touched: dict[Detector, None] = {}
        by_tag = self.by_tag
        latest = self.latest
        for name, tv in batch.items():
            detectors = by_tag.get(name)
            if detectors is None:
                continue
            latest[name] = tv
            if name in self.history:
                self._sample(name, tv, now)
            elif name.startswith(DEVICE_TAG_PREFIX):
                self._device(name[len(DEVICE_TAG_PREFIX) :], tv, now)
            for detector in detectors:
                touched[detector] = None
        changes: list[Change] = []
        if touched:
            self._memo.clear()
            for detector in touched:
                self._evaluate(detector, now, changes)
        return changes

    def tick(self, now: float) -> list[Change]:
        """Let delays expire, rates decay and devices settle, with or without new values."""
        changes: list[Change] = []
        if self.timed:
            self._memo.clear()
            for detector in list(self.timed):
                self._evaluate(detector, now, changes)
        return changes

    def restore(self, index: int, active: bool, suppressed: bool) -> None:
        """Start from a state kept over a restart, so it is not announced again."""
        detector = self.detectors[index]
        detector.raw = detector.active = active
        detector.suppressed = suppressed

    def fields(self, alarm: AlarmDef) -> dict[str, Any]:
        """The values a message may show."""
        tv = self.latest.get(alarm.tag)
        setpoint = self.latest.get(alarm.setpoint) if alarm.setpoint else None
        return {
            "value": None if tv is None else tv.value,
            "reason": "" if tv is None else tv.reason,
            "units": alarm.units,
            "limit": alarm.limit,
            "setpoint": None if setpoint is None else setpoint.value,
            "tag": alarm.tag,
            "device": alarm.device or "",
        }

    def _sample(self, name: str, tv: TagValue, now: float) -> None:
        samples = self.history[name]
        value = tv.value
        if tv.quality is BAD or not isinstance(value, int | float) or isinstance(value, bool):
            samples.clear()  # no rate across a gap: a reconnect is not a step change
            return
        ts = tv.ts or now
        samples.append((ts, float(value)))
        cutoff = ts - self.window[name]  # keep one sample older than the longest period
        while len(samples) > 2 and samples[1][0] <= cutoff:
            samples.popleft()

    def _device(self, device: str, tv: TagValue, now: float) -> None:
        down = tv.quality is BAD
        if self.device_down.get(device) and not down:
            self.device_up_at[device] = now
        self.device_down[device] = down

    # -- deciding ----------------------------------------------------------------------

    def _evaluate(self, detector: Detector, now: float, changes: list[Change]) -> None:
        suppressed = self._suppressed(detector, now)
        if suppressed is None:  # a condition input has not arrived yet: wait for it
            return
        if suppressed is not detector.suppressed:
            detector.suppressed = suppressed
            detector.active = detector.raw = False
            detector.pending_since = None
            changes.append(
                Change(detector.index, Action.SUPPRESS if suppressed else Action.UNSUPPRESS)
            )
        if suppressed:
            self._schedule(detector, now)
            return
        raw = detector.test(self.latest, detector.raw, now)
        if raw is not None:
            detector.raw = raw
            if raw == detector.active:
                detector.pending_since = None
            else:
                alarm = detector.alarm
                delay = alarm.on_delay if raw else alarm.off_delay
                if detector.pending_since is None:
                    detector.pending_since = now
                if now - detector.pending_since >= delay:
                    detector.active = raw
                    detector.pending_since = None
                    changes.append(Change(detector.index, Action.ACTIVATE if raw else Action.CLEAR))
        self._schedule(detector, now)

    def _schedule(self, detector: Detector, now: float) -> None:
        alarm = detector.alarm
        needed = detector.pending_since is not None
        if not needed and alarm.kind in (K.RATE_HI, K.RATE_LO):
            needed = detector.raw or len(self.history[alarm.tag]) > 1
        if not needed and alarm.kind is K.BAD_QUALITY and alarm.device:
            up_at = self.device_up_at.get(alarm.device)
            needed = up_at is not None and now - up_at < self.settle
        if needed:
            self.timed[detector] = None
        else:
            self.timed.pop(detector, None)

    def _suppressed(self, detector: Detector, now: float) -> bool | None:
        alarm = detector.alarm
        if alarm.condition is not None:
            holds = self._condition(alarm.condition)
            if holds is None:
                return None
            if not holds:
                return True
        if alarm.kind is K.BAD_QUALITY and alarm.device:
            if self.device_down.get(alarm.device):
                return True
            up_at = self.device_up_at.get(alarm.device)
            return up_at is not None and now - up_at < self.settle
        return False

    def _condition(self, text: str) -> bool | None:
        """The design condition: None while an input is missing, True if it cannot be
        computed (a Bad input): an alarm is never hidden on a guess."""
        memo = self._memo
        if text in memo:
            return memo[text]
        expr = self.conditions[text]
        values: dict[str, Any] = {}
        result: bool | None = None
        for name in expr.names:
            tv = self.latest.get(name)
            if tv is None:
                break
            if tv.quality is BAD:
                result = True
                break
            values[name] = tv.value
        else:
            try:
                result = bool(expr.evaluate(values))
            except ExprRuntimeError:
                result = True
        memo[text] = result
        return result


def _compile(alarm: AlarmDef) -> Expression:
    """The design condition; one that does not compile (a checked project has none) never
    suppresses: an alarm is never hidden by a mistake."""
    try:
        return compile_expr(alarm.condition or "True")
    except ExprError as error:
        log.error("alarm %s: condition ignored: %s", alarm.id, error)
        return compile_expr("True")


# -- the tests of each kind: True in alarm, False not, None cannot tell (hold) ------------


def _limit(tag: str, limit: float, deadband: float, rising: bool) -> Test:
    def test(latest: Latest, was: bool, now: float) -> bool | None:
        tv = latest.get(tag)
        if tv is None or tv.quality is BAD:
            return None
        value = tv.value
        try:
            if rising:
                return value >= limit or (was and value > limit - deadband)
            return value <= limit or (was and value < limit + deadband)
        except TypeError:
            return None

    return test


def _deviation(alarm: AlarmDef, rising: bool) -> Test:
    tag, setpoint = alarm.tag, alarm.setpoint or ""
    limit, deadband = alarm.limit or 0.0, alarm.deadband

    def test(latest: Latest, was: bool, now: float) -> bool | None:
        tv, sp = latest.get(tag), latest.get(setpoint)
        if tv is None or sp is None or tv.quality is BAD or sp.quality is BAD:
            return None
        try:
            diff = tv.value - sp.value
            if rising:
                return diff >= limit or (was and diff > limit - deadband)
            return diff <= limit or (was and diff < limit + deadband)
        except TypeError:
            return None

    return test


def _rate(samples: deque[tuple[float, float]], limit: float, per: float, rising: bool) -> Test:
    """The change over the last ``per`` seconds (from the newest sample at least that old),
    scaled to ``per``; a value that stopped changing has a rate that decays to 0."""

    def test(latest: Latest, was: bool, now: float) -> bool | None:
        if not samples:
            return None
        cutoff = now - per
        while len(samples) > 1 and samples[1][0] <= cutoff:
            samples.popleft()
        ref_ts, ref_value = samples[0]
        change = samples[-1][1] - ref_value
        rate = change / max(now - ref_ts, per) * per
        return rate >= limit if rising else rate <= limit

    return test


def _state(tag: str, matches: tuple[Any, ...]) -> Test:
    on_off = all(isinstance(match, bool) for match in matches)

    def test(latest: Latest, was: bool, now: float) -> bool | None:
        tv = latest.get(tag)
        if tv is None or tv.quality is BAD:
            return None
        return (bool(tv.value) if on_off else tv.value) in matches

    return test


def _quality(tag: str) -> Test:
    def test(latest: Latest, was: bool, now: float) -> bool | None:
        tv = latest.get(tag)
        return None if tv is None else tv.quality is BAD

    return test
