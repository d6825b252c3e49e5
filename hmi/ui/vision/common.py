"""What the vision views share: their look on top of the window's, and the words and
numbers of inspection as a person at the line reads them (a verdict, a camera's state,
counts, a defect rate, a score against its limit)."""

from __future__ import annotations

import math
from typing import Any

from hmi.ui.i18n import translate
from hmi.ui.symbols.painting import NO_NUMBER, format_number
from hmi.ui.theme import Theme, fill_stylesheet

REFRESH_MS = 200  # the live view follows the camera about five times a second
VALUE_SCALE = 1.5  # a figure's text against the profile's text size (touch: >= 22 px)
VERDICT_SCALE = 1.9  # the last part's verdict, the largest words of the view
SMALL_SCALE = 1.2  # a figure under the verdict (touch: 24 px, values stay >= 22 px)
NOTE_SCALE = 0.8  # a figure's word (touch: 20 px -> 16 px)
GOOD, DEFECT, UNINSPECTED = "good", "defect", "uninspected"
INSPECTING, CONNECTING = "inspecting", "connecting"  # a camera working, opening
INSPECTION, MODELS = "inspection", "models"  # the pages
LIVE = "vision"  # the touch panel's navigation entry: the camera large

STYLE = """
QFrame#visionTile { background: @panel; border: 1px solid @outline; }
QFrame#visionTile QLabel { background: transparent; }
QLabel[visionFigure="true"] { font-weight: bold; }
QLabel[visionNote="true"] { color: @text_dim; }
QLabel#visionVerdict { font-weight: bold; padding: 0 @px(6); }
QLabel#visionVerdict[abnormal="true"], QFrame#visionTile QLabel#visionVerdict[abnormal="true"] {
    background: @alarm3; color: @alarm3_text;
}
QLabel[uninspected="true"], QFrame#visionTile QLabel[uninspected="true"] {
    background: @alarm3; color: @alarm3_text; padding: 0 @px(6); font-weight: bold;
}
QDialog#visionDialog { background: @background; }
QLabel[heading="true"] { font-weight: bold; }
QLabel#visionState[abnormal="true"] { background: @alarm3; color: @alarm3_text; padding: @px(4); }
QLabel#visionMessage { background: @panel; padding: @px(6) @px(10); font-weight: bold; }
"""


def vision_stylesheet(theme: Theme, profile: Any) -> str:
    """The vision views' look on top of the window's, with the figures' text sizes."""
    figure = round(profile.font_px * VALUE_SCALE)
    verdict = round(profile.font_px * VERDICT_SCALE)
    note = max(round(profile.font_px * NOTE_SCALE), 16 if profile.touch else 12)
    small = max(round(profile.font_px * SMALL_SCALE), 22 if profile.touch else 14)
    return fill_stylesheet(STYLE, theme, profile.chrome_scale) + (
        f'QLabel[visionFigure="true"] {{ font-size: {figure}px; }}\n'
        f'QLabel[visionNote="true"] {{ font-size: {note}px; }}\n'
        f"QLabel#visionVerdict {{ font-size: {verdict}px; }}\n"
        f'QLabel#visionVerdict[compact="true"] {{ font-size: {figure}px; }}\n'
        f'QLabel[visionFigure="true"][small="true"] {{ font-size: {small}px; }}\n'
        f'QLabel#visionVerdict[small="true"] {{ font-size: {small}px; }}\n'
    )


def page_words(key: str) -> tuple[str, str]:
    """A page's symbol and name, for its navigation entry and the buttons opening it."""
    if key == INSPECTION:
        return "◎", translate("VisionLive", "Inspection")
    if key == LIVE:
        return "◎", translate("VisionLive", "Camera")
    return "▦", translate("VisionLive", "Models")


def verdict_text(result: str | None, label: str = "") -> str:
    """The last part's verdict in large words: GOOD, DEFECT (its class), NOT INSPECTED."""
    if result == GOOD:
        return translate("VisionLive", "GOOD")
    if result == DEFECT:
        if label and label not in (DEFECT, GOOD):
            return translate("VisionLive", "DEFECT: {label}").format(label=label_text(label))
        return translate("VisionLive", "DEFECT")
    if result == UNINSPECTED:
        return translate("VisionLive", "NOT INSPECTED")
    return translate("VisionLive", "No part yet")


def label_text(label: str) -> str:
    """A model's class as words ("die_line" -> "die line")."""
    return label.replace("_", " ")


def state_text(state: str) -> str:
    """A camera's state when it is not inspecting, as a heading."""
    words = {
        "unavailable": translate("VisionLive", "Inspection unavailable"),
        "connecting": translate("VisionLive", "Camera connecting"),
        "stalled": translate("VisionLive", "Camera stalled: no new images"),
        "failed": translate("VisionLive", "Camera failed"),
        "stopped": translate("VisionLive", "Camera stopped"),
    }
    return words.get(state, translate("VisionLive", "Inspection unavailable"))


def unavailable_text(state: str, reason: str) -> str:
    """Why parts are not inspected, and what becomes of them, in one sentence."""
    why = state_text(state) + (f": {reason}" if reason else "")
    return translate("VisionLive", "{why}. Parts are counted as not inspected.").format(why=why)


def pieces(value: int | float | None) -> str:
    """A count of parts: whole, grouped by thin spaces."""
    return NO_NUMBER if value is None else format_number(round(value), None)


def rate_text(rate: float | None, window: int) -> str:
    """The defect rate over the window ("2.0 %"); "—" before any part was inspected."""
    if rate is None or window <= 0 or math.isnan(rate):
        return NO_NUMBER
    return f"{rate:.1f} %"


def score_text(score: float | None, threshold: float | None) -> str:
    """A score against the limit it is decided by ("0.91 ≥ 0.24")."""
    if score is None:
        return NO_NUMBER
    if threshold is None:
        return f"{score:.2f}"
    sign = "≥" if score >= threshold else "<"
    return f"{score:.2f} {sign} {threshold:.2f}"
