"""What happens when the operator touches a symbol, in whichever window, pane or popup.

A navigation button goes to its screen; a setpoint asks for a value, checks it and asks to
confirm; a command asks to confirm; a symbol with a ``faceplate:`` screen opens it as a
popup over the current screen; any other symbol with a tag opens its live faceplate.
Nothing is ever written without the operator's confirmation, and nothing waits for a PLC.
A write the gate refuses (device down, user not allowed) is not offered: the touch says
why; and the gate is asked again when the operator confirms, so a user who changed while
the question was open cannot write with the previous one's rights.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDialog, QPushButton, QWidget

from hmi.core.access import WRITE_TAG, Access
from hmi.core.project.models import Project
from hmi.core.replay import AlarmStateSource, HistorySource
from hmi.ui.bridge import TagBridge
from hmi.ui.capability import AlarmLinks, TrendOpening, no_alarms
from hmi.ui.dialogs import (
    ConfirmDialog,
    SetpointDialog,
    change_question,
    command_question,
    short_name,
    value_text,
    where_text,
)
from hmi.ui.entry import TouchInput
from hmi.ui.faceplate import Faceplate, ScreenPopup, popup_context
from hmi.ui.i18n import shown_tag, translate
from hmi.ui.library import ScreenLibrary
from hmi.ui.profile import Profile
from hmi.ui.renderer import ScreenHost
from hmi.ui.symbols import Symbol
from hmi.ui.symbols.controls import Command, Nav, Setpoint
from hmi.ui.theme import Theme
from hmi.ui.writes import WriteController, WriteGate, WriteRefused, check_write

if TYPE_CHECKING:
    from hmi.ui.header import Header
    from hmi.ui.panel import ScreenPanel


class GatedButtons(QObject):
    """Buttons that write ``tag`` (a faceplate's): disabled while the gate refuses, and a
    touch on one then says why instead of doing nothing."""

    def __init__(
        self,
        gate: WriteGate,
        tag: str,
        buttons: Iterable[QPushButton],
        explain: Callable[[], object],
        parent: QObject,
    ):
        super().__init__(parent)
        self.gate, self.tag, self.explain = gate, tag, explain
        self.buttons = list(buttons)
        for button in self.buttons:
            button.installEventFilter(self)
        gate.changed.connect(self.update)
        self.update()

    def update(self) -> None:
        allowed = self.gate.refusal(self.tag) is None
        for button in self.buttons:
            button.setEnabled(allowed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(watched, QPushButton)
            and not watched.isEnabled()
        ):
            self.explain()
            return True
        return False


class Operator(QObject):
    def __init__(
        self,
        project: Project,
        bridge: TagBridge,
        library: ScreenLibrary,
        profile: Profile,
        theme: Theme,
        writes: WriteController,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.project = project
        self.bridge = bridge
        self.library = library
        self.profile = profile
        self.theme = theme
        self.writes = writes
        # may the operator write a tag now (device up, user allowed), and if not why
        self.gate = WriteGate(project, bridge, writes, parent=self)
        self._headers: weakref.WeakSet[Header] = weakref.WeakSet()
        self._open_window: Callable[[str], Any] | None = None
        self._style: Callable[[], str] = str
        self.dialog: QDialog | None = None  # the newest, for tests and the "one action" rule
        self.touch_input: TouchInput | None = None
        self.data_dir: str | Path | None = None  # where the user's own settings are kept
        # what the capabilities' views plug in (hmi.ui.capability), before any window:
        self.trends: TrendOpening | None = None  # how a value opens its trend
        self.alarm_links: AlarmLinks = no_alarms  # the alarms a symbol's tag has
        self.history: HistorySource | None = None  # the recorded past, when kept
        self.alarm_history: AlarmStateSource | None = None  # alarms' past states
        self.access: Access | None = None  # who may act now (the runtime's hook)

    # -- windows ---------------------------------------------------------------------------

    def set_window_opener(
        self, open_window: Callable[[str], Any], style: Callable[[], str]
    ) -> None:
        """The main window: how to open a screen in a new window, and the look of dialogs."""
        self._open_window = open_window
        self._style = style

    @property
    def can_open_windows(self) -> bool:
        return self._open_window is not None and not self.profile.touch

    def open_window(self, screen: str) -> Any:
        if not self.can_open_windows:
            return None
        return self._open_window(screen)

    def describe(self, tag: str) -> str:
        """A tag as the operator calls it, in messages."""
        return short_name(shown_tag(self.project, self.project.tags.get(tag)), tag)

    # -- who operates ------------------------------------------------------------------------

    @property
    def user(self) -> str:
        return self.gate.user

    def set_user(self, name: str) -> None:
        """Someone else operates the station: every header shows it, every write control
        and every write from now on is checked for them."""
        self.gate.set_user(name)

    def follow_header(self, header: Header) -> None:
        """A window's header: a user set there applies to the whole station, and it shows
        the user set anywhere else."""
        if header in self._headers:
            return
        self._headers.add(header)
        if header.user_name and header.user_name != self.gate.user:
            self.gate.set_user(header.user_name)
        else:
            header.set_user(self.gate.user)
        header.user_changed.connect(self.gate.set_user)
        self.gate.user_changed.connect(header.set_user)

    def refuse_now(self, tag: str, panel: ScreenPanel) -> bool:
        """True (and the operator told why) if ``tag`` cannot be written now."""
        reason = self.gate.refusal(tag)
        if reason:
            panel.show_message(
                translate("Operator", "{name} cannot be changed now: {reason}").format(
                    name=self.describe(tag), reason=reason
                )
            )
        return bool(reason)

    def prepare_dialog(self, dialog: QDialog) -> None:
        """The profile's look and touch input for a dialog, without opening it."""
        dialog.setStyleSheet(self._style())
        if self.profile.touch:
            dialog.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        if self.touch_input is not None:
            self.touch_input.attach(dialog)

    def show_dialog(self, dialog: QDialog, parent: QWidget) -> QDialog:
        """Open ``dialog`` window-modal over ``parent``, in the profile's look."""
        self.dialog = dialog
        self.prepare_dialog(dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.resize(dialog.sizeHint().expandedTo(dialog.minimumSizeHint()))
        window = parent.window()
        dialog.move(window.geometry().center() - dialog.rect().center())  # over its window
        dialog.open()
        return dialog

    def busy(self, parent: QWidget) -> bool:
        """A dialog is open over ``parent``: a touch behind it is not an action."""
        dialog = self.dialog
        try:
            return dialog is not None and dialog.isVisible() and dialog.parentWidget() is parent
        except RuntimeError:  # deleted on close
            self.dialog = None
            return False

    # -- touches ---------------------------------------------------------------------------

    def activate(
        self, symbol: Symbol, new_window: bool, panel: ScreenPanel, parent: QWidget
    ) -> QDialog | None:
        if self.busy(parent):
            return None  # one action per touch
        faceplate = symbol.props.get("faceplate")
        if isinstance(symbol, Nav):
            if isinstance(parent, ScreenPopup):
                parent.accept()
            panel.navigate(symbol.props["target"], new_window)
        elif isinstance(symbol, Setpoint):
            return self.ask_setpoint(symbol.tag or "", panel, parent)
        elif isinstance(symbol, Command):
            return self.ask_command(symbol, panel, parent)
        elif faceplate and new_window and self.can_open_windows:
            self.open_window(faceplate)
        elif faceplate:
            return self.open_popup(faceplate, panel, parent)
        elif symbol.tag:
            return self.open_faceplate(symbol.tag, panel, parent, symbol=symbol)
        return None

    def open_faceplate(
        self, tag: str, panel: ScreenPanel, parent: QWidget, *, symbol: Symbol | None = None
    ) -> Faceplate:
        faceplate = Faceplate(self.project, self.bridge, tag, symbol=symbol, parent=parent)
        if faceplate.commands:  # greyed while the gate refuses; a touch says why

            def explain() -> bool:
                return self.refuse_now(tag, panel)

            GatedButtons(self.gate, tag, faceplate.commands.values(), explain, faceplate)

        def change(name: str) -> None:
            faceplate.close()
            self.ask_setpoint(name, panel, parent)

        def command(name: str, value: object) -> None:
            faceplate.close()
            self.confirm_write(name, value, panel, parent)

        faceplate.change_requested.connect(change)
        faceplate.command_requested.connect(command)
        self.show_dialog(faceplate, parent)
        return faceplate

    def open_popup(
        self, screen_name: str, panel: ScreenPanel, parent: QWidget
    ) -> ScreenPopup | None:
        """A detail screen over the current one: the operator never loses their place."""
        screen = self.library.screens.get(screen_name)
        if screen is None:
            panel.show_message(
                translate("Panel", "There is no screen named '{name}'").format(name=screen_name),
                problem=True,
            )
            return None
        context = popup_context(panel.host.context)
        host = ScreenHost(self.project, self.bridge, self.library, context)
        if self.profile.touch:
            host.view.min_target_px = self.profile.target_px
        popup = ScreenPopup(screen, host, parent=parent)
        if self.trends is not None:
            self.trends.install_hold(host.view, popup, allowed=lambda: not self.busy(popup))
        host.activated.connect(
            lambda symbol, new_window: self.activate(symbol, new_window, panel, popup)
        )
        self.show_dialog(popup, parent)
        return popup

    def ask_setpoint(self, tag: str, panel: ScreenPanel, parent: QWidget) -> SetpointDialog | None:
        if self.refuse_now(tag, panel):
            return None
        dialog = SetpointDialog(
            self.project,
            tag,
            self.bridge.value(tag),
            profile=self.profile,
            refusal=self.gate.refusal,
            parent=parent,
        )
        dialog.accepted.connect(lambda: self.confirm_write(tag, dialog.value, panel, parent))
        return self.show_dialog(dialog, parent)

    def ask_command(self, symbol: Command, panel: ScreenPanel, parent: QWidget) -> QDialog | None:
        tag = symbol.tag or ""
        if self.refuse_now(tag, panel):
            return None
        try:
            value = check_write(self.project, tag, symbol.props.get("value", True))
        except WriteRefused as exc:
            panel.show_write_result(tag, "refused", str(exc))
            return None
        config = shown_tag(self.project, self.project.tags.get(tag))
        question = command_question(symbol.confirm_text(), config, tag, symbol.label())
        dialog = ConfirmDialog(question, where_text(self.project, tag), symbol.text(), parent)
        dialog.accepted.connect(lambda: self.write(tag, value, panel))
        return self.show_dialog(dialog, parent)

    def confirm_write(
        self, tag: str, value: Any, panel: ScreenPanel, parent: QWidget
    ) -> ConfirmDialog | None:
        """ "Billet heater setpoint: 480 °C → 485 °C?" and, once confirmed, the write."""
        if self.refuse_now(tag, panel):
            return None
        config = shown_tag(self.project, self.project.tags.get(tag))
        question = change_question(config, tag, self.bridge.value(tag), value)
        dialog = ConfirmDialog(question, where_text(self.project, tag), parent=parent)
        dialog.accepted.connect(lambda: self.write(tag, value, panel))
        return self.show_dialog(dialog, parent)

    def write(self, tag: str, value: Any, panel: ScreenPanel, *, signed: bool = False) -> None:
        """Ask the gate again (the user or the device may have changed while the operator
        read the question), ask for the signatures a critical tag needs, then post the
        write; the panel that asked hears how it went."""
        reason = self.gate.refusal(tag)
        if reason:
            panel.show_write_result(tag, "refused", reason)
            return
        signatures = self.gate.signatures
        if not signed and signatures is not None and signatures.needed(WRITE_TAG, tag):
            config = shown_tag(self.project, self.project.tags.get(tag))
            what = change_question(config, tag, self.bridge.value(tag), value)
            signatures.ask(
                WRITE_TAG, tag, what, panel, lambda: self.write(tag, value, panel, signed=True)
            )
            return
        if self.writes.available:
            config = shown_tag(self.project, self.project.tags.get(tag))
            panel.show_message(
                translate("Operator", "{name} → {value}: sending …").format(
                    name=self.describe(tag), value=value_text(config, value)
                )
            )
        self.writes.send(tag, value, reply=panel.show_write_result)
