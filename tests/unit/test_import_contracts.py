"""The import contracts in pyproject.toml hold on the tree, and they see relative imports."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

TOY_CONTRACTS = """\
[importlinter]
root_package = toy

[importlinter:contract:core-without-ui]
name = Toy core never imports the toy UI
type = forbidden
source_modules =
    toy.core
forbidden_modules =
    toy.ui
"""


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports in cwd (its config found there), without the cache, bounded."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} not found: install the test extra")
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output


def write_toy_tree(root: Path, core_module_source: str) -> None:
    files = {
        ".importlinter": TOY_CONTRACTS,
        "toy/__init__.py": "",
        "toy/ui/__init__.py": "",
        "toy/ui/widgets.py": "BUTTON = 'button'\n",
        "toy/core/__init__.py": "",
        "toy/core/model/__init__.py": "",
        "toy/core/model/tags.py": core_module_source,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_clean_toy_tree_keeps_the_contract(tmp_path):
    write_toy_tree(tmp_path, "from .. import model\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_relative_import_that_breaks_a_contract_is_caught(tmp_path):
    # A relative import: an AST check of `import x` / `from x import y` with level 0 never
    # sees it.
    write_toy_tree(tmp_path, "from ...ui import widgets\n\nLABEL = widgets.BUTTON\n")
    result = lint_imports(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Toy core never imports the toy UI BROKEN" in output
    assert "toy.core.model.tags -> toy.ui.widgets" in output
