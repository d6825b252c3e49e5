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
  forward:                  # central history stores the points are copied to (postgres.py)
    central: {kind: postgres, host: db.plant.local, database: plant, user: linea,
              password: {secret: plant_db}}
```

A tag's policy is the default, then every matching pattern in the order written, then
its exact entry, each overriding the fields it gives. Swinging door needs a number: a
bool or string tag matched only by a pattern or the default stores every change instead.

A system tag a capability declares for the project (``_sys.vision.press_cam.defect_rate``)
is recorded only when named, or matched by a pattern that starts with ``_sys.``: the
default alone never records the application's own values.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

from ..capability import project_system_tags
from ..project.fields import Fields
from ..project.limits import HISTORY_INTERVAL, HISTORY_MAX_INTERVAL, RETENTION
from ..project.models import DataType, Problem, Project, Section, TagConfig
from ..project.problems import internal_fault
from ..systemtags import SYSTEM_PREFIX, capability_tag
from ..words import describe_value, did_you_mean
from .postgres import ForwardTarget, read_forward


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
    forward: tuple[ForwardTarget, ...] = ()  # central stores the points are copied to

    def retention_of(self, tag: str) -> float | None:
        policy = self.policies.get(tag)
        return policy.retention if policy is not None else self.default_retention


POLICY_FIELDS = ("mode", "deviation", "max_interval", "interval", "retention")
SECTION_FIELDS = ("default", "tags", "forward")
SPANS = {"interval": HISTORY_INTERVAL, "max_interval": HISTORY_MAX_INTERVAL, "retention": RETENTION}
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
        reader.top.problem(None, internal_fault("the historian section", error))
        config = HistorianConfig()
    return config, sorted(reader.problems, key=lambda p: p.source.line)


def _named(name: str, keys: list[str]) -> bool:
    """Whether ``name`` is one of ``keys`` or matches one that is a pattern."""
    return any(k == name or (is_pattern(k) and fnmatch.fnmatchcase(name, k)) for k in keys)


def _written(data: Any, key: str) -> bool:
    """Whether ``key`` was written in ``data``, even with a value that was refused."""
    return isinstance(data, Mapping) and key in data


class _ConfigReader:
    def __init__(self, project: Project, section: Section):
        self.project = project
        self.section = section
        self.problems: list[Problem] = []
        data = section.data if isinstance(section.data, Mapping) else {}
        file, line = section.source.file, section.source.line
        self.top = Fields(self.problems.append, data, file, line, "historian")
        self.system = project_system_tags(project)

    def read(self) -> HistorianConfig:
        data = self.section.data
        if data is None:
            return HistorianConfig()
        if not isinstance(data, Mapping):
            self.top.problem(None, f"expected default: and tags:, got {describe_value(data)}")
            return HistorianConfig()
        top = self.top
        for key in data:
            if key in POLICY_FIELDS:
                top.problem(
                    key,
                    f"unknown field '{key}'; put '{key}' under 'default:' to apply it to every tag",
                )
        top.unknown_keys(SECTION_FIELDS + POLICY_FIELDS)
        default = self.entry(top, "default") or {}
        base = self.apply(TagPolicy(), default)
        if base.mode is Mode.INTERVAL and not _written(data.get("default"), "interval"):
            self.inside(top, "default").problem(
                "mode", "mode interval needs an interval, e.g. interval: 10s"
            )
        entries = self.tag_entries(base)
        policies: dict[str, TagPolicy] = {}
        named = [k for k, _ in entries if k.startswith(SYSTEM_PREFIX)]
        system = [t for n, t in self.system.tags.items() if _named(n, named)]
        for tag in [*self.project.tags.values(), *system]:
            policy = self.resolve(tag, base, entries)
            if policy.mode is not Mode.OFF:
                policies[tag.name] = policy
        forward = read_forward(top, Path(self.project.root))
        return HistorianConfig(policies, base.retention, forward)

    def tag_entries(self, base: TagPolicy) -> list[tuple[str, dict[str, Any]]]:
        tags = self.top.get("tags")
        if tags is None:
            return []
        if not isinstance(tags, Mapping):
            self.top.wrong(
                "tags",
                "tag names or patterns with their policy, e.g. 'line1.billet_temp: "
                "{mode: swinging_door, deviation: 0.5}'",
            )
            return []
        listed = self.inside(self.top, "tags")
        entries = []
        for key in tags:
            name = str(key).strip()
            values = self.entry(listed, key)
            if values is None or not self.known(listed, key, name):
                continue
            self.check_against_tags(listed, key, name, values, self.apply(base, values))
            entries.append((name, values))
        return entries

    def known(self, listed: Fields, key: Any, name: str) -> bool:
        tags = self.project.tags
        if is_pattern(name):
            if any(fnmatch.fnmatchcase(tag, name) for tag in tags) or (
                name.startswith(SYSTEM_PREFIX)
                and any(fnmatch.fnmatchcase(tag, name) for tag in self.system.tags)
            ):
                return True
            listed.problem(key, f"pattern '{name}' matches no tag; check the spelling or remove it")
            return False
        if name in tags or name in self.system.tags:
            return True
        if capability_tag(name):
            listed.problem(key, self.system.refusal(name))
            return False
        hint = did_you_mean(name, tags, "tags", listed=0)
        listed.unknown(
            key, f"unknown tag '{name}'; {hint}", self.project.missing_tag_explained(name)
        )
        return False

    def check_against_tags(
        self, listed: Fields, key: Any, name: str, values: dict[str, Any], policy: TagPolicy
    ) -> None:
        entry = self.inside(listed, key)
        if (
            policy.mode is Mode.INTERVAL
            and policy.interval is None
            and "interval" not in entry.data
        ):
            listed.problem(
                key, f"'{name}' has mode interval but no interval; add e.g. interval: 10s"
            )
        if "interval" in values and policy.mode is not Mode.INTERVAL:
            entry.problem(
                "interval",
                f"interval is used only with mode: interval ('{name}' has mode "
                f"{policy.mode.value}); did you mean max_interval?",
            )
        tag = self.project.tags.get(name) or self.system.get(name)
        if tag is None or tag.data_type.numeric:
            return
        kind = tag.data_type.value
        if values.get("mode") == Mode.SWINGING_DOOR:
            entry.problem(
                "mode",
                f"'{name}' is a {kind} tag; swinging_door needs a number; use mode: exception "
                "(stores every change)",
            )
        if "deviation" in values:
            entry.problem("deviation", f"deviation is only for numeric tags ('{name}' is {kind})")

    @staticmethod
    def inside(parent: Fields, key: Any) -> Fields:
        """What is written under ``key``; a problem in it without a key of its own is
        reported at ``key``."""
        value = parent.data.get(key)
        return parent.nested(key, value if isinstance(value, Mapping) else {}, parent.label)

    def entry(self, parent: Fields, key: Any) -> dict[str, Any] | None:
        """The valid fields of the policy under ``key`` (a mapping or a bare mode)."""
        value = parent.data.get(key)
        if value is None:
            return {}
        if isinstance(value, str) or value is False:
            mode = self.mode(parent, key)
            return None if mode is None else {"mode": mode}
        if not isinstance(value, Mapping):
            parent.problem(
                key,
                "expected a policy such as {mode: swinging_door, deviation: 0.5} or a mode, "
                f"got {describe_value(value)}",
            )
            return None
        policy = self.inside(parent, key)
        policy.unknown_keys(POLICY_FIELDS)
        values: dict[str, Any] = {}
        if "mode" in value and (mode := self.mode(policy, "mode")) is not None:
            values["mode"] = mode
        deviation = policy.not_negative("deviation", "a number in the tag's engineering units")
        if deviation is not None:
            values["deviation"] = deviation
        for span in SPANS:
            if span in value:
                values.update(self.span(policy, span))
        return values

    def mode(self, fields: Fields, key: Any) -> Mode | None:
        value = fields.data.get(key)
        if value is False:  # YAML reads a bare `off` as false
            return Mode.OFF
        text = str(value).strip().lower()
        try:
            return Mode(text)
        except ValueError:
            hint = did_you_mean(text, [m.value for m in Mode], "modes")
            fields.problem(key, f"mode '{value}' unknown; {hint}")
            return None

    def span(self, policy: Fields, key: str) -> dict[str, float | None]:
        value = policy.data.get(key)
        if key == "retention" and isinstance(value, str) and value.strip().lower() in FOREVER:
            return {key: None}
        seconds = policy.duration(key)
        if seconds is None:
            return {}
        if (reason := SPANS[key].problem(seconds, value)) is not None:
            policy.problem(key, f"{key} {reason}")
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
