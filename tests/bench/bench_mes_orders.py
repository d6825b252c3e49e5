"""Order download: what a poll of the MES costs when nothing changed (the usual case: a
station asks every 30 s all day) with 2 lines of 500 released orders each.

Ours: the ETag of each line's last list goes back in ``If-None-Match``, the MES answers
304, nothing is parsed or decided. The naive way, measured in the same run: the whole
list downloaded, parsed and every order looked at again (each found as it was, by its
fingerprint, so nothing is written either). Reported: the station's CPU time per poll
(the ratio is of these) and the wall time; and the first poll, which takes all 1000
orders into the queue. The receiver runs in this process (its threads share the GIL with
the station's: both ways pay the same) and does not check its answers against the
contract here (the tests do). Medians over rounds.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from hmi.core.access import Access
from hmi.core.connection import ConnectionPolicy
from hmi.core.mes.config import OrdersIn, TargetConfig
from hmi.core.mes.http import HttpTarget, iso
from hmi.core.mes.intake import Intake
from hmi.core.mes.orders_in import HttpOrderSource
from tests.bench.common import median, report
from tests.mes.receiver import Receiver
from tests.unit.orders.service_setup import FILLER, PRESS, Clock, close, service

PER_LINE = 500
ROUNDS = 30


def released(line: str, count: int, when: str) -> list[dict]:
    product = PRESS if line == "line1" else FILLER
    return [
        {
            "ID": f"{line}-{n:05d}", "EquipmentID": line, "Priority": n,
            "Target": {"QuantityString": 100 + n, "UnitOfMeasure": "pieces"},
            "ProductData": dict(product), "ReleasedTime": when,
        }
        for n in range(count)
    ]  # fmt: skip


def timed(call) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of this thread: the station's own work, without the
    receiver's threads (which compute each answer's ETag from the list, as no MES would)."""
    start, cpu = time.perf_counter(), time.thread_time()
    call()
    return time.perf_counter() - start, time.thread_time() - cpu


def main() -> None:
    clock = Clock(time.time())
    # the receiver checks no answer against the contract here (the tests do)
    with tempfile.TemporaryDirectory() as tmp, Receiver(validate_every=10**9) as receiver:
        when = iso(clock.now - 600)
        receiver.line_orders = {line: released(line, PER_LINE, when) for line in ("line1", "line2")}
        orders = service(Path(tmp) / "hmi.db", clock, Access(clock))
        target = HttpTarget("plant", receiver.url, timeout=10.0, station="bench")
        source = HttpOrderSource(target, ("line1", "line2"), orders.store)
        backoff = ConnectionPolicy(reconnect_min=1.0, reconnect_max=1.0, demote_after=2**31)
        config = TargetConfig("plant", "http", lambda: target, backoff=backoff,
                              orders=OrdersIn(30.0, ("line1", "line2")))  # fmt: skip
        intake = Intake(config, source, orders, orders.store, clock=clock).load()
        try:
            first = timed(intake.poll)[0]
            assert len(orders.queue("line1")) == PER_LINE, "the first poll took too few"
            unchanged, full = [], []
            for _ in range(ROUNDS):
                unchanged.append(timed(intake.poll))
                source._etags.clear()  # the naive way: no ETag, the whole list again
                full.append(timed(intake.poll))
            assert all(code in (200, 304) for _, code in receiver.order_gets)
            written = len(orders.outbox(1_000_000))
            assert written == 2 * PER_LINE, "a poll of an unchanged list wrote something"
        finally:
            intake.stop()
            close(orders)
    ours, naive = median([c for _, c in unchanged]), median([c for _, c in full])
    report(
        "mes_orders",
        orders=2 * PER_LINE,
        first_poll_s=first,
        unchanged_poll_cpu_ms=ours * 1000,
        full_list_poll_cpu_ms=naive * 1000,
        ratio=naive / ours if ours else float("nan"),
        unchanged_poll_wall_ms=median([w for w, _ in unchanged]) * 1000,
        full_list_poll_wall_ms=median([w for w, _ in full]) * 1000,
        rounds=ROUNDS,
    )


if __name__ == "__main__":
    main()
