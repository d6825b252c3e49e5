"""How a capability (alarms, history, users, orders, vision, MES sync) plugs into Linea.

A capability is a package ``hmi/core/<name>/`` (no Qt) that declares, on one class:

- the sections of the project it reads and the checks ``hmi check`` runs on them;
- the system tags it publishes (its names, defined once in its own package), the
  permissions its actions ask for, the system tag that says whether it works;
- its place in the start/stop order; and builds its service from a ``CapabilityContext``;
- its own commands (``hmi users ...``), options it adds to core commands, and who acts at
  the console (``hmi.core.commands``).

The context gives each one what every capability needs and none should re-invent: tag
subscriptions with a tag filter, delivered on the right thread; the local store's writer;
publication of its own system tags; the permission and audit hooks; the project's
translation of messages. The runtime, the command line and the operator application only
go through this contract, so adding a capability touches its own folders and nothing else.

Capabilities load like drivers: the ``hmi.capabilities`` entry points, with the built-in
list as a fallback where package metadata is missing (a frozen build).
"""

from __future__ import annotations

import concurrent.futures
import logging
import weakref
from collections.abc import Callable, Collection, Coroutine, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from .access import Access
from .i18n import Translator
from .live import LiveTags
from .plugins import load_targets
from .project.models import DataType, Problem, Project, TagConfig
from .store import Step, Writer
from .subscription import Subscription
from .systemtags import STORE_HEALTH, SYSTEM_PREFIX, SystemTags, matches, system_tag
from .tags import Batch, Quality, TagValue, bad, good

if TYPE_CHECKING:
    import argparse

    from .commands import CommandSet

log = logging.getLogger(__name__)
T = TypeVar("T")

GROUP = "hmi.capabilities"
BUILTIN = {
    "historian": "hmi.core.historian.capability:HistorianCapability",
    "alarms": "hmi.core.alarms.capability:AlarmsCapability",
    "audit": "hmi.core.audit.capability:AuditCapability",
    "users": "hmi.core.users.capability:UsersCapability",
    "orders": "hmi.core.orders.capability:OrdersCapability",
    "vision": "hmi.core.vision.capability:VisionCapability",
    "mes": "hmi.core.mes.capability:MesCapability",
    "fleet": "hmi.core.fleet.capability:FleetCapability",
}


class Capability:
    """One capability; subclasses set the class attributes and override what they need."""

    #: the name it is known by (the UI's views for it use the same name)
    name: ClassVar[str]
    #: top-level sections of project.yaml it reads
    sections: ClassVar[tuple[str, ...]] = ()
    #: system tags it publishes: exact names, or prefixes ending in ``*``
    system_tags: ClassVar[tuple[str, ...]] = ()
    #: the system tag that is "ok", or Bad with the reason while it cannot do its work
    health_tag: ClassVar[str | None] = None
    #: permissions its actions ask ``Access`` for: name -> what it allows, for role tables
    permissions: ClassVar[Mapping[str, str]] = {}
    #: lower starts earlier (and stops later); consumers of others' tags start after them
    order: ClassVar[int] = 100
    #: starts for console commands too (``hmi write``, its own): those that decide who
    #: acts or record what is done; the rest need the running station
    at_console: ClassVar[bool] = False

    def __init__(self, context: CapabilityContext):
        self.context = context

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        """Every problem of its sections, each at its ``file:line`` (for ``hmi check``)."""
        return []

    @classmethod
    def schemas(cls) -> Mapping[str, Sequence[Step]]:
        """The store components it keeps and their numbered schema steps (what it passes
        to ``store.migrate``), so the runtime refuses a store from a newer release and
        upgrades an older one under a single copy before any capability starts."""
        return {}

    @classmethod
    def project_tags(cls, project: Project) -> list[TagConfig]:
        """The system tags it publishes for ``project``, typed (``systemtags.system_tag``),
        so an alarm, the history or a trend can take them as it takes a project tag; by
        default its health tag. Names under its ``system_tags`` it lists none of stay
        usable on screens only. Never raises on a faulty section (``check`` reports it)."""
        if cls.health_tag is None:
            return []
        return [system_tag(cls.health_tag, DataType.STRING, description=f"{cls.name} health")]

    @classmethod
    def project_words(cls, project: Project) -> dict[str, set[str]]:
        """The texts of its sections the operator reads, by the context its views look
        them up in: what the project's ``i18n/<code>.yaml`` must translate (``update.py
        --check`` names those without an entry)."""
        return {}

    @property
    def service(self) -> Any:
        """What the rest of the application uses (its views, the command line)."""
        return self

    def start(self) -> None:
        """Start working; called before any driver starts, in ``order``."""

    def before_drivers_stop(self) -> None:
        """Called before the drivers stop: devices going down on purpose are no event."""

    def stop(self, timeout: float = 10.0) -> None:
        """Finish; called after the drivers stopped and before the store stops."""

    # -- the command line (``hmi.core.commands``) --------------------------------------------

    @classmethod
    def add_commands(cls, commands: CommandSet) -> None:
        """Add its own subcommands (``hmi users add ...``): the command line names none."""

    @classmethod
    def add_options(cls, command: str, parser: argparse.ArgumentParser) -> None:
        """Add options to the core ``command`` (users: who writes, for ``write``)."""

    def console_actor(self, action: str, target: str, args: argparse.Namespace) -> str | None:
        """Who does ``action`` on ``target`` from the console (signed in, and signed where
        needed, from ``args``), or None to leave it to others; ``CommandError`` refuses."""
        return None

    def prepare_demo(self) -> list[str]:
        """Make what the demo project needs on its first start; says what it made."""
        return []

    def summary(self) -> list[str]:
        """Lines for the headless live summary: by default, why it is not healthy."""
        tv = self.context.values.get(self.health_tag) if self.health_tag else None
        if tv is not None and tv.quality is not Quality.GOOD:
            return [f"{self.name}: {tv.reason}"]
        return []


