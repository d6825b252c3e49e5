"""The audit chain's head upstream: an ``audit.head`` outbox event (the last record's
number and hash, and when it was read) so the MES holds a copy the station cannot
change. A trail rewritten at the station from its first record on, head file included,
still passes its own check; against the MES's copy it does not (``verify_against``).

The head is sent when the station starts, ``settle`` seconds after the chain grew and
then stayed quiet (a burst of actions costs one event), and every ``every`` seconds
whatever happened (so the MES also knows that nothing was added).
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .. import audit, outbox
from ..audit import Head, Verdict
from ..store import Writer
from .config import AuditHead
from .orders_in import commit

log = logging.getLogger(__name__)

STREAM = "audit"
TICK_S = 1.0


class HeadSender:
    """Watches ``head()`` (the trail's head now) and writes ``audit.head`` events; ``tick``
    decides, the thread (``start``) calls it every second."""

    def __init__(
        self,
        settings: AuditHead,
        head: Callable[[], Head],
        store: Writer,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.head = head
        self.store = store
        self.clock = clock
        self.monotonic = monotonic
        self.sent: Head | None = None  # the head last written to the outbox
        self.sent_at = 0.0  # monotonic
        self.seen: Head | None = None  # the head as last looked at
        self.seen_at = 0.0  # monotonic: when it last changed
        self.events = 0  # audit.head events written since the start
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> HeadSender:
        self._thread = threading.Thread(target=self._run, name="hmi-mes-audit-head", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.tick()
            except Exception:  # the store is away for now: the next tick tries again
                log.warning("the audit head could not be queued for the MES", exc_info=True)
            self._stopping.wait(min(TICK_S, max(self.settings.settle, 0.05)))

    def tick(self) -> bool:
        """Write the head now if it is due; True when an event was written."""
        now = self.monotonic()
        head = self.head()
        if head != self.seen:
            self.seen, self.seen_at = head, now
        due = (
            self.sent is None
            or now - self.sent_at >= self.settings.every
            or (head != self.sent and now - self.seen_at >= self.settings.settle)
        )
        if not due:
            return False
        ts = self.clock()
        payload = {"seq": head.seq, "hash": head.hash, "time": ts}
        event = outbox.event(STREAM, "audit.head", payload, ts)
        commit(self.store, lambda conn: outbox.write(conn, [event]))
        self.sent, self.sent_at = head, now
        self.events += 1
        return True


def verify_against(store: Path | str, seq: int, hash: str) -> Verdict:
    """The trail in ``store`` checked with the audit module's verifier against a head held
    elsewhere (the MES's copy: ``Position`` and ``Hash`` of an ``audit.head`` message)
    instead of the head file beside it, which whoever rewrote the trail could rewrite."""
    with tempfile.TemporaryDirectory(prefix="linea-audit-") as folder:
        copy = Path(folder) / "audit-head-at-the-MES.json"
        audit.write_head(copy, Head(int(seq), str(hash)), anew=True)
        return audit.verify(Path(store), copy)
