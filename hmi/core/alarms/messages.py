"""Alarm message text with tag values, formatted safely.

A plant engineer writes ``"Ram pressure high: {value:.0f} {units}"``. Only a few plain
fields may be named, with a format spec; attribute access, indexing and nested fields are
refused when the project is checked, so user text can never reach into Python objects.
A value that does not fit the spec at run time (a number spec on a missing value) is
shown as plain text instead of failing.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

FIELDS = ("value", "units", "limit", "setpoint", "tag", "device", "reason")

_FORMATTER = string.Formatter()


def message_problem(template: str) -> str | None:
    """Why ``template`` cannot be an alarm message, or None when it is fine."""
    try:
        parts = list(_FORMATTER.parse(template))
    except ValueError as error:
        return f"{error}; write {{{{ and }}}} for literal braces"
    allowed = ", ".join("{" + name + "}" for name in FIELDS)
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in FIELDS:
            return f"unknown field {{{field}}}; a message may use {allowed}"
        if conversion not in (None, "s"):
            return f"conversion !{conversion} is not allowed in {{{field}}}"
        if spec and ("{" in spec or "}" in spec):
            return f"nested fields are not allowed in {{{field}:{spec}}}"
    return None


def format_message(template: str, fields: Mapping[str, Any]) -> str:
    """The message for these values; a field that does not fit its spec is shown plainly."""
    try:
        return template.format_map(_Defaulting(fields))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        pass
    out: list[str] = []
    try:
        for literal, field, _, _ in _FORMATTER.parse(template):
            out.append(literal)
            if field is not None:
                value = fields.get(field)
                out.append("" if value is None else str(value))
    except ValueError:
        return template
    return "".join(out)


def escape(text: str) -> str:
    """Literal text (a tag description) made safe to embed in a message template."""
    return text.replace("{", "{{").replace("}", "}}")


class _Defaulting(dict):
    """Fields the template names but the alarm has no value for show as empty text."""

    def __missing__(self, key: str) -> str:
        return ""
