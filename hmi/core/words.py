"""Small word helpers shared by everything that reads what a person typed.

One did-you-mean and one way to name a wrong value, so every message a plant engineer
reads about a project file sounds the same whichever section it comes from.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

# "x" and "y"/"n" are how spreadsheets often mark a yes/no column
TRUE_WORDS = frozenset({"1", "true", "on", "yes", "y", "x"})
FALSE_WORDS = frozenset({"0", "false", "off", "no", "n"})
SHOWN_LENGTH = 40  # a longer list or mapping is named by what it is, not printed
SHOWN_TEXT = 60  # characters of a long text or number shown in a message


def shorten(text: Any, limit: int = SHOWN_TEXT) -> str:
    """A name or text as a message quotes it: cut to ``limit`` characters (a pasted page in
    a key must not become a page of message)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "..."


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


def did_you_mean(word: str, known: Iterable[Any], what: str, listed: int = 12) -> str:
    """A hint for a misspelt name: the closest known one, else the known ones in the order
    given if there are at most ``listed`` of them (``listed=0`` never lists them)."""
    names = list(dict.fromkeys(str(k) for k in known))
    close = closest(word, names)
    if close is not None:
        return f"did you mean '{close}'?"
    if not names:
        return f"there are no {what}"
    if len(names) <= listed:
        return f"the {what} are {', '.join(names)}"
    return f"no {_singular(what)} has that name"


def closest(word: str, known: Iterable[Any]) -> str | None:
    """The known name most like ``word``, if one is close enough to be a misspelling."""
    close = difflib.get_close_matches(word, [str(k) for k in known], n=1)
    return close[0] if close else None


def _singular(what: str) -> str:
    """'tags' -> 'tag', 'properties' -> 'property', 'scan classes' -> 'scan class'."""
    if what.endswith("ies"):
        return what[:-3] + "y"
    if what.endswith(("sses", "ches", "shes", "xes")):
        return what[:-2]
    return what.removesuffix("s")


def describe_value(value: Any) -> str:
    """A wrong value as a message names it: ``'abc'``, ``true``, ``nothing``, ``['mm']``;
    a long list or mapping as ``a list`` or ``a mapping``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, Mapping | list | tuple):
        if len(value) > SHOWN_LENGTH:
            return "a mapping" if isinstance(value, Mapping) else "a list"
        shown = _short_repr(_plain(value))
        if len(shown) <= SHOWN_LENGTH:
            return shown
        return "a mapping" if isinstance(value, Mapping) else "a list"
    return _short_repr(value)


def _short_repr(value: Any) -> str:
    """``repr`` cut to a readable length (a pasted page of text, a 4,000-digit number)."""
    if isinstance(value, str) and len(value) > SHOWN_TEXT:
        return repr(value[:SHOWN_TEXT]) + "..."
    try:
        shown = repr(value)
    except ValueError:  # an integer too long to print
        return "a number too long to show"
    return shown if len(shown) <= SHOWN_TEXT * 2 else shown[: SHOWN_TEXT * 2] + "..."


def _plain(value: Any) -> Any:
    """Nested mappings and lists as plain dicts and lists, so they print as written."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
