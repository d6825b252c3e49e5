"""Callbacks that any thread may add, remove and call: one copy of that pattern.

A failing callback is logged and the others still run; calling works on a snapshot, so
a callback may remove itself (or add another) while being called.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class Listeners:
    def __init__(self, what: str):
        self.what = what  # for the log: "telling <what> failed"
        self._items: list[Callable[..., Any]] = []
        self._lock = threading.Lock()

    def add(self, callback: Callable[..., Any]) -> Callable[[], None]:
        """Call ``callback`` from now on; returns the function that stops it."""
        with self._lock:
            self._items.append(callback)

        def remove() -> None:
            with self._lock:
                if callback in self._items:
                    self._items.remove(callback)

        return remove

    def call(self, *args: Any) -> None:
        with self._lock:
            items = list(self._items)
        for callback in items:
            try:
                callback(*args)
            except Exception:
                log.exception("telling %r %s failed", callback, self.what)