class CapabilityContext:
    """What the runtime gives one capability; safe to use from any thread."""

    def __init__(
        self,
        capability: type[Capability],
        project: Project,
        data_dir: Path,
        store: Writer,
        live: LiveTags,
        access: Access,
        translator: Translator,
        submit: Callable[[Coroutine[Any, Any, Any]], concurrent.futures.Future[Any]],
        console: str | None = None,
        write: Callable[[str, Any, str], concurrent.futures.Future[Any]] | None = None,
        services: Callable[[str], Any] | None = None,
    ):
        self.name = capability.name
        #: the OS account of a console command using the capability; None in a station
        self.console = console
        self.project = project
        self.data_dir = data_dir
        self.store = store
        self.access = access
        self.log = logging.getLogger(f"hmi.{capability.name}")
        self._declared = capability.system_tags
        self._live = live
        self._translator = translator
        self._submit = submit
        self._write = write
        self._services = services

    # -- tags ---------------------------------------------------------------------------

    @property
    def values(self) -> Mapping[str, TagValue]:
        return self._live.values

    def subscribe(
        self,
        name: str = "",
        *,
        tags: Collection[str] | None = None,
        on_loop: Callable[[list[Batch]], None] | None = None,
        **options: Any,
    ) -> Subscription:
        """Batches of changed values of ``tags`` (None: all), never blocking the engine.

        Delivered on the capability's own thread through ``wake`` and ``take`` (see
        ``Subscription``), or with ``on_loop`` handed to that callback on the runtime
        loop, for light work that must not wait for a thread.
        """
        name = name or self.name
        if on_loop is not None:
            holder: list[Subscription] = []
            options["wake"] = lambda: self._live.soon(_drain, holder, on_loop)
            sub = self._live.subscribe(name, tags=tags, **options)
            holder.append(sub)
            return sub
        return self._live.subscribe(name, tags=tags, **options)

    def unsubscribe(self, sub: Subscription) -> None:
        self._live.unsubscribe(sub)

    def publish_system(self, batch: Batch) -> None:
        """Publish this capability's system tags (only those it declared)."""
        for tag in batch:
            if not matches(tag, self._declared):
                raise ValueError(
                    f"capability '{self.name}' publishes {tag}, which it does not declare "
                    f"in system_tags (names start with '{SYSTEM_PREFIX}')"
                )
        self._live.publish_system(batch)

    # -- the rest ------------------------------------------------------------------------

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the runtime loop (drivers' I/O, engine writes)."""
        return self._submit(coro)

    def write(self, tag: str, value: Any, user: str) -> concurrent.futures.Future[Any]:
        """Write a tag on behalf of ``user`` as the engine does for a screen (its
        permission and audit hooks included); the Future holds the engine's WriteResult."""
        if self._write is None:
            raise RuntimeError(f"capability '{self.name}' cannot write tags without the engine")
        return self._write(tag, value, user)

    def service(self, name: str) -> Any:
        """The service of capability ``name`` if it started before this one (its ``order``
        is lower), else None: for a capability that builds on another (vision counts on
        the orders, the MES sync forwards their outbox) through that one's public API."""
        return self._services(name) if self._services is not None else None

    def translate(self, text: str, context: str = "") -> str:
        """``text`` in the language the station speaks now (the project's words too)."""
        return self._translator.translate(text, context)


def _drain(holder: list[Subscription], callback: Callable[[list[Batch]], None]) -> None:
    if holder and (batches := holder[0].take()):
        try:
            callback(batches)
        except Exception:
            log.exception("%s: handling a batch failed", holder[0].name)


class CapabilityRegistry:
    """The capabilities that loaded, in start order, and those that did not (with why)."""

    def __init__(
        self,
        capabilities: Mapping[str, type[Capability]] | Collection[type[Capability]] = (),
        errors: Mapping[str, str] | None = None,
    ):
        found = capabilities.values() if isinstance(capabilities, Mapping) else capabilities
        self.capabilities = sorted(found, key=lambda c: (c.order, c.name))
        self.errors = dict(errors or {})

    def __iter__(self) -> Iterator[type[Capability]]:
        return iter(self.capabilities)

    def __len__(self) -> int:
        return len(self.capabilities)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.capabilities]

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(s for c in self.capabilities for s in c.sections)

    @property
    def health_tags(self) -> tuple[str, ...]:
        return tuple(c.health_tag for c in self.capabilities if c.health_tag)

    def schemas(self) -> dict[str, Sequence[Step]]:
        """Every capability's store components and steps, in start order; one that fails
        to declare them is logged (its own ``migrate`` still refuses a newer store)."""
        found: dict[str, Sequence[Step]] = {}
        for capability in self.capabilities:
            try:
                found.update(capability.schemas())
            except Exception:
                log.exception("listing the %s store schema failed", capability.name)
        return found

    def project_words(self, project: Project) -> dict[str, set[str]]:
        """Every capability's texts of ``project`` by context; one that fails to list them
        is logged and left out (its words are then not checked, never a crash)."""
        words: dict[str, set[str]] = {}
        for capability in self.capabilities:
            try:
                found = capability.project_words(project)
            except Exception:
                log.exception("listing the %s texts failed", capability.name)
                continue
            for context, texts in found.items():
                words.setdefault(context, set()).update(texts)
        return words

    def problems(self, project: Project) -> list[Problem]:
        """Every capability's checks of its sections; a failing check is a problem too."""
        problems: list[Problem] = []
        for capability in self.capabilities:
            try:
                problems += capability.check(project)
            except Exception as exc:
                log.exception("checking the %s sections failed", capability.name)
                problems.append(
                    Problem(project.source, f"{capability.name} could not check its section: {exc}")
                )
        return problems


