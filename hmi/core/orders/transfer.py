"""Orders in and out of files: the MES's order list as CSV or JSON until the MES issue
brings its transports, and the station's orders exported the same way.

A CSV has a header row: ``number, line, target`` and the product fields of the line's
type (``die, alloy, billet_length_mm, ...`` or ``product, bottle_size_l``), optionally
``sequence`` and ``ideal_cycle`` (``40s``, or seconds). JSON is a list of such objects, or
``{"orders": [...]}``. Each row's problems are its own, named by ``file:line`` (CSV) or
``file: order N`` (JSON); the good rows are imported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..project.durations import parse_duration
from ..words import describe_value
from .model import Order

MAX_FILE_BYTES = 20 * 1024 * 1024
REQUIRED = ("number", "line", "target")
EXPORT_COLUMNS = (
    "number",
    "line",
    "state",
    "target",
    "good",
    "scrap",
    "billets",
    "sequence",
    "ideal_cycle_s",
    "source",
    "created",
    "started",
    "ended",
)

Row = tuple[str, dict[str, Any]]  # where (file:line), the fields


@dataclass(frozen=True)
class ImportResult:
    """The orders an import created, and each refused row with where and why."""

    created: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_order_file(path: Path) -> tuple[list[Row], list[str]]:
    """The rows of an order file (CSV by default, JSON by ``.json`` or a leading ``[``/``{``)
    and the problems that concern the whole file or one row's shape."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [
                f"{path}: larger than {MAX_FILE_BYTES // 1024 // 1024} MB: not an order list"
            ]
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return [], [f"{path}: no such file"]
    except IsADirectoryError:
        return [], [f"{path}: is a folder, not an order file"]
    except UnicodeDecodeError:
        return [], [f"{path}: not text (UTF-8): is it a spreadsheet? save it as CSV"]
    except OSError as error:
        return [], [f"{path}: cannot be read: {error.strerror or error}"]
    if not text.strip():
        return [], [f"{path}: empty: expected a CSV header row ({', '.join(REQUIRED)}, ...)"]
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in "[{":
        return _json_rows(path, text)
    return _csv_rows(path, text)


def _csv_rows(path: Path, text: str) -> tuple[list[Row], list[str]]:
    try:
        dialect: Any = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error) as error:
        return [], [f"{path}:1: no header row ({error})"]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return [], [
            f"{path}:1: the header has no {', '.join(missing)} column; it needs "
            f"{', '.join(REQUIRED)} and the product fields of the line type"
        ]
    rows: list[Row] = []
    problems: list[str] = []
    try:
        for cells in reader:
            where = f"{path}:{reader.line_num}"
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(f"{where}: {len(cells)} cells, the header has {len(header)}")
                continue
            fields = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
            _cycle(fields)
            rows.append((where, fields))
    except csv.Error as error:
        problems.append(f"{path}:{reader.line_num}: not CSV: {error}")
    return rows, problems


def _json_rows(path: Path, text: str) -> tuple[list[Row], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [f"{path}:{error.lineno}: not JSON: {error.msg}"]
    if isinstance(data, Mapping):
        data = data.get("orders")
    if not isinstance(data, list):
        return [], [f'{path}: expected a list of orders or {{"orders": [...]}}']
    rows: list[Row] = []
    problems: list[str] = []
    for index, item in enumerate(data, start=1):
        where = f"{path}: order {index}"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: expected an object, not {describe_value(item)}")
            continue
        fields = {str(k).strip().lower(): v for k, v in item.items()}
        _cycle(fields)
        rows.append((where, fields))
    return rows, problems


def _cycle(fields: dict[str, Any]) -> None:
    """``ideal_cycle`` (a duration such as ``40s``) as ``ideal_cycle_s``."""
    given = fields.pop("ideal_cycle", None)
    if given in (None, ""):
        return
    try:
        fields["ideal_cycle_s"] = parse_duration(given)
    except ValueError:
        fields["ideal_cycle_s"] = given  # refused with the row's other checks, in order


def export_orders(orders: list[Order], fmt: str, line_types: Mapping[str, tuple[str, ...]]) -> str:
    """The orders as CSV (one column per product field of any line type) or JSON."""
    rows = [order_fields(o) for o in orders]
    if fmt == "json":
        return json.dumps({"orders": rows}, indent=1, ensure_ascii=False) + "\n"
    if fmt != "csv":
        raise ValueError(f"export as csv or json, not {fmt!r}")
    product = list(dict.fromkeys(f for fields in line_types.values() for f in fields))
    out = io.StringIO()
    writer = csv.DictWriter(out, [*EXPORT_COLUMNS, *product], extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def order_fields(o: Order) -> dict[str, Any]:
    """An order as one flat row: its own fields, then its product data."""
    row: dict[str, Any] = {
        "number": o.number,
        "line": o.line,
        "state": o.state.value,
        "target": o.target,
        "good": o.good,
        "scrap": o.scrap,
        "billets": o.billets,
        "sequence": o.sequence,
        "ideal_cycle_s": o.ideal_cycle_s,
        "source": o.source,
        "created": o.created,
        "started": o.started,
        "ended": o.ended,
    }
    row.update(o.product)
    return row
