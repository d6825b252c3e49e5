"""The users service's words shown to the operator: its refusals (English templates from
``hmi.core.users``, shown by their template wherever an action is refused) and the
built-in roles' titles, in the station's language."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP

from hmi.ui.i18n import add_refusals, project_text, translate

#: ``hmi.core.users.REFUSALS`` word for word (a test keeps them the same), for lupdate
REFUSAL_WORDS = (
    QT_TRANSLATE_NOOP("Users", "nobody is signed in; sign in first"),
    QT_TRANSLATE_NOOP("Users", "{user} is not signed in at this station; sign in first"),
    QT_TRANSLATE_NOOP("Users", "user {user} no longer exists"),
    QT_TRANSLATE_NOOP("Users", "user {user} is disabled"),
    QT_TRANSLATE_NOOP("Users", "{user}'s role '{role}' is not defined in the project"),
    QT_TRANSLATE_NOOP(
        "Users", "{user} ({role}) may not do this: the role lacks the permission {permission}"
    ),
    QT_TRANSLATE_NOOP(
        "Users",
        "{user} ({role}) may not do this on {target}: the role lacks the permission {permission}",
    ),
    QT_TRANSLATE_NOOP("Users", "{what} needs an electronic signature ({meaning})"),
    QT_TRANSLATE_NOOP(
        "Users", "{what} needs an electronic signature and a second person's ({meaning})"
    ),
    QT_TRANSLATE_NOOP("Users", "{what} needs a second person's signature ({meaning})"),
    QT_TRANSLATE_NOOP("Users", "the station is stopping"),
    QT_TRANSLATE_NOOP("Users", "users could not be loaded"),
)

#: the titles of ``hmi.core.users.BUILTIN_ROLES`` (a test keeps them the same)
ROLE_TITLES = (
    QT_TRANSLATE_NOOP("Users", "Operator"),
    QT_TRANSLATE_NOOP("Users", "Shift lead"),
    QT_TRANSLATE_NOOP("Users", "Supervisor"),
    QT_TRANSLATE_NOOP("Users", "Engineer"),
    QT_TRANSLATE_NOOP("Users", "Administrator"),
)


_station: dict[str, Any] = {"project": None}  # the project whose words are shown


def project_word(text: str) -> str:
    """``text`` of the station's project (``Users``) in the current language."""
    project = _station["project"]
    return project_text(project, text, "Users") if project is not None else text


def role_title(title: str) -> str:
    """A role's title in the current language: a built-in one from Linea's catalogue, a
    project's own from the project's catalogue."""
    return translate("Users", title) if title in ROLE_TITLES else project_word(title)


def speak_refusals(project: Any = None) -> None:
    """Show the service's refusals in the station's language from now on: the role as its
    title, a signature's meaning in the words of ``project`` (the station's)."""
    _station["project"] = project

    def values(name: str, value: str) -> str:
        if name == "role":
            return role_title(value)
        return project_word(value) if name == "meaning" else value

    add_refusals("Users", REFUSAL_WORDS, values)
