"""YAML that remembers where each key and list item was written, and that cannot be
made to hang the reader.

Mappings load as ``YMap`` and lists as ``YList``: ordinary ``dict``/``list`` objects that
also know the line of every key and item, so a problem found much later can still say
``file:line``. PyYAML silently keeps the last of two equal keys; here every repeated key is
recorded so the loader can report it.

Aliases (``*name``) repeat what an anchor (``&name``) marks without copying it, so 400
bytes can stand for a billion values that every later walk over the data would visit.
Before anything is built, the document is measured as if every alias were written out:
more than ``MAX_ALIAS_VALUES`` repeated values, or nesting deeper than ``MAX_DEPTH``, is
refused at the line where it happens.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # the C loader where libyaml is installed: several times faster on big tag files
    from yaml import CSafeLoader as _BaseLoader

    _COUNTS_BYTES = True  # libyaml's positions are bytes of UTF-8
except ImportError:
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    _COUNTS_BYTES = False

MAX_ALIAS_VALUES = 100_000  # values that aliases may add to one file
MAX_DEPTH = 64  # levels of nesting; a real project file has fewer than ten
SHOWN_TEXT = 40  # characters of a refused value quoted in a message


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
    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _measure(node)
        return self.construct_document(node)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """A value PyYAML cannot build (``!!int abc``, a 5,000-digit number, month 13)
        becomes a YAML error at its own line instead of an exception from deep inside."""
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {_shown(node)}: {error}", node.start_mark
            ) from None


def _shown(node: Node) -> str:
    if isinstance(node.value, str):
        text = node.value
        return repr(text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT] + "...")
    return "this value"


def _collections(node: Node) -> list[Node]:
    """The lists and mappings directly in ``node``: what aliases can multiply."""
    if isinstance(node, MappingNode):
        return [child for pair in node.value for child in pair if not isinstance(child, ScalarNode)]
    if isinstance(node, SequenceNode):
        return [child for child in node.value if not isinstance(child, ScalarNode)]
    return []


def _measure(root: Node) -> None:
    """Refuse a document that aliases would blow up, or that nests too deeply.

    One pass in post-order over the lists and mappings, where an aliased one is a node
    with several parents. Each one's size is the number of values it would hold with every
    alias written out; its ``extra`` is what the aliases inside it add: the first reference
    to a node takes that node's own extra, every further one its whole size. A repeated
    scalar counts once per use: it cannot multiply.
    """
    if isinstance(root, ScalarNode):
        return
    size: dict[int, int] = {}
    extra: dict[int, int] = {}
    height: dict[int, int] = {}  # levels of lists and mappings, this one included
    claimed: set[int] = set()
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        inside = _collections(node)
        if not finished:
            if key in size:
                continue
            on_path.add(key)
            stack.append((node, True))
            for child in reversed(inside):
                if id(child) in on_path:
                    raise YamlSyntaxError(
                        "an alias refers to the list or mapping it is written in; "
                        "that would repeat it forever",
                        _line(child),
                    )
                if id(child) not in size:
                    stack.append((child, False))
            continue
        on_path.discard(key)
        values = len(node.value) * (2 if isinstance(node, MappingNode) else 1)
        total, added, deepest = 1 + values - len(inside), 0, 0
        for child in inside:
            ref = id(child)
            total += size[ref]
            deepest = max(deepest, height[ref])
            if ref in claimed:
                added += size[ref]
            else:
                claimed.add(ref)
                added += extra[ref]
        size[key], extra[key], height[key] = total, added, deepest + 1
        if added > MAX_ALIAS_VALUES:
            raise YamlSyntaxError(
                f"the aliases (*name) here repeat more than {MAX_ALIAS_VALUES:,} values; "
                "write the values out, or repeat less",
                _line(node),
            )
    if height[id(root)] > MAX_DEPTH:
        node = root
        for _ in range(MAX_DEPTH):
            node = max(_collections(node), key=lambda child: height[id(child)])
        raise YamlSyntaxError(
            f"nested more than {MAX_DEPTH} levels deep; a project file needs far fewer",
            _line(node),
        )


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


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


# Parser contexts that start where something was opened; the parser notices the mistake
# only where it gives up (often the end of the file), so the opening line is the one to fix.
_OPENED = {
    "while scanning a quoted scalar": "the quote opened here is never closed",
    "while parsing a flow sequence": "the '[' opened here is not closed: a ',' or ']' is missing",
    "while parsing a flow mapping": "the '{' opened here is not closed: a ',' or '}' is missing",
    "while scanning a simple key": "the ':' after the key here is missing",
}


def _syntax_message(error: yaml.YAMLError, text: str) -> tuple[str, int]:
    """What is wrong and the line where the problem starts, not where PyYAML gave up."""
    if isinstance(error, yaml.reader.ReaderError):
        return _character_message(error, text)
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    mark = problem_mark or context_mark
    line = mark.line + 1 if mark is not None else 1
    lines = text.splitlines()
    if mark is not None and 0 < line <= len(lines) and "\t" in lines[line - 1][: mark.column + 1]:
        return "YAML does not allow tabs for indentation; indent with spaces", line
    if "maximum nesting depth" in problem:
        return f"nested too deeply; a project file needs far fewer than {MAX_DEPTH} levels", line
    if context in _OPENED and context_mark is not None:
        opened = context_mark.line + 1
        message = f"YAML syntax error: {_OPENED[context]}"
        if line == opened:
            return message, opened
        noticed = "the end of the file" if "end of stream" in problem else f"line {line}"
        return f"{message} (YAML read on to {noticed})", opened
    said = " ".join(f"{f'{context}, ' if context else ''}{problem}".split())  # one line
    return f"YAML syntax error: {said}", line


def _character_message(error: yaml.reader.ReaderError, text: str) -> tuple[str, int]:
    """A character YAML refuses (a control character, a stray byte): where, and which."""
    if _COUNTS_BYTES:
        before = text.encode("utf-8", "surrogatepass")[: error.position].decode("utf-8", "replace")
    else:
        before = text[: error.position]
    code = error.character if isinstance(error.character, int) else ord(error.character or " ")
    message = f"the character U+{code:04X} is not allowed in YAML (a control character); remove it"
    return message, before.count("\n") + 1


def parse_yaml(text: str) -> Any:
    """The document in ``text`` as YMap/YList/plain values; ``YamlSyntaxError`` if invalid,
    too deeply nested or blown up by aliases (see ``MAX_DEPTH``, ``MAX_ALIAS_VALUES``)."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        message, line = _syntax_message(error, text)
        raise YamlSyntaxError(message, line) from None
    except RecursionError:
        raise YamlSyntaxError(f"nested more than {MAX_DEPTH} levels deep", 1) from None
    except (ValueError, TypeError) as error:  # a value built outside construct_object
        raise YamlSyntaxError(f"cannot read this YAML: {error}", 1) from None


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
