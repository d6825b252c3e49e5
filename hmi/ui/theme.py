"""The colours and fonts of every screen, in one place (ISA-101: calm grey, colour = alarm).

Widgets never name a colour: symbols ask the theme, and the window chrome is styled by
``resources/themes/<name>.qss``, whose ``@name`` placeholders are filled from the palette.
Alarm colours follow the alarm priority (1 critical .. 4 low/diagnostic) and are used for
nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen, QStaticText

from hmi.core.paths import install_root

THEMES_DIR = install_root() / "resources" / "themes"
TEXT_CACHE_SIZE = 8192


@dataclass(frozen=True)
class Theme:
    background: str = "#D6D6D6"
    panel: str = "#E3E3E3"  # value boxes, frames
    header: str = "#C4C4C4"
    outline: str = "#5C5C5C"  # equipment outlines
    running: str = "#4F4F4F"  # filled = running / open
    text: str = "#111111"
    text_dim: str = "#4D4D4D"
    text_on_running: str = "#F2F2F2"
    scale: str = "#F0F0F0"  # the track of an analog indicator
    normal_band: str = "#B0B0B0"
    pointer: str = "#111111"
    level: str = "#8F8F8F"  # tank level, bar fill
    pipe: str = "#8A8A8A"
    pipe_flow: str = "#3F3F3F"
    button: str = "#C9C9C9"
    button_border: str = "#4A4A4A"
    entry: str = "#FAFAFA"  # a field the operator can change
    quality_mark: str = "#1E1E1E"  # dashed outline, hatch and "?" of bad data
    alarm: dict[int, str] = field(
        default_factory=lambda: {1: "#E00000", 2: "#FF8A00", 3: "#FFE000", 4: "#C000C0"}
    )
    alarm_text: dict[int, str] = field(
        default_factory=lambda: {1: "#FFFFFF", 2: "#000000", 3: "#000000", 4: "#FFFFFF"}
    )
    font_family: str = "DejaVu Sans"
    name: str = "isa101"

    # Painting asks for the same few colours and fonts thousands of times a second: they are
    # made once. Callers must copy before changing one.
    _cache: dict = field(default_factory=dict, compare=False, repr=False)
    _texts: dict = field(default_factory=dict, compare=False, repr=False)

    def color(self, name: str) -> QColor:
        key = ("color", name)
        if key not in self._cache:
            self._cache[key] = QColor(getattr(self, name))
        return self._cache[key]

    def alarm_color(self, priority: int) -> QColor:
        key = ("alarm", priority)
        if key not in self._cache:
            self._cache[key] = QColor(self.alarm.get(priority, self.alarm[4]))
        return self._cache[key]

    def alarm_text_color(self, priority: int) -> QColor:
        key = ("alarm_text", priority)
        if key not in self._cache:
            self._cache[key] = QColor(self.alarm_text.get(priority, "#000000"))
        return self._cache[key]

    def font(self, pixel_size: float, bold: bool = False) -> QFont:
        key = ("font", max(1, round(pixel_size)), bold)
        font = self._cache.get(key)
        if font is None:
            font = QFont(self.font_family)
            font.setPixelSize(key[1])
            font.setBold(bold)
            self._cache[key] = font
        return font

    def pen(
        self, name: str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine
    ) -> QPen:
        """A palette colour as a pen (``name`` may also be ``#RRGGBB``)."""
        key = ("pen", name, width, style)
        pen = self._cache.get(key)
        if pen is None:
            color = QColor(name) if name.startswith("#") else self.color(name)
            pen = self._cache[key] = QPen(color, width, style)
        return pen

    def text_layout(
        self, text: str, pixel_size: float, bold: bool, width: float
    ) -> tuple[QFont, QStaticText, float, float]:
        """How to draw ``text`` in at most ``width``: the font (``pixel_size``, shrunk to fit
        but never below 8 px), the laid-out text, its width and height. Kept, because
        laying out text is the costly part of drawing a value."""
        key = (text, pixel_size, bold, width)
        found = self._texts.get(key)
        if found is None:
            font = self.font(pixel_size, bold)
            advance = self.metrics(font).horizontalAdvance(text)
            if advance > width > 0:
                font = self.font(max(8.0, pixel_size * width / advance), bold)
                advance = self.metrics(font).horizontalAdvance(text)
            static = QStaticText(text)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
            found = (font, static, advance, self.metrics(font).height())
            if len(self._texts) > TEXT_CACHE_SIZE:
                self._texts.clear()
            self._texts[key] = found
        return found

    def metrics(self, font: QFont) -> QFontMetricsF:
        key = ("metrics", font.pixelSize(), font.bold())
        metrics = self._cache.get(key)
        if metrics is None:
            metrics = self._cache[key] = QFontMetricsF(font)
        return metrics

    def forget_texts(self) -> None:
        """Drop laid-out texts (after a language change most words differ)."""
        self._texts.clear()

    def stylesheet(self, scale: float = 1.0) -> str:
        """The QSS of the window chrome with ``@name`` colours and ``@px(N)`` sizes filled in."""
        path = THEMES_DIR / f"{self.name}.qss"
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        return fill_stylesheet(text, self, scale)


def fill_stylesheet(text: str, theme: Theme, scale: float) -> str:
    def size(match: re.Match[str]) -> str:
        return f"{max(1, round(float(match.group(1)) * scale))}px"

    text = re.sub(r"@px\(([\d.]+)\)", size, text)
    for priority, color in theme.alarm.items():
        text = text.replace(f"@alarm{priority}_text", theme.alarm_text[priority])
        text = text.replace(f"@alarm{priority}", color)
    names = sorted((n for n, v in vars(theme).items() if isinstance(v, str)), key=len, reverse=True)
    for name in names:
        text = text.replace(f"@{name}", getattr(theme, name))
    return text


DEFAULT_THEME = Theme()
