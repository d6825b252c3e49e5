"""Messages the core writes for people (alarm texts, reasons, reports), in their language.

The operator application translates its own words with Qt; the core has no Qt, so it
reads the same catalogues as data: the application's ``resources/i18n/linea_<code>.ts``
(Qt Linguist XML) and, for the engineer's own words, the project's
``i18n/<code>.yaml`` (a mapping of text to translation, optionally grouped by context).
A text without a translation stays as written: a missing entry is never an error.
"""

from __future__ import annotations

import logging
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Mapping
from pathlib import Path

from .paths import install_root
from .project.models import Problem
from .project.problems import read_yaml_source

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
APP_CATALOGUES = install_root() / "resources" / "i18n"
PROJECT_FOLDER = "i18n"

Catalogue = dict[tuple[str, str], str]  # (context, source) -> translation; context "" = any


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


class Translator:
    """``translate(text, context)`` in the current language; switched at run time."""

    def __init__(self, project_root: str | Path | None = None, app_folder: Path = APP_CATALOGUES):
        self.project_root = Path(project_root) if project_root else None
        self.app_folder = app_folder
        self.language = SOURCE_LANGUAGE
        self._catalogue: Catalogue = {}
        self._lock = threading.Lock()

    def set_language(self, code: str) -> bool:
        """Speak ``code`` from now on; False if there is no catalogue for it at all."""
        code = code.lower()
        if code == SOURCE_LANGUAGE:
            with self._lock:
                self.language, self._catalogue = code, {}
            return True
        catalogue: Catalogue = {}
        found = False
        app = self.app_folder / f"linea_{code}.ts"
        if app.is_file():
            found = True
            catalogue |= _guarded(read_ts, app)
        if self.project_root is not None:
            own = self.project_root / PROJECT_FOLDER / f"{code}.yaml"
            if own.is_file():
                found = True
                catalogue |= _guarded(read_project_catalogue, own)  # the project's words win
        if not found:
            return False
        with self._lock:
            self.language, self._catalogue = code, catalogue
        return True

    def translate(self, text: str, context: str = "") -> str:
        catalogue = self._catalogue
        if not catalogue:
            return text
        return catalogue.get((context, text)) or catalogue.get(("", text)) or text


def _guarded(read: Callable[[Path], Catalogue], path: Path) -> Catalogue:
    """A broken catalogue is logged once and left out; the words stay in English."""
    try:
        return read(path)
    except (OSError, ElementTree.ParseError) as exc:
        log.warning("translations in %s left out: %s", path, exc)
        return {}
