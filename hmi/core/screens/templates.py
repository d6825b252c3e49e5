"""Templates: groups of symbols written once and placed many times, with ``{macro}`` text
filled in where they are used, so ten identical machines are one definition.

Templates are collected from every screen file before any screen is built, so a screen
may use a template written in another file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..project.fields import Fields
from ..project.models import Problem, Source
from ..project.yamlsrc import YList, YMap, line_of
from ..words import did_you_mean

MACRO = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TEMPLATE_KEYS = ("symbols", "params")


class Templates:
    """Every template of a screen folder, by name, with where it was defined."""

    def __init__(self, report: Callable[[Problem], None]):
        self.report = report
        self.by_name: dict[str, tuple[YMap, Source]] = {}

    def get(self, name: str) -> tuple[YMap, Source] | None:
        return self.by_name.get(name)

    def collect(self, file: str, doc: YMap) -> None:
        """The ``templates:`` section of one screen file."""
        templates = doc.get("templates")
        if templates is None:
            return
        if not isinstance(templates, YMap):
            self.report(
                Problem(
                    Source(file, line_of(doc, "templates")),
                    "'templates' is a mapping of name -> {symbols: [...]}",
                )
            )
            return
        for name, body in templates.items():
            where = Source(file, line_of(templates, name))
            if not isinstance(body, YMap) or not isinstance(body.get("symbols"), YList):
                self.report(Problem(where, f"template '{name}' needs a 'symbols:' list"))
                continue
            fields = Fields(self.report, body, file, where.line, f"template '{name}'")
            fields.unknown_keys(TEMPLATE_KEYS, "keys", "key", hidden=("description",))
            if name in self.by_name:
                first = self.by_name[name][1]
                self.report(
                    Problem(where, f"template '{name}' is defined twice (first at {first})")
                )
                continue
            self.by_name[str(name)] = (body, where)

    def expand(self, file: str, node: Any, macros: dict[str, str], line: int = 0) -> Any:
        """``node`` with every ``{macro}`` in its texts replaced; an unknown macro is
        reported at the line of the key (or list item) it was written under."""
        if isinstance(node, str):
            if "{" not in node:
                return node

            def fill(match: re.Match[str]) -> str:
                key = match.group(1)
                if key in macros:
                    return macros[key]
                hint = did_you_mean(key, macros, "macros")
                self.report(
                    Problem(Source(file, line), f"unknown macro {{{key}}} in '{node}'; {hint}")
                )
                return match.group(0)

            return MACRO.sub(fill, node)
        if isinstance(node, YMap):
            out = YMap(node.line)
            out.key_lines = node.key_lines
            for key, value in node.items():
                out[key] = self.expand(file, value, macros, line_of(node, key) or line)
            return out
        if isinstance(node, YList):
            items = [
                self.expand(file, value, macros, line_of(node, index) or line)
                for index, value in enumerate(node)
            ]
            return YList(items, node.line, node.item_lines)
        return node


def scalar_text(value: Any) -> str:
    """A macro value as text; YAML's true/false stay as written."""
    return str(value).lower() if isinstance(value, bool) else str(value)
