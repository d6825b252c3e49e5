"""``Orders``: what operators, supervisors, the views, the report and the MES sync act
through (the shared state in ``state``, counting and downtime in ``flow``, OEE and the
shift report in ``periods``).

Each action asks ``Access`` first (a refusal is recorded and raised as ``OrdersError``
with the reason), validates its input, writes its record and outbox row in one durable
transaction, returns once that is on disk, then records the action for the audit trail
and tells the watchers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import outbox
from ..words import describe_value, did_you_mean
from . import records
from .config import LINE_TYPES
from .flow import Flow
from .model import (
    TRANSITIONS,
    Correction,
    CountStep,
    Order,
    OrderChange,
    OrderState,
    Scrap,
    ShiftReport,
    ShiftSpan,
)
from .periods import Periods
from .products import MAX_QUANTITY, check_product, piece_kg
from .state import (
    ABORT,
    ASSIGN,
    COMPLETE,
    CORRECT,
    HOLD,
    MANAGE,
    REPORTS,
    SCRAP,
    START,
    OrdersError,
    log,
    scrap_payload,
    seconds,
    state_payload,
    whole,
)
from .transfer import ImportResult, export_orders, read_order_file

__all__ = [
    "ABORT",
    "ASSIGN",
    "COMPLETE",
    "CORRECT",
    "HOLD",
    "MANAGE",
    "REPORTS",
    "SCRAP",
    "START",
    "ImportResult",
    "Orders",
    "OrdersError",
]

#: action -> the permission it asks for (resume is a hold's other half)
ACTION_PERMISSION = {
    "start": START,
    "hold": HOLD,
    "resume": HOLD,
    "complete": COMPLETE,
    "abort": ABORT,
}
MAX_SCRAP = 100_000  # in one record: more is a typing error
MAX_NUMBER_LENGTH = 64


class Orders(Flow, Periods):
    """Work orders of one station: see the module's docstring and ``OrdersBase``."""

    # -- acting on orders -------------------------------------------------------------------

    def create(self, order: Order, user: str) -> Order:
        """A new released order; manual entry needs ``orders.manage``, one made at the line
        while the MES is unreachable (source ``line``) ``orders.start``."""
        permission = START if order.source == "line" else MANAGE
        self._allowed(user, permission, order.number)
        with self._lock:
            made = self._checked_new(order)
            self._commit(self._creation_job([made], "create", user), made.line)
            self._orders[made.number] = made
        self.access.record(user, "orders.create", made.number, line=made.line, quantity=made.target)
        self._watchers.call(made.line)
        return made

    def import_file(self, path: Path | str, user: str) -> ImportResult:
        """Orders from a CSV or JSON file; rows with problems are refused one by one."""
        self._allowed(user, MANAGE, str(path))
        return self.import_unchecked(path, user)

    def import_unchecked(self, path: Path | str, user: str) -> ImportResult:
        """``import_file`` without asking ``Access``: the station's own setup (the demo's
        queue before anyone signs in), never an operator's action."""
        rows, problems = read_order_file(Path(path))
        made: list[Order] = []
        with self._lock:
            taken = set(self._orders)
            for where, given in rows:
                try:
                    order = self._checked_new(self._from_fields(given, "import"), taken)
                except OrdersError as error:
                    problems.append(f"{where}: {error}")
                    continue
                taken.add(order.number)
                made.append(self._sequenced(order, made))
            if made:
                self._commit(self._creation_job(made, "import", user), made[0].line)
                for order in made:
                    self._orders[order.number] = order
        result = ImportResult([o.number for o in made], problems)
        self.access.record(
            user, "orders.import", str(path), created=len(made), refused=len(problems)
        )
        for line in sorted({o.line for o in made}):
            self._watchers.call(line)
        return result

    # -- orders the MES released (the MES sync downloads them; no person acts) -------------

    def check_released(self, given: Mapping[str, Any], source: str = "mes") -> Order:
        """An order from its fields (as an import row has them) checked as an import checks
        it, except that its number may exist (the caller tells a change from a duplicate);
        ``OrdersError`` says why not. Nothing is written."""
        with self._lock:
            return self._checked_new(self._from_fields(given, source), ())

    def receive(self, made: list[Order], user: str) -> None:
        """Orders checked by ``check_released`` into their lines' queues, one durable
        transaction, each recorded as downloaded by ``user`` (the MES)."""
        if not made:
            return
        with self._lock:
            for order in made:
                if order.number in self._orders:
                    raise OrdersError(f"order {order.number} exists already")
            self._commit(self._creation_job(made, "download", user), made[0].line)
            for order in made:
                self._orders[order.number] = order
        for order in made:
            self.access.record(
                user, "orders.download", order.number, line=order.line, quantity=order.target
            )
        for line in sorted({o.line for o in made}):
            self._watchers.call(line)

    def revise(self, changed: Order, user: str) -> Order:
        """A queued order's target, product data, cycle time and place as the MES changed
        them; only while it is released (a started order is never changed)."""
        with self._lock:
            order = self._known(changed.number)
            if order.state is not OrderState.RELEASED or changed.line != order.line:
                raise OrdersError(
                    f"order {order.number} is {order.state.value} on {order.line}: "
                    "only an order still waiting in its queue takes a change"
                )
            revised = dataclasses.replace(
                order,
                target=changed.target,
                product=changed.product,
                ideal_cycle_s=changed.ideal_cycle_s,
                sequence=changed.sequence or order.sequence,
            )
            ts = self.now()
            what = _difference(order, revised)
            change = OrderChange(order.number, "revise", order.state, user, ts, what)
            event = outbox.event(order.number, "order.state", state_payload(revised, change), ts)

            def job(conn: Any) -> None:
                records.update_order_data(conn, revised)
                records.insert_change(conn, change)
                outbox.write(conn, [event])

            self._commit(job, order.line)
            self._orders[order.number] = revised
        self.access.record(user, "orders.revise", order.number, line=order.line, reason=what)
        self._watchers.call(order.line)
        return revised

    def withdraw(self, number: str, user: str, reason: str) -> Order:
        """A queued order the MES withdrew: aborted with ``reason`` (its record stays);
        only while it is released."""
        with self._lock:
            order = self._known(number)
            if order.state is not OrderState.RELEASED:
                raise OrdersError(
                    f"order {number} is {order.state.value}: only an order still waiting "
                    "in its queue is withdrawn"
                )
            ts = self.now()
            changed = dataclasses.replace(order, state=OrderState.ABORTED, ended=ts)
            change = OrderChange(number, "withdraw", changed.state, user, ts, reason)
            event = outbox.event(number, "order.state", state_payload(changed, change), ts)

            def job(conn: Any) -> None:
                records.update_order_state(conn, changed)
                records.insert_change(conn, change)
                outbox.write(conn, [event])

            self._commit(job, order.line)
            self._orders[number] = changed
        self.access.record(user, "orders.withdraw", number, line=order.line, reason=reason)
        self._watchers.call(order.line)
        return changed

    def export(self, fmt: str = "csv", line: str | None = None) -> str:
        return export_orders(self.orders(line), fmt, LINE_TYPES)

    def start(self, number: str, user: str) -> Order:
        return self._transition(number, "start", user, "")

    def hold(self, number: str, user: str, reason: str) -> Order:
        return self._transition(number, "hold", user, reason, need_reason=True)

    def resume(self, number: str, user: str) -> Order:
        return self._transition(number, "resume", user, "")

    def complete(self, number: str, user: str, reason: str = "") -> Order:
        return self._transition(number, "complete", user, reason)

    def abort(self, number: str, user: str, reason: str) -> Order:
        return self._transition(number, "abort", user, reason, need_reason=True)

    def resequence(self, line: str, numbers: list[str], user: str) -> None:
        """Put ``numbers`` first in the line's queue, in that order; the rest follow."""
        self._allowed(user, MANAGE, line)
        with self._lock:
            self._line(line)
            queued = self.queue(line)
            known = {o.number for o in queued}
            for number in numbers:
                if number not in known:
                    raise OrdersError(
                        f"order {number!r} is not in the queue of {line}: "
                        + did_you_mean(number, known, "queued orders")
                    )
            wanted = list(dict.fromkeys(numbers))
            ordered = wanted + [o.number for o in queued if o.number not in wanted]
            ts = self.now()
            changed = [
                dataclasses.replace(self._orders[n], sequence=i + 1) for i, n in enumerate(ordered)
            ]
            events = [
                outbox.event(
                    outbox.line_stream(line),
                    "order.sequence",
                    {"line": line, "orders": ordered, "user": user},
                    ts,
                )
            ]
            changes = [
                OrderChange(o.number, "resequence", o.state, user, ts, f"position {o.sequence}")
                for o in changed
            ]

            def job(conn: Any) -> None:
                for order in changed:
                    records.update_order_state(conn, order)
                for change in changes:
                    records.insert_change(conn, change)
                outbox.write(conn, events)

            self._commit(job, line)
            for order in changed:
                self._orders[order.number] = order
        self.access.record(user, "orders.resequence", line, orders=ordered)
        self._watchers.call(line)

    def record_scrap(self, number: str, quantity: Any, reason: str, user: str) -> Scrap:
        """Scrap found by a person (beyond what the scrap counter saw), with its reason."""
        self._allowed(user, SCRAP, number)
        amount = whole(quantity, "scrap quantity", 1, MAX_SCRAP)
        reason = (reason or "").strip()
        if reason not in self.config.scrap_reasons:
            raise OrdersError(
                f"scrap reason {reason!r} is not in the project: "
                + did_you_mean(reason, self.config.scrap_reasons, "scrap reasons")
            )
        with self._lock:
            order = self._known(number)
            if order.state is OrderState.RELEASED:
                raise OrdersError(f"order {number} has not started: nothing to scrap yet")
            self._flush_line(order.line)
            ts = self.now()
            record = Scrap(number, order.line, amount, reason, user, ts, amount * piece_kg(order))
            step = CountStep(order.line, "scrap", amount, None, None, "manual", ts, number)
            event = outbox.event(number, "scrap", scrap_payload(record), ts)

            def job(conn: Any) -> None:
                records.insert_scrap(conn, record)
                records.insert_steps(conn, [step], f"user:{user}")
                records.add_totals(conn, number, 0, amount, 0)
                outbox.write(conn, [event])

            self._commit(job, order.line)
            self._scrap.append(record)
            self._orders[number] = dataclasses.replace(order, scrap=order.scrap + amount)
        self.access.record(user, SCRAP, number, quantity=amount, reason=reason)
        self._watchers.call(order.line)
        return record

    def correct_count(
        self, number: str, counter: str, value: Any, reason: str, user: str
    ) -> Correction:
        """Set an order's good or scrap count; the original stays beside the correction."""
        self._allowed(user, CORRECT, number)
        if counter not in ("good", "scrap"):
            raise OrdersError(f"a correction is of the good or the scrap count, not {counter!r}")
        after = whole(value, f"corrected {counter} count", 0, MAX_QUANTITY)
        reason = (reason or "").strip()
        if not reason:
            raise OrdersError("a correction needs a reason")
        with self._lock:
            order = self._known(number)
            self._flush_line(order.line)
            order = self._orders[number]
            before = order.good if counter == "good" else order.scrap
            if after == before:
                raise OrdersError(f"the {counter} count of {number} is already {before}")
            ts = self.now()
            record = Correction(number, counter, before, after, user, reason, ts)
            delta = after - before
            step = CountStep(order.line, counter, delta, None, None, "correction", ts, number)
            payload: dict[str, Any] = {"order": number, "line": order.line, "counter": counter}
            payload |= {"before": before, "after": after, "user": user}
            event = outbox.event(number, "correction", payload | {"reason": reason}, ts)
            good, scrap = (delta, 0) if counter == "good" else (0, delta)

            def job(conn: Any) -> None:
                records.insert_correction(conn, record)
                records.insert_steps(conn, [step], f"user:{user}")
                records.add_totals(conn, number, good, scrap, 0)
                outbox.write(conn, [event])

            self._commit(job, order.line)
            self._corrections.append(record)
            self._orders[number] = dataclasses.replace(
                order, good=order.good + good, scrap=order.scrap + scrap
            )
        self.access.record(
            user, CORRECT, number, counter=counter, before=before, after=after, reason=reason
        )
        self._watchers.call(order.line)
        return record

    # -- internals --------------------------------------------------------------------------

    def _transition(
        self, number: str, action: str, user: str, reason: str, need_reason: bool = False
    ) -> Order:
        self._allowed(user, ACTION_PERMISSION[action], number)
        reason = (reason or "").strip()
        if need_reason and not reason:
            raise OrdersError(f"to {action} an order, give the reason")
        sources, target = TRANSITIONS[action]
        with self._lock:
            order = self._known(number)
            if order.state not in sources:
                raise OrdersError(
                    f"order {number} is {order.state.value}: it cannot {action} "
                    f"(only a {' or '.join(s.value for s in sources)} order can)"
                )
            if action in ("start", "resume"):
                other = self.running(order.line)
                if other is not None and other.number != number:
                    raise OrdersError(
                        f"order {other.number} is running on {order.line}: hold or complete it "
                        f"before you {action} {number}"
                    )
            self._flush_line(order.line)  # counts so far belong to the state before
            order = self._orders[number]
            ts = self.now()
            changed = dataclasses.replace(
                order,
                state=target,
                started=ts if action == "start" else order.started,
                ended=ts if target.closed else order.ended,
            )
            change = OrderChange(number, action, target, user, ts, reason)
            event = outbox.event(number, "order.state", state_payload(changed, change), ts)

            def job(conn: Any) -> None:
                records.update_order_state(conn, changed)
                records.insert_change(conn, change)
                outbox.write(conn, [event])

            self._commit(job, order.line)
            self._orders[number] = changed
            if target is OrderState.RUNNING:
                self._last_tick[order.line] = ts
        self.access.record(user, f"orders.{action}", number, line=order.line, reason=reason)
        self._watchers.call(order.line)
        hook = {"start": self.on_started, "complete": self.on_ended, "abort": self.on_ended}
        if (told := hook.get(action)) is not None:
            try:
                told(changed, user)
            except Exception:
                log.exception("after the %s of order %s", action, number)
        return changed

    def _from_fields(self, given: Mapping[str, Any], source: str) -> Order:
        """An order from the fields of an import row (text or numbers)."""
        line = str(given.get("line") or "").strip()
        cfg = self._line(line)
        product = {k: given.get(k) for k in LINE_TYPES[cfg.type] if given.get(k) not in (None, "")}
        cycle = given.get("ideal_cycle_s") or 0.0
        return Order(
            number=str(given.get("number") or "").strip(),
            line=line,
            target=whole(given.get("target"), "target", 1, MAX_QUANTITY),
            product=product,
            sequence=int(whole(given.get("sequence") or 0, "sequence", 0, MAX_QUANTITY)),
            ideal_cycle_s=seconds(cycle),
            source=str(given.get("source") or source),
        )

    def _checked_new(self, order: Order, taken: Iterable[str] | None = None) -> Order:
        number = (order.number or "").strip()
        if not number:
            raise OrdersError("an order needs its number")
        if len(number) > MAX_NUMBER_LENGTH or any(ord(c) < 32 for c in number):
            raise OrdersError(
                f"order number {describe_value(number)} is not one: at most "
                f"{MAX_NUMBER_LENGTH} characters, no control characters"
            )
        if number in (self._orders if taken is None else taken):
            raise OrdersError(f"order {number} exists already")
        cfg = self._line(order.line)
        target = whole(order.target, "target", 1, MAX_QUANTITY)
        product, problem = check_product(LINE_TYPES[cfg.type], order.product)
        if problem:
            raise OrdersError(f"order {number} for {order.line} ({cfg.type}): {problem}")
        return dataclasses.replace(
            order,
            number=number,
            target=target,
            product=product,
            state=OrderState.RELEASED,
            ideal_cycle_s=seconds(order.ideal_cycle_s),
            good=0,
            scrap=0,
            billets=0,
            created=self.now(),
            started=None,
            ended=None,
            run_seconds=0.0,
            sequence=order.sequence or self._next_sequence(order.line),
        )

    def _sequenced(self, order: Order, made: list[Order]) -> Order:
        later = [o.sequence for o in made if o.line == order.line]
        if later and order.sequence <= max(later):
            return dataclasses.replace(order, sequence=max(later) + 1)
        return order

    def _next_sequence(self, line: str) -> int:
        return max((o.sequence for o in self._orders.values() if o.line == line), default=0) + 1

    def _creation_job(self, made: list[Order], action: str, user: str) -> Callable[[Any], None]:
        changes = [OrderChange(o.number, action, o.state, user, o.created) for o in made]
        events = [
            outbox.event(o.number, "order.state", state_payload(o, c), o.created)
            for o, c in zip(made, changes, strict=True)
        ]

        def job(conn: Any) -> None:
            for order in made:
                records.insert_order(conn, order)
            for change in changes:
                records.insert_change(conn, change)
            outbox.write(conn, events)

        return job

    def close_shift(self, line: str, shift: ShiftSpan) -> ShiftReport | None:
        """Record the end of ``shift`` on ``line`` with its figures as a ``shift.end``
        event; None when it was closed already (a restart does not close it twice)."""
        with self._lock:
            if shift.end <= self.closed_shifts.get(line, 0.0):
                return None
            self.tick()  # the shift's last counts belong to it
            report = self.shift_report(line, shift)
            ts = self.now()
            payload = {
                "line": line,
                "shift": shift.key,
                "start": shift.start,
                "end": shift.end,
                "good": report.good,
                "scrap": report.scrap,
                "stops": sum(n for n, _ in report.downtime_by_reason.values()),
                "downtime_s": sum(s for _, s in report.downtime_by_reason.values()),
                "micro_stops": report.micro_stops[0],
                "oee": report.oee.oee,
                "orders": [o.number for o in report.orders],
            }
            event = outbox.event(outbox.line_stream(line), "shift.end", payload, ts)

            def job(conn: Any) -> None:
                conn.execute(
                    'INSERT OR IGNORE INTO shifts_closed (line, shift, start, "end", ts) '
                    "VALUES (?, ?, ?, ?, ?)",
                    (line, shift.key, shift.start, shift.end, ts),
                )
                outbox.write(conn, [event])

            self._commit(job, line)
            self.closed_shifts[line] = max(self.closed_shifts.get(line, 0.0), shift.end)
        self.access.record("", "orders.shift_end", line, shift=shift.key)
        self._watchers.call(line)
        return report


def _difference(before: Order, after: Order) -> str:
    """What a revision changed, in words (``target 100 -> 120; die D-1 -> D-2``)."""
    parts = [f"target {before.target} -> {after.target}"] if before.target != after.target else []
    for name in dict.fromkeys([*before.product, *after.product]):
        old, new = before.product.get(name), after.product.get(name)
        if old != new:
            parts.append(f"{name} {old} -> {new}")
    if before.ideal_cycle_s != after.ideal_cycle_s:
        parts.append(f"ideal cycle {before.ideal_cycle_s:g} s -> {after.ideal_cycle_s:g} s")
    if before.sequence != after.sequence:
        parts.append(f"position {before.sequence} -> {after.sequence}")
    return "; ".join(parts) or "no change"
