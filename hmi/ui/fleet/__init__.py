"""The fleet's views (the Plant page of the supervisor station: a tile per line of the
plant, by site): they use ``hmi.core.fleet``'s public names only. ``FleetViews`` plugs
them into the windows."""

from __future__ import annotations

from .capability import FleetViews

__all__ = ["FleetViews"]
