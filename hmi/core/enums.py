"""Enumerations: the words for machine states and fault codes, as tables in the project.

A PLC sends numbers; the operator reads words. The ``enums:`` section of project.yaml
names each table once, and any symbol shows a code as its text with ``enum: <name>``::

    enums:
      press_fault:                   # name -> {value: text}
        0: None
        101: Overpressure
        102: Die temperature
      machine_state: {0: Stopped, 1: Idle, 2: Running, 3: Fault, 4: Setup}

Values are numbers, true/false or text, matched as the PLC sends them (2 and 2.0 are the
same value). The texts are the engineer's words: the operator's language comes from the
project's ``i18n/<code>.yaml`` (context ``Enums``), like every other project text.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from .project.fields import Fields
from .project.models import Problem, Project, Source
from .words import describe_value, did_you_mean

SECTION = "enums"
CONTEXT = "Enums"  # where the project's translations of the texts are grouped
MAX_ENTRIES = 10_000  # codes in one table; a PLC's fault list, not a database
EXAMPLE = "{0: Stopped, 1: Idle, 2: Running}"


def value_key(value: Any) -> tuple[str, Any] | None:
    """How a value is looked up: numbers by their value (2 == 2.0), flags and text as they
    are; None for anything a table cannot hold."""
    if isinstance(value, bool):
        return ("flag", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    if isinstance(value, str):
        return ("text", value.strip())
    return None


@dataclass(frozen=True)
class EnumTable:
    """One table: value -> text, and where it was written."""

    name: str
    texts: Mapping[tuple[str, Any], str]
    source: Source

    def text(self, value: Any) -> str | None:
        """The text of ``value``, or None when the table does not have it."""
        key = value_key(value)
        return None if key is None else self.texts.get(key)

    def __len__(self) -> int:
        return len(self.texts)


def read_enums(project: Project) -> tuple[dict[str, EnumTable], list[Problem]]:
    """Every table of the ``enums:`` section, and every problem with it; a table with a
    problem keeps its good entries, so one typo never loses the words of a whole list."""
    problems: list[Problem] = []
    section = project.extra.get(SECTION)
    if section is None or section.data is None:
        return {}, problems
    data, source = section.data, section.source
    if not isinstance(data, Mapping):
        problems.append(
            Problem(
                source,
                f"enums: expected a mapping of name -> {{value: text}}, e.g. "
                f"press_state: {EXAMPLE}; got {describe_value(data)}",
            )
        )
        return {}, problems
    section_fields = Fields(problems.append, data, source.file, source.line, SECTION)
    tables: dict[str, EnumTable] = {}
    for name, entries in data.items():
        label = f"enum '{name}'"
        if not isinstance(entries, Mapping) or not entries:
            section_fields.wrong(str(name), f"a mapping of value -> text, e.g. {EXAMPLE}")
            continue
        fields = section_fields.nested(name, entries, label)
        if len(entries) > MAX_ENTRIES:
            fields.problem(None, f"{len(entries)} entries; a table holds at most {MAX_ENTRIES}")
            continue
        texts: dict[tuple[str, Any], str] = {}
        for value, text in entries.items():
            key = value_key(value)
            if key is None:
                fields.problem(value, f"value {describe_value(value)}: use a number or text")
                continue
            if isinstance(text, Mapping | list) or text is None or str(text).strip() == "":
                fields.wrong(value, "the text to show for this value")
                continue
            texts[key] = str(text).strip()
        tables[str(name)] = EnumTable(str(name), texts, fields.source())
    return tables, problems


def enum_problems(project: Project) -> list[Problem]:
    """What ``hmi check`` reports about the ``enums:`` section, each at its file:line."""
    return read_enums(project)[1]


_cache: dict[int, tuple[weakref.ref[Project], dict[str, EnumTable]]] = {}


def project_enums(project: Project) -> dict[str, EnumTable]:
    """The project's tables, read once per project (screens and symbols ask often)."""
    found = _cache.get(id(project))
    if found is not None and found[0]() is project:
        return found[1]
    tables = read_enums(project)[0]
    key = id(project)
    _cache[key] = (weakref.ref(project, partial(_forget, key)), tables)
    return tables


def _forget(key: int, _gone: object) -> None:
    _cache.pop(key, None)


def unknown_enum(name: str, project: Project) -> str | None:
    """Why ``name`` cannot be used as an enum of ``project``, or None when it exists."""
    tables = project_enums(project)
    if name in tables:
        return None
    if not tables:
        return f"unknown enum '{name}'; the project has no 'enums:' section"
    return f"unknown enum '{name}'; {did_you_mean(name, tables, 'enums')}"
