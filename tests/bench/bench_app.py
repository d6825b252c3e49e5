"""The whole application as an operator runs it: ``hmi demo`` with its UI, the simulated
plant, and the press camera inspecting every profile, measured from outside.

``hmi demo`` starts as a subprocess with a folder of its own (``LINEA_HMI_HOME``) and two
free ports, under ``xvfb-run`` where it is installed (a real X server draws the UI; its
CPU is reported apart) or else on Qt's offscreen platform. The simulated plant idles until
an order is started, so its retentive memory is written beforehand with both lines
free-running: the press cuts profiles from the start and the camera decides each one, as
on a line that runs without the HMI's orders. After the camera runs and ``--settle``
seconds pass, it is sampled every few seconds for ``--minutes`` minutes from /proc:

* CPU time of each process under the launched one, by role: the HMI process, its other
  children (a shift report being drawn), the simulated plant (``hmi sim``, which
  ``hmi demo`` starts as its child: another process, so it is measured apart), the X
  server; as a share of all the machine's cores (target: the HMI with its UI within 50 %);
* the HMI's resident memory at the start of sampling and at the end (target: growth
  within 20 MB over 10 minutes; the slope is given per 10 minutes for shorter runs), at
  each minute, its peak, its threads and open files;
* the camera's decisions in the window (good, scrap, uninspected) from the store, read by
  ``hmi vision cameras`` while it runs.

The camera's dropped frames are a live system tag only (``_sys.vision.press_cam.dropped``):
not stored and not readable from outside the HMI, so the line says so;
``bench_vision_live`` measures them. There is no naive way to run the whole application
to compare with; the machine's load average says what else competed for its cores.
Then the demo is stopped as Ctrl+C would (SIGINT), else SIGTERM, else killed.
Prints one JSON line.

    python -m tests.bench app --minutes 10
    python -m tests.bench.bench_app --minutes 2 --settle 30 --platform offscreen
    python -m tests.bench app --minutes 60 --program /opt/linea-hmi/hmi   # the installed one
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hmi.core.paths import demo_project_dir
from tests.bench.common import (
    command_line,
    cpu_seconds,
    descendants,
    report,
    status_number,
)

START_TIMEOUT = 120.0  # s for the HMI, the plant and the camera to run
SAMPLE_EVERY = 5.0
STOP_TIMEOUT = 20.0  # s for each way of stopping
READ_TIMEOUT = 60.0  # s for `hmi vision cameras`
CAMERA = "press_cam"
RUNNING_LINE = f"camera {CAMERA}: running"
SCREEN = "1920x1080x24"
HMI, CHILD, PLANT, XSERVER, WRAPPER = "hmi", "hmi_children", "plant", "xserver", "wrapper"
COUNTS = re.compile(r"(\d+) good, (\d+) scrap, (\d+) uninspected")


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not above 0")
    return value


def options(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m tests.bench.bench_app", description=__doc__)
    p.add_argument("--minutes", type=positive, default=2.0, help="sampling time (default 2)")
    p.add_argument("--settle", type=positive, default=30.0, help="s after the camera runs")
    p.add_argument(
        "--platform",
        choices=("auto", "xvfb", "offscreen"),
        default="auto",
        help="auto: xvfb-run where installed, else Qt's offscreen platform",
    )
    p.add_argument(
        "--program",
        help="an installed or bundled `hmi` to measure (default: this checkout's, from source)",
    )
    args = p.parse_args(argv)
    if args.program and not shutil.which(args.program):
        p.error(f"--program {args.program}: no such program")
    args.hmi = [args.program] if args.program else [sys.executable, "-m", "hmi"]
    if args.platform == "auto":
        args.platform = "xvfb" if shutil.which("xvfb-run") else "offscreen"
    elif args.platform == "xvfb" and not shutil.which("xvfb-run"):
        p.error("--platform xvfb: xvfb-run is not installed (apt-get install xvfb)")
    return args


def free_ports(n: int) -> list[int]:
    """``n`` ports of 127.0.0.1 nothing listens on now (held together so they differ)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def free_running_plant(home: Path, modbus_port: int, opcua_port: int) -> None:
    """The plant's retentive memory (what ``hmi sim`` keeps per pair of ports in the data
    folder) with both lines free-running, so the press produces without an order."""
    memory = {"press": {"free_run": True}, "filler": {"free_run": True}}
    path = home / "data" / f"simulated-plant-{modbus_port}-{opcua_port}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(memory), encoding="utf-8")


def environment(home: Path, platform: str) -> dict[str, str]:
    env = dict(os.environ, LINEA_HMI_HOME=str(home))
    env.pop("LINEA_HMI_DATA", None)
    env["QT_QPA_PLATFORM"] = "xcb" if platform == "xvfb" else "offscreen"
    if platform == "xvfb":
        env.pop("DISPLAY", None)  # xvfb-run gives its own
        env.pop("WAYLAND_DISPLAY", None)
    return env


