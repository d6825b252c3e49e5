"""The ``include:`` section: tag files kept beside project.yaml, in YAML or as CSV.

A plant engineer splits a long tag list by machine or keeps it in a spreadsheet; both
come back here as the same tag entries. A file is read once however often it is named,
and a name that matches no file suggests the nearest one in its folder.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..words import closest, describe_value, did_you_mean, shorten
from .csvtags import read_csv_tags
from .models import Source
from .problems import ProblemLog, cannot_read
from .tags import TagReader
from .yamlsrc import YList, line_of

TAG_FILE_SUFFIXES = (".yaml", ".yml")
PATTERN_CHARS = "*?["
MAX_INCLUDED = 1000  # files one pattern may name


class IncludeReader:
    def __init__(self, log: ProblemLog, tags: TagReader):
        self.log = log
        self.tags = tags
        self.included: dict[Path, Source] = {}

    def read(self, value: Any, file: str, line: int) -> None:
        """The ``include:`` section: one file name, or a list of names and glob patterns."""
        if value is None:
            return
        if isinstance(value, str):
            value = YList([value], line, [line])
        if not isinstance(value, list):
            expected = "a list of tag files (- tags/press.yaml)"
            self.log.wrong(Source(file, line), "include", expected, value)
            self.tags.incomplete.append(Source(file, line))
            return
        for index, item in enumerate(value):
            source = Source(file, line_of(value, index, line))
            if not isinstance(item, str) or not item.strip():
                self.log.wrong(source, "include", "a file name", item)
                self.tags.incomplete.append(source)
                continue
            paths = self.paths(item.strip(), source)
            if not paths:
                self.tags.incomplete.append(source)
            for path in paths:
                done = self.log.guarded(source, f"include '{item}'", self.read_file, path, source)
                if not done:
                    self.tags.incomplete.append(source)

    def paths(self, pattern: str, source: Source) -> list[Path]:
        root = self.log.root
        try:
            if any(char in pattern for char in PATTERN_CHARS):
                base, relative = root, Path(pattern)
                if relative.is_absolute():  # Path.glob takes relative patterns only
                    base = Path(relative.anchor)
                    relative = relative.relative_to(base)
                if "**" in relative.parts and (base != root or ".." in relative.parts):
                    message = f"include '{pattern}': '**' searches inside the project folder only"
                    self.log.report(source, message)  # not the whole disk
                    return []
                found = (path for path in base.glob(str(relative)) if path.is_file())
                paths = sorted(itertools.islice(found, MAX_INCLUDED + 1))
                if len(paths) > MAX_INCLUDED:
                    message = f"include '{pattern}' matches more than {MAX_INCLUDED} files"
                    self.log.report(source, message)
                    return []
                if not paths:
                    locked = self.locked_folder(root / pattern)
                    if locked is not None:  # glob passes over a folder it may not open
                        raise PermissionError(13, "Permission denied", str(locked))
                    self.log.report(source, f"include '{pattern}' matches no file")
                return paths
            path = root / pattern
            if path.is_file():
                return [path]
            if path.is_dir():
                self.log.report(source, f"include '{pattern}' is a folder; name the tag files")
                return []
            folder = path.parent
            nearby = [e.name for e in folder.iterdir() if e.is_file()] if folder.is_dir() else []
        except PermissionError as error:
            locked = self.locked_folder(Path(error.filename or root)) or root
            shown = self.log.relative_name(locked)
            self.log.report(source, cannot_read(f"the folder '{shown}'", error))
            return []
        except (OSError, ValueError):  # a name the system refuses (too long, a NUL)
            self.log.report(source, f"include '{pattern}': not a file name this system accepts")
            return []
        close = closest(path.name, nearby)
        hint = f"; did you mean '{self.log.relative_name(folder / close)}'?" if close else ""
        self.log.report(source, f"include file '{pattern}' not found{hint}")
        return []

    def locked_folder(self, path: Path) -> Path | None:
        """The outermost folder on the way to ``path`` (inside the project) that this user
        may not open, if any."""
        for folder in reversed(path.parents):
            if folder in self.log.root.parents:
                continue
            if folder.is_dir() and not os.access(folder, os.R_OK | os.X_OK):
                return folder
        return None

    def read_file(self, path: Path, source: Source) -> bool:
        """Read one included file; False if its tags could not all be read."""
        resolved = path.resolve()
        main_file = self.log.main_file
        if resolved == (self.log.root / main_file).resolve():
            self.log.report(source, f"a project cannot include its own {main_file}")
            return True
        if resolved in self.included:
            first = self.included[resolved]
            self.log.report(
                source, f"'{self.log.relative_name(path)}' is already included at {first}"
            )
            return True
        self.included[resolved] = source
        file = self.log.relative(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return self.read_csv_file(path, file)
        if suffix in TAG_FILE_SUFFIXES:
            return self.read_tag_file(path, file)
        self.log.report(source, f"include '{file}': use a .yaml, .yml or .csv tag file")
        return False

    def read_csv_file(self, path: Path, file: str) -> bool:
        try:
            rows, problems = read_csv_tags(path, file)
        except OSError as error:
            self.log.report(Source(file, 1), cannot_read("the file", error))
            return False
        self.log.problems.extend(problems)
        for row in rows:
            self.log.guarded(row.source, "this row", self.tags.read, row.fields, row.source)
        return not problems  # a row the CSV reader refused may have held a tag

    def read_tag_file(self, path: Path, file: str) -> bool:
        ok, data = self.log.read_yaml(path, file)
        if not ok:
            return False
        if data is None:
            return True
        if not isinstance(data, Mapping):
            self.log.report(
                Source(file, line_of(data, None, 1)),
                f"a tag file must start with 'tags:' followed by the list of tags, "
                f"got {describe_value(data)}",
            )
            return False
        for key, value in data.items():
            line = line_of(data, key, 1)
            if key == "tags":
                self.tags.read_list(value, file, line)
            else:
                hint = did_you_mean(str(key), ("tags",), "sections")
                self.log.report(
                    Source(file, line), f"unknown section '{shorten(key)}' in a tag file; {hint}"
                )
                self.tags.incomplete.append(Source(file, line))
        return True
