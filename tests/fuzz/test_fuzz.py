"""The fuzzer's budget in the test suite: a fixed list of seeds (a failure names its seed,
``python -m tests.fuzz --replay SEED`` makes that mutant again), a few mutants through the
real ``hmi check``, and the mutants that once failed, kept as they were."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .mutations import copy_demo, mutate, project_files, restore_permissions
from .runner import judge, run

SEEDS = list(range(200))  # about 25 s on an idle PC
# what mutants once found, kept as the edits that found it (a seed's meaning changes with
# the demo's files): (file, what to do to its text)
REGRESSIONS = {
    "NUL in a screen file gave a two-line YAML error": (
        "screens/overview.yaml",
        lambda text: text.replace("\n", "\n\x00", 1),
    ),
    "ESC in a tag file": ("tags/press.yaml", lambda text: text + "\n\x1b[31m\n"),
    "a 1,000-character column name was quoted whole": (
        "tags/filler.csv",
        lambda text: text.replace("device", "devic" + "Ω" * 1000, 1),
    ),
    "a 1,000-character key was quoted whole": (
        "project.yaml",
        lambda text: text + "\n" + "k" * 1000 + ": 1\n",
    ),
}
# a few of every kind: deep nesting, random bytes, alias bombs, emptied, deleted and
# unreadable files, a broken folder; checked by the real command
THROUGH_HMI_CHECK = (3, 7, 13, 36, 41, 56)
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+)(?::(?P<line>\d+))?: \S")


@pytest.mark.timeout(600)  # a loaded CI machine; the fuzzer bounds each mutant itself
def test_mutants_of_the_demo_project_get_file_line_problems_quickly_or_none():
    verdicts = run(SEEDS)
    assert [v.seed for v in verdicts] == SEEDS  # every mutant was judged
    failed = [str(v) for v in verdicts if not v.passed]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("case", list(REGRESSIONS))
def test_what_a_mutant_once_found_stays_fixed(tmp_path: Path, case: str):
    from hmi.core.checks import check_all

    file, edit = REGRESSIONS[case]
    root = copy_demo(tmp_path / "demo")
    files = set(project_files(root))
    path = root / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    _, problems = check_all(root)
    assert problems and judge(root, files, problems) == []


@pytest.mark.parametrize("seed", THROUGH_HMI_CHECK)
def test_hmi_check_on_a_mutant_exits_0_or_2_with_one_file_line_per_problem(
    tmp_path: Path, seed: int
):
    root = copy_demo(tmp_path / "demo")
    mutant = mutate(seed, root)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "hmi", "check", str(root)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=root,
        )
    finally:
        restore_permissions(root)
    assert proc.returncode in (0, 2), f"{mutant}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, f"{mutant}\n{proc.stderr[-3000:]}"
    *problems, summary = proc.stderr.splitlines() or ["OK"]
    if proc.returncode == 0:
        assert "OK" in proc.stdout and not problems, f"{mutant}\n{proc.stderr}"
        return
    assert summary == f"{len(problems)} problem(s) in {root}", f"{mutant}\n{proc.stderr}"
    for line in problems:
        match = PROBLEM_LINE.match(line)
        assert match is not None, f"{mutant}: not file:line: {line!r}"
        path = root / match["file"]  # relative to the project; the folder itself as given
        assert path.resolve().is_relative_to(root.resolve()), f"{mutant}: {line!r}"
        assert match["line"] or path == root, f"{mutant}: no line in {line!r}"
