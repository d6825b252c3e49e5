"""The order views: the order panel on line screens and the overview, downtime reasons,
the supervisor's OEE and queue page (``OrdersViews`` plugs them into the windows)."""

from __future__ import annotations

from .capability import OrdersViews

__all__ = ["OrdersViews"]
