"""The header every screen shares: where you are, what the devices do, who, when, alarms,
and the language.

One row. In the touch profile the navigation buttons sit at its start (``add_navigation``)
so header and navigation take one finger-high row; when the row is too narrow for all, the
least needed give way in order: the plant's name, the screens below this one, the
operator's name, the words of home, back, up and screens, the chips of devices that are
online, then the other buttons' words (the symbols stay); when that is not enough, the
chips left (devices not online) are shortened with "…", their state kept before their
name. A capability's user item never gives way: who is signed in and as what stays
readable however many devices are down.

Device chips follow the ``_sys.device.<name>`` tags and show the device's display name. A
chip's ``severity`` is a Qt property so the stylesheet colours it: the priority of the
device's communication alarm while that alarm is active (the alarm views call
``show_alarm``), never a colour of its own; its text always says the state too, and
touching it opens the device's faceplate with the reason (no hover needed). The language
button switches the whole application at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hmi.core.project.models import Project
from hmi.core.screens import ScreenDef
from hmi.core.systemtags import DEVICE_TAG_PREFIX, STORE_HEALTH
from hmi.core.tags import Quality, TagValue
from hmi.ui.bridge import TagBridge
from hmi.ui.i18n import (
    LANGUAGE_NAMES,
    current_language,
    device_status_text,
    next_language,
    project_text,
    reason_text,
    set_language,
    translate,
)
from hmi.ui.symbols.states import DEVICE_DOWN, device_name

WIDGET_MAX = 16777215  # Qt's QWIDGETSIZE_MAX: no limit
T = TypeVar("T")


def set_severity(widget: QWidget, severity: int) -> None:
    """Restyle a widget whose look depends on its alarm severity (0 = none)."""
    if widget.property("severity") == severity:
        return
    widget.setProperty("severity", severity)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ElidedLabel(QLabel):
    """A label that shortens its text with "…" instead of pushing the window wider; with a
    ``short_text`` ("Line 1" for "Line 1 - Extrusion press") it says that where the whole
    does not fit, which still names the place ("Line 1 - E…", "Li…" do not)."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.full_text = text
        self.short_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def set_full_text(self, text: str, short: str = "") -> None:
        self.full_text = text
        self.short_text = short
        self._elide()

    def least_width(self) -> int:
        """The width of the short text (else of the whole): what keeps it readable."""
        return QFontMetrics(self.font()).horizontalAdvance(self.short_text or self.full_text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        room = self.contentsRect().width()  # inside a style's padding
        text = self.full_text
        if self.short_text and metrics.horizontalAdvance(text) > room:
            text = self.short_text
        self.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, room))


def invalidate_all(layout: QLayout) -> None:
    """Forget the sizes ``layout`` and the layouts in it keep, to ask them again now (a
    widget shown or hidden tells its layout only later, through the event loop)."""
    for index in range(layout.count()):
        item = layout.itemAt(index)
        widget = item.widget()
        inner = item.layout() or (widget.layout() if widget is not None else None)
        if inner is not None:
            invalidate_all(inner)
        if widget is not None:
            widget.updateGeometry()  # its layout item keeps the old size hint until told
    layout.invalidate()


class DeviceChip(QPushButton):
    """A device and its connection state; touch it for the reason. In a crowded header
    it keeps to a ``budget`` of width, its name shortened before its state."""

    def __init__(self, device: str, parent: QWidget | None = None, name: str = ""):
        super().__init__(parent)
        self.device = device
        self.name = name or device  # what the operator calls it
        self.setObjectName("deviceChip")
        self.status = ""
        self.alarm = 0  # the priority of its communication alarm while active
        self.tv: TagValue | None = None
        self.full_text = ""
        self.budget: int | None = None  # the most width it may take; None: all it needs
        self._state = ""  # what follows the name ("?", ": offline", " online")
        self.show_status(None)

    def show_status(self, tv: TagValue | None) -> None:
        self.tv = tv
        if tv is None:
            self.status, self._state = "", " ?"
        else:
            self.status = str(tv.value)
            words = device_status_text(self.status)
            self._state = f": {words}" if self.status in DEVICE_DOWN else f" {words}"
            self.setToolTip(reason_text(tv.reason))
        self.full_text = self.name + self._state
        self._show_text()
        self.show_alarm(self.alarm)

    def set_budget(self, width: int | None) -> None:
        """Take at most ``width`` pixels (None: as many as the words need)."""
        self.budget = width
        self._show_text()

    def full_width(self) -> int:
        """The width the whole words need."""
        self.ensurePolished()
        shown = self.text()
        self.setText(self.full_text)
        width = self.sizeHint().width()
        self.setText(shown)
        return width

    def _show_text(self) -> None:
        if self.budget is None:
            self.setMaximumWidth(WIDGET_MAX)
            self.setText(self.full_text)
            return
        metrics = self.fontMetrics()
        room = self.budget - (self.full_width() - metrics.horizontalAdvance(self.full_text))
        name_room = room - metrics.horizontalAdvance(self._state)
        if name_room >= metrics.horizontalAdvance("MM…"):  # the state whole, the name cut
            elide = Qt.TextElideMode.ElideRight
            text = metrics.elidedText(self.name, elide, name_room) + self._state
        else:
            text = metrics.elidedText(self.full_text, Qt.TextElideMode.ElideRight, max(room, 0))
        self.setText(text)
        self.setMaximumWidth(self.budget)

    def show_alarm(self, priority: int) -> None:
        """The priority of the device's communication alarm while it is active, 0 when
        not; an online device is never coloured."""
        self.alarm = priority
        set_severity(self, 0 if self.status == "online" else priority)


