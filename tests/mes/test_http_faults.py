"""The MES answering badly, against the receiver on 127.0.0.1: 500, 429/503 with
Retry-After, a hang, malformed answers, a receiver gone or restarted, a poison event.
Each fault makes the whole batch a ``TargetError`` (nothing refused for it) except the
poison event, refused alone while the rest of its batch is taken; after each, the
receiver holds every event exactly once, in order per stream: first through the target
alone, then through the delivery worker on a store, and with the sending process killed
(SIGKILL) at random moments."""

from __future__ import annotations

import math
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hmi.core import outbox
from hmi.core.connection import ConnectionPolicy
from hmi.core.mes import Outcome, TargetError
from hmi.core.mes.config import TargetConfig
from hmi.core.mes.delivery import Delivery
from hmi.core.mes.http import HttpTarget
from hmi.core.mes.schema import create as create_mes_tables
from hmi.core.store import Writer, connect
from tests.helpers import free_port, wait_until
from tests.mes.receiver import Receiver, production_events

ATTEMPTS = 30
DEADLINE_S = 30.0
KILLS = 4


@pytest.fixture(scope="module")
def events(tmp_path_factory) -> list:
    return production_events(tmp_path_factory.mktemp("day"))


def target(url: str, **kw) -> HttpTarget:
    kw.setdefault("timeout", 5.0)
    kw.setdefault("batch", 8)
    return HttpTarget("mes", url, station="press-pc", **kw)


def deliver(mes: HttpTarget, events: list) -> tuple[list[Outcome], list[TargetError]]:
    """Batches of ``max_batch`` in order; a batch that fails as a whole is sent again after
    the wait the MES asked for (bounded in attempts and time), as the delivery does."""
    outcomes: list[Outcome] = []
    errors: list[TargetError] = []
    deadline = time.monotonic() + DEADLINE_S
    start = 0
    while start < len(events):
        assert len(errors) < ATTEMPTS and time.monotonic() < deadline, errors[-3:]
        batch = events[start : start + mes.max_batch]
        try:
            outcomes.extend(mes.send(batch))
        except TargetError as error:
            errors.append(error)
            time.sleep(error.retry_after if error.retry_after is not None else 0.05)
            continue
        start += len(batch)
    mes.close()
    return outcomes, errors


def exactly_once_in_order(receiver: Receiver, events: list, refused: int = 0) -> None:
    assert receiver.invalid == []
    assert receiver.received() == len(events) - refused
    assert [m["key"] for m in receiver.messages] == [
        e.key for e in events if e.key in receiver.keys
    ]
    assert receiver.in_order()


def test_500_is_retried_and_ends_with_every_event_once(events):
    with Receiver() as receiver:
        receiver.fail(500, times=3)
        outcomes, errors = deliver(target(receiver.url), events)
    assert len(errors) == 3 and all("answered 500" in str(e) for e in errors)
    assert all(o.accepted for o in outcomes) and len(outcomes) == len(events)
    exactly_once_in_order(receiver, events)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_passed_on_and_honoured(events, status):
    with Receiver() as receiver:
        receiver.fail(status, retry_after=1.2)
        _, errors = deliver(target(receiver.url), events)
        gap = receiver.request_times[1] - receiver.request_times[0]
    assert [e.retry_after for e in errors] == [1.2]
    assert ("busy" if status == 429 else "unavailable") in str(errors[0])
    assert 1.2 <= gap < 5.0
    exactly_once_in_order(receiver, events)


def test_a_hanging_mes_is_a_timeout_and_the_batch_goes_again(events):
    with Receiver() as receiver:
        receiver.faults.hang_s = 3.0
        mes = target(receiver.url, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(TargetError, match=r"no answer from 127\.0\.0\.1:\d+ within 0\.3 s"):
            mes.send(events[:8])
        assert time.monotonic() - started < 2.0
        receiver.faults.hang_s = 0.0
        receiver.release.set()  # the hung request is answered (and recorded) now
        outcomes, _ = deliver(mes, events)
    assert all(o.accepted for o in outcomes)
    exactly_once_in_order(receiver, events)


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        ("not-json", "not JSON ('<html>gateway"),
        ("short", "7 results for 8 messages"),
        ("truncated", "cut short"),
    ],
)
def test_a_malformed_answer_fails_the_batch_and_nothing_is_lost(events, fault, words):
    with Receiver() as receiver:
        receiver.faults.malformed.append(fault)
        outcomes, errors = deliver(target(receiver.url), events)
    assert len(errors) == 1 and "malformed answer" in str(errors[0])
    assert words in str(errors[0])
    assert all(o.accepted for o in outcomes) and len(outcomes) == len(events)
    exactly_once_in_order(receiver, events)


