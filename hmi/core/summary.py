"""A plain-text picture of the plant for a terminal: device states and tag values."""

from __future__ import annotations

import time
from collections.abc import Iterable

from .driver import DeviceState
from .project.models import Project, TagConfig
from .systemtags import STORE_HEALTH
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


def render(
    project: Project,
    values: dict[str, TagValue],
    states: dict[str, DeviceState],
    notes: Iterable[str] = (),
) -> str:
    """The summary; ``notes`` are lines the capabilities add (alarm counts, ...)."""
    lines = [f"{project.name} — {time.strftime('%H:%M:%S')}"]
    store = values.get(STORE_HEALTH)
    if store is not None and store.quality is not Quality.GOOD:
        lines.append(f"  store: {store.reason}")
    lines += [f"  {note}" for note in notes]
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
