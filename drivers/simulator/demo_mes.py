"""The demo's MES: ``resources/mes/openapi.yaml`` served on 127.0.0.1 with the standard
library, so ``hmi demo`` shows the MES sync with no service to install.

``POST <base>/events`` answers each message as the contract says (``accepted``, or
``duplicate`` for a key it already took) and keeps the newest ``keep`` events in memory;
a batch that breaks the envelope, or whose ``Idempotency-Key`` is not its keys', is
refused as a whole (422). ``GET <base>/orders?line=L`` lists the orders released for L
with an ``ETag`` (``304`` when the station has that list): a few at start, one more every
``release_every`` seconds, each kept until the station reports it completed or aborted,
and one wrong order (a press's product data sent to the filling line) that the station
refuses and reports back as an ``order.refused`` event. While ``down`` every request is
answered ``503`` with ``Retry-After``; within an outage of ``outages`` only the event
intake is down, and an order is released as each outage begins, so even an idle plant
records events the MES cannot take (its download): the backlog grows, the target turns
failing, then the backlog drains.

Security: the server binds to 127.0.0.1 and answers nobody else, and it asks for no
credentials, so the demo's target is plain ``http://`` with no ``auth:`` and there is no
secret anywhere to write down or leak. The HTTP target refuses credentials over
``http://``, so a real MES is ``https://`` with a verified certificate and a token from
the secrets store; nothing here loosens that.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BASE = "/linea"
DEFAULT_PORT = 8480
RELEASE_EVERY_S = 240.0  # a new order every four minutes, lines in turn
KEEP_EVENTS = 500  # events kept in memory; the keys seen are kept apart (bounded too)
KEEP_KEYS = 200_000
MAX_BODY = 16 * 1024 * 1024
MAX_LISTED = 40  # orders listed per line at most; the oldest go first
FINISHED = ("Completed", "Aborted")
RETRY_AFTER_S = 2  # asked of the station while down: a 1-minute outage shows within it
OUTAGE_RELEASE_S = 5.0  # an order released this long into an outage
WRONG_ORDER = "MES-9001"

#: products the demo's lines know (as orders.csv has them): ideal cycle s, product data
PRODUCTS: dict[str, list[tuple[float, dict[str, Any]]]] = {
    "line1": [
        (7.5, {"die": "1204", "alloy": "6060", "billet_length_mm": 430, "billet_weight_kg": 28.9,
               "weight_per_m_g": 1500, "profile_length_m": 3}),
        (8.2, {"die": "2001", "alloy": "6063", "billet_length_mm": 800, "billet_weight_kg": 53.8,
               "weight_per_m_g": 850, "profile_length_m": 6.5}),
        (11.2, {"die": "2415", "alloy": "6005A", "billet_length_mm": 1000,
                "billet_weight_kg": 67.2, "weight_per_m_g": 1240, "profile_length_m": 6.3}),
    ],
    "line2": [
        (0.12, {"product": "Cola", "bottle_size_l": 0.5}),
        (0.36, {"product": "Orange", "bottle_size_l": 1.5}),
        (0.1, {"product": "Still Water", "bottle_size_l": 0.33}),
    ],
}  # fmt: skip
TARGETS = {"line1": 120, "line2": 6000}
FIRST_ORDERS = 2  # released per line before the demo starts


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def target_section(port: int, lines: tuple[str, ...] = ("line1", "line2")) -> dict[str, Any]:
    """The ``mes:`` section that points a project at the demo MES on ``port`` (plain
    http on loopback, no credentials: see the module's doc), its orders polled often."""
    return {
        "targets": {
            "demo_mes": {
                "kind": "http",
                "url": f"http://127.0.0.1:{port}{BASE}",
                "timeout": "3s",
                "backoff": {"min": "1s", "max": "10s", "failing_after": "20s"},
                "orders": {"poll": "10s", "lines": list(lines)},
            }
        }
    }


@dataclass(frozen=True)
class Outages:
    """Down for ``length`` s of every ``every`` s, the first one ``after`` s from the start."""

    after: float = 60.0
    every: float = 300.0
    length: float = 60.0

    def down(self, elapsed: float) -> bool:
        return elapsed >= self.after and (elapsed - self.after) % self.every < self.length

    def releases(self, elapsed: float) -> list[float]:
        """When an order is released in an outage (s from the start), up to ``elapsed``."""
        begun = int((elapsed - self.after - OUTAGE_RELEASE_S) // self.every) + 1
        return [self.after + OUTAGE_RELEASE_S + j * self.every for j in range(max(0, begun))]


class DemoMes:
    """The demo MES (see the module's doc); ``start`` binds, ``OSError`` if the port is
    taken."""

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        *,
        release_every: float = RELEASE_EVERY_S,
        outages: Outages | None = None,
        keep: int = KEEP_EVENTS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.port = port
        self.release_every = release_every
        self.outages = outages
        self.clock = clock
        self.down = False
        self.started = clock()
        self.events: deque[dict[str, Any]] = deque(maxlen=keep)
        self.refusals: deque[dict[str, Any]] = deque(maxlen=keep)  # order.refused bodies
        self.accepted = self.duplicates = self.refused_batches = self.order_gets = 0
        self.lock = threading.Lock()
        self._keys: dict[str, None] = {}  # insertion-ordered, trimmed at KEEP_KEYS
        self._finished: set[str] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{BASE}"

    def start(self) -> DemoMes:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.mes = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="demo-mes", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> DemoMes:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what it answers -----------------------------------------------------------------

    def unavailable(self, events: bool = True) -> bool:
        """Whether a request is answered 503 now (an outage takes the event intake only)."""
        outage = self.outages is not None and self.outages.down(self.clock() - self.started)
        return self.down or (events and outage)

    def orders(self, line: str) -> list[dict[str, Any]]:
        """The orders released for ``line`` now and not yet reported finished."""
        elapsed = self.clock() - self.started
        times = [self.started] * (FIRST_ORDERS * len(PRODUCTS))
        later = [k * self.release_every for k in range(1, int(elapsed // self.release_every) + 1)]
        if self.outages is not None:
            later += self.outages.releases(elapsed)
        times += [self.started + t for t in sorted(later)]
        lines = sorted(PRODUCTS)
        listed = []
        for n, at in enumerate(times):
            if lines[n % len(lines)] == line:
                listed.append(self._order(line, n // len(lines), at))
        if line == "line2":
            listed.insert(0, self._wrong_order())
        with self.lock:
            listed = [o for o in listed if o["ID"] not in self._finished]
        return listed[-MAX_LISTED:]

    def _order(self, line: str, n: int, released: float) -> dict[str, Any]:
        cycle, product = PRODUCTS[line][n % len(PRODUCTS[line])]
        return {
            "ID": f"MES-{line[-1]}{101 + n:03d}",
            "EquipmentID": line,
            "Target": {"QuantityString": TARGETS[line], "UnitOfMeasure": "pieces"},
            "ProductData": dict(product),
            "IdealCycleSeconds": cycle,
            "ReleasedTime": iso(released),
        }

    def _wrong_order(self) -> dict[str, Any]:
        """A press's product sent to the filling line: the station refuses it."""
        wrong = self._order("line1", 0, self.started)
        return {**wrong, "ID": WRONG_ORDER, "EquipmentID": "line2"}

    def take(self, body: Any, idempotency: str | None) -> tuple[int, dict[str, Any]]:
        """The answer to a ``POST /events`` body (status, JSON)."""
        problem = envelope_problem(body)
        if problem is None:
            keys = [m["key"] for m in body["messages"]]
            want = hashlib.sha256("\n".join(keys).encode()).hexdigest()
            if idempotency != want:
                problem = "Idempotency-Key is not the SHA-256 of the batch's keys"
        if problem is not None:
            with self.lock:
                self.refused_batches += 1
            return 422, {"error": problem}
        results = []
        with self.lock:
            for m in body["messages"]:
                key = m["key"]
                if key in self._keys:
                    self.duplicates += 1
                    results.append({"key": key, "status": "duplicate"})
                    continue
                self._remember(key)
                self.accepted += 1
                self.events.append(m)
                self._note(m)
                results.append({"key": key, "status": "accepted"})
        return 200, {"results": results}

    def _remember(self, key: str) -> None:
        self._keys[key] = None
        if len(self._keys) > KEEP_KEYS:
            del self._keys[next(iter(self._keys))]

    def _note(self, m: Mapping[str, Any]) -> None:
        job = m.get("JobResponse")
        if not isinstance(job, Mapping):
            return
        if m.get("kind") == "order.refused":
            self.refusals.append(dict(job))
        elif job.get("JobState") in FINISHED:
            self._finished.add(str(job.get("JobOrderID")))


def envelope_problem(body: Any) -> str | None:
    """Why a batch breaks the contract's envelope, or None (the bodies are the station's)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("messages"), list):
        return 'expected {"messages": [...]}'
    messages = body["messages"]
    if not 1 <= len(messages) <= 1000:
        return f"messages: 1 to 1000 in a batch, got {len(messages)}"
    for i, m in enumerate(messages):
        if not isinstance(m, Mapping):
            return f"messages/{i}: not an object"
        for name, kind in (("key", str), ("stream", str), ("kind", str), ("seq", int)):
            value = m.get(name)
            if not isinstance(value, kind) or isinstance(value, bool) or value in ("", 0):
                what = "a number from 1" if kind is int else "a text"
                return f"messages/{i}/{name}: missing or not {what}"
        if len(m["key"]) > 64:
            return f"messages/{i}/key: longer than 64 characters"
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    mes: DemoMes


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as the station's target holds it

    def log_message(self, format: str, *args: Any) -> None:  # the demo's terminal stays calm
        pass

    def _send(
        self, status: int, data: Any = None, headers: Mapping[str, str] | None = None
    ) -> None:
        body = b"" if data is None else json.dumps(data, separators=(",", ":")).encode()
        self.send_response(status)
        if data is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _refused_here(self, events: bool = True) -> bool:
        """Answered already: a client not on this computer, or the MES is down."""
        if self.client_address[0] not in ("127.0.0.1", "::1"):
            self._send(403, {"error": "the demo MES answers this computer only"})
            return True
        if self.server.mes.unavailable(events):
            self._send(
                503,
                {"error": "the demo MES is down for a while"},
                {"Retry-After": str(RETRY_AFTER_S)},
            )
            return True
        return False

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != BASE + "/orders":
            self._send(404, {"error": f"no {parts.path} here; GET {BASE}/orders?line=L"})
            return
        if self._refused_here(events=False):
            return
        line = (parse_qs(parts.query).get("line") or [""])[0]
        if not line:
            self._send(400, {"error": "line: missing; GET /orders?line=line1"})
            return
        mes = self.server.mes
        with mes.lock:
            mes.order_gets += 1
        answer = {"orders": mes.orders(line)}
        text = json.dumps(answer, sort_keys=True, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha256(text).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, None, {"ETag": etag})
        else:
            self._send(200, answer, {"ETag": etag})

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = self.headers.get("Content-Length") or ""
        if parts.path != BASE + "/events":
            self._send(404, {"error": f"no {parts.path} here; POST {BASE}/events"})
            return
        if not length.isdigit() or int(length) > MAX_BODY:
            self.close_connection = True
            self._send(400, {"error": f"Content-Length: a size up to {MAX_BODY} bytes"})
            return
        raw = self.rfile.read(int(length))
        if self._refused_here():
            return
        try:
            body = json.loads(raw)
        except ValueError as error:
            self._send(400, {"error": f"the body is not JSON ({error})"})
            return
        status, answer = self.server.mes.take(body, self.headers.get("Idempotency-Key"))
        self._send(status, answer)
