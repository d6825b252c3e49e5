"""Operator writes: checked before asking, sent without blocking, reported when done.

``check_write`` refuses what the engine would refuse (read-only, wrong type, outside the
range) before the operator is even asked to confirm. ``WriteController.send`` posts the
write to the runtime and returns at once; when the Future completes (on the runtime
thread) a queued signal brings the result back to the GUI thread, where it is reported to
whoever asked. The GUI thread never waits for a PLC.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal

from hmi.core.driver import WriteResult, WriteStatus
from hmi.core.engine import coerce
from hmi.core.project.models import Project
from hmi.ui.i18n import translate

log = logging.getLogger(__name__)

#: (tag, status "done" / "refused" / "failed", message for the operator)
Reply = Callable[[str, str, str], None]


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
        raise WriteRefused(translate("Writes", "unknown tag '{tag}'").format(tag=tag_name))
    if not tag.writable or tag.derived:
        raise WriteRefused(translate("Writes", "{tag} is read-only").format(tag=tag_name))
    if tag.data_type.numeric and isinstance(text, str):
        try:
            number = float(text.replace(",", "."))  # a decimal comma is still a number
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise WriteRefused(translate("Writes", "'{text}' is not a number").format(text=text))
        text = number
    try:
        value = coerce(tag, text)
    except (TypeError, ValueError) as exc:
        raise WriteRefused(str(exc)) from None
    if tag.eng_range is not None and tag.data_type.numeric:
        lo, hi = tag.eng_range
        if not lo <= value <= hi:
            raise WriteRefused(
                translate("Writes", "{value} is outside the range {lo} .. {hi} {units}")
                .format(value=f"{value:g}", lo=f"{lo:g}", hi=f"{hi:g}", units=tag.units)
                .strip()
            )
    return value


class WriteController(QObject):
    """Sends writes through the runtime and reports each result once, on the GUI thread."""

    #: (tag, status "done" / "refused" / "failed", message for the operator)
    finished = Signal(str, str, str)
    _completed = Signal(object, object, object)

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

    def send(
        self, tag: str, value: Any, reply: Reply | None = None
    ) -> concurrent.futures.Future[WriteResult] | None:
        """Post the write; ``reply`` (and ``finished``) hear how it went, later."""
        if self.writer is None:
            self._tell(
                reply,
                tag,
                WriteStatus.REFUSED.value,
                translate("Writes", "writes are not available here"),
            )
            return None
        self.pending += 1
        try:
            future = self.writer.write(tag, value, self.user)
        except Exception as exc:  # the runtime is stopped or its loop is gone
            self.pending -= 1
            message = translate("Writes", "could not send: {reason}").format(reason=exc)
            self._tell(reply, tag, WriteStatus.FAILED.value, message)
            return None
        future.add_done_callback(lambda f, tag=tag: self._completed.emit(tag, f, reply))
        return future

    def _report(
        self, tag: str, future: concurrent.futures.Future[WriteResult], reply: Reply | None
    ) -> None:
        self.pending -= 1
        try:
            result = future.result()
        except Exception as exc:
            log.exception("write of %s", tag)
            result = WriteResult(tag, WriteStatus.FAILED, f"{type(exc).__name__}: {exc}")
        self.results.append(result)
        message = result.message
        if not message and result.ok:
            message = translate("Writes", "written and read back")
        self._tell(reply, tag, result.status.value, message)

    def _tell(self, reply: Reply | None, tag: str, status: str, message: str) -> None:
        if reply is not None:
            try:
                reply(tag, status, message)
            except RuntimeError:  # the window that asked was closed meanwhile
                log.info("write of %s finished after its window closed: %s", tag, status)
        self.finished.emit(tag, status, message)
