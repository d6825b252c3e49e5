"""Operator writes: checked before asking, sent without blocking, reported when done.

``check_write`` refuses what the engine would refuse (read-only, wrong type, outside the
range) before the operator is even asked to confirm. ``WriteGate`` says whether a tag can
be written *now* and why not (its device is down, the user may not): write controls are
disabled with that reason, and every write asks it again just before it is sent.
``WriteController.send`` posts the write to the runtime and returns at once; when the
Future completes (on the runtime thread) a queued signal brings the result back to the GUI
thread, where it is reported to whoever asked. The GUI thread never waits for a PLC.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import weakref
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from hmi.core.access import WRITE_TAG
from hmi.core.driver import DeviceStatus, WriteResult, WriteStatus
from hmi.core.engine import coerce
from hmi.core.project.models import Project, TagConfig
from hmi.core.systemtags import device_status_tag
from hmi.core.tags import TagValue
from hmi.ui.bridge import Binding, TagBridge
from hmi.ui.i18n import device_status_text, project_text, reason_text, refusal_text, translate

log = logging.getLogger(__name__)

#: (tag, status "done" / "refused" / "failed", message for the operator)
Reply = Callable[[str, str, str], None]


class Writer(Protocol):
    def write(
        self, tag: str, value: Any, user: str = ""
    ) -> concurrent.futures.Future[WriteResult]: ...


#: where symbols find the ``WriteGate`` in their context's ``extra``
GATE_KEY = "write_gate"

#: device states in which a write cannot reach the PLC (degraded still answers)
WRITE_BLOCKING = frozenset(
    s.value for s in (DeviceStatus.OFFLINE, DeviceStatus.DEMOTED, DeviceStatus.STOPPED)
)


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


class Refreshable(Protocol):
    def refresh(self) -> None: ...


class Signatures(Protocol):
    """Electronic signatures for critical actions, as a users capability provides them."""

    def needed(self, permission: str, target: str) -> bool:
        """Whether the action is critical (it is sent only after a valid signature)."""
        ...

    def refusal(self, permission: str, target: str) -> str | None:
        """Why the signed-in user may not do it at all (the signature not counted)."""
        ...

    def ask(
        self, permission: str, target: str, what: str, parent: Any, signed: Callable[[], None]
    ) -> Any:
        """Ask for the signature(s) over ``parent``; ``signed()`` once they are valid."""
        ...


class WriteGate(QObject):
    """Whether the operator may write a tag now, and if not why, in the operator's words.

    Asked by the write controls (to grey themselves and say why on a touch) and by every
    write just before it is sent. It follows the state of each device that has writable
    tags and the station's user; the permission comes from the runtime's access hook
    (``writer.access``, the engine's own), whose changes (a new policy, a hold while the
    station replays) it hears from any thread. Controls that ``watch`` it are refreshed on
    a change.
    """

    changed = Signal()
    user_changed = Signal(str)
    _access_changed = Signal()  # from whichever thread changed the access hook

    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        writes: WriteController,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.project = project
        self.writes = writes
        self.devices: dict[str, TagValue] = {}
        self._permissions: dict[str, str | None] = {}  # tag -> refusal, for the current user
        # a critical write is allowed here while the user may sign for it (asked on sending)
        self.signatures: Signatures | None = None
        self._watchers: weakref.WeakSet[Any] = weakref.WeakSet()
        devices = {t.device for t in project.tags.values() if t.writable and t.device}
        self._bindings: list[Binding] = [
            bridge.bind(device_status_tag(name), partial(self._device_state, name))
            for name in sorted(devices)
        ]
        self.destroyed.connect(lambda *_, b=self._bindings: [x.unbind() for x in b])
        self._access_changed.connect(self.recheck, Qt.ConnectionType.QueuedConnection)
        access = getattr(writes.writer, "access", None)
        watch = getattr(access, "watch", None)
        if watch is not None:
            stop = watch(self._access_changed.emit)
            self.destroyed.connect(lambda *_: stop())

    @property
    def user(self) -> str:
        return self.writes.user

    def set_user(self, name: str) -> None:
        """Someone else operates the station from now on: every control checks again."""
        if name == self.writes.user:
            return
        self.writes.user = name
        self.user_changed.emit(name)
        self.recheck()

    def recheck(self) -> None:
        """Ask the permission hook again (its policy changed) and refresh the controls."""
        self._permissions.clear()
        self._changed()

    def watch(self, control: Refreshable) -> None:
        """Refresh ``control`` whenever the answer may have changed (kept weakly)."""
        self._watchers.add(control)

    def refusal(self, tag: str) -> str | None:
        """None if ``tag`` can be written now, else why not."""
        config = self.project.tags.get(tag)
        if config is None:
            return translate("Writes", "unknown tag '{tag}'").format(tag=tag)
        if not config.writable or config.derived:
            return translate("Writes", "{tag} is read-only").format(tag=tag)
        return self.device_refusal(config) or self.permission_refusal(tag)

    def device_refusal(self, config: TagConfig) -> str | None:
        tv = self.devices.get(config.device or "")
        if tv is None or str(tv.value) not in WRITE_BLOCKING:
            return None
        device = self.project.devices.get(config.device or "")
        name = (device.description if device is not None else "") or str(config.device)
        text = translate("Writes", "{device} is {state}").format(
            device=project_text(self.project, name, "Project"),
            state=device_status_text(str(tv.value)),
        )
        return f"{text}: {reason_text(tv.reason)}" if tv.reason else text

    def permission_refusal(self, tag: str) -> str | None:
        access = getattr(self.writes.writer, "access", None)
        if access is None:
            return None
        if tag not in self._permissions:
            signatures = self.signatures
            if signatures is not None and signatures.needed(WRITE_TAG, tag):
                self._permissions[tag] = signatures.refusal(WRITE_TAG, tag) or None
            else:
                self._permissions[tag] = access.refusal(self.writes.user, WRITE_TAG, tag) or None
        return refusal_text(self._permissions[tag])  # kept as said: shown in today's language

    def _device_state(self, device: str, tv: TagValue) -> None:
        old = self.devices.get(device)
        self.devices[device] = tv
        was = old is not None and str(old.value) in WRITE_BLOCKING
        down = str(tv.value) in WRITE_BLOCKING
        if was != down or (down and old is not None and old.reason != tv.reason):
            self._changed()

    def _changed(self) -> None:
        for control in list(self._watchers):
            try:
                control.refresh()
            except RuntimeError:  # its screen was closed: the item is gone
                self._watchers.discard(control)
        self.changed.emit()


class Permission(QObject):
    """Whether the station's user may do ``permission`` (acknowledge, manage users, ...),
    asked of the access hook and asked again whenever it changes: controls for it are
    visibly disabled with the reason as their tooltip, and ``explain`` a touch on one."""

    changed = Signal()
    _access_changed = Signal()

    def __init__(
        self,
        access: Any,
        user: Callable[[], str],
        permission: str,
        target: str = "",
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.access, self.user, self.permission, self.target = access, user, permission, target
        self._access_changed.connect(self.changed, Qt.ConnectionType.QueuedConnection)
        watch = getattr(access, "watch", None)
        if watch is not None:
            stop = watch(self._access_changed.emit)
            self.destroyed.connect(lambda *_: stop())

    def refusal(self) -> str | None:
        if self.access is None:
            return None
        return refusal_text(self.access.refusal(self.user(), self.permission, self.target)) or None

    def allows(self) -> bool:
        return self.refusal() is None

    def explain_on(self, widget: QWidget, explain: Callable[[str], object]) -> None:
        """A touch on ``widget`` while it is disabled for lack of this permission calls
        ``explain(reason)`` instead of doing nothing."""
        widget.installEventFilter(self)
        self._explain = explain

    def mark(self, widget: QWidget, enabled: bool) -> None:
        """Enable ``widget`` if ``enabled`` (by its own rule) and permitted; say why not."""
        reason = self.refusal()
        widget.setEnabled(enabled and reason is None)
        widget.setToolTip(reason or "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(watched, QWidget)
            and not watched.isEnabled()
        ):
            reason = self.refusal()
            if reason:
                self._explain(reason)
                return True
        return False
