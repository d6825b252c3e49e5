"""``hmi --self-test`` from source, as a real process in a throw-away home: every step
passes on a whole installation, and a trimmed one names what is missing."""

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hmi.core import capability, plugins
from hmi.core.paths import install_root
from hmi.selftest import StepFailed, check_qt, missing_library

STEPS = ("files", "plugins", "project", "vision", "store", "qt", "views", "window", "log")


def self_test(home: Path, *args: str, **env: str | None) -> subprocess.CompletedProcess:
    """``hmi --self-test ARGS`` offscreen; ``env`` adds variables (None: leaves one out)."""
    environment = {**os.environ, "LINEA_HMI_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    for name in ("LINEA_HMI_DATA", "LINEA_HMI_INSTALL", "DISPLAY", "WAYLAND_DISPLAY"):
        environment.pop(name, None)
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-m", "hmi", "--self-test", *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=environment,
    )


def step_lines(stdout: str) -> dict[str, str]:
    """The step name -> the rest of its line."""
    found = {}
    for line in stdout.splitlines():
        name, _, rest = line.partition(" ")
        if name in STEPS:
            found[name] = rest.strip()
    return found


def test_every_step_passes_and_leaves_a_log_and_a_picture(tmp_path):
    out = tmp_path / "out"
    proc = self_test(tmp_path / "home", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = step_lines(proc.stdout)
    assert list(steps) == list(STEPS)
    assert all(line.startswith("ok:") for line in steps.values()), proc.stdout
    assert "self-test passed" in proc.stdout
    png = (out / "self-test.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    log = (out / "self-test.log").read_text()
    assert "self-test window" in log and "ok:" in log
    assert all(name in steps["plugins"] for name in [*plugins.BUILTIN, *capability.BUILTIN])
    # the store was made in a temporary folder, removed afterwards; the home stays clean
    assert not (tmp_path / "home" / "data").exists()


def test_a_store_in_a_given_folder_is_kept_and_reopened(tmp_path):
    data = tmp_path / "data"
    first = self_test(tmp_path / "home", "--out", str(tmp_path / "a"), "--data-dir", str(data))
    assert first.returncode == 0, first.stdout + first.stderr
    assert " new;" in step_lines(first.stdout)["store"]
    assert (data / "hmi.db").is_file()
    again = self_test(tmp_path / "home", "--out", str(tmp_path / "b"), "--data-dir", str(data))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "kept from before with" in step_lines(again.stdout)["store"]


def test_a_store_from_a_newer_release_is_named_and_left_as_it_is(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    store = data / "hmi.db"
    with contextlib.closing(sqlite3.connect(store)) as conn, conn:
        conn.execute("CREATE TABLE schema_version (component TEXT PRIMARY KEY, version INTEGER)")
        conn.execute("INSERT INTO schema_version VALUES ('orders', 99)")
        conn.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO store_meta VALUES ('release', '9.0.0')")
    image = store.read_bytes()
    proc = self_test(tmp_path / "home", "--out", str(tmp_path / "out"), "--data-dir", str(data))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    line = step_lines(proc.stdout)["store"]
    assert line.startswith(f"FAILED: {store}: written by Linea HMI 9.0.0"), line
    assert "orders at schema version 99" in line and "Install Linea HMI 9.0.0 or newer" in line
    assert "Traceback" not in proc.stdout + proc.stderr
    assert store.read_bytes() == image


def test_a_models_folder_pointed_elsewhere_is_named_and_the_rest_still_runs(tmp_path):
    trimmed = tmp_path / "install"
    trimmed.mkdir()
    for name in ("resources", "screens"):
        (trimmed / name).symlink_to(install_root() / name)
    (trimmed / "models").mkdir()  # empty: the shipped model is not there
    out = tmp_path / "out"
    proc = self_test(tmp_path / "home", "--out", str(out), LINEA_HMI_INSTALL=str(trimmed))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    steps = step_lines(proc.stdout)
    model = trimmed / "models" / "surface" / "surface.onnx"
    assert steps["files"].startswith("FAILED:") and str(model) in steps["files"]
    assert steps["vision"] == f"FAILED: missing file {model}"
    assert steps["project"].startswith("FAILED:") and "model 'surface'" in steps["project"]
    assert steps["plugins"].startswith("ok:")  # what does not need the file still passes
    assert steps["qt"].startswith("ok:")
    failed = proc.stdout.splitlines()[-1]
    assert failed.startswith("self-test FAILED: files, project, vision, store")
    assert steps["store"] == "FAILED: skipped: the demo project did not load"
    assert (out / "self-test.log").is_file()


def test_an_out_folder_that_is_a_file_is_refused_with_its_name(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    proc = self_test(tmp_path / "home", "--out", str(blocker))
    assert proc.returncode == 2
    assert f"cannot write in {blocker}" in proc.stderr


@pytest.mark.parametrize(
    ("error", "package"),
    [
        ("libEGL.so.1: cannot open shared object file: No such file or directory", "libegl1"),
        ("libxkbcommon.so.0: cannot open shared object file", "libxkbcommon0"),
        ("libxkbcommon-x11.so.0: cannot open shared object file", "libxkbcommon-x11-0"),
        ("libxcb-cursor.so.0: cannot open shared object file", "libxcb-cursor0"),
        ("libGL.so.1: cannot open shared object file", "libgl1"),
    ],
)
def test_a_missing_system_library_is_named_with_its_debian_package(error, package):
    said = missing_library(ImportError(error))
    assert said is not None
    assert f"Debian package {package};" in said
    assert error.split(":")[0] in said


def test_an_unknown_missing_library_says_how_to_find_its_package():
    said = missing_library(OSError("libfoo.so.3: cannot open shared object file"))
    assert said is not None and "apt-file search libfoo.so.3 names it" in said
    assert missing_library(ImportError("No module named 'yaml'")) is None


def plugins_in(monkeypatch, folder: Path) -> None:
    """Qt's plugins looked for in ``folder`` instead of the installation's."""
    from PySide6.QtCore import QLibraryInfo

    monkeypatch.setattr(QLibraryInfo, "path", lambda which: str(folder))


def test_a_missing_qt_plugin_is_named_with_its_folder(monkeypatch, tmp_path):
    plugins_in(monkeypatch, tmp_path)
    with pytest.raises(StepFailed) as failed:
        check_qt("offscreen")
    assert str(failed.value) == (
        f"Qt plugin imageformats/qsvg is missing from {tmp_path / 'imageformats'}"
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="loads ELF plugins")
def test_a_qt_plugin_that_cannot_load_is_named(monkeypatch, tmp_path):
    for folder, name in (("imageformats", "qsvg"), ("imageformats", "qjpeg")):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / f"lib{name}.so").write_bytes(b"not a library")
    plugins_in(monkeypatch, tmp_path)
    with pytest.raises(StepFailed, match=r"^Qt plugin libqsvg\.so: OSError: .*libqsvg\.so"):
        check_qt("offscreen")


def test_an_x_display_that_cannot_be_opened_is_said_and_nothing_crashes(tmp_path):
    out = str(tmp_path / "out")  # no X server on :93; Qt would take the display's platform
    proc = self_test(tmp_path / "home", "--out", out, DISPLAY=":93", QT_QPA_PLATFORM=None)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    steps = step_lines(proc.stdout)
    assert steps["qt"].startswith("FAILED: cannot open the X display :93 (DISPLAY)")
    assert steps["window"] == "FAILED: skipped: the store or Qt did not start"
    assert steps["store"].startswith("ok:") and steps["log"].startswith("ok:")


def test_a_store_that_cannot_open_is_named_and_the_window_is_skipped(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("a file where the data folder should be")
    proc = self_test(tmp_path / "home", "--out", str(tmp_path / "out"), "--data-dir", str(taken))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    steps = step_lines(proc.stdout)
    assert steps["store"].startswith("FAILED: FileExistsError") and str(taken) in steps["store"]
    assert steps["qt"].startswith("ok:")
    assert steps["window"] == "FAILED: skipped: the store or Qt did not start"
