"""Replay: the plant as it stood at a past moment, rebuilt from history and the alarm journal.

``ReplayTags`` stands in for the live engine in front of the screens (it has the engine's
``values``/``subscribe``/``unsubscribe``), so every screen, faceplate and symbol replays
without knowing it. At a moment ``t`` each tag shows what the historian reconstructs:
measurements interpolated where the history is a line between stored points (swinging
door), as a trend draws them; states, counters and values recorded on change held from
the point before. A tag the historian does not keep shows Bad "not recorded", and each
alarm state tag shows the alarm's state from its journal. The station's own system tags
(device connections, store health) stay live unless the historian keeps them: the
header tells the present, the screens the past. Moving to another moment hands the
subscriptions only what changed, like the engine does.

The history and the journal come in through two small protocols, so replay names no
capability; the queries run on the caller's thread (they are indexed look-ups).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any, Protocol

from .subscription import Subscription
from .systemtags import SYSTEM_PREFIX
from .tags import Batch, Quality, TagValue

NOT_RECORDED = "not recorded in history"
BEFORE_HISTORY = "no value recorded before this moment"


class RecordedPoint(Protocol):
    t: int  # ms
    value: Any
    quality: Quality


class HistorySource(Protocol):
    """What replay reads of the history (the historian's ``HistoryQuery``)."""

    def tags(self) -> list[str]: ...

    def interpolates(self, tag: str) -> bool: ...

    def value_at(
        self, tag: str, t: int, interpolate: bool | None = None
    ) -> RecordedPoint | None: ...


class AlarmStateSource(Protocol):
    """Alarm states at a moment, by the system tag that carries each state."""

    def is_state_tag(self, tag: str) -> bool: ...

    def states_at(self, tags: Collection[str], t: float) -> Mapping[str, str]: ...


class Replay:
    """The value of any tag at any past moment."""

    def __init__(
        self,
        history: HistorySource,
        alarms: AlarmStateSource | None = None,
        continuous: Callable[[str], bool] = lambda tag: True,
    ):
        """``continuous(tag)``: its value moves smoothly (a float measurement), so where
        the history draws a line between stored points (swinging door) it is
        interpolated; anything else (states, counters, on/off, values recorded on
        change) holds its last stored value, as it did in the plant."""
        self.history = history
        self.alarms = alarms
        self.continuous = continuous
        self._recorded: set[str] | None = None

    @property
    def recorded(self) -> set[str]:
        if self._recorded is None:
            self._recorded = set(self.history.tags())
        return self._recorded

    def state_at(self, t: float, tags: Iterable[str]) -> Batch:
        """Every tag of ``tags`` as it stood at ``t`` (seconds since the epoch)."""
        wanted = list(dict.fromkeys(tags))
        out: Batch = {}
        state_tags = [name for name in wanted if self.alarms and self.alarms.is_state_tag(name)]
        if state_tags and self.alarms is not None:
            states = self.alarms.states_at(state_tags, t)
            for name in state_tags:
                out[name] = TagValue(states.get(name, "normal"), Quality.GOOD, None, t)
        ms = round(t * 1000)
        recorded = self.recorded
        for name in wanted:
            if name in out:
                continue
            if name not in recorded:
                out[name] = TagValue(None, Quality.BAD, None, t, NOT_RECORDED)
                continue
            line = self.continuous(name) and self.history.interpolates(name)
            point = self.history.value_at(name, ms, line)
            if point is None:
                out[name] = TagValue(None, Quality.BAD, None, t, BEFORE_HISTORY)
            else:
                quality = point.quality
                reason = "" if quality is Quality.GOOD else f"recorded as {quality.name.lower()}"
                out[name] = TagValue(point.value, point.quality, point.t / 1000, t, reason)
        return out


class _Values(Mapping[str, TagValue]):
    """The replayed values; a tag asked for the first time is looked up at the moment."""

    def __init__(self, owner: ReplayTags):
        self.owner = owner

    def __getitem__(self, name: str) -> TagValue:
        return self.owner.value(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self.owner.shown))

    def __len__(self) -> int:
        return len(self.owner.shown)

    def get(self, name: str, default: Any = None) -> Any:
        return self.owner.value(name)


class ReplayTags:
    """A tag source at a chosen past moment (the engine's interface, for the screens);
    ``live`` (the engine's, for other threads) keeps the station's own tags current."""

    def __init__(
        self,
        replay: Replay,
        t: float,
        wanted: Callable[[], Collection[str]],
        live: Any = None,
    ):
        self.replay = replay
        self.t = t
        self.wanted = wanted  # the tags the screens show now
        self.live = live
        self.shown: dict[str, TagValue] = {}
        self.values = _Values(self)
        self._subs: list[Subscription] = []
        self._live_sub: Subscription | None = None
        self._lock = threading.Lock()

    def is_live(self, name: str) -> bool:
        """The station's own tags stay live unless the history keeps them."""
        alarms = self.replay.alarms
        return (
            self.live is not None
            and name.startswith(SYSTEM_PREFIX)
            and name not in self.replay.recorded
            and not (alarms is not None and alarms.is_state_tag(name))
        )

    def subscribe(self, name: str, **options: Any) -> Subscription:
        sub = Subscription(name, **options)
        with self._lock:
            self._subs.append(sub)
        if self.live is not None and self._live_sub is None:
            own = {tag for tag in list(self.live.values) if self.is_live(tag)}
            self._live_sub = self.live.subscribe(
                "replay.live", tags=own, latest_only=True, wake=self._forward
            )
            self._forward()  # what it was offered before it was known here
        if sub.initial:
            self.shown.update(self._state(self.t, self.wanted()))
            sub.offer(dict(self.shown))
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub.close()
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def close(self) -> None:
        """Stop following the live system tags (back to live)."""
        if self._live_sub is not None:
            self.live.unsubscribe(self._live_sub)
            self._live_sub = None

    def _forward(self) -> None:
        """A live system tag changed (on the runtime's thread): pass it on."""
        sub = self._live_sub
        if sub is None:
            return
        for batch in sub.take():
            self.shown.update(batch)
            self._offer(batch)

    def _offer(self, batch: Batch) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub.offer(batch)

    def _state(self, t: float, tags: Iterable[str]) -> Batch:
        live: list[str] = []
        past: list[str] = []
        for name in tags:
            (live if self.is_live(name) else past).append(name)
        state = self.replay.state_at(t, past)
        for name in live:
            tv = self.live.values.get(name)
            state[name] = tv if tv is not None else TagValue(None, Quality.BAD, None, t, "")
        return state

    def value(self, name: str) -> TagValue:
        tv = self.shown.get(name)
        if tv is None:
            tv = self.shown[name] = self._state(self.t, [name])[name]
        return tv

    def move_to(self, t: float) -> Batch:
        """Show moment ``t``: what changed is offered to the subscriptions and returned."""
        self.t = t
        tags = set(self.wanted()) | set(self.shown)
        state = self._state(t, tags)
        changed: Batch = {}
        for name, tv in state.items():
            old = self.shown.get(name)
            if old is None or (old.value, old.quality, old.reason) != (
                tv.value,
                tv.quality,
                tv.reason,
            ):
                changed[name] = tv
        self.shown.update(state)
        if changed:
            self._offer(changed)
        return changed
