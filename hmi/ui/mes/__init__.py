"""The MES sync's views (the header item, the page where a supervisor handles refused
events): they use ``hmi.core.mes``'s public names only. ``MesViews`` plugs them into the
windows."""

from __future__ import annotations

from .capability import MesViews

__all__ = ["MesViews"]
