"""A plain-text picture of the plant for a terminal: device states and tag values."""

from __future__ import annotations

import time

from .driver import DeviceState
from .project.models import Project, TagConfig
from .tags import Quality, TagValue

_MARK = {Quality.GOOD: " ", Quality.UNCERTAIN: "?", Quality.BAD: "!"}


def format_value(tag: TagConfig | None, tv: TagValue | None) -> str:
    if tv is None:
        return "(no value yet)"
    value = tv.value
    if isinstance(value, float):
        decimals = tag.decimals if tag and tag.decimals is not None else 2
        text = f"{value:.{decimals}f}"
    elif value is None:
        text = "—"
    else:
        text = str(value)
    if tag and tag.units:
        text += f" {tag.units}"
    return text


def render(project: Project, values: dict[str, TagValue], states: dict[str, DeviceState]) -> str:
    lines = [f"{project.name} — {time.strftime('%H:%M:%S')}"]
    lines += _health(values)
    for device in project.devices.values():
        st = states.get(device.name)
        status = st.status.value if st else "not started"
        reason = f" ({st.reason})" if st and st.reason else ""
        lines.append(f"  device {device.name:<16} {status}{reason}")
    width = max((len(n) for n in project.tags), default=10)
    for name, tag in project.tags.items():
        tv = values.get(name)
        mark = _MARK[tv.quality] if tv else "?"
        note = f"  [{tv.quality.name.lower()}: {tv.reason}]" if tv and tv.quality else ""
        lines.append(f" {mark} {name:<{width}}  {format_value(tag, tv)}{note}")
    return "\n".join(lines)


def _health(values: dict[str, TagValue]) -> list[str]:
    """Alarm counts and the local store's health, from the system tags."""

    def number(name: str) -> int:
        tv = values.get(name)
        return int(tv.value) if tv is not None and isinstance(tv.value, int | float) else 0

    out = []
    listed = number("_sys.alarms.listed_count")
    if "_sys.alarms.listed_count" in values:
        unacked = number("_sys.alarms.unacked_count")
        top = number("_sys.alarms.highest_priority")
        worst = f", highest priority {top}" if listed and top else ""
        out.append(f"  alarms: {listed} listed, {unacked} unacknowledged{worst}")
    for name, label in (("_sys.store.health", "store"), ("_sys.historian.health", "history")):
        tv = values.get(name)
        if tv is not None and tv.quality is not Quality.GOOD:
            out.append(f"  {label}: {tv.reason}")
    return out
