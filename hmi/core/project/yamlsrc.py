"""YAML that remembers where each key and list item was written.

Mappings load as ``YMap`` and lists as ``YList``: ordinary ``dict``/``list`` objects that
also know the line of every key and item, so a problem found much later can still say
``file:line``. PyYAML silently keeps the last of two equal keys; here every repeated key is
recorded so the loader can report it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader where libyaml is installed: several times faster on big tag files
    from yaml import CSafeLoader as _BaseLoader
except ImportError:
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class YMap(dict):
    """A mapping with ``line`` (where it starts) and ``key_lines`` (where each key is)."""

    __slots__ = ("duplicates", "key_lines", "line")

    def __init__(self, line: int = 0):
        super().__init__()
        self.line = line
        self.key_lines: dict[Any, int] = {}
        self.duplicates: list[tuple[Any, int, int]] = []  # key, line, line of the first one


class YList(list):
    """A list with ``line`` (where it starts) and ``item_lines`` (where each item is)."""

    __slots__ = ("item_lines", "line")

    def __init__(self, items: list[Any], line: int = 0, item_lines: list[int] | None = None):
        super().__init__(items)
        self.line = line
        self.item_lines = item_lines or []


class YamlSyntaxError(Exception):
    """A file that is not valid YAML; ``line`` is 1-based, 0 when unknown."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A key written twice in one mapping; ``path`` leads to that mapping."""

    path: tuple[Any, ...]
    key: Any
    line: int
    first_line: int


class _Loader(_BaseLoader):
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> YMap:
    explicit = sum(1 for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    merged = len(node.value) - explicit  # merged pairs come first; explicit keys override them
    result = YMap(node.start_mark.line + 1)
    overridable: set[Any] = set()
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a key must be a plain value, not a list or mapping",
                key_node.start_mark,
            )
        if index < merged:
            overridable.add(key)
        elif key in overridable:
            overridable.discard(key)
        elif key in result:
            result.duplicates.append((key, line, result.key_lines[key]))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> YList:
    items = [loader.construct_object(child, deep=True) for child in node.value]
    lines = [child.start_mark.line + 1 for child in node.value]
    return YList(items, node.start_mark.line + 1, lines)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _syntax_message(error: yaml.YAMLError, text: str) -> tuple[str, int]:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark is not None else 0
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    lines = text.splitlines()
    if mark is not None and 0 < line <= len(lines) and "\t" in lines[line - 1][: mark.column + 1]:
        return "YAML does not allow tabs for indentation; indent with spaces", line
    return f"YAML syntax error: {f'{context}, ' if context else ''}{problem}", line


def parse_yaml(text: str) -> Any:
    """The document in ``text`` as YMap/YList/plain values; ``YamlSyntaxError`` if invalid."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        message, line = _syntax_message(error, text)
        raise YamlSyntaxError(message, line) from None
    except RecursionError:
        raise YamlSyntaxError("YAML is nested too deeply") from None


def read_text(path: Path) -> str:
    """A UTF-8 file (with or without BOM); the error names the line of an undecodable byte."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise YamlSyntaxError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8", line
        ) from None


def read_yaml_file(path: Path) -> Any:
    return parse_yaml(read_text(path))


def line_of(container: Any, key: Any = None, default: int = 0) -> int:
    """Line of ``key`` (or list index) in ``container``, else of the container, else default."""
    if isinstance(container, YMap):
        return container.key_lines.get(key, container.line) if key is not None else container.line
    if isinstance(container, YList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line
    return default


def find_duplicates(data: Any, path: tuple[Any, ...] = ()) -> Iterator[Duplicate]:
    """Every key written twice anywhere in a loaded document, outermost first."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, YMap):
            for key, line, first_line in node.duplicates:
                yield Duplicate(where, key, line, first_line)
            stack.extend((value, (*where, key)) for key, value in reversed(node.items()))
        elif isinstance(node, YList):
            stack.extend((item, (*where, index)) for index, item in reversed(list(enumerate(node))))


def to_plain(value: Any) -> Any:
    """The same data as plain dicts and lists, for code that does not need line numbers."""
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    return value
