"""Who may do what, and the record of what was done: the two hooks every action passes.

Linea itself decides nothing here. With no policy every action is allowed and with no
recorder nothing is kept: a capability that manages users fills in the policy, one that
keeps an audit trail adds a recorder. Everything a person does (a write, an alarm
acknowledgement, an order started) asks ``refusal`` first and calls ``record`` after, so
adding users later changes no caller.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .listeners import Listeners

log = logging.getLogger(__name__)

#: a permission the core itself asks for; capabilities declare their own
WRITE_TAG = "tags.write"

#: (user, permission, target) -> None to allow, or the reason for refusing
Policy = Callable[[str, str, str], str | None]


@dataclass(frozen=True, slots=True)
class ActionRecord:
    """One thing a person (or the system) did: who, what, on what, when, and the details."""

    user: str
    action: str
    target: str = ""
    ts: float = 0.0
    detail: Mapping[str, Any] = field(default_factory=dict)


Recorder = Callable[[ActionRecord], None]


class Access:
    """The permission and audit hooks; safe to call from any thread."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._policy: Policy | None = None
        self._recorders = Listeners("about an action")
        self._holds: list[str] = []
        self._watchers = Listeners("about changed permissions")
        self._lock = threading.Lock()

    def set_policy(self, policy: Policy | None) -> None:
        """Who may do what from now on (None: everyone may do everything)."""
        self._policy = policy
        self._changed()

    def hold(self, reason: str) -> Callable[[], None]:
        """Refuse every action with ``reason`` until the returned function is called (the
        station replays the past, say); holds stack."""
        with self._lock:
            self._holds.append(reason)
        self._changed()

        def release() -> None:
            with self._lock:
                if reason in self._holds:
                    self._holds.remove(reason)
            self._changed()

        return release

    def watch(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` whenever who-may-do-what may have changed (a new policy, a
        hold); controls re-check themselves. Returns how to stop."""
        return self._watchers.add(callback)

    def changed(self) -> None:
        """Say that the answers may differ now (the policy's owner calls it on a change
        of user or role)."""
        self._changed()

    def _changed(self) -> None:
        self._watchers.call()

    def refusal(self, user: str, permission: str, target: str = "") -> str | None:
        """None if ``user`` may use ``permission`` on ``target``, else why not.

        A policy that fails refuses: a fault must never let an action through.
        """
        holds = self._holds
        if holds:
            return holds[-1]
        policy = self._policy
        if policy is None:
            return None
        try:
            return policy(user, permission, target)
        except Exception as exc:
            log.exception("permission check for %s on %s failed", permission, target)
            return f"the permission check failed ({exc}); nothing was done"

    def add_recorder(self, recorder: Recorder) -> Callable[[], None]:
        """Keep every action from now on; returns a function that stops it."""
        return self._recorders.add(recorder)

    def record(self, user: str, action: str, target: str = "", **detail: Any) -> ActionRecord:
        """Hand one action to every recorder; a failing recorder is logged, never raised."""
        entry = ActionRecord(user, action, target, self.clock(), detail)
        self._recorders.call(entry)
        return entry