def fair_widths(widths: dict[T, int], total: int, least: int) -> dict[T, int]:
    """Widths that add up to ``total`` (as near as ``least`` each allows): the narrow keep
    theirs and the wide share the rest alike."""
    out: dict[T, int] = {}
    left, wide = total, sorted(widths, key=widths.__getitem__)
    while wide:
        share = max(left // len(wide), least)
        if widths[wide[0]] > share:
            return out | {item: share for item in wide}
        item = wide.pop(0)
        out[item] = widths[item]
        left -= widths[item]
    return out


def short_title(title: str) -> str:
    """The name before its explanation: "Line 1" of "Line 1 - Extrusion press" ("" when
    the title has none)."""
    for dash in (" - ", " – ", " — ", ": "):
        if dash in title:
            return title.split(dash, 1)[0].strip()
    return ""


class StorageNotice(QLabel):
    """Shown only while the local store (or a capability that keeps records in it, which
    ``watch`` adds) cannot write (a full disk, ...): polling goes on and writes wait in
    memory, but the operator must know."""

    def __init__(self, bridge: TagBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("storageNotice")
        self.setWordWrap(True)
        self.bridge = bridge
        self.problems: dict[str, str] = {}
        self.bindings: list = []
        set_severity(self, 2)
        self.watch(STORE_HEALTH)

    def watch(self, tag: str) -> None:
        """Follow one more health tag ("ok", or Bad with the reason)."""
        self.bindings.append(self.bridge.bind(tag, lambda tv: self.show_health(tag, tv)))
        self.refresh()

    def show_health(self, tag: str, tv: TagValue | None) -> None:
        if tv is not None and tv.quality is Quality.BAD:
            self.problems[tag] = tv.reason
        else:
            self.problems.pop(tag, None)
        self.refresh()

    def refresh(self) -> None:
        if not self.problems:
            self.hide()
            return
        reason = "; ".join(dict.fromkeys(self.problems.values()))
        self.setText(
            translate(
                "Header",
                "Local storage cannot write ({reason}). Polling goes on; "
                "records wait in memory until space returns.",
            ).format(reason=reason)
        )
        self.show()


class Header(QWidget):
    device_chosen = Signal(str)  # a device chip was touched
    user_changed = Signal(str)  # someone else operates the station (``set_user``)

    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        *,
        clock=time.localtime,
        compact: bool = False,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("header")
        self.project = project
        self.clock = clock
        self.compact = compact  # the touch profile: the time without the date, for room
        self.top = top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(8)
        self.nav: QWidget | None = None
        self.online_chips_shown = True
        self._fitting = False
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self.fit)
        self.plant = QLabel(self)
        self.screen: ScreenDef | None = None
        self.plant.setObjectName("plantName")
        self.title = ElidedLabel("", self)
        self.title.setObjectName("screenTitle")
        top.addWidget(self.plant)
        top.addWidget(self.title, 1)
        self.chips: dict[str, DeviceChip] = {}
        self._chip_words: dict[str, str] = {}  # what the chips said at the last fit
        self.items: list[QWidget] = []  # capabilities' own, the user item among them
        self._item_widths: list[int] = []  # the widths they asked for at the last fit
        self._bindings = []
        for device in project.devices.values():
            if not device.enabled:
                continue
            chip = DeviceChip(device.name, self, device_name(project, device.name))
            chip.clicked.connect(lambda _=False, d=device.name: self.device_chosen.emit(d))
            self.chips[device.name] = chip
            top.addWidget(chip)
            self._bindings.append(bridge.bind(DEVICE_TAG_PREFIX + device.name, chip.show_status))
            self._bindings.append(bridge.bind(DEVICE_TAG_PREFIX + device.name, self._chip_seen))
        self.user_name = ""
        self.user = QLabel(self)
        self.user.setObjectName("userName")
        self.user_item: QWidget | None = None  # a capability's own, in place of the name
        self.time_label = QLabel("", self)
        self.time_label.setObjectName("clock")
        top.addWidget(self.user)
        top.addWidget(self.time_label)
        self.language = QPushButton(self)
        self.language.setObjectName("languageButton")
        self.language.clicked.connect(self.switch_language)
        top.addWidget(self.language)
        self.alarm_text = ""
        self.alarms = QLabel(self)
        self.alarms.setObjectName("alarmBanner")
        layout = QVBoxLayout(self)
        # the window decides the width; the row gives way (``fit``), never the window
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.setContentsMargins(*((6, 2, 6, 2) if compact else (8, 4, 8, 4)))
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.alarms)
        self.storage = StorageNotice(bridge, self)
        layout.addWidget(self.storage)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(1000)
        self.tick()
        self.retranslate()
        bindings, storage = self._bindings, self.storage.bindings  # it may watch more later
        self.destroyed.connect(lambda *_: [b.unbind() for b in bindings + storage])

    def add_item(self, widget: QWidget) -> None:
        """A capability's own item (a counter, a status), before the user's name."""
        widget.setParent(self)
        self.items.append(widget)
        self.top.insertWidget(self.top.indexOf(self.user), widget)
        self.fit()

    def set_user_item(self, widget: QWidget) -> None:
        """A capability that signs people in shows who is signed in (and lets them change
        it) with ``widget`` in place of the plain name; it never gives way when narrow."""
        self.user_item = widget
        widget.setParent(self)
        self.items.append(widget)
        self.top.insertWidget(self.top.indexOf(self.user), widget)
        self.user.hide()
        self.fit()

    def add_navigation(self, nav: QWidget) -> None:
        """The navigation bar at the start of the row (touch: one row for both)."""
        self.nav = nav
        nav.setParent(self)
        self.top.insertWidget(0, nav)
        changed = getattr(nav, "contents_changed", None)
        if changed is not None:
            changed.connect(self.fit)
        self.fit()

    def squeezes(self) -> list[tuple[Callable[[], None], Callable[[], None]]]:
        """What gives way when the row is too narrow, least needed first: (give way, back)."""
        nav = self.nav
        steps = [(self.plant.hide, self.plant.show)]
        if nav is not None:
            steps.append((lambda: nav.show_children(False), lambda: nav.show_children(True)))
        if self.user_item is None:
            steps.append((self.user.hide, self.user.show))
        if nav is not None:
            steps.append((lambda: nav.set_words(False, True), lambda: nav.set_words(True)))
        steps.append((lambda: self.show_online_chips(False), lambda: self.show_online_chips(True)))
        if nav is not None:
            steps.append((lambda: nav.set_words(False), lambda: nav.set_words(False, True)))
            fold = getattr(nav, "fold", None)  # then the last pages into "More", one by one
            if fold is not None:
                # folding one alone gains nothing: "More" takes its room
                for count in range(2, len(nav.movable()) + 1):
                    steps.append(
                        (partial(fold, count), partial(fold, 0 if count == 2 else count - 1))
                    )
        return steps

    def show_online_chips(self, shown: bool) -> None:
        """Chips of devices that are online (the normal case) may give way; a device that
        is not online always shows."""
        self.online_chips_shown = shown
        for chip in self.chips.values():
            chip.setVisible(shown or chip.status != "online")

    def _chip_seen(self, tv: TagValue) -> None:
        """A chip may have grown (another state) or come or gone (online chips hidden):
        look again, once it knows (after every callback of this value)."""
        words = {name: chip.full_text for name, chip in self.chips.items()}
        if words != self._chip_words:
            self._chip_words = words
            self._refit.start()

    def fit(self) -> None:
        """Give way, step by step, until the row fits; the title keeps some room."""
        room = self.width() - self.layout().contentsMargins().left() * 2
        if room <= 0 or self._fitting:
            return
        self._fitting = True
        try:
            self._fit(room)
            self._item_widths = self._widths_asked()
        finally:
            self._fitting = False

    def _fit(self, room: int) -> None:
        fold = getattr(self.nav, "fold", None)
        if fold is not None:  # every page back in the row, then fold what must go
            fold(0)
        steps = self.squeezes()
        for chip in self.chips.values():
            chip.set_budget(None)
        for _, back in reversed(steps):
            back()
        for give_way, _ in steps:
            if self._over(room) <= 0:
                return
            give_way()
        least = QFontMetrics(self.font()).horizontalAdvance("M") * 4
        if self._over(room) > 0:
            self._shorten_chips(self._over(room), least)
        if self._over(room, title=False) > 0:  # the title gives way, then the chips' words
            self._shorten_chips(self._over(room, title=False), 1)

    def _widths_asked(self) -> list[int]:
        return [item.sizeHint().width() for item in self.items]

    def event(self, event: QEvent) -> bool:
        """A capability's item that asks for another width ("Stops: 1", another user)
        makes the row fit again."""
        if (
            event.type() == QEvent.Type.LayoutRequest
            and not self._fitting
            and self._widths_asked() != self._item_widths
        ):
            self._refit.start()
        return super().event(event)

    def _over(self, room: int, title: bool = True) -> int:
        """How much wider than ``room`` the row is now (with the title's least room)."""
        invalidate_all(self.top)
        return self.top.sizeHint().width() + (self.title_room() if title else 0) - room

    def _shorten_chips(self, over: int, least: int) -> None:
        """Shorten the chips still shown by ``over`` pixels in all, the longest first, none
        below ``least``: the user item and the clock keep their width."""
        shown = [c for c in self.chips.values() if c.isVisibleTo(self)]
        widths = {c: c.sizeHint().width() for c in shown}
        budgets = fair_widths(widths, sum(widths.values()) - over, least)
        for chip in shown:
            chip.set_budget(budgets[chip])

    def title_room(self) -> int:
        """The least width the screen's title keeps (it is shortened with "…" below that):
        its short form whole ("Line 1"), and never less than eight letters."""
        self.title.ensurePolished()  # the header's style decides the title's font
        eight = QFontMetrics(self.title.font()).horizontalAdvance("M") * 8
        return max(eight, self.title.least_width() + 4)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()

    def set_user(self, name: str) -> None:
        """Who operates the station from now on; what depends on it (write controls) hears
        ``user_changed``."""
        if name == self.user_name:
            return
        self.user_name = name
        self.retranslate()
        self.user_changed.emit(name)

    def retranslate(self) -> None:
        self.user.setText(
            translate("Header", "operator: {name}").format(name=self.user_name or "—")
        )
        self.alarms.setText(self.alarm_text or translate("Header", "No active alarms"))
        code = current_language()
        self.language.setText(f"{code.upper()} ▸ {next_language().upper()}")
        self.language.setToolTip(
            translate("Header", "Language: {name}").format(name=LANGUAGE_NAMES.get(code, code))
        )
        self.plant.setText(project_text(self.project, self.project.name, "Project"))
        self.show_screen(self.screen)
        for chip in self.chips.values():
            chip.name = device_name(self.project, chip.device)
            chip.show_status(chip.tv)
        self.storage.refresh()
        self.fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def switch_language(self) -> str:
        """The next language the application speaks, for everyone, at once."""
        code = next_language()
        set_language(code)
        return code

    def tick(self) -> None:
        form = "%H:%M:%S" if self.compact else "%Y-%m-%d  %H:%M:%S"
        self.time_label.setText(time.strftime(form, self.clock()))

    def show_screen(self, screen: ScreenDef | None) -> None:
        """The line's name on a line's screens, else the screen's title (the path says more)."""
        self.screen = screen
        if screen is None:
            self.title.set_full_text("")
            return
        line = self.project.lines.get(screen.line)
        title = project_text(self.project, line, "Project") if line else ""
        title = title or project_text(self.project, screen.title, "Screens")
        self.title.set_full_text(title, short_title(title))
        self._refit.start()  # the title's least room follows its short name

    def show_alarm(self, text: str, severity: int) -> None:
        """Placeholder banner until the alarm manager feeds it."""
        self.alarm_text = text
        self.alarms.setText(text or translate("Header", "No active alarms"))
        set_severity(self.alarms, severity)
