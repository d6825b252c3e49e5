"""The HTTP MES target: batches of ISA-95 / B2MML-shaped messages POSTed to ``<url>/events``
as ``resources/mes/openapi.yaml`` describes them.

```yaml
mes:
  targets:
    mes:
      kind: http
      url: https://mes.plant.local/linea      # https:// (http:// only without auth)
      auth: {bearer: {secret: mes_token}}      # or basic: {user: linea, password: {secret: pw}}
      ca: certs/plant-ca.pem                   # the CA that signed the MES's certificate
      timeout: 10s                             # one request, connect to answer
      batch: 500                               # messages per request (the default)
```

Stdlib ``http.client`` over one kept-alive connection is all it needs (no new runtime
dependency). TLS is always verified, against ``ca`` alone when it is given, and there is
no switch to turn it off: a plant that cannot get a certificate right must not send
production records to whoever answers. Whatever says "not now" (network, TLS, 401/403,
429/503 with ``Retry-After``, 5xx, a timeout, an answer that does not follow the contract)
raises ``TargetError`` for the whole batch, so nothing is quarantined for a fault of the
link or the configuration; only an event the MES itself refuses is. A batch refused as a
whole (400/422) is split in halves until the refused events stand alone, so one poison
event costs about ``2·log2(batch)`` requests and the rest of its batch goes through.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import http.client
import json
import socket
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..outbox import OutboxEvent
from ..project.fields import Fields, as_number
from ..project.limits import DurationRange, WholeRange
from ..project.models import Problem
from ..secrets import SecretError, SecretStore, name_problem, open_store, reference
from ..words import shorten
from .target import COMMON_KEYS, Outcome, TargetError

FIELDS = ("url", "auth", "ca", "timeout")  # and the COMMON_KEYS the MES reads itself
TIMEOUT = DurationRange(0.1, 600.0, "10s")
BATCH = WholeRange(1, 1000)  # the contract's maxItems
#: messages per request: each request costs a round trip and the worker's durable commit of
#: its outcome, so larger batches drain a backlog faster (350,000 events: 500 a request is
#: about 3x the events/s of 100, bench_mes_drain); 500 messages are about 300 kB, which an
#: MES endpoint takes, and a poison event among them costs at most 19 requests to find
DEFAULT_BATCH = 500
MAX_ANSWER = 16 * 1024 * 1024  # bytes read of one answer; more is a malformed answer
EVENTS_PATH = "/events"
PIECES = "pieces"


@dataclass(frozen=True, slots=True)
class Auth:
    """``bearer`` (a token) or ``basic`` (``user`` and a password), each a secret's name."""

    scheme: str  # bearer | basic
    secret: str
    user: str = ""


# -- reading the entry -------------------------------------------------------------------


def _auth(fields: Fields) -> Auth | None:
    value = fields.get("auth")
    if value is None:
        return None
    example = "{bearer: {secret: mes_token}} or {basic: {user: linea, password: {secret: mes_pw}}}"
    if (
        not isinstance(value, Mapping)
        or len(value) != 1
        or next(iter(value))
        not in (
            "bearer",
            "basic",
        )
    ):
        fields.wrong("auth", example)
        return None
    auth = fields.nested("auth", value, f"{fields.label}: auth" if fields.label else "auth")
    scheme = str(next(iter(value)))
    if scheme == "bearer":
        name = _secret_name(auth, "bearer", "the token")
        return Auth("bearer", name) if name else None
    basic = auth.child("basic", "{user: linea, password: {secret: mes_pw}}")
    if basic is None:
        return None
    basic.unknown_keys(("user", "password"))
    user = basic.text("user")
    if user is None:
        basic.problem(None, "user: the user name the MES knows this station by")
    elif ":" in user:
        basic.problem("user", "user: a basic-auth user name cannot hold ':'")
    name = _secret_name(basic, "password", "a password")
    return Auth("basic", name, user) if name and user and not basic.failed else None


def _secret_name(fields: Fields, key: str, what: str) -> str | None:
    """The secret's name written at ``key``; a value written in clear is refused (and never
    repeated in the message)."""
    value = fields.data.get(key)
    name = reference(value)
    if name is None:
        fields.problem(
            key,
            f"{key}: {what} is never written in the project; write {{secret: NAME}} and store "
            "it with hmi secret set NAME",
        )
        return None
    problem = name_problem(name)
    if problem:
        fields.problem(key, f"{key}: {problem}")
        return None
    return name


