"""What the benchmarks read from /proc, and how the runner hands options on."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.bench import __main__ as runner
from tests.bench.common import (
    command_line,
    cpu_seconds,
    descendants,
    stat_fields,
    status_number,
    thread_cpu_seconds,
)

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_stat_fields_skip_a_command_name_with_spaces_and_parentheses():
    line = "4242 (odd ) name (x)) S 17 4242 4242 0 -1 4194560 10 0 0 0 250 75 0 0 20 0 1"
    fields = stat_fields(line)
    assert fields[0] == "S"
    assert fields[1] == "17"  # the parent
    assert (fields[11], fields[12]) == ("250", "75")  # user, system ticks


@linux
def test_cpu_seconds_grow_with_work_and_a_gone_process_gives_none():
    before = cpu_seconds()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    after = cpu_seconds()
    assert before is not None and after is not None
    assert after - before >= 0.2
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(10)
    assert cpu_seconds(gone.pid) is None


@linux
def test_threads_are_named_and_the_busy_one_has_the_time():
    import threading

    def spin() -> None:
        end = time.thread_time() + 0.3
        while time.thread_time() < end:
            pass

    worker = threading.Thread(target=spin, name="bench-busy")
    worker.start()
    seen: dict[str, float] = {}
    deadline = time.monotonic() + 10
    while worker.is_alive() and time.monotonic() < deadline:
        # The worker may end between the check and the reading: keep each thread's best figure.
        for name, seconds in thread_cpu_seconds().items():
            seen[name] = max(seen.get(name, 0.0), seconds)
        time.sleep(0.02)
    worker.join(10)
    assert seen.get("bench-busy", 0.0) >= 0.1
    assert "MainThread" in seen


@linux
def test_descendants_find_a_grandchild_with_its_command_line():
    code = (
        "import subprocess, sys; sleep = 'import time; time.sleep(30)'; "
        "p = subprocess.Popen([sys.executable, '-c', sleep, 'grandchild']); "
        "print(p.pid, flush=True); p.wait()"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        grandchild = int(child.stdout.readline())
        tree = descendants(child.pid)
        assert tree[:1] == [child.pid]
        assert grandchild in tree
        assert command_line(grandchild)[-1] == "grandchild"
        rss = status_number(grandchild)
        assert rss is not None and rss > 1000  # kB: an interpreter is megabytes
        assert status_number(grandchild, "Threads") == 1
    finally:
        for pid in descendants(child.pid)[::-1]:  # these two only: both started here
            os.kill(pid, signal.SIGTERM)
        child.wait(10)
    deadline = time.monotonic() + 10  # the signal reaches the grandchild in its own time
    while status_number(grandchild) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert status_number(grandchild) is None


def test_the_runner_hands_options_after_the_names_to_each_benchmark():
    assert runner.split(["app", "vision_live", "--minutes", "10"]) == (
        ["app", "vision_live"],
        ["--minutes", "10"],
    )
    assert runner.split([]) == ([], [])
    assert runner.split(["--minutes", "1"]) == ([], ["--minutes", "1"])
    assert runner.timeout([]) == 600
    assert runner.timeout(["--minutes", "10"]) == 1200
    assert runner.timeout(["--minutes", "ten"]) == 600
    assert runner.timeout(["--minutes"]) == 600


def test_memory_figures_of_the_app_benchmark():
    from tests.bench.bench_app import each_minute, slope_per_10min

    samples = [(0.0, 100.0), (30.0, 100.5), (60.0, 101.0), (90.0, 101.5), (125.0, 102.1)]
    assert each_minute(samples) == [100.0, 101.0, 102.1]
    assert abs(slope_per_10min(samples) - 10.0) < 0.2  # 1 MB a minute
    assert math.isnan(slope_per_10min([(0.0, 5.0)]))  # one sample: no slope
