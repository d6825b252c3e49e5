"""On-screen keys of our own for a gloved finger: a numeric keypad and a text keyboard.

Both edit a ``QLineEdit`` at its cursor. Keys never take the focus (the field keeps it), are
at least the profile's key size and are spaced at least its gap apart, and act on release
of a plain left press: no hover, no long press, no right click.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget

from hmi.ui.i18n import translate
from hmi.ui.profile import Profile

BACKSPACE = "back"
CLEAR = "clear"
SIGN = "sign"
SHIFT = "shift"
SPACE = " "


class KeyPad(QWidget):
    """Base of both: a grid of keys that edit ``target``."""

    key_pressed = Signal(str)

    def __init__(self, target: QLineEdit, profile: Profile, parent: QWidget | None = None):
        super().__init__(parent)
        self.target = target
        self.profile = profile
        self.keys: dict[str, QPushButton] = {}
        self.grid = QGridLayout(self)
        self.grid.setSpacing(round(profile.gap_px))
        self.grid.setContentsMargins(0, 0, 0, 0)

    def add_key(self, key: str, row: int, column: int, span: int = 1) -> QPushButton:
        button = QPushButton(self.key_text(key), self)
        button.setObjectName("keypadKey")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAutoRepeat(key == BACKSPACE)
        size = round(self.profile.key_px)
        button.setMinimumSize(size * span + round(self.profile.gap_px) * (span - 1), size)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.clicked.connect(lambda _=False, k=key: self.press(k))
        self.grid.addWidget(button, row, column, 1, span)
        self.keys[key] = button
        return button

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
        self.keys[SHIFT].setProperty("active", upper)
        self.keys[SHIFT].style().unpolish(self.keys[SHIFT])
        self.keys[SHIFT].style().polish(self.keys[SHIFT])
