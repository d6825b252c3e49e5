"""``hmi orders ...``: the work orders on the command line, added through
``OrdersCapability.add_commands``.

The commands act through the same service as the station, over the project's store, as
the person the started capabilities sign in (``--user NAME`` where the project has users;
the password or PIN is asked without echo, or read from stdin with ``--stdin``), else as
the operating system's account. Refusals and bad input are one line and exit 1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from ..commands import CommandError, CommandSet, Station, console_account
from .model import Order, OrderState, ShiftSpan
from .report import pdf_command, report_file, write_csv
from .service import MANAGE, REPORTS, START, Orders, OrdersError
from .transfer import ImportResult, order_fields

ACTIONS = ("start", "hold", "resume", "complete", "abort")
DEMO_ORDERS = "orders.csv"  # the demo's order queue, beside its project.yaml
PDF_TIMEOUT_S = 120.0


def add_commands(commands: CommandSet) -> None:
    """``hmi orders list | import | export | create | start | hold | resume | complete |
    abort | report``."""

    def signer(p: argparse.ArgumentParser) -> None:
        p.add_argument("--user", default=None, help="who acts, where the project has users")
        p.add_argument("--pin", action="store_true", help="sign in with the PIN")
        p.add_argument("--stdin", action="store_true", help="read password or PIN from stdin")

    orders = commands.add("orders", help="list, import, export and act on work orders")
    actions = orders.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", help="the orders, queue order first")
    commands.add_project(p)
    p.add_argument("--line", default=None)
    p.add_argument("--state", default=None, choices=[s.value for s in OrderState])
    p.add_argument("--json", action="store_true", help="one JSON line per order")
    p = actions.add_parser("import", help="orders from a CSV or JSON file")
    commands.add_project(p)
    p.add_argument("file")
    signer(p)
    p = actions.add_parser("export", help="the orders as CSV or JSON")
    commands.add_project(p)
    p.add_argument("--format", default="csv", choices=("csv", "json"))
    p.add_argument("--out", default=None, help="the file to write (default: stdout)")
    p.add_argument("--line", default=None)
    p = actions.add_parser("create", help="a new order (product data with --set FIELD=VALUE)")
    commands.add_project(p)
    p.add_argument("number")
    p.add_argument("--line", required=True)
    p.add_argument("--target", required=True, help="pieces to make")
    p.add_argument("--ideal-cycle", default="0", help="seconds per piece (0: the line's)")
    p.add_argument("--at-line", action="store_true", help="made at the line: the MES is away")
    p.add_argument(
        "--set",
        dest="fields",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="product data, once per field: --set die=D-101 --set alloy=6060 ...",
    )
    signer(p)
    for action in ACTIONS:
        p = actions.add_parser(action, help=f"{action} an order")
        commands.add_project(p)
        p.add_argument("number")
        if action in ("hold", "abort", "complete"):
            p.add_argument("--reason", default="", help="why (needed to hold or abort)")
        signer(p)
    p = actions.add_parser("report", help="the shift report of a line as CSV (and PDF)")
    commands.add_project(p)
    p.add_argument("--line", required=True)
    p.add_argument("--shift", required=True, help="DAY/NAME, e.g. 2026-12-10/Morning")
    p.add_argument("--out", default=None, help="the CSV (default: the data folder's reports)")
    p.add_argument("--pdf", action="store_true", help="write the PDF beside it too")
    signer(p)
    orders.set_defaults(func=lambda args: run_orders(commands, args))


def run_orders(commands: CommandSet, args: argparse.Namespace) -> int:
    project = commands.load(args.project)
    if project is None:
        return commands.BAD_PROJECT
    try:
        with commands.station(project, args) as station:
            orders: Orders | None = station.service("orders")
            if orders is None:
                print(f"{project.source}: the project has no orders: section", file=sys.stderr)
                return commands.FAILED
            done = act(station, orders, args, commands.data_dir(project, args), project.root)
    except (OrdersError, CommandError) as error:
        print(f"orders {args.action}: {error}", file=sys.stderr)
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


def act(
    station: Station, orders: Orders, args: argparse.Namespace, data_dir: Path, root: Any
) -> str:
    action = args.action
    if action == "list":
        listing(orders, args.line, args.state, args.json, sys.stdout)
        return ""
    if action == "export":
        text = orders.export(args.format, args.line)
        if args.out is None:
            sys.stdout.write(text)
            return ""
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as error:
            raise OrdersError(f"cannot write {args.out}: {error.strerror or error}") from None
        return f"wrote {len(orders.orders(args.line))} order(s) to {args.out}"
    if action == "import":
        result = orders.import_file(Path(args.file), actor(station, MANAGE, args.file, args))
        return imported(result)
    if action == "create":
        permission = START if args.at_line else MANAGE
        user = actor(station, permission, args.number, args)
        order = orders.create(new_order(args), user)
        return f"created {order.number} for {order.line}: {order.target} pieces"
    if action == "report":
        return report(station, orders, args, data_dir, root)
    user = actor(station, f"orders.{'hold' if action == 'resume' else action}", args.number, args)
    if action in ("hold", "abort"):
        order = getattr(orders, action)(args.number, user, args.reason)
    elif action == "complete":
        order = orders.complete(args.number, user, args.reason)
    else:
        order = getattr(orders, action)(args.number, user)
    return f"{order.number}: {order.state.value}"


def new_order(args: argparse.Namespace) -> Order:
    product: dict[str, Any] = {}
    for item in args.fields:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OrdersError(f"--set FIELD=VALUE (die=D-101), not {item!r}")
        product[name.strip()] = value.strip()
    return Order(
        args.number,
        args.line,
        args.target,  # checked by the service, with the rest
        product=product,
        ideal_cycle_s=args.ideal_cycle,
        source="line" if args.at_line else "manual",
    )


def imported(result: ImportResult) -> str:
    for problem in result.problems:
        print(problem, file=sys.stderr)
    made = f"imported {len(result.created)} order(s)"
    if result.created:
        made += f": {', '.join(result.created)}"
    if result.problems:
        made += f"; {len(result.problems)} refused (above)"
        if not result.created:
            raise OrdersError(made)
    return made


def listing(
    orders: Orders, line: str | None, state: str | None, as_json: bool, out: TextIO
) -> None:
    if line is not None:
        orders.check_line(line)  # an unknown line is an error, not an empty list
    states = [OrderState(state)] if state else None
    rows = orders.orders(line, states)
    if as_json:
        for o in rows:
            row = order_fields(o) | {"figures": orders.figures(o.number)}
            print(json.dumps(row, ensure_ascii=False), file=out)
        return
    if not rows:
        print("no orders" + (f" on {line}" if line else ""), file=out)
    for o in rows:
        product = ", ".join(f"{v}" for v in o.product.values())
        print(
            f"{o.number}  {o.line}  {o.state.value:<9}  {o.good}/{o.target} good, "
            f"{o.scrap} scrap  {product}",
            file=out,
        )


def find_shift(orders: Orders, text: str) -> ShiftSpan:
    """The shift named DAY/NAME (``2026-12-10/Morning``) in the project's calendar."""
    day_text, _, name = text.partition("/")
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise OrdersError(f"--shift {text!r}: give DAY/NAME, e.g. 2026-12-10/Morning") from None
    calendar = orders.config.calendar
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=calendar.tz).timestamp()
    spans = calendar.shifts_between(noon - 2 * 86400, noon + 2 * 86400)
    for span in spans:
        if span.day == day.isoformat() and span.name.casefold() == name.strip().casefold():
            return span
    names = sorted({s.name for s in spans})
    raise OrdersError(
        f"no shift {name.strip()!r} starts on {day.isoformat()} (shifts: {', '.join(names)})"
    )