def discover_capabilities(targets: Mapping[str, str] | None = None) -> CapabilityRegistry:
    """Load capabilities from ``targets`` (name -> 'module:Class') or the entry points."""
    loaded, errors = load_targets(GROUP, BUILTIN, Capability, targets)
    return CapabilityRegistry(loaded, errors)


@cache
def default_capabilities() -> CapabilityRegistry:
    return discover_capabilities()


_system_tags: dict[int, tuple[weakref.ref[Project], SystemTags]] = {}


def project_system_tags(project: Project) -> SystemTags:
    """The system tags the installed capabilities publish for ``project``, with the store's
    health; kept per project object (every reader of a section asks, ``hmi check`` many
    times). A capability that fails to list its tags is logged and its names stay untyped."""
    key = id(project)
    kept = _system_tags.get(key)
    if kept is not None and kept[0]() is project:
        return kept[1]
    tags = {STORE_HEALTH: system_tag(STORE_HEALTH, DataType.STRING, description="store health")}
    patterns: list[str] = []
    declared = [STORE_HEALTH]
    for capability in default_capabilities():
        try:
            listed = capability.project_tags(project)
        except Exception:
            log.exception("listing the %s system tags failed", capability.name)
            listed = []
        names = [t.name for t in listed if matches(t.name, capability.system_tags)]
        tags.update((t.name, t) for t in listed if t.name in names)
        patterns += [p for p in capability.system_tags if not any(matches(n, (p,)) for n in names)]
        declared += capability.system_tags
    found = SystemTags(tags, tuple(patterns), tuple(declared))
    _system_tags[key] = (weakref.ref(project, lambda _: _system_tags.pop(key, None)), found)
    return found


def health_value(problem: str | None) -> TagValue:
    """A health tag's value: "ok", or Bad with ``problem``."""
    return bad(problem, "failing") if problem else good("ok")
