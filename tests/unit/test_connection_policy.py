"""The connection policy shared by the drivers, driven by a fake clock and seeded jitter."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

import pytest

from drivers.modbus.options import POLICY as MODBUS_POLICY
from drivers.opcua.options import POLICY as OPCUA_POLICY
from hmi.core.connection import (
    RECOVERY_TARGET,
    ConnectionPolicy,
    ConnectionState,
    read_policy,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


DEFAULTS = ConnectionPolicy()


def state(policy: ConnectionPolicy = DEFAULTS, seed: int = 1) -> ConnectionState:
    return ConnectionState(policy, FakeClock(), random.Random(seed))


# -- backoff -------------------------------------------------------------------------------


def test_backoff_grows_with_jitter_inside_its_bounds():
    policy = ConnectionPolicy(reconnect_min=0.5, reconnect_max=4.0, demote_after=100)
    waits: dict[int, list[float]] = {n: [] for n in range(1, 8)}
    for seed in range(300):
        device = state(policy, seed)
        for n in range(1, 8):
            waits[n].append(device.failed())
    for n, drawn in waits.items():
        ceiling = min(4.0, 0.5 * 2 ** (n - 1))
        assert all(0.5 <= w <= ceiling for w in drawn), n
        if ceiling > 0.5:  # jitter: spread over the range, not one fixed value
            assert min(drawn) < 0.5 + 0.1 * (ceiling - 0.5)
            assert max(drawn) > ceiling - 0.1 * (ceiling - 0.5)
    means = [sum(drawn) / len(drawn) for drawn in waits.values()]
    assert means[0] == 0.5 and means[1] < means[2] < means[3] < means[4]
    assert means[5] == pytest.approx(means[6], rel=0.1)  # capped at reconnect_max


def test_no_attempt_before_the_wait_is_over():
    device = state(ConnectionPolicy(reconnect_min=1.0, reconnect_max=1.0))
    assert device.due() and not device.failing
    wait = device.failed()
    assert wait == 1.0 and device.wait() == 1.0 and not device.due()
    device.clock.now += 0.99
    assert not device.due()
    device.clock.now += 0.02
    assert device.due() and device.wait() == 0.0


def test_a_success_resets_the_backoff():
    device = state(ConnectionPolicy(reconnect_min=0.5, reconnect_max=8.0, demote_after=100))
    for _ in range(6):
        device.failed()
    assert device.last_wait > 0.5 or device.failed() > 0.5
    assert device.succeeded() is True
    assert (device.failures, device.failing, device.due()) == (0, False, True)
    assert device.failed() == 0.5  # the first failure of a new streak waits the minimum
    assert device.succeeded() is True and device.succeeded() is False


# -- demotion ------------------------------------------------------------------------------


def test_a_device_is_demoted_after_n_failed_cycles_and_probed_rarely():
    policy = ConnectionPolicy(retries=2, reconnect_max=2.0, demote_after=3, demote_for=3.0)
    device = state(policy)
    for _ in range(2):
        device.failed()
        assert not device.demoted and device.attempts == 3
    waits = [device.failed() for _ in range(50)]
    assert device.demoted and device.attempts == 1  # a probe: never repeated
    assert all(0.8 * 3.0 <= w <= 3.0 for w in waits)
    assert max(waits) - min(waits) > 0.3  # demoted devices drift apart


def test_demotion_ends_with_the_first_success():
    device = state(ConnectionPolicy(demote_after=2, demote_for=3.0))
    device.failed()
    device.failed()
    assert device.demoted and not device.due()
    device.clock.now += 3.0
    assert device.due()
    assert device.succeeded() is True
    assert not device.demoted and device.attempts == 2
    device.failed()
    assert not device.demoted  # a new streak starts from the beginning


# -- back within 5 s after an outage ends ---------------------------------------------------


def recovery_after(
    policy: ConnectionPolicy,
    outage: float,
    cost: float | Callable[[ConnectionState], float],
    seed: int,
) -> float:
    """Seconds from the end of an outage to the start of the attempt that succeeds, for a
    device whose every failed attempt costs ``cost`` (its connect timeout when the PLC is
    dead, nothing when it refuses; or a function of the device's state)."""
    clock = FakeClock()
    start = clock.now
    device = ConnectionState(policy, clock, random.Random(seed))
    device.failed()  # the cycle that found the device gone
    for _ in range(100_000):
        clock.now = max(clock.now, device.next_try)
        if clock.now >= start + outage:
            return clock.now - (start + outage)
        clock.now += cost(device) if callable(cost) else cost
        device.failed()
    raise AssertionError("never tried again")


@pytest.mark.parametrize("policy", [ConnectionPolicy(), MODBUS_POLICY, OPCUA_POLICY])
def test_with_the_defaults_a_device_is_back_within_5_s_after_an_outage(policy):
    rng = random.Random(7)
    worst = 0.0
    for seed in range(400):
        outage = rng.choice([0.2, 1.0, 3.0, 10.0, 60.0, 3600.0]) + rng.random()
        for cost in (0.0, policy.connect_timeout):
            worst = max(worst, recovery_after(policy, outage, cost, seed))
    assert worst <= policy.recovery_bound
    # the attempt itself (a connect and a first read) has the rest of the 5 s
    assert policy.recovery_bound <= RECOVERY_TARGET - 1.0


def test_a_device_that_accepts_but_does_not_answer_is_back_within_5_s_too():
    """Modbus: a gateway whose PLC behind it is silent costs timeouts, not connects."""
    policy = MODBUS_POLICY

    def timeouts(device: ConnectionState) -> float:  # every send of the read times out
        return policy.timeout * device.attempts

    worst = 0.0
    for seed in range(300):
        outage = random.Random(seed).choice([0.5, 2.0, 5.0, 60.0]) + seed * 0.01
        worst = max(worst, recovery_after(policy, outage, timeouts, seed))
    # two timed-out sends, then the demoted wait; a Modbus reconnect and read take ms
    assert worst <= 2 * policy.timeout + policy.demote_for <= RECOVERY_TARGET - 0.5


async def test_until_due_sleeps_out_the_wait():
    device = ConnectionState(ConnectionPolicy(reconnect_min=0.05, reconnect_max=0.05))
    device.failed()
    started = time.monotonic()
    await asyncio.wait_for(device.until_due(), 1.0)
    assert 0.04 <= time.monotonic() - started < 0.5 and device.due()
    started = time.monotonic()
    await device.until_due()  # due already: no sleep
    assert time.monotonic() - started < 0.02


# -- options -------------------------------------------------------------------------------


def test_options_are_read_over_the_drivers_defaults():
    policy, problems = read_policy(
        {
            "host": "plc",  # not a policy option: left to the driver
            "timeout": "250ms",
            "connect_timeout": 0.5,
            "retries": "2",
            "reconnect_min": "100ms",
            "reconnect_max": "1s",
            "demote_after": 5,
            "demote_for": "2 s",
        },
        ConnectionPolicy(timeout=4.0, retries=0),
    )
    assert problems == []
    assert policy == ConnectionPolicy(0.25, 0.5, 2, 0.1, 1.0, 5, 2.0)
    assert read_policy({}, OPCUA_POLICY) == (OPCUA_POLICY, [])


@pytest.mark.parametrize(
    ("options", "key", "message"),
    [
        ({"timeout": "soon"}, "timeout", "timeout: expected a duration (e.g. 100ms, 1s"),
        ({"timeout": 0}, "timeout", "timeout: 0 is too short; use 10ms to 10min"),
        ({"timeout": "1e308s"}, "timeout", "timeout: 1e308s is too long; use 10ms to 10min"),
        ({"connect_timeout": "1e-9s"}, "connect_timeout", "1e-9s is too short"),
        ({"demote_for": "-1s"}, "demote_for", "is negative"),
        ({"demote_for": "2h"}, "demote_for", "2h is too long; use 10ms to 1h"),
        ({"retries": 11}, "retries", "retries: 11 is not a whole number from 0 to 10"),
        ({"retries": True}, "retries", "retries: true is not a whole number"),
        ({"demote_after": "many"}, "demote_after", "demote_after: 'many' is not a whole number"),
        ({"demote_after": 0}, "demote_after", "demote_after: 0 is not a whole number from 1"),
        (
            {"reconnect_min": "5s", "reconnect_max": "1s"},
            "reconnect_min",
            "reconnect_min (5 s) is longer than reconnect_max (1 s)",
        ),
        ({"reconnect_max": "0.1s"}, "reconnect_max", "reconnect_min (0.5 s) is longer"),
    ],
)
def test_each_wrong_option_is_named_with_its_key(options, key, message):
    policy, problems = read_policy(options)
    assert [p.key for p in problems] == [key]
    assert message in problems[0].message, problems[0].message
    assert policy is not None  # the defaults stand in for what was wrong


def test_every_problem_is_listed_in_the_order_written():
    _, problems = read_policy({"demote_for": 0, "port": 502, "timeout": "x", "retries": -1})
    assert [p.key for p in problems] == ["demote_for", "timeout", "retries"]
