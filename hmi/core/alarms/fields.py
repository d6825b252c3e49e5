"""Typed access to one entry of the ``alarms:`` section; each wrong value is a problem
at its own line, saying what is wrong and what would be right."""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..project.durations import parse_duration
from ..project.models import Problem, Source
from ..project.yamlsrc import line_of, to_plain
from .definitions import PRIORITIES

PRIORITY_HELP = "1 (critical), 2 (high), 3 (medium) or 4 (low)"


def describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    shown = repr(to_plain(value))
    return shown if len(shown) <= 40 else type(value).__name__


def suggest(word: str, choices: Iterable[str], noun: str) -> str:
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return f"there are no {noun}"
    if len(options) <= 12:
        return f"the {noun} are {', '.join(options)}"
    return f"no {noun[:-1]} has that name"


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


class Entry:
    """One mapping of the section (or a mapping nested in it), with its file and line."""

    def __init__(
        self,
        report: Callable[[Problem], None],
        data: Mapping,
        file: str,
        line: int,
        label: str,
    ):
        self.report = report
        self.data = data
        self.file = file
        self.line = line
        self.label = label
        self.failed = False

    def source(self, key: str | None = None) -> Source:
        if key is None:
            return Source(self.file, self.line)
        return Source(self.file, line_of(self.data, key, self.line) or self.line)

    def problem(self, key: str | None, message: str) -> None:
        self.failed = True
        self.report(Problem(self.source(key), f"{self.label}: {message}"))

    def child(self, key: str, label: str) -> Entry | None:
        """The mapping under ``key`` as an Entry, or None (reported) if it is not one."""
        value = self.data.get(key)
        if isinstance(value, Mapping):
            line = getattr(value, "line", 0) or self.source(key).line
            return Entry(self.report, value, self.file, line, f"{self.label}: {label}")
        self.problem(key, f"{key}: expected a mapping such as {label}, got {describe(value)}")
        return None

    def unknown_keys(self, known: tuple[str, ...]) -> None:
        for key in self.data:
            if key not in known:
                hint = suggest(str(key), known, "fields")
                self.problem(key, f"unknown field '{key}'; {hint}")

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.problem(key, f"{key}: expected text, got {describe(value)}")
        return None

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        number = as_number(value)
        if number is None:
            self.problem(key, f"{key}: expected a number, got {describe(value)}")
        return number

    def positive_or_zero(self, key: str) -> float:
        number = self.number(key)
        if number is not None and number < 0:
            self.problem(key, f"{key}: must be 0 or more, got {number:g}")
            return 0.0
        return number or 0.0

    def duration(self, key: str) -> float:
        value = self.data.get(key)
        if value is None:
            return 0.0
        try:
            return parse_duration(value)
        except ValueError as error:
            self.problem(key, f"{key}: {error}")
            return 0.0

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.problem(key, f"{key}: expected true or false, got {describe(value)}")
        return default

    def priority(self, key: str = "priority") -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            by_name = {name: number for number, name in PRIORITIES.items()}
            if value.strip().lower() in by_name:
                return by_name[value.strip().lower()]
        number = as_number(value)
        if number is None or number not in PRIORITIES:
            self.problem(key, f"{key}: expected {PRIORITY_HELP}, got {describe(value)}")
            return None
        return int(number)
