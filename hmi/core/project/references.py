"""What the parts of a project name of each other, checked once every part is read.

A device names its line; a tag names its device, its scan class and the tags its expr
reads, possibly in a file included later. Each unknown name is reported where it was
written, and a tag that names something missing, or reads itself in a loop, is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..words import did_you_mean
from .derived import cycle_problem, dependency_order
from .models import Source
from .yamlsrc import line_of

if TYPE_CHECKING:
    from .reader import ProjectReader


@dataclass(frozen=True, slots=True)
class References:
    """What a tag entry names elsewhere, kept until every device and tag is known."""

    name: str
    source: Source
    data: Mapping
    reads: tuple[str, ...]

    def source_of(self, key: str) -> Source:
        return Source(self.source.file, line_of(self.data, key, self.source.line))


def check_references(reader: ProjectReader) -> None:
    """Report every unknown name and drop what depends on one."""
    check_device_lines(reader)
    found = reader.tags
    for references in found.references:
        if not tag_references_ok(reader, references) and references.name in found.tags:
            del found.tags[references.name]
            found.dependencies.pop(references.name, None)
    _, cycles = dependency_order(found.dependencies)
    for cycle in cycles:
        reader.log.add(cycle_problem(cycle, found.tags))
    for name in {name for cycle in cycles for name in cycle}:
        found.tags.pop(name, None)


def check_device_lines(reader: ProjectReader) -> None:
    for device in list(reader.devices.values()):
        if device.line and device.line not in reader.lines:
            known = (
                f"lines: {', '.join(reader.lines)}"
                if reader.lines
                else "declare it under project: lines:"
            )
            reader.log.report(
                device.source_of("line"),
                f"device '{device.name}': unknown line '{device.line}' ({known})",
            )


def tag_references_ok(reader: ProjectReader, refs: References) -> bool:
    """Check what one tag names elsewhere: its device, scan class and expr inputs."""
    label = f"tag '{refs.name}'"
    ok = True
    report = reader.log.report
    device = _plain_text(refs.data.get("device"))
    if device and "expr" not in refs.data:
        if device not in reader.device_names and not reader.devices_unread:
            known = ", ".join(reader.device_names) or "none are defined"
            report(
                refs.source_of("device"), f"{label}: unknown device '{device}' (devices: {known})"
            )
        ok = device in reader.devices
    scan = _plain_text(refs.data.get("scan"))
    if scan and scan not in reader.scan_classes:
        ok = False
        if scan not in reader.scan_names and not reader.scan_classes_unread:
            hint = did_you_mean(scan, reader.scan_classes, "scan classes")
            report(refs.source_of("scan"), f"{label}: unknown scan class '{scan}'; {hint}")
    for name in refs.reads:
        if name not in reader.tags.declared:
            ok = False
            if reader.tags.incomplete:
                continue  # it may be among the tags that could not be read
            hint = did_you_mean(name, reader.tags.declared, "tags", listed=0)
            report(refs.source_of("expr"), f"{label}: expr reads unknown tag '{name}'; {hint}")
    return ok


def _plain_text(value: Any) -> str:
    """A scalar as stripped text ('' for anything else), for looking names up."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    return ""
