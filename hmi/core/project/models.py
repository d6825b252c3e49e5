"""Typed models of a project. Everything carries its Source so errors can say file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .yamlsrc import line_of


@dataclass(frozen=True, slots=True)
class Source:
    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


MAX_MESSAGE = 500  # characters; what a wrong file quotes back is cut before this anyway


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a project, phrased for the plant engineer who must fix it: one
    line, of a readable length, whatever the file it quotes holds."""

    source: Source
    message: str

    def __post_init__(self) -> None:
        message = " ".join(self.message.splitlines())
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        if message != self.message:
            object.__setattr__(self, "message", message)

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(frozen=True)
class Section:
    """A section the project reader does not interpret (alarms, screens, ...), kept with
    its lines so the part that reads it later can still say ``file:line``."""

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


class ProjectError(Exception):
    """Raised with every problem found, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class DataType(StrEnum):
    BOOL = "bool"
    INT16 = "int16"
    UINT16 = "uint16"
    INT32 = "int32"
    UINT32 = "uint32"
    INT64 = "int64"
    UINT64 = "uint64"
    FLOAT32 = "float32"
    FLOAT64 = "float64"
    STRING = "string"

    @property
    def numeric(self) -> bool:
        return self not in (DataType.BOOL, DataType.STRING)

    @property
    def integer(self) -> bool:
        return self.numeric and not self.value.startswith("float")


@dataclass(frozen=True, slots=True)
class Scaling:
    """Linear raw -> engineering conversion: eng = eng_lo + (raw - raw_lo) * span ratio."""

    raw_lo: float
    raw_hi: float
    eng_lo: float
    eng_hi: float

    @property
    def gain(self) -> float:
        return (self.eng_hi - self.eng_lo) / (self.raw_hi - self.raw_lo)

    def to_eng(self, raw: float) -> float:
        return self.eng_lo + (raw - self.raw_lo) * self.gain

    def to_raw(self, eng: float) -> float:
        return self.raw_lo + (eng - self.eng_lo) / self.gain


@dataclass(frozen=True, slots=True)
class ScanClass:
    name: str
    period: float  # seconds


@dataclass(frozen=True)
class DeviceConfig:
    """A PLC or server. ``options`` are protocol-specific; the driver validates them."""

    name: str
    protocol: str
    options: dict[str, Any] = field(default_factory=dict)
    line: str = ""
    description: str = ""
    enabled: bool = True
    source: Source = Source("")
    field_sources: dict[str, Source] = field(default_factory=dict, compare=False, repr=False)

    def source_of(self, key: str) -> Source:
        """Where one setting is written, so a problem with it points at its own line."""
        return self.field_sources.get(key, self.source)


@dataclass(frozen=True)
class TagConfig:
    """A tag. A device tag has ``device`` and ``address``; a derived tag has ``expr``.

    ``options`` holds protocol-specific per-tag settings (e.g. byte/word order overrides).
    ``eng_range`` is the engineering range: writes outside it are refused.
    """

    name: str
    data_type: DataType = DataType.FLOAT32
    device: str | None = None
    address: str = ""
    expr: str | None = None
    units: str = ""
    description: str = ""
    eng_range: tuple[float, float] | None = None
    scaling: Scaling | None = None
    deadband: float = 0.0
    scan_class: str = "normal"
    writable: bool = False
    decimals: int | None = None
    length: int = 0  # characters, for strings
    options: dict[str, Any] = field(default_factory=dict)
    source: Source = Source("")
    field_sources: dict[str, Source] = field(default_factory=dict, compare=False, repr=False)

    def source_of(self, key: str) -> Source:
        """Where one field is written, so a problem with it points at its own line."""
        return self.field_sources.get(key, self.source)

    @property
    def derived(self) -> bool:
        return self.expr is not None


DEFAULT_SCAN_CLASSES = {
    "fast": ScanClass("fast", 0.1),
    "normal": ScanClass("normal", 1.0),
    "slow": ScanClass("slow", 10.0),
}


@dataclass
class Project:
    """A loaded project. Later sections (screens, alarms, MES, ...) hang off ``extra``."""

    name: str
    root: str
    devices: dict[str, DeviceConfig] = field(default_factory=dict)
    tags: dict[str, TagConfig] = field(default_factory=dict)
    scan_classes: dict[str, ScanClass] = field(default_factory=lambda: dict(DEFAULT_SCAN_CLASSES))
    lines: dict[str, str] = field(default_factory=dict)  # line id -> display name
    extra: dict[str, Any] = field(default_factory=dict)
    source: Source = Source("")
    # Names written but left out for a problem of their own, and the places whose tags
    # could not all be read (a tag file that is not readable, a tag without a name): a
    # reference to a tag missing for one of these reasons is not another problem.
    refused_tags: frozenset[str] = frozenset()
    refused_devices: frozenset[str] = frozenset()
    incomplete: tuple[Source, ...] = ()

    def missing_tag_explained(self, name: str) -> bool:
        """Whether a problem already reported explains why tag ``name`` is not in ``tags``."""
        return name in self.refused_tags or bool(self.incomplete)

    def missing_device_explained(self, name: str) -> bool:
        return name in self.refused_devices

    def device_tags(self, device: str) -> list[TagConfig]:
        return [t for t in self.tags.values() if t.device == device]

    @property
    def derived_tags(self) -> list[TagConfig]:
        return [t for t in self.tags.values() if t.derived]
