"""The project's own words (enumerations, alarm help) in the operator's language.

Linea's words come from Qt's catalogue; the engineer's words from the project's
``i18n/<code>.yaml``, read by the core's translator, which follows every switch of the
application's language. One translator per project folder.
"""

from __future__ import annotations

from hmi.core.i18n import Translator
from hmi.core.project.models import Project
from hmi.ui.i18n import add_language_listener

_translators: dict[str, Translator] = {}


def project_text(project: Project, text: str, context: str = "") -> str:
    """``text`` of ``project`` in the current language (as written when not translated)."""
    if not text:
        return text
    root = str(project.root)
    translator = _translators.get(root)
    if translator is None:
        translator = _translators[root] = Translator(root)
        add_language_listener(translator.set_language)
    return translator.translate(text, context)
