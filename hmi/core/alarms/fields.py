"""Typed access to one entry of the ``alarms:`` section: the project's field reader, plus
the one kind of value only alarms have, a priority."""

from __future__ import annotations

from typing import Any

from ..project.fields import Fields, as_number
from .definitions import PRIORITIES

PRIORITY_HELP = "1 (critical), 2 (high), 3 (medium) or 4 (low)"
_BY_NAME = {name: number for number, name in PRIORITIES.items()}


class Entry(Fields):
    """One mapping of the section (or a mapping nested in it), with its file and line."""

    def priority(self, key: str = "priority") -> int | None:
        """1..4, or its name (critical, high, medium, low)."""
        return self.converted(key, priority_of, PRIORITY_HELP)


def priority_of(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().lower() in _BY_NAME:
        return _BY_NAME[value.strip().lower()]
    number = as_number(value)
    return int(number) if number is not None and number in PRIORITIES else None
