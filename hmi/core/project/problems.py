"""The problems found while reading one project, and the files they point into.

Files are named relative to the project folder, and problems are listed file by file in
the order the files were read, line by line within a file: the order a plant engineer
works through them. A failure nobody foresaw becomes a problem too, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..words import describe_value
from .models import Problem, Source
from .yamlsrc import YamlSyntaxError, find_duplicates, read_yaml_file


class ProblemLog:
    def __init__(self) -> None:
        self.root = Path(".")
        self.main_file = ""
        self.problems: list[Problem] = []
        self.file_order: dict[str, int] = {}

    # -- reporting ---------------------------------------------------------------------

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def report(self, source: Source, message: str) -> None:
        self.problems.append(Problem(source, message))

    def wrong(self, source: Source, what: str, expected: str, value: Any) -> None:
        """``<what>: expected <expected>, got <value>`` for a value of the wrong shape."""
        self.report(source, f"{what}: expected {expected}, got {describe_value(value)}")

    def unexpected(self, source: Source, what: str, error: Exception) -> None:
        self.report(
            source,
            f"could not read {what}: unexpected {type(error).__name__}: {error} "
            "(a fault in Linea HMI; the rest was checked)",
        )

    def guarded(self, source: Source, what: str, read: Callable[..., Any], *args: Any) -> Any:
        """``read(*args)``; an unexpected failure is reported at ``source`` and gives None."""
        try:
            return read(*args)
        except Exception as error:
            self.unexpected(source, what, error)
            return None

    def sorted(self) -> list[Problem]:
        last = len(self.file_order)
        return sorted(
            self.problems,
            key=lambda p: (self.file_order.get(p.source.file, last), p.source.line),
        )

    # -- files -------------------------------------------------------------------------

    def relative(self, path: Path) -> str:
        """The name of a file in problems; also fixes the order problems are listed in."""
        name = self.relative_name(path)
        self.file_order.setdefault(name, len(self.file_order))
        return name

    def relative_name(self, path: Path) -> str:
        try:
            return os.path.relpath(path, self.root).replace(os.sep, "/")
        except ValueError:  # another drive on Windows
            return str(path)

    def read_yaml(self, path: Path, file: str) -> tuple[bool, Any]:
        """(True, the document) or (False, None) with the reason reported; a key written
        twice is reported too, as PyYAML would silently keep the last one."""
        try:
            data = read_yaml_file(path)
        except YamlSyntaxError as error:
            self.report(Source(file, error.line), error.message)
            return False, None
        except OSError as error:
            self.report(Source(file), f"cannot read the file: {error.strerror or error}")
            return False, None
        for duplicate in find_duplicates(data):
            self.report_duplicate(
                file, duplicate.path, duplicate.key, duplicate.line, duplicate.first_line
            )
        return True, data

    def report_duplicate(
        self, file: str, path: tuple, key: Any, line: int, first_line: int
    ) -> None:
        if path == ("devices",) and file == self.main_file:
            message = f"duplicate device '{key}'; the first one is at line {first_line}"
        else:
            where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
            inside = f" in {where.lstrip('.')}" if where else ""
            message = (
                f"'{key}' is written twice{inside} (first at line {first_line}); "
                "only the last would count, remove one"
            )
        self.report(Source(file, line), message)
