"""OPC UA: subscription throughput of the driver against the naive one-read-per-node poll.

A separate process runs an asyncua server with 1000 Double variables that all change every
100 ms (10,000 changes/s asked for; the server counts what it really wrote). In this
process the OpcUaDriver subscribes at 100 ms, once without security and once with
Basic256Sha256 SignAndEncrypt, and hands its batches to a counting sink. Then the naive
peer reads each node with its own request, cycle after cycle, for as long. The driver's
own polling mode (one Read per cycle) is measured too. Prints one JSON line.

    python -m tests.bench.bench_opcua
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import multiprocessing as mp
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.common import median, percentile, report

VARIABLES = 1000
PERIOD = 0.1  # s: the server changes every variable, the driver subscribes, at this rate
PHASE_SECONDS = 7.0
WARMUP_TIMEOUT = 20.0
SERVER_URI = "urn:linea:bench:server"


def node_address(index: int) -> str:
    return f"ns=2;s=Bench.V{index:04d}"


# -- the server process ----------------------------------------------------------------------


def serve(port: int, pki: str, ready: Any, stop: Any, updates: Any, cpu: Any) -> None:
    """Entry point of the server process (spawned: imports nothing from the parent)."""
    logging.basicConfig(level=logging.CRITICAL)
    asyncio.run(_serve(port, Path(pki), ready, stop, updates, cpu))


async def _serve(port: int, pki: Path, ready: Any, stop: Any, updates: Any, cpu: Any) -> None:
    from asyncua import Server, ua
    from asyncua.crypto.cert_gen import setup_self_signed_certificate
    from cryptography.x509.oid import ExtendedKeyUsageOID

    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/bench")
    key, cert = pki / "server_key.pem", pki / "server_cert.der"
    await setup_self_signed_certificate(
        key, cert, SERVER_URI, socket.gethostname(), [ExtendedKeyUsageOID.SERVER_AUTH], {}
    )
    await server.set_application_uri(SERVER_URI)
    await server.load_certificate(str(cert))
    await server.load_private_key(str(key))
    server.set_security_policy(
        [
            ua.SecurityPolicyType.NoSecurity,
            ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,
        ]
    )
    ns = await server.register_namespace("urn:linea:bench")
    folder = await server.nodes.objects.add_object(ns, "Bench")
    ids = [
        (await folder.add_variable(node_address(i), f"V{i:04d}", 0.0)).nodeid
        for i in range(VARIABLES)
    ]
    await server.start()
    ready.set()
    write = server.write_attribute_value
    double = ua.VariantType.Double
    loop = asyncio.get_running_loop()
    deadline = loop.time()
    tick = 0
    while not stop.is_set():
        tick += 1
        stamp = dt.datetime.now(dt.UTC)
        for i, node_id in enumerate(ids):
            await write(
                node_id, ua.DataValue(ua.Variant(tick + i * 1e-4, double), SourceTimestamp=stamp)
            )
        updates.value += len(ids)
        cpu.value = time.process_time()
        deadline += PERIOD
        delay = deadline - loop.time()
        if delay < 0:  # overran: skip the missed ticks rather than burst
            deadline = loop.time()
            delay = 0
        await asyncio.sleep(delay)
    await server.stop()


# -- the client side -------------------------------------------------------------------------


class CountingSink:
    """A DriverSink that counts and measures latency (receipt time minus source time)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.counting = False
        self.values = 0
        self.batches = 0
        self.batch_sizes: list[int] = []
        self.latencies: list[float] = []

    def publish(self, batch: dict) -> None:
        if not self.counting:
            self.seen.update(batch)
            return
        self.values += len(batch)
        self.batches += 1
        self.batch_sizes.append(len(batch))
        self.latencies.extend(v.ts - v.source_ts for v in batch.values() if v.source_ts)

    def device_state(self, state: Any) -> None:
        pass


