"""This station's own lines in its fleet, from its own values (``fleet: local: ROOT``):
for a supervisor station that also runs lines, and the demo, whose lines have no broker
to go through. Each line's health, running order and alarm counts are made from the
system tags the station publishes (its devices' states, ``_sys.orders.<line>.*``,
``_sys.alarms.<line>.*``) as the payloads a station publishes, and read by the model as
any other line's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from ..project.models import Project
from ..systemtags import device_status_tag
from ..tags import Quality, TagValue
from .model import FleetModel

ORDER_FIELDS = ("order", "state", "good", "scrap", "target", "oee")
ALARM_FIELDS = ("listed_count", "unacked_count", "highest_priority")


def order_tag(line: str, field: str) -> str:
    return f"_sys.orders.{line}.{field}"


def alarm_tag(line: str, field: str) -> str:
    return f"_sys.alarms.{line}.{field}"


class LocalLines:
    """The project's lines under ``root`` (``enterprise/site/area``) in ``model``."""

    def __init__(
        self,
        model: FleetModel,
        root: str,
        project: Project,
        station: str,
        clock: Callable[[], float] = time.time,
    ):
        self.model, self.root, self.station, self.clock = model, root, station, clock
        self.lines = dict(project.lines)
        self.devices = {
            line: [d for d, config in project.devices.items() if config.line == line]
            for line in self.lines
        }
        self.started = clock()
        self._sent: dict[str, bytes] = {}

    @property
    def tags(self) -> list[str]:
        """The values it reads."""
        names = [order_tag(ln, f) for ln in self.lines for f in ORDER_FIELDS]
        names += [alarm_tag(ln, f) for ln in self.lines for f in ALARM_FIELDS]
        names += [device_status_tag(d) for devices in self.devices.values() for d in devices]
        return names

    def feed(self, values: Mapping[str, TagValue]) -> None:
        """Each line as ``values`` say now; only what changed reaches the model."""
        for line in self.lines:
            self._send(f"{line}/health", self._health(line, values))
            self._send(f"{line}/orders/current", self._order(line, values))

    def _send(self, topic: str, payload: dict[str, Any] | None) -> None:
        body = b"" if payload is None else json.dumps(payload, sort_keys=True).encode()
        if self._sent.get(topic) != body:
            self._sent[topic] = body
            self.model.receive(f"{self.root}/{topic}", body)

    def _health(self, line: str, values: Mapping[str, TagValue]) -> dict[str, Any]:
        devices = {}
        for device in self.devices[line]:
            tv = values.get(device_status_tag(device))
            if tv is None:
                devices[device] = "not started"
            elif tv.quality is Quality.GOOD:
                devices[device] = "ok"
            else:
                devices[device] = tv.reason or str(tv.value)
        oee = _value(values, order_tag(line, "oee"))
        return {
            "online": True,
            "station": self.station,
            "name": self.lines[line],
            "devices": devices,
            "oee": {"oee": oee / 100.0} if isinstance(oee, int | float) and oee > 0 else None,
            "alarms": {
                "active": _value(values, alarm_tag(line, "listed_count")) or 0,
                "unacknowledged": _value(values, alarm_tag(line, "unacked_count")) or 0,
                "highest_priority": _value(values, alarm_tag(line, "highest_priority")) or 0,
            },
        }

    @staticmethod
    def _order(line: str, values: Mapping[str, TagValue]) -> dict[str, Any] | None:
        number = _value(values, order_tag(line, "order"))
        if not number:
            return None
        return {
            "number": str(number),
            "state": _value(values, order_tag(line, "state")) or "",
            "good": _value(values, order_tag(line, "good")),
            "scrap": _value(values, order_tag(line, "scrap")),
            "target": _value(values, order_tag(line, "target")),
        }


def _value(values: Mapping[str, TagValue], tag: str) -> Any:
    tv = values.get(tag)
    return tv.value if tv is not None and tv.quality is not Quality.BAD else None
