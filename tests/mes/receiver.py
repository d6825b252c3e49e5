"""A MES on 127.0.0.1 built from ``resources/mes/openapi.yaml``, for the HTTP target's tests
and the drain benchmark.

Every request is validated against the contract (``jsonschema`` on the OpenAPI 3.1
schemas, the ``Idempotency-Key`` checked against the batch's keys) and every answer it
gives too; a request that breaks the contract is answered 422 and kept in ``invalid``
(tests assert it stays empty). Messages are de-duplicated by key and recorded per stream
in arrival order. It can be told to answer 500, 429/503 with ``Retry-After``, to hang, to
answer malformed bodies, or to refuse given keys (alone, or the whole batch they are in),
and to ask for a bearer token or basic credentials; TLS with a server certificate signed
by a CA made with ``cryptography`` (``make_tls``).

``GET /orders?line=L`` serves ``orders`` (or ``line_orders[L]``) with an ``ETag`` of the
list's content, ``304`` to a matching ``If-None-Match``, and the faults ``orders_status``
and ``orders_body`` (a raw answer, such as one that is not JSON); ``order_gets`` keeps each
request's line and answer. A list the test set that breaks the contract on purpose is
served all the same and noted in ``orders_off_contract``.

``python -m tests.mes.receiver --port N`` serves it in a process of its own (the
benchmark), with ``GET /_stats`` and ``POST /_arrivals`` (when given keys arrived) for
the one measuring.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import hashlib
import hmac
import itertools
import json
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
import yaml

from tests.integration.slapd import make_ca, make_server_cert

CONTRACT = Path(__file__).resolve().parents[2] / "resources" / "mes" / "openapi.yaml"
_URI = "urn:linea:mes-openapi"


def contract() -> dict[str, Any]:
    return yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))


def validator(schema_name: str, document: dict[str, Any] | None = None) -> Any:
    """A JSON Schema (2020-12, as OpenAPI 3.1 has it) validator of one component schema,
    its ``$ref``s resolved within the contract."""
    resource = referencing.Resource.from_contents(
        document or contract(), default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource(_URI, resource)
    schema = {"$ref": f"{_URI}#/components/schemas/{schema_name}"}
    return jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@dataclass
class Tls:
    """A CA and a server certificate for 127.0.0.1 it signed (files in ``folder``)."""

    folder: Path
    ca: Path
    cert: Path
    key: Path
    ca_key: Any = None
    ca_cert: Any = None


def make_tls(folder: Path, stem: str = "plant") -> Tls:
    folder.mkdir(parents=True, exist_ok=True)
    key, ca = make_ca(folder, stem)
    make_server_cert(folder, key, ca)
    return Tls(
        folder, folder / f"{stem}.pem", folder / "server.pem", folder / "server.key", key, ca
    )


def for_another_host(tls: Tls, host: str) -> Tls:
    """The same CA's certificate for ``host`` alone (not 127.0.0.1): a name that does not
    match the address the station connects to."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(tls.ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(tls.ca_key, hashes.SHA256())
    )
    cert_path, key_path = tls.folder / f"{host}.pem", tls.folder / f"{host}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return Tls(tls.folder, tls.ca, cert_path, key_path, tls.ca_key, tls.ca_cert)


@dataclass
class Faults:
    """What the receiver does instead of answering properly (each consumed as it is used)."""

    status: list[tuple[int, float | None]] = field(default_factory=list)  # (code, retry_after)
    hang_s: float = 0.0  # hang this long before each answer (bounded by ``release``)
    hang_times: int | None = None  # only the next this many requests hang (None: all)
    delay_s: float = 0.0  # every answer takes this long (a slow MES)
    malformed: list[str] = field(default_factory=list)  # not-json | short | truncated
    refuse: set[str] = field(default_factory=set)  # keys answered "rejected"
    refuse_batch: set[str] = field(default_factory=set)  # keys whose whole batch gets 400
    orders_status: list[tuple[int, float | None]] = field(default_factory=list)  # GET /orders
    orders_body: list[bytes] = field(default_factory=list)  # raw 200 answers to GET /orders


