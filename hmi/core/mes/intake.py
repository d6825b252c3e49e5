"""Released orders into the line's queue: each order a source fetched is checked as ``hmi
orders import`` checks a row (line, product data, quantity, number, cycle time) and its
dates, then taken into the queue as downloaded by the MES, or refused with the reason,
reported back (``order.refused``) and shown on ``_sys.mes.<target>.orders_notice``.

What was decided about each number is kept in ``mes_orders_in`` with the order as the MES
wrote it (its fingerprint), so an order listed again unchanged costs nothing, a refusal
is reported once per version of the order, and a restart decides nothing twice. A queued
order the MES changes is revised; one it leaves out of its list is withdrawn (aborted
with the reason). An order that started at the line is never changed: a change, or its
withdrawal while it runs or is held, is reported back as not applied, with why.

A failed fetch keeps everything as it was and is tried again with backoff (the target's
``backoff:``); the error is on ``_sys.mes.<target>.orders_error``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..connection import ConnectionState
from ..store import Writer, connect, migrate
from .config import FAILING_ATTEMPTS, TargetConfig
from .orders_in import OrderSource, commit, fingerprint, order_fields, order_id
from .target import TargetError

log = logging.getLogger(__name__)

COMPONENT = "mes_orders_in"
SCHEMA = [
    """
    CREATE TABLE mes_orders_in (
        source TEXT NOT NULL,
        number TEXT NOT NULL,
        line TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT NOT NULL,
        ts REAL NOT NULL,
        PRIMARY KEY (source, number)
    )
    """,
]
#: who the orders' records and the audit trail say acted
MES_USER = "MES"
ACCEPTED, REFUSED, KEPT, WITHDRAWN = "accepted", "refused", "kept", "withdrawn"
OK, RETRYING, FAILING = "ok", "retrying", "failing"
MAX_REFUSED = 500  # refused orders listed, newest first


@dataclass(frozen=True, slots=True)
class RefusedOrder:
    """A released order the station did not take, or whose change or withdrawal it did not
    apply (the order stays as the line has it), as the supervisor sees it."""

    source: str  # the MES target it came from
    number: str
    line: str
    refused: str  # download | change | withdrawal
    reason: str
    ts: float  # when it was decided

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "number": self.number,
            "line": self.line,
            "refused": self.refused,
            "reason": self.reason,
            "ts": self.ts,
        }


def refused_orders(conn: sqlite3.Connection, limit: int = MAX_REFUSED) -> list[RefusedOrder]:
    """The refusals still standing, newest first: an order refused (its latest version)
    and a change or withdrawal not applied (until the MES lists the order as the line has
    it again); none where no order source ever made the table."""
    made = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (COMPONENT,)
    ).fetchone()
    if made is None:
        return []
    rows = conn.execute(
        "SELECT source, number, line, fingerprint, verdict, reason, ts FROM mes_orders_in "
        "WHERE verdict = ? OR (verdict = ? AND reason != '') ORDER BY ts DESC, number LIMIT ?",
        (REFUSED, KEPT, limit),
    ).fetchall()
    return [
        RefusedOrder(source, number, line, _what_refused(verdict, print_), reason, ts)
        for source, number, line, print_, verdict, reason, ts in rows
    ]


def _what_refused(verdict: str, fingerprint: str) -> str:
    if verdict == REFUSED:
        return "download"
    return "withdrawal" if fingerprint == "withdrawn" else "change"


@dataclass(frozen=True, slots=True)
class Decision:
    """What becomes of one order of a fetched list (or of one the list left out)."""

    number: str
    line: str
    action: str  # accept | revise | withdraw | refuse | keep (nothing to do)
    reason: str = ""
    fingerprint: str = ""
    order: Any = None  # the checked Order (accept, revise)
    refused: str = "download"  # what was not done: download | change | withdrawal
    state: str | None = None  # the order's state at the station

    def words(self) -> str:
        """One line for the console and the notice."""
        head = f"{self.number or '(no ID)'} {self.line or '?'}"
        if self.action == "refuse":
            what = f" ({self.refused})" if self.refused in ("change", "withdrawal") else ""
            return f"{head}: refused{what}: {self.reason}"
        if self.action == "accept":
            return f"{head}: accepted, target {self.order.target}"
        if self.action == "revise":
            return f"{head}: revised in the queue, target {self.order.target}"
        if self.action == "withdraw":
            return f"{head}: withdrawn from the queue ({self.reason})"
        return f"{head}: as the station has it"


@dataclass(frozen=True, slots=True)
class IntakeStatus:
    """What the target's ``orders_*`` tags show."""

    target: str
    state: str
    last_poll: float | None  # epoch s of the last fetch that worked
    error: str
    refused: int  # orders whose latest version is refused
    notice: str  # the latest refusal, in words