def launch(hmi: list[str], home: Path, ports: list[int], platform: str) -> subprocess.Popen[bytes]:
    command = [*hmi, "demo"]
    command += ["--modbus-port", str(ports[0]), "--opcua-port", str(ports[1])]
    command += ["--mes-port", str(ports[2])]  # none fixed: a test or a demo may hold 8480
    if platform == "xvfb":
        command = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", *command]
    with open(home / "demo.out", "wb") as out, open(home / "demo.err", "wb") as err:
        return subprocess.Popen(
            command, env=environment(home, platform), stdout=out, stderr=err, cwd=home
        )


def role(pid: int) -> str:
    cmd = command_line(pid)
    words = {Path(word).name for word in cmd}  # an installed program runs by its path
    if cmd and Path(cmd[0]).name == "Xvfb":
        return XSERVER
    if any(Path(w).name == "xvfb-run" for w in cmd):
        return WRAPPER
    if "hmi" in words and "sim" in words:
        return PLANT
    if "hmi" in words and "demo" in words:
        return HMI
    return CHILD


class Tree:
    """The processes under the launched one, their roles and CPU seconds as sampled."""

    def __init__(self, top: int):
        self.top = top
        self.roles: dict[int, str] = {}
        self.names: dict[int, list[str]] = {}
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def scan(self) -> None:
        for pid in descendants(self.top):
            if pid not in self.roles:
                cmd = command_line(pid)
                if not cmd:
                    continue  # gone already, or a zombie
                self.roles[pid], self.names[pid] = role(pid), cmd
            seconds = cpu_seconds(pid)
            if seconds is not None:
                self.last[pid] = seconds

    def pid(self, wanted: str) -> int | None:
        return next((p for p, r in self.roles.items() if r == wanted and alive(p)), None)

    def open_window(self) -> None:
        self.scan()
        self.first = dict(self.last)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds since the window opened (a process started later: all of its own)."""
        out: dict[str, float] = {}
        for pid, seconds in self.last.items():
            r = self.roles[pid]
            out[r] = out.get(r, 0.0) + seconds - self.first.get(pid, 0.0)
        return out

    def alive(self) -> list[int]:
        """Processes seen that still run as what they were (a pid may be reused)."""
        return [p for p, cmd in self.names.items() if alive(p) and command_line(p) == cmd]


def alive(pid: int) -> bool:
    fields = Path(f"/proc/{pid}/stat")
    try:
        return fields.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def log_says(home: Path, text: str) -> bool:
    try:
        return text in (home / "logs" / "linea-hmi.log").read_text(errors="replace")
    except OSError:
        return False


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def camera_counts(hmi: list[str], home: Path, platform: str) -> dict[str, int] | None:
    """good, scrap and uninspected of the demo's camera, from its store."""
    command = [*hmi, "vision", "cameras", str(demo_project_dir())]
    try:
        done = subprocess.run(
            command,
            env=environment(home, platform),
            capture_output=True,
            text=True,
            timeout=READ_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        return None
    for line in done.stdout.splitlines():
        if line.startswith(f"{CAMERA}:") and (match := COUNTS.search(line)):
            good, scrap, uninspected = map(int, match.groups())
            return {"good": good, "scrap": scrap, "uninspected": uninspected}
    return None


def wait_running(proc: subprocess.Popen[bytes], tree: Tree, home: Path) -> str | None:
    """Why the demo did not get its HMI, plant and camera running in time, or None."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"hmi demo ended as it started (exit code {proc.returncode})"
        tree.scan()
        if tree.pid(HMI) and tree.pid(PLANT) and log_says(home, RUNNING_LINE):
            return None
        time.sleep(0.5)
    return f"the HMI, its plant and its camera were not all running within {START_TIMEOUT:g} s"


def stop(proc: subprocess.Popen[bytes], tree: Tree) -> tuple[str, float]:
    """Stop the demo as Ctrl+C does, else terminate it, else kill every process of it
    still running; how it ended and in how many seconds."""
    start = time.monotonic()
    hmi = tree.pid(HMI)
    for how in (signal.SIGINT, signal.SIGTERM):
        for pid in [hmi] if hmi else []:
            try:
                os.kill(pid, how)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and (proc.poll() is None or tree.alive()):
            time.sleep(0.2)
        if proc.poll() is not None and not tree.alive():
            return how.name, time.monotonic() - start
    for pid in tree.alive():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        proc.kill()
    proc.wait(STOP_TIMEOUT)
    return "SIGKILL", time.monotonic() - start


def slope_per_10min(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per 10 minutes."""
    if len(samples) < 2:
        return float("nan")
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mv = sum(v for _, v in samples) / n
    var = sum((t - mt) ** 2 for t, _ in samples)
    cov = sum((t - mt) * (v - mv) for t, v in samples)
    return cov / var * 600 if var else float("nan")


def each_minute(samples: list[tuple[float, float]]) -> list[float]:
    """The first (seconds, MB) sample of each minute, in MB: where memory grew."""
    out: list[float] = []
    for t, mb in samples:
        if t >= 60 * len(out):
            out.append(round(mb, 1))
    return out


def sample(tree: Tree, hmi: int, seconds: float) -> dict[str, Any]:
    """Sample the tree for ``seconds``; the HMI's memory over the window."""
    rss: list[tuple[float, float]] = []
    start = time.monotonic()
    deadline = start + seconds
    tree.open_window()
    first = {k: status_number(hmi, k) for k in ("VmRSS", "Threads")}
    fds = open_files(hmi)
    while True:
        now = time.monotonic()
        kb = status_number(hmi)
        if kb is None:
            break  # the HMI ended: what was sampled is reported
        rss.append((now - start, kb / 1024))
        if now >= deadline:
            break
        time.sleep(min(SAMPLE_EVERY, max(0.0, deadline - now)))
        tree.scan()
    tree.scan()
    wall = time.monotonic() - start
    return {
        "wall": wall,
        "rss": rss,
        "rss_start_kb": first["VmRSS"],
        "threads": (first["Threads"], status_number(hmi, "Threads")),
        "fds": (fds, open_files(hmi)),
        "peak_kb": status_number(hmi, "VmHWM"),
    }


def open_files(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def main(argv: Sequence[str]) -> int:
    args = options(argv)
    cores = os.cpu_count() or 1
    home = Path(tempfile.mkdtemp(prefix="linea-bench-app-"))
    ports = free_ports(3)
    free_running_plant(home, *ports[:2])
    figures: dict[str, Any] = {
        "platform": args.platform,
        "minutes": args.minutes,
        "settle_s": args.settle,
        "cores": cores,
        "cpu_unit": f"% of all {cores} cores",
        "plant": "separate process (hmi sim, child of hmi demo)",
        "program": args.program or "from source",
    }
    proc = launch(args.hmi, home, ports, args.platform)
    tree = Tree(proc.pid)
    try:
        problem = wait_running(proc, tree, home)
        if problem is None:
            time.sleep(args.settle)
            hmi = tree.pid(HMI)
            if hmi is None or proc.poll() is not None:
                problem = f"hmi demo ended while settling (exit code {proc.poll()})"
        if problem is not None:
            sys.stderr.write(f"{problem}; its output is in {home}\n{tail(home / 'demo.err')}\n")
            report("app", error=problem, **figures)
            return 1
        assert hmi is not None
        figures["load_avg_1min_start"] = round(os.getloadavg()[0], 2)
        before = camera_counts(args.hmi, home, args.platform)
        window = sample(tree, hmi, args.minutes * 60)
        figures["load_avg_1min_end"] = round(os.getloadavg()[0], 2)
        after = camera_counts(args.hmi, home, args.platform)
    finally:
        how, seconds = stop(proc, tree)
    cpu = tree.cpu_by_role()
    wall = window["wall"]

    def share(*roles: str) -> float:
        return 100 * sum(cpu.get(r, 0.0) for r in roles) / (wall * cores)

    figures |= {
        "sampled_s": round(wall, 1),
        "hmi_cpu_pct": share(HMI),
        "hmi_children_cpu_pct": share(CHILD),
        "xserver_cpu_pct": share(XSERVER) if args.platform == "xvfb" else None,
        "hmi_with_ui_cpu_pct": share(HMI, CHILD, XSERVER),
        "plant_cpu_pct": share(PLANT),
        "total_cpu_pct": share(HMI, CHILD, XSERVER, PLANT, WRAPPER),
        "target_hmi_with_ui_cpu_pct": 50,
    }
    rss = window["rss"]
    start_mb, end_mb = window["rss_start_kb"] / 1024, rss[-1][1]
    figures |= {
        "hmi_rss_start_mb": start_mb,
        "hmi_rss_end_mb": end_mb,
        "hmi_rss_growth_mb": end_mb - start_mb,
        "hmi_rss_max_mb": max(v for _, v in rss),
        "hmi_rss_peak_mb": (window["peak_kb"] or 0) / 1024,
        "hmi_rss_slope_mb_per_10min": slope_per_10min(rss),
        "hmi_rss_mb_each_minute": each_minute(rss),
        "target_rss_growth_mb_per_10min": 20,
        "hmi_threads_start_end": list(window["threads"]),
        "hmi_open_files_start_end": list(window["fds"]),
    }
    if before is not None and after is not None:
        made = {k: after[k] - before[k] for k in after}
        figures["decisions"] = sum(made.values())
        figures |= {f"decisions_{k}": v for k, v in made.items()}
        figures["decisions_per_min"] = sum(made.values()) / (wall / 60)
    else:
        figures["decisions"] = "not read: hmi vision cameras gave no counts"
    figures["dropped_frames"] = None
    figures["dropped_frames_note"] = (
        "a live system tag only (_sys.vision.press_cam.dropped); see bench_vision_live"
    )
    figures |= {"stopped_by": how, "stop_s": round(seconds, 1), "exit_code": proc.returncode}
    report("app", **figures)
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
