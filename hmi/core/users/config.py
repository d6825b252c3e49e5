"""The ``users:`` section of a project: roles, tag groups, critical actions, sign-in rules.

```yaml
users:
  auto_sign_out: {desk: 30m, touch: 5m}   # after this long without a touch; never: stay
  lockout: {after: 5, delay: 30s, max: 15m}   # failures in a row; the wait doubles each time
  viewing: true               # screens can be watched signed out; every action is refused
  signature_valid: 2m         # how long a signature authorizes the action it was given for
  tag_groups:
    setpoints: ["line1.*_sp", "line2.*_sp"]
  roles:                      # built in: operator, shift_lead, supervisor, engineer,
    operator:                 # administrator; a built-in written here keeps what it
      permissions:            # does not say (title, inherits, permissions)
        - alarms.acknowledge
        - tags.write: [group:setpoints, line1.cmd_*]
    line_tech:
      title: Line technician
      inherits: operator      # or a list of roles
      permissions: [alarms.shelve, trends.save]
  signatures:                 # critical actions: an electronic signature before they run
    - permission: tags.write
      targets: [line1.billet_temp_sp]
      meaning: Recipe setpoint change
      reasons: [Product change, Quality correction]
      second: supervisor      # true: any other user with the permission; a role: that
                              # role or one inheriting from it
```

A permission is one that an installed capability declares (or ``tags.write``), or a
pattern of them (``alarms.*``); targets are tag names, tag patterns or ``group:NAME``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..access import WRITE_TAG
from ..project.fields import Fields
from ..project.limits import DAY, DurationRange, WholeRange
from ..project.models import Problem, Project, Section, Source
from ..project.problems import internal_fault
from ..project.yamlsrc import line_of
from ..words import describe_value, did_you_mean, shorten
from .directory import DirectoryConfig, read_directory
from .roles import BUILTIN_ROLES, GROUP_PREFIX, Grant, Role, RoleTable, split_target, target_matches

PROFILES = ("desk", "touch")
CLI_PROFILE = "cli"  # one command on the command line: never signed out for inactivity
NEVER = ("never", "off", "none")
SECTION_FIELDS = (
    "auto_sign_out",
    "lockout",
    "viewing",
    "signature_valid",
    "tag_groups",
    "roles",
    "signatures",
    "directory",
)
ROLE_FIELDS = ("title", "inherits", "permissions")
RULE_FIELDS = ("permission", "targets", "meaning", "reasons", "second")
LOCKOUT_FIELDS = ("after", "delay", "max")
ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
ROLE_NAME_RULE = "lower-case letters, digits and '_', starting with a letter"

AUTO_SIGN_OUT = DurationRange(10.0, 7 * DAY, "15m")
LOCKOUT_DELAY = DurationRange(1.0, DAY, "30s")
SIGNATURE_VALID = DurationRange(5.0, 3600.0, "2m")
LOCKOUT_AFTER = WholeRange(1, 100)


@dataclass(frozen=True)
class SignatureRule:
    """A critical action: ``permission`` on ``targets`` (None: any) needs a signature."""

    permission: str
    meaning: str
    targets: tuple[str, ...] | None = None
    reasons: tuple[str, ...] = ()
    second: bool = False  # a second person must countersign
    second_role: str | None = None  # ... whose role is this one or inherits from it
    source: Source = field(default_factory=lambda: Source(""))

    def applies(self, permission: str, target: str, groups: Mapping[str, tuple[str, ...]]) -> bool:
        if not Grant(self.permission).covers(permission):
            return False
        if self.targets is None:
            return True
        parts = split_target(target)
        return any(any(target_matches(p, part, groups) for p in self.targets) for part in parts)


@dataclass(frozen=True)
class UsersConfig:
    table: RoleTable = field(default_factory=RoleTable)
    signatures: tuple[SignatureRule, ...] = ()
    # seconds without activity before a profile's session ends; None: never
    auto_sign_out: Mapping[str, float | None] = field(
        default_factory=lambda: {"desk": 1800.0, "touch": 300.0, CLI_PROFILE: None}
    )
    lockout_after: int = 5
    lockout_delay: float = 30.0
    lockout_max: float = 900.0
    viewing: bool = True
    signature_valid: float = 120.0
    directory: DirectoryConfig | None = None  # sign-in against the plant directory

    def signature_rule(self, permission: str, target: str) -> SignatureRule | None:
        for rule in self.signatures:
            if rule.applies(permission, target, self.table.groups):
                return rule
        return None

    def idle_limit(self, profile: str) -> float | None:
        return self.auto_sign_out.get(profile, self.auto_sign_out.get("desk"))


def users_problems(project: Project, known: Collection[str]) -> list[Problem]:
    """Every problem of the ``users:`` section, for ``hmi check``."""
    return read_users(project, known)[1]


def read_users(project: Project, known: Collection[str]) -> tuple[UsersConfig, list[Problem]]:
    """The section as a ``UsersConfig`` (what is wrong left out) and its problems;
    ``known`` are the permission names the installed capabilities declare."""
    section = project.extra.get("users")
    if section is None:
        return UsersConfig(), []
    if not isinstance(section, Section):
        section = Section("users", section, project.source)
    reader = _Reader(project, section, set(known) | {WRITE_TAG})
    try:
        config = reader.read()
    except Exception as error:  # never a traceback for a project file
        reader.top.problem(None, internal_fault("the users section", error))
        config = UsersConfig()
    return config, sorted(reader.problems, key=lambda p: p.source.line)


class _Reader:
    def __init__(self, project: Project, section: Section, known: set[str]):
        self.project = project
        self.section = section
        self.known = known
        self.problems: list[Problem] = []
        data = section.data if isinstance(section.data, Mapping) else {}
        self.top = Fields(
            self.problems.append, data, section.source.file, section.source.line, "users"
        )
        self.groups: dict[str, tuple[str, ...]] = {}

    def read(self) -> UsersConfig:
        data = self.section.data
        if data is None:
            return UsersConfig()
        top = self.top
        if not isinstance(data, Mapping):
            top.problem(None, f"expected a mapping with roles:, got {describe_value(data)}")
            return UsersConfig()
        top.unknown_keys(SECTION_FIELDS)
        config = UsersConfig()
        self.groups = self.tag_groups()
        table = RoleTable(self.roles(), self.groups)
        self.check_inheritance(table)
        lockout = self.lockout(config)
        return replace(
            config,
            table=table,
            signatures=self.signatures(table),
            auto_sign_out=self.auto_sign_out(config),
            viewing=top.flag("viewing", config.viewing),
            signature_valid=top.duration(
                "signature_valid", config.signature_valid, within=SIGNATURE_VALID
            ),
            directory=read_directory(top, table, self.project.root),
            **lockout,
        )

    # -- sign-in rules -------------------------------------------------------------------

    def auto_sign_out(self, config: UsersConfig) -> dict[str, float | None]:
        out = dict(config.auto_sign_out)
        top = self.top
        value = top.get("auto_sign_out")
        if value is None:
            return out
        if not isinstance(value, Mapping):  # one duration for every profile
            limit = self.idle(top, "auto_sign_out")
            if not top.failed:
                out.update(dict.fromkeys(PROFILES, limit))
            return out
        fields = top.child("auto_sign_out", "{desk: 30m, touch: 5m}")
        if fields is None:
            return out
        fields.unknown_keys(PROFILES, "profiles", "profile")
        for profile in PROFILES:
            if fields.get(profile) is not None:
                before = fields.failed
                limit = self.idle(fields, profile)
                if fields.failed == before:
                    out[profile] = limit
        return out

    @staticmethod
    def idle(fields: Fields, key: str) -> float | None:
        value = fields.get(key)
        if isinstance(value, str) and value.strip().lower() in NEVER:
            return None
        return fields.duration(key, within=AUTO_SIGN_OUT)

    def lockout(self, config: UsersConfig) -> dict[str, Any]:
        top = self.top
        if top.get("lockout") is None:
            return {}
        fields = top.child("lockout", "{after: 5, delay: 30s, max: 15m}")
        if fields is None:
            return {}
        fields.unknown_keys(LOCKOUT_FIELDS)
        after = fields.count("after", LOCKOUT_AFTER)
        delay = fields.duration("delay", config.lockout_delay, within=LOCKOUT_DELAY)
        longest = fields.duration("max", max(config.lockout_max, delay), within=LOCKOUT_DELAY)
        if longest < delay:
            fields.problem("max", f"max is shorter than delay; use {delay:g} s or more")
            longest = delay
        return {
            "lockout_after": after or config.lockout_after,
            "lockout_delay": delay,
            "lockout_max": longest,
        }

    # -- tag groups and targets ----------------------------------------------------------

    def tag_groups(self) -> dict[str, tuple[str, ...]]:
        top = self.top
        if top.get("tag_groups") is None:
            return {}
        fields = top.child("tag_groups", "{setpoints: [line1.*_sp]}")
        if fields is None:
            return {}
        groups: dict[str, tuple[str, ...]] = {}
        for name, value in fields.data.items():
            patterns = self.texts(fields, name, value, "tag names or patterns")
            groups[str(name)] = tuple(p for p in patterns if self.tag_pattern(fields, name, p))
        return groups

    def texts(self, fields: Fields, key: Any, value: Any, what: str) -> list[str]:
        """A text or a list of texts; anything else is reported."""
        if isinstance(value, str) and value.strip():
            return [value.strip()]
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, str) and v.strip() for v in value)
        ):
            return [v.strip() for v in value]
        fields.problem(key, f"{key}: expected a list of {what}, got {describe_value(value)}")
        return []

    def tag_pattern(self, fields: Fields, key: Any, pattern: str) -> bool:
        """Whether ``pattern`` names a tag group or matches a tag; reported if not."""
        tags = self.project.tags
        if pattern.startswith(GROUP_PREFIX):
            group = pattern[len(GROUP_PREFIX) :]
            if group in self.groups:
                return True
            hint = did_you_mean(group, self.groups, "tag groups")
            fields.problem(key, f"unknown tag group '{shorten(group)}'; {hint}")
            return False
        if any(c in pattern for c in "*?["):
            if any(target_matches(pattern, name, {}) for name in tags):
                return True
            if not self.project.incomplete:
                fields.problem(key, f"'{shorten(pattern)}' matches no tag")
            return False
        if pattern in tags:
            return True
        fields.unknown(
            key,
            f"unknown tag '{shorten(pattern)}'; {did_you_mean(pattern, tags, 'tags', listed=0)}",
            self.project.missing_tag_explained(pattern),
        )
        return False

    def permission(self, fields: Fields, key: Any, name: str) -> bool:
        """Whether ``name`` is a declared permission or a pattern matching one."""
        if name in self.known:
            return True
        if any(c in name for c in "*?["):
            if any(Grant(name).covers(k) for k in self.known):
                return True
            fields.problem(key, f"permission pattern '{shorten(name)}' matches no permission")
            return False
        hint = did_you_mean(name, sorted(self.known), "permissions", listed=0)
        fields.problem(key, f"unknown permission '{shorten(name)}'; {hint}")
        return False

    # -- roles ---------------------------------------------------------------------------

    def roles(self) -> dict[str, Role]:
        roles = dict(BUILTIN_ROLES)
        top = self.top
        if top.get("roles") is None:
            return roles
        fields = top.child("roles", "{operator: {permissions: [alarms.acknowledge]}}")
        if fields is None:
            return roles
        for name, value in fields.data.items():
            role = self.role(fields, str(name), value, roles.get(str(name)))
            if role is not None:
                roles[role.name] = role
        return roles

    def role(self, parent: Fields, name: str, value: Any, base: Role | None) -> Role | None:
        if not ROLE_NAME.match(name):
            parent.problem(name, f"role name '{shorten(name)}': use {ROLE_NAME_RULE}")
            return None
        source = parent.source(name)
        if isinstance(value, list):  # the shorthand: a list of permissions
            value = {"permissions": value}
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            parent.wrong(name, "a mapping with permissions: (and title:, inherits:)")
            return None
        fields = parent.nested(name, value, f"users: roles: {name}")
        fields.unknown_keys(ROLE_FIELDS)
        title = fields.text("title") or (base.title if base else name.replace("_", " ").title())
        inherits = base.inherits if base else ()
        inherits_at = None
        if fields.get("inherits") is not None:
            inherits = tuple(self.texts(fields, "inherits", fields.get("inherits"), "role names"))
            inherits_at = fields.source("inherits")
        grants = base.grants if base else ()
        if "permissions" in value:
            grants = self.grants(fields, value.get("permissions"))
        builtin = base is not None
        return Role(name, title, inherits, grants, builtin, source, inherits_at)

    def grants(self, fields: Fields, value: Any) -> tuple[Grant, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            fields.wrong("permissions", "a list such as [alarms.acknowledge, tags.write: [a.*]]")
            return ()
        out: list[Grant] = []
        for index, item in enumerate(value):
            line = line_of(value, index, fields.line_of("permissions"))
            entry = Fields(fields.report, {}, fields.file, line, fields.label)
            entry.parent = fields
            if isinstance(item, str) and item.strip():
                if self.permission(entry, None, item.strip()):
                    out.append(Grant(item.strip()))
            elif isinstance(item, Mapping) and len(item) == 1:
                [(name, targets)] = item.items()
                entry = entry.nested(None, item, fields.label)
                name = str(name).strip()
                if not self.permission(entry, name, name):
                    continue
                patterns = self.texts(entry, name, targets, "targets (tags, patterns, group:NAME)")
                if name == WRITE_TAG:
                    patterns = [p for p in patterns if self.tag_pattern(entry, name, p)]
                if patterns:
                    out.append(Grant(name, tuple(patterns)))
            else:
                entry.problem(
                    None,
                    "permissions: expected a permission name, or one name with its targets "
                    f"such as {{tags.write: [line1.*_sp]}}, got {describe_value(item)}",
                )
        return tuple(out)

    def check_inheritance(self, table: RoleTable) -> None:
        roles = table.roles
        for role in roles.values():
            if role.builtin and not role.source.file:
                continue
            at = role.inherits_at or role.source
            where = Fields(self.problems.append, {}, at.file, at.line, "")
            for parent in role.inherits:
                if parent not in roles:
                    hint = did_you_mean(parent, roles, "roles")
                    where.problem(
                        None, f"users: roles: {role.name}: inherits unknown role '{parent}'; {hint}"
                    )
        reported: set[frozenset[str]] = set()
        for name in roles:
            cycle = _cycle_from(name, roles)
            if cycle and frozenset(cycle) not in reported:
                reported.add(frozenset(cycle))
                first = min(cycle, key=lambda n: roles[n].source.line or 1 << 30)
                source = roles[first].source
                chain = " -> ".join([*cycle, cycle[0]])
                where = Fields(self.problems.append, {}, source.file, source.line, "")
                where.problem(None, f"users: roles: inheritance goes round in a circle: {chain}")

    # -- signatures ----------------------------------------------------------------------

    def signatures(self, table: RoleTable) -> tuple[SignatureRule, ...]:
        top = self.top
        value = top.get("signatures")
        if value is None:
            return ()
        if not isinstance(value, list):
            top.wrong("signatures", "a list of {permission:, meaning:, targets:, second:}")
            return ()
        rules = []
        for index, item in enumerate(value):
            line = line_of(value, index, top.line_of("signatures"))
            label = f"users: signatures[{index + 1}]"
            if not isinstance(item, Mapping):
                where = Fields(self.problems.append, {}, top.file, line, label)
                where.problem(
                    None,
                    f"expected a mapping with permission: and meaning:, got {describe_value(item)}",
                )
                continue
            fields = Fields(self.problems.append, item, top.file, line, label)
            rule = self.rule(fields, table)
            if rule is not None:
                rules.append(rule)
        return tuple(rules)

    def rule(self, fields: Fields, table: RoleTable) -> SignatureRule | None:
        fields.unknown_keys(RULE_FIELDS)
        permission = fields.text("permission")
        meaning = fields.text("meaning")
        if permission is None:
            fields.problem(None, "permission: missing; name the action, e.g. tags.write")
        elif not self.permission(fields, "permission", permission):
            permission = None
        if meaning is None:
            fields.problem(
                None,
                "meaning: missing; say what the signature means, e.g. 'Recipe setpoint change'",
            )
        targets: tuple[str, ...] | None = None
        if fields.get("targets") is not None:
            patterns = self.texts(fields, "targets", fields.get("targets"), "targets")
            if permission == WRITE_TAG:
                patterns = [p for p in patterns if self.tag_pattern(fields, "targets", p)]
            targets = tuple(patterns) if patterns else None
            if targets is None:
                return None
        reasons: tuple[str, ...] = ()
        if fields.get("reasons") is not None:
            reasons = tuple(self.texts(fields, "reasons", fields.get("reasons"), "reasons"))
        second, second_role = self.second(fields, table)
        if permission is None or meaning is None or fields.failed:
            return None
        return SignatureRule(
            permission, meaning, targets, reasons, second, second_role, fields.source()
        )

    @staticmethod
    def second(fields: Fields, table: RoleTable) -> tuple[bool, str | None]:
        value = fields.get("second")
        if value is None:
            return False, None
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.strip() in table.roles:
            return True, value.strip()
        if isinstance(value, str):
            hint = did_you_mean(value.strip(), table.roles, "roles")
            fields.problem("second", f"second: unknown role '{shorten(value)}'; {hint}")
        else:
            fields.wrong("second", "true, false or a role name")
        return False, None


def _cycle_from(start: str, roles: Mapping[str, Role]) -> list[str] | None:
    """The roles of an inheritance cycle through ``start``, in order, or None."""
    path: list[str] = []

    def walk(name: str) -> list[str] | None:
        if name == start and path:
            return list(path)
        if name in path or name not in roles:
            return None
        path.append(name)
        for parent in roles[name].inherits:
            found = walk(parent)
            if found:
                return found
        path.pop()
        return None

    return walk(start)
