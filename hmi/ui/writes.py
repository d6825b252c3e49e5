"""Operator writes: checked before asking, sent without blocking, reported when done.

``check`` refuses what the engine would refuse (read-only, wrong type, outside the range)
before the operator is even asked to confirm. ``send`` posts the write to the runtime and
returns at once; when the Future completes (on the runtime thread) a queued signal brings
the result back to the GUI thread.
"""

from __future__ import annotations

import concurrent.futures
import logging
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal

from hmi.core.driver import WriteResult, WriteStatus
from hmi.core.engine import coerce
from hmi.core.project.models import Project

log = logging.getLogger(__name__)


class Writer(Protocol):
    def write(
        self, tag: str, value: Any, user: str = ""
    ) -> concurrent.futures.Future[WriteResult]: ...


class WriteRefused(ValueError):
    """The value would not be sent; the message says why, for the operator."""


def check_write(project: Project, tag_name: str, text: Any) -> Any:
    """The value to send, converted to the tag's type; ``WriteRefused`` with the reason if not."""
    tag = project.tags.get(tag_name)
    if tag is None:
        raise WriteRefused(f"unknown tag '{tag_name}'")
    if not tag.writable or tag.derived:
        raise WriteRefused(f"{tag_name} is read-only")
    try:
        value = coerce(tag, text)
    except (TypeError, ValueError) as exc:
        raise WriteRefused(str(exc)) from None
    if tag.eng_range is not None and tag.data_type.numeric:
        lo, hi = tag.eng_range
        if not lo <= value <= hi:
            units = f" {tag.units}" if tag.units else ""
            raise WriteRefused(f"{value:g} is outside the range {lo:g} .. {hi:g}{units}")
    return value


class WriteController(QObject):
    """Sends writes through the runtime and reports each result once, on the GUI thread."""

    #: (tag, status "done" / "refused" / "failed", message for the operator)
    finished = Signal(str, str, str)
    _completed = Signal(object, object)

    def __init__(self, writer: Writer | None, user: str = "", parent: QObject | None = None):
        super().__init__(parent)
        self.writer = writer
        self.user = user
        self.pending = 0
        self.results: list[WriteResult] = []
        self._completed.connect(self._report, Qt.ConnectionType.QueuedConnection)

    @property
    def available(self) -> bool:
        return self.writer is not None

    def send(self, tag: str, value: Any) -> concurrent.futures.Future[WriteResult] | None:
        if self.writer is None:
            self.finished.emit(tag, WriteStatus.REFUSED.value, "writes are not available here")
            return None
        self.pending += 1
        try:
            future = self.writer.write(tag, value, self.user)
        except Exception as exc:  # the runtime is stopped or its loop is gone
            self.pending -= 1
            self.finished.emit(tag, WriteStatus.FAILED.value, f"could not send: {exc}")
            return None
        future.add_done_callback(lambda f, tag=tag: self._completed.emit(tag, f))
        return future

    def _report(self, tag: str, future: concurrent.futures.Future[WriteResult]) -> None:
        self.pending -= 1
        try:
            result = future.result()
        except Exception as exc:
            log.exception("write of %s", tag)
            result = WriteResult(tag, WriteStatus.FAILED, f"{type(exc).__name__}: {exc}")
        self.results.append(result)
        message = result.message or {"done": "written and read back"}.get(result.status.value, "")
        self.finished.emit(tag, result.status.value, message)
