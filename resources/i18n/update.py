"""Keeps the translations in step with the code.

    python resources/i18n/update.py          # add new strings to every .ts, compile every .qm
    python resources/i18n/update.py --check  # exit 1 if a .qm or a .ts is out of step

``pyside6-lupdate`` collects every ``translate("Context", "text")`` of the operator
application (hmi/ui) into ``linea_<language>.ts``, where a translator fills them in (Qt
Linguist, or any editor); ``pyside6-lrelease`` compiles each .ts into the .qm the
application loads. Both files are kept in the repository; ``--check`` (run by the tests)
says when a .qm no longer matches its .ts, when the code has strings the .ts lacks, or when
a string is still untranslated; and, for the demo project, which of its texts (screens,
alarms, enumerations, tags, and the words of each capability's section: reasons, shifts,
...) its ``i18n/<code>.yaml`` has no entry for.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCES = ROOT / "hmi" / "ui"
DEMO = ROOT / "resources" / "demo"


def tool(name: str) -> str:
    """A Qt tool from the Python environment running this script."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 (pip install PySide6-Essentials)")
    return found


def translations() -> list[Path]:
    return sorted(HERE.glob("linea_*.ts"))


def sources() -> list[str]:
    return [str(p.relative_to(ROOT)) for p in sorted(SOURCES.rglob("*.py"))]


def lupdate(ts: Path) -> None:
    subprocess.run(
        [tool("pyside6-lupdate"), "-locations", "none", *sources(), "-ts", str(ts)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run(
        [tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def messages(ts: Path) -> dict[tuple[str, str], str]:
    """(context, source) -> the translation's state: "" when done, else Qt's type attribute."""
    found = {}
    for context in ElementTree.parse(ts).getroot().iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            state = translation.get("type", "") if translation is not None else "unfinished"
            if state != "vanished" and state != "obsolete":
                found[(name, message.findtext("source", ""))] = state
    return found


def problems() -> list[str]:
    """Everything that is out of step, in words; empty when all is well."""
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for ts in translations():
            qm = ts.with_suffix(".qm")
            fresh_qm = Path(tmp) / qm.name
            lrelease(ts, fresh_qm)
            if not qm.is_file() or qm.read_bytes() != fresh_qm.read_bytes():
                found.append(f"{qm.name} does not match {ts.name}: run resources/i18n/update.py")
            fresh_ts = Path(tmp) / ts.name
            shutil.copy(ts, fresh_ts)
            lupdate(fresh_ts)
            for (context, text), state in sorted(messages(fresh_ts).items()):
                if (context, text) not in messages(ts):
                    found.append(f"{ts.name}: new string {context}: {text!r} (run update.py)")
                elif state:
                    found.append(f"{ts.name}: {context}: {text!r} is not translated yet")
    return found


def project_problems(folder: Path = DEMO) -> list[str]:
    """Every text of the project in ``folder`` without an entry in its ``i18n/<code>.yaml``,
    for each language Linea speaks."""
    sys.path.insert(0, str(ROOT))
    from hmi.core.alarms import load_alarms
    from hmi.core.capability import default_capabilities
    from hmi.core.i18n import Translator, project_words, untranslated
    from hmi.core.project.loader import load_project
    from hmi.core.screens import load_screens
    from hmi.core.screens.loader import screens_folder

    project = load_project(folder / "project.yaml")
    screens, _ = load_screens(screens_folder(project), project)
    alarms, _ = load_alarms(project)
    # the capabilities' own sections (orders' reasons, shifts, ...), as each lists them
    sections = default_capabilities().project_words(project)
    words = project_words(project, screens, alarms, sections)
    found = []
    for ts in translations():
        code = ts.stem.split("_", 1)[1]
        translator = Translator(project.root)
        translator.set_language(code)
        catalogue = f"{folder.name}/i18n/{code}.yaml"
        found += [f"{catalogue}: no entry for {text}" for text in untranslated(words, translator)]
    return found


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = problems() + project_problems()
        for line in found:
            print(line)
        return 1 if found else 0
    for ts in translations():
        lupdate(ts)
        lrelease(ts, ts.with_suffix(".qm"))
        untranslated = [key for key, state in messages(ts).items() if state]
        print(f"{ts.name}: {len(untranslated)} strings to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
