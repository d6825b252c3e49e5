"""The fleet's words as a supervisor reads them: a line's state, how long ago it was
heard of, its figures, each in the station's language."""

from __future__ import annotations

import time
from typing import Any

from hmi.core.fleet import IDLE, OFFLINE, RUNNING, STOPPED, LineState
from hmi.ui.i18n import translate
from hmi.ui.symbols.painting import NO_NUMBER, format_number

PAGE = "fleet"


def page_words() -> tuple[str, str]:
    """The page's symbol and name, for its navigation entry."""
    return "▦", translate("Fleet", "Plant")


def state_text(line: LineState) -> str:
    """The state in one word, capitals where it is abnormal."""
    if line.state == RUNNING:
        return translate("Fleet", "Running")
    if line.state == STOPPED:
        return translate("Fleet", "STOPPED")
    if line.state == IDLE:
        return translate("Fleet", "No order")
    if line.state == OFFLINE:
        return translate("Fleet", "OFFLINE")
    return translate("Fleet", "UNKNOWN")


def reason_text(reason: str) -> str:
    """A reason the model gives, in the station's language where it is a known phrase."""
    known = {
        "the station says it is offline": translate("Fleet", "the station says it is offline"),
        "no health published": translate("Fleet", "no health published"),
    }
    if reason in known:
        return known[reason]
    for prefix, words in (
        ("nothing heard for ", translate("Fleet", "nothing heard for {rest}")),
        ("station ", translate("Fleet", "station {rest}")),
        ("order ", translate("Fleet", "order {rest}")),
        ("last health ", translate("Fleet", "last health {rest}")),
        ("no news from the broker: ", translate("Fleet", "no news from the broker: {rest}")),
    ):
        if reason.startswith(prefix):
            rest = reason[len(prefix) :]
            rest = rest.replace(" offline", " " + translate("Fleet", "offline"))
            rest = rest.replace(" held", " " + translate("Fleet", "held"))
            return words.format(rest=rest)
    return reason


def age_text(seconds: float | None) -> str:
    """``12 s ago``, ``5 min ago``, ``3 h ago``; ``never`` without a message."""
    if seconds is None:
        return translate("Fleet", "never")
    if seconds < 90:
        return translate("Fleet", "{n} s ago").format(n=round(seconds))
    if seconds < 90 * 60:
        return translate("Fleet", "{n} min ago").format(n=round(seconds / 60))
    return translate("Fleet", "{n} h ago").format(n=round(seconds / 3600))


def clock_text(epoch: float | None) -> str:
    return "—" if epoch is None else time.strftime("%H:%M:%S", time.localtime(epoch))


def pieces(value: float | None) -> str:
    return NO_NUMBER if value is None else format_number(round(value), None)


def percent(ratio: float | None) -> str:
    """A ratio as a whole percentage; "—" where there is none."""
    return NO_NUMBER if ratio is None else f"{ratio * 100:.0f} %"


def figures_text(line: LineState, oee: bool = True) -> str:
    """Good, scrap (and OEE) in one short row."""
    order: Any = line.order
    parts = []
    if order is not None:
        parts.append(translate("Fleet", "Good {n}").format(n=pieces(order.good)))
        parts.append(translate("Fleet", "Scrap {n}").format(n=pieces(order.scrap)))
    if oee and line.oee is not None:
        parts.append(translate("Fleet", "OEE {n}").format(n=percent(line.oee)))
    return "  ".join(parts)


def alarm_badge(line: LineState) -> str:
    """The most urgent priority, and how many are active when more than one: ``P1 ×3``."""
    priority = line.highest_priority
    if priority is None:
        return ""
    count = line.active_alarms
    return f"P{priority}" if count == 1 else f"P{priority} ×{count}"


def tooltip_text(line: LineState) -> str:
    """A tile's words in full: name and topic, state and why, what cannot be read, the
    devices in trouble, the running order."""
    rows = [f"{line.title}  ({line.key})"]
    state = state_text(line)
    rows.append(f"{state}: {reason_text(line.reason)}" if line.reason else state)
    rows += [f"? {topic}: {why}" for topic, why in line.problems.items()]
    rows += [f"⚠ {name}: {why}" for name, why in line.device_problems.items()]
    if line.order is not None:
        rows.append(f"{line.order.number}  {line.order.product}".strip())
        rows.append(figures_text(line))
    return "\n".join(rows)
