"""The header's MES item: "MES ok" in the header's grey while every target takes what it
is sent; the abnormal colour with the words that matter ("MES offline 12 min · 3420
waiting"; the whole sentence, "none lost" and the refused events, as its tooltip and on
the page) while a target is offline or events were refused; an outline while a large
backlog drains. It stays short enough to leave the devices' chips their words. It
follows each target's system tags (nothing asked of the store on the GUI thread);
touching it opens the MES sync page."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtWidgets import QPushButton

from hmi.core.mes import Status, target_tag
from hmi.core.tags import Quality, TagValue
from hmi.ui.notice import set_flag

from .words import DESK, FULL, STOPPED, TOUCH, abnormal, pending, summary

FIELDS = ("state", "backlog", "oldest_s", "last_success", "last_error", "quarantined")
AGE_REFRESH_MS = 10_000  # "offline 12 min" grows while nothing changes


def status_of(target: str, values: dict[str, Any]) -> Status:
    """A target's figures as its system tags last said them."""

    def number(name: str) -> float:
        value = values.get(name)
        return float(value) if isinstance(value, int | float) else 0.0

    return Status(
        target,
        str(values.get("state") or STOPPED),
        int(number("backlog")),
        number("oldest_s"),
        number("last_success") or None,
        str(values.get("last_error") or ""),
        int(number("quarantined")),
    )


class MesItem(QPushButton):
    """One compact item for every target (see the module); ``statuses`` as shown."""

    def __init__(
        self,
        views: Any,
        window: Any,
        targets: Sequence[str],
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(window.header)
        self.setObjectName("mesItem")
        self.views, self.window_, self.clock = views, window, clock
        self.touch = bool(views.operator.profile.touch)
        self.values: dict[str, dict[str, Any]] = {t: {} for t in targets}
        self.statuses: list[Status] = []
        self.clicked.connect(lambda _=False: views.open_page(window))
        self.bindings = [
            window.bridge.bind(target_tag(t, f), lambda tv, t=t, f=f: self._published(t, f, tv))
            for t in targets
            for f in FIELDS
        ]
        self.destroyed.connect(lambda *_, b=self.bindings: [x.unbind() for x in b])
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.retranslate)
        self.timer.start(AGE_REFRESH_MS)
        self.show_statuses([status_of(t, v) for t, v in self.values.items()])

    def _published(self, target: str, field: str, tv: TagValue | None) -> None:
        if tv is None or tv.quality is Quality.BAD:
            self.values[target].pop(field, None)
        else:
            self.values[target][field] = tv.value
        self.show_statuses([status_of(t, v) for t, v in self.values.items()])

    def show_statuses(self, statuses: Sequence[Status]) -> None:
        """Show these figures (the tags', or a rehearsal's in the gallery)."""
        self.statuses = list(statuses)
        self.retranslate()

    def retranslate(self) -> None:
        statuses = self.statuses
        wrong = abnormal(statuses)
        set_flag(self, "abnormal", wrong)
        set_flag(self, "pending", not wrong and pending(statuses))
        now = self.clock()
        text = summary(statuses, now, TOUCH if self.touch else DESK)
        # the touch panel's two short lines say it in words: no room for the sign too
        self.setText(("⚠ " if wrong and not self.touch else "") + text)
        self.setToolTip(summary(statuses, now, FULL))  # the desk's whole sentence
        self.ensurePolished()  # the header's style decides the padding
        self.setMinimumWidth(self.sizeHint().width())
        header = getattr(self.window_, "header", None)
        if header is not None:
            header.fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
