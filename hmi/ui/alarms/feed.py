"""Alarm events from the manager's thread to the GUI thread, coalesced per alarm.

The manager calls its listeners on the ``hmi-alarms`` thread, up to ten times a second
and with as many events as a cycle made (a thousand in a flood). The listener here puts
them into a ``CoalescingFeed`` keyed by alarm id, which keeps the newest event of each
alarm and hands them to the views on the GUI thread in one ``changed`` emission, at most
once per ``min_interval_ms``. So a flood of any size costs the GUI a few redraws per
second, what waits for the GUI is bounded by the number of alarms, and the views read
the alarm list once per redraw rather than once per event.

The newest event of an alarm is its state; the views read the manager's state anyway.
One thing an older event says that the newest may not: that the alarm was *activated*
(went to unacknowledged). The horn sounds for that, so the newest activation of each
alarm is kept too, under a key of its own: an alarm that came in and was acknowledged
elsewhere, or returned to normal, within one delivery window still makes the horn sound,
just as when the two events arrive in separate deliveries (the horn then stops by itself
if nothing loud waits for acknowledgement).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Hashable
from typing import Any

from PySide6.QtCore import QObject, Signal

from hmi.core.alarms import AlarmEvent, AlarmManager, AlarmState
from hmi.ui.feed import CoalescingFeed

log = logging.getLogger(__name__)

MIN_INTERVAL_MS = 150
ACTIVATION = "activation"  # the second key of an alarm: its newest activation


class AlarmFeed(QObject):
    """``changed(list[AlarmEvent])`` on the GUI thread, coalesced: per alarm its newest
    event, and its newest activation when a later event replaced it, oldest first.

    ``received`` counts the manager's events, ``superseded`` those that a newer event of
    the same alarm replaced before the views got them (the views stay right: they read
    the manager's state, not the events), ``deliveries`` the ``changed`` emissions.
    """

    changed = Signal(list)

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
        self.feed = CoalescingFeed(self._deliver, min_interval_ms=min_interval_ms, parent=self)
        self.feed.setObjectName("alarm events")
        self._order = itertools.count()  # the order events came in, across keys
        self._remove: Callable[[], None] | None = manager.on_event(self._receive)
        self.destroyed.connect(self._forget(self._remove))

    @staticmethod
    def _forget(remove: Callable[[], None]) -> Callable[..., None]:
        # a plain function: when the feed is destroyed, its methods can no longer be called
        return lambda *_: remove()

    # -- counts --------------------------------------------------------------------------

    @property
    def received(self) -> int:
        return self.feed.received

    @property
    def superseded(self) -> int:
        return self.feed.replaced

    @property
    def deliveries(self) -> int:
        return self.feed.deliveries

    # -- the manager's thread ------------------------------------------------------------

    def _receive(self, events: list[AlarmEvent]) -> None:
        """On the manager's thread: keep the newest event (and activation) per alarm."""
        order = self._order
        updates: dict[Hashable, tuple[int, AlarmEvent]] = {}
        for event in events:
            key: Hashable = event.alarm_id
            if _is_activation(event):
                key = (key, ACTIVATION)
            updates[key] = (next(order), event)
        self.feed.put(updates, offered=len(events))

    # -- the GUI thread ------------------------------------------------------------------

    def _deliver(self, items: dict[Hashable, tuple[int, AlarmEvent]]) -> None:
        events = [event for _, event in sorted(items.values(), key=_first)]
        self.changed.emit(events)

    def deliver(self) -> None:
        """Hand everything gathered to the views now (on the GUI thread)."""
        self.feed.deliver()

    def close(self) -> None:
        """Stop listening (the window is closing)."""
        if self._remove is not None:
            self._remove()
            self._remove = None
        self.feed.close()


def _is_activation(event: AlarmEvent) -> bool:
    return event.to_state is AlarmState.UNACKED and event.from_state is not AlarmState.UNACKED


def _first(item: tuple[int, Any]) -> int:
    return item[0]
