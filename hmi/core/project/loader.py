"""Loading and checking a project folder (README "Project format").

``check_project`` reads ``project.yaml`` and the files it includes, checks every section and
collects every problem instead of stopping at the first one: a plant engineer fixes a whole
list in one go. Each problem says ``file:line``, what is wrong and what would be right. Any
unexpected failure while reading becomes a problem too, never a traceback.

Addresses and protocol options are not checked here: the drivers know their syntax and are
asked through the ``validators`` callable that ``hmi check`` passes in.
"""

from __future__ import annotations

import difflib
import keyword
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..expr import FUNCTIONS, ExprError, compile_expr
from ..words import did_you_mean, parse_flag
from .csvtags import read_csv_tags
from .derived import cycle_problem, dependency_order, derived_order
from .durations import parse_duration
from .models import (
    DEFAULT_SCAN_CLASSES,
    DataType,
    DeviceConfig,
    Problem,
    Project,
    ProjectError,
    Scaling,
    ScanClass,
    Source,
    TagConfig,
)
from .yamlsrc import (
    YamlSyntaxError,
    YList,
    YMap,
    find_duplicates,
    line_of,
    read_yaml_file,
    to_plain,
)

__all__ = ["Section", "Validator", "check_project", "derived_order", "load_project"]

PROJECT_FILE = "project.yaml"
SECTIONS = ("project", "scan_classes", "devices", "include", "tags")
LATER_SECTIONS = (
    "screens",
    "alarms",
    "trends",
    "orders",
    "vision",
    "mes",
    "users",
    "historian",
    "ui",
)
PROJECT_FIELDS = ("name", "lines")
DEVICE_FIELDS = ("protocol", "line", "description", "enabled")
TAG_FIELDS = (
    "name",
    "device",
    "address",
    "type",
    "units",
    "range",
    "scale",
    "deadband",
    "scan",
    "writable",
    "decimals",
    "description",
    "expr",
    "length",
    "byte_order",
    "word_order",
)
SCALE_FIELDS = ("raw", "eng")
ORDER_OPTIONS = ("byte_order", "word_order")
ORDERS = ("big", "little")
TAG_FILE_SUFFIXES = (".yaml", ".yml")
MAX_DECIMALS = 15

Validator = Callable[[Project], list[Problem]]


@dataclass(frozen=True)
class Section:
    """A section this loader does not interpret (alarms, screens, ...), kept with its lines."""

    name: str
    data: Any
    source: Source

    def source_at(self, *path: Any) -> Source:
        """Where a nested key or list index was written, e.g. ``source_at(2, "tag")``."""
        node, line = self.data, self.source.line
        for key in path:
            line = line_of(node, key, 0) or line
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
        return Source(self.source.file, line)


def load_project(path: str | os.PathLike[str]) -> Project:
    """The project at ``path`` (folder or project.yaml); ``ProjectError`` lists every problem."""
    project, problems = check_project(path)
    if problems or project is None:
        raise ProjectError(problems)
    return project


def check_project(
    path: str | os.PathLike[str], validators: Validator | None = None
) -> tuple[Project | None, list[Problem]]:
    """Every problem of the project at ``path``, and the project as far as it could be built.

    The project is None only when ``project.yaml`` itself cannot be read. ``validators`` adds
    protocol-specific problems (addresses, device options); it sees only the tags and devices
    that passed the checks here.
    """
    reader = _ProjectReader()
    try:
        project = reader.read(Path(path))
    except Exception as error:
        reader.unexpected(Source(str(path)), "the project", error)
        project = None
    if project is not None and validators is not None:
        try:
            reader.problems.extend(validators(project))
        except Exception as error:
            reader.unexpected(project.source, "the protocol checks", error)
    return project, reader.sorted_problems()


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, Mapping | list):
        shown = repr(to_plain(value))
        if len(shown) <= 40:
            return shown
        return "a mapping" if isinstance(value, Mapping) else "a list"
    return repr(value)


