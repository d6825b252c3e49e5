"""The ``include:`` section: tag files kept beside project.yaml, in YAML or as CSV.

A plant engineer splits a long tag list by machine or keeps it in a spreadsheet; both
come back here as the same tag entries. A file is read once however often it is named,
and a name that matches no file suggests the nearest one in its folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..words import closest, describe_value, did_you_mean
from .csvtags import read_csv_tags
from .models import Source
from .problems import ProblemLog
from .tags import TagReader
from .yamlsrc import YList, line_of

TAG_FILE_SUFFIXES = (".yaml", ".yml")
PATTERN_CHARS = "*?["


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
            return
        for index, item in enumerate(value):
            source = Source(file, line_of(value, index, line))
            if not isinstance(item, str) or not item.strip():
                self.log.wrong(source, "include", "a file name", item)
                continue
            for path in self.paths(item.strip(), source):
                self.log.guarded(source, f"include '{item}'", self.read_file, path, source)

    def paths(self, pattern: str, source: Source) -> list[Path]:
        root = self.log.root
        if any(char in pattern for char in PATTERN_CHARS):
            paths = sorted(path for path in root.glob(pattern) if path.is_file())
            if not paths:
                self.log.report(source, f"include '{pattern}' matches no file")
            return paths
        path = root / pattern
        if path.is_file():
            return [path]
        folder = path.parent
        nearby = (
            [entry.name for entry in folder.iterdir() if entry.is_file()] if folder.is_dir() else []
        )
        close = closest(path.name, nearby)
        hint = f"; did you mean '{self.log.relative_name(folder / close)}'?" if close else ""
        self.log.report(source, f"include file '{pattern}' not found{hint}")
        return []

    def read_file(self, path: Path, source: Source) -> None:
        resolved = path.resolve()
        main_file = self.log.main_file
        if resolved == (self.log.root / main_file).resolve():
            self.log.report(source, f"a project cannot include its own {main_file}")
            return
        if resolved in self.included:
            first = self.included[resolved]
            self.log.report(
                source, f"'{self.log.relative_name(path)}' is already included at {first}"
            )
            return
        self.included[resolved] = source
        file = self.log.relative(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            self.read_csv_file(path, file)
        elif suffix in TAG_FILE_SUFFIXES:
            self.read_tag_file(path, file)
        else:
            self.log.report(source, f"include '{file}': use a .yaml, .yml or .csv tag file")

    def read_csv_file(self, path: Path, file: str) -> None:
        try:
            rows, problems = read_csv_tags(path, file)
        except OSError as error:
            self.log.report(Source(file), f"cannot read the file: {error.strerror or error}")
            return
        self.log.problems.extend(problems)
        for row in rows:
            self.log.guarded(row.source, "this row", self.tags.read, row.fields, row.source)

    def read_tag_file(self, path: Path, file: str) -> None:
        ok, data = self.log.read_yaml(path, file)
        if not ok or data is None:
            return
        if not isinstance(data, Mapping):
            self.log.report(
                Source(file, line_of(data, None, 1)),
                f"a tag file must start with 'tags:' followed by the list of tags, "
                f"got {describe_value(data)}",
            )
            return
        for key, value in data.items():
            line = line_of(data, key, 1)
            if key == "tags":
                self.tags.read_list(value, file, line)
            else:
                hint = did_you_mean(str(key), ("tags",), "sections")
                self.log.report(
                    Source(file, line), f"unknown section '{key}' in a tag file; {hint}"
                )
