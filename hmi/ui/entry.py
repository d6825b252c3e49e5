"""Entering a value or a text on a touchscreen, and the touch rules for every other widget.

``EntryDialog`` shows what is being entered, the field, a place for its hint (the allowed
range and units) and, on a touchscreen, our own keypad or keyboard. A ``check`` refuses a
bad entry when the operator presses Next/OK, with the reason in the hint's place, never
after each key. Nothing in the dialog changes size while the operator types: the hint's
place holds two lines whatever it says, the field keeps its size, so no key ever moves
under a finger. ``TouchInput`` watches the whole application in the touch profile: any
text field that is touched opens an ``EntryDialog`` for it, and any scrolling list
scrolls by dragging (kinetic, like a phone) instead of tiny scroll bars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QDoubleValidator, QIntValidator, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScroller,
    QSizePolicy,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from hmi.ui.i18n import translate
from hmi.ui.keypad import KeyPad, NumericKeypad, TextKeyboard
from hmi.ui.notice import set_flag
from hmi.ui.profile import Profile

#: a check turns the typed text into the value to use, or raises ValueError with the reason
Check = Callable[[str], Any]
HINT_LINES = 2  # the hint's place holds this many lines, whatever it says
MAX_NUMBER_LENGTH = 16  # characters a number may have: the field shows them all
VALUE_SCALE = 1.5  # the field's text against the profile's text size (touch: >= 22 px)


class FixedLines(QLabel):
    """A label whose size never follows its text: ``lines`` lines high, no width of its
    own. Its text wraps; what does not fit ends in "…" (``full_text`` keeps all of it),
    and the layout around it never moves when the text changes."""

    def __init__(self, lines: int, parent: QWidget | None = None):
        super().__init__("", parent)
        self.lines = lines
        self.full_text = ""
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def setText(self, text: str) -> None:
        self.full_text = text
        super().setText(self.fitting(text))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        super().setText(self.fitting(self.full_text))

    def fitting(self, text: str) -> str:
        """``text``, or its longest beginning that fits with "…" after it."""
        room = self.contentsRect()
        if not text or room.width() <= 0:
            return text
        metrics = self.fontMetrics()
        flags = Qt.TextFlag.TextWordWrap.value

        def fits(candidate: str) -> bool:
            return metrics.boundingRect(room, flags, candidate).height() <= room.height()

        if fits(text):
            return text
        lo, hi = 0, len(text)
        while lo < hi:  # the longest beginning that fits
            mid = (lo + hi + 1) // 2
            if fits(text[:mid].rstrip() + "…"):
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + "…"

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        height = self.lines * self.fontMetrics().lineSpacing() + margins.top() + margins.bottom()
        return QSize(0, height)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def hasHeightForWidth(self) -> bool:
        return False

    def heightForWidth(self, width: int) -> int:
        return self.sizeHint().height()


class EntryDialog(QDialog):
    """Asks for one value or text; on Next/OK refuses what ``check`` refuses, with its
    reason in the place of ``hint``."""

    def __init__(
        self,
        title: str,
        *,
        profile: Profile,
        text: str = "",
        details: Iterable[str] = (),
        hint: str = "",
        numeric: bool = False,
        check: Check | None = None,
        accept_text: str | None = None,
        keys: bool | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("entryDialog")
        self.setWindowTitle(title)
        self.profile = profile
        self.check = check
        self.value: Any = None
        self._accept_text = accept_text
        self._frozen = False
        layout = QVBoxLayout(self)
        layout.setSpacing(round(profile.gap_px))
        self.title = QLabel(title, self)
        self.title.setObjectName("dialogTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.details = [QLabel(line, self) for line in details if line]
        for label in self.details:
            label.setObjectName("entryDetail")
            label.setWordWrap(True)
            layout.addWidget(label)
        self.entry = QLineEdit(text, self)
        self.entry.setObjectName("setpointEntry" if numeric else "textEntry")
        self.entry.setProperty("onScreenEntry", True)  # never opens another keyboard
        self.entry.setMinimumHeight(round(profile.target_px))
        # the value is what the operator checks before going on: read at a glance
        self.entry.setStyleSheet(f"font-size: {round(profile.font_px * VALUE_SCALE)}px;")
        if numeric:
            self.entry.setMaxLength(MAX_NUMBER_LENGTH)
            self.entry.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.entry.selectAll()
        self.entry.textChanged.connect(self._typed)
        self.entry.returnPressed.connect(self.try_accept)
        layout.addWidget(self.entry)
        # one place, two lines high, for the hint or (after Next) why the entry was refused
        self.place = QWidget(self)
        self.place.setObjectName("entryPlace")
        self._place = QStackedLayout(self.place)
        self.hint = FixedLines(HINT_LINES, self.place)
        self.hint.setObjectName("entryDetail")
        self.hint.setText(hint)
        self.error = FixedLines(HINT_LINES, self.place)
        self.error.setObjectName("dialogError")
        self._place.addWidget(self.hint)
        self._place.addWidget(self.error)
        layout.addWidget(self.place)
        self.keypad: KeyPad | None = None
        if profile.touch if keys is None else keys:
            kind = NumericKeypad if numeric else TextKeyboard
            self.keypad = kind(self.entry, profile, self)
            layout.addWidget(self.keypad, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(round(profile.gap_px) * 2)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)
        self.next_button = QPushButton(self)
        self.next_button.setObjectName("acceptButton")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.try_accept)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.cancel_button.setText(translate("Entry", "Cancel"))
        self.next_button.setText(self._accept_text or translate("Entry", "OK"))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def showEvent(self, event: QShowEvent) -> None:
        """Shown once laid out in its final look: from now on its size and the field's are
        fixed, so a border that thickens on a refusal or a longer word moves no key."""
        super().showEvent(event)
        if not self._frozen:
            self._frozen = True
            self.layout().activate()
            self.entry.setFixedHeight(self.entry.height())
            self.setFixedSize(self.size())

    def set_hint(self, hint: str) -> None:
        self.hint.setText(hint)

    def _typed(self, _text: str) -> None:
        """A key was pressed: a reason given for the previous entry no longer applies."""
        if self.error.text():
            self.show_problem("")

    def show_problem(self, problem: str) -> None:
        """Why the entry is refused, in the hint's place (the hint again when empty)."""
        self.error.setText(problem)
        self._place.setCurrentWidget(self.error if problem else self.hint)
        set_flag(self.entry, "invalid", bool(problem))

    def try_accept(self) -> None:
        """Confirm the entry if the check takes it; otherwise stay open and say why."""
        text = self.entry.text().strip()
        try:
            self.value = self.check(text) if self.check is not None else text
        except ValueError as exc:
            self.show_problem(str(exc))
            return
        self.accept()


