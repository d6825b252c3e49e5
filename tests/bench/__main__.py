"""Run every benchmark in its own process: ``python -m tests.bench [name ...] [--option ...]``.

Each prints one JSON line; this collects them, in order, and says which failed. Options
after the names go to every benchmark run (``python -m tests.bench app --minutes 10``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def timeout(options: list[str]) -> float:
    """Ten minutes a benchmark, and the ``--minutes`` it is asked to run on top."""
    if "--minutes" in options[:-1]:
        try:
            return 600 + 60 * float(options[options.index("--minutes") + 1])
        except ValueError:
            pass  # the benchmark says what is wrong with it
    return 600


def split(argv: list[str]) -> tuple[list[str], list[str]]:
    """The benchmarks named, and the options that follow them."""
    first = next((i for i, a in enumerate(argv) if a.startswith("-")), len(argv))
    return argv[:first], argv[first:]


def main(argv: list[str]) -> int:
    names, options = split(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names or m in names]
    failed = []
    for module in modules:
        proc = subprocess.run(
            [sys.executable, "-m", f"tests.bench.{module}", *options],
            capture_output=True,
            text=True,
            timeout=timeout(options),
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode or not lines:
            failed.append(module)
            print(f'{{"bench": "{module}", "error": "exit {proc.returncode}"}}', flush=True)
            sys.stderr.write(proc.stderr[-2000:])
        else:
            print(lines[-1], flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
