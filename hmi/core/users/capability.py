"""Users as a capability: the ``users:`` section, the users service, the policy it puts
into ``Access``, and the system tags that say who is signed in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..access import WRITE_TAG
from ..capability import Capability, default_capabilities
from ..project.models import Problem, Project
from ..tags import good
from .config import read_users, users_problems
from .service import MANAGE, Session, Users
from .userdb import UserDatabase

CURRENT_TAG = "_sys.users.current"  # the signed-in user's name, "" when nobody is
ROLE_TAG = "_sys.users.role"  # the signed-in user's role, "" when nobody is
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
    system_tags = (CURRENT_TAG, ROLE_TAG)
    permissions: ClassVar[Mapping[str, str]] = {
        MANAGE: "add, change, reset and disable users",
        PROJECT_CHANGE: "change and reload the project",
    }
    order = 26  # after the audit trail (which records its sign-ins), before any driver

    users: Users | None = None

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        return users_problems(project, declared_permissions())

    @property
    def service(self) -> Any:
        return self.users

    def start(self) -> None:
        context = self.context
        # closed until the users are loaded: a store that cannot be read opens nothing
        context.access.set_policy(lambda user, permission, target: "users could not be loaded")
        known = declared_permissions()
        config = read_users(context.project, known)[0]
        self.users = Users(
            config, UserDatabase(context.store), context.access, known_permissions=known
        )
        self.users.watch(self._publish)
        self.users.start()
        self._publish(self.users.current)

    def stop(self, timeout: float = 10.0) -> None:
        if self.users is not None:
            self.users.stop()

    def summary(self) -> list[str]:
        users = self.users
        if users is None:
            return []
        session = users.current
        who = f"{session.user} ({users.config.table.title(session.role)})" if session else "—"
        return [f"users: signed in {who}" + (", open station (no users)" if users.open else "")]

    def _publish(self, session: Session | None) -> None:
        self.context.publish_system(
            {
                CURRENT_TAG: good(session.user if session else ""),
                ROLE_TAG: good(session.role if session else ""),
            }
        )