def _url(fields: Fields) -> str | None:
    url = fields.text("url")
    if url is None:
        fields.problem(None, "url: the MES endpoint, such as https://mes.plant.local/linea")
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as error:
        fields.problem("url", f"url: '{shorten(url)}' is not a URL ({error})")
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        fields.problem(
            "url", f"url: '{shorten(url)}' is not an http(s) URL such as https://mes/api"
        )
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        fields.problem(
            "url", "url: give scheme, host, port and path only (credentials go in auth:)"
        )
        return None
    return url.rstrip("/")


def _ca(fields: Fields, root: Path) -> str | None:
    ca = fields.text("ca")
    if ca is None:
        return None
    path = Path(ca) if Path(ca).is_absolute() else root / ca
    if not path.is_file():
        where = "" if Path(ca).is_absolute() else " in the project's folder"
        fields.problem("ca", f"ca: no file {shorten(ca)}{where}")
        return None
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as error:
        fields.problem("ca", f"ca: {shorten(ca)} holds no PEM certificate ({_plain(error)})")
        return None
    return str(path)


def _batch(fields: Fields) -> int:
    """Messages per request: ``batch`` (read and checked by the MES for every target) within
    the contract's limit of one request."""
    value = as_number(fields.get("batch"))
    if value is None or not value.is_integer() or value < 1:
        return DEFAULT_BATCH  # the MES's reader says what is wrong with it
    if value > BATCH.highest:
        fields.problem(
            "batch", f"batch: at most {BATCH.highest} messages go in one request to an HTTP MES"
        )
    return min(int(value), BATCH.highest)


# -- shaping the messages ----------------------------------------------------------------


