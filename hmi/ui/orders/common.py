"""What the order views share: the service's changes brought to the GUI thread, buttons
disabled with the permission they need named, actions whose refusals become plain
messages, and the numbers of production as a person at the line reads them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from hmi.core.orders.model import Oee, Order, OrderState
from hmi.core.orders.service import (
    ABORT,
    ASSIGN,
    COMPLETE,
    CORRECT,
    HOLD,
    MANAGE,
    REPORTS,
    SCRAP,
    START,
    OrdersError,
)
from hmi.ui.header import short_title
from hmi.ui.i18n import project_text, refusal_text, translate
from hmi.ui.symbols.painting import NO_NUMBER, format_number
from hmi.ui.theme import Theme, fill_stylesheet
from hmi.ui.writes import Permission

__all__ = [  # the permissions, as the service names them
    "ABORT",
    "ASSIGN",
    "COMPLETE",
    "CORRECT",
    "HOLD",
    "MANAGE",
    "REPORTS",
    "SCRAP",
    "START",
]
VALUE_SCALE = 1.5  # a figure's text against the profile's text size (touch: >= 22 px)
REFRESH_MS = 2000  # rate, ETA and OEE move with time, not only with the service's changes

STYLE = """
QFrame#orderPanel { background: @panel; border: 1px solid @outline; }
QFrame#orderPanel QLabel { background: transparent; }
QLabel[orderFigure="true"] { font-weight: bold; }
QLabel[orderNote="true"] { color: @text_dim; }
QLabel#orderHeld { border: 3px solid @outline; padding: 0 @px(8); font-weight: bold; }
QLabel[uninspected="true"], QFrame#orderPanel QLabel[uninspected="true"] {
    background: @alarm3; color: @alarm3_text; padding: 0 @px(8); font-weight: bold;
}
QPushButton#downtimeItem[pending="true"] { border: 3px solid @outline; }
QLabel#ordersMessage { background: @panel; padding: @px(6) @px(10); font-weight: bold; }
QLabel#ordersMessage[problem="true"] { background: @running; color: @text_on_running; }
QWidget#oeePage, QWidget#stopsDialog { background: @background; }
QFrame[tile="true"] { background: @panel; border: 1px solid @outline; }
QLabel[heading="true"] { font-weight: bold; }
QPushButton[toggle="true"]:checked { background: @running; color: @text_on_running; }
QPushButton[segment="first"] { border-top-right-radius: 0; border-bottom-right-radius: 0; }
QPushButton[segment="last"] {
    border-top-left-radius: 0; border-bottom-left-radius: 0; border-left-width: 0;
}
QListWidget, QTableWidget { background: @panel; border: 1px solid @outline; }
QListWidget::item:selected, QTableWidget::item:selected {
    background: @running; color: @text_on_running;
}
QHeaderView::section {
    background: @header; color: @text; font-weight: bold; border: 1px solid @normal_band;
}
"""


def orders_stylesheet(theme: Theme, profile: Any) -> str:
    """The order views' own look on top of the window's, with the figures' text size."""
    figure = round(profile.font_px * VALUE_SCALE)
    return fill_stylesheet(STYLE, theme, profile.chrome_scale) + (
        f'QLabel[orderFigure="true"] {{ font-size: {figure}px; }}\n'
    )


class ServiceEvents(QObject):
    """The service's ``watch`` (called on its own thread, with a line id) as a signal on
    the GUI thread; queued even from the GUI thread, so an action never refreshes the
    views from inside itself."""

    changed = Signal(str)
    _told = Signal(str)

    def __init__(self, service: Any, parent: QObject | None = None):
        super().__init__(parent)
        self._told.connect(self.changed, Qt.ConnectionType.QueuedConnection)
        self._stop = service.watch(self._told.emit) if service is not None else None

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()
            self._stop = None


def needs(permission: str, reason: str) -> str:
    """A refusal, in the station's language, that names the permission missing, whatever
    the policy said."""
    reason = refusal_text(reason) or reason
    if permission in reason:
        return reason
    return translate("Orders", "{reason} (needs the permission {permission})").format(
        reason=reason, permission=permission
    )