class Window:
    """Wall time, this process's CPU time and the server's counters over one phase."""

    def __init__(self, updates: Any, server_cpu: Any):
        self._updates, self._server_cpu = updates, server_cpu

    def __enter__(self) -> Window:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        self.updates0, self.server_cpu0 = self._updates.value, self._server_cpu.value
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0
        self.updates = self._updates.value - self.updates0
        self.server_cpu = self._server_cpu.value - self.server_cpu0

    def figures(self) -> dict[str, float]:
        return {
            "server_changes_per_s": round(self.updates / self.wall),
            "server_cpu_share": round(self.server_cpu / self.wall, 3),
            "client_cpu_share": round(self.cpu / self.wall, 3),
        }


def quantiles(samples: list[float]) -> dict[str, float]:
    """Median and p99 in milliseconds."""
    return {
        "median": round(median(samples) * 1e3, 2),
        "p99": round(percentile(samples, 99) * 1e3, 2),
    }


async def measure_driver(
    endpoint: str, data_dir: str, updates: Any, server_cpu: Any, **options: Any
) -> dict[str, Any]:
    from drivers.opcua import OpcUaDriver
    from hmi.core.driver import DriverContext
    from hmi.core.project.models import DataType, DeviceConfig, ScanClass, TagConfig

    device = DeviceConfig("bench", "opcua", {"endpoint": endpoint, "timeout": 10, **options})
    tags = [
        TagConfig(
            f"v{i}", DataType.FLOAT64, device="bench", address=node_address(i), scan_class="fast"
        )
        for i in range(VARIABLES)
    ]
    sink = CountingSink()
    scans = {"fast": ScanClass("fast", PERIOD)}
    driver = OpcUaDriver(DriverContext(device, tags, scans, sink, data_dir=data_dir))
    await driver.start()
    try:
        deadline = time.monotonic() + WARMUP_TIMEOUT
        while len(sink.seen) < VARIABLES:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(sink.seen)} of {VARIABLES} tags arrived")
            await asyncio.sleep(0.05)
        sink.counting = True
        with Window(updates, server_cpu) as window:
            await asyncio.sleep(PHASE_SECONDS)
        sink.counting = False
    finally:
        await driver.stop()
    out: dict[str, Any] = {
        "values_per_s": round(sink.values / window.wall),
        "batches_per_s": round(sink.batches / window.wall, 2),
        "batch_size_median": median(sink.batch_sizes),
        "delivered_fraction": round(sink.values / window.updates, 3) if window.updates else 0,
        "latency_ms": quantiles(sink.latencies),
        **window.figures(),
    }
    out["client_cpu_us_per_value"] = round(window.cpu / max(sink.values, 1) * 1e6, 2)
    return out


class CountingHandler:
    """An asyncua subscription handler: called once per changed item, each in its own task."""

    def __init__(self) -> None:
        self.seen: set[Any] = set()
        self.counting = False
        self.values = 0

    def datachange_notification(self, node: Any, value: Any, data: Any) -> None:
        if self.counting:
            self.values += 1
        else:
            self.seen.add(node.nodeid)


async def measure_asyncua_handler(endpoint: str, updates: Any, server_cpu: Any) -> dict[str, Any]:
    """asyncua's own subscription API with a per-item handler, for the batching's worth."""
    from asyncua import Client

    client = Client(endpoint, timeout=10)
    await client.connect()
    try:
        handler = CountingHandler()
        sub = await client.create_subscription(PERIOD * 1000, handler)
        nodes = [client.get_node(node_address(i)) for i in range(VARIABLES)]
        await sub.subscribe_data_change(nodes, sampling_interval=PERIOD * 1000)
        deadline = time.monotonic() + WARMUP_TIMEOUT
        while len(handler.seen) < VARIABLES and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        handler.counting = True
        with Window(updates, server_cpu) as window:
            await asyncio.sleep(PHASE_SECONDS)
        handler.counting = False
    finally:
        await client.disconnect()
    return {
        "values_per_s": round(handler.values / window.wall),
        "delivered_fraction": round(handler.values / window.updates, 3) if window.updates else 0,
        **window.figures(),
        "client_cpu_us_per_value": round(window.cpu / max(handler.values, 1) * 1e6, 2),
    }