def iso(ts: Any) -> str:
    """Epoch seconds as the contract's UTC time (RFC 3339, milliseconds, ``Z``)."""
    moment = datetime.fromtimestamp(float(ts), UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _quantity(amount: Any, unit: str = PIECES) -> dict[str, Any]:
    return {"QuantityString": amount, "UnitOfMeasure": unit}


def _material(use: str, amount: Any, unit: str = PIECES, reason: str = "") -> dict[str, Any]:
    out = {"MaterialUse": use, "Quantity": _quantity(amount, unit)}
    if reason:
        out["ReasonCode"] = reason
    return out


#: a counter role → the ISA-95 material use (and unit) it adds to
ROLE_USE = {
    "good": ("Produced", PIECES),
    "scrap": ("Scrap", PIECES),
    "billets": ("Consumed", "billets"),
    "uninspected": ("Uninspected", PIECES),
}


def _job_response(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "JobResponse": {
            "ID": e.key,
            "JobOrderID": str(p["order"]),
            "JobState": str(p["state"]).capitalize(),
            "Action": str(p["action"]),
            "PersonnelID": str(p.get("user") or ""),
            "Reason": str(p.get("reason") or ""),
            "Target": _quantity(int(p.get("target") or 0)),
            "MaterialActual": [
                _material("Produced", int(p.get("good") or 0)),
                _material("Scrap", int(p.get("scrap") or 0)),
                _material("Uninspected", int(p.get("uninspected") or 0)),
            ],
            "ProductData": dict(p.get("product") or {}),
        }
    }


def _job_list(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "JobList": {
            "ID": e.key,
            "EquipmentID": str(p["line"]),
            "JobOrderIDs": [str(n) for n in p["orders"]],
            "PersonnelID": str(p.get("user") or ""),
        }
    }


def _count(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    sums = p.get("counts") or {}
    return {
        "ProductionPerformance": {
            "ID": e.key,
            "JobOrderID": p.get("order"),
            "MaterialActual": [
                _material(ROLE_USE[role][0], int(n), ROLE_USE[role][1]) for role, n in sums.items()
            ],
            "CounterReadings": [
                {
                    "Role": role,
                    "Delta": int(delta),
                    "RawBefore": before,
                    "RawAfter": after,
                    "Kind": kind,
                    "Time": iso(ts),
                    "Source": str(source),
                }
                for role, delta, before, after, kind, ts, source in p.get("steps") or []
            ],
        }
    }


def _scrap(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    reason = str(p.get("reason") or "")
    material = [_material("Scrap", int(p["quantity"]), PIECES, reason)]
    if p.get("kg"):
        material.append(_material("Scrap", float(p["kg"]), "kg", reason))
    return {
        "ProductionPerformance": {
            "ID": e.key,
            "JobOrderID": str(p.get("order") or e.stream),
            "MaterialActual": material,
            "PersonnelID": str(p.get("user") or ""),
        }
    }


def _correction(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    counter, before, after = str(p["counter"]), int(p["before"]), int(p["after"])
    return {
        "ProductionPerformance": {
            "ID": e.key,
            "JobOrderID": e.stream,
            "Correction": {"Counter": counter, "Before": before, "After": after},
            "MaterialActual": [_material(ROLE_USE[counter][0], after - before)],
            "PersonnelID": str(p.get("user") or ""),
            "Reason": str(p["reason"]),
        }
    }


def _shift_end(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    oee = p.get("oee")
    return {
        "ProductionPerformance": {
            "ID": e.key,
            "ShiftID": str(p["shift"]),
            "StartTime": iso(p["start"]),
            "EndTime": iso(p["end"]),
            "JobOrderIDs": [str(n) for n in p.get("orders") or []],
            "MaterialActual": [
                _material("Produced", int(p.get("good") or 0)),
                _material("Scrap", int(p.get("scrap") or 0)),
            ],
            "Downtime": {
                "Stops": int(p.get("stops") or 0),
                "Seconds": float(p.get("downtime_s") or 0.0),
                "MicroStops": int(p.get("micro_stops") or 0),
            },
            "OEE": None if oee is None else float(oee),
        }
    }


def _period(s: Mapping[str, Any]) -> dict[str, Any]:
    end = s.get("end")
    return {
        "ID": int(s["id"]),
        "EquipmentStateID": str(s["state"]),
        "StartTime": iso(s["start"]),
        "EndTime": None if end is None else iso(end),
        "Micro": bool(s.get("micro")),
        "ReasonCode": str(s.get("reason") or ""),
        "ReasonBy": str(s.get("by") or ""),
        "Comment": str(s.get("comment") or ""),
        "JobOrderID": s.get("order"),
    }


def _equipment_state(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    stops = p.get("stops", [p])  # start/end carry one stop; the edits a list
    state: dict[str, Any] = {
        "ID": e.key,
        "EquipmentID": str(stops[0]["line"]),
        "Periods": [_period(s) for s in stops],
    }
    if p.get("removed"):
        state["RemovedID"] = int(p["removed"])
    return {"EquipmentState": state}


def _refusal(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    state = p.get("state")
    return {
        "JobResponse": {
            "ID": e.key,
            "JobOrderID": str(p["order"]),
            "Refused": str(p["refused"]),
            "Reason": str(p["reason"]),
            "JobState": None if state is None else str(state).capitalize(),
        }
    }


def _audit_head(e: OutboxEvent, p: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "AuditTrail": {
            "ID": e.key,
            "Position": int(p["seq"]),
            "Hash": str(p["hash"]),
            "Time": iso(p["time"]),
        }
    }


SHAPES: dict[str, Callable[[OutboxEvent, Mapping[str, Any]], dict[str, Any]]] = {
    "order.state": _job_response,
    "order.refused": _refusal,
    "audit.head": _audit_head,
    "order.sequence": _job_list,
    "count": _count,
    "scrap": _scrap,
    "correction": _correction,
    "shift.end": _shift_end,
    **{
        f"downtime.{what}": _equipment_state
        for what in ("start", "end", "reason", "split", "merge")
    },
}


def _line(e: OutboxEvent) -> str:
    p = e.payload
    if isinstance(p.get("line"), str):
        return p["line"]
    if e.stream.startswith("line:"):
        return e.stream[len("line:") :]
    stops = p.get("stops")
    if isinstance(stops, list) and stops and isinstance(stops[0], Mapping):
        return str(stops[0].get("line") or "")
    return ""


def message(event: OutboxEvent, station: str) -> dict[str, Any]:
    """The contract's message for ``event``; ``ValueError`` says why there is none (a kind
    the contract does not know, or a payload without what its kind needs)."""
    shape = SHAPES.get(event.kind)
    if shape is None:
        raise ValueError(f"the MES contract has no message for '{shorten(event.kind)}' events")
    try:
        body = shape(event, event.payload)
    except (KeyError, TypeError, ValueError, IndexError, OverflowError) as error:
        what = f"'{error.args[0]}' missing" if isinstance(error, KeyError) else _plain(error)
        raise ValueError(f"its {event.kind} payload cannot be shaped ({what})") from None
    return {
        "key": event.key,
        "stream": event.stream,
        "seq": event.seq,
        "kind": event.kind,
        "time": iso(event.ts),
        "line": _line(event),
        "station": station,
        **body,
    }


def idempotency_key(keys: Sequence[str]) -> str:
    """The batch's own key: the same events give the same one whenever they are sent."""
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds, or an HTTP date), None if unusable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds or seconds == float("inf"):
        return None
    return min(max(seconds, 0.0), 24 * 3600.0)


# -- the target --------------------------------------------------------------------------


class _Refused(Exception):
    """The MES refused the whole request as not following the contract (400/422)."""


class HttpTarget:
    """A MES that takes batches of events over HTTP(S) (see the module's doc)."""

    kind = "http"

    def __init__(
        self,
        name: str,
        url: str,
        *,
        auth: Auth | None = None,
        ca: str | None = None,
        timeout: float = 10.0,
        batch: int = DEFAULT_BATCH,
        station: str = "",
        secrets: SecretStore | None = None,
    ) -> None:
        self.name = name
        self.url = url.rstrip("/")
        self.auth = auth
        self.ca = ca
        self.timeout = timeout
        self.max_batch = batch
        self.station = station or socket.gethostname() or "station"
        self._secrets = secrets
        parts = urlsplit(self.url)
        self._https = parts.scheme.lower() == "https"
        self._host = parts.hostname or ""
        self._port = parts.port or (443 if self._https else 80)
        self._base = parts.path or ""
        self._path = self._base + EVENTS_PATH
        self._conn: http.client.HTTPConnection | None = None
        self._context: ssl.SSLContext | None = None
        self._authorization: str | None = None
        self._uses = 0  # requests on the current connection
        self.requests = 0  # requests sent (each attempt), for health and the tests

    @classmethod
    def read(
        cls,
        name: str,
        data: Mapping[str, Any],
        fields: Fields,
        *,
        root: str | Path | None = None,
        station: str = "",
    ) -> tuple[HttpTarget | None, list[Problem]]:
        """The target from its entry (``data``, written where ``fields`` says), and every
        problem of its own keys with its file and line. ``ca`` is relative to ``root`` (the
        project's folder; the file's folder when not given)."""
        problems: list[Problem] = []
        own = Fields(problems.append, data, fields.file, fields.line, fields.label)
        own.unknown_keys(FIELDS, hidden=COMMON_KEYS)
        url = _url(own)
        auth = _auth(own)
        folder = Path(root) if root is not None else Path(fields.file).parent
        ca = _ca(own, folder)
        https = url is not None and url.lower().startswith("https://")
        if url is not None and not https:
            if auth is not None or own.get("auth") is not None:
                own.problem("url", "url: credentials are never sent in clear; use https://")
            if ca is not None:
                own.problem("ca", "ca: applies to https:// URLs only")
        timeout = own.duration("timeout", 10.0, within=TIMEOUT)
        batch = _batch(own)
        if url is None or own.failed:
            return None, problems
        target = cls(name, url, auth=auth, ca=ca, timeout=timeout, batch=batch, station=station)
        return target, problems

    # -- connection ----------------------------------------------------------------------

    def open(self) -> None:
        """Resolve the credentials and connect; ``TargetError`` says what is wrong."""
        if self._authorization is None and self.auth is not None:
            self._authorization = self._credentials(self.auth)
        if self._https and self._context is None:
            self._context = self._tls_context()
        if self._conn is None:
            self._conn = self._connect()

    def close(self) -> None:
        """Close the connection; the credentials are read again on the next ``open`` (a
        secret fixed after a refusal is used without a restart)."""
        self._authorization = None
        self._drop()

    def _drop(self) -> None:
        """Close the connection alone (the MES closed it, or it broke)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _credentials(self, auth: Auth) -> str:
        try:
            store = self._secrets or open_store()
            secret = store.get(auth.secret).reveal()
        except SecretError as error:
            raise TargetError(f"credentials for {self.url}: {error}") from None
        if auth.scheme == "bearer":
            return f"Bearer {secret}"
        pair = f"{auth.user}:{secret}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def _tls_context(self) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(cafile=self.ca)
        except (ssl.SSLError, OSError) as error:
            raise TargetError(f"cannot use the CA file {self.ca}: {_plain(error)}") from None
        context.check_hostname = True
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def _connect(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection
        if self._https:
            conn = http.client.HTTPSConnection(
                self._host, self._port, timeout=self.timeout, context=self._context
            )
        else:
            conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        try:
            conn.connect()
        except Exception as error:
            conn.close()
            raise self._link_error(error) from None
        self._uses = 0
        if conn.sock is not None:
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    # -- sending -------------------------------------------------------------------------

    def send(self, events: Sequence[OutboxEvent]) -> list[Outcome]:
        """One outcome per event, in order: events the contract has no message for are
        refused here; the others go in one request (split where the MES refuses it)."""
        outcomes: list[Outcome | None] = [None] * len(events)
        messages: list[tuple[int, dict[str, Any]]] = []
        for i, event in enumerate(events):
            try:
                messages.append((i, message(event, self.station)))
            except ValueError as error:
                outcomes[i] = Outcome(False, str(error))
        if messages:
            for (i, _), outcome in zip(
                messages, self._deliver([m for _, m in messages]), strict=True
            ):
                outcomes[i] = outcome
        return [o if o is not None else Outcome(False, "not sent") for o in outcomes]

    def _deliver(self, messages: list[dict[str, Any]]) -> list[Outcome]:
        """Send ``messages``; a whole-batch refusal is split in halves until each refused
        message stands alone (and is refused alone)."""
        try:
            return self._post(messages)
        except _Refused as refused:
            if len(messages) == 1:
                return [Outcome(False, str(refused))]
        half = len(messages) // 2
        return self._deliver(messages[:half]) + self._deliver(messages[half:])

    def _post(self, messages: list[dict[str, Any]]) -> list[Outcome]:
        self.open()
        keys = [m["key"] for m in messages]
        body = json.dumps({"messages": messages}, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Idempotency-Key": idempotency_key(keys),
            "Connection": "keep-alive",
        }
        if self._authorization:
            headers["Authorization"] = self._authorization
        status, answer, head = self._exchange(body, headers)
        if status == 200:
            return self._results(keys, answer)
        if status in (400, 422):
            reason = _error_text(answer)
            raise _Refused(f"refused by the MES ({status}{': ' + reason if reason else ''})")
        raise self.failure(status, answer, head)

    def request(
        self, method: str, path: str, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes, Any]:
        """One bodiless request to ``<url><path>`` (``/orders?line=...``) on the kept-alive
        connection with the target's credentials and TLS: status, body, headers."""
        self.open()
        sent = {"Accept": "application/json", "Connection": "keep-alive", **(headers or {})}
        if self._authorization:
            sent["Authorization"] = self._authorization
        return self._exchange(b"", sent, method=method, path=self._base + path)

    def failure(self, status: int, answer: bytes, head: Any) -> TargetError:
        """What a status other than success means, said so that someone can fix it."""
        reason = _error_text(answer)
        if status in (401, 403):
            return TargetError(
                f"credentials refused by {self.url} ({status}{': ' + reason if reason else ''});"
                " check the target's auth and its secret (hmi secret set NAME)"
            )
        if status in (429, 503):
            wait = retry_after(head.get("Retry-After"))
            said = f"; it asks to wait {wait:g} s" if wait is not None else ""
            busy = "busy" if status == 429 else "unavailable"
            return TargetError(f"{self.url} is {busy} ({status}){said}", retry_after=wait)
        return TargetError(
            f"{self.url} answered {status}{': ' + reason if reason else ''}"
            + (" (is the url right?)" if status in (404, 405) else "")
        )

    def _exchange(
        self, body: bytes, headers: dict[str, str], *, method: str = "POST", path: str = ""
    ) -> tuple[int, bytes, Any]:
        """One request on the kept-alive connection; a connection the MES had closed
        meanwhile is replaced once (a resend is harmless: the MES drops it by key)."""
        for attempt in (1, 2):
            conn = self._conn
            assert conn is not None
            reused = attempt == 1 and self._uses > 0
            self._uses += 1
            self.requests += 1
            try:
                conn.request(method, path or self._path, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read(MAX_ANSWER + 1)
                if len(answer) > MAX_ANSWER:
                    self._drop()
                    raise TargetError(f"malformed answer from {self.url}: over {MAX_ANSWER} bytes")
                declared = response.getheader("Content-Length") or ""
                if declared.isdigit() and len(answer) < int(declared):
                    self._drop()
                    raise TargetError(
                        f"malformed answer from {self.url}: cut short ({len(answer)} of "
                        f"{declared} bytes)"
                    )
                if response.will_close:
                    self._drop()
                return response.status, answer, response.headers
            except TargetError:
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self._drop()
                if not reused:
                    raise self._link_error(e) from None
                self._conn = self._connect()
            except Exception as error:
                self._drop()
                raise self._link_error(error) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _results(self, keys: list[str], answer: bytes) -> list[Outcome]:
        try:
            data = json.loads(answer)
        except ValueError:
            raise TargetError(
                f"malformed answer from {self.url}: not JSON ({_preview(answer)})"
            ) from None
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise TargetError(f"malformed answer from {self.url}: no results list")
        if len(results) != len(keys):
            raise TargetError(
                f"malformed answer from {self.url}: {len(results)} results for {len(keys)} messages"
            )
        outcomes = []
        for key, result in zip(keys, results, strict=True):
            status = result.get("status") if isinstance(result, dict) else None
            if not isinstance(result, dict) or result.get("key") != key:
                raise TargetError(
                    f"malformed answer from {self.url}: results not in the batch's order"
                )
            if status in ("accepted", "duplicate"):
                outcomes.append(Outcome(True))
            elif status == "rejected":
                why = result.get("reason")
                outcomes.append(Outcome(False, f"rejected by the MES: {why or 'no reason given'}"))
            else:
                raise TargetError(
                    f"malformed answer from {self.url}: status {shorten(repr(status))} for {key}"
                )
        return outcomes

    def _link_error(self, error: Exception) -> TargetError:
        """What went wrong on the way to the MES, said so that someone can fix it."""
        where = f"{self._host}:{self._port}"
        if isinstance(error, ssl.SSLCertVerificationError):
            trusted = f"the CA in {self.ca}" if self.ca else "the system's CAs"
            what = error.verify_message or _plain(error)
            if "mismatch" in what.lower():  # a CA it trusts signed it, for another name
                return TargetError(
                    f"TLS: the certificate of {where} (checked with {trusted}) is not for "
                    f"the url's host: {what}"
                )
            return TargetError(
                f"TLS: the certificate of {where} is not trusted by {trusted} ({what})"
            )
        if isinstance(error, ssl.SSLError):
            return TargetError(f"TLS with {where} failed: {_plain(error)}")
        if isinstance(error, TimeoutError | socket.timeout):
            return TargetError(f"no answer from {where} within {self.timeout:g} s")
        if isinstance(error, http.client.IncompleteRead):
            return TargetError(f"malformed answer from {self.url}: cut short ({_plain(error)})")
        if isinstance(error, http.client.HTTPException):
            return TargetError(f"malformed answer from {self.url}: {type(error).__name__}")
        if isinstance(error, ConnectionRefusedError):
            return TargetError(f"cannot reach {where}: connection refused")
        if isinstance(error, OSError):
            return TargetError(f"cannot reach {where}: {error.strerror or _plain(error)}")
        return TargetError(f"sending to {where} failed: {_plain(error)}")


def _error_text(answer: bytes) -> str:
    """The ``error`` of a JSON error answer, or the start of a plain one."""
    try:
        data = json.loads(answer)
    except ValueError:
        return _preview(answer) if answer.strip() else ""
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return shorten(data["error"], 300)
    return _preview(answer)


def _preview(answer: bytes) -> str:
    text = answer[:80].decode("utf-8", "replace").strip()
    return repr(text + ("..." if len(answer) > 80 else ""))


def _plain(error: BaseException) -> str:
    return str(error) or type(error).__name__
