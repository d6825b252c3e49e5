"""What the command line gives a capability's own commands (``Capability.add_commands``).

A capability adds ``hmi <its name> ...`` through a ``CommandSet``, and a console command
that needs the capabilities (``hmi write``, ``hmi users add``) runs them over the project's
store in a ``station``: started like the runtime starts them, without engine loop or
drivers, told through ``CapabilityContext.console`` that one command at the console uses
them. So the command line names no capability, and a new one brings its own commands.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import getpass
import logging
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

from .access import Access
from .capability import Capability, CapabilityContext, CapabilityRegistry, default_capabilities
from .engine import TagEngine
from .i18n import Translator
from .live import LiveTags
from .paths import data_dir_for
from .plugins import default_registry
from .project.models import Project
from .runtime import STORE_FILE, open_station_store
from .store import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")

EXIT_OK, EXIT_FAILED, EXIT_BAD_PROJECT = 0, 1, 2


class CommandError(Exception):
    """Refuses a console command; the message says why (printed, exit 1, no traceback)."""


def console_account() -> str:
    """Who a console command acts as where nobody signs in: the OS account running it."""
    try:
        return f"os:{getpass.getuser()}"
    except Exception:  # no login name (a container without one)
        return "os:unknown"


class CommandSet:
    """The command line's subcommands, and what a command needs from the command line."""

    OK, FAILED, BAD_PROJECT = EXIT_OK, EXIT_FAILED, EXIT_BAD_PROJECT

    def __init__(
        self,
        subparsers: Any,
        load: Callable[[str], Project | None],
        folder: Callable[[str], Path],
    ):
        self._subparsers = subparsers
        self._load = load
        self._folder = folder

    def add(self, name: str, help: str) -> argparse.ArgumentParser:
        """A new subcommand ``hmi NAME``; set its ``func`` (args -> exit code) on it."""
        parser: argparse.ArgumentParser = self._subparsers.add_parser(name, help=help)
        return parser

    def add_project(self, parser: argparse.ArgumentParser) -> None:
        """The PROJECT argument and ``--data-dir``, checked as every command checks them."""
        parser.add_argument("project")
        parser.add_argument(
            "--data-dir", type=self._folder, default=None, help="where local state is kept"
        )

    def load(self, path: str) -> Project | None:
        """The checked project, or None once its problems are printed."""
        return self._load(path)

    @staticmethod
    def data_dir(project: Project, args: argparse.Namespace) -> Path:
        given = getattr(args, "data_dir", None)
        return Path(given) if given else data_dir_for(project.name)

    def store(self, project: Project, args: argparse.Namespace) -> Path:
        """The project's local store file (the audit trail, users, history)."""
        return self.data_dir(project, args) / STORE_FILE

    def station(
        self, project: Project, args: argparse.Namespace
    ) -> contextlib.AbstractContextManager[Station]:
        return station(project, self.data_dir(project, args))


class Station:
    """The capabilities started for one console command, and the ``Access`` they answer."""

    def __init__(self, access: Access, capabilities: list[Capability], data_dir: Path):
        self.access = access
        self.capabilities = capabilities
        self.data_dir = data_dir  # the station's folder (whose ``station.lock`` says it runs)

    def service(self, name: str) -> Any:
        """The service of the started capability ``name``, or None."""
        return next((c.service for c in self.capabilities if c.name == name), None)


def _run_now(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """A console command runs no engine loop: a coroutine runs to its end at once."""
    future: concurrent.futures.Future[T] = concurrent.futures.Future()
    try:
        future.set_result(asyncio.run(coro))
    except Exception as exc:
        future.set_exception(exc)
    return future


@contextlib.contextmanager
def station(
    project: Project, data_dir: Path, registry: CapabilityRegistry | None = None
) -> Iterator[Station]:
    """The store and the capabilities that take part in console commands (``at_console``),
    started in order and stopped in reverse; one that cannot start stops the command with
    ``CommandError`` (a station whose users cannot be loaded must not act as open)."""
    access = Access()
    live = LiveTags(TagEngine(project, access=access))  # no loop: publications apply at once
    translator = Translator(project.root)
    data_dir.mkdir(parents=True, exist_ok=True)
    capabilities = registry if registry is not None else default_capabilities()
    open_station_store(data_dir, capabilities, default_registry())  # StoreError
    store = Writer(data_dir / STORE_FILE).start()
    started: list[Capability] = []
    account = console_account()
    try:
        for cls in capabilities:
            if not cls.at_console:
                continue
            context = CapabilityContext(
                cls, project, data_dir, store, live, access, translator, _run_now, console=account
            )
            try:
                capability = cls(context)
                capability.start()
            except Exception as exc:
                log.debug("%s failed to start", cls.name, exc_info=True)
                raise CommandError(f"{cls.name} could not start: {exc}") from exc
            started.append(capability)
        yield Station(access, started, data_dir)
    finally:
        for capability in reversed(started):
            try:
                capability.before_drivers_stop()
                capability.stop()
            except Exception:
                log.exception("%s: stopping failed", capability.name)
        store.stop()
