"""What ``hmi check`` reports about a Modbus device and its tags.

Each problem points at the line of the setting to fix (``port``, ``address``, ``type``),
not at the start of the device or tag, so a long entry needs no searching.
"""

from __future__ import annotations

from hmi.core.project.models import DeviceConfig, Problem, Source, TagConfig

from .address import AddressError, resolve_point
from .options import ModbusOptions, OptionsError, parse_options


def device_problems(device: DeviceConfig) -> list[Problem]:
    try:
        parse_options(device.options)
    except OptionsError as exc:
        label = f"device '{device.name}'"
        return [Problem(device.source_of(p.key), f"{label}: {p}") for p in exc.problems]
    return []


def tag_problems(device: DeviceConfig, tag: TagConfig) -> list[Problem]:
    try:
        options = parse_options(device.options)
    except OptionsError:
        options = ModbusOptions(host="-")  # the device's own problems are reported apart
    try:
        point = resolve_point(tag, options.byte_order, options.word_order)
    except AddressError as exc:
        return [Problem(_setting_source(tag, exc.key), f"tag '{tag.name}': {exc}")]
    if tag.writable and not point.area.writable:
        message = (
            f"tag '{tag.name}' is writable but '{tag.address}' is "
            f"{point.area.label}, which is read-only"
        )
        return [Problem(tag.source_of("writable"), message)]
    return []


def _setting_source(tag: TagConfig, key: str) -> Source:
    """The line of the setting to fix; a type left unwritten clashes at the address."""
    if key == "type" and key not in tag.field_sources:
        key = "address"
    return tag.source_of(key)
