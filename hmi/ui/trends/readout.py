"""What the legend says: every pen's value at the cursor, now, or at the right edge.

Values at the cursor come at once from the lines as drawn, then from the historian's own
interpolation (``value_at``) when its answer arrives. A value that is not Good keeps
being shown, marked with "?" and the reason; a pen with nothing to show says why.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from hmi.core.historian import Point
from hmi.core.tags import Quality
from hmi.ui.dialogs import quality_text
from hmi.ui.i18n import translate

from .pens import Pen
from .series import drawable

if TYPE_CHECKING:
    from .view import TrendView


def stamp(t: float) -> str:
    return datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def refresh(view: TrendView) -> None:
    """The legend at the cursor; without one, now (live) or the right edge (paused)."""
    if view.cursor_t is None:
        if view.live:
            show_current(view)
            return
        at = view.visible_range()[1]
        view.legend.set_time(translate("Trend", "Right edge") + f"\n{stamp(at)}")
    else:
        at = view.cursor_t
        view.legend.set_time(translate("Trend", "Cursor") + f"\n{stamp(at)}")
    for pen in view.pens:
        view.legend.set_value(pen.tag, pen.format(view.value_shown(pen, at)), note_of(view, pen))


def note_of(view: TrendView, pen: Pen) -> str:
    """Why a pen shows nothing, when it does not."""
    if not pen.exists:
        return translate("Trend", "unknown tag")
    history = view.history.get(pen.tag)
    ring = view.rings.get(pen.tag)
    if history is not None and history.note and not (ring is not None and ring.count):
        return history.note
    return ""


def show_current(view: TrendView) -> None:
    """Each pen's newest value, marked when it is not Good; history when none is live."""
    view.legend.set_time(translate("Trend", "Now") + f"\n{stamp(view.clock())}")
    for pen in view.pens:
        tv = view.bridge.value(pen.tag) if view.bridge is not None else None
        if tv is None:
            y = view.drawn.get(pen.tag, (None, np.empty(0)))[1]
            shown = y[np.isfinite(y)]
            last = float(shown[-1]) if len(shown) else None
            note = note_of(view, pen) or (
                translate("Trend", "no live value")
                if last is None
                else translate("Trend", "from history")
            )
            view.legend.set_value(pen.tag, pen.format(last), note)
            continue
        value = drawable(tv.value, Quality.GOOD)
        note = "" if tv.good else quality_text(tv)
        view.legend.set_value(pen.tag, pen.format(value), note)


def show_values(view: TrendView, generation: int, t: float, found: dict) -> None:
    """The historian's own values at the cursor, once they arrive."""
    if generation != view.fetcher.value_generation or t != view.cursor_t:
        return
    for pen in view.pens:
        point: Point | None = found.get(pen.tag)
        if point is None:
            continue
        if point.quality is Quality.BAD:
            view.legend.set_value(pen.tag, "—", translate("Trend", "? bad at this time"))
        else:
            view.legend.set_value(pen.tag, pen.format(drawable(point.value, point.quality)))
