"""Languages of the operator application, switched while it runs.

English is the source language: the words in the code. A translation is a Qt ``.qm`` file
``resources/i18n/linea_<code>.qm`` compiled from its ``.ts`` with ``pyside6-lrelease``.
Switching installs the new translator; Qt then sends every widget a ``LanguageChange``
event and each one sets its words again. Screen files keep the engineer's own words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QTranslator

from hmi.core.paths import install_root

log = logging.getLogger(__name__)

I18N_DIR = install_root() / "resources" / "i18n"
SOURCE_LANGUAGE = "en"
#: every language the application can be told to speak, with its own name for itself
LANGUAGE_NAMES = {"en": "English", "it": "Italiano"}

_state: dict[str, object] = {"code": SOURCE_LANGUAGE, "translator": None}
#: told the new language after every switch (the core's translator of messages, ...)
_listeners: list[Callable[[str], object]] = []


def add_language_listener(listener: Callable[[str], object]) -> Callable[[], None]:
    """Call ``listener(code)`` now and after every switch; returns how to stop it."""
    _listeners.append(listener)
    listener(current_language())
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def translate(context: str, text: str) -> str:
    """``text`` in the current language; ``context`` groups it for the translator."""
    return QCoreApplication.translate(context, text)


def qm_path(code: str, folder: Path = I18N_DIR) -> Path:
    return folder / f"linea_{code}.qm"


def available_languages(folder: Path = I18N_DIR) -> list[str]:
    """The source language, then every language with a compiled translation."""
    found = [SOURCE_LANGUAGE]
    found += [
        code
        for code in LANGUAGE_NAMES
        if code != SOURCE_LANGUAGE and qm_path(code, folder).is_file()
    ]
    return found


def current_language() -> str:
    return str(_state["code"])


def set_language(code: str, folder: Path = I18N_DIR) -> bool:
    """Speak ``code`` from now on; False (and nothing changes) if it cannot be loaded."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("set_language needs the application to exist")
    code = code.lower()
    if code == current_language():
        return True
    translator: QTranslator | None = None
    if code != SOURCE_LANGUAGE:
        translator = QTranslator(app)
        if not translator.load(str(qm_path(code, folder))):
            log.warning("no translation for language '%s' in %s", code, folder)
            return False
    old = _state["translator"]
    if isinstance(old, QTranslator):
        QCoreApplication.removeTranslator(old)
        old.deleteLater()
    if translator is not None:
        QCoreApplication.installTranslator(translator)
    _state["translator"] = translator
    _state["code"] = code
    for listener in list(_listeners):
        try:
            listener(code)
        except Exception:
            log.exception("telling %r about the new language failed", listener)
    return True


def next_language(code: str | None = None) -> str:
    """The language after ``code`` (default: the current one), for a one-button switch."""
    languages = available_languages()
    code = code or current_language()
    index = languages.index(code) if code in languages else -1
    return languages[(index + 1) % len(languages)]


def system_language() -> str:
    """The system's language if the application speaks it, else the source language."""
    code = QLocale.system().name().split("_")[0].lower()
    return code if code in available_languages() else SOURCE_LANGUAGE


# Device states come from the core as English words; these are shown translated.
DEVICE_STATUS_WORDS = (
    QT_TRANSLATE_NOOP("DeviceStatus", "connecting"),
    QT_TRANSLATE_NOOP("DeviceStatus", "online"),
    QT_TRANSLATE_NOOP("DeviceStatus", "degraded"),
    QT_TRANSLATE_NOOP("DeviceStatus", "offline"),
    QT_TRANSLATE_NOOP("DeviceStatus", "demoted"),
    QT_TRANSLATE_NOOP("DeviceStatus", "stopped"),
)


def device_status_text(status: str) -> str:
    return translate("DeviceStatus", status) if status in DEVICE_STATUS_WORDS else status