def _name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a tag name (it must be usable in expressions), or None."""
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        return (
            f"tag name '{name}' is not valid; use letters, digits and '_' in dot-separated "
            "parts that do not start with a digit, e.g. line1.ram_speed"
        )
    for part in parts:
        if keyword.iskeyword(part):
            return f"tag name '{name}' is not valid: '{part}' is a reserved word; rename that part"
        if part.startswith("__"):
            return f"tag name '{name}' is not valid: a part may not start with '__'"
    if name in FUNCTIONS:
        return f"tag name '{name}' is the name of a function in expressions; choose another"
    return None


class _Fields:
    """Typed access to one mapping's values; each wrong value becomes a problem."""

    def __init__(self, reader: _ProjectReader, data: Mapping, file: str, line: int, label: str):
        self.reader = reader
        self.data = data
        self.file = file
        self.line = line
        self.label = label
        self.failed = False

    def line_of(self, key: str) -> int:
        return line_of(self.data, key, self.line) or self.line

    def sources(self) -> dict[str, Source]:
        return {str(key): Source(self.file, self.line_of(key)) for key in self.data}

    def problem(self, key: str | None, message: str) -> None:
        self.failed = True
        line = self.line if key is None else self.line_of(key)
        self.reader.report(Source(self.file, line), f"{self.label}: {message}")

    def get(self, key: str) -> Any:
        value = self.data.get(key)
        return None if value == "" else value

    def unknown_keys(self, known: tuple[str, ...], noun: str = "fields") -> None:
        for key in self.data:
            if key not in known:
                self.problem(key, f"unknown field '{key}'; {did_you_mean(str(key), known, noun)}")

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.problem(key, f"{key}: expected text, got {_describe(value)}")
        return None

    def number(self, key: str) -> float | None:
        value = self.get(key)
        if value is None:
            return None
        number = _as_number(value)
        if number is None:
            self.problem(key, f"{key}: expected a number, got {_describe(value)}")
        return number

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key)
        if value is None:
            return default
        flag = parse_flag(value)
        if flag is not None:
            return flag
        self.problem(key, f"{key}: expected true or false, got {_describe(value)}")
        return default

    def whole(self, key: str, lowest: int, highest: int, meaning: str) -> int | None:
        value = self.get(key)
        if value is None:
            return None
        number = _as_number(value)
        if number is None or not number.is_integer() or not lowest <= number <= highest:
            self.problem(key, f"{key}: expected {meaning}, got {_describe(value)}")
            return None
        return int(number)

    def pair(self, key: str) -> tuple[float, float] | None:
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, list | tuple) and len(value) == 2:
            lo, hi = _as_number(value[0]), _as_number(value[1])
            if lo is not None and hi is not None:
                return lo, hi
        self.problem(key, f"{key}: expected two numbers [lo, hi], got {_describe(value)}")
        return None

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        if value.lower() in choices:
            return value.lower()
        self.problem(key, f"{key}: expected {' or '.join(choices)}, got {_describe(value)}")
        return None


