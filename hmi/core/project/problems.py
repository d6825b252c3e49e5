"""The problems found while reading one project, and the files they point into.

Files are named relative to the project folder, and problems are listed file by file in
the order the files were read, line by line within a file: the order a plant engineer
works through them. A failure nobody foresaw becomes a problem too, never a traceback.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..words import describe_value
from .models import Problem, Source
from .yamlsrc import YamlSyntaxError, find_duplicates, read_yaml_file

log = logging.getLogger(__name__)
Report = Callable[[Problem], None]


def cannot_read(what: str, error: OSError) -> str:
    """Why ``what`` (a file or a folder) cannot be read, in the engineer's words."""
    if isinstance(error, PermissionError):
        return f"cannot read {what}: permission denied; let the user who runs Linea HMI read it"
    if isinstance(error, IsADirectoryError):
        return f"cannot read {what}: it is a folder, not a file"
    if isinstance(error, FileNotFoundError):
        return f"cannot read {what}: it does not exist"
    reason = (error.strerror or str(error) or "the system refused").lower()
    return f"cannot read {what}: {reason}"


def internal_fault(what: str, error: BaseException) -> str:
    """A failure nobody foresaw, said without Python's words; the traceback goes to the
    debug log (``hmi -v``), never to the engineer's screen."""
    log.debug("fault while reading %s", what, exc_info=error)
    detail = f" ({error})" if str(error) else ""
    return (
        f"could not read {what}: a fault in Linea HMI{detail}; the rest was checked "
        "(the log has the details; please report it)"
    )


def duplicate_message(path: tuple, key: Any, first_line: int) -> str:
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)
    inside = f" in {where.lstrip('.')}" if where else ""
    return (
        f"'{key}' is written twice{inside} (first at line {first_line}); "
        "only the last would count, remove one"
    )


def read_yaml_source(
    path: Path,
    file: str,
    report: Report,
    twice: Callable[[tuple, Any, int], str] = duplicate_message,
) -> tuple[bool, Any]:
    """(True, the document) or (False, None) with the reason reported: a file that cannot
    be read or is not YAML, and every key written twice (PyYAML would keep the last one
    silently), said by ``twice(path, key, first_line)``. Every YAML file of a project is
    read through here."""
    try:
        data = read_yaml_file(path)
    except YamlSyntaxError as error:
        report(Problem(Source(file, error.line or 1), error.message))
        return False, None
    except OSError as error:
        report(Problem(Source(file, 1), cannot_read("the file", error)))
        return False, None
    for duplicate in find_duplicates(data):
        message = twice(duplicate.path, duplicate.key, duplicate.first_line)
        report(Problem(Source(file, duplicate.line), message))
    return True, data


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
        self.report(source, internal_fault(what, error))

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
        twice is reported too, a device written twice in project.yaml as such."""

        def twice(path: tuple, key: Any, first_line: int) -> str:
            if path == ("devices",) and file == self.main_file:
                return f"duplicate device '{key}'; the first one is at line {first_line}"
            return duplicate_message(path, key, first_line)

        return read_yaml_source(path, file, self.add, twice)
