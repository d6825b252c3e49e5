"""Languages of the operator application, switched while it runs.

English is the source language: the words in the code. A translation is a Qt ``.qm`` file
``resources/i18n/linea_<code>.qm`` compiled from its ``.ts`` with ``pyside6-lrelease``.
Switching installs the new translator; Qt then sends every widget a ``LanguageChange``
event and each one sets its words again.

The engineer's own words (screen texts, alarm messages and help, tag descriptions, the
words of enumerations) are translated by the project's ``i18n/<code>.yaml`` through the
core's ``Translator`` (``project_text``), which follows the same switch; a text without an
entry stays as written. Reasons the drivers and the core give in English (a value's
quality, a device's state) are translated where they are fixed phrases or known patterns
(``reason_text``); any other reason stays in English. Refusals a capability's service
words in English (who may not do what, and why) are shown by their template
(``refusal_text``), which the capability's views name with ``add_refusals``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, QTranslator

from hmi.core.i18n import Translator, fields_of, fill
from hmi.core.paths import install_root
from hmi.core.project.models import Project, TagConfig

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
    # known before Qt tells the widgets: what they ask the project's words is in ``code``
    _state["code"] = code
    old = _state["translator"]
    if isinstance(old, QTranslator):
        QCoreApplication.removeTranslator(old)
        old.deleteLater()
    if translator is not None:
        QCoreApplication.installTranslator(translator)
    _state["translator"] = translator
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


# -- the project's own words ------------------------------------------------------------

# project folder -> its words, and the language they were last read in
_projects: dict[str, tuple[Translator, list[str]]] = {}


def project_translator(project: Project) -> Translator:
    """The translator of ``project``'s own words, speaking the current language (read
    again at the first word asked after a switch)."""
    root = str(project.root)
    found = _projects.get(root)
    if found is None:
        found = _projects[root] = (Translator(root), [SOURCE_LANGUAGE])
    translator, spoken = found
    code = current_language()
    if spoken[0] != code:
        translator.set_language(code)
        spoken[0] = code
    return translator


def project_text(project: Project, text: str, context: str = "") -> str:
    """``text`` of ``project`` in the current language (as written when not translated).

    ``context`` is where the project's catalogue groups it: ``Screens``, ``Alarms``,
    ``Enums``, ``Tags``, ``Units``, ``Project``, ``Trends`` (any other entry serves too)."""
    if not text:
        return text
    return project_translator(project).translate(text, context)


def alarm_text(project: Project, template: str, message: str) -> str:
    """An alarm's ``message``, filled in from its definition's ``template``, in the current
    language: the template's translation (``Alarms``) filled with the values the message
    shows; a ``{reason}`` is translated as a reason. The message as it is when the template
    has no translation or the message was not filled in from it."""
    if not message or not template:
        return message
    translator = project_translator(project)

    def values(name: str, value: str) -> str:
        return reason_text(value) if name == "reason" else translator.translate(value, "Alarms")

    return translator.translate_filled(template, message, "Alarms", values)


def shown_tag(project: Project, tag: TagConfig | None) -> TagConfig | None:
    """``tag`` with its description and units in the current language, for what names a
    tag to the operator (dialogs, messages, trend legends)."""
    if tag is None or current_language() == SOURCE_LANGUAGE:
        return tag
    description = project_text(project, tag.description, "Tags")
    units = project_text(project, tag.units, "Units")
    if (description, units) == (tag.description, tag.units):
        return tag
    return replace(tag, description=description, units=units)


# -- reasons from the drivers and the core ------------------------------------------------

# fixed reasons, as the drivers and the core give them
REASON_WORDS = frozenset(
    (
        QT_TRANSLATE_NOOP("Quality", "connection refused"),
        QT_TRANSLATE_NOOP(
            "Quality", "connection refused: no OPC UA server is listening at the endpoint"
        ),
        QT_TRANSLATE_NOOP("Quality", "no answer (timed out)"),
        QT_TRANSLATE_NOOP("Quality", "device is offline"),
        QT_TRANSLATE_NOOP("Quality", "not connected"),
        QT_TRANSLATE_NOOP("Quality", "stopped"),
        QT_TRANSLATE_NOOP("Quality", "not recorded in history"),
        QT_TRANSLATE_NOOP("Quality", "no value recorded before this moment"),
        QT_TRANSLATE_NOOP("Quality", "recorded as bad"),
        QT_TRANSLATE_NOOP("Quality", "recorded as uncertain"),
        QT_TRANSLATE_NOOP("Quality", "result is not a finite number"),
        QT_TRANSLATE_NOOP("Quality", "no value received yet"),
        QT_TRANSLATE_NOOP("Quality", "Modbus exception 1: illegal function"),
        QT_TRANSLATE_NOOP("Quality", "Modbus exception 2: illegal data address"),
        QT_TRANSLATE_NOOP("Quality", "Modbus exception 3: illegal data value"),
        QT_TRANSLATE_NOOP("Quality", "Modbus exception 4: server device failure"),
        QT_TRANSLATE_NOOP("Quality", "Modbus exception 6: server device busy"),
        QT_TRANSLATE_NOOP("Quality", "Modbus exception 10: gateway path unavailable"),
        QT_TRANSLATE_NOOP(
            "Quality", "Modbus exception 11: gateway target device failed to respond"
        ),
    )
)
# reasons with values in them, the most particular first; ``{reason}`` is a reason too
REASON_TEMPLATES = (
    QT_TRANSLATE_NOOP("Quality", "timeout after {seconds} s"),
    QT_TRANSLATE_NOOP("Quality", "no answer within {seconds} s"),
    QT_TRANSLATE_NOOP("Quality", "waiting for {tag}"),
    QT_TRANSLATE_NOOP("Quality", "unknown host '{host}'"),
    QT_TRANSLATE_NOOP("Quality", "host name not found ({detail})"),
    QT_TRANSLATE_NOOP("Quality", "device {device} offline: {reason}"),
    QT_TRANSLATE_NOOP("Quality", "connection lost: {detail}"),
    QT_TRANSLATE_NOOP("Quality", "network error: {detail}"),
    QT_TRANSLATE_NOOP("Quality", "{reason} (and {count} more tags)"),
    QT_TRANSLATE_NOOP("Quality", "{tag}: {reason}"),
)
REASON_PARTS = "; "  # several reasons in one (a symbol of several tags)


def reason_text(reason: str) -> str:
    """Why a value is not Good (or a device not online), in the current language where
    the reason is a known phrase; any other reason as the driver gave it."""
    if not reason or current_language() == SOURCE_LANGUAGE:
        return reason
    return REASON_PARTS.join(_one_reason(part) for part in reason.split(REASON_PARTS))


def _one_reason(reason: str) -> str:
    if reason in REASON_WORDS:
        return translate("Quality", reason)
    for template in REASON_TEMPLATES:
        values = fields_of(template, reason)
        if values is None:
            continue
        if "reason" in values:
            values["reason"] = _one_reason(values["reason"])
        return fill(translate("Quality", template), values)
    return reason


# -- refusals from the capabilities' services ---------------------------------------------

#: (context, template, how a filled value is shown) of each refusal a capability's views
#: named, matched in that order (the most particular first)
_refusals: list[tuple[str, str, Callable[[str, str], str] | None]] = []


def add_refusals(
    context: str, templates: Iterable[str], values: Callable[[str, str], str] | None = None
) -> None:
    """Show the refusals a service builds from ``templates`` (English, ``{fields}``) in
    the current language, as ``translate(context, template)`` filled with the values the
    refusal shows, each through ``values(field, value)`` when given. Named again (another
    project's station), a template keeps its place and takes the new ``values``."""
    for template in templates:
        entry = (context, template, values)
        at = next((i for i, r in enumerate(_refusals) if r[:2] == entry[:2]), None)
        if at is None:
            _refusals.append(entry)
        else:
            _refusals[at] = entry


def refusal_text(reason: str | None) -> str | None:
    """Why an action is refused, in the current language where a capability named its
    template (``add_refusals``); any other reason as a known reason (``reason_text``) or
    as given. None stays None: nothing is refused."""
    if not reason or current_language() == SOURCE_LANGUAGE:
        return reason
    for context, template, values in _refusals:
        if template == reason:
            return translate(context, template)
        found = fields_of(template, reason)
        if found is None:
            continue
        if values is not None:
            found = {name: values(name, value) for name, value in found.items()}
        return fill(translate(context, template), found)
    return reason_text(reason)
