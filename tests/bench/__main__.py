"""Run every benchmark in its own process: ``python -m tests.bench [name ...]``.

Each prints one JSON line; this collects them, in order, and says which failed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(names: list[str]) -> int:
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names or m in names]
    failed = []
    for module in modules:
        proc = subprocess.run(
            [sys.executable, "-m", f"tests.bench.{module}"],
            capture_output=True,
            text=True,
            timeout=600,
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
