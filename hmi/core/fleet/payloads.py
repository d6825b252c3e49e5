"""What a station publishes, read into a ``LineState``: its health, its running order
and each alarm; a payload that cannot be read raises ``ValueError`` with what is wrong,
which the model keeps on the line with the topic it came on."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from .lines import (
    IDLE,
    OFFLINE,
    ORDER_HELD,
    ORDER_RUNNING,
    RUNNING,
    STOPPED,
    Alarm,
    LineState,
    Order,
)


def noted(problems: Mapping[str, str], topic: str, why: str | None) -> Mapping[str, str]:
    """``problems`` with ``topic``'s set to ``why`` (None: read well, so none)."""
    if why is None:
        return {t: w for t, w in problems.items() if t != topic}
    return {**problems, topic: why}


def read_json(payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at character {error.pos})") from None


def _mapping(payload: bytes, example: str) -> Mapping[str, Any]:
    data = read_json(payload)
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object such as {example}, got {type(data).__name__}")
    return data


def _number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{key}: expected a number, got {json.dumps(value)[:40]}")
    return float(value)


def _ratio(value: Any) -> float | None:
    """OEE as 0..1, whether published as a ratio or a percentage, alone or in a mapping
    (``{"oee": ...}``, the running order's ``{"order": ...}``, else the shift's, the day's);
    None if unreadable."""
    if isinstance(value, Mapping):
        value = next((value[k] for k in ("oee", "order", "shift", "day") if k in value), None)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value / 100.0 if value > 1.0 else max(0.0, float(value))


def health(line: LineState, payload: bytes) -> LineState:
    if not payload:  # a station that removed its line
        return replace(line, state=OFFLINE, reason="no health published")
    data = _mapping(payload, '{"online": true, ...}')
    online = data.get("online")
    if not isinstance(online, bool):
        raise ValueError(f"online: expected true or false, got {json.dumps(online)[:40]}")
    devices = data.get("devices") or {}
    if not isinstance(devices, Mapping):
        raise ValueError("devices: expected an object of name: ok or its problem")
    backlog = _number(data, "backlog")
    ts = _number(data, "ts")
    counts = _alarm_counts(data.get("alarms"))
    updated = replace(
        line,
        station=str(data.get("station") or line.station),
        label=str(data.get("name") or line.label),
        version=str(data.get("version") or ""),
        uptime_s=_number(data, "uptime_s"),
        devices={str(k): str(v) for k, v in devices.items()},
        backlog=None if backlog is None else int(backlog),
        oee=_ratio(data.get("oee")),
        alarm_counts=counts,
        published=None if ts is None else ts / 1000.0,
    )
    if not online:
        return replace(updated, state=OFFLINE, reason="the station says it is offline")
    return with_state(updated, data)


def _alarm_counts(value: Any) -> tuple[int, int, int | None] | None:
    """``{"active": n, "unacknowledged": n, "highest_priority": 1..4}`` of a health."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError('alarms: expected {"active": n, "highest_priority": 1..4}')
    active = _number(value, "active") or 0.0
    unacked = _number(value, "unacknowledged") or 0.0
    highest = _number(value, "highest_priority")
    if highest is not None and highest not in (1, 2, 3, 4):
        highest = None if highest == 0 else _wrong_priority(highest)
    return int(active), int(unacked), None if not active or highest is None else int(highest)


def _wrong_priority(value: float) -> int:
    raise ValueError(f"alarms: highest_priority: expected 1 to 4, got {value:g}")


def with_state(line: LineState, health: Mapping[str, Any] | None = None) -> LineState:
    state, reason = _order_state(line, health)
    return replace(line, state=state, reason=reason)


def _order_state(line: LineState, health: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """State and reason from what the station says (``state``/``reason`` in its health,
    where it publishes them), else from its running order."""
    if health is not None and isinstance(health.get("state"), str):
        state = health["state"].lower()
        if state in (RUNNING, STOPPED, IDLE):
            return state, str(health.get("reason") or "")
    order = line.order
    if order is None:
        return IDLE, ""
    state = order.state.lower()
    if state in ORDER_RUNNING:
        return RUNNING, ""
    if state in ORDER_HELD:
        return STOPPED, f"order {order.number} held"
    return IDLE, ""


def order(line: LineState, payload: bytes) -> LineState:
    if not payload:
        return replace(line, order=None)
    data = _mapping(payload, '{"number": "A-1", "state": "running", ...}')
    number = data.get("number")
    if number is None or isinstance(number, bool | Mapping | list):
        raise ValueError("number: expected the order's number")
    order = Order(
        str(number),
        str(data.get("product") or ""),
        str(data.get("state") or ""),
        _number(data, "good"),
        _number(data, "scrap"),
        _number(data, "target"),
    )
    return replace(line, order=order)


def alarm(line: LineState, name: str, payload: bytes) -> LineState:
    alarms = dict(line.alarms)
    if not payload:
        alarms.pop(name, None)
        return replace(line, alarms=alarms)
    data = _mapping(payload, '{"active": true, "priority": 2, ...}')
    priority = _number(data, "priority")
    if priority is None or not 1 <= priority <= 4 or not float(priority).is_integer():
        raise ValueError(f"alarms/{name}: priority: expected 1 to 4")
    alarms[name] = Alarm(
        bool(data.get("active")),
        bool(data.get("acknowledged")),
        int(priority),
        str(data.get("message") or ""),
    )
    return replace(line, alarms=alarms)
