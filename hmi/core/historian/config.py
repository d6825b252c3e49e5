"""The ``historian:`` section of a project: which tags are recorded, and how.

```yaml
historian:
  default:                  # applies to every tag; all optional
    mode: off               # exception | swinging_door | interval | off
    deviation: 0            # engineering units; also the exception deadband
    max_interval: 10m       # longest time between two stored points
    interval: 10s           # the period of mode: interval
    retention: 90d          # how long history is kept (forever if not given)
  tags:                     # exact tag names or glob patterns such as line1.*
    line1.billet_temp: {mode: swinging_door, deviation: 0.5}
    "line1.cmd_*": off      # a mode alone is enough
```

A tag's policy is the default, then every matching pattern in the order written, then
its exact entry, each overriding the fields it gives. Swinging door needs a number: a
bool or string tag matched only by a pattern or the default stores every change instead.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any

from ..project.durations import parse_duration
from ..project.loader import Section
from ..project.models import DataType, Problem, Project, Source, TagConfig
from ..words import describe_value, did_you_mean


class Mode(StrEnum):
    EXCEPTION = "exception"
    SWINGING_DOOR = "swinging_door"
    INTERVAL = "interval"
    OFF = "off"


class Kind(IntEnum):
    """What a tag's values are, as kept with its history."""

    NUMBER = 0
    BOOL = 1
    TEXT = 2

    @classmethod
    def of(cls, data_type: DataType) -> Kind:
        if data_type is DataType.BOOL:
            return cls.BOOL
        return cls.TEXT if data_type is DataType.STRING else cls.NUMBER


@dataclass(frozen=True, slots=True)
class TagPolicy:
    """How one tag is recorded. Times are in seconds; None means no limit."""

    mode: Mode = Mode.OFF
    deviation: float = 0.0
    max_interval: float | None = 600.0
    interval: float | None = None
    retention: float | None = None
    kind: Kind = Kind.NUMBER


@dataclass(frozen=True)
class HistorianConfig:
    """Per-tag policies of the recorded tags, and the retention of everything else."""

    policies: dict[str, TagPolicy] = field(default_factory=dict)
    default_retention: float | None = None

    def retention_of(self, tag: str) -> float | None:
        policy = self.policies.get(tag)
        return policy.retention if policy is not None else self.default_retention


POLICY_FIELDS = ("mode", "deviation", "max_interval", "interval", "retention")
SECTION_FIELDS = ("default", "tags")
# the shortest value of each time field, as written in messages, and a typical one
_SHORTEST = {
    "interval": (0.1, "100ms", "10s"),
    "max_interval": (1.0, "1s", "10m"),
    "retention": (3600.0, "1h", "90d"),
}
FOREVER = ("forever", "never", "none")
PATTERN_CHARS = "*?["


def is_pattern(key: str) -> bool:
    return any(char in key for char in PATTERN_CHARS)


def historian_problems(project: Project) -> list[Problem]:
    """Every problem of the ``historian:`` section, for ``hmi check``."""
    return read_config(project)[1]


def read_config(project: Project) -> tuple[HistorianConfig, list[Problem]]:
    """The policies of ``project`` and the problems found; a faulty entry is left out."""
    section = project.extra.get("historian")
    if section is None:
        return HistorianConfig(), []
    if not isinstance(section, Section):
        section = Section("historian", section, project.source)
    reader = _ConfigReader(project, section)
    try:
        config = reader.read()
    except Exception as error:  # never a traceback for a project file
        reader.report(
            (),
            f"could not read the historian section: unexpected {type(error).__name__}: {error}",
        )
        config = HistorianConfig()
    return config, sorted(reader.problems, key=lambda p: p.source.line)


def _written(data: Any, key: str) -> bool:
    """Whether ``key`` was written in ``data``, even with a value that was refused."""
    return isinstance(data, Mapping) and key in data


