"""Messages the core writes for people (alarm texts, reasons, reports), in their language.

The operator application translates its own words with Qt; the core has no Qt, so it
reads the same catalogues as data: the application's ``resources/i18n/linea_<code>.ts``
(Qt Linguist XML) and, for the engineer's own words, the project's
``i18n/<code>.yaml`` (a mapping of text to translation, optionally grouped by context).
A text without a translation stays as written: a missing entry is never an error.

Texts filled in from a template ("Start line1?" from a screen template's
``Start {line}?``, "Ram pressure high: 287 bar" from an alarm's message) are translated
once, as their template: an entry of the project's catalogue whose text has ``{fields}``
matches every text filled in from it, and its translation is filled with the same values
(each value translated too when it has an entry of its own: ``{title}`` = "Line 1"
becomes "Linea 1"). A text with an entry of its own wins over a template that matches
it. Linea's own strings are translated before they are filled, so its catalogue's
templates are not matched against texts.
"""

from __future__ import annotations

import logging
import re
import string
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .enums import project_enums
from .paths import install_root
from .project.models import Problem, Project
from .project.problems import read_yaml_source
from .screens.catalogue import UNITS
from .trendviews import read_trendviews

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
APP_CATALOGUES = install_root() / "resources" / "i18n"
PROJECT_FOLDER = "i18n"
MEMO_SIZE = 4096  # texts whose template was looked for, per language

Catalogue = dict[tuple[str, str], str]  # (context, source) -> translation; context "" = any
#: a filled value in the translation: (field name, value as filled) -> the value shown
Values = Callable[[str, str], str]

_FORMATTER = string.Formatter()


# -- templates --------------------------------------------------------------------------


@lru_cache(maxsize=MEMO_SIZE)
def _parts(template: str) -> tuple[tuple[str, str | None], ...] | None:
    """(literal text, field name or None) pieces of ``template``; None when its braces do
    not make a template."""
    try:
        return tuple((literal, name) for literal, name, _, _ in _FORMATTER.parse(template))
    except ValueError:
        return None


@lru_cache(maxsize=MEMO_SIZE)
def _matcher(template: str) -> tuple[re.Pattern[str], tuple[str, ...]] | None:
    """A pattern matching every text filled in from ``template``, and its fields in order;
    None when ``template`` has no fields."""
    parts = _parts(template)
    if parts is None or all(name is None for _, name in parts):
        return None
    names: list[str] = []
    pattern: list[str] = []
    for literal, name in parts:
        pattern.append(re.escape(literal))
        if name is None:
            continue
        if name in names:
            pattern.append(f"(?P=g{names.index(name)})")
        else:
            pattern.append(f"(?P<g{len(names)}>.*?)")
            names.append(name)
    return re.compile("".join(pattern), re.DOTALL), tuple(names)


def is_template(text: str) -> bool:
    """Whether ``text`` has ``{fields}`` that texts are filled in from."""
    return "{" in text and _matcher(text) is not None


