"""Tag lists kept in a spreadsheet and saved as CSV.

Each row becomes a mapping in the shape of a YAML tag entry (``range: [lo, hi]``,
``scale: {raw: [lo, hi]}``), so one code path checks tags from both sources. Header names
are case-insensitive; blank rows and rows starting with ``#`` are skipped; the delimiter is
``,`` or ``;`` (European Excel), found from the header; a decimal comma is accepted in number
columns of a ``;`` file. Every problem carries the CSV line number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..words import did_you_mean, shorten
from .models import Problem, Source
from .tagfields import CSV_COLUMNS, CSV_PAIRS

_PAIR_COLUMNS = frozenset(column for pair in CSV_PAIRS.values() for column in (pair.lo, pair.hi))
_NUMBER_COLUMNS = _PAIR_COLUMNS | {"deadband"}
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
_EXCEL_SEPARATOR_HINT = re.compile(r"^sep=(.)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CsvTag:
    """One data row: ``fields`` as a YAML tag entry would hold them, and where it was."""

    fields: dict[str, Any]
    source: Source


def read_csv_tags(path: Path, file: str) -> tuple[list[CsvTag], list[Problem]]:
    """Rows of a CSV tag file; ``file`` is the name used in problems (relative to the project)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = (
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "in Excel save it as 'CSV UTF-8 (comma delimited)'"
        )
        return [], [Problem(Source(file, line), message)]
    return parse_csv_tags(text, file)


def parse_csv_tags(text: str, file: str) -> tuple[list[CsvTag], list[Problem]]:
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    skip = 0
    delimiter = None
    if lines and (hint := _EXCEL_SEPARATOR_HINT.match(lines[0].strip())):
        delimiter, skip = hint[1], 1
    reader = csv.reader(io.StringIO(text), delimiter=delimiter or _sniff_delimiter(lines[skip:]))
    for _ in range(skip):
        next(reader, None)
    return _CsvReader(reader, file, delimiter=reader.dialect.delimiter).read()


def _sniff_delimiter(lines: list[str]) -> str:
    """``;`` if the header holds more semicolons than commas, else ``,``."""
    for line in lines:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return ";" if stripped.count(";") > stripped.count(",") else ","
    return ","


class _CsvReader:
    def __init__(self, reader: Any, file: str, delimiter: str):
        self.reader = reader
        self.file = file
        self.decimal_comma = delimiter == ";"
        self.problems: list[Problem] = []
        self.columns: list[str | None] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(Source(self.file, line), message))

    def read(self) -> tuple[list[CsvTag], list[Problem]]:
        rows: list[CsvTag] = []
        have_header = False
        while True:
            line = self.reader.line_num + 1
            try:
                cells = next(self.reader)
            except StopIteration:
                break
            except csv.Error as error:
                self.problem(line, f"cannot read this CSV row: {error}")
                break
            cells = [cell.strip() for cell in cells]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if not have_header:
                have_header = True
                if not self.read_header(cells, line):
                    return [], self.problems
                continue
            fields = self.read_row(cells, line)
            if fields is not None:
                rows.append(CsvTag(fields, Source(self.file, line)))
        if not have_header:
            self.problem(
                1, f"the CSV file is empty; the first row must name the columns: {_cols()}"
            )
        return rows, self.problems

    def read_header(self, cells: list[str], line: int) -> bool:
        seen: dict[str, int] = {}
        for position, cell in enumerate(cells, start=1):
            column = cell.lower().replace(" ", "_").replace("-", "_")
            if not column:
                self.columns.append(None)
                continue
            if column not in CSV_COLUMNS:
                hint = did_you_mean(column, CSV_COLUMNS, "columns", listed=len(CSV_COLUMNS))
                shown = shorten(cell)
                self.problem(line, f"unknown column '{shown}' (column {position}); {hint}")
                self.columns.append(None)
                continue
            if column in seen:
                self.problem(
                    line, f"column '{column}' appears twice (columns {seen[column]} and {position})"
                )
                self.columns.append(None)
                continue
            seen[column] = position
            self.columns.append(column)
        if "name" not in seen:
            self.problem(line, f"the header row has no 'name' column; the columns are {_cols()}")
            return False
        return True

    def read_row(self, cells: list[str], line: int) -> dict[str, Any] | None:
        extra = [cell for cell in cells[len(self.columns) :] if cell]
        if extra:
            shown = shorten(", ".join(map(repr, extra)))
            self.problem(
                line,
                f"this row has {len(cells)} cells but the header names {len(self.columns)} "
                f"columns; remove the extra cells ({shown}) or name them",
            )
            return None
        values: dict[str, str] = {}
        for column, cell in zip(self.columns, cells, strict=False):
            if column is not None and cell:
                if (
                    self.decimal_comma
                    and column in _NUMBER_COLUMNS
                    and _DECIMAL_COMMA.fullmatch(cell)
                ):
                    cell = cell.replace(",", ".")
                values[column] = cell
        fields: dict[str, Any] = {
            column: value for column, value in values.items() if column not in _PAIR_COLUMNS
        }
        for pair in CSV_PAIRS.values():
            lo, hi = values.get(pair.lo), values.get(pair.hi)
            if lo is None and hi is None:
                continue
            if lo is None or hi is None:
                given, missing = (pair.lo, pair.hi) if hi is None else (pair.hi, pair.lo)
                self.problem(
                    line, f"'{given}' is given but '{missing}' is empty; give both or neither"
                )
                return None
            *outer, last = pair.path
            target = fields
            for key in outer:
                target = target.setdefault(key, {})
            target[last] = [lo, hi]
        return fields


def _cols() -> str:
    return ", ".join(CSV_COLUMNS)