class Intake:
    """One source's orders into the queue: ``load``, then ``start`` (a worker thread), or
    ``poll`` / ``preview`` once from a console."""

    def __init__(
        self,
        config: TargetConfig,
        source: OrderSource,
        orders: Any,
        store: Writer,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        on_status: Callable[[IntakeStatus], None] | None = None,
    ) -> None:
        assert config.orders is not None
        self.config = config
        self.name = config.name
        self.source = source
        self.orders = orders
        self.store = store
        self.clock = clock
        self.poll_s = config.orders.poll
        #: the lines it takes orders for (the source asks for these)
        self.lines: tuple[str, ...] = tuple(getattr(source, "lines", ()))
        self.on_status = on_status
        self.connection = ConnectionState(config.backoff, clock=monotonic)
        self.state = OK
        self.last_poll: float | None = None
        self.error = ""
        self.notice = ""
        self.failing_since: float | None = None
        self.known: dict[str, tuple[str, str, str]] = {}  # number -> line, fingerprint, verdict
        self._twice: set[tuple[str, str]] = set()  # second entries of a number, reported
        self._placed: dict[str, int] = {}  # line -> last place given in this decision
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    # -- life -----------------------------------------------------------------------------

    def load(self) -> Intake:
        """The table, and what was decided before (a restart decides nothing twice)."""
        with contextlib.closing(connect(self.store.path)) as conn:
            migrate(conn, COMPONENT, SCHEMA)
            rows = conn.execute(
                "SELECT number, line, fingerprint, verdict, reason FROM mes_orders_in "
                "WHERE source = ? ORDER BY ts",
                (self.name,),
            ).fetchall()
        for number, line, print_, verdict, reason in rows:
            self.known[number] = (line, print_, verdict)
            if verdict in (REFUSED, KEPT):
                self.notice = f"{number} {line}: {reason}"
        return self

    def start(self) -> Intake:
        self._thread = threading.Thread(target=self._run, name=f"hmi-mes-orders-{self.name}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with contextlib.suppress(Exception):
            self.source.close()

    def wake(self) -> None:
        """Ask now rather than at the next poll."""
        self._wake.set()

    def _run(self) -> None:
        self._publish()
        while not self._stopping:
            try:
                self.poll()
            except TargetError as error:
                self._failed(error)
            except Exception as error:  # never the end of the worker
                log.exception("MES orders from %s: a poll failed", self.name)
                self._failed(TargetError(f"{type(error).__name__}: {error}"))
            wait = self.connection.wait() if self.state != OK else self.poll_s
            self._wake.wait(wait)
            self._wake.clear()

    # -- one poll -------------------------------------------------------------------------

    def poll(self) -> list[Decision]:
        """Fetch, decide and apply; ``TargetError`` (nothing changed) when the MES could not
        be asked or a record could not be kept."""
        released = self.source.fetch()
        decisions = self.decide(released) if self.source.changed else []
        accepted = [d for d in decisions if d.action == "accept"]
        if accepted:  # one transaction for a new list's orders, one for what was decided
            self.orders.receive([d.order for d in accepted], MES_USER)
            self._record(accepted, ACCEPTED)
        for decision in decisions:
            if decision.action != "accept":
                self._apply(decision)
        self._succeeded()
        return decisions

    def preview(self) -> list[Decision]:
        """What a poll would do now, every order of the list included; nothing written."""
        released = self.source.fetch()
        return self.decide(released, everything=True)

    def decide(self, released: list[Any], everything: bool = False) -> list[Decision]:
        """A decision per order of ``released`` (the lists of the source's lines) and per
        order of ours that it left out; ``everything``: also those with nothing to do."""
        now = self.clock()
        decisions: list[Decision] = []
        listed: set[str] = set()
        self._placed = {}
        for job in released:
            decision = self._decide_one(job, listed, now)
            listed.add(decision.number)
            known = self.known.get(decision.number)
            news = known is None or known[1] != decision.fingerprint
            if everything or decision.action != "keep" or news:
                decisions.append(decision)
        lines = set(self.lines)
        for number, (line, _, verdict) in list(self.known.items()):
            if number in listed or verdict not in (ACCEPTED, KEPT) or line not in lines:
                continue
            gone = self._left_out(number, line)
            if gone is not None:
                decisions.append(gone)
        return decisions

    def _decide_one(self, job: Any, listed: set[str], now: float) -> Decision:
        number = order_id(job)
        print_ = fingerprint(job)
        line = job.get("EquipmentID") if isinstance(job, Mapping) else None
        line = line if isinstance(line, str) else ""
        seen = self.known.get(number)
        if seen is not None and seen[1] == print_:
            return Decision(number, line, "keep", fingerprint=print_)
        if number and number in listed:
            return Decision(
                number, line, "refuse", "listed twice by the MES: only its first entry is taken",
                print_, refused="twice",
            )  # fmt: skip
        fields, problem = order_fields(job, now)
        if problem:
            return Decision(number, line, "refuse", problem, print_)
        existing = self.orders.order(number)
        if existing is not None and existing.source != "mes":
            return Decision(
                number, line, "refuse",
                f"order {number} exists already at the station ({existing.source}, "
                f"{existing.state.value}): a number is one order",
                print_, state=existing.state.value,
            )  # fmt: skip
        if "sequence" not in fields:  # no Priority: its place stays, or after the queue
            fields["sequence"] = existing.sequence if existing else self._place(line)
        try:
            order = self.orders.check_released(fields)
        except ValueError as error:  # OrdersError: what an import would refuse the row for
            refused = "download" if existing is None else "change"
            state = None if existing is None else existing.state.value
            return Decision(number, line, "refuse", str(error), print_, refused=refused,
                            state=state)  # fmt: skip
        unknown = sorted(set(job["ProductData"]) - set(order.product))
        if unknown:
            expected = ", ".join(order.product)
            why = f"unknown product field {unknown[0]!r} for {order.line}; expected {expected}"
            return Decision(number, line, "refuse", why, print_)
        if order.line not in self.lines:
            return Decision(
                number, line, "refuse",
                f"it is released for {order.line}, whose orders this station does not take "
                f"from {self.name} (orders: lines: {', '.join(self.lines)})",
                print_,
            )  # fmt: skip
        if existing is None:
            return Decision(number, order.line, "accept", fingerprint=print_, order=order)
        if existing.line != order.line:
            return Decision(
                number, line, "refuse",
                f"order {number} is {existing.state.value} on {existing.line}: it is not moved "
                f"to {order.line}; withdraw it and release the order under a new number",
                print_, refused="change", state=existing.state.value,
            )  # fmt: skip
        if existing.state.value != "released":
            if _same(existing, order):
                return Decision(number, line, "keep", fingerprint=print_)
            why = (
                f"order {number} is {existing.state.value} on {existing.line} since "
                f"{_clock(existing.started)}: a started order is never changed; the MES's "
                "change is not applied"
                if existing.started is not None
                else f"order {number} is {existing.state.value}: the MES's change is not applied"
            )
            return Decision(number, line, "refuse", why, print_, refused="change",
                            state=existing.state.value)  # fmt: skip
        if _same(existing, order):
            return Decision(number, line, "keep", fingerprint=print_)
        return Decision(number, line, "revise", fingerprint=print_, order=order)

    def _place(self, line: str) -> int:
        """The next place at the end of ``line``'s orders, in the order the list has them."""
        last = self._placed.get(line)
        if last is None:
            last = max((o.sequence for o in self.orders.orders(line)), default=0)
        self._placed[line] = last + 1
        return last + 1

    def _left_out(self, number: str, line: str) -> Decision | None:
        existing = self.orders.order(number)
        if existing is None or existing.state.closed:
            return None
        if existing.state.value == "released":
            return Decision(number, line, "withdraw", "withdrawn by the MES")
        if self.known[number][2] == KEPT and self.known[number][1] == "withdrawn":
            return None  # reported already
        return Decision(
            number, line, "refuse",
            f"order {number} is {existing.state.value} on {line}: it is not withdrawn while "
            "it started; hold, complete or abort it at the line",
            "withdrawn", refused="withdrawal", state=existing.state.value,
        )  # fmt: skip

    # -- applying -------------------------------------------------------------------------

    def _apply(self, d: Decision) -> None:
        if d.action in ("revise", "withdraw"):
            self._change(d)
        elif d.action == "refuse":
            self._refuse(d)
        elif d.action == "keep" and d.number:
            known = self.known.get(d.number)
            self._record([d], known[2] if known is not None else ACCEPTED)

    def _change(self, d: Decision) -> None:
        try:
            if d.action == "revise":
                self.orders.revise(d.order, MES_USER)
                self._record([d], ACCEPTED)
            else:
                self.orders.withdraw(d.number, MES_USER, d.reason)
                self._record([replace(d, fingerprint="withdrawn")], WITHDRAWN)
        except ValueError as error:  # OrdersError: it started at the line meanwhile
            existing = self.orders.order(d.number)
            revise = d.action == "revise"
            self._refuse(
                replace(
                    d,
                    action="refuse",
                    reason=str(error),
                    fingerprint=d.fingerprint if revise else "withdrawn",
                    refused="change" if revise else "withdrawal",
                    state=existing.state.value if existing is not None else None,
                )
            )

    def _refuse(self, d: Decision) -> None:
        if d.refused == "twice":  # its first entry has the number: no verdict of its own
            if (d.number, d.fingerprint) not in self._twice:
                self.source.report(d.number, False, d.reason, line=d.line, refused="download")
                self._twice.add((d.number, d.fingerprint))
                self.notice = d.words()
            return
        self.source.report(d.number, False, d.reason, line=d.line, refused=d.refused, state=d.state)
        # a refused change or withdrawal leaves the order as it was: still ours
        self._record([d], KEPT if d.refused != "download" else REFUSED)
        self.notice = d.words()
        log.warning("MES order %s", d.words())

    def _record(self, decided: list[Decision], verdict: str) -> None:
        now = self.clock()
        rows = [
            (self.name, d.number, d.line, d.fingerprint, verdict, d.reason, now) for d in decided
        ]

        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR REPLACE INTO mes_orders_in (source, number, line, fingerprint, "
                "verdict, reason, ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

        commit(self.store, job)
        for d in decided:
            self.known[d.number] = (d.line, d.fingerprint, verdict)

    # -- what it shows --------------------------------------------------------------------

    def _succeeded(self) -> None:
        self.connection.succeeded()
        self.last_poll = self.clock()
        if self.state != OK:
            log.info("MES orders from %s: recovered", self.name)
        self.state, self.error, self.failing_since = OK, "", None
        self._publish()

    def _failed(self, error: TargetError) -> None:
        wait = self.connection.failed()
        if error.retry_after is not None and error.retry_after > wait:
            self.connection.next_try = self.connection.clock() + error.retry_after
        now = self.clock()
        self.failing_since = self.failing_since or now
        failing = (
            self.connection.failures >= FAILING_ATTEMPTS
            or now - self.failing_since >= self.config.failing_after
        )
        message = str(error) or type(error).__name__
        if message != self.error:
            log.warning("MES orders from %s: %s", self.name, message)
        self.state, self.error = (FAILING if failing else RETRYING), message
        with contextlib.suppress(Exception):
            self.source.close()  # a new connection (and the credentials read again) next time
        self._publish()

    def status(self) -> IntakeStatus:
        refused = sum(1 for _, _, v in self.known.values() if v == REFUSED)
        return IntakeStatus(self.name, self.state, self.last_poll, self.error, refused, self.notice)

    def _publish(self) -> None:
        if self.on_status is not None:
            try:
                self.on_status(self.status())
            except Exception:
                log.exception("MES orders from %s: publishing its status failed", self.name)


def _same(order: Any, other: Any) -> bool:
    """The same order for the line (what the MES may change)."""
    return (
        order.target == other.target
        and order.product == other.product
        and order.ideal_cycle_s == other.ideal_cycle_s
        and order.sequence == other.sequence
    )


def _clock(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "?"
