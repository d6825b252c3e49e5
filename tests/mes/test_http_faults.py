"""The MES answering badly, against the receiver on 127.0.0.1: 500, 429/503 with
Retry-After, a hang, malformed answers, a receiver gone or restarted, a poison event.
Each fault makes the whole batch a ``TargetError`` (nothing refused for it) except the
poison event, refused alone while the rest of its batch is taken; after each, the
receiver holds every event exactly once, in order per stream."""

from __future__ import annotations

import math
import time

import pytest

from hmi.core.mes import Outcome, TargetError
from hmi.core.mes.http import HttpTarget
from tests.helpers import free_port
from tests.mes.receiver import Receiver, production_events

ATTEMPTS = 30
DEADLINE_S = 30.0


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