def test_a_mes_that_is_not_there_is_a_clear_error_and_nothing_is_refused(events):
    mes = target(f"http://127.0.0.1:{free_port()}")
    with pytest.raises(TargetError, match=r"cannot reach 127\.0\.0\.1:\d+: connection refused"):
        mes.send(events[:3])


def test_a_restarted_mes_is_reached_again_on_a_new_connection(events):
    port = free_port()
    with Receiver(port) as receiver:
        mes = target(receiver.url)
        assert all(o.accepted for o in mes.send(events[:8]))
    with Receiver(port) as again:  # the kept-alive connection died with the first one
        assert all(o.accepted for o in mes.send(events[8:16]))
        mes.close()
    assert receiver.received() == 8 and again.received() == 8
    assert again.connections == 1


def test_a_poison_event_refused_with_its_batch_is_found_and_the_rest_is_taken(events):
    batch = events[:20]
    poison = batch[7]
    with Receiver() as receiver:
        receiver.faults.refuse_batch.add(poison.key)
        outcomes = target(receiver.url, batch=20).send(batch)
    assert [i for i, o in enumerate(outcomes) if not o.accepted] == [7]
    assert "refused by the MES (400: message " in outcomes[7].reason
    # halves of halves: at most two requests per level of splitting, and the first
    assert receiver.requests <= 1 + 2 * math.ceil(math.log2(len(batch)))
    exactly_once_in_order(receiver, batch, refused=1)


def test_an_event_the_mes_rejects_alone_is_refused_with_its_reason(events):
    with Receiver() as receiver:
        receiver.faults.refuse.update({events[2].key, events[5].key})
        outcomes, errors = deliver(target(receiver.url), events)
    assert not errors
    assert [i for i, o in enumerate(outcomes) if not o.accepted] == [2, 5]
    assert outcomes[2].reason == "rejected by the MES: poison"
    exactly_once_in_order(receiver, events, refused=2)


# -- through the delivery worker -----------------------------------------------------------

COPIES = 12  # the production day's events written again on streams of their own


def day_store(folder: Path, copies: int = 1) -> tuple[Path, int]:
    """A store with the production day's outbox (``copies`` times, each copy on streams of
    its own) and the MES tables; its path and the number of events."""
    events = production_events(folder)
    path = folder / "hmi.db"
    conn = connect(path)
    try:
        create_mes_tables(conn)
        with conn:
            outbox.write(
                conn,
                [
                    outbox.event(f"{e.stream}#{n}", e.kind, e.payload, e.ts)
                    for n in range(1, copies)
                    for e in events
                ],
            )
        total = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        conn.close()
    return path, total


def quarantined(path: Path) -> list[tuple[str, str]]:
    conn = connect(path, readonly=True)
    try:
        return conn.execute("SELECT key, reason FROM mes_quarantine ORDER BY outbox_id").fetchall()
    finally:
        conn.close()


def outbox_events(path: Path) -> list:
    conn = connect(path, readonly=True)
    try:
        return outbox.read_after(conn, 0, 1_000_000)
    finally:
        conn.close()


FAST = ConnectionPolicy(reconnect_min=0.05, reconnect_max=0.2, demote_after=2**31)


def run_worker(path: Path, url: str, **kw) -> tuple[Writer, Delivery]:
    batch = kw.pop("batch", 8)

    def make() -> HttpTarget:
        return target(url, batch=batch, **kw)

    writer = Writer(path, flush_interval=0.02, retry_interval=0.05).start()
    config = TargetConfig("mes", "http", make, None, FAST)
    return writer, Delivery(config, writer, poll=0.05).load().start()


