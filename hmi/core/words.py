"""Small word helpers shared by everything that reads what a person typed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

# "x" and "y"/"n" are how spreadsheets often mark a yes/no column
TRUE_WORDS = frozenset({"1", "true", "on", "yes", "y", "x"})
FALSE_WORDS = frozenset({"0", "false", "off", "no", "n"})


def parse_flag(value: Any) -> bool | None:
    """True/False from a bool or a word such as yes/no, on/off, 1/0; None if it is neither."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def did_you_mean(word: str, known: Iterable[str], what: str, listed: int = 12) -> str:
    """A hint for a misspelt name: the closest known one, else the known ones if few
    (``listed=0`` never lists them)."""
    names = list(dict.fromkeys(str(k) for k in known))  # in the order given
    close = difflib.get_close_matches(word, names, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    if not names:
        return f"there are no {what}"
    if len(names) <= listed:
        return f"the {what} are {', '.join(names)}"
    return f"no {what.removesuffix('s')} has that name"


def describe_value(value: Any) -> str:
    """A wrong value as an error message names it: ``got 'abc'``, ``got a list``."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
