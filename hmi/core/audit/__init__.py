"""The audit trail, without Qt: who did what, when, where and why, hash-chained.

``AuditTrail`` records every action ``Access`` hears of into the local store (durably,
never blocking the caller); ``verify`` names the first record edited, removed or moved,
or a cut-off tail; ``search`` and ``export_csv`` read it back for the supervisor's view
and ``hmi audit export``. ``HEAD_TAG`` carries the chain's head for an upstream copy.
"""

from __future__ import annotations

from .capability import COUNT_TAG, HEAD_TAG, HEALTH_TAG, VIEW, AuditCapability, read_station
from .chain import HEAD_FILE, TRUNCATED, AuditRow, Head, head_path, write_head
from .query import CSV_COLUMNS, export_csv, search
from .trail import AuditTrail
from .verify import Verdict, verify

__all__ = [
    "COUNT_TAG",
    "CSV_COLUMNS",
    "HEAD_FILE",
    "HEAD_TAG",
    "HEALTH_TAG",
    "TRUNCATED",
    "VIEW",
    "AuditCapability",
    "AuditRow",
    "AuditTrail",
    "Head",
    "Verdict",
    "export_csv",
    "head_path",
    "read_station",
    "search",
    "verify",
    "write_head",
]
