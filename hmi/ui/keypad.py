"""On-screen keys of our own for a gloved finger: a numeric keypad and a text keyboard.

Both edit a ``QLineEdit`` at its cursor. Keys never take the focus (the field keeps it), are
at least the profile's key size and are spaced at least its gap apart, and act on release
of a plain left press: no hover, no long press, no right click. Every key of a pad has
the same size, worked out once from the widest word on any of its keys (both cases), and
every row and column takes an equal share: no key moves or changes size while the
operator types (a shifted letter changes no size).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from hmi.ui.i18n import translate
from hmi.ui.notice import set_flag
from hmi.ui.profile import Profile

BACKSPACE = "back"
CLEAR = "clear"
SIGN = "sign"
SHIFT = "shift"
SPACE = " "


class Key(QPushButton):
    """A key whose size is its pad's, never its own text's."""

    def __init__(self, text: str, pad: KeyPad, span: int):
        super().__init__(text, pad)
        self.pad = pad
        self.span = span

    def natural_size(self) -> QSize:
        return QPushButton.sizeHint(self)

    def sizeHint(self) -> QSize:
        return self.pad.key_size(self.span)

    def minimumSizeHint(self) -> QSize:
        return self.pad.key_size(self.span)


class KeyPad(QWidget):
    """Base of both: a grid of keys that edit ``target``."""

    key_pressed = Signal(str)

    def __init__(self, target: QLineEdit, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.target = target
        self.profile = profile
        self.keys: dict[str, QPushButton] = {}
        self._unit: QSize | None = None  # one key's size, from the widest word of the pad
        self.grid = QGridLayout(self)
        self.grid.setSpacing(round(profile.gap_px))
        self.grid.setContentsMargins(0, 0, 0, 0)

    def add_key(self, key: str, row: int, column: int, span: int = 1) -> QPushButton:
        button = Key(self.key_text(key), self, span)
        button.setObjectName("keypadKey")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAutoRepeat(key == BACKSPACE)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.clicked.connect(lambda _=False, k=key: self.press(k))
        self.grid.addWidget(button, row, column, 1, span)
        for c in range(column, column + span):
            self.grid.setColumnStretch(c, 1)
        self.grid.setRowStretch(row, 1)
        self.keys[key] = button
        self._unit = None
        return button

    def key_size(self, span: int = 1) -> QSize:
        """The size of a key ``span`` columns wide: at least the profile's key, and wide
        enough for the widest word on any one-column key of the pad, in either case."""
        if self._unit is None:
            side = round(self.profile.key_px)
            unit = QSize(side, side)
            singles = [b for b in self.keys.values() if isinstance(b, Key) and b.span == 1]
            if singles:
                probe = singles[0]
                probe.ensurePolished()
                metrics = probe.fontMetrics()
                natural = probe.natural_size()
                padding = natural.width() - metrics.horizontalAdvance(probe.text())
                words = [t for b in singles for t in (b.text().lower(), b.text().upper())]
                widest = max(metrics.horizontalAdvance(word) for word in words) + padding
                unit = unit.expandedTo(QSize(widest, natural.height()))
            self._unit = unit
        gap = round(self.profile.gap_px)
        return QSize(self._unit.width() * span + gap * (span - 1), self._unit.height())

    def forget_size(self) -> None:
        """The words or the look of the keys changed: measure them again."""
        self._unit = None
        for button in self.keys.values():
            button.updateGeometry()

    def key_text(self, key: str) -> str:
        return {
            BACKSPACE: "⌫",
            CLEAR: translate("Keypad", "Clear"),
            SIGN: "±",
            SHIFT: "⇧",
            SPACE: translate("Keypad", "space"),
        }.get(key, key)

    def press(self, key: str) -> None:
        """What a key does to the field (also callable from tests and code)."""
        field = self.target
        if key == BACKSPACE:
            if field.hasSelectedText():
                field.del_()
            else:
                field.backspace()
        elif key == CLEAR:
            field.clear()
        elif key == SIGN:
            text = field.text()
            field.setText(text[1:] if text.startswith("-") else "-" + text)
        elif key == SHIFT:
            self.shift()
        else:
            field.insert(self.typed(key))
            self.after_typing()
        self.key_pressed.emit(key)

    def typed(self, key: str) -> str:
        return key

    def after_typing(self) -> None:
        """Hook: a one-shot shift lets go after a letter."""

    def shift(self) -> None:
        """Hook: the text keyboard changes case."""

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            for key, button in self.keys.items():
                button.setText(self.key_text(key))
            self.forget_size()
        elif event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self.forget_size()


class NumericKeypad(KeyPad):
    """Digits, sign and decimal point, with backspace and clear beside them."""

    LAYOUT = (
        ("7", "8", "9", BACKSPACE),
        ("4", "5", "6", CLEAR),
        ("1", "2", "3", ""),
        (SIGN, "0", ".", ""),
    )

    def __init__(self, target: QLineEdit, profile: Profile, parent: QWidget | None = None):
        super().__init__(target, profile, parent)
        for row, keys in enumerate(self.LAYOUT):
            for column, key in enumerate(keys):
                if key:
                    self.add_key(key, row, column)

    def typed(self, key: str) -> str:
        if key == "." and "." in self.target.text():
            return ""  # one decimal point
        return key


class TextKeyboard(KeyPad):
    """Letters, digits, the accents Italian needs, space; shift for one capital."""

    ROWS = (
        "1234567890",
        "qwertyuiop",
        "asdfghjkl'",
        "zxcvbnm,.-",
        "àèéìòù/:()",
    )

    def __init__(self, target: QLineEdit, profile: Profile, parent: QWidget | None = None):
        super().__init__(target, profile, parent)
        self.upper = False
        for row, keys in enumerate(self.ROWS):
            for column, key in enumerate(keys):
                self.add_key(key, row, column)
        last = len(self.ROWS)
        self.add_key(SHIFT, last, 0, 2)
        self.add_key(SPACE, last, 2, 4)
        self.add_key(BACKSPACE, last, 6, 2)
        self.add_key(CLEAR, last, 8, 2)

    def typed(self, key: str) -> str:
        return key.upper() if self.upper else key

    def shift(self) -> None:
        self.set_upper(not self.upper)

    def after_typing(self) -> None:
        if self.upper:
            self.set_upper(False)

    def set_upper(self, upper: bool) -> None:
        self.upper = upper
        for key, button in self.keys.items():
            if len(key) == 1 and key.isalpha():
                button.setText(key.upper() if upper else key)
        set_flag(self.keys[SHIFT], "active", upper)
