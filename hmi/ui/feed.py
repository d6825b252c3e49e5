"""One road from any thread to the GUI thread: keyed updates, coalesced, rate-limited.

Producers (the runtime thread, the alarm manager's thread, any other) call ``put`` with a
mapping key -> newest item. The feed keeps only the newest item per key, so what waits for
the GUI is bounded by the number of keys, never by how fast the producer runs. The first
``put`` after a delivery posts one queued signal to the GUI thread; there a single-shot
timer hands everything gathered so far to the sink in one call, at most once per
``min_interval_ms``. So a burst of any size costs the GUI a bounded number of deliveries a
second, and every delivery carries the newest item of every key that changed.

``put`` is safe to call after the feed (or its owner) was deleted: the producer's thread
gets ``False`` back instead of an exception, and the feed stays closed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

log = logging.getLogger(__name__)

Sink = Callable[[dict[Any, Any]], Any]


class CoalescingFeed(QObject):
    """Newest item per key, from any thread, delivered to ``sink(dict)`` on the GUI thread.

    Counts (read them on any thread; exact whenever nothing is pending):
    ``received`` items put, ``replaced`` items a newer one of the same key replaced before
    they were delivered, ``delivered`` items handed to the sink, ``deliveries`` calls of
    the sink; ``received == delivered + replaced + pending`` (plus what ``close`` dropped).
    """

    _posted = Signal()

    def __init__(
        self,
        sink: Sink,
        *,
        min_interval_ms: float,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.sink = sink
        self.min_interval_ms = float(min_interval_ms)
        self.received = 0
        self.replaced = 0
        self.delivered = 0
        self.deliveries = 0
        self.dropped = 0  # items still pending when the feed was closed
        self._lock = threading.Lock()
        self._pending: dict[Any, Any] = {}
        self._woken = False  # a queued signal or the timer will deliver what is pending
        self._gate = _Gate()
        self._last_delivery = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._due)
        self._posted.connect(self._schedule, Qt.ConnectionType.QueuedConnection)
        # not a method of the feed: once it is destroyed, those can no longer be called
        self.destroyed.connect(self._gate.shut)

    # -- producers (any thread) ----------------------------------------------------------

    def put(self, updates: Mapping[Any, Any], *, offered: int | None = None) -> bool:
        """Keep ``updates`` (newest item per key) for the next delivery; wake the GUI once.

        ``offered`` is how many updates the mapping was made from when the producer already
        coalesced some (default: its length), so that ``replaced`` counts those too.
        Returns ``False`` once the feed is closed or deleted: the producer may stop.
        """
        gate = self._gate
        with self._lock:
            if gate.closed:
                return False
            pending = self._pending
            before = len(pending)
            pending.update(updates)
            count = len(updates) if offered is None else offered
            self.received += count
            self.replaced += before + count - len(pending)
            if self._woken or not pending:
                return True
            self._woken = True
        try:
            self._posted.emit()
        except RuntimeError:  # deleted with its owner while this thread still produced
            gate.shut()
            return False
        return True

    # -- the GUI thread ------------------------------------------------------------------

    def schedule(self) -> None:
        """Deliver what is pending as soon as the rate allows (call on the GUI thread)."""
        self._schedule()

    def _schedule(self) -> None:
        if self._gate.closed or self._timer.isActive():
            return
        since_ms = (time.monotonic() - self._last_delivery) * 1000.0
        self._timer.start(max(0, round(self.min_interval_ms - since_ms)))

    def _due(self) -> None:
        try:
            self.deliver()
        except Exception:  # a broken sink must not stop the next deliveries
            log.exception("delivering %s", self.objectName() or "updates")

    def deliver(self) -> Any:
        """Hand everything pending to the sink now (on the GUI thread); returns what the
        sink returned, or ``None`` when nothing was pending."""
        self._timer.stop()  # called directly: what comes next waits its turn again
        with self._lock:
            items, self._pending = self._pending, {}
            self._woken = False
        if not items:
            return None
        self._last_delivery = time.monotonic()
        self.deliveries += 1
        self.delivered += len(items)
        return self.sink(items)

    @property
    def pending(self) -> int:
        """How many keys wait for the next delivery."""
        return len(self._pending)

    @property
    def closed(self) -> bool:
        return self._gate.closed

    def open(self) -> None:
        """Accept updates again after ``close`` (not after the feed was deleted)."""
        with self._lock:
            if not self._gate.deleted:
                self._gate.closed = False

    def close(self) -> None:
        """Accept nothing more and drop what is pending (safe if already deleted)."""
        with self._lock:
            self._gate.closed = True
            self.dropped += len(self._pending)
            self._pending = {}
            self._woken = False
        try:
            self._timer.stop()
        except RuntimeError:  # already deleted with its owner
            pass


class _Gate:
    """Whether the feed takes updates; ``shut`` for good when the feed is destroyed."""

    __slots__ = ("__weakref__", "closed", "deleted")

    def __init__(self) -> None:
        self.closed = False
        self.deleted = False

    def shut(self, *_: object) -> None:
        self.deleted = self.closed = True
