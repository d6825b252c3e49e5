"""``hmi audit verify | export``: the audit trail on the command line, added through
``AuditCapability.add_commands``. Both read the store's file and start nothing, so they
run beside a station that is running."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable

from ..commands import CommandSet
from .query import export_csv
from .verify import verify


def add_commands(commands: CommandSet) -> None:
    audit = commands.add("audit", help="check or export a project's audit trail")
    actions = audit.add_subparsers(dest="action", required=True)
    p = actions.add_parser("verify", help="name the first record edited, removed or moved")
    commands.add_project(p)
    p = actions.add_parser("export", help="write the records of a period as CSV")
    commands.add_project(p)
    p.add_argument("--from", dest="start", type=moment(False), default=None, metavar="WHEN")
    p.add_argument("--to", dest="end", type=moment(True), default=None, metavar="WHEN")
    p.add_argument("--out", required=True, help="the CSV file to write")
    audit.set_defaults(func=lambda args: run_audit(commands, args))


def run_audit(commands: CommandSet, args: argparse.Namespace) -> int:
    project = commands.load(args.project)
    if project is None:
        return commands.BAD_PROJECT
    store = commands.store(project, args)
    if args.action == "verify":
        verdict = verify(store)
        if verdict.ok:
            print(f"audit trail sound: {verdict.count} record(s), head {verdict.head.hash}")
            return commands.OK
        print(f"audit trail damaged: {verdict.problem}", file=sys.stderr)
        return commands.FAILED
    try:
        with open(args.out, "w", encoding="utf-8", newline="") as out:
            count = export_csv(store, out, args.start, args.end)
    except OSError as error:
        print(f"audit export: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return commands.FAILED
    print(f"wrote {count} record(s) to {args.out}")
    return commands.OK


def moment(end: bool) -> Callable[[str], float]:
    """A local date or date and time (ISO 8601) as seconds; a date alone given as the end
    of a span includes that whole day."""

    def convert(text: str) -> float:
        try:
            when = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"'{text}' is not a date or time; use e.g. 2025-03-01 or 2025-03-01T06:00"
            ) from None
        if end and len(text.strip()) <= 10:
            when += dt.timedelta(days=1)
        return when.timestamp()

    return convert
