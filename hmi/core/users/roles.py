"""Roles and what they allow: the permission table the users' policy answers from.

A role grants permissions by name (``alarms.acknowledge``), by pattern (``alarms.*``,
``*``), optionally only on some targets: tag names, tag patterns (``line1.*_sp``) or a
tag group (``group:setpoints``) for ``tags.write``, alarm ids for alarm actions. A role
inherits everything of the roles it names. Five roles are built in, each inheriting the
one before it (the administrator may do everything), so "a supervisor or above" is a
supervisor, an engineer or an administrator; a project may change them and add its own
(``config``).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from ..access import WRITE_TAG
from ..project.models import Source

GROUP_PREFIX = "group:"
ANY = "*"


@dataclass(frozen=True, slots=True)
class Grant:
    """One permission (or pattern of them), on any target (``targets`` None) or only on
    those matching one of ``targets``."""

    permission: str
    targets: tuple[str, ...] | None = None

    def covers(self, permission: str) -> bool:
        return fnmatch.fnmatchcase(permission, self.permission)


@dataclass(frozen=True)
class Role:
    name: str
    title: str
    inherits: tuple[str, ...] = ()
    grants: tuple[Grant, ...] = ()
    builtin: bool = False
    source: Source = field(default_factory=lambda: Source(""))
    inherits_at: Source | None = None  # where ``inherits`` is written, for messages


def _builtin(name: str, title: str, inherits: tuple[str, ...], *names: str) -> Role:
    return Role(name, title, inherits, tuple(Grant(n) for n in names), builtin=True)


# Permissions named here that no installed capability declares simply never match an
# action (orders, downtime and vision arrive with their capabilities).
BUILTIN_ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        _builtin(
            "operator",
            "Operator",
            (),
            "alarms.acknowledge",
            WRITE_TAG,
            "orders.start",
            "orders.hold",
            "downtime.assign",
            "scrap.record",
        ),
        _builtin(
            "shift_lead",
            "Shift lead",
            ("operator",),
            "alarms.shelve",
            "orders.complete",
            "orders.abort",
            "counts.correct",
            "reports.view",
        ),
        _builtin(
            "supervisor",
            "Supervisor",
            ("shift_lead",),
            "alarms.out_of_service",
            "trends.save",
            "reports.*",
            "orders.*",
            "audit.*",
            "mes.*",
            "vision.review",
        ),
        _builtin("engineer", "Engineer", ("supervisor",), "project.change", "vision.*"),
        _builtin("administrator", "Administrator", ("engineer",), ANY),
    )
}


def target_matches(pattern: str, target: str, groups: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether ``target`` is ``pattern``, matches it, or matches a pattern of its group."""
    if pattern.startswith(GROUP_PREFIX):
        members = groups.get(pattern[len(GROUP_PREFIX) :], ())
        return any(fnmatch.fnmatchcase(target, member) for member in members)
    return fnmatch.fnmatchcase(target, pattern)


def split_target(target: str) -> list[str]:
    """The single targets of one action ("a, b" when an action touches several alarms)."""
    return [part.strip() for part in target.split(",") if part.strip()]


@dataclass
class RoleTable:
    """Every role with its grants resolved through inheritance; read-only once built."""

    roles: dict[str, Role] = field(default_factory=lambda: dict(BUILTIN_ROLES))
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def _resolved(self) -> dict[str, tuple[Grant, ...]]:
        return {name: tuple(self._collect(name, set())) for name in self.roles}

    def _collect(self, name: str, seen: set[str]) -> Iterable[Grant]:
        if name in seen or name not in self.roles:  # a cycle is reported by the checks
            return
        seen.add(name)
        role = self.roles[name]
        yield from role.grants
        for parent in role.inherits:
            yield from self._collect(parent, seen)

    def grants_of(self, role: str) -> tuple[Grant, ...]:
        return self._resolved.get(role, ())

    def title(self, role: str) -> str:
        found = self.roles.get(role)
        return found.title if found else role

    def allows(self, role: str, permission: str, target: str = "") -> bool:
        """Whether ``role`` may use ``permission`` on ``target`` (every part of it)."""
        parts = split_target(target)
        for grant in self.grants_of(role):
            if not grant.covers(permission):
                continue
            if grant.targets is None:
                return True
            if parts and all(
                any(target_matches(p, part, self.groups) for p in grant.targets) for part in parts
            ):
                return True
        return False

    def may_at_all(self, role: str, permission: str) -> bool:
        """Whether ``role`` has ``permission`` on some target (to offer the action)."""
        return any(grant.covers(permission) for grant in self.grants_of(role))

    def permissions_of(self, role: str, known: Iterable[str]) -> dict[str, tuple[str, ...] | None]:
        """The ``known`` permissions ``role`` has: name -> None (any target) or the target
        patterns it is limited to; for a users view and ``hmi users list``."""
        out: dict[str, tuple[str, ...] | None] = {}
        for name in known:
            targets: list[str] = []
            for grant in self.grants_of(role):
                if grant.covers(name):
                    if grant.targets is None:
                        out[name] = None
                        break
                    targets.extend(grant.targets)
            else:
                if targets:
                    out[name] = tuple(dict.fromkeys(targets))
        return out

    def at_least(self, role: str, base: str) -> bool:
        """Whether ``role`` is ``base`` or inherits from it (a supervisor "or higher")."""
        todo, seen = [role], set()
        while todo:
            name = todo.pop()
            if name == base:
                return True
            if name in seen or name not in self.roles:
                continue
            seen.add(name)
            todo.extend(self.roles[name].inherits)
        return False

    def digest_text(self) -> str:
        """The table as canonical text, to notice that it changed between two starts."""
        lines = []
        for name in sorted(self.roles):
            role = self.roles[name]
            grants = ";".join(
                g.permission + ("" if g.targets is None else "@" + ",".join(g.targets))
                for g in role.grants
            )
            lines.append(f"{name}|{role.title}|{','.join(role.inherits)}|{grants}")
        for name in sorted(self.groups):
            lines.append(f"group:{name}|{','.join(self.groups[name])}")
        return "\n".join(lines)