class TouchInput(QObject):
    """The touch rules for every field and list of a window (``attach``): a touched field
    opens our keypad or keyboard, a list scrolls by dragging. Fields that appear later are
    caught when they get the focus."""

    def __init__(self, profile: Profile, parent: QObject | None = None):
        super().__init__(parent)
        self.profile = profile
        self.dialog: EntryDialog | None = None
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def owns(self, widget: QWidget) -> bool:
        """``widget`` is in the window this belongs to, or in a dialog over it."""
        root = self.parent()
        while widget is not None:
            if widget is root:
                return True
            widget = widget.parentWidget()
        return False

    def attach(self, root: QWidget) -> None:
        """Apply the touch rules to ``root`` and everything in it."""
        for area in [root, *root.findChildren(QAbstractScrollArea)]:
            if isinstance(area, QAbstractScrollArea) and not isinstance(area, QGraphicsView):
                make_kinetic(area)  # screens fit their window and never scroll
        for field in [root, *root.findChildren(QLineEdit), *root.findChildren(QPlainTextEdit)]:
            if is_entry_field(field) and not field.property("touchEntry"):
                field.setProperty("touchEntry", True)
                target = field.viewport() if isinstance(field, QPlainTextEdit) else field
                target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease:
            field = watched.parent() if not isinstance(watched, QLineEdit) else watched
            if is_entry_field(field) and field.isEnabled():
                self.open_for(field)
                return True
        return False

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if (
            new is not None
            and is_entry_field(new)
            and not new.property("touchEntry")
            and self.owns(new)
        ):
            self.attach(new)
            self.open_for(new)

    def open_for(self, field: QLineEdit | QPlainTextEdit) -> EntryDialog:
        """Edit ``field`` with our keypad (numbers) or keyboard (text)."""
        if self.dialog is not None and self.dialog.isVisible():
            return self.dialog
        plain = isinstance(field, QPlainTextEdit)
        text = field.toPlainText() if plain else field.text()
        validator = None if plain else field.validator()
        numeric = bool(field.property("numeric")) or isinstance(
            validator, QIntValidator | QDoubleValidator
        )
        asked = (
            translate("Entry", "Enter a value") if numeric else translate("Entry", "Enter a text")
        )
        title = field.accessibleName() or (field.placeholderText() if not plain else "") or asked
        dialog = EntryDialog(
            title, profile=self.profile, text=text, numeric=numeric, parent=field.window()
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        dialog.setStyleSheet(field.window().styleSheet())

        def take() -> None:
            if plain:
                field.setPlainText(dialog.value)
            else:
                field.setText(dialog.value)
                field.editingFinished.emit()

        dialog.accepted.connect(take)
        self.dialog = dialog
        dialog.resize(dialog.sizeHint())
        dialog.move(field.window().geometry().center() - dialog.rect().center())
        dialog.open()
        return dialog


def is_entry_field(widget: QObject | None) -> bool:
    """A field the operator types into (not the field of our own entry dialog)."""
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly() and not widget.property("onScreenEntry")
    return isinstance(widget, QPlainTextEdit) and not widget.isReadOnly()


def make_kinetic(area: QAbstractScrollArea) -> None:
    """Scroll by dragging with a finger, with momentum; the scroll bars are not needed."""
    if area.property("kinetic"):
        return
    area.setProperty("kinetic", True)
    QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
