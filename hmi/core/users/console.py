"""``hmi users ...`` and the sign-in of ``hmi write``: the users service on the command line,
added through ``UsersCapability.add_commands`` and ``console_actor``.

The command line acts as the operating system's account that runs it (``os:<login>``):
whoever may open the station's store may manage its users, as on the station itself.
Passwords, PINs and badges are read without echo, or one per line from standard input
with ``--stdin``; they are never arguments (a process list would show them).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TextIO

from ..commands import CommandError, CommandSet
from ..secrets import SecretError, ask
from .config import CLI_PROFILE
from .service import Method, Signature, UserInfo, Users, UsersError


def add_commands(commands: CommandSet) -> None:
    """``hmi users add | list | set-role | reset | disable | enable``."""

    def secrets(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument("--password", action="store_true", help=f"{what} a password")
        p.add_argument("--pin", action="store_true", help=f"{what} a PIN (digits)")
        p.add_argument("--badge", action="store_true", help=f"{what} a badge number")
        p.add_argument("--stdin", action="store_true", help="read them from stdin, one a line")

    users = commands.add("users", help="add, list and change the users of a project")
    actions = users.add_subparsers(dest="action", required=True)
    p = actions.add_parser("add", help="add a user (secrets are asked without echo)")
    commands.add_project(p)
    p.add_argument("name")
    p.add_argument("--role", required=True)
    p.add_argument("--full-name", default="")
    secrets(p, "set")
    p = actions.add_parser("list", help="list the users (never their secrets)")
    commands.add_project(p)
    p.add_argument("--json", action="store_true", help="one JSON line per user")
    p = actions.add_parser("set-role", help="give a user another role")
    commands.add_project(p)
    p.add_argument("name")
    p.add_argument("role")
    p = actions.add_parser("reset", help="lift a lockout and set new secrets")
    commands.add_project(p)
    p.add_argument("name")
    secrets(p, "set a new")
    p = actions.add_parser("disable", help="stop a user from signing in (signs them out)")
    commands.add_project(p)
    p.add_argument("name")
    p.add_argument("--reason", default="")
    p = actions.add_parser("enable", help="let a disabled user sign in again")
    commands.add_project(p)
    p.add_argument("name")
    users.set_defaults(func=lambda args: run_users(commands, args))


def run_users(commands: CommandSet, args: argparse.Namespace) -> int:
    project = commands.load(args.project)
    if project is None:
        return commands.BAD_PROJECT
    wanted = {k: getattr(args, k, False) for k in ("password", "pin", "badge")}
    with commands.station(project, args) as station:
        users: Users = station.service("users")
        by = users.console or ""
        try:
            if args.action == "list":
                listing(users, args.json, sys.stdout)
                return commands.OK
            if args.action == "add":
                done = add(users, args.name, args.role, args.full_name, wanted, args.stdin)
            elif args.action == "set-role":
                users.set_role(args.name, args.role, by=by)
                done = f"{args.name} is now {users.config.table.title(args.role)}"
            elif args.action == "reset":
                done = reset(users, args.name, wanted, args.stdin)
            elif args.action == "disable":
                users.disable(args.name, by=by, reason=args.reason)
                done = f"{args.name} disabled"
            else:
                users.enable(args.name, by=by)
                done = f"{args.name} enabled"
        except (UsersError, SecretError) as error:
            print(f"users {args.action}: {error}", file=sys.stderr)
            return commands.FAILED
    print(done)
    return commands.OK


def add_options(command: str, parser: argparse.ArgumentParser) -> None:
    """Who writes, for ``hmi write`` where the project has users."""
    if command != "write":
        return
    parser.add_argument("--user", default=None, help="who writes, where the project has users")
    parser.add_argument("--pin", action="store_true", help="sign in with the PIN, not the password")
    parser.add_argument("--stdin", action="store_true", help="read password or PIN from stdin")
    parser.add_argument("--reason", default=None, help="the reason, where a signature is needed")
    parser.add_argument("--witness", default=None, help="the second signer, where one is needed")


def console_actor(users: Users, action: str, target: str, args: argparse.Namespace) -> str | None:
    """The user signed in (and signed) for ``action`` on ``target``; None at an open station."""
    if users.open:
        return None
    try:
        return sign_in_for(
            users,
            action,
            target,
            user=getattr(args, "user", None),
            pin=getattr(args, "pin", False),
            stdin=getattr(args, "stdin", False),
            reason=getattr(args, "reason", None),
            witness=getattr(args, "witness", None),
        )
    except (UsersError, SecretError) as error:
        raise CommandError(str(error)) from error


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


def sign_in_for(
    users: Users,
    permission: str,
    tag: str,
    *,
    user: str | None,
    pin: bool,
    stdin: bool,
    reason: str | None,
    witness: str | None,
) -> str:
    """Sign in for ``permission`` on ``tag`` (and sign, where a rule asks); returns the
    user. ``UsersError`` (or ``SecretError``) says why not."""
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
    rule = users.signature_rule(permission, tag)
    if rule is None:
        return user
    refusal = users.may(permission, tag, user)
    if refusal:
        return user  # refused below with this reason, and recorded
    if not reason:
        if stdin or not sys.stdin.isatty():
            raise UsersError(f"{tag} needs an electronic signature ({rule.meaning}): give --reason")
        offered = f" ({', '.join(rule.reasons)})" if rule.reasons else ""
        reason = _typed(f"Reason{offered}: ")
    if rule.second and not witness:
        raise UsersError(f"{tag} needs a second person's signature: give --witness NAME")
    print(f"signing: {rule.meaning}", file=sys.stderr)
    first: Signature = users.sign(
        user, secret, reason, permission=permission, target=tag, method=method
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