def _plain_text(value: Any) -> str:
    """A scalar as stripped text ('' for anything else), for looking names up."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value).strip()
    return ""


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if not isinstance(value, int | float | str):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


class _ProjectReader:
    """One pass over a project: parse every file, then check what refers to what."""

    def __init__(self) -> None:
        self.root = Path(".")
        self.main_file = PROJECT_FILE
        self.problems: list[Problem] = []
        self.file_order: dict[str, int] = {}
        self.included: dict[Path, Source] = {}
        self.devices: dict[str, DeviceConfig] = {}
        self.device_names: dict[str, Source] = {}
        self.scan_classes: dict[str, ScanClass] = dict(DEFAULT_SCAN_CLASSES)
        self.lines: dict[str, str] = {}
        self.name = ""
        self.extra: dict[str, Section] = {}
        self.tags: dict[str, TagConfig] = {}
        self.declared: dict[str, Source] = {}  # every tag name seen, valid or not
        self.dependencies: dict[str, tuple[str, ...]] = {}
        self.device_entries: dict[str, Mapping] = {}  # where each device field was written
        self.references: list[_References] = []

    # -- reporting ---------------------------------------------------------------

    def report(self, source: Source, message: str) -> None:
        self.problems.append(Problem(source, message))

    def unexpected(self, source: Source, what: str, error: Exception) -> None:
        self.report(
            source,
            f"could not read {what}: unexpected {type(error).__name__}: {error} "
            "(a fault in Linea HMI; the rest was checked)",
        )

    def sorted_problems(self) -> list[Problem]:
        last = len(self.file_order)
        return sorted(
            self.problems,
            key=lambda p: (self.file_order.get(p.source.file, last), p.source.line),
        )

    def relative(self, path: Path) -> str:
        """The name of a file in problems; also fixes the order problems are listed in."""
        name = self.relative_name(path)
        self.file_order.setdefault(name, len(self.file_order))
        return name

    def relative_name(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.root).replace(os.sep, "/")
        except ValueError:  # another drive on Windows
            return str(path)

    # -- files -------------------------------------------------------------------

    def locate(self, path: Path) -> Path | None:
        if path.is_dir():
            for name in (PROJECT_FILE, "project.yml"):
                if (path / name).is_file():
                    return path / name
            self.report(Source(str(path)), f"no {PROJECT_FILE} in this folder; create one")
            return None
        if path.is_file():
            return path
        self.report(
            Source(str(path)), f"{path} does not exist; give a project folder or its {PROJECT_FILE}"
        )
        return None

    def read_yaml(self, path: Path, file: str) -> tuple[bool, Any]:
        try:
            data = read_yaml_file(path)
        except YamlSyntaxError as error:
            self.report(Source(file, error.line), error.message)
            return False, None
        except OSError as error:
            self.report(Source(file), f"cannot read the file: {error.strerror or error}")
            return False, None
        for duplicate in find_duplicates(data):
            self.report_duplicate(
                file, duplicate.path, duplicate.key, duplicate.line, duplicate.first_line
            )
        return True, data

    def report_duplicate(
        self, file: str, path: tuple, key: Any, line: int, first_line: int
    ) -> None:
        if path == ("devices",) and file == self.main_file:
            message = f"duplicate device '{key}'; the first one is at line {first_line}"
        else:
            where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
            inside = f" in {where.lstrip('.')}" if where else ""
            message = (
                f"'{key}' is written twice{inside} (first at line {first_line}); "
                "only the last would count, remove one"
            )
        self.report(Source(file, line), message)

    def read(self, path: Path) -> Project | None:
        main = self.locate(path)
        if main is None:
            return None
        self.root = main.parent.absolute()
        self.main_file = self.relative(main)
        ok, data = self.read_yaml(main, self.main_file)
        if not ok:
            return None
        self.name = self.root.resolve().name
        if data is None:
            data = YMap(1)
        if not isinstance(data, Mapping):
            self.report(
                Source(self.main_file, line_of(data, None, 1)),
                f"{PROJECT_FILE} must be a mapping of sections ({', '.join(SECTIONS)}), "
                f"got {_describe(data)}",
            )
            return None
        self.read_sections(data, self.main_file)
        self.check_references()
        return Project(
            name=self.name,
            root=str(self.root),
            devices=self.devices,
            tags=self.tags,
            scan_classes=self.scan_classes,
            lines=self.lines,
            extra=dict(self.extra),
            source=Source(self.main_file),
        )

    def read_sections(self, data: Mapping, file: str) -> None:
        readers: dict[str, Callable[[Any, str, int], None]] = {
            "project": self.read_project_section,
            "scan_classes": self.read_scan_classes,
            "devices": self.read_devices,
            "include": self.read_includes,
            "tags": self.read_tag_list,
        }
        for key, value in data.items():
            line = line_of(data, key, 1)
            if key in readers:
                self.guarded(
                    Source(file, line), f"section '{key}'", readers[key], value, file, line
                )
            elif key in LATER_SECTIONS:
                self.extra[key] = Section(key, value, Source(file, line))
            else:
                hint = did_you_mean(str(key), SECTIONS + LATER_SECTIONS, "sections")
                self.report(Source(file, line), f"unknown section '{key}'; {hint}")

    def guarded(self, source: Source, what: str, read: Callable[..., Any], *args: Any) -> Any:
        try:
            return read(*args)
        except Exception as error:
            self.unexpected(source, what, error)
            return None

    # -- sections ------------------------------------------------------------------

    def expect_mapping(self, value: Any, file: str, line: int, what: str) -> bool:
        if isinstance(value, Mapping):
            return True
        self.report(Source(file, line), f"{what}: expected a mapping, got {_describe(value)}")
        return False

    def read_project_section(self, value: Any, file: str, line: int) -> None:
        if value is None or not self.expect_mapping(value, file, line, "project"):
            return
        fields = _Fields(self, value, file, line, "project")
        fields.unknown_keys(PROJECT_FIELDS)
        self.name = fields.text("name") or self.name
        lines = value.get("lines")
        if lines is None:
            return
        lines_line = fields.line_of("lines")
        if not isinstance(lines, Mapping):
            self.report(
                Source(file, lines_line),
                f"project: lines: expected a mapping of line id -> display name "
                f"(line1: Line 1 - Press), got {_describe(lines)}",
            )
            return
        for line_id, display in lines.items():
            self.lines[str(line_id)] = str(line_id) if display is None else str(display)

    def read_scan_classes(self, value: Any, file: str, line: int) -> None:
        if value is None or not self.expect_mapping(value, file, line, "scan_classes"):
            return
        for name, period in value.items():
            source = Source(file, line_of(value, name, line))
            try:
                seconds = parse_duration(period)
            except ValueError as error:
                self.report(source, f"scan class '{name}': {error}")
                continue
            if seconds <= 0:
                self.report(source, f"scan class '{name}': the period must be above 0, e.g. 100ms")
                continue
            self.scan_classes[str(name)] = ScanClass(str(name), seconds)

    def read_devices(self, value: Any, file: str, line: int) -> None:
        if value is None:
            return
        if not isinstance(value, Mapping):
            self.report(
                Source(file, line),
                f"devices: expected a mapping of device name -> settings, got {_describe(value)}",
            )
            return
        for name, settings in value.items():
            source = Source(file, line_of(value, name, line))
            self.device_names.setdefault(str(name), source)
            self.guarded(source, f"device '{name}'", self.read_device, str(name), settings, source)

    def read_device(self, name: str, settings: Any, source: Source) -> None:
        label = f"device '{name}'"
        if not isinstance(settings, Mapping):
            self.report(
                source,
                f"{label}: expected settings such as 'protocol: modbus', got {_describe(settings)}",
            )
            return
        fields = _Fields(self, settings, source.file, source.line, label)
        protocol = fields.text("protocol")
        if protocol is None and not fields.failed:
            near = difflib.get_close_matches("protocol", [str(key) for key in settings], n=1)
            hint = f"; is '{near[0]}' a misspelling?" if near else ""
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
            self.device_entries[name] = settings

    def read_includes(self, value: Any, file: str, line: int) -> None:
        if value is None:
            return
        if isinstance(value, str):
            value = YList([value], line, [line])
        if not isinstance(value, list):
            self.report(
                Source(file, line),
                "include: expected a list of tag files (- tags/press.yaml), "
                f"got {_describe(value)}",
            )
            return
        for index, item in enumerate(value):
            source = Source(file, line_of(value, index, line))
            if not isinstance(item, str) or not item.strip():
                self.report(source, f"include: expected a file name, got {_describe(item)}")
                continue
            for path in self.include_paths(item.strip(), source):
                self.guarded(source, f"include '{item}'", self.read_included_file, path, source)

    def include_paths(self, pattern: str, source: Source) -> list[Path]:
        if any(char in pattern for char in "*?["):
            paths = sorted(path for path in self.root.glob(pattern) if path.is_file())
            if not paths:
                self.report(source, f"include '{pattern}' matches no file")
            return paths
        path = self.root / pattern
        if path.is_file():
            return [path]
        folder = path.parent
        nearby = (
            [entry.name for entry in folder.iterdir() if entry.is_file()] if folder.is_dir() else []
        )
        close = difflib.get_close_matches(path.name, nearby, n=1)
        hint = f"; did you mean '{self.relative_name(folder / close[0])}'?" if close else ""
        self.report(source, f"include file '{pattern}' not found{hint}")
        return []

    def read_included_file(self, path: Path, source: Source) -> None:
        resolved = path.resolve()
        if resolved == (self.root / self.main_file).resolve():
            self.report(source, f"a project cannot include its own {self.main_file}")
            return
        if resolved in self.included:
            first = self.included[resolved]
            self.report(source, f"'{self.relative_name(path)}' is already included at {first}")
            return
        self.included[resolved] = source
        file = self.relative(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            self.read_csv_file(path, file)
        elif suffix in TAG_FILE_SUFFIXES:
            self.read_tag_file(path, file)
        else:
            self.report(source, f"include '{file}': use a .yaml, .yml or .csv tag file")

    def read_csv_file(self, path: Path, file: str) -> None:
        try:
            rows, problems = read_csv_tags(path, file)
        except OSError as error:
            self.report(Source(file), f"cannot read the file: {error.strerror or error}")
            return
        self.problems.extend(problems)
        for row in rows:
            self.guarded(row.source, "this row", self.read_tag, row.fields, row.source)

    def read_tag_file(self, path: Path, file: str) -> None:
        ok, data = self.read_yaml(path, file)
        if not ok or data is None:
            return
        if not isinstance(data, Mapping):
            self.report(
                Source(file, line_of(data, None, 1)),
                f"a tag file must start with 'tags:' followed by the list of tags, "
                f"got {_describe(data)}",
            )
            return
        for key, value in data.items():
            line = line_of(data, key, 1)
            if key == "tags":
                self.read_tag_list(value, file, line)
            else:
                hint = did_you_mean(str(key), ("tags",), "sections")
                self.report(Source(file, line), f"unknown section '{key}' in a tag file; {hint}")

    def read_tag_list(self, value: Any, file: str, line: int) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.report(
                Source(file, line),
                f"tags: expected a list of tags (- name: ...), got {_describe(value)}",
            )
            return
        for index, item in enumerate(value):
            source = Source(file, line_of(value, index, line))
            self.guarded(source, f"tag #{index + 1}", self.read_tag, item, source)

    # -- tags ------------------------------------------------------------------------

    def read_tag(self, data: Any, source: Source) -> None:
        if not isinstance(data, Mapping):
            self.report(
                source,
                f"a tag must be a mapping such as 'name: line1.speed', got {_describe(data)}",
            )
            return
        fields = _Fields(self, data, source.file, source.line, "tag")
        name = fields.text("name")
        if not name:
            if not fields.failed:
                fields.problem(None, "a tag needs a name, e.g. 'name: line1.speed'")
            return
        name = name.strip()
        fields.label = f"tag '{name}'"
        if name in self.declared:
            fields.problem("name", f"duplicate tag name; the first one is at {self.declared[name]}")
            return
        self.declared[name] = source
        if (reason := _name_problem(name)) is not None:
            fields.problem("name", reason)
        fields.unknown_keys(TAG_FIELDS)
        tag = _TagBuilder(fields, name, source).build()
        reads = self.expression_names(fields)
        self.references.append(_References(name, source, data, reads))
        if tag is not None and not fields.failed:
            self.tags[name] = tag
            if tag.expr is not None:
                self.dependencies[name] = reads

    def expression_names(self, fields: _Fields) -> tuple[str, ...]:
        """The tags an expr reads, or () if it has none or does not compile (then reported)."""
        text = fields.get("expr")
        if not isinstance(text, str):
            return ()
        try:
            return tuple(sorted(compile_expr(text).names))
        except ExprError as error:
            fields.problem("expr", f"expr: {error}")
            return ()

    # -- references between parts ------------------------------------------------------

    def check_references(self) -> None:
        for device in list(self.devices.values()):
            entry = self.device_entries.get(device.name)
            if device.line and device.line not in self.lines:
                known = (
                    f"lines: {', '.join(self.lines)}"
                    if self.lines
                    else "declare it under project: lines:"
                )
                self.report(
                    Source(device.source.file, line_of(entry, "line", device.source.line)),
                    f"device '{device.name}': unknown line '{device.line}' ({known})",
                )
        for references in self.references:
            if not self.references_ok(references) and references.name in self.tags:
                del self.tags[references.name]
                self.dependencies.pop(references.name, None)
        _, cycles = dependency_order(self.dependencies)
        for cycle in cycles:
            self.problems.append(cycle_problem(cycle, self.tags))
        for name in {name for cycle in cycles for name in cycle}:
            self.tags.pop(name, None)

    def references_ok(self, refs: _References) -> bool:
        """Check what one tag names elsewhere: its device, scan class and expr inputs."""
        label = f"tag '{refs.name}'"
        ok = True
        device = _plain_text(refs.data.get("device"))
        if device and "expr" not in refs.data:
            if device not in self.device_names:
                known = ", ".join(self.device_names) or "none are defined"
                self.report(
                    refs.source_of("device"),
                    f"{label}: unknown device '{device}' (devices: {known})",
                )
            ok = device in self.devices
        scan = _plain_text(refs.data.get("scan"))
        if scan and scan not in self.scan_classes:
            ok = False
            hint = did_you_mean(scan, self.scan_classes, "scan classes")
            self.report(refs.source_of("scan"), f"{label}: unknown scan class '{scan}'; {hint}")
        for name in refs.reads:
            if name not in self.declared:
                ok = False
                hint = did_you_mean(name, self.declared, "tags", listed=0)
                self.report(
                    refs.source_of("expr"), f"{label}: expr reads unknown tag '{name}'; {hint}"
                )
        return ok


@dataclass(frozen=True, slots=True)
class _References:
    """What a tag entry names elsewhere, kept until every device and tag is known."""

    name: str
    source: Source
    data: Mapping
    reads: tuple[str, ...]

    def source_of(self, key: str) -> Source:
        return Source(self.source.file, line_of(self.data, key, self.source.line))


class _TagBuilder:
    """Turns one tag entry into a TagConfig, reporting each wrong field on its own line."""

    def __init__(self, fields: _Fields, name: str, source: Source):
        self.fields = fields
        self.name = name
        self.source = source

    def build(self) -> TagConfig | None:
        fields = self.fields
        data_type = self.data_type()
        expr = fields.text("expr")
        device = fields.text("device")
        address = fields.text("address")
        if expr is not None:
            self.check_derived(device, address)
        elif device is None:
            if not fields.failed:
                fields.problem(
                    None,
                    "give a device and an address (a device tag) or an expr (a derived tag)",
                )
        elif address is None and "address" not in fields.data:
            fields.problem(None, f"device tag needs an address on device '{device}'")
        elif address is None:
            fields.problem("address", "device tag needs an address; the address is empty")
        eng_range = self.eng_range(data_type)
        scaling = self.scaling(data_type, eng_range, derived=expr is not None)
        deadband = self.deadband(data_type)
        length = self.length(data_type, derived=expr is not None)
        decimals = fields.whole("decimals", 0, MAX_DECIMALS, f"a whole number 0..{MAX_DECIMALS}")
        if decimals is not None and data_type is not None and not data_type.numeric:
            fields.problem(
                "decimals", f"decimals is only for numeric tags (type is {data_type.value})"
            )
        scan = fields.text("scan") or "normal"
        writable = fields.flag("writable", False)
        if writable and expr is not None:
            fields.problem("writable", "a derived tag cannot be writable; remove 'writable'")
        options = {key: value for key in ORDER_OPTIONS if (value := fields.choice(key, ORDERS))}
        if fields.failed or data_type is None:
            return None
        return TagConfig(
            name=self.name,
            data_type=data_type,
            device=None if expr is not None else device,
            address=address or "",
            expr=expr,
            units=fields.text("units") or "",
            description=fields.text("description") or "",
            eng_range=eng_range,
            scaling=scaling,
            deadband=deadband,
            scan_class=scan.strip(),
            writable=writable,
            decimals=decimals,
            length=length,
            options=options,
            source=self.source,
            field_sources=fields.sources(),
        )

    def data_type(self) -> DataType | None:
        value = self.fields.get("type")
        if value is None:
            return DataType.FLOAT32
        names = [member.value for member in DataType]
        if isinstance(value, str):
            try:
                return DataType(value.strip().lower())
            except ValueError:
                pass
        close = difflib.get_close_matches(str(value).lower(), names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        self.fields.problem("type", f"type '{value}' unknown; {hint}use one of {', '.join(names)}")
        return None

    def check_derived(self, device: str | None, address: str | None) -> None:
        if device is not None:
            self.fields.problem(
                "device", "a derived tag (with expr) has no device; remove 'device' or 'expr'"
            )
        if address is not None:
            self.fields.problem(
                "address", "address given for a derived tag; remove it (expr computes the value)"
            )

    def numeric_only(self, key: str, data_type: DataType | None) -> bool:
        if data_type is not None and not data_type.numeric and self.fields.get(key) is not None:
            self.fields.problem(key, f"{key} is only for numeric tags (type is {data_type.value})")
            return False
        return True

    def eng_range(self, data_type: DataType | None) -> tuple[float, float] | None:
        if not self.numeric_only("range", data_type):
            return None
        pair = self.fields.pair("range")
        if pair is not None and pair[0] >= pair[1]:
            self.fields.problem(
                "range", f"range [{pair[0]:g}, {pair[1]:g}]: lo must be below hi, e.g. [0, 600]"
            )
            return None
        return pair

    def scaling(
        self, data_type: DataType | None, eng_range: tuple[float, float] | None, derived: bool
    ) -> Scaling | None:
        fields = self.fields
        value = fields.get("scale")
        if value is None or not self.numeric_only("scale", data_type):
            return None
        if derived:
            fields.problem("scale", "scale is for device tags; a derived tag computes its value")
            return None
        if not isinstance(value, Mapping):
            fields.problem(
                "scale",
                f"scale: expected {{raw: [lo, hi], eng: [lo, hi]}}, got {_describe(value)}",
            )
            return None
        scale = _Fields(fields.reader, value, fields.file, fields.line_of("scale"), fields.label)
        scale.unknown_keys(SCALE_FIELDS, "scale fields")
        raw = scale.pair("raw")
        eng = scale.pair("eng") or eng_range
        if raw is None and not scale.failed:
            scale.problem(None, "scale needs raw: [lo, hi], the device's range")
        if eng is None and "eng" not in value and "range" not in fields.data:
            scale.problem(None, "scale needs eng: [lo, hi] or a tag range to map raw onto")
        for key, pair in (("raw", raw), ("eng", eng)):
            if pair is not None and pair[0] == pair[1]:
                scale.problem(
                    key if key in value else None,
                    f"scale {key} lo and hi are both {pair[0]:g}; they must differ",
                )
        if scale.failed:
            fields.failed = True
            return None
        if raw is None or eng is None:
            return None
        return Scaling(raw[0], raw[1], eng[0], eng[1])

    def deadband(self, data_type: DataType | None) -> float:
        if not self.numeric_only("deadband", data_type):
            return 0.0
        deadband = self.fields.number("deadband")
        if deadband is not None and deadband < 0:
            self.fields.problem("deadband", f"deadband {deadband:g} is negative; use 0 or more")
            return 0.0
        return deadband or 0.0

    def length(self, data_type: DataType | None, derived: bool) -> int:
        length = self.fields.whole("length", 1, 65535, "a whole number of characters, 1 or more")
        if data_type is DataType.STRING:
            if length is None and not derived and "length" not in self.fields.data:
                self.fields.problem(
                    None, "a string tag needs its length in characters, e.g. 'length: 20'"
                )
            return length or 0
        if length is not None and data_type is not None:
            self.fields.problem(
                "length", f"length is only for string tags (type is {data_type.value})"
            )
        return 0