class Receiver:
    """The MES test double; ``start()``/``stop()`` or a ``with`` block."""

    def __init__(
        self,
        port: int = 0,
        *,
        tls: Tls | None = None,
        bearer: str | None = None,
        basic: tuple[str, str] | None = None,
        validate_every: int = 1,
        keep_arrivals: bool = False,
    ) -> None:
        self.port = port
        self.tls = tls
        self.bearer = bearer
        self.basic = basic
        self.validate_every = validate_every  # 1: every request; N: every Nth (benchmark)
        self.keep_arrivals = keep_arrivals
        self.faults = Faults()
        self.release = threading.Event()  # ends a hang early
        self.lock = threading.Lock()
        self.keys: set[str] = set()
        self.streams: dict[str, list[int]] = {}
        self.messages: list[dict[str, Any]] = []
        self.arrivals: dict[str, float] = {}
        self.duplicates = 0
        self.requests = 0
        self.request_times: list[float] = []  # monotonic, as each POST arrived
        self.batch_sizes: list[int] = []
        self.connections = 0
        self.open_sockets: set[socket.socket] = set()  # closed by stop(), as a restart would
        self.invalid: list[str] = []
        self.auth_seen: list[str] = []
        self.idempotency: list[str] = []
        self.orders: list[dict[str, Any]] = []
        self.line_orders: dict[str, list[dict[str, Any]]] = {}  # a line's own list
        self.order_gets: list[tuple[str, int]] = []  # (line, status) of each GET /orders
        self.orders_off_contract: list[str] = []
        document = contract()
        self._batch = validator("EventBatch", document)
        self._results = validator("EventResults", document)
        self._orders = validator("JobOrderList", document)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/mes"

    def start(self) -> Receiver:
        receiver = self

        class Handler(_Handler):
            owner = receiver

        server = _Server(("127.0.0.1", self.port), Handler)
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls.cert, self.tls.key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self.lock:
            sockets, self.open_sockets = list(self.open_sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the tests look at ------------------------------------------------------------

    def fail(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        with self.lock:
            self.faults.status.extend([(status, retry_after)] * times)

    def in_order(self) -> bool:
        """Each stream's sequence numbers arrived rising (gaps allowed: refused events)."""
        return all(all(a < b for a, b in itertools.pairwise(s)) for s in self.streams.values())

    def received(self) -> int:
        with self.lock:
            return len(self.keys)

    # -- answering -------------------------------------------------------------------------

    def _authorized(self, header: str | None) -> bool:
        if self.bearer is None and self.basic is None:
            return True
        if not header:
            return False
        if self.bearer is not None:
            return hmac.compare_digest(header, f"Bearer {self.bearer}")
        assert self.basic is not None
        pair = base64.b64encode(f"{self.basic[0]}:{self.basic[1]}".encode()).decode()
        return hmac.compare_digest(header, f"Basic {pair}")

    def _sampled(self) -> bool:
        """Whether this request (and its answer) is checked against the contract."""
        with self.lock:
            n = self.requests
        return self.validate_every <= 1 or n % self.validate_every == 1

    def _check(self, body: Any, idempotency: str | None) -> str | None:
        """Why the request breaks the contract, or None."""
        if self._sampled():
            errors = sorted(self._batch.iter_errors(body), key=lambda e: list(e.path))
            if errors:
                e = errors[0]
                where = "/".join(str(p) for p in e.absolute_path)
                return f"{where or 'body'}: {e.message[:300]}"
        keys = [m.get("key") for m in body.get("messages", []) if isinstance(m, dict)]
        want = hashlib.sha256("\n".join(map(str, keys)).encode()).hexdigest()
        if idempotency != want:
            return f"Idempotency-Key {idempotency!r} is not the batch's ({want})"
        return None

    def events(self, body: Any, idempotency: str | None) -> tuple[int, dict[str, Any]]:
        problem = self._check(body, idempotency)
        if problem is not None:
            with self.lock:
                self.invalid.append(problem)
            return 422, {"error": problem}
        messages = body["messages"]
        keys = [m["key"] for m in messages]
        with self.lock:
            self.idempotency.append(idempotency or "")
            bad = self.faults.refuse_batch.intersection(keys)
        if bad:
            return 400, {"error": f"message {sorted(bad)[0]} does not fit this MES"}
        results = []
        now = time.time()
        with self.lock:
            self.batch_sizes.append(len(messages))
            for m in messages:
                key = m["key"]
                if key in self.faults.refuse:
                    results.append({"key": key, "status": "rejected", "reason": "poison"})
                elif key in self.keys:
                    self.duplicates += 1
                    results.append({"key": key, "status": "duplicate"})
                else:
                    self.keys.add(key)
                    self.streams.setdefault(m["stream"], []).append(m["seq"])
                    if self.keep_arrivals:
                        self.arrivals[key] = now
                    else:
                        self.messages.append(m)
                    results.append({"key": key, "status": "accepted"})
        answer = {"results": results}
        if self._sampled():
            errors = list(self._results.iter_errors(answer))
            assert not errors, errors[0].message  # the double itself keeps the contract
        return 200, answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (timed out, killed) is part of the tests: not printed."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError | ssl.SSLError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: Receiver
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = 30  # an idle kept-alive connection is closed after this

    def setup(self) -> None:
        super().setup()
        self.counted = False
        with self.owner.lock:
            self.owner.open_sockets.add(self.connection)

    def finish(self) -> None:
        with self.owner.lock:
            self.owner.open_sockets.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data).encode() if not isinstance(data, bytes) else data
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        owner = self.owner
        path, _, query = self.path.partition("?")
        if path == "/_stats":
            with owner.lock:
                stats = {
                    "received": len(owner.keys),
                    "duplicates": owner.duplicates,
                    "requests": owner.requests,
                    "connections": owner.connections,
                    "invalid": owner.invalid[:5],
                    "in_order": owner.in_order(),
                }
            self._send(200, stats)
            return
        if not owner._authorized(self.headers.get("Authorization")):
            self._send(401, {"error": "credentials refused"})
            return
        if path.endswith("/orders") and "line=" in query:
            self._orders_list(urllib.parse.parse_qs(query).get("line", [""])[0])
            return
        self._send(404, {"error": f"no {path}"})

    def _orders_list(self, line: str) -> None:
        owner = self.owner
        with owner.lock:
            status = owner.faults.orders_status.pop(0) if owner.faults.orders_status else None
            raw = owner.faults.orders_body.pop(0) if owner.faults.orders_body else None
            answer = {"orders": list(owner.line_orders.get(line, owner.orders))}
        text = json.dumps(answer, sort_keys=True).encode()
        etag = '"' + hashlib.sha256(text).hexdigest()[:20] + '"'
        unchanged = status is None and raw is None and self.headers.get("If-None-Match") == etag
        code = status[0] if status is not None else 304 if unchanged else 200
        with owner.lock:  # noted before the answer: the test reads it once answered
            owner.order_gets.append((line, code))
        if status is not None:
            wait = status[1]
            headers = {"Retry-After": f"{wait:g}"} if wait is not None else {}
            self._send(code, {"error": f"told to answer {code}"}, headers)
        elif raw is not None:
            self._send(200, raw)
        elif unchanged:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            errors = list(owner._orders.iter_errors(answer)) if owner.validate_every <= 1 else []
            if errors:
                with owner.lock:
                    owner.orders_off_contract.append(errors[0].message[:200])
            self._send(200, answer, {"ETag": etag})

    def do_POST(self) -> None:
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        path = self.path.partition("?")[0]
        if path == "/_arrivals":
            keys = json.loads(raw)
            with owner.lock:
                self._send(200, {k: owner.arrivals.get(k) for k in keys})
            return
        with owner.lock:
            owner.requests += 1
            owner.request_times.append(time.monotonic())
            if not self.counted:  # connections that sent events
                owner.connections += 1
                self.counted = True
            owner.auth_seen.append(self.headers.get("Authorization") or "")
            status_fault = owner.faults.status.pop(0) if owner.faults.status else None
            malformed = owner.faults.malformed.pop(0) if owner.faults.malformed else None
            hang = owner.faults.hang_s
            if hang and owner.faults.hang_times is not None:
                if owner.faults.hang_times > 0:
                    owner.faults.hang_times -= 1
                else:
                    hang = 0.0
            delay = owner.faults.delay_s
        if hang:
            owner.release.wait(hang)
        if delay:
            time.sleep(delay)
        if not path.endswith("/events"):
            self._send(404, {"error": f"no {path}"})
            return
        if not owner._authorized(self.headers.get("Authorization")):
            self._send(401, {"error": "credentials refused"})
            return
        if status_fault is not None:
            code, wait = status_fault
            headers = {"Retry-After": f"{wait:g}"} if wait is not None else {}
            self._send(code, {"error": f"told to answer {code}"}, headers)
            return
        try:
            body = json.loads(raw)
        except ValueError:
            with owner.lock:
                owner.invalid.append("body: not JSON")
            self._send(422, {"error": "not JSON"})
            return
        status, answer = owner.events(body, self.headers.get("Idempotency-Key"))
        if malformed == "not-json":
            self._send(200, b"<html>gateway says hello</html>")
        elif malformed == "short":
            self._send(200, {"results": answer.get("results", [])[:-1]})
        elif malformed == "truncated":  # Content-Length promises more than comes
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data) + 50))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            self.close_connection = True
        else:
            self._send(status, answer)