async def measure_naive(endpoint: str, updates: Any, server_cpu: Any) -> dict[str, Any]:
    """One Read request per node, node after node, a cycle every PERIOD (when it can)."""
    from asyncua import Client

    client = Client(endpoint, timeout=10)
    await client.connect()
    try:
        nodes = [client.get_node(node_address(i)) for i in range(VARIABLES)]
        for node in nodes[:10]:
            await node.read_value()
        round_trips: list[float] = []
        cycles: list[float] = []
        values = 0
        loop = asyncio.get_running_loop()
        with Window(updates, server_cpu) as window:
            end = loop.time() + PHASE_SECONDS
            next_cycle = loop.time()
            while loop.time() < end:
                start = loop.time()
                for node in nodes:
                    t = time.perf_counter()
                    await node.read_value()
                    round_trips.append(time.perf_counter() - t)
                    values += 1
                    if loop.time() >= end:
                        break
                else:
                    cycles.append(loop.time() - start)
                next_cycle = max(next_cycle + PERIOD, loop.time())
                await asyncio.sleep(min(next_cycle, end) - loop.time())
    finally:
        await client.disconnect()
    return {
        "values_per_s": round(values / window.wall),
        "read_round_trip_ms": quantiles(round_trips),
        "cycle_ms": quantiles(cycles),
        "cycles_completed": len(cycles),
        **window.figures(),
        "client_cpu_us_per_value": round(window.cpu / max(values, 1) * 1e6, 2),
    }


async def run(endpoint: str, data_dir: str, updates: Any, server_cpu: Any) -> dict[str, Any]:
    plain = await measure_driver(endpoint, data_dir, updates, server_cpu)
    secure = await measure_driver(
        endpoint, data_dir, updates, server_cpu, security="Basic256Sha256", mode="SignAndEncrypt"
    )
    polling = await measure_driver(endpoint, data_dir, updates, server_cpu, subscriptions=False)
    handler = await measure_asyncua_handler(endpoint, updates, server_cpu)
    naive = await measure_naive(endpoint, updates, server_cpu)
    cpu = plain["client_cpu_us_per_value"]
    return {
        "variables": VARIABLES,
        "period_ms": PERIOD * 1000,
        "asked_changes_per_s": round(VARIABLES / PERIOD),
        "phase_s": PHASE_SECONDS,
        "driver_subscription_none": plain,
        "driver_subscription_basic256sha256_sign_encrypt": secure,
        "driver_polling_one_read_per_cycle": polling,
        "asyncua_handler_one_call_per_item": handler,
        "naive_one_read_per_node": naive,
        "ratio_values_per_s_subscription_vs_naive": _ratio(
            plain["values_per_s"], naive["values_per_s"]
        ),
        "ratio_cpu_per_value_naive_vs_subscription": _ratio(naive["client_cpu_us_per_value"], cpu),
        "ratio_cpu_per_value_asyncua_handler_vs_subscription": _ratio(
            handler["client_cpu_us_per_value"], cpu
        ),
        "note": "delivered_fraction < 1 when two server changes of a node fall in one "
        "publishing interval: a subscription hands over the newest (queue size 1)",
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 1) if b else float("nan")


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="bench_opcua_") as tmp:
        pki = Path(tmp) / "server"
        pki.mkdir()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        ready, stop = ctx.Event(), ctx.Event()
        updates, server_cpu = ctx.Value("q", 0), ctx.Value("d", 0.0)
        server = ctx.Process(
            target=serve, args=(port, str(pki), ready, stop, updates, server_cpu), daemon=True
        )
        server.start()
        try:
            if not ready.wait(60):
                raise SystemExit("the bench server did not start within 60 s")
            endpoint = f"opc.tcp://127.0.0.1:{port}/bench"
            result = asyncio.run(run(endpoint, str(Path(tmp) / "client"), updates, server_cpu))
        finally:
            stop.set()
            server.join(10)
            if server.is_alive():
                server.terminate()
    report("opcua", **result)


if __name__ == "__main__":
    main()