class Guard(QObject):
    """The buttons of a view and the permission each needs: disabled while the station's
    user may not (the reason, naming the permission, as the tooltip; a touch on one says
    it), re-checked when who-may-do-what or the user changes."""

    def __init__(
        self,
        access: Any,
        user: Callable[[], str],
        explain: Callable[[str], object],
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.access, self.user, self.explain = access, user, explain
        self._permissions: dict[str, Permission] = {}
        self._buttons: list[tuple[QAbstractButton, str, Callable[[], str | None]]] = []

    def refusal(self, permission: str) -> str | None:
        if self.access is None:
            return None
        reason = self.access.refusal(self.user(), permission, "")
        return needs(permission, reason) if reason else None

    def add(
        self,
        button: QAbstractButton,
        permission: str,
        blocked: Callable[[], str | None] = lambda: None,
    ) -> QAbstractButton:
        """``button`` needs ``permission``; ``blocked()`` says why it cannot be used now
        for a reason of its own (nothing in the queue), or None."""
        if permission not in self._permissions:
            watcher = Permission(self.access, self.user, permission, parent=self)
            watcher.changed.connect(self.refresh)
            self._permissions[permission] = watcher
        self._buttons.append((button, permission, blocked))
        button.installEventFilter(self)
        button.destroyed.connect(lambda *_, b=button: self._forget(b))
        self.mark(button, permission, blocked)
        return button

    def _forget(self, button: Any) -> None:
        self._buttons = [entry for entry in self._buttons if entry[0] is not button]

    def mark(self, button: QAbstractButton, permission: str, blocked: Callable) -> None:
        reason = self.refusal(permission) or blocked()
        button.setEnabled(reason is None)
        button.setToolTip(reason or "")

    def refresh(self) -> None:
        for button, permission, blocked in list(self._buttons):
            try:
                self.mark(button, permission, blocked)
            except RuntimeError:  # its view was closed
                self._forget(button)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(watched, QWidget)
            and not watched.isEnabled()
            and watched.toolTip()
        ):
            self.explain(watched.toolTip())
            return True
        return False


