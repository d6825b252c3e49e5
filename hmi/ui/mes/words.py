"""The MES sync in words a person at the line reads in a hurry: a target's state, how long
it has been offline, what waits and what was refused; and the views' look on top of the
window's (colour only while something is abnormal: a target offline, events refused)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from hmi.core.mes import Status
from hmi.ui.i18n import translate
from hmi.ui.symbols.painting import NO_NUMBER, format_number
from hmi.ui.theme import Theme, fill_stylesheet

OK, RETRYING, FAILING, STOPPED = "ok", "retrying", "failing", "stopped"
# a backlog that drains on its own: the header stays quiet below these
CALM_BACKLOG = 500
CALM_AGE_S = 300.0
VALUE_SCALE = 1.5  # a figure against the profile's text size (touch: >= 22 px)

STYLE = """
QWidget#mesPage { background: @background; }
QFrame#mesTarget { background: @panel; border: 1px solid @outline; }
QFrame#mesTarget QLabel { background: transparent; }
QFrame#mesTarget[chosen="true"] { border: 3px solid @outline; }
QLabel[mesFigure="true"] { font-weight: bold; }
QLabel[mesNote="true"] { color: @text_dim; }
QLabel[heading="true"] { font-weight: bold; }
QLabel#mesState[abnormal="true"], QFrame#mesTarget QLabel#mesState[abnormal="true"] {
    background: @alarm3; color: @alarm3_text; padding: 0 @px(6);
}
QPushButton#mesItem[abnormal="true"] {
    background: @alarm3; color: @alarm3_text; font-weight: bold;
}
QPushButton#mesItem[pending="true"] { border: 3px solid @outline; }
QPushButton[tab="true"] { padding-left: @px(16); padding-right: @px(16); }
QPushButton[tab="true"][abnormal="true"] { background: @alarm3; color: @alarm3_text; }
QPushButton[tab="true"]:checked { background: @running; color: @text_on_running; }
QLabel#mesMessage { background: @panel; padding: @px(6) @px(10); font-weight: bold; }
QLabel#mesMessage[problem="true"] { background: @running; color: @text_on_running; }
QLabel#mesMessage[empty="true"] { background: transparent; }
QTableWidget { background: @panel; border: 1px solid @outline; }
QTableWidget::item:selected { background: @running; color: @text_on_running; }
QHeaderView::section {
    background: @header; color: @text; font-weight: bold; border: 1px solid @normal_band;
}
"""


def mes_stylesheet(theme: Theme, profile: Any) -> str:
    """The MES views' look on top of the window's, with the figures' text size."""
    figure = round(profile.font_px * VALUE_SCALE)
    note = round(profile.font_px)  # a figure's name: the text size, read from 1.5 m too
    own = fill_stylesheet(STYLE, theme, profile.chrome_scale) + (
        f'QLabel[mesFigure="true"] {{ font-size: {figure}px; }}\n'
        f'QLabel[mesNote="true"] {{ font-size: {note}px; }}\n'
    )
    if profile.touch:  # two lines in the header's one finger-high row
        own += "QPushButton#mesItem { font-size: 16px; padding: 0 4px; }\n"
    return own


def count_text(value: int | float | None) -> str:
    """A number of events, grouped by thin spaces."""
    return NO_NUMBER if value is None else format_number(round(value), None)


