"""Released orders from the MES: what an order source is, and the one that asks the HTTP
MES (``GET /orders`` of ``resources/mes/openapi.yaml``).

A source answers ``fetch()`` with the job orders the MES has released for the lines it
serves, as the MES wrote them (ISA-95 JobOrder mappings), and takes ``report(order_id,
accepted, reason)`` for each one the station did not take, or whose change or withdrawal
it did not apply. ``Intake`` (``intake``) decides; a source only carries. Refusals go
into the outbox as ``order.refused`` events, so they reach every target through the same
store and forward as the production events, whatever the source is. The MQTT source
(``orders_mqtt``: retained job orders) and the PostgreSQL one (``orders_pg``: a table of
released orders) keep the same contract; ``target.ORDER_SOURCES`` names each kind's.

The HTTP source sends ``If-None-Match`` with the ``ETag`` of each line's last list, so an
unchanged list costs one ``304`` and no parsing; it uses the HTTP target's connection
code, credentials and TLS (``HttpTarget.request``), never a copy of them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from .. import outbox
from ..store import Writer
from ..words import describe_value, shorten
from .http import HttpTarget, iso
from .target import TargetError

#: the stream of a refusal whose order has no usable number
NO_NUMBER_STREAM = "mes:orders"
#: a source's note that an order could not be read at all (its words), in place of it
UNREADABLE = "_unreadable"
MAX_NUMBER_LENGTH = 64
COMMIT_TIMEOUT_S = 30.0


class OrderSource(Protocol):
    """Where released orders come from (see the module's doc)."""

    name: str
    #: False when the last ``fetch`` found every list as it was (nothing to look at)
    changed: bool

    def fetch(self) -> list[Mapping[str, Any]]:
        """Every order released for the source's lines now (``TargetError`` when the MES
        cannot be asked); the list of a line that did not change is the one kept."""
        ...

    def report(self, order_id: str, accepted: bool, reason: str, **about: Any) -> None:
        """Tell the MES what became of ``order_id`` (``about``: ``line``, ``refused`` =
        download | change | withdrawal, ``state`` at the station); durable on return."""
        ...

    def close(self) -> None: ...


class OutboxReports:
    """``report`` as an ``order.refused`` outbox event, committed before it returns (an
    accepted order needs none: its ``order.state`` event went with its record)."""

    def __init__(self, store: Writer, name: str) -> None:
        self.store = store
        self.name = name

    def report(self, order_id: str, accepted: bool, reason: str, **about: Any) -> None:
        if accepted:
            return
        number = str(order_id)
        usable = number and len(number) <= MAX_NUMBER_LENGTH and number.isprintable()
        payload = {
            "order": number,
            "line": str(about.get("line") or ""),
            "refused": str(about.get("refused") or "download"),
            "reason": reason,
            "state": about.get("state"),
            "source": self.name,
        }
        event = outbox.event(
            number if usable else NO_NUMBER_STREAM, "order.refused", payload, time.time()
        )
        commit(self.store, lambda conn: outbox.write(conn, [event]))


def commit(store: Writer, job: Callable[[sqlite3.Connection], None]) -> None:
    """``job`` as a durable store job, waited for; ``TargetError`` when it is not on disk."""
    done = threading.Event()
    errors: list[BaseException] = []

    def run(conn: sqlite3.Connection) -> None:
        try:
            job(conn)
        except Exception as exc:
            errors.append(exc)
            raise

    store.submit(run, durable=True, on_commit=done.set)
    store.flush(0)
    if not done.wait(COMMIT_TIMEOUT_S):
        problem = store.problem or (errors and str(errors[-1])) or "the store did not answer"
        raise TargetError(f"a record for the MES is not on disk yet: {problem}")


class HttpOrderSource(OutboxReports):
    """``GET <url>/orders?line=L`` for each line, with the line's ETag."""

    def __init__(self, target: HttpTarget, lines: Sequence[str], store: Writer) -> None:
        super().__init__(store, target.name)
        self.target = target
        self.lines = tuple(lines)
        self.changed = True
        self.requests = 0  # GETs sent (each attempt), for the tests and the console
        self._etags: dict[str, str] = {}
        self._lists: dict[str, list[Mapping[str, Any]]] = {}

    @classmethod
    def build(cls, target: Any, lines: Sequence[str], store: Writer) -> HttpOrderSource:
        return cls(target, lines, store)

    def fetch(self) -> list[Mapping[str, Any]]:
        changed = False
        for line in self.lines:
            changed = self._fetch_line(line) or changed
        self.changed = changed
        return [order for line in self.lines for order in self._lists.get(line, [])]

    def _fetch_line(self, line: str) -> bool:
        headers = {"If-None-Match": self._etags[line]} if line in self._etags else {}
        self.requests += 1
        status, body, head = self.target.request(
            "GET", f"/orders?line={quote(line, safe='')}", headers
        )
        if status == 304 and line in self._lists:
            return False
        if status != 200:
            raise self.target.failure(status, body, head)
        self._lists[line] = job_orders(body, f"{self.target.url}/orders?line={line}")
        etag = head.get("ETag")
        if etag:
            self._etags[line] = etag
        else:
            self._etags.pop(line, None)
        return True

    def close(self) -> None:
        self.target.close()


def job_orders(body: bytes, where: str) -> list[Mapping[str, Any]]:
    """The ``orders`` of a JobOrderList answer; ``TargetError`` naming what is wrong."""
    try:
        data = json.loads(body)
    except RecursionError:
        raise TargetError(f"malformed answer from {where}: JSON nested too deep") from None
    except ValueError as error:
        preview = body[:80].decode("utf-8", "replace")
        raise TargetError(
            f"malformed answer from {where}: not JSON ({error}): {preview!r}"
        ) from None
    orders = data.get("orders") if isinstance(data, Mapping) else None
    if not isinstance(orders, list):
        got = (
            f"an object with {shorten(', '.join(map(str, data)) or 'nothing')}"
            if isinstance(data, Mapping)
            else describe_value(data)
        )
        raise TargetError(f'malformed answer from {where}: expected {{"orders": [...]}}, got {got}')
    return orders


# -- a JobOrder as the fields of an order -----------------------------------------------


def order_id(job: Any) -> str:
    """The order's number as the MES wrote it ('' when there is none)."""
    value = job.get("ID") if isinstance(job, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def order_fields(job: Any, now: float, future_skew: float = 3600.0) -> tuple[dict[str, Any], str]:
    """The fields of an import row (number, line, target, product fields, sequence,
    ideal_cycle_s, source) from a JobOrder, or the first problem of its shape and dates
    in words (what the orders service checks comes after)."""
    if not isinstance(job, Mapping):
        return {}, f"a job order is an object, not {describe_value(job)}"
    if job.get(UNREADABLE):
        return {}, f"the job order cannot be read: {job[UNREADABLE]}"
    number = order_id(job)
    if not number:
        return {}, "the job order has no ID (its number)"
    line = job.get("EquipmentID")
    if not isinstance(line, str) or not line.strip():
        return {}, "the job order has no EquipmentID (its line)"
    target = job.get("Target")
    if not isinstance(target, Mapping) or "QuantityString" not in target:
        return {}, "the job order has no Target {QuantityString, UnitOfMeasure}"
    unit = target.get("UnitOfMeasure", "pieces")
    if unit != "pieces":
        return {}, f"its Target is in {shorten(str(unit))}; the line counts pieces"
    product = job.get("ProductData")
    if not isinstance(product, Mapping):
        return {}, f"its ProductData is {describe_value(product)}, not an object"
    problem = _dates(job, now, future_skew)
    if problem:
        return {}, problem
    fields: dict[str, Any] = {str(k).strip().lower(): v for k, v in product.items()}
    fields.update(number=number, line=line.strip(), target=target["QuantityString"])
    fields["source"] = "mes"
    if job.get("Priority") is not None:
        fields["sequence"] = job["Priority"]
    cycle = job.get("IdealCycleSeconds")
    if cycle is not None:
        fields["ideal_cycle_s"] = cycle
    return fields, ""


def _dates(job: Mapping[str, Any], now: float, future_skew: float) -> str:
    times: dict[str, float] = {}
    for name in ("ReleasedTime", "StartTime", "EndTime"):
        value = job.get(name)
        if value is None:
            continue
        moment = _time(value)
        if moment is None:
            example = "2026-12-04T06:00:00Z"
            return f"its {name} {describe_value(value)} is not a UTC time such as {example}"
        times[name] = moment
    released = times.get("ReleasedTime")
    if released is not None and released > now + future_skew:
        return (
            f"it was released in the future ({iso(released)}): the MES's clock or this "
            "station's is wrong"
        )
    start, end = times.get("StartTime"), times.get("EndTime")
    if start is not None and end is not None and end <= start:
        return f"its EndTime {iso(end)} is not after its StartTime {iso(start)}"
    if released is not None and end is not None and end < released:
        return f"its EndTime {iso(end)} is before it was released ({iso(released)})"
    return ""


def _time(value: Any) -> float | None:
    if not isinstance(value, str) or not value.endswith("Z"):
        return None
    try:
        return datetime.fromisoformat(value[:-1] + "+00:00").timestamp()
    except ValueError:
        return None


def fingerprint(job: Any) -> str:
    """The same for the same order as the MES wrote it, whatever the key order."""
    text = json.dumps(job, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
