"""What symbols need from the outside world; the renderer provides it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hmi.core.project.models import Project
from hmi.ui.capability import AlarmLinks, no_alarms
from hmi.ui.theme import DEFAULT_THEME, Theme

if TYPE_CHECKING:
    from .base import Symbol


@dataclass
class SymbolContext:
    """What symbols need from the outside world; the renderer provides it.

    ``activate(symbol, new_window)`` is called when the operator touches a symbol;
    ``new_window`` is true for a middle click or a Ctrl+click (desk only);
    ``alarm_links(tag)`` names the alarms whose state a symbol showing ``tag`` follows;
    ``history``, when the past is kept, is what fills mini-trends when a screen opens (a
    ``HistorySource``: ``raw(tag, t0_ms, t1_ms, limit=...)`` of points with ``t``, ``value``
    and ``quality``; see ``hmi.ui.symbols.history``).
    """

    project: Project
    theme: Theme = DEFAULT_THEME
    activate: Callable[[Symbol, bool], None] | None = None
    touch: bool = False
    clock: Callable[[], float] = time.time
    extra: dict[str, Any] = field(default_factory=dict)
    alarm_links: AlarmLinks = no_alarms
    history: Any = None