def report(
    station: Station, orders: Orders, args: argparse.Namespace, data_dir: Path, root: Any
) -> str:
    orders.check_line(args.line)
    shift = find_shift(orders, args.shift)
    user = actor(station, REPORTS, args.line, args)
    orders.allowed(user, REPORTS, args.line)
    out = Path(args.out) if args.out else report_file(data_dir, args.line, shift, "csv")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_csv(orders.shift_report(args.line, shift), out, orders.config.calendar.tz)
    except OSError as error:
        raise OrdersError(f"cannot write {out}: {error.strerror or error}") from None
    done = f"wrote {out}"
    if args.pdf:
        pdf = out.with_suffix(".pdf")
        command = pdf_command(root, args.line, shift, pdf, data_dir)
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise OrdersError(f"the PDF could not be made: {error}") from None
        if result.returncode != 0:
            raise OrdersError(f"the PDF could not be made: {result.stderr.strip()}")
        done += f" and {pdf}"
    station.access.record(user, REPORTS, args.line, shift=shift.key, out=str(out))
    return done


def seed_demo(orders: Orders, root: Path) -> list[str]:
    """Release the demo's order queue (``orders.csv`` beside its project.yaml) when the
    store has no order yet: the plant's own setup, before anyone signs in."""
    path = root / DEMO_ORDERS
    if orders.orders() or not path.is_file():
        return []
    result = orders.import_unchecked(path, "system")
    for problem in result.problems:
        print(f"demo orders: {problem}", file=sys.stderr)
    return result.created