def age_text(seconds: float | None) -> str:
    """How long: "45 s", "12 min", "2 h 05 min", "3 d 4 h"."""
    if seconds is None:
        return NO_NUMBER
    seconds = max(round(seconds), 0)
    if seconds < 60:
        return translate("Mes", "{s} s").format(s=seconds)
    minutes = seconds // 60
    if minutes < 60:
        return translate("Mes", "{m} min").format(m=minutes)
    hours = minutes // 60
    if hours < 48:
        return translate("Mes", "{h} h {m:02d} min").format(h=hours, m=minutes % 60)
    return translate("Mes", "{d} d {h} h").format(d=hours // 24, h=hours % 24)


def clock_text(ts: float | None, now: float | None = None) -> str:
    """A time of day ("14:20:05"), with the date when not today; "never" for none."""
    if not ts:
        return translate("Mes", "never")
    when = time.localtime(ts)
    today = time.localtime(time.time() if now is None else now)
    if (when.tm_year, when.tm_yday) != (today.tm_year, today.tm_yday):
        return time.strftime("%d/%m %H:%M", when)
    return time.strftime("%H:%M:%S", when)


def state_text(state: str) -> str:
    return {
        OK: translate("Mes", "Sending"),
        RETRYING: translate("Mes", "Retrying"),
        FAILING: translate("Mes", "Offline"),
        STOPPED: translate("Mes", "Disabled"),
    }.get(state, state)


def kind_text(kind: str) -> str:
    """An event's kind as the supervisor calls it."""
    return {
        "order.state": translate("Mes", "order state"),
        "count": translate("Mes", "count"),
        "scrap": translate("Mes", "scrap"),
        "downtime.start": translate("Mes", "stop began"),
        "downtime.end": translate("Mes", "stop ended"),
        "downtime.reason": translate("Mes", "stop reason"),
        "downtime.split": translate("Mes", "stop split"),
        "downtime.merge": translate("Mes", "stops merged"),
        "correction": translate("Mes", "count correction"),
        "shift.end": translate("Mes", "shift end"),
    }.get(kind, kind)


def offline_for(status: Status, now: float) -> float:
    """How long the target has taken nothing: since its last success, else the age of
    the oldest event waiting for it."""
    if status.last_success:
        return max(now - status.last_success, 0.0)
    return status.oldest_s


def abnormal(statuses: Sequence[Status]) -> bool:
    """A target offline (failing) or events refused: the supervisor has to act."""
    return any(s.state == FAILING or s.quarantined for s in statuses)


FULL, DESK, TOUCH = "full", "desk", "touch"


def summary(statuses: Sequence[Status], now: float, form: str = FULL) -> str:
    """The sync in words: ``full``, the whole sentence ("MES offline 12 min — 3420 events
    waiting, none lost · 2 refused"); ``desk``, one line the desk header has room for
    beside the devices ("MES offline 12 min · 3420 waiting"); ``touch``, two short lines
    for the touch panel's full header row ("MES" over "offline"). "MES ok" when calm."""
    active = [s for s in statuses if s.state != STOPPED]
    if not active:
        return translate("Mes", "MES off")
    waiting = count_text(sum(s.backlog for s in active))
    refused = count_text(sum(s.quarantined for s in active))
    down = [s for s in active if s.state == FAILING]
    draining = sum(s.backlog for s in active) >= CALM_BACKLOG or (
        max(s.oldest_s for s in active) >= CALM_AGE_S
    )
    any_refused = any(s.quarantined for s in active)
    if form == TOUCH:  # the state under the name, the figures one touch away
        if down:
            return "MES\n" + translate("Mes", "offline")
        if any_refused:
            return "MES\n" + translate("Mes", "{n} refused").format(n=refused)
        if draining:
            return "MES\n" + translate("Mes", "{n} waiting").format(n=waiting)
        return translate("Mes", "MES ok")
    parts: list[str] = []
    if down:
        who = "MES" if len(down) == len(active) else "MES " + ", ".join(s.target for s in down)
        since = age_text(max(offline_for(s, now) for s in down))
        head = translate("Mes", "{who} offline {since}").format(who=who, since=since)
        if form == DESK:
            return head + " · " + translate("Mes", "{n} waiting").format(n=waiting)
        parts.append(
            head + " — " + translate("Mes", "{n} events waiting, none lost").format(n=waiting)
        )
    elif draining:
        parts.append(translate("Mes", "MES: {n} waiting").format(n=waiting))
    if any_refused:
        words = (
            translate("Mes", "{n} refused")
            if parts
            else translate("Mes", "MES: {n} events refused")
        )
        parts.append(words.format(n=refused))
    return " · ".join(parts) if parts else translate("Mes", "MES ok")


def pending(statuses: Sequence[Status]) -> bool:
    """Something waits that is not yet abnormal (a large backlog draining, a retry)."""
    active = [s for s in statuses if s.state != STOPPED]
    return bool(active) and (
        any(s.state == RETRYING for s in active)
        or sum(s.backlog for s in active) >= CALM_BACKLOG
        or max(s.oldest_s for s in active) >= CALM_AGE_S
    )
