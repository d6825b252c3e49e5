"""The operator application (Qt): bridge, symbols, screen renderer, shell."""

from __future__ import annotations

import sys

import PySide6


def _refuse_broken_qt() -> None:
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call and
    aborts the interpreter after a few thousand paints; pyproject pins below it."""
    if sys.version_info < (3, 12) and PySide6.__version__.startswith("6.12."):
        raise ImportError(
            f"PySide6 {PySide6.__version__} crashes on Python 3.11; "
            'install the pinned version: pip install "PySide6-Essentials>=6.8,<6.12"'
        )


_refuse_broken_qt()
