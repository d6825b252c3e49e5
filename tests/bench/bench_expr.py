"""Derived-tag evaluation: compiled closures vs Python's eval of the same code object.

A derived tag is recomputed on every change of its inputs, so one evaluation must cost
microseconds. The peer is ``eval`` of the expression compiled once by CPython (dotted tag
names spelled with ``__`` so they are plain variables): the fastest the interpreter itself
can do, and what a naive implementation would use. Batches alternate to share the noise.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from hmi.core.expr import FUNCTIONS, compile_expr
from tests.bench.common import median, percentile, report

BATCHES = 41
PER_BATCH = 20_000
NAME_DOT = re.compile(r"(?<=\w)\.(?=[A-Za-z_])")  # the dot of a tag name, not of 0.1

CASES = {
    "arith": ("a * 2 + b / 4 - c", {"a": 3.0, "b": 8.0, "c": 1.0}),
    "ratio": (
        "line1.ram_speed / max(line1.ram_speed_sp, 0.1) * 100",
        {"line1.ram_speed": 12.5, "line1.ram_speed_sp": 20.0},
    ),
    "branch": ("clamp(a * 1.5, 0, 100) if b > 3 else -a", {"a": 42.0, "b": 7}),
}


def per_call_us(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(PER_BATCH):
        run()
    return (time.perf_counter() - start) / PER_BATCH * 1e6


def measure(text: str, values: dict[str, object]) -> dict[str, float]:
    expression = compile_expr(text)
    code = compile(NAME_DOT.sub("__", text), "<expr>", "eval")
    namespace = {NAME_DOT.sub("__", key): value for key, value in values.items()}
    builtins = {"__builtins__": {}, "max": max, "clamp": FUNCTIONS["clamp"][0]}
    assert eval(code, builtins, namespace) == expression.evaluate(values)

    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(BATCHES):
        ours.append(per_call_us(lambda: expression.evaluate(values)))
        theirs.append(per_call_us(lambda: eval(code, builtins, namespace)))
    compile_times = []
    for _ in range(200):
        start = time.perf_counter()
        compile_expr(text)
        compile_times.append((time.perf_counter() - start) * 1e6)
    return {
        "us_median": median(ours),
        "us_p99": percentile(ours, 99),
        "eval_us_median": median(theirs),
        "eval_us_p99": percentile(theirs, 99),
        "ratio_vs_eval": median(ours) / median(theirs),
        "compile_us_median": median(compile_times),
    }


def main() -> None:
    figures: dict[str, object] = {"evaluations_per_batch": PER_BATCH, "batches": BATCHES}
    for name, (text, values) in CASES.items():
        for key, value in measure(text, values).items():
            figures[f"{name}_{key}"] = value
    report("expr", **figures)


if __name__ == "__main__":
    main()