# -- events to send -----------------------------------------------------------------------


def production_events(folder: Path) -> list[Any]:
    """Every kind of event the orders capability writes, written by it (a store in
    ``folder``): orders created, resequenced, started, held, resumed and completed; counts
    of good, scrap and billets; a stop with its reason, split and merged again; scrap;
    a correction; a shift's end. Read back from the outbox in id order."""
    from hmi.core.orders import MachineState
    from tests.unit.orders.service_setup import Clock, close, filler_order, press_order, service

    clock = Clock()
    orders = service(folder / "hmi.db", clock)
    try:
        orders.create(press_order("P-1", 100), "sup1")
        orders.create(press_order("P-2", 50), "sup1")
        orders.create(filler_order("F-1", 1000), "sup1")
        orders.resequence("line1", ["P-1", "P-2"], "sup1")
        orders.start("P-1", "op1")
        orders.start("F-1", "op1")
        orders.feed_state("line1", MachineState.RUNNING, clock.now)
        for raw in range(0, 40, 4):
            clock.advance(2)
            orders.feed_counter("line1", "good", 1000 + raw)
            orders.feed_counter("line1", "billets", 50 + raw // 4)
            orders.feed_counter("line2", "good", raw * 10)
            orders.feed_counter("line2", "scrap", raw // 8)
            orders.tick()
        orders.feed_state("line1", MachineState.FAULT, clock.advance(5))
        orders.feed_state("line1", MachineState.RUNNING, clock.advance(600))
        stop = orders.stops("line1", 0)[-1]
        reason = orders.config.reasons[2].key
        orders.assign_reason(stop.id, reason, "op1", "die jammed")
        first, second = orders.split_stop(stop.id, stop.start + 100, "sup1")
        orders.merge_stops(first.id, second.id, "sup1")
        orders.record_scrap("P-1", 2, "Surface defect", "op1")
        orders.correct_count("P-1", "good", 30, "recount at the saw", "sup1")
        orders.hold("P-1", "op1", "no billets")
        orders.resume("P-1", "op1")
        orders.complete("P-1", "op1")
        clock.advance(30)
        orders.tick()
        span = orders.config.calendar.shift_at(clock.now)
        assert span is not None
        orders.close_shift("line1", span)
        assert orders.store.flush(5)
        return orders.outbox(10_000)
    finally:
        close(orders)


def _serve(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--validate-every", type=int, default=1)
    args = parser.parse_args(list(argv) if argv is not None else None)
    receiver = Receiver(args.port, validate_every=args.validate_every, keep_arrivals=True)
    receiver.start()
    print(json.dumps({"port": receiver.port}), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()


if __name__ == "__main__":
    _serve()
