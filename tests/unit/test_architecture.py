"""The import direction hmi.ui -> hmi.core <- drivers, checked on the source tree."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "shiboken6", "pyqtgraph")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", ["hmi/core", "drivers"])
def test_core_and_drivers_never_import_qt_or_the_ui(folder):
    offenders = [
        f"{p.relative_to(ROOT)} imports {name}"
        for p in sources(folder)
        for name in imports_of(p)
        if name.split(".")[0] in QT or name.startswith("hmi.ui")
    ]
    assert sources(folder), f"no sources found in {folder}"
    assert offenders == []


def test_core_never_imports_drivers():
    offenders = [
        f"{p.relative_to(ROOT)} imports {name}"
        for p in sources("hmi/core")
        for name in imports_of(p)
        if name.split(".")[0] == "drivers"
    ]
    assert offenders == []
