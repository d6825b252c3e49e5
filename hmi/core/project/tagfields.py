"""The fields a tag may have, written once for YAML tag entries and CSV tag lists.

A spreadsheet has no lists, so CSV spells the two pairs of a tag over two columns each:
``range_lo``/``range_hi`` become ``range: [lo, hi]`` and ``raw_lo``/``raw_hi`` become
``scale: {raw: [lo, hi]}``. Every other column is the field of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass

from .limits import DECIMALS

TAG_FIELDS = (
    "name",
    "device",
    "address",
    "type",
    "units",
    "range",
    "scale",
    "deadband",
    "scan",
    "writable",
    "decimals",
    "description",
    "expr",
    "byte_order",
    "word_order",
    "length",
)
SCALE_FIELDS = ("raw", "eng")
ORDER_OPTIONS = ("byte_order", "word_order")
ORDERS = ("big", "little")
MAX_DECIMALS = DECIMALS.highest


@dataclass(frozen=True, slots=True)
class CsvPair:
    """Two CSV columns that hold one ``[lo, hi]`` of a tag, and where it goes in the entry."""

    lo: str
    hi: str
    path: tuple[str, ...]


CSV_PAIRS = {
    "range": CsvPair("range_lo", "range_hi", ("range",)),
    "scale": CsvPair("raw_lo", "raw_hi", ("scale", "raw")),
}
CSV_COLUMNS = tuple(
    column
    for name in TAG_FIELDS
    for column in ((CSV_PAIRS[name].lo, CSV_PAIRS[name].hi) if name in CSV_PAIRS else (name,))
)