def fields_of(template: str, text: str) -> dict[str, str] | None:
    """The values ``text`` was filled in with from ``template`` (as the text shows them),
    or None when it was not filled in from it."""
    found = _matcher(template)
    if found is None:
        return None
    pattern, names = found
    match = pattern.fullmatch(text)
    if match is None:
        return None
    return {name: match.group(f"g{i}") for i, name in enumerate(names)}


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each field replaced by its value as text (format specs are not
    applied: the values are already formatted); a field without a value stays written."""
    parts = _parts(template)
    if parts is None:
        return template
    out: list[str] = []
    for literal, name in parts:
        out.append(literal)
        if name is not None:
            out.append(values[name] if name in values else "{" + name + "}")
    return "".join(out)


def refill(template: str, text: str, translated: str, values: Values | None = None) -> str | None:
    """``text``, filled in from ``template``, told as ``translated`` (the template's
    translation) with the same values, each through ``values``; None when ``text`` was not
    filled in from ``template``."""
    found = fields_of(template, text)
    if found is None:
        return None
    if values is not None:
        found = {name: values(name, value) for name, value in found.items()}
    return fill(translated, found)


# -- catalogues -------------------------------------------------------------------------


def read_ts(path: Path) -> Catalogue:
    """The finished translations of a Qt Linguist file."""
    catalogue: Catalogue = {}
    root = ElementTree.parse(path).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source")
            node = message.find("translation")
            if source is None or node is None or node.get("type") in ("unfinished", "obsolete"):
                continue
            if node.text:
                catalogue[(name, source)] = node.text
                catalogue.setdefault(("", source), node.text)
    return catalogue


def read_project_catalogue(path: Path) -> Catalogue:
    """``text: translation`` pairs, or ``Context: {text: translation}`` groups. A file that
    cannot be read, and a text translated twice, are logged with their line; the words
    that could be read are used."""

    def report(problem: Problem) -> None:
        log.warning("translations: %s", problem)

    catalogue: Catalogue = {}
    _, data = read_yaml_source(path, str(path), report)
    if not isinstance(data, Mapping):
        return catalogue
    for key, value in data.items():
        if isinstance(value, Mapping):
            for source, text in value.items():
                if isinstance(text, str):
                    catalogue[(str(key), str(source))] = text
                    catalogue.setdefault(("", str(source)), text)
        elif isinstance(value, str):
            catalogue[("", str(key))] = value
    return catalogue


@dataclass
class _Speech:
    """One language's words: looked up by text, and the templates among them."""

    catalogue: Catalogue = field(default_factory=dict)
    #: (context, template, translation), the most literal text first
    templates: list[tuple[str, str, str]] = field(default_factory=list)
    memo: dict[tuple[str, str], str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, catalogue: Catalogue, own: Catalogue) -> _Speech:
        """``catalogue``: every word; ``own``: the project's, whose templates match texts."""
        in_context = {source for context, source in own if context}
        templates = [
            (context, source, text)
            for (context, source), text in own.items()
            if (context or source not in in_context) and is_template(source)
        ]
        templates.sort(key=lambda t: -len("".join(p[0] for p in _parts(t[1]) or ())))
        return cls(catalogue, templates)


class Translator:
    """``translate(text, context)`` in the current language; switched at run time."""

    def __init__(self, project_root: str | Path | None = None, app_folder: Path = APP_CATALOGUES):
        self.project_root = Path(project_root) if project_root else None
        self.app_folder = app_folder
        self.language = SOURCE_LANGUAGE
        self._speech = _Speech()
        self._lock = threading.Lock()

    def set_language(self, code: str) -> bool:
        """Speak ``code`` from now on; False if there is no catalogue for it at all."""
        code = code.lower()
        if code == SOURCE_LANGUAGE:
            with self._lock:
                self.language, self._speech = code, _Speech()
            return True
        catalogue: Catalogue = {}
        own: Catalogue = {}
        found = False
        app = self.app_folder / f"linea_{code}.ts"
        if app.is_file():
            found = True
            catalogue |= _guarded(read_ts, app)
        if self.project_root is not None:
            path = self.project_root / PROJECT_FOLDER / f"{code}.yaml"
            if path.is_file():
                found = True
                own = _guarded(read_project_catalogue, path)
                catalogue |= own  # the project's words win
        if not found:
            return False
        with self._lock:
            self.language, self._speech = code, _Speech.of(catalogue, own)
        return True

    def translate(self, text: str, context: str = "") -> str:
        speech = self._speech
        if not speech.catalogue or not text:
            return text
        found = _exact(speech, text, context)
        if found is None:
            found = self._by_template(speech, text, context)
        return text if found is None else found

    def knows(self, text: str, context: str = "") -> bool:
        """Whether ``text`` has a translation (its own, or its template's)."""
        speech = self._speech
        return bool(text) and (
            _exact(speech, text, context) is not None
            or self._by_template(speech, text, context) is not None
        )

    def translate_filled(
        self, template: str, text: str, context: str = "", values: Values | None = None
    ) -> str:
        """``text``, filled in from ``template``, in the current language: the template's
        translation filled with the values ``text`` shows (each through ``values``, by
        default translated when it has an entry); ``text`` as it is when the template has
        no translation or ``text`` was not filled in from it."""
        speech = self._speech
        translated = _exact(speech, template, context) if speech.catalogue else None
        if translated is None:
            return text
        shown = refill(template, text, translated, values or self._value_words(speech, context))
        return text if shown is None else shown

    def _by_template(self, speech: _Speech, text: str, context: str) -> str | None:
        key = (context, text)
        if key in speech.memo:
            return speech.memo[key]
        found = None
        values = self._value_words(speech, context)
        # the text's own context first, then any
        for own in (True, False):
            for where, template, translation in speech.templates:
                if (where == context) != own:
                    continue
                found = refill(template, text, translation, values)
                if found is not None:
                    break
            if found is not None:
                break
        if len(speech.memo) >= MEMO_SIZE:
            speech.memo.clear()
        speech.memo[key] = found
        return found

    @staticmethod
    def _value_words(speech: _Speech, context: str) -> Values:
        def words(name: str, value: str) -> str:
            found = _exact(speech, value, context)
            return value if found is None else found

        return words