class _ConfigReader:
    def __init__(self, project: Project, section: Section):
        self.project = project
        self.section = section
        self.problems: list[Problem] = []

    def report(self, path: tuple, message: str) -> None:
        source: Source = self.section.source_at(*path)
        self.problems.append(Problem(source, f"historian: {message}"))

    def read(self) -> HistorianConfig:
        data = self.section.data
        if data is None:
            return HistorianConfig()
        if not isinstance(data, Mapping):
            self.report((), f"expected default: and tags:, got {describe_value(data)}")
            return HistorianConfig()
        for key in data:
            if key in SECTION_FIELDS:
                continue
            if key in POLICY_FIELDS:
                hint = f"put '{key}' under 'default:' to apply it to every tag"
            else:
                hint = did_you_mean(str(key), SECTION_FIELDS, "fields")
            self.report((key,), f"unknown field '{key}'; {hint}")
        default = self.entry(data.get("default"), ("default",)) or {}
        base = self.apply(TagPolicy(), default)
        if base.mode is Mode.INTERVAL and not _written(data.get("default"), "interval"):
            self.report(("default", "mode"), "mode interval needs an interval, e.g. interval: 10s")
        entries = self.tag_entries(data.get("tags"), base)
        policies: dict[str, TagPolicy] = {}
        for tag in self.project.tags.values():
            policy = self.resolve(tag, base, entries)
            if policy.mode is not Mode.OFF:
                policies[tag.name] = policy
        return HistorianConfig(policies, base.retention)

    def tag_entries(self, tags: Any, base: TagPolicy) -> list[tuple[str, dict[str, Any]]]:
        if tags is None:
            return []
        if not isinstance(tags, Mapping):
            self.report(
                ("tags",),
                "tags: expected tag names or patterns with their policy, e.g. 'line1.billet_temp: "
                f"{{mode: swinging_door, deviation: 0.5}}', got {describe_value(tags)}",
            )
            return []
        entries = []
        for key in tags:
            name = str(key).strip()
            path = ("tags", key)
            values = self.entry(tags[key], path)
            if values is None or not self.known(name, path):
                continue
            self.check_against_tags(name, path, tags[key], values, self.apply(base, values))
            entries.append((name, values))
        return entries

    def known(self, name: str, path: tuple) -> bool:
        tags = self.project.tags
        if is_pattern(name):
            if any(fnmatch.fnmatchcase(tag, name) for tag in tags):
                return True
            self.report(path, f"pattern '{name}' matches no tag; check the spelling or remove it")
            return False
        if name in tags:
            return True
        self.report(path, f"unknown tag '{name}'; {did_you_mean(name, tags, 'tags', listed=0)}")
        return False

    def check_against_tags(
        self, name: str, path: tuple, written: Any, values: dict[str, Any], policy: TagPolicy
    ) -> None:
        if (
            policy.mode is Mode.INTERVAL
            and policy.interval is None
            and not _written(written, "interval")
        ):
            self.report(path, f"'{name}' has mode interval but no interval; add e.g. interval: 10s")
        if "interval" in values and policy.mode is not Mode.INTERVAL:
            self.report(
                (*path, "interval"),
                f"interval is used only with mode: interval ('{name}' has mode "
                f"{policy.mode.value}); did you mean max_interval?",
            )
        tag = self.project.tags.get(name)
        if tag is None or tag.data_type.numeric:
            return
        kind = tag.data_type.value
        if values.get("mode") == Mode.SWINGING_DOOR:
            self.report(
                (*path, "mode"),
                f"'{name}' is a {kind} tag; swinging_door needs a number; use mode: exception "
                "(stores every change)",
            )
        if "deviation" in values:
            self.report(
                (*path, "deviation"), f"deviation is only for numeric tags ('{name}' is {kind})"
            )

    def entry(self, value: Any, path: tuple) -> dict[str, Any] | None:
        """The valid fields of one policy mapping (or a bare mode), each checked."""
        if value is None:
            return {}
        if isinstance(value, str) or value is False:
            mode = self.mode(value, path)
            return None if mode is None else {"mode": mode}
        if not isinstance(value, Mapping):
            self.report(
                path,
                "expected a policy such as {mode: swinging_door, deviation: 0.5} or a mode, "
                f"got {describe_value(value)}",
            )
            return None
        values: dict[str, Any] = {}
        for key, item in value.items():
            where = (*path, key)
            if key == "mode":
                mode = self.mode(item, where)
                if mode is not None:
                    values["mode"] = mode
            elif key == "deviation":
                values.update(self.deviation(item, where))
            elif key in ("max_interval", "interval", "retention"):
                values.update(self.span(str(key), item, where))
            else:
                hint = did_you_mean(str(key), POLICY_FIELDS, "fields")
                self.report(where, f"unknown field '{key}'; {hint}")
        return values

    def mode(self, value: Any, path: tuple) -> Mode | None:
        if value is False:  # YAML reads a bare `off` as false
            return Mode.OFF
        text = str(value).strip().lower()
        try:
            return Mode(text)
        except ValueError:
            hint = did_you_mean(text, [m.value for m in Mode], "modes")
            self.report(path, f"mode '{value}' unknown; {hint}")
            return None

    def deviation(self, value: Any, path: tuple) -> dict[str, float]:
        number = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        if number is None or not math.isfinite(number):
            self.report(
                path,
                "deviation: expected a number in the tag's engineering units, "
                f"got {describe_value(value)}",
            )
            return {}
        if number < 0:
            self.report(path, f"deviation {number:g} is negative; use 0 or more")
            return {}
        return {"deviation": number}

    def span(self, key: str, value: Any, path: tuple) -> dict[str, float | None]:
        if key == "retention" and isinstance(value, str) and value.strip().lower() in FOREVER:
            return {key: None}
        try:
            seconds = parse_duration(value)
        except ValueError as error:
            self.report(path, f"{key}: {error}")
            return {}
        lowest, shown, example = _SHORTEST[key]
        if seconds < lowest:
            self.report(path, f"{key} {value} is too short; use {shown} or more, e.g. {example}")
            return {}
        return {key: seconds}

    @staticmethod
    def apply(policy: TagPolicy, values: dict[str, Any]) -> TagPolicy:
        return replace(policy, **values) if values else policy

    def resolve(
        self, tag: TagConfig, base: TagPolicy, entries: list[tuple[str, dict[str, Any]]]
    ) -> TagPolicy:
        policy = base
        exact = None
        for key, values in entries:
            if key == tag.name:
                exact = values
            elif is_pattern(key) and fnmatch.fnmatchcase(tag.name, key):
                policy = self.apply(policy, values)
        if exact is not None:
            policy = self.apply(policy, exact)
        kind = Kind.of(tag.data_type)
        if kind is not Kind.NUMBER:
            mode = Mode.EXCEPTION if policy.mode is Mode.SWINGING_DOOR else policy.mode
            policy = replace(policy, mode=mode, deviation=0.0)
        if policy.mode is Mode.INTERVAL and policy.interval is None:
            policy = replace(policy, mode=Mode.OFF)  # reported where the mode was set
        return replace(policy, kind=kind)
