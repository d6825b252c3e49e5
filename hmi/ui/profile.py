"""The two ways the application is used, and the sizes that follow from the monitor.

*touch* (line PC): a frameless full-screen kiosk for a gloved finger; every target at least
9 mm and 2 mm apart on the actual monitor (from its physical DPI), text at least 12 pt, an
on-screen keypad or keyboard for every entry field, no hover, no right-click.
*desk* (supervisor): a normal window, mouse and keyboard, tooltips, several screens at once.

The profile keeps the monitor's pixels per millimetre, so sizes can be checked in mm.
Panels that report a nonsense physical size get ``$LINEA_HMI_DPI`` (or ``dpi=``): a 10.1"
1280 x 800 panel has about 149 dpi, a 12.1" one about 125.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtGui import QGuiApplication, QScreen

MM_PER_INCH = 25.4
TOUCH_TARGET_MM = 9.0
TOUCH_GAP_MM = 2.0
DESK_TARGET_PX = 36.0
DEFAULT_DPI = 96.0
DPI_VARIABLE = "LINEA_HMI_DPI"


@dataclass(frozen=True)
class Profile:
    name: str
    touch: bool
    target_px: float  # smallest touch/click target, in device-independent pixels
    font_px: float
    gap_px: float = 8.0  # smallest space between two targets
    px_per_mm: float = DEFAULT_DPI / MM_PER_INCH  # device-independent pixels per mm

    @property
    def chrome_scale(self) -> float:
        return self.target_px / DESK_TARGET_PX

    @property
    def key_px(self) -> float:
        """A key of the on-screen keypad: a target, a little larger for a gloved finger."""
        return round(self.target_px * 1.25)

    @property
    def dpi(self) -> float:
        return self.px_per_mm * MM_PER_INCH

    def mm(self, pixels: float) -> float:
        """``pixels`` (device-independent) as millimetres on this monitor."""
        return pixels / self.px_per_mm


def sane_dpi(value: object) -> float | None:
    """A physical DPI a monitor could have, else None (many report 0 or nonsense)."""
    try:
        dpi = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return dpi if 40 <= dpi <= 600 else None


def px_per_mm(screen: QScreen | None, dpi: float | None = None) -> float:
    """Device-independent pixels per millimetre on ``screen``: ``dpi`` if given, else
    ``$LINEA_HMI_DPI``, else what the monitor says (96 dpi if it says nonsense)."""
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    physical = (
        sane_dpi(dpi)
        or sane_dpi(os.environ.get(DPI_VARIABLE))
        or sane_dpi(screen.physicalDotsPerInch() if screen is not None else None)
        or DEFAULT_DPI
    )
    # physical DPI counts device pixels; widget sizes are device-independent pixels
    return physical / MM_PER_INCH / max(ratio, 0.1)


def make_profile(name: str, screen: QScreen | None = None, *, dpi: float | None = None) -> Profile:
    """``touch``: targets of at least 9 mm on this monitor; ``desk``: compact but readable."""
    if name not in ("touch", "desk"):
        raise ValueError(f"unknown profile '{name}' (touch or desk)")
    screen = screen or QGuiApplication.primaryScreen()
    per_mm = px_per_mm(screen, dpi)
    logical = screen.logicalDotsPerInch() if screen is not None else DEFAULT_DPI
    if name == "touch":
        target = max(TOUCH_TARGET_MM * per_mm, DESK_TARGET_PX)
        font = max(12.0 / 72.0 * logical, 16.0) * 1.25  # text >= 12 pt on the line PC
        gap = max(TOUCH_GAP_MM * per_mm, 8.0)
        return Profile("touch", True, round(target + 0.49), font, round(gap + 0.49), per_mm)
    return Profile("desk", False, DESK_TARGET_PX, 17.0, 8.0, per_mm)
