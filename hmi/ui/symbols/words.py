"""The project's own words in the operator's language: kept in ``hmi.ui.i18n`` beside
Linea's own, named here too for the symbols."""

from __future__ import annotations

from hmi.ui.i18n import project_text

__all__ = ["project_text"]
