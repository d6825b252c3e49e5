"""Users as a capability: the ``users:`` section, the users service, the policy it puts
into ``Access``, and the system tags that say who is signed in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..access import WRITE_TAG
from ..capability import Capability, default_capabilities
from ..project.models import Problem, Project
from ..tags import good
from .config import read_users, users_problems
from .service import MANAGE, NOT_LOADED, Session, Users
from .userdb import UserDatabase

if TYPE_CHECKING:
    import argparse

    from ..commands import CommandSet

CURRENT_TAG = "_sys.users.current"  # the signed-in user's name, "" when nobody is
ROLE_TAG = "_sys.users.role"  # the signed-in user's role, "" when nobody is
DIRECTORY_TAG = "_sys.users.directory"  # "online", "offline", "" before it was asked
DIRECTORY_REASON_TAG = "_sys.users.directory_reason"  # why it is offline
PROJECT_CHANGE = "project.change"


def declared_permissions() -> set[str]:
    """Every permission an installed capability declares, and ``tags.write``: what roles
    and signature rules may name."""
    names = {WRITE_TAG}
    for capability in default_capabilities():
        names.update(capability.permissions)
    return names


class UsersCapability(Capability):
    name = "users"
    sections = ("users",)
    system_tags = (CURRENT_TAG, ROLE_TAG, DIRECTORY_TAG, DIRECTORY_REASON_TAG)
    permissions: ClassVar[Mapping[str, str]] = {
        MANAGE: "add, change, reset and disable users",
        PROJECT_CHANGE: "change and reload the project",
    }
    order = 26  # after the audit trail (which records its sign-ins), before any driver
    at_console = True  # the console signs in too, and manages the users

    users: Users | None = None

    @classmethod
    def schemas(cls) -> dict[str, Any]:
        from . import directory, userdb

        return {userdb.COMPONENT: userdb.SCHEMA, directory.COMPONENT: directory.SCHEMA}

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        return users_problems(project, declared_permissions())

    @property
    def service(self) -> Any:
        return self.users

    def start(self) -> None:
        context = self.context
        # closed until the users are loaded: a store that cannot be read opens nothing
        context.access.set_policy(lambda user, permission, target: NOT_LOADED)
        known = declared_permissions()
        config = read_users(context.project, known)[0]
        self.users = Users(
            config,
            UserDatabase(context.store),
            context.access,
            known_permissions=known,
            console=context.console,
        )
        self.users.watch(self._publish)
        self.users.start(background=context.console is None)  # a command ends soon
        self._publish(self.users.current)
        if self.users.directory is not None:
            self.users.directory.watch(self._publish_directory)
            self._publish_directory(self.users.directory.status)

    def stop(self, timeout: float = 10.0) -> None:
        if self.users is not None:
            self.users.stop("the command ended" if self.context.console else "the station stopped")

    # the command line: hmi users ..., and who writes with hmi write (see .console)

    @classmethod
    def add_commands(cls, commands: CommandSet) -> None:
        from .console import add_commands

        add_commands(commands)

    @classmethod
    def add_options(cls, command: str, parser: argparse.ArgumentParser) -> None:
        from .console import add_options

        add_options(command, parser)

    def console_actor(self, action: str, target: str, args: argparse.Namespace) -> str | None:
        from .console import console_actor

        return console_actor(self.users, action, target, args) if self.users else None

    def prepare_demo(self) -> list[str]:
        from .console import seed_demo

        made = seed_demo(self.users) if self.users else []
        return [f"demo users created: {', '.join(made)} (README: Users and roles)"] if made else []

    def summary(self) -> list[str]:
        users = self.users
        if users is None:
            return []
        session = users.current
        who = f"{session.user} ({users.config.table.title(session.role)})" if session else "—"
        return [f"users: signed in {who}" + (", open station (no users)" if users.open else "")]

    def _publish_directory(self, status: tuple[str, str]) -> None:
        state, reason = status
        self.context.publish_system(
            {DIRECTORY_TAG: good(state), DIRECTORY_REASON_TAG: good(reason)}
        )

    def _publish(self, session: Session | None) -> None:
        self.context.publish_system(
            {
                CURRENT_TAG: good(session.user if session else ""),
                ROLE_TAG: good(session.role if session else ""),
            }
        )
