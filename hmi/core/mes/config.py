"""The ``mes:`` section of a project: the targets events are forwarded to.

```yaml
mes:
  targets:
    plant_mes:
      kind: http                  # one of TARGET_KINDS
      batch: 200                  # events per send (default: the target's own)
      backoff: {min: 1s, max: 1m, failing_after: 5m}
      enabled: true               # false: kept in the project, sends nothing, holds nothing
      orders: {poll: 30s, lines: [line1]}      # released orders downloaded from it
      url: https://mes.example/api/events      # the kind's own keys, read by its class
  audit_head: {every: 1h, settle: 30s}         # the audit chain's head sent upstream
```

``orders:`` (``true``, or a mapping) makes the target an order source (``orders_in``):
one target at most, of a kind ``ORDER_SOURCES`` names; ``lines`` defaults to every line
of the orders section. ``audit_head`` (on by default, ``false`` to stop it) sends the
audit chain's head every ``every`` and ``settle`` after the chain grew and went quiet.

The common keys are read here; every other key of an entry belongs to the target's class
(``cls.read(name, data, fields, root=<the project's folder>)``), which reports its own
problems at their lines. A kind is imported only when a project names it. Reading never
raises.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..connection import ConnectionPolicy
from ..project.fields import Fields
from ..project.limits import DurationRange, WholeRange
from ..project.models import Problem, Project, Section, Source
from ..project.problems import internal_fault
from ..words import describe_value, did_you_mean
from .target import ORDER_SOURCES, TARGET_KINDS, Target

SECTION_FIELDS = ("targets", "audit_head")
ORDERS_FIELDS = ("poll", "lines")
AUDIT_FIELDS = ("every", "settle")
ORDERS_POLL = DurationRange(1.0, 86400.0, "30s")
AUDIT_EVERY = DurationRange(60.0, 7 * 86400.0, "1h")
AUDIT_SETTLE = DurationRange(0.0, 3600.0, "30s")
BACKOFF_FIELDS = ("min", "max", "failing_after")
BATCH = WholeRange(1, 10_000)
BACKOFF_MIN = DurationRange(0.05, 3600.0, "1s")
BACKOFF_MAX = DurationRange(0.1, 86400.0, "1m")
FAILING_AFTER = DurationRange(0.0, 7 * 86400.0, "5m")
#: failed attempts in a row after which a target is "failing" whatever the time
FAILING_ATTEMPTS = 5
#: waits between attempts; the state's "demotion" is never used (the MES has "failing")
DEFAULT_BACKOFF = ConnectionPolicy(
    reconnect_min=1.0, reconnect_max=60.0, demote_after=2**31, demote_for=60.0
)


@dataclass(frozen=True)
class OrdersIn:
    """A target's ``orders:``: how often its released orders are asked for, for which
    lines (empty: every line of the orders section)."""

    poll: float = 30.0
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditHead:
    """``audit_head:``: the chain's head sent every ``every`` s and ``settle`` s after it
    grew and went quiet."""

    every: float = 3600.0
    settle: float = 30.0


@dataclass(frozen=True)
class TargetConfig:
    """One target as configured; ``make`` builds a fresh instance of its class."""

    name: str
    kind: str
    make: Callable[[], Target]
    batch: int | None = None  # None: the target's own max_batch
    backoff: ConnectionPolicy = DEFAULT_BACKOFF
    failing_after: float = 300.0
    enabled: bool = True
    source: Source = field(default_factory=lambda: Source(""))
    orders: OrdersIn | None = None  # released orders are downloaded from it


@dataclass(frozen=True)
class MesConfig:
    targets: dict[str, TargetConfig] = field(default_factory=dict)
    audit_head: AuditHead | None = AuditHead()

    @property
    def order_source(self) -> TargetConfig | None:
        """The enabled target released orders come from, if any."""
        return next((t for t in self.enabled.values() if t.orders is not None), None)

    @property
    def enabled(self) -> dict[str, TargetConfig]:
        """The targets that send (and hold outbox rows until they took them)."""
        return {n: t for n, t in self.targets.items() if t.enabled}


def target_class(kind: str) -> Any:
    """The class of ``kind`` (imported now); ``ImportError``/``AttributeError`` if broken."""
    module, _, name = TARGET_KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def mes_problems(project: Project) -> list[Problem]:
    return read_mes(project)[1]


def read_mes(project: Project) -> tuple[MesConfig | None, list[Problem]]:
    """The section (None when the project has none) and its problems; never raises."""
    section = project.extra.get("mes")
    if section is None:
        return None, []
    if not isinstance(section, Section):
        section = Section("mes", section, project.source)
    problems: list[Problem] = []
    data = section.data if isinstance(section.data, Mapping) else {}
    top = Fields(problems.append, data, section.source.file, section.source.line, "mes")
    try:
        if not isinstance(section.data, Mapping):
            top.problem(
                None, f"expected a mapping with targets:, got {describe_value(section.data)}"
            )
            config = MesConfig()
        else:
            targets = _targets(top, problems, Path(project.root), project.lines)
            config = MesConfig(targets, _audit_head(top))
            source = config.order_source
            if source is not None and project.extra.get("orders") is None:
                problems.append(
                    Problem(
                        source.source,
                        f"mes: targets: {source.name}: orders: the project has no orders: "
                        "section whose lines could take them",
                    )
                )
    except Exception as error:  # never a traceback for a project file
        top.problem(None, internal_fault("the mes section", error))
        config = MesConfig()
    unique = list(dict.fromkeys(problems))
    return config, sorted(unique, key=lambda p: p.source.line)


def _targets(
    top: Fields, problems: list[Problem], root: Path, lines: Mapping[str, Any]
) -> dict[str, TargetConfig]:
    top.unknown_keys(SECTION_FIELDS)
    if top.get("targets") is None:
        top.problem(
            None,
            "targets: missing; name one, e.g. targets: {plant_mes: {kind: http, url: ...}}",
        )
        return {}
    entries = top.child("targets", "{plant_mes: {kind: http, url: ...}}")
    if entries is None:
        return {}
    targets: dict[str, TargetConfig] = {}
    for name, value in entries.data.items():
        if not isinstance(value, Mapping):
            entries.problem(name, f"{name}: expected a mapping such as {{kind: http, url: ...}}, "
                            f"got {describe_value(value)}")  # fmt: skip
            continue
        entry = entries.nested(name, value, f"mes: targets: {name}")
        target = _target(str(name), entry, problems, root, lines)
        if target is not None:
            targets[str(name)] = target
    sources = [n for n, t in targets.items() if t.orders is not None]
    for name in sources[1:]:
        entries.problem(
            name, f"{name}: orders: come from one target only, and {sources[0]} has them"
        )
    return targets


def _audit_head(top: Fields) -> AuditHead | None:
    value = top.get("audit_head")
    if value is None or value is True:
        return AuditHead()
    if value is False:
        return None
    fields = top.child("audit_head", "{every: 1h, settle: 30s}, or false")
    if fields is None:
        return AuditHead()
    fields.unknown_keys(AUDIT_FIELDS)
    every = fields.duration("every", AuditHead.every, within=AUDIT_EVERY)
    return AuditHead(every, fields.duration("settle", AuditHead.settle, within=AUDIT_SETTLE))


def _orders_in(entry: Fields, kind: str, lines: Mapping[str, Any]) -> OrdersIn | None:
    value = entry.get("orders")
    if value is None or value is False:
        return None
    if kind not in ORDER_SOURCES:
        entry.problem(
            "orders",
            f"orders: a {kind} target cannot release orders here; "
            f"use a target of kind {_either(list(ORDER_SOURCES))}",
        )
        return None
    if value is True:
        return OrdersIn()
    fields = entry.child("orders", "{poll: 30s, lines: [line1]}")
    if fields is None:
        return None
    fields.unknown_keys(ORDERS_FIELDS)
    poll = fields.duration("poll", OrdersIn.poll, within=ORDERS_POLL)
    named = fields.get("lines")
    if named is None:
        return OrdersIn(poll)
    if not isinstance(named, list) or not all(isinstance(n, str) for n in named):
        fields.wrong("lines", "a list of line ids such as [line1, line2]")
        return None
    for line in named:
        if line not in lines:
            hint = did_you_mean(line, lines, "lines")
            fields.problem("lines", f"lines: no line {line!r} in the project; {hint}")
    return OrdersIn(poll, tuple(dict.fromkeys(named)))


def _target(
    name: str, entry: Fields, problems: list[Problem], root: Path, lines: Mapping[str, Any]
) -> TargetConfig | None:
    kind = entry.text("kind")
    if kind is None:
        if "kind" not in entry.data:
            entry.problem(None, f"kind: missing; use one of {', '.join(TARGET_KINDS)}")
        return None
    if kind not in TARGET_KINDS:
        entry.problem(
            "kind", f"kind: unknown kind '{kind}'; " + did_you_mean(kind, TARGET_KINDS, "kinds")
        )
        return None
    batch = entry.count("batch", BATCH)
    enabled = entry.flag("enabled", True)
    orders = _orders_in(entry, kind, lines)
    policy, failing_after = _backoff(entry)
    try:
        cls = target_class(kind)
    except Exception as error:
        entry.problem("kind", f"kind: {kind} cannot be loaded here ({error})")
        return None

    def make() -> Target:
        made, _ = cls.read(name, entry.data, _quiet(entry), root=root)
        if made is None:
            raise ValueError(f"target {name} cannot be built: see hmi check")
        return made

    made, own = cls.read(name, entry.data, entry, root=root)
    problems.extend(own)
    if made is None or entry.failed:
        return None
    return TargetConfig(
        name, kind, make, batch, policy, failing_after, enabled, entry.source(), orders
    )


def _quiet(entry: Fields) -> Fields:
    """The entry read again with its problems dropped (they were reported once)."""
    return Fields(lambda _: None, entry.data, entry.file, entry.line, entry.label)


def _backoff(entry: Fields) -> tuple[ConnectionPolicy, float]:
    default = DEFAULT_BACKOFF
    failing_after = TargetConfig.failing_after
    if entry.get("backoff") is None:
        return default, failing_after
    fields = entry.child("backoff", "{min: 1s, max: 1m, failing_after: 5m}")
    if fields is None:
        return default, failing_after
    fields.unknown_keys(BACKOFF_FIELDS)
    low = fields.duration("min", default.reconnect_min, within=BACKOFF_MIN)
    high = fields.duration("max", default.reconnect_max, within=BACKOFF_MAX)
    if low > high:
        fields.problem("min", f"min ({low:g} s) is longer than max ({high:g} s)")
        low = high
    failing_after = fields.duration("failing_after", failing_after, within=FAILING_AFTER)
    return replace(default, reconnect_min=low, reconnect_max=high, demote_for=high), failing_after


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
