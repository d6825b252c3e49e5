"""What a MES target is to the delivery: open, send a batch, close.

A target answers per event (accepted, or refused for good with the reason) or raises
``TargetError`` when the batch as a whole could not be delivered now. The delivery retries
the latter with backoff and quarantines only the refused events, so a configuration or
network fault never quarantines a backlog. HTTP, MQTT, Sparkplug and PostgreSQL targets
all keep this contract; ``TARGET_KINDS`` names their classes (imported only when a project
uses the kind, so a project without MQTT never loads an MQTT client).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..outbox import OutboxEvent


@dataclass(frozen=True, slots=True)
class Outcome:
    """One event's answer: ``accepted`` also for a duplicate the receiver already had (by
    key); refused with ``reason`` means this event will never be taken as it is."""

    accepted: bool
    reason: str = ""


class TargetError(Exception):
    """The whole batch could not be delivered now (network, TLS, auth, 5xx, 429, timeout,
    malformed answer): retried with backoff, nothing quarantined. ``retry_after`` seconds
    when the target said so (Retry-After)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


#: the keys of a ``mes: targets: <name>:`` entry read by the MES itself; a target class
#: lets them pass (``Fields.unknown_keys(..., hidden=COMMON_KEYS)``)
COMMON_KEYS = ("kind", "batch", "backoff", "enabled", "orders")


class Target(Protocol):
    """A place events go.

    Each class also has ``read(name, data, fields, *, root) -> (target | None, problems)``,
    a classmethod: ``data`` is the project's ``mes: targets: <name>:`` mapping, ``fields``
    its ``hmi.core.project.fields.Fields`` (a problem reported through it, at its key's
    ``file:line``, is one of the entry's; returned ones are added, duplicates dropped),
    ``root`` the project's folder (what relative paths in the entry are relative to).
    It reads its own keys and lets ``COMMON_KEYS`` pass; None when the entry is wrong."""

    name: str
    kind: str  # "http" | "mqtt" | "postgres" | ...
    max_batch: int

    def open(self) -> None:
        """Connect (may raise TargetError); called again after a failed send."""

    def send(self, events: Sequence[OutboxEvent]) -> list[Outcome]:
        """One outcome per event, in the same order; raises TargetError for the batch."""
        ...

    def close(self) -> None: ...


#: kind → "module:Class", imported when a project names the kind
TARGET_KINDS: dict[str, str] = {
    "http": "hmi.core.mes.http:HttpTarget",
    "mqtt": "hmi.core.mes.mqtt:MqttTarget",
    "postgres": "hmi.core.mes.postgres:PostgresTarget",
    "sparkplug": "hmi.core.mes.sparkplug:SparkplugTarget",
}

#: kind → "module:Class" of the order source built on a target of that kind (``orders:``)
ORDER_SOURCES: dict[str, str] = {
    "http": "hmi.core.mes.orders_in:HttpOrderSource",
    "postgres": "hmi.core.mes.orders_pg:PostgresOrderSource",
    "mqtt": "hmi.core.mes.orders_mqtt:MqttOrderSource",
}
