"""The one road from the tag engine to the widgets.

The engine runs on the runtime thread and may change thousands of tags a second. The
bridge keeps a latest-only subscription; when it gets values (on the runtime thread) they
go into a ``CoalescingFeed`` keyed by tag name, which flushes them on the GUI thread at
most ``rate_hz`` times a second: each bound callback sees only the newest value of its
tag, so no burst of changes can freeze the screen. The bridge only subscribes and
unsubscribes through its ``TagSource``; it never assumes the current values arrive before
``subscribe`` returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from hmi.core.subscription import Subscription
from hmi.core.tags import Batch, TagValue
from hmi.ui.feed import CoalescingFeed

log = logging.getLogger(__name__)

TagCallback = Callable[[TagValue], None]
MAX_RATE_HZ = 20.0
MIN_RATE_HZ = 1.0


class TagSource(Protocol):
    """What the bridge needs of the engine."""

    values: dict[str, TagValue]

    def subscribe(self, name: str, **kwargs: Any) -> Subscription: ...

    def unsubscribe(self, sub: Subscription) -> None: ...


class Binding:
    """A widget's interest in one tag; ``unbind`` ends it."""

    __slots__ = ("_bridge", "callback", "tag")

    def __init__(self, bridge: TagBridge, tag: str, callback: TagCallback):
        self._bridge: TagBridge | None = bridge
        self.tag = tag
        self.callback = callback

    def unbind(self) -> None:
        if self._bridge is not None:
            self._bridge._remove(self)
            self._bridge = None


class TagBridge(QObject):
    """Coalesces engine changes and hands them to widgets on the GUI thread."""

    #: emitted after each flush with the tags that changed (newest value each)
    flushed = Signal(dict)

    def __init__(self, engine: TagSource, rate_hz: float = 10.0, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = engine
        self.rate_hz = min(MAX_RATE_HZ, max(MIN_RATE_HZ, float(rate_hz)))
        self.period = 1.0 / self.rate_hz
        self.flushes = 0
        self.values_delivered = 0
        self._bindings: dict[str, list[Binding]] = {}
        self._values: dict[str, TagValue] = {}
        self.feed = CoalescingFeed(self._deliver, min_interval_ms=self.period * 1000, parent=self)
        self.feed.setObjectName("tag values")
        self.feed.close()  # until start
        self._subscription: Subscription | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Subscribe; the first flush brings every current value (the engine hands them
        over when it registers the subscription, now or shortly after)."""
        if self._subscription is None:
            self.feed.open()
            sub = self.engine.subscribe("ui", latest_only=True, wake=self._wake)
            self._subscription = sub
            self._pass_on(sub)  # what was offered before ``sub`` was known here
            self.feed.schedule()

    def stop(self) -> None:
        self.feed.close()
        sub, self._subscription = self._subscription, None
        if sub is not None:
            self.engine.unsubscribe(sub)

    def switch_source(self, source: TagSource) -> TagSource:
        """Show ``source``'s values from now on (a replay, or the live engine again);
        every bound widget gets the new source's value at the next flush. Returns the
        source it showed before."""
        previous = self.engine
        self.stop()
        self.engine = source
        self._values.clear()
        self.start()
        return previous

    def _wake(self) -> None:
        """Called on the runtime thread when the subscription got values: move them into
        the feed, which wakes the GUI thread; never touches widgets."""
        sub = self._subscription
        if sub is not None:
            self._pass_on(sub)

    def _pass_on(self, sub: Subscription) -> None:
        for batch in sub.take():
            if not self.feed.put(batch):
                # stopped, or deleted while the runtime still ran: no more offers to it
                sub.close()
                return

    # -- widgets -------------------------------------------------------------------------

    def bind(self, tag: str, callback: TagCallback, *, initial: bool = True) -> Binding:
        """Call ``callback(TagValue)`` on the GUI thread whenever ``tag`` has a newer value.

        With ``initial`` the callback gets the last known value at once, if there is one.
        """
        binding = Binding(self, tag, callback)
        self._bindings.setdefault(tag, []).append(binding)
        if initial:
            tv = self.value(tag)
            if tv is not None:
                self._call(binding, tv)
        return binding

    def _remove(self, binding: Binding) -> None:
        group = self._bindings.get(binding.tag)
        if group and binding in group:
            group.remove(binding)
            if not group:
                del self._bindings[binding.tag]

    def value(self, tag: str) -> TagValue | None:
        """The newest value the GUI has seen (or the engine's, before the first flush)."""
        tv = self._values.get(tag)
        if tv is None:
            tv = self.engine.values.get(tag)
        return tv

    @property
    def bound_tags(self) -> set[str]:
        return set(self._bindings)

    # -- the flush -----------------------------------------------------------------------

    def flush(self) -> int:
        """Deliver what changed since the last flush now; returns the number of callbacks run."""
        return self.feed.deliver() or 0

    def _deliver(self, batch: Batch) -> int:
        """The feed's sink, on the GUI thread: the newest value of every changed tag."""
        self._values.update(batch)
        calls = 0
        bindings = self._bindings
        for tag, tv in batch.items():
            group = bindings.get(tag)
            if group:
                for binding in group if len(group) == 1 else tuple(group):
                    try:
                        binding.callback(tv)
                    except Exception:  # one broken widget must not stop the others
                        log.exception("updating a widget bound to %s", tag)
                    calls += 1
        self.flushes += 1
        self.values_delivered += calls
        self.flushed.emit(batch)
        return calls

    @staticmethod
    def _call(binding: Binding, tv: TagValue) -> None:
        try:
            binding.callback(tv)
        except Exception:  # one broken widget must not stop the others
            log.exception("updating a widget bound to %s", binding.tag)
