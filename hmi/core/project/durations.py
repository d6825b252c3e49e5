"""Durations as a plant engineer writes them: ``100ms``, ``1s``, ``2.5 s``, ``1m`` or ``3``.

A plain number means seconds. Project files keep durations as text; this turns them into
seconds, with an error message that says what would have been right.
"""

from __future__ import annotations

import math
import re

from ..words import describe_value

_UNIT_SECONDS = {
    "us": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 7 * 86400.0,
    "y": 365 * 86400.0,  # retention periods: 90d, 2w, 1y
}

_DURATION = re.compile(
    r"^\s*(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[a-zA-Z]*)\s*$"
)

EXAMPLES = "e.g. 100ms, 1s, 2.5 s, 1m"


def parse_duration(value: object) -> float:
    """Seconds from a number or a text with a unit; ``ValueError`` says what is accepted."""
    seconds = parse_signed_duration(value)
    if seconds < 0:
        raise ValueError(f"duration {describe_value(value)} is negative; use 0 or more")
    return seconds


def parse_signed_duration(value: object) -> float:
    """``parse_duration`` that lets a negative duration through, for a caller that says
    itself what range is right."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration ({EXAMPLES}), got {str(value).lower()}")
    if isinstance(value, int | float):
        seconds = float(value) if abs(value) < 1e300 else math.inf
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            raise ValueError(f"expected a duration ({EXAMPLES}), got {describe_value(value)}")
        unit = match["unit"].lower()
        if unit and unit not in _UNIT_SECONDS:
            units = ", ".join(_UNIT_SECONDS)
            shown = describe_value(value)
            raise ValueError(f"unknown unit {match['unit']!r} in {shown}; use one of {units}")
        seconds = float(match["number"]) * _UNIT_SECONDS.get(unit, 1.0)
    else:
        raise ValueError(f"expected a duration ({EXAMPLES}), got {describe_value(value)}")
    if not math.isfinite(seconds):
        raise ValueError(f"duration {describe_value(value)} is not a finite number")
    return seconds
