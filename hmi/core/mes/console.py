"""``hmi mes ...``: the MES sync on the command line, added through
``MesCapability.add_commands``, on the store of a stopped or running station.

``status`` prints each target's state, backlog, oldest unsent event, last success and
error and quarantined events (``--json``: one line per target; ``--quarantined``: the
events too), then the released orders refused, newest first; ``retry``, ``discard`` and
``export`` act on a target's quarantine as the person the started capabilities sign in
(``--user NAME``), else the OS account;
``orders`` asks the order source once and says what a station would take or refuse,
writing nothing; ``audit POSITION HASH`` checks the audit trail against the head the MES
holds (its latest ``audit.head``), which a trail rewritten here does not match.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ..commands import CommandError, CommandSet, Station, console_account
from ..station_lock import StationBusy, StationLock
from .audit_head import verify_against
from .delivery import Status
from .intake import RefusedOrder
from .service import DISCARD, EXPORT, RETRY, Mes, MesError
from .target import TargetError

SHOWN_REFUSED = 20  # refused orders `status` lists, newest first


def add_commands(commands: CommandSet) -> None:
    def signer(p: argparse.ArgumentParser) -> None:
        p.add_argument("--user", default=None, help="who acts, where the project has users")
        p.add_argument("--pin", action="store_true", help="sign in with the PIN")
        p.add_argument("--stdin", action="store_true", help="read password or PIN from stdin")

    mes = commands.add("mes", help="the MES sync: status, and the events a target refused")
    actions = mes.add_subparsers(dest="action", required=True)
    p = actions.add_parser("status", help="each target's state, backlog and quarantine")
    commands.add_project(p)
    p.add_argument("--json", action="store_true", help="one JSON line per target")
    p.add_argument("--quarantined", action="store_true", help="list the refused events too")
    p = actions.add_parser("retry", help="send a target's refused events again")
    commands.add_project(p)
    p.add_argument("target")
    p.add_argument("ids", nargs="*", type=_event_id, metavar="ID", help="outbox ids")
    p.add_argument("--all", action="store_true", help="every refused event of the target")
    signer(p)
    p = actions.add_parser("discard", help="give up on refused events (with a reason)")
    commands.add_project(p)
    p.add_argument("target")
    p.add_argument("ids", nargs="+", type=_event_id, metavar="ID", help="outbox ids")
    p.add_argument("--reason", required=True, help="why they are given up")
    signer(p)
    p = actions.add_parser("orders", help="the released orders now: what would be taken")
    commands.add_project(p)
    p = actions.add_parser("audit", help="the audit trail checked against the MES's copy")
    commands.add_project(p)
    p.add_argument("position", type=_position, help="Position of the MES's latest audit.head")
    p.add_argument("hash", type=_sha256, help="its Hash (64 hex digits)")
    p = actions.add_parser("export", help="a target's refused events as JSON lines")
    commands.add_project(p)
    p.add_argument("target")
    p.add_argument("file")
    signer(p)
    mes.set_defaults(func=lambda args: run_mes(commands, args))


def _event_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an outbox id (a whole number)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an outbox id (1 or more)")
    return value


def _position(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a record number (0 or more)")
    return int(text)


def _sha256(text: str) -> str:
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text.lower()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a SHA-256 (64 hex digits)")
    return text.lower()


def run_mes(commands: CommandSet, args: argparse.Namespace) -> int:
    project = commands.load(args.project)
    if project is None:
        return commands.BAD_PROJECT
    if args.action == "audit":
        verdict = verify_against(commands.store(project, args), args.position, args.hash)
        if not verdict.ok:
            print(f"audit trail: {verdict.problem}", file=sys.stderr)
            return commands.FAILED
        print(f"audit trail: sound, {verdict.count} records; record {args.position} is the "
              "one the MES holds")  # fmt: skip
        return commands.OK
    try:
        with commands.station(project, args) as station:
            mes: Mes | None = station.service("mes")
            if mes is None:
                print(f"{project.source}: the project has no mes: section", file=sys.stderr)
                return commands.FAILED
            done = act(station, mes, args)
    except (MesError, CommandError) as error:
        print(f"mes {args.action}: {error}", file=sys.stderr)
        return commands.FAILED
    if done:
        print(done)
    return commands.OK


def actor(station: Station, permission: str, target: str, args: argparse.Namespace) -> str:
    """Who acts: signed in by a capability that answers, else the OS account."""
    for capability in station.capabilities:
        who = capability.console_actor(permission, target, args)
        if who is not None:
            return who
    return console_account()


def act(station: Station, mes: Mes, args: argparse.Namespace) -> str:
    action = args.action
    if action == "orders":
        return released_orders(station)
    if action == "status":
        for status in mes.status():
            print(_status_line(status, args.json))
            if args.quarantined:
                for row in mes.quarantined(status.target):
                    print("  " + json.dumps(row.as_json(), sort_keys=True))
        if not args.json:
            refused = mes.refused_orders()
            if refused:
                print(f"released orders refused: {len(refused)}")
            for order in refused[:SHOWN_REFUSED]:
                print(f"  {_refused_line(order)}")
            if len(refused) > SHOWN_REFUSED:
                print(f"  … {len(refused) - SHOWN_REFUSED} older (the MES sync page lists them)")
        return ""
    if action == "retry":
        if args.all == bool(args.ids):
            raise MesError("name the outbox ids to retry, or --all (not both)")
        mes.delivery(args.target)  # an unknown target before anyone is asked to sign
        user = actor(station, RETRY, args.target, args)
        with _speaking_for(station, mes, args.target):
            result = mes.retry(args.target, None if args.all else args.ids, user)
        return f"{args.target}: {result.accepted} accepted, {result.refused} refused again"
    if action == "discard":
        mes.delivery(args.target)
        user = actor(station, DISCARD, args.target, args)
        count = mes.discard(args.target, args.ids, user, args.reason)
        return f"{args.target}: discarded {count} event(s)"
    mes.delivery(args.target)
    user = actor(station, EXPORT, args.target, args)
    count = mes.export(args.target, args.file, user)
    return f"{args.target}: wrote {count} event(s) to {args.file}"


@contextlib.contextmanager
def _speaking_for(station: Station, mes: Mes, target: str) -> Iterator[None]:
    """A target only the station may speak for while it runs (a Sparkplug edge node: one
    session, one bdSeq): the console sends only while the station is stopped, and keeps
    it from starting meanwhile; other targets take a passing connection beside it."""
    try:
        alone = bool(getattr(mes.delivery(target).target, "station_only", False))
    except TargetError:
        alone = False  # it cannot be set up: mes.retry says why
    if not alone:
        yield
        return
    lock = StationLock(station.data_dir)
    try:
        lock.acquire(f"hmi mes retry {target}")
    except StationBusy:
        raise MesError(
            f"{target} is the station's Sparkplug edge node and the station runs on "
            f"{station.data_dir}: one session speaks for a node, so send them again from "
            "its MES sync page, or stop the station first"
        ) from None
    try:
        yield
    finally:
        lock.release()


def released_orders(station: Station) -> str:
    """Each released order and what a poll would do with it (nothing written)."""
    capability: Any = next((c for c in station.capabilities if c.name == "mes"), None)
    intake = capability.make_intake(station.service("orders")) if capability else None
    if intake is None:
        raise MesError(
            "no MES target releases orders here: give one orders: {poll: 30s} "
            "(and the project an orders: section)"
        )
    try:
        decisions = intake.preview()
    except TargetError as error:
        raise MesError(f"{intake.name}: {error}") from None
    for decision in decisions:
        print(decision.words())
    refused = sum(d.action == "refuse" for d in decisions)
    return f"{intake.name}: {len(decisions)} listed, {refused} would be refused (nothing written)"


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).isoformat(sep=" ", timespec="seconds") if ts else "never"


def _refused_line(order: RefusedOrder) -> str:
    what = "" if order.refused == "download" else f" ({order.refused} not applied)"
    head = f"{_when(order.ts)} {order.number or '(no ID)'} {order.line or '?'}"
    return f"{head} from {order.source}{what}: {order.reason}"


def _status_line(s: Status, as_json: bool) -> str:
    if as_json:
        return json.dumps(
            {
                "target": s.target,
                "state": s.state,
                "backlog": s.backlog,
                "oldest_s": round(s.oldest_s, 1),
                "last_success": s.last_success,
                "last_error": s.last_error,
                "quarantined": s.quarantined,
            }
        )
    error = f", last error: {s.last_error}" if s.last_error else ""
    return (
        f"{s.target}: {s.state}, {s.backlog} to send (oldest {s.oldest_s:.0f} s), "
        f"last success {_when(s.last_success)}, {s.quarantined} quarantined{error}"
    )
