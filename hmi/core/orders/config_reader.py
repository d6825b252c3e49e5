"""What every part of the ``orders:`` section is read with: the section's fields, lists of
mappings with the line of each item, tag names checked against the project."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..project.fields import Fields
from ..project.models import Problem, Project, Section, TagConfig
from ..project.yamlsrc import line_of
from ..words import describe_value, did_you_mean, shorten


class SectionReader:
    """The reading state of one ``orders:`` section: where problems go, the top fields,
    and each counter tag already taken (a piece is counted once)."""

    def __init__(self, project: Project, section: Section):
        self.project = project
        self.section = section
        self.problems: list[Problem] = []
        data = section.data if isinstance(section.data, Mapping) else {}
        source = section.source
        self.top = Fields(self.problems.append, data, source.file, source.line, "orders")
        self.counted: dict[str, str] = {}  # counter tag -> "line1 good", to find it twice

    def item(self, fields: Fields, key: str, values: list, index: int, label: str) -> Fields:
        """Where item ``index`` of the list under ``key`` is, to report against."""
        line = line_of(values, index, fields.line_of(key))
        entry = Fields(fields.report, {}, fields.file, line, label)
        entry.parent = fields
        return entry

    def mapping(self, fields: Fields, key: str, value: Any, example: str) -> Fields | None:
        if isinstance(value, Mapping):
            return fields.nested(key, value, f"{fields.label}: {key}")
        fields.wrong(key, f"a mapping such as {example}")
        return None

    def listed(self, fields: Fields, key: str, example: str) -> list | None:
        """The list under ``key`` (None if absent or not a list, the latter reported)."""
        value = fields.get(key)
        if value is None:
            return None
        if isinstance(value, list):
            return value
        fields.wrong(key, f"a list such as {example}")
        return None

    def entries(
        self, fields: Fields, key: str, label: str, example: str, expected: str
    ) -> Iterator[Fields]:
        """Each mapping in the list under ``key``, read as fields labelled ``label[n]``;
        an item that is no mapping is reported as not ``expected``."""
        values = self.listed(fields, key, f"[{example}]") or []
        for index, value in enumerate(values):
            line = line_of(values, index, fields.line_of(key))
            entry = Fields(fields.report, {}, fields.file, line, f"{label}[{index + 1}]")
            entry.parent = fields
            if not isinstance(value, Mapping):
                entry.problem(None, f"expected {expected}, got {describe_value(value)}")
                continue
            entry.data = value
            yield entry

    def tag(self, fields: Fields, key: Any, value: Any, what: str) -> TagConfig | None:
        """The tag named by ``value``; an unknown one is reported with a hint."""
        if not isinstance(value, str) or not value.strip():
            fields.problem(key, f"{what}: expected a tag name, got {describe_value(value)}")
            return None
        name = value.strip()
        tag = self.project.tags.get(name)
        if tag is None:
            hint = did_you_mean(name, self.project.tags, "tags", listed=0)
            fields.unknown(
                key,
                f"{what}: unknown tag '{shorten(name)}'; {hint}",
                self.project.missing_tag_explained(name),
            )
        return tag

    def names(self, fields: Fields, key: str) -> list[str]:
        """A list of distinct texts (scrap reasons); each wrong or repeated one reported."""
        values = self.listed(fields, key, "[Surface defect, Wrong length]")
        out: list[str] = []
        seen: dict[str, int] = {}
        for index, value in enumerate(values or []):
            entry = self.item(fields, key, values or [], index, fields.label)
            name = name_text(value)
            if name is None:
                entry.problem(None, f"{key}: expected a name, got {describe_value(value)}")
                continue
            if name.casefold() in seen:
                entry.problem(
                    None,
                    f"{key}: '{shorten(name)}' is listed twice (first at line "
                    f"{seen[name.casefold()]}); remove one",
                )
                continue
            seen[name.casefold()] = entry.line
            out.append(name)
        return out


def name_text(value: Any) -> str | None:
    """A name as written: text, or a number YAML read as one (``404``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    return None


def at_key(fields: Fields, key: Any) -> Fields:
    """A place to report about ``key`` of ``fields``: the line of that key."""
    entry = Fields(fields.report, {}, fields.file, fields.line_of(key), fields.label)
    entry.parent = fields
    return entry


def index_of(values: Any, name: str, fallback: int) -> int:
    if isinstance(values, list):
        for index, value in enumerate(values):
            if name_text(value) == name:
                return index
    return fallback
