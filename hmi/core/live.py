"""The tag engine as every other thread sees it.

The engine belongs to the runtime loop: it iterates its subscriptions on every batch, so
a list changed from the GUI thread or a capability's thread at the same moment could skip
or repeat a consumer. ``LiveTags`` posts every change of subscriptions and every system
tag publication to the loop's thread, and runs it at once when called on that thread or
while the loop does not run (start-up, shutdown, tests without a loop).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .subscription import Subscription
from .tags import Batch, TagValue


class LiveTags:
    """Thread-safe subscriptions to ``engine`` and publication of system tags."""

    def __init__(self, engine: Any, loop: asyncio.AbstractEventLoop | None = None):
        self.engine = engine
        self.loop = loop
        self._loop_thread: int | None = None

    @property
    def values(self) -> Mapping[str, TagValue]:
        """The newest value of every tag (a dict read: safe from any thread)."""
        return self.engine.values

    def loop_started(self) -> None:
        """Called on the loop's thread once it runs: from now on changes go through it."""
        self._loop_thread = threading.get_ident()

    def loop_stopped(self) -> None:
        self._loop_thread = None

    def subscribe(self, name: str, **options: Any) -> Subscription:
        """A new subscription (see ``Subscription``); returned at once, registered on the
        loop's thread, where its initial values (if asked for) are handed over too."""
        sub = Subscription(name, **options)
        self.on_loop(self.engine.add_subscription, sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub.close()  # takes effect at once: nothing more is offered to it
        self.on_loop(self.engine.unsubscribe, sub)

    def publish_system(self, batch: Batch) -> None:
        self.on_loop(self.engine.publish_system, batch)

    def soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the loop's thread after what it is doing now (at once
        while no loop runs)."""
        if self._loop_thread is None or self.loop is None:
            fn(*args)
            return
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop closed meanwhile
            fn(*args)

    def on_loop(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the loop's thread (now, if this is it or none runs)."""
        owner = self._loop_thread
        if owner is None or owner == threading.get_ident() or self.loop is None:
            fn(*args)
            return
        try:
            self.loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop closed meanwhile: nobody iterates any more
            fn(*args)
