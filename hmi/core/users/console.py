"""``hmi users ...`` and the sign-in of ``hmi write``: the users service on the command line.

The command line acts as the operating system's account that runs it (``os:<login>``):
whoever may open the station's store may manage its users, as on the station itself.
Passwords, PINs and badges are read without echo, or one per line from standard input
with ``--stdin``; they are never arguments (a process list would show them).
"""

from __future__ import annotations

import getpass
import json
import sys
import time
from collections.abc import Callable, Collection
from typing import TextIO

from ..access import WRITE_TAG, Access
from ..project.models import Project
from ..secrets import ask
from ..store import Writer
from .capability import declared_permissions
from .config import CLI_PROFILE, read_users
from .service import Method, Signature, UserInfo, Users, UsersError
from .userdb import UserDatabase


def console_actor() -> str:
    """Who the command line acts as, in the audit trail."""
    try:
        return f"os:{getpass.getuser()}"
    except Exception:  # no login name (a container without one)
        return "os:unknown"


def open_users(project: Project, writer: Writer, access: Access) -> Users:
    """The project's users over an open store, answering ``access``, for one command."""
    known: Collection[str] = declared_permissions()
    config = read_users(project, known)[0]
    users = Users(
        config, UserDatabase(writer), access, known_permissions=known, console=console_actor()
    )
    return users.start(background=False)


def _typed(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        raise UsersError("nothing was typed") from None


def credentials(wanted: dict[str, bool], stdin: bool) -> dict[str, str | None]:
    """The password, PIN and badge asked for (in that order), each None if not wanted."""
    prompts = {"password": "Password: ", "pin": "PIN: ", "badge": "Badge (scan or type): "}
    return {
        key: ask(prompts[key], stdin=stdin, confirm=key != "badge") if wanted.get(key) else None
        for key in prompts
    }


def add(
    users: Users, name: str, role: str, full_name: str, wanted: dict[str, bool], stdin: bool
) -> str:
    if not any(wanted.values()):
        raise UsersError("say how the user signs in: --password, --pin and/or --badge")
    given = credentials(wanted, stdin)
    info = users.add_user(name, role, by=users.console or "", full_name=full_name, **given)
    return f"added {info.name} ({info.role_title})"


def reset(users: Users, name: str, wanted: dict[str, bool], stdin: bool) -> str:
    given = credentials(wanted, stdin)
    users.reset(name, by=users.console or "", **given)
    changed = [k for k, v in given.items() if v]
    what = f"new {', '.join(changed)}; " if changed else ""
    return f"{name}: {what}unlocked"


def listing(users: Users, as_json: bool, out: TextIO) -> None:
    rows = users.users()
    if as_json:
        for info in rows:
            print(json.dumps(_as_dict(info), ensure_ascii=False), file=out)
        return
    if not rows:
        print(
            "no users: the station is open (every action allowed); add one with "
            "hmi users add PROJECT NAME --role administrator --password",
            file=out,
        )
        return
    now = time.time()
    for info in rows:
        ways = "+".join(
            k
            for k, v in (("password", info.password), ("pin", info.pin), ("badge", info.badge))
            if v
        )
        state = "enabled" if info.enabled else "DISABLED"
        if info.locked_until > now:
            state += f", locked {round(info.locked_until - now)} s"
        full = f" ({info.full_name})" if info.full_name else ""
        print(f"{info.name}{full}  {info.role_title}  {ways}  {state}", file=out)


def _as_dict(info: UserInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "full_name": info.full_name,
        "role": info.role,
        "enabled": info.enabled,
        "password": info.password,
        "pin": info.pin,
        "badge": info.badge,
        "locked_until": info.locked_until or None,
        "last_sign_in": info.last_sign_in,
    }


def sign_in_to_write(
    users: Users,
    tag: str,
    *,
    user: str | None,
    pin: bool,
    stdin: bool,
    reason: str | None,
    witness: str | None,
    say: Callable[[str], None],
) -> str:
    """Sign in for ``hmi write`` (and sign, where the tag is critical); returns the user.
    ``UsersError`` (or ``SecretError``) says why not."""
    if not user:
        if stdin or not sys.stdin.isatty():
            raise UsersError(
                "this project has users: give --user NAME (the password or PIN is asked "
                "without echo, or read from stdin with --stdin)"
            )
        user = _typed("User: ")
    method = Method.PIN if pin else Method.PASSWORD
    secret = ask("PIN: " if pin else "Password: ", stdin=stdin)
    users.sign_in(user, secret, method=method, profile=CLI_PROFILE)
    rule = users.signature_rule(WRITE_TAG, tag)
    if rule is None:
        return user
    refusal = users.may(WRITE_TAG, tag, user)
    if refusal:
        return user  # refused below with this reason, and recorded
    if not reason:
        if stdin or not sys.stdin.isatty():
            raise UsersError(f"{tag} needs an electronic signature ({rule.meaning}): give --reason")
        offered = f" ({', '.join(rule.reasons)})" if rule.reasons else ""
        reason = _typed(f"Reason{offered}: ")
    if rule.second and not witness:
        raise UsersError(f"{tag} needs a second person's signature: give --witness NAME")
    say(f"signing: {rule.meaning}")
    first: Signature = users.sign(
        user, secret, reason, permission=WRITE_TAG, target=tag, method=method
    )
    if rule.second and witness:
        second = ask(f"{witness}'s {'PIN' if pin else 'password'}: ", stdin=stdin)
        users.countersign(first, witness, second, method=method)
    return user


#: the demo plant's people, made on the first ``hmi demo`` (documented in the README and
#: in the demo's project.yaml); never stored as text, hashed as any other user's
DEMO_USERS = (
    ("op1", "operator", "Olivia Operator", {"pin": "1111"}),
    ("lead1", "shift_lead", "Lars Lead", {"pin": "2222"}),
    ("sup1", "supervisor", "Sara Supervisor", {"pin": "3333", "password": "supervisor1"}),
    ("eng1", "engineer", "Enzo Engineer", {"password": "engineer1"}),
    ("admin", "administrator", "Demo administrator", {"password": "administrator1"}),
)


def seed_demo(users: Users) -> list[str]:
    """Make the demo's people if the store has no user yet; returns who was made."""
    if not users.open:
        return []
    made = []
    for name, role, full_name, secrets in DEMO_USERS:
        users.add_user(name, role, by=users.console or "", full_name=full_name, **secrets)
        made.append(name)
    return made
