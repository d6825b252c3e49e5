"""MES sync (no Qt): the outbox's events forwarded to the plant's MES targets, store and
forward, in order per stream, with quarantine for what a target refuses.

The package, by what each module is for:

- ``target``: the contract every target keeps (``Target``, ``Outcome``, ``TargetError``)
  and the kinds known (``TARGET_KINDS``); ``http``: the HTTP/REST target; ``postgres``:
  the PostgreSQL target (staging tables and the views an MES or ERP reads);
- ``config``: the ``mes:`` section (targets, their common keys; each kind reads its own)
  and its ``file:line`` checks;
- ``delivery``: one target's worker (live and backlog lanes, durable cursor, quarantine,
  backoff); ``schema``: its tables (migration component ``mes``);
- ``service``: ``Mes``, the workers' figures and what a supervisor does with refused
  events (retry, discard, export);
- ``capability``: plugs the service into the runtime (system tags, health);
- ``console``: ``hmi mes status|retry|discard|export``.
"""

from __future__ import annotations

from .capability import HEALTH_TAG, MesCapability, target_tag
from .config import MesConfig, TargetConfig, mes_problems, read_mes
from .delivery import Status
from .service import DISCARD, EXPORT, RETRY, Mes, MesError, Quarantined, RetryResult
from .target import COMMON_KEYS, TARGET_KINDS, Outcome, Target, TargetError

__all__ = [
    "COMMON_KEYS",
    "DISCARD",
    "EXPORT",
    "HEALTH_TAG",
    "RETRY",
    "TARGET_KINDS",
    "Mes",
    "MesCapability",
    "MesConfig",
    "MesError",
    "Outcome",
    "Quarantined",
    "RetryResult",
    "Status",
    "Target",
    "TargetConfig",
    "TargetError",
    "mes_problems",
    "read_mes",
    "target_tag",
]