def drained(receiver: Receiver, total: int, refused: int = 0, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while receiver.received() < total - refused:
        assert time.monotonic() < deadline, f"{receiver.received()} of {total - refused} taken"
        time.sleep(0.02)


FAULTS = {
    "500": lambda r: r.fail(500, times=3),
    "429": lambda r: r.fail(429, retry_after=1.0),
    "503": lambda r: r.fail(503, times=2, retry_after=0.5),
    "hang": lambda r: setattr(r.faults, "hang_times", 2) or setattr(r.faults, "hang_s", 2.0),
    "not-json": lambda r: r.faults.malformed.append("not-json"),
    "short": lambda r: r.faults.malformed.append("short"),
    "truncated": lambda r: r.faults.malformed.extend(["truncated", "truncated"]),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_through_the_worker_each_fault_ends_with_every_event_once_in_order(tmp_path, fault):
    path, total = day_store(tmp_path)
    with Receiver() as receiver:
        FAULTS[fault](receiver)
        writer, delivery = run_worker(path, receiver.url, timeout=0.5)
        try:
            drained(receiver, total)
            time.sleep(0.2)  # anything sent twice would have arrived by now
            status = delivery.status()
        finally:
            delivery.stop()
            writer.stop()
        times = receiver.request_times
    assert status.backlog == 0 and status.quarantined == 0 and quarantined(path) == []
    events = outbox_events(path)
    exactly_once_in_order(receiver, events)
    if fault == "429":  # the worker waited as long as the MES asked
        assert times[1] - times[0] >= 1.0


def test_through_the_worker_a_poison_event_is_quarantined_and_the_rest_taken(tmp_path):
    path, total = day_store(tmp_path)
    events = outbox_events(path)
    poison = events[10]
    with Receiver() as receiver:
        receiver.faults.refuse_batch.add(poison.key)
        writer, delivery = run_worker(path, receiver.url)
        try:
            drained(receiver, total, refused=1)
            assert wait_until(lambda: delivery.status().quarantined == 1, 10, "quarantined")
        finally:
            delivery.stop()
            writer.stop()
    assert [k for k, _ in quarantined(path)] == [poison.key]
    assert "refused by the MES (400" in quarantined(path)[0][1]
    exactly_once_in_order(receiver, events, refused=1)
    assert poison.seq not in receiver.streams[poison.stream]  # the receiver sees the gap


def test_wrong_credentials_through_the_worker_quarantine_nothing(tmp_path):
    from hmi.core.mes.http import Auth
    from hmi.core.secrets import FileStore

    path, _ = day_store(tmp_path)
    secrets = FileStore(tmp_path / "config")
    secrets.set("mes_token", "wrong")
    with Receiver(bearer="right") as receiver:
        writer, delivery = run_worker(
            path, receiver.url, auth=Auth("bearer", "mes_token"), secrets=secrets
        )
        try:
            assert wait_until(lambda: delivery.status().state != "ok", 10, "a refusal")
            time.sleep(0.3)
            status = delivery.status()
        finally:
            delivery.stop()
            writer.stop()
    assert "credentials refused" in status.last_error
    assert status.quarantined == 0 and quarantined(path) == []
    assert receiver.received() == 0


SENDER = """
import sys, time
from pathlib import Path
from tests.mes.test_http_faults import run_worker
writer, delivery = run_worker(Path(sys.argv[1]), sys.argv[2], batch=int(sys.argv[3]))
print("sending", flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_kill_9_while_sending_repeated_ends_with_every_event_once_in_order(tmp_path):
    seed = int(time.time())
    chance = random.Random(seed)
    path, total = day_store(tmp_path, copies=COPIES)
    batch = 10
    kills = partial = 0
    with Receiver() as receiver:
        receiver.faults.delay_s = 0.01  # a MES that takes its time: kills land mid-batch
        for _ in range(KILLS):
            sender = subprocess.Popen(
                [sys.executable, "-c", SENDER, str(path), receiver.url, str(batch)],
                stdout=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).resolve().parents[2],
            )
            try:
                assert sender.stdout is not None and sender.stdout.readline().strip() == "sending"
                time.sleep(chance.uniform(0.05, 0.8))
            finally:
                sender.kill()  # SIGKILL
                sender.wait(10)
            kills += 1
            partial += 0 < receiver.received() < total
            if receiver.received() >= total:
                break
        assert partial >= 1, f"seed {seed}: no kill landed while sending"
        writer, delivery = run_worker(path, receiver.url, batch=batch)
        try:
            drained(receiver, total, timeout=60)
            time.sleep(0.2)
        finally:
            delivery.stop()
            writer.stop()
    events = outbox_events(path)
    exactly_once_in_order(receiver, events)
    # a crash re-sends at most the batch it was sending
    assert receiver.duplicates <= kills * batch, f"seed {seed}"
