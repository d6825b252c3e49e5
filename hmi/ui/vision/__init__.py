"""The vision capability's views (live view with overlays, evidence gallery, model switch):
they use ``hmi.core.vision``'s public names only. ``VisionViews`` plugs them into the
windows."""

from __future__ import annotations

from .capability import VisionViews

__all__ = ["VisionViews"]
