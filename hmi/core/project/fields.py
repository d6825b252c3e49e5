"""Typed access to one mapping of a project file, for every section that reads one.

Each wrong value becomes a ``Problem`` at the line of its own key, phrased
``<label>: <key>: expected <what would be right>, got <what was written>``, and the
reader goes on: a plant engineer gets every mistake of a file in one run. A section that
needs kinds of its own (alarm priorities, symbol properties) subclasses ``Fields``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar, overload

from ..words import describe_value, did_you_mean, parse_flag, shorten
from .durations import parse_duration
from .limits import DurationRange, WholeRange
from .models import Problem, Source
from .yamlsrc import line_of

Report = Callable[[Problem], None]
T = TypeVar("T")


def as_number(value: Any) -> float | None:
    """A finite number from a number or numeric text; None for anything else (bools too)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def as_pair(value: Any) -> tuple[float, float] | None:
    """``[lo, hi]`` as two finite numbers, else None."""
    if isinstance(value, list | tuple) and len(value) == 2:
        lo, hi = as_number(value[0]), as_number(value[1])
        if lo is not None and hi is not None:
            return lo, hi
    return None


class Fields:
    """One mapping (or a mapping nested in one) with its file, line and label (prefixed to
    every message; an empty label when the file and line say enough).

    Every typed getter returns None (or the default) when the key is absent or empty, and
    also when its value is wrong; then the problem is reported and ``failed`` is set.
    """

    def __init__(self, report: Report, data: Mapping, file: str, line: int, label: str):
        self.report = report
        self.data = data
        self.file = file
        self.line = line
        self.label = label
        self.failed = False
        self.parent: Fields | None = None  # a problem here is one of the parent's too

    # -- where and what ------------------------------------------------------------------

    def line_of(self, key: Any) -> int:
        return line_of(self.data, key, self.line) or self.line

    def source(self, key: Any = None) -> Source:
        return Source(self.file, self.line if key is None else self.line_of(key))

    def sources(self) -> dict[str, Source]:
        """Where each key was written, for models that point at one field later."""
        return {str(key): self.source(key) for key in self.data}

    def problem(self, key: Any, message: str) -> None:
        """Report ``message`` at the line of ``key`` (of the mapping itself for None)."""
        self.fail()
        text = f"{self.label}: {message}" if self.label else message
        self.report(Problem(self.source(key), text))

    def fail(self) -> None:
        """Mark this mapping (and those it is in) as wrong without saying more, when a
        problem reported elsewhere already says why."""
        fields: Fields | None = self
        while fields is not None:
            fields.failed = True
            fields = fields.parent

    def unknown(self, key: Any, message: str, explained: bool = False) -> None:
        """A reference to a name that does not exist: ``message`` at ``key``, unless a
        problem already reported explains it (``explained``: the name was written but
        refused, or a file that may hold it could not be read); wrong either way."""
        if explained:
            self.fail()
        else:
            self.problem(key, message)

    def wrong(self, key: str, expected: str) -> None:
        """Report the value of ``key`` as wrong: what was expected and what was written."""
        self.problem(key, f"{key}: expected {expected}, got {describe_value(self.data.get(key))}")

    def get(self, key: str) -> Any:
        """The value as written; an empty text counts as not written."""
        value = self.data.get(key)
        return None if value == "" else value

    def unknown_keys(
        self,
        known: tuple[str, ...],
        noun: str = "fields",
        kind: str = "field",
        hidden: tuple[str, ...] = (),
    ) -> None:
        """Report every key not in ``known``, with the closest known one as a hint; keys in
        ``hidden`` (such as the one that chose the kind of entry) pass but are not offered."""
        for key in self.data:
            if key not in known and key not in hidden:
                hint = did_you_mean(str(key), known, noun)
                self.problem(key, f"unknown {kind} '{shorten(key)}'; {hint}")

    def child(self, key: str, example: str) -> Self | None:
        """The mapping under ``key``, read the same way (labelled ``<label>: <key>``), or
        None, reported, if it is something else."""
        value = self.data.get(key)
        if isinstance(value, Mapping):
            return self.nested(key, value, f"{self.label}: {key}" if self.label else key)
        self.wrong(key, f"a mapping such as {example}")
        return None

    def nested(self, key: Any, value: Mapping, label: str) -> Self:
        """``value`` (written under ``key``) read the same way; a problem with no key of
        its own points at the line of ``key``, and any problem fails this mapping too."""
        fields = type(self)(self.report, value, self.file, self.line_of(key), label)
        fields.parent = self
        return fields

    # -- kinds of value --------------------------------------------------------------------

    def text(self, key: str) -> str | None:
        value = self.get(key)
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if value is not None:
            self.wrong(key, "text")
        return None

    def converted(self, key: str, convert: Callable[[Any], T | None], expected: str) -> T | None:
        """The value of ``key`` through ``convert``; None if it is absent, or if ``convert``
        refuses it (None), then reported as not ``expected``. Most kinds are one of these,
        and so are those a section adds."""
        value = self.get(key)
        if value is None:
            return None
        result = convert(value)
        if result is None:
            self.wrong(key, expected)
        return result

    def number(self, key: str, meaning: str = "a number") -> float | None:
        return self.converted(key, as_number, meaning)

    def not_negative(self, key: str, meaning: str = "a number") -> float | None:
        number = self.number(key, meaning)
        if number is not None and number < 0:
            self.problem(key, f"{key} {number:g} is negative; use 0 or more")
            return None
        return number

    def whole(self, key: str, lowest: int, highest: int, meaning: str) -> int | None:
        """A whole number in ``lowest..highest``; ``meaning`` says so in the message."""

        def whole_in_range(value: Any) -> int | None:
            number = as_number(value)
            if number is None or not number.is_integer() or not lowest <= number <= highest:
                return None
            return int(number)

        return self.converted(key, whole_in_range, meaning)

    def count(self, key: str, within: WholeRange) -> int | None:
        """A whole number in one of the shared ranges (``limits``)."""
        return self.whole(key, within.lowest, within.highest, within.text)

    def flag(self, key: str, default: bool = False) -> bool:
        flag = self.converted(key, parse_flag, "true or false")
        return default if flag is None else flag

    def pair(self, key: str, shape: str = "two numbers [lo, hi]") -> tuple[float, float] | None:
        return self.converted(key, as_pair, shape)

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        """One of ``choices`` (lower case), whatever the case it was written in."""
        value = self.text(key)
        if value is None:
            return None
        if value.lower() in choices:
            return value.lower()
        self.wrong(key, " or ".join(choices))
        return None

    @overload
    def duration(self, key: str, *, within: DurationRange | None = None) -> float | None: ...
    @overload
    def duration(
        self, key: str, default: float, *, within: DurationRange | None = None
    ) -> float: ...

    def duration(
        self, key: str, default: float | None = None, *, within: DurationRange | None = None
    ) -> float | None:
        """Seconds from ``100ms``, ``1s``, ``2.5 s``, ``10m`` or a plain number; with
        ``within`` (one of the shared ranges in ``limits``), a value out of it is refused."""
        value = self.get(key)
        if value is None:
            return default
        try:
            return within.parse(value) if within is not None else parse_duration(value)
        except ValueError as error:
            self.problem(key, f"{key}: {error}")
            return default
