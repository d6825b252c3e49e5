"""Checking mutants of the demo project, fast and without being fooled by a hang.

Each mutant is checked in-process through ``check_all`` (what ``hmi check`` does, without
starting Python each time), bounded by a timer that interrupts Python code and says where
it was stuck. A batch runs in a worker process that prints one JSON line per mutant; the
parent kills a worker that stays silent too long (a hang inside C code, where the timer
cannot reach), counts that mutant as hung and goes on with the next in a new worker.

A mutant passes when the check returns within ``SLOW`` seconds and every problem is one
line ``file:line: message`` about a file of the project, without Python's words.
"""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from hmi.core.project.models import Problem

from .mutations import copy_demo, mutate, project_files, restore_permissions

SLOW = 3.0  # s of CPU time: a mutant that costs more fails (wall time varies with load)
STUCK = 10.0  # s of CPU time: the timer interrupts a mutant's check and says where it was
HANG = 60.0  # s: a worker silent this long is killed and its mutant counted as hung
LONGEST_MESSAGE = 600  # characters
# what Python, not the engineer, would say
FORBIDDEN = (
    re.compile(r"a fault in Linea HMI"),
    re.compile(r"Traceback"),
    re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b"),
    re.compile(r"\b(?:YMap|YList|NoneType)\b"),
    re.compile(r"<class |object at 0x"),
)


@dataclass
class Verdict:
    seed: int
    what: str
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)  # empty: the mutant passed

    @property
    def passed(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        said = "\n    ".join(self.failures)
        return (
            f"seed {self.seed} ({self.seconds:.2f} s): {self.what}\n    {said}\n"
            f"    replay: python -m tests.fuzz --replay {self.seed}"
        )


class Stuck(BaseException):
    """Raised by the timer; a BaseException, so the checks' own guards cannot catch it."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Interrupt the Python code inside after ``seconds`` of CPU time (POSIX main thread
    only; CPU time, so a machine busy with other work does not trip it)."""
    main = threading.current_thread() is threading.main_thread()
    if not main or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Stuck

    previous = signal.signal(signal.SIGPROF, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def judge(root: Path, files: set[str], problems: list[Problem]) -> list[str]:
    """What is wrong with the problems a mutant got (see the module's docstring)."""
    failures = []
    folders = {str(root), root.as_posix()}
    for problem in problems:
        text, source = str(problem), problem.source
        if "\n" in text or "\r" in text:
            failures.append(f"spans several lines: {text!r}")
        if source.file in folders:
            pass  # about the project folder itself ("no project.yaml in this folder")
        elif source.file not in files:
            failures.append(f"names no file of the project: {text}")
        elif source.line < 1:
            failures.append(f"gives no line: {text}")
        if len(problem.message) > LONGEST_MESSAGE:
            failures.append(f"message of {len(problem.message)} characters: {text[:200]}...")
        for pattern in FORBIDDEN:
            if pattern.search(problem.message):
                failures.append(f"says {pattern.pattern!r}: {text[:300]}")
    return failures


def check_mutant(seed: int, workdir: Path, keep: bool = False) -> tuple[Verdict, list[Problem]]:
    """Make mutant ``seed`` under ``workdir``, check it and judge the result."""
    from hmi.core.checks import check_all

    root = copy_demo(workdir / f"mutant-{seed}")
    files = set(project_files(root)) | {"tags", "screens"}
    try:
        mutant = mutate(seed, root)
        verdict = Verdict(seed, mutant.what)
        problems: list[Problem] = []
        start, cpu = time.perf_counter(), time.process_time()
        try:
            with time_bound(STUCK):
                project, problems = check_all(root)
        except Stuck as stuck:
            frames = traceback.extract_tb(stuck.__traceback__)[-3:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames)
            verdict.failures.append(f"still checking after {STUCK:g} s of CPU, in {where}")
        except Exception as error:  # check_all must never raise
            last = traceback.extract_tb(error.__traceback__)[-1]
            verdict.failures.append(
                f"raised {type(error).__name__}: {error} at {Path(last.filename).name}:"
                f"{last.lineno}"
            )
        else:
            if not problems and project is None:
                verdict.failures.append("no project and no problem")
        verdict.seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        if cpu > SLOW and not verdict.failures:
            verdict.failures.append(f"took {cpu:.1f} s of CPU time (more than {SLOW:g} s)")
        verdict.failures += judge(root, files, problems)
        return verdict, problems
    finally:
        if not keep:
            restore_permissions(root)
            shutil.rmtree(root, ignore_errors=True)


def work(seeds: Iterable[int], folder: Path) -> None:
    """The worker: one JSON line per mutant on stdout, as soon as it is judged."""
    for seed in seeds:
        verdict, _ = check_mutant(seed, folder)
        print(json.dumps(asdict(verdict)), flush=True)


def run(seeds: list[int], hang: float = HANG, deadline: float | None = None) -> list[Verdict]:
    """Every seed's verdict, checked in worker processes (a new one after each hang);
    stops early, with the seeds done so far, at ``deadline`` (a ``time.monotonic()``)."""
    verdicts: list[Verdict] = []
    pending = list(seeds)
    while pending:
        with tempfile.TemporaryDirectory(prefix="linea-fuzz-") as folder:
            going = _batch(pending, verdicts, Path(folder), hang, deadline)
            restore_permissions(Path(folder))  # what a killed worker left behind
        if not going:
            break
    return verdicts


def _batch(
    pending: list[int], verdicts: list[Verdict], folder: Path, hang: float, deadline: float | None
) -> bool:
    """One worker over ``pending``, until it is done, hangs or dies (its mutant then
    fails); False when ``deadline`` came first."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.fuzz", "--worker", str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write("".join(f"{seed}\n" for seed in pending))
    worker.stdin.close()
    lines: queue.Queue[str | None] = queue.Queue()

    def read(stream: IO[str] = worker.stdout) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        while pending:
            if deadline is not None and time.monotonic() > deadline:
                return False
            try:
                line = lines.get(timeout=hang)
            except queue.Empty:
                seed = pending.pop(0)
                what = f"(replay to see; the worker hung on it for {hang:g} s)"
                verdicts.append(Verdict(seed, what, hang, [f"no verdict within {hang:g} s"]))
                return True
            if line is None:  # the worker died: its current mutant is the culprit
                seed = pending.pop(0)
                code = worker.wait()
                verdicts.append(Verdict(seed, "(replay to see)", 0, [f"worker died ({code})"]))
                return True
            if not line.startswith("{"):
                continue  # something the checks printed; not a verdict
            verdict = Verdict(**json.loads(line))
            pending.remove(verdict.seed)
            verdicts.append(verdict)
        return True
    finally:
        worker.kill()
        worker.wait()
