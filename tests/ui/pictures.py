"""Building screens from YAML text and looking at rendered pixels."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from hmi.core.project.models import Project
from hmi.core.screens import ScreenDef, load_screens


def screen_from_yaml(folder: Path, project: Project, text: str, name: str = "s") -> ScreenDef:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    screens, problems = load_screens(folder, project)
    assert problems == [], [str(p) for p in problems]
    return screens.get(name)


def render(scene: QGraphicsScene, width: int = 960, height: int = 480) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#D6D6D6"))
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, width, height), scene.sceneRect())
    painter.end()
    return image


def coloured_pixels(image: QImage, step: int = 2) -> dict[str, int]:
    """Count pixels by hue family; greys (low saturation) are not counted."""
    counts = {"red": 0, "orange": 0, "yellow": 0, "green": 0, "blue": 0, "magenta": 0}
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            color = image.pixelColor(x, y)
            if color.hsvSaturation() < 90 or color.value() < 70:
                continue
            hue = color.hsvHue()
            if hue < 15 or hue >= 330:
                counts["red"] += 1
            elif hue < 40:
                counts["orange"] += 1
            elif hue < 70:
                counts["yellow"] += 1
            elif hue < 170:
                counts["green"] += 1
            elif hue < 270:
                counts["blue"] += 1
            else:
                counts["magenta"] += 1
    return counts


def count_color(image: QImage, color: str, step: int = 1) -> int:
    wanted = QColor(color).rgb()
    return sum(
        1
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
        if image.pixel(x, y) == wanted
    )
