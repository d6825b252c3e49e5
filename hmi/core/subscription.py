"""How the engine hands batches to consumers without ever waiting for them.

The engine calls ``offer`` on the runtime loop; a consumer on any thread calls ``take``.
A *queue* subscription keeps every batch (historian, journal) up to a bound and counts
what it had to drop; a *latest* subscription keeps only the newest value per tag (the UI).
``tags`` limits it to the tags the consumer reads, so nobody receives (say) its own
outputs; ``initial`` (default: for latest-only ones) first hands it every current value.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Collection

from .tags import Batch

log = logging.getLogger(__name__)


class Subscription:
    def __init__(
        self,
        name: str,
        *,
        latest_only: bool = False,
        max_batches: int = 10_000,
        wake: Callable[[], None] | None = None,
        tags: Collection[str] | None = None,
        initial: bool | None = None,
    ):
        self.name = name
        self.latest_only = latest_only
        self.tags = None if tags is None else frozenset(tags)
        self.initial = latest_only if initial is None else initial
        self.dropped = 0
        self._wake = wake
        self._lock = threading.Lock()
        self._queue: deque[Batch] = deque()
        self._max = max_batches
        self._latest: Batch = {}
        self._closed = False

    def offer(self, batch: Batch) -> None:
        if self._closed:
            return
        tags = self.tags
        if tags is not None:
            if batch.keys().isdisjoint(tags):  # in C, over the smaller of the two
                return
            batch = {k: v for k, v in batch.items() if k in tags}  # in the batch's order
        with self._lock:
            was_empty = not (self._latest or self._queue)
            if self.latest_only:
                self._latest.update(batch)
            else:
                if len(self._queue) >= self._max:
                    self._queue.popleft()
                    self.dropped += 1
                    if self.dropped == 1:
                        log.warning("%s is not keeping up; dropping its oldest batches", self.name)
                self._queue.append(batch)
        if was_empty and self._wake is not None:
            self._wake()

    def take(self) -> list[Batch]:
        """Everything offered since the last take (a latest-only subscription: one merged batch)."""
        with self._lock:
            if self.latest_only:
                if not self._latest:
                    return []
                out, self._latest = [self._latest], {}
                return out
            out = list(self._queue)
            self._queue.clear()
            return out

    def close(self) -> None:
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed
