"""Plug-ins through entry points, with a static fallback: drivers here, capabilities too.

The built-in ones load the same way as third-party ones. Where package metadata is
missing (a frozen build), the static list stands in. One that fails to import is
reported once and skipped; the others still load.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from .driver import Driver
from .project.models import Problem, Project
from .store import Step

log = logging.getLogger(__name__)

GROUP = "hmi.drivers"
BUILTIN = {
    "modbus": "drivers.modbus:ModbusDriver",
    "opcua": "drivers.opcua:OpcUaDriver",
    "mqtt": "drivers.mqtt:MqttDriver",
    "simulator": "drivers.simulator:SimulatorDriver",
}


@dataclass
class DriverRegistry:
    drivers: dict[str, type[Driver]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # protocol -> why it did not load

    def get(self, protocol: str) -> type[Driver] | None:
        return self.drivers.get(protocol)

    def schemas(self) -> dict[str, Sequence[Step]]:
        """Every installed driver's store components and steps (``Driver.schemas``)."""
        found: dict[str, Sequence[Step]] = {}
        for cls in self.drivers.values():
            found.update(cls.schemas())
        return found

    def describe_missing(self, protocol: str) -> str:
        if protocol in self.errors:
            return f"driver '{protocol}' failed to load: {self.errors[protocol]}"
        known = ", ".join(sorted(self.drivers)) or "none"
        return f"unknown protocol '{protocol}' (installed drivers: {known})"


def load_targets(
    group: str,
    builtin: Mapping[str, str],
    base: type,
    targets: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Import ``targets`` (name -> 'module:Class'; default: the ``group`` entry points plus
    ``builtin``), each a subclass of ``base``; returns what loaded and why the rest did not."""
    if targets is None:
        targets = {ep.name: ep.value for ep in entry_points(group=group)}
        for name, target in builtin.items():
            targets.setdefault(name, target)
    loaded: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, target in sorted(targets.items()):
        try:
            module_name, _, attr = target.partition(":")
            obj = getattr(importlib.import_module(module_name), attr)
            if not (isinstance(obj, type) and issubclass(obj, base) and obj is not base):
                raise TypeError(f"{target} is not a {base.__name__} subclass")
            loaded[name] = obj
        except Exception as exc:
            errors[name] = f"{type(exc).__name__}: {exc}"
            log.error("%s '%s' (%s) failed to load and is skipped: %s", group, name, target, exc)
    return loaded, errors


def discover(targets: dict[str, str] | None = None) -> DriverRegistry:
    """Load drivers from ``targets`` (protocol -> 'module:Class') or the installed entry points."""
    loaded, errors = load_targets(GROUP, BUILTIN, Driver, targets)
    return DriverRegistry(loaded, errors)


@cache
def default_registry() -> DriverRegistry:
    return discover()


def driver_problems(project: Project, registry: DriverRegistry | None = None) -> list[Problem]:
    """Protocol-specific problems of a project: each driver checks its devices and tags."""
    registry = registry or default_registry()
    problems: list[Problem] = []
    for device in project.devices.values():
        cls = registry.get(device.protocol)
        if cls is None:
            problems.append(Problem(device.source, registry.describe_missing(device.protocol)))
            continue
        try:
            problems += _labelled(f"device '{device.name}'", cls.validate_device(device))
            for tag in project.device_tags(device.name):
                problems += _labelled(f"tag '{tag.name}'", cls.validate_tag(device, tag))
        except Exception as exc:
            problems.append(
                Problem(device.source, f"{device.protocol} driver could not check it: {exc}")
            )
    return problems


def _labelled(label: str, problems: list[Problem]) -> list[Problem]:
    """Name the device or tag in each message, unless the driver already did."""
    return [
        p if p.message.startswith(label) else Problem(p.source, f"{label}: {p.message}")
        for p in problems
    ]
