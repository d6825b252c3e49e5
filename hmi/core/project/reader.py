"""One pass over a project folder: project.yaml, its sections, then what refers to what.

The sections read here are those every project has (project, scan_classes, devices,
include, tags). Other sections (alarms, screens, ...) are kept as ``Section`` objects with
their lines, for the part of the application that understands them to check later.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..words import closest, describe_value, did_you_mean, shorten
from .fields import Fields
from .includes import IncludeReader
from .limits import SCAN_PERIOD
from .models import (
    DEFAULT_SCAN_CLASSES,
    DeviceConfig,
    Project,
    ScanClass,
    Section,
    Source,
)
from .problems import ProblemLog, cannot_read
from .references import check_references
from .tags import TagReader
from .yamlsrc import YMap, line_of, to_plain

PROJECT_FILE = "project.yaml"
SECTIONS = ("project", "scan_classes", "devices", "include", "tags")
LATER_SECTIONS = (
    "screens",
    "alarms",
    "trends",
    "orders",
    "vision",
    "mes",
    "fleet",
    "users",
    "historian",
    "ui",
    "enums",
)
PROJECT_FIELDS = ("name", "lines")
DEVICE_FIELDS = ("protocol", "line", "description", "enabled")


class ProjectReader:
    """Reads one project; ``log`` holds every problem found on the way."""

    def __init__(self, sections: Iterable[str] = ()) -> None:
        self.log = ProblemLog()
        self.later = tuple(dict.fromkeys((*LATER_SECTIONS, *sections)))
        self.tags = TagReader(self.log)
        self.includes = IncludeReader(self.log, self.tags)
        self.devices: dict[str, DeviceConfig] = {}
        self.device_names: dict[str, Source] = {}  # every device name seen, valid or not
        self.devices_unread = False  # the section is not a mapping
        self.scan_classes: dict[str, ScanClass] = dict(DEFAULT_SCAN_CLASSES)
        self.scan_names: set[str] = set(DEFAULT_SCAN_CLASSES)  # valid or not
        self.scan_classes_unread = False  # the section is not a mapping
        self.lines: dict[str, str] = {}
        self.name = ""
        self.extra: dict[str, Section] = {}

    # -- the project file --------------------------------------------------------------

    def locate(self, path: Path) -> Path | None:
        try:
            if path.is_dir():
                for name in (PROJECT_FILE, "project.yml"):
                    if (path / name).is_file():
                        return path / name
                os.listdir(path)  # a folder that cannot be read says so, not "no project"
                self.log.report(Source(str(path)), f"no {PROJECT_FILE} in this folder; create one")
                return None
            if path.is_file():
                return path
        except PermissionError as error:
            self.log.report(Source(str(path)), cannot_read(f"the folder {error.filename}", error))
            return None
        except (OSError, ValueError):  # a name the system refuses
            pass
        self.log.report(
            Source(str(path)), f"{path} does not exist; give a project folder or its {PROJECT_FILE}"
        )
        return None

    def read(self, path: Path) -> Project | None:
        main = self.locate(path)
        if main is None:
            return None
        self.log.root = main.parent.absolute()
        self.log.main_file = file = self.log.relative(main)
        ok, data = self.log.read_yaml(main, file)
        if not ok:
            return None
        self.name = self.log.root.resolve().name
        if data is None:
            data = YMap(1)
        if not isinstance(data, Mapping):
            self.log.report(
                Source(file, line_of(data, None, 1)),
                f"{PROJECT_FILE} must be a mapping of sections ({', '.join(SECTIONS)}), "
                f"got {describe_value(data)}",
            )
            return None
        self.read_sections(data, file)
        check_references(self)
        return Project(
            name=self.name,
            root=str(self.log.root),
            devices=self.devices,
            tags=self.tags.tags,
            scan_classes=self.scan_classes,
            lines=self.lines,
            extra=dict(self.extra),
            source=Source(file),
            refused_tags=frozenset(self.tags.declared) - frozenset(self.tags.tags),
            refused_devices=frozenset(self.device_names) - frozenset(self.devices),
            incomplete=tuple(self.tags.incomplete),
        )

    def read_sections(self, data: Mapping, file: str) -> None:
        readers: dict[str, Callable[[Any, str, int], None]] = {
            "project": self.read_project_section,
            "scan_classes": self.read_scan_classes,
            "devices": self.read_devices,
            "include": self.includes.read,
            "tags": self.tags.read_list,
        }
        for key, value in data.items():
            line = line_of(data, key, 1)
            if key in readers:
                self.log.guarded(
                    Source(file, line), f"section '{key}'", readers[key], value, file, line
                )
            elif key in self.later:
                self.extra[key] = Section(key, value, Source(file, line))
            else:
                hint = did_you_mean(str(key), SECTIONS + self.later, "sections")
                self.log.report(Source(file, line), f"unknown section '{shorten(key)}'; {hint}")
                if closest(str(key), ("tags", "include")):  # tags may be in it
                    self.tags.incomplete.append(Source(file, line))

    # -- sections ----------------------------------------------------------------------

    def expect_mapping(self, value: Any, file: str, line: int, what: str) -> bool:
        if isinstance(value, Mapping):
            return True
        self.log.wrong(Source(file, line), what, "a mapping", value)
        return False

    def read_project_section(self, value: Any, file: str, line: int) -> None:
        if value is None or not self.expect_mapping(value, file, line, "project"):
            return
        fields = Fields(self.log.add, value, file, line, "project")
        fields.unknown_keys(PROJECT_FIELDS)
        self.name = fields.text("name") or self.name
        lines = value.get("lines")
        if lines is None:
            return
        if not isinstance(lines, Mapping):
            fields.problem(
                "lines",
                "lines: expected a mapping of line id -> display name "
                f"(line1: Line 1 - Press), got {describe_value(lines)}",
            )
            return
        for line_id, display in lines.items():
            self.lines[str(line_id)] = str(line_id) if display is None else str(display)

    def read_scan_classes(self, value: Any, file: str, line: int) -> None:
        if value is None:
            return
        if not self.expect_mapping(value, file, line, "scan_classes"):
            self.scan_classes_unread = True
            return
        for name, period in value.items():
            source = Source(file, line_of(value, name, line))
            self.scan_names.add(str(name))
            try:
                seconds = SCAN_PERIOD.parse(period)
            except ValueError as error:
                self.scan_classes.pop(str(name), None)  # a refused default is not kept either
                self.log.report(source, f"scan class '{name}': {error}")
                continue
            self.scan_classes[str(name)] = ScanClass(str(name), seconds)

    def read_devices(self, value: Any, file: str, line: int) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            expected = "a mapping of device name -> settings"
            self.log.wrong(Source(file, line), "devices", expected, value)
            self.devices_unread = True
            return
        for name, settings in value.items():
            source = Source(file, line_of(value, name, line))
            self.device_names.setdefault(str(name), source)
            self.log.guarded(
                source, f"device '{name}'", self.read_device, str(name), settings, source
            )

    def read_device(self, name: str, settings: Any, source: Source) -> None:
        label = f"device '{name}'"
        if not isinstance(settings, Mapping):
            self.log.wrong(source, label, "settings such as 'protocol: modbus'", settings)
            return
        fields = Fields(self.log.add, settings, source.file, source.line, label)
        protocol = fields.text("protocol")
        if protocol is None and not fields.failed:
            near = closest("protocol", settings)
            hint = f"; is '{near}' a misspelling?" if near else ""
            fields.problem(None, f"protocol is missing, e.g. 'protocol: modbus'{hint}")
        device = DeviceConfig(
            name=name,
            protocol=protocol or "",
            options={
                str(key): to_plain(option)
                for key, option in settings.items()
                if key not in DEVICE_FIELDS
            },
            line=fields.text("line") or "",
            description=fields.text("description") or "",
            enabled=fields.flag("enabled", True),
            source=source,
            field_sources=fields.sources(),
        )
        if not fields.failed:
            self.devices[name] = device
