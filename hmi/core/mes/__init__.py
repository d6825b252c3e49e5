"""MES sync (no Qt): the outbox's events forwarded to the plant's MES targets, store and
forward, in order per stream, with quarantine for what a target refuses.

The package, by what each module is for:

- ``target``: the contract every target keeps (``Target``, ``Outcome``, ``TargetError``)
  and the kinds known (``TARGET_KINDS``).
"""

from __future__ import annotations

from .target import TARGET_KINDS, Outcome, Target, TargetError

__all__ = ["TARGET_KINDS", "Outcome", "Target", "TargetError"]
