"""The historian: compressed local history of tag values, and the queries trends need.

``Historian`` records the policies of a project's ``historian:`` section through the
store's writer; ``HistoryQuery`` reads the history back; ``historian_problems`` checks
the section for ``hmi check``.
"""

from __future__ import annotations

from .config import HistorianConfig, Kind, Mode, TagPolicy, historian_problems, read_config
from .forward import Forwarder, ForwardRow, HistoryTarget, MemoryTarget
from .query import Bucket, HistoryQuery, HistoryUnavailable, Point
from .recorder import HistorianHealth, Recorder
from .service import HEALTH_TAG, Historian

__all__ = [
    "HEALTH_TAG",
    "Bucket",
    "ForwardRow",
    "Forwarder",
    "Historian",
    "HistorianConfig",
    "HistorianHealth",
    "HistoryQuery",
    "HistoryTarget",
    "HistoryUnavailable",
    "Kind",
    "MemoryTarget",
    "Mode",
    "Point",
    "Recorder",
    "TagPolicy",
    "historian_problems",
    "read_config",
]
