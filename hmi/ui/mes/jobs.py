"""Service calls that read or write the store, run one after another on a thread of their
own, their answers brought back to the GUI thread: the screen never waits for a disk or a
MES that takes its time to answer a retry."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], object]
Failed = Callable[[BaseException], object]


class Jobs(QObject):
    """``run(work, done, failed)``: ``work()`` on the jobs' thread, then ``done(result)``
    or ``failed(error)`` on the GUI thread. A job with a ``key`` already waiting is not
    queued twice (a refresh asked again before the last one ran)."""

    _finished = Signal(object, object)  # callback, its argument

    def __init__(self, name: str = "hmi-mes-views", parent: QObject | None = None):
        super().__init__(parent)
        self.name = name
        self._queue: queue.Queue[tuple[Callable[[], Any], Done, Failed, str] | None]
        self._queue = queue.Queue()
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.busy = 0  # jobs queued or running
        self._finished.connect(self._call, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(lambda *_: self.stop())

    def run(self, work: Callable[[], Any], done: Done, failed: Failed, key: str = "") -> bool:
        with self._lock:
            if self._stopped or (key and key in self._waiting):
                return False
            if key:
                self._waiting.add(key)
            self.busy += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
        self._queue.put((work, done, failed, key))
        return True

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            work, done, failed, key = job
            with self._lock:
                self._waiting.discard(key)
            try:
                result: Any = work()
                callback: Callable[[Any], object] = done
            except Exception as error:  # told to the page in words, never raised here
                result, callback = error, failed
            try:
                self._finished.emit(callback, result)
            except RuntimeError:  # the views were closed meanwhile
                return

    def _call(self, callback: Callable[[Any], object], argument: Any) -> None:
        self.busy -= 1
        try:
            callback(argument)
        except RuntimeError:  # its widget was closed meanwhile
            log.debug("a MES view closed before its answer came", exc_info=True)

    def stop(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._queue.put(None)
