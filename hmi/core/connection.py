"""One connection policy for every driver: how long to wait for a device, how often to
repeat, how to back off while it is gone, and when to demote it.

A driver reads the policy's options with ``read_policy`` (the same names and checks for
every protocol) and keeps one ``ConnectionState`` per device: it reports each cycle's
success or failure, and the state says when the next attempt is due, how many attempts a
request gets and whether the device is demoted. The state is pure (a clock is injected),
so the policy is testable without a device or an event loop.

**Backoff**: the n-th consecutive failure waits a random time between ``reconnect_min``
and ``min(reconnect_max, reconnect_min * 2**(n-1))`` ("full jitter" with a floor). The
floor keeps a dead device from being hammered; the full range spreads the attempts of
devices (or of several HMIs) that lost their link together, so they do not all come back
in the same instant. Decorrelated jitter was not chosen: its next wait depends on the
previous draw and two thirds of its draws pile up exactly at the cap during a long
outage, which is when spreading matters; here the worst wait is ``reconnect_max``, a
plain bound the recovery rule below can rely on.

**Demotion**: after ``demote_after`` failed cycles in a row a device is demoted: it is
tried once (no retries) every ``demote_for`` (jittered down by up to a fifth, so demoted
devices drift apart), so a dead PLC costs one connect attempt per ``demote_for`` and never
holds up anything else. The first success ends the demotion and resets the backoff.

**Recovery**: a probe of a dead device costs at most ``connect_timeout``, and the wait
after it is at most ``max(reconnect_max, demote_for)``; with the defaults (1 s + 2.5 s) a
device is tried again within 3.5 s of an outage ending and is back within 5 s. A device
that accepts the connection but does not answer costs its request timeouts instead of
the connect timeout (Modbus defaults: 2 x 1 s + 2.5 s).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .project.limits import RECONNECT, TIMEOUT, WholeRange
from .words import describe_value

RECOVERY_TARGET = 5.0  # s: a device is back this soon after its outage ends (defaults)
DEMOTED_SPREAD = 0.2  # a demoted device's probe comes up to this fraction of demote_for early


@dataclass(frozen=True, slots=True)
class ConnectionPolicy:
    """The connection settings of one device; each driver gives its own defaults."""

    timeout: float = 1.0  # s: one request's answer, repeats not included
    connect_timeout: float = 1.0  # s: opening the connection; what a probe of a dead PLC costs
    retries: int = 1  # extra attempts of a read after a timeout (none while demoted)
    reconnect_min: float = 0.5  # s: shortest wait after a failed cycle
    reconnect_max: float = 2.0  # s: longest wait after a failed cycle while not demoted
    demote_after: int = 3  # failed cycles in a row before the device is demoted
    demote_for: float = 2.5  # s: wait between the attempts of a demoted device

    @property
    def recovery_bound(self) -> float:
        """Longest time from an outage's end to the start of the attempt that finds the
        device again: a probe that just failed, then the longest wait."""
        return self.connect_timeout + max(self.reconnect_max, self.demote_for)


@dataclass(frozen=True, slots=True)
class OptionProblem:
    """A wrong option; ``key`` names it (``DeviceConfig.source_of(key)`` finds its line),
    empty when the problem is about the device as a whole."""

    key: str
    message: str

    def __str__(self) -> str:
        return self.message


RETRIES = WholeRange(0, 10)
DEMOTE_AFTER = WholeRange(1, 1000)


def _whole(allowed: WholeRange) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        number: int | None = None
        if isinstance(value, int | str) and not isinstance(value, bool):
            try:
                number = int(value)
            except ValueError:
                pass
        if number is None or number not in allowed:
            raise ValueError(f"{describe_value(value)} is not {allowed.text}")
        return number

    return convert


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "timeout": TIMEOUT.parse,
    "connect_timeout": TIMEOUT.parse,
    "retries": _whole(RETRIES),
    "reconnect_min": RECONNECT.parse,
    "reconnect_max": RECONNECT.parse,
    "demote_after": _whole(DEMOTE_AFTER),
    "demote_for": RECONNECT.parse,
}
POLICY_OPTIONS = tuple(_CONVERTERS)  # the option names every driver accepts


def read_policy(
    options: Mapping[str, Any], defaults: ConnectionPolicy = ConnectionPolicy()
) -> tuple[ConnectionPolicy, list[OptionProblem]]:
    """The policy options among a device's ``options`` (others are ignored), over the
    driver's defaults; every problem is listed, in the order the options were written."""
    values: dict[str, Any] = {}
    problems: list[OptionProblem] = []
    for key, value in options.items():
        convert = _CONVERTERS.get(key)
        if convert is None:
            continue
        try:
            values[key] = convert(value)
        except ValueError as exc:
            problems.append(OptionProblem(key, f"{key}: {exc}"))
    policy = replace(defaults, **values)
    if policy.reconnect_min > policy.reconnect_max and not {
        "reconnect_min",
        "reconnect_max",
    }.isdisjoint(values):
        key = "reconnect_min" if "reconnect_min" in values else "reconnect_max"
        message = (
            f"reconnect_min ({policy.reconnect_min:g} s) is longer than "
            f"reconnect_max ({policy.reconnect_max:g} s)"
        )
        problems.append(OptionProblem(key, message))
    return policy, problems


class ConnectionState:
    """One device's standing under a policy: healthy, failing (backing off) or demoted.

    Call ``failed()`` after a cycle that could not talk to the device and ``succeeded()``
    after one that did; ask ``due()`` before trying. Times come from ``clock`` (seconds,
    monotonic); ``rng`` draws the jitter (seed it in tests).
    """

    def __init__(
        self,
        policy: ConnectionPolicy,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ):
        self.policy = policy
        self.clock = clock
        self.rng = rng or random.Random()
        self.failures = 0  # failed cycles in a row
        self.next_try = -math.inf  # clock time from which the device may be tried again
        self.last_wait = 0.0  # the wait drawn after the newest failure

    @property
    def failing(self) -> bool:
        return self.failures > 0

    @property
    def demoted(self) -> bool:
        return self.failures >= self.policy.demote_after

    @property
    def attempts(self) -> int:
        """Sends of one read: a demoted device gets one, a probe, never repeated."""
        return 1 if self.demoted else 1 + self.policy.retries

    def due(self) -> bool:
        """Whether the device may be tried now, or is still being waited out."""
        return self.clock() >= self.next_try

    def wait(self) -> float:
        """Seconds until the device may be tried again (0 when due)."""
        return max(0.0, self.next_try - self.clock())

    def failed(self) -> float:
        """Count a failed cycle; returns the wait before the next attempt."""
        self.failures += 1
        policy = self.policy
        if self.demoted:
            wait = self.rng.uniform((1 - DEMOTED_SPREAD) * policy.demote_for, policy.demote_for)
        else:
            exponent = min(self.failures - 1, 64)  # 2**64 dwarfs any reconnect_max
            ceiling = min(policy.reconnect_max, policy.reconnect_min * 2.0**exponent)
            wait = self.rng.uniform(policy.reconnect_min, max(ceiling, policy.reconnect_min))
        self.last_wait = wait
        self.next_try = self.clock() + wait
        return wait

    def succeeded(self) -> bool:
        """Count a cycle that talked to the device; True when it ends a failure streak."""
        recovered = self.failures > 0
        self.failures = 0
        self.next_try = -math.inf
        return recovered

    async def until_due(self) -> None:
        """Sleep until the device may be tried again."""
        wait = self.wait()
        if wait > 0:
            await asyncio.sleep(wait)