def _exact(speech: _Speech, text: str, context: str) -> str | None:
    catalogue = speech.catalogue
    return catalogue.get((context, text)) or catalogue.get(("", text))


def _guarded(read: Callable[[Path], Catalogue], path: Path) -> Catalogue:
    """A broken catalogue is logged once and left out; the words stay in English."""
    try:
        return read(path)
    except (OSError, ElementTree.ParseError) as exc:
        log.warning("translations in %s left out: %s", path, exc)
        return {}


# -- what a project has to translate ------------------------------------------------------


def project_words(
    project: Project,
    screens: Iterable[Any] = (),
    alarms: Iterable[Any] = (),
    sections: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, set[str]]:
    """Every text of ``project`` the operator reads, by the context its translation is
    looked up in: the plant's, lines' and devices' names (``Project``), tag descriptions
    (``Tags``), units (``Units``), the words of enumerations (``Enums``), trend views
    (``Trends``), the screens' titles, labels, questions and state words (``Screens``,
    with their variants), the alarms' messages and help (``Alarms``) and the words the
    capabilities list for their own sections (``sections``, from
    ``CapabilityRegistry.project_words``: passed in, as the capabilities build on this
    module)."""
    words: dict[str, set[str]] = {}

    def add(context: str, *texts: Any) -> None:
        for text in texts:
            if isinstance(text, str) and text.strip() and not _numeric(text):
                words.setdefault(context, set()).add(text)

    add("Project", project.name, *project.lines.values())
    add("Project", *(d.description for d in project.devices.values()))
    for tag in project.tags.values():
        add("Tags", tag.description)
        add("Units", tag.units)
    for table in project_enums(project).values():
        add("Enums", *table.texts.values())
    add("Trends", *(view.name for view in read_trendviews(project)[0]))
    for screen in screens:
        for shown in (screen, *getattr(screen, "variants", {}).values()):
            add("Screens", shown.title)
            for symbol in shown.symbols:
                props = symbol.props
                texts = (props.get(key) for key in ("label", "text", "confirm", "units"))
                add("Screens", *texts)
                for style in (props.get("states") or {}).values():
                    add("Screens", getattr(style, "text", None))
    for alarm in alarms:
        add("Alarms", alarm.message, alarm.cause, alarm.consequence, alarm.action)
    for context, listed in (sections or {}).items():
        add(context, *listed)
    return words


def untranslated(words: Mapping[str, Iterable[str]], translator: Translator) -> list[str]:
    """``Context: text`` of every text in ``words`` ``translator`` has no translation for
    (units written as symbols, ``°C`` or ``mm/s``, read the same in every language)."""
    return sorted(
        f"{context}: {text}"
        for context, texts in words.items()
        for text in texts
        if not unit_symbols(text) and not translator.knows(text, context)
    )


#: units written as symbols, which no language translates
UNIT_SYMBOLS = (
    frozenset(UNITS)
    | {"%", "°C", "°F", "K", "N", "Nm", "N·m", "N·cm", "cm"}
    | {
        "W",
        "kW",
        "MW",
        "V",
        "A",
        "Hz",
        "rpm",
        "min",
        "m³/h",
        "l/min",
        "l/h",
        "kg/h",
        "t/h",
    }
)


def unit_symbols(text: str) -> bool:
    """Whether ``text`` is a unit made of symbols only (``mm/s``, ``N·cm``, ``%``)."""
    return all(part in UNIT_SYMBOLS for part in re.split(r"\s*/\s*", text.strip()))


def _numeric(text: str) -> bool:
    return text.strip().lstrip("-+").replace(".", "", 1).isdigit() or text.strip() in "-—–?"