class ElidedButton(QPushButton):
    """A button whose words end in "…" where its share of a row is too narrow (a line's
    long name on the touch panel), never widening the row. ``Preferred``: as wide as its
    whole words where the row has the room, narrower (down to a square) where not."""

    def __init__(
        self,
        parent: QWidget | None = None,
        policy: QSizePolicy.Policy = QSizePolicy.Policy.Ignored,
    ):
        super().__init__("", parent)
        self.full_text = ""
        self.setSizePolicy(policy, QSizePolicy.Policy.Fixed)

    def set_words(self, text: str) -> None:
        self.full_text = text
        self._fit()
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        """The whole words' size (the text shown may be shortened)."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        metrics = self.fontMetrics()
        words = metrics.size(Qt.TextFlag.TextShowMnemonic, self.full_text)
        words.setWidth(words.width() + metrics.averageCharWidth())  # _fit's margin
        return self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option, words, self)

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        return QSize(min(hint.width(), hint.height() * 2), hint.height())

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit()
            self.updateGeometry()

    def _fit(self) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        inside = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        room = inside.width() - self.fontMetrics().averageCharWidth()
        self.setText(
            self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room)
        )


def attempt(action: Callable[[], Any], say: Callable[[str, bool], object]) -> Any:
    """Run a service action; its refusal (``OrdersError``) is told in its own words and
    None returned, never a traceback."""
    try:
        return action()
    except OrdersError as error:
        say(str(error), True)
        return None


# -- words and numbers ---------------------------------------------------------------------


def pieces(value: float | int | None) -> str:
    """A quantity of pieces: whole, grouped by thin spaces."""
    return NO_NUMBER if value is None else format_number(round(value), None)


def identifier(value: Any) -> str:
    """An order number, a die: as written, never grouped."""
    return "" if value is None else str(value)


def percent(share: float | None) -> str:
    """A share as "78 %"; "—" where its denominator is idle."""
    if share is None:
        return NO_NUMBER
    return f"{share * 100:.0f} %"


def rate_text(rate: float | None) -> str:
    return NO_NUMBER if rate is None else translate("Orders", "{n} /h").format(n=pieces(rate))


def clock_text(ts: float | None, now: float | None = None) -> str:
    """A time of day ("14:20"); with the date when it is not today."""
    if ts is None:
        return NO_NUMBER
    when = time.localtime(ts)
    today = time.localtime(time.time() if now is None else now)
    if (when.tm_year, when.tm_yday) != (today.tm_year, today.tm_yday):
        return time.strftime("%d/%m %H:%M", when)
    return time.strftime("%H:%M", when)


def duration_text(seconds: float) -> str:
    """A stop's length: "45 s", "12 min", "2 h 05 min"."""
    seconds = max(round(seconds), 0)
    if seconds < 60:
        return translate("Orders", "{s} s").format(s=seconds)
    minutes = seconds // 60
    if minutes < 60:
        return translate("Orders", "{m} min").format(m=minutes)
    return translate("Orders", "{h} h {m:02d} min").format(h=minutes // 60, m=minutes % 60)


def product_text(project: Any, order: Order) -> str:
    """What the line makes for the order, in the line type's words."""
    product = order.product
    if "die" in product or "alloy" in product:
        parts = [
            translate("Orders", "Die {die}").format(die=identifier(product.get("die", "?"))),
            identifier(product.get("alloy", "")),
        ]
        return " · ".join(p for p in parts if p)
    if "product" in product:
        size = product.get("bottle_size_l")
        name = project_text(project, str(product["product"]), "Orders")
        return f"{name} · {size:g} l" if isinstance(size, int | float) else name
    return " · ".join(identifier(v) for v in product.values())


def uninspected_text(order: Order) -> str:
    """Pieces no camera decided on ("12 not inspected"); "" when there are none."""
    count = getattr(order, "uninspected", 0) or 0
    if count <= 0:
        return ""
    return translate("Orders", "{n} not inspected").format(n=pieces(count))


def state_text(state: OrderState) -> str:
    return {
        OrderState.RELEASED: translate("Orders", "Released"),
        OrderState.RUNNING: translate("Orders", "Running"),
        OrderState.HELD: translate("Orders", "Held"),
        OrderState.COMPLETED: translate("Orders", "Completed"),
        OrderState.ABORTED: translate("Orders", "Aborted"),
    }[state]


def line_title(project: Any, service: Any, line: str) -> str:
    """The line's name as the project gives it, in the station's language."""
    return project_text(
        project, service.line_title(line) or project.lines.get(line, line), "Project"
    )


def line_short(project: Any, service: Any, line: str) -> str:
    """The line's name without its explanation ("Line 1" of "Line 1 - Extrusion press"),
    for rows and buttons where the whole title does not fit."""
    title = line_title(project, service, line)
    return short_title(title) or title


def now(service: Any) -> float:
    """The service's present (its clock, never going back): what its records are dated by."""
    return service.now() if service is not None else time.time()


def oee_parts(oee: Oee | None) -> tuple[str, str, str, str]:
    """OEE, availability, effectiveness and quality as the operator reads them."""
    if oee is None:
        return (NO_NUMBER,) * 4
    return (
        percent(oee.oee),
        percent(oee.availability),
        percent(oee.effectiveness),
        percent(oee.quality),
    )


def current_order(service: Any, line: str) -> Order | None:
    """The order the line is on: the running one, else one held."""
    running = service.running(line)
    if running is not None:
        return running
    return next((o for o in service.queue(line) if o.state is OrderState.HELD), None)


def next_order(service: Any, line: str) -> Order | None:
    return next((o for o in service.queue(line) if o.state is OrderState.RELEASED), None)
