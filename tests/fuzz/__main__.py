"""``python -m tests.fuzz [--seconds 600] [--seed N]``: check mutants of the demo project
for a while, from seed N on; ``--replay SEED ...`` makes those mutants again, keeps them
and prints every problem they got. Exit 1 if any mutant failed."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from .runner import HANG, check_mutant, run, work

BATCH = 200  # seeds handed to one worker at a time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to run")
    parser.add_argument("--seed", type=int, default=None, help="first seed (default: random)")
    parser.add_argument("--replay", type=int, nargs="+", metavar="SEED", help="these mutants")
    parser.add_argument("--worker", type=Path, metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:  # seeds on stdin, one verdict per line on stdout, mutants in FOLDER
        work((int(line) for line in sys.stdin if line.strip()), args.worker)
        return 0
    if args.replay:
        return replay(args.replay)
    first = args.seed if args.seed is not None else random.randrange(10**9)
    print(f"fuzzing from seed {first} for {args.seconds:g} s", flush=True)
    deadline = time.monotonic() + args.seconds
    seed, done, failed = first, 0, 0
    while time.monotonic() < deadline:
        for verdict in run(list(range(seed, seed + BATCH)), HANG, deadline):
            done += 1
            if not verdict.passed:
                failed += 1
                print(verdict, flush=True)
        seed += BATCH
    print(f"{done} mutants from seed {first}: {failed} failed", flush=True)
    return 1 if failed else 0


def replay(seeds: list[int]) -> int:
    folder = Path(tempfile.mkdtemp(prefix="linea-fuzz-replay-"))
    failed = 0
    for seed in seeds:
        verdict, problems = check_mutant(seed, folder, keep=True)
        print(f"seed {seed}: {verdict.what}\n  kept in {folder / f'mutant-{seed}'}")
        for problem in problems:
            print(f"  {problem}")
        if verdict.passed:
            print(f"  passed in {verdict.seconds:.2f} s")
        else:
            failed += 1
            print("  FAILED:\n    " + "\n    ".join(verdict.failures))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
