"""The frozen program's entry: ``hmi ARGS`` as from source, and ``hmi -m MODULE ARGS``.

The application starts parts of itself in their own process with ``sys.executable -m
MODULE`` (the simulated plant of ``hmi demo``, the shift report's PDF); in the bundle
``sys.executable`` is this program, so ``-m`` runs that module of the bundle.
"""

import runpy
import sys


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "-m":
        module = sys.argv[2]
        sys.argv = [module, *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return
    from hmi.cli import main as hmi

    raise SystemExit(hmi())


if __name__ == "__main__":
    main()
