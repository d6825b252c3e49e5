"""A plant adds a capability without editing Linea: installed beside it, found through the
``hmi.capabilities`` entry point, its section checked by ``hmi check``, its service started
and stopped by the runtime, its system tags published, its line in the live summary."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hmi.core.capability import discover_capabilities
from hmi.core.checks import check_all
from hmi.core.runtime import Runtime

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "capability_pkg"
ROOT = Path(__file__).resolve().parents[2]

PROJECT = """\
project:
  name: Edge plant
  lines: {{line1: Line 1}}
devices:
  press:
    protocol: simulator
    line: line1
    model: press
    seed: 3
    faults: false
    speed: 30
tags:
  - {{name: line1.puller_running, device: press, address: puller_running, type: bool, scan: fast}}
  - {{name: line1.running, device: press, address: running, type: bool, scan: fast}}
edges:
  - {edge}
"""


def write_project(folder: Path, edge: str = "line1.puller_running") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project.yaml").write_text(PROJECT.format(edge=edge), encoding="utf-8")
    return folder


def hmi(*args: str, with_package: bool, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    paths = [str(PACKAGE_DIR)] if with_package else []
    env["PYTHONPATH"] = os.pathsep.join([*paths, str(ROOT)])
    return subprocess.run(
        [sys.executable, "-m", "hmi", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.syspath_prepend(str(PACKAGE_DIR))
    return discover_capabilities()


def test_the_plants_capability_is_found_through_its_entry_point(registry):
    assert "edges" in registry.names and not registry.errors
    assert {"historian", "alarms"} <= set(registry.names)  # built-ins load the same way
    assert "edges" in registry.sections


def test_hmi_check_checks_the_new_section_at_its_line(tmp_path):
    folder = write_project(tmp_path / "p", edge="line1.puler_running")
    found = hmi("check", str(folder), with_package=True)
    assert found.returncode == 2
    line = PROJECT.splitlines().index("  - {edge}") + 1
    assert (
        f"project.yaml:{line}: edges: unknown tag 'line1.puler_running'; "
        "did you mean 'line1.puller_running'?"
    ) in found.stderr

    missing = hmi("check", str(folder), with_package=False)  # not installed: not known
    assert missing.returncode == 2 and "unknown section 'edges'" in missing.stderr

    fine = hmi("check", str(write_project(tmp_path / "q")), with_package=True)
    assert fine.returncode == 0, fine.stderr


def test_the_runtime_starts_it_publishes_its_tags_and_stops_it(registry, tmp_path):
    project, problems = check_all(write_project(tmp_path / "p"), capabilities=registry)
    assert problems == [] and project is not None
    runtime = Runtime(project, tmp_path / "data", capabilities=registry)
    runtime.start()
    try:
        names = [c.name for c in runtime.capabilities]
        assert {"edges", "historian", "alarms"} <= set(names)
        assert names.index("edges") > max(names.index("historian"), names.index("alarms"))
        seen = runtime.live.subscribe("observer", tags={"line1.puller_running"}, initial=True)
        deadline = time.monotonic() + 20
        rises, last = 0, None
        while time.monotonic() < deadline and rises < 2:  # count the edges ourselves
            for batch in seen.take():
                value = batch["line1.puller_running"]
                if value.good and value.value and last is False:
                    rises += 1
                last = bool(value.value) if value.good else last
            time.sleep(0.02)
        assert rises >= 2, "the simulated puller did not run twice in 20 s"
        total = runtime.engine.values["_sys.edges.total"].value
        assert total >= 2
        per_tag = runtime.engine.values["_sys.edges.line1.puller_running"].value
        assert per_tag == total
        assert runtime.service("edges").counts["line1.puller_running"] == total
    finally:
        runtime.stop()
    log = (tmp_path / "data" / "edges.log").read_text(encoding="utf-8").splitlines()
    assert log[0] == "started" and log[1].startswith("stopped at ") and len(log) == 2
    assert int(log[1].removeprefix("stopped at ")) >= total


def test_an_undeclared_system_tag_is_refused(registry, tmp_path):
    project, _ = check_all(write_project(tmp_path / "p"), capabilities=registry)
    runtime = Runtime(project, tmp_path / "data", capabilities=registry)
    runtime.start()
    try:
        edges = next(c for c in runtime.capabilities if c.name == "edges")
        with pytest.raises(ValueError, match="does not declare"):
            edges.context.publish_system({"_sys.alarms.flood": None})
    finally:
        runtime.stop()


def test_the_live_summary_carries_its_line(tmp_path):
    folder = write_project(tmp_path / "p")
    env_args = ("--headless", "--seconds", "2.5", "--every", "1", "--data-dir", str(tmp_path / "d"))
    run = hmi("run", str(folder), *env_args, with_package=True)
    assert run.returncode == 0, run.stderr
    assert "edges: " in run.stdout and " counted" in run.stdout
    assert "alarms: 0 listed" in run.stdout


def test_a_capability_that_fails_to_start_leaves_the_rest_running(registry, tmp_path):
    project, _ = check_all(write_project(tmp_path / "p"), capabilities=registry)
    from linea_edges import EdgeCounter

    class Broken(EdgeCounter):
        name = "broken"
        health_tag = "_sys.broken.health"
        system_tags = ("_sys.broken.*",)

        def start(self) -> None:
            raise OSError("camera folder is not writable")

    registry.capabilities.append(Broken)
    runtime = Runtime(project, tmp_path / "data", capabilities=registry)
    runtime.start()
    try:
        assert "broken" not in runtime.services and "edges" in runtime.services
        health = runtime.engine.values["_sys.broken.health"]
        assert not health.good and "camera folder is not writable" in health.reason
    finally:
        runtime.stop()
