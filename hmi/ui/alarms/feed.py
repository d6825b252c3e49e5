"""Alarm events from the manager's thread to the GUI thread, coalesced.

The manager calls its listeners on the ``hmi-alarms`` thread, up to ten times a second
and with as many events as a cycle made (a thousand in a flood). The listener here only
appends to a list under a lock and, if no delivery is pending, posts one queued signal.
On the GUI thread a single-shot timer then hands everything gathered so far to the views
in one ``changed`` emission, at most once per ``min_interval_ms``. So a flood of any size
costs the GUI a few redraws per second, and the views read the alarm list once per
redraw rather than once per event.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from hmi.core.alarms import AlarmEvent, AlarmManager

log = logging.getLogger(__name__)

MIN_INTERVAL_MS = 150
MAX_PENDING = 5_000  # the views re-read the manager; older events only matter for counts


class AlarmFeed(QObject):
    """``changed(list[AlarmEvent])`` on the GUI thread, coalesced; ``lost`` counts events
    left out of a delivery because the GUI fell far behind (the views stay right: they
    read the manager's state, not the events)."""

    changed = Signal(list)
    _arrived = Signal()

    def __init__(
        self,
        manager: AlarmManager,
        *,
        min_interval_ms: int = MIN_INTERVAL_MS,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.manager = manager
        self.min_interval_ms = min_interval_ms
        self.deliveries = 0
        self.received = 0
        self.lost = 0
        self._lock = threading.Lock()
        self._pending: list[AlarmEvent] = []
        self._posted = False
        self._last_delivery = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.deliver)
        self._arrived.connect(self._schedule, Qt.ConnectionType.QueuedConnection)
        self._remove: Callable[[], None] | None = manager.on_event(self._receive)
        self.destroyed.connect(self._forget(self._remove))

    @staticmethod
    def _forget(remove: Callable[[], None]) -> Callable[..., None]:
        # a plain function: when the feed is destroyed, its methods can no longer be called
        return lambda *_: remove()

    def _receive(self, events: list[AlarmEvent]) -> None:
        """On the manager's thread: keep the events, wake the GUI once."""
        with self._lock:
            self.received += len(events)
            self._pending.extend(events)
            overflow = len(self._pending) - MAX_PENDING
            if overflow > 0:
                del self._pending[:overflow]
                self.lost += overflow
            if self._posted:
                return
            self._posted = True
        try:
            self._arrived.emit()
        except RuntimeError:  # the feed was deleted with its window
            pass

    def _schedule(self) -> None:
        if self._timer.isActive():
            return
        since_ms = (time.monotonic() - self._last_delivery) * 1000.0
        self._timer.start(max(0, round(self.min_interval_ms - since_ms)))

    def deliver(self) -> None:
        """Hand everything gathered to the views (on the GUI thread)."""
        with self._lock:
            events, self._pending = self._pending, []
            self._posted = False
        self._last_delivery = time.monotonic()
        if events:
            self.deliveries += 1
            self.changed.emit(events)

    def close(self) -> None:
        """Stop listening (the window is closing)."""
        if self._remove is not None:
            self._remove()
            self._remove = None
        try:
            self._timer.stop()
        except RuntimeError:  # already deleted with the window
            pass
