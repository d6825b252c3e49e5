"""``hmi --self-test``: does this installation work on this PC?

A plant engineer runs it after installing (and CI runs it on the built package): it
finds the shipped files, loads every built-in driver, capability and view, checks the
demo project, runs the shipped vision model once, opens and migrates a store, builds the
main window and draws it to a PNG. One line per step, ``ok`` or what failed; a missing
system library is named with the Debian package that brings it. Exit 0 when all pass.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from hmi.core.paths import app_paths, demo_project_dir, install_root

log = logging.getLogger("hmi.selftest")

SHIPPED = (
    "resources/demo/project.yaml",
    "resources/i18n/linea_it.qm",
    "resources/themes/isa101.qss",
    "resources/icons/linea-hmi.svg",
    "screens/overview.yaml",
    "models/surface/surface.onnx",
    "models/surface/surface.yaml",
)
SHIPPED_MODEL = "models/surface/surface.onnx"
LOG_NAME, PNG_NAME = "self-test.log", "self-test.png"
WINDOW_SIZE = (1280, 800)

# The shared libraries Qt and the vision need that a bare Debian may lack: soname prefix
# -> the Debian package that brings it
DEBIAN_PACKAGES = {
    "libxkbcommon-x11.so": "libxkbcommon-x11-0",
    "libxkbcommon.so": "libxkbcommon0",
    "libEGL.so": "libegl1",
    "libGLX.so": "libglx0",
    "libGL.so": "libgl1",
    "libOpenGL.so": "libopengl0",
    "libfontconfig.so": "libfontconfig1",
    "libfreetype.so": "libfreetype6",
    "libdbus-1.so": "libdbus-1-3",
    "libglib-2.0.so": "libglib2.0-0",
    "libgthread-2.0.so": "libglib2.0-0",
    "libX11-xcb.so": "libx11-xcb1",
    "libX11.so": "libx11-6",
    "libxcb-cursor.so": "libxcb-cursor0",
    "libxcb-icccm.so": "libxcb-icccm4",
    "libxcb-image.so": "libxcb-image0",
    "libxcb-keysyms.so": "libxcb-keysyms1",
    "libxcb-randr.so": "libxcb-randr0",
    "libxcb-render-util.so": "libxcb-render-util0",
    "libxcb-render.so": "libxcb-render0",
    "libxcb-shape.so": "libxcb-shape0",
    "libxcb-shm.so": "libxcb-shm0",
    "libxcb-sync.so": "libxcb-sync1",
    "libxcb-xfixes.so": "libxcb-xfixes0",
    "libxcb-xinerama.so": "libxcb-xinerama0",
    "libxcb-xinput.so": "libxcb-xinput0",
    "libxcb-xkb.so": "libxcb-xkb1",
    "libxcb.so": "libxcb1",
    "libwayland-client.so": "libwayland-client0",
    "libwayland-cursor.so": "libwayland-cursor0",
    "libwayland-egl.so": "libwayland-egl1",
    "libgomp.so": "libgomp1",
}
_MISSING_LIBRARY = re.compile(r"(lib[\w.+-]+\.so[\d.]*): cannot open shared object file")


class StepFailed(Exception):
    """A step did not pass; the message says what is missing or wrong."""


def missing_library(error: BaseException) -> str | None:
    """'libEGL.so.1 (Debian package libegl1)' when ``error`` is a library that could not
    be loaded, else None."""
    found = _MISSING_LIBRARY.search(str(error))
    if found is None:
        return None
    soname = found[1]
    package = next((p for prefix, p in DEBIAN_PACKAGES.items() if soname.startswith(prefix)), None)
    where = f"Debian package {package}" if package else f"apt-file search {soname} names it"
    return f"system library {soname} is missing ({where}; apt-get install it)"


def explain(error: BaseException) -> str:
    return missing_library(error) or f"{type(error).__name__}: {error}"


class Report:
    """Prints one line per step and keeps whether all passed."""

    def __init__(self, out: Callable[[str], None] = print):
        self.out = out
        self.failed: list[str] = []

    @contextmanager
    def step(self, name: str) -> Iterator[list[str]]:
        """Run a step; what it appends to the yielded list is its ``ok`` detail."""
        detail: list[str] = []
        started = time.monotonic()
        try:
            yield detail
        except Exception as error:
            self.failed.append(name)
            why = str(error) if isinstance(error, StepFailed) else explain(error)
            trace = not isinstance(error, StepFailed)  # an unforeseen error: its traceback
            log.error("self-test %s failed: %s", name, why, exc_info=trace)
            self._say(f"{name:<8} FAILED: {why}")
        else:
            took = f" ({time.monotonic() - started:.1f} s)"
            self._say(f"{name:<8} ok: {'; '.join(detail)}{took}")

    def _say(self, line: str) -> None:
        self.out(line)
        log.info("self-test %s", line)


def check_files(root: Path) -> str:
    missing = [str(root / name) for name in SHIPPED if not (root / name).is_file()]
    if missing:
        raise StepFailed("missing file(s): " + ", ".join(missing))
    return f"{len(SHIPPED)} shipped files in {root}"


def check_plugins() -> str:
    """Every built-in driver and capability loads, and the distribution's entry points are
    there (a bundle without them would miss plug-ins added after it was built)."""
    from hmi.core import capability, plugins

    drivers = plugins.default_registry()
    capabilities = capability.default_capabilities()
    problems = [f"driver {n}: {why}" for n, why in drivers.errors.items()]
    problems += [f"capability {n}: {why}" for n, why in capabilities.errors.items()]
    problems += [f"driver {n}: not found" for n in plugins.BUILTIN if n not in drivers.drivers]
    problems += [
        f"capability {n}: not found" for n in capability.BUILTIN if n not in capabilities.names
    ]
    if not list(entry_points(group=plugins.GROUP)):
        problems.append(f"no '{plugins.GROUP}' entry points: the package metadata is missing")
    if problems:
        raise StepFailed("; ".join(problems))
    found = f"drivers {', '.join(sorted(drivers.drivers))}"
    return f"{found}; capabilities {', '.join(capabilities.names)}"


def check_project(folder: Path) -> tuple[Any, str]:
    from hmi.core.checks import check_all

    project, problems = check_all(folder)
    if problems or project is None:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise StepFailed(f"{len(problems)} problem(s) in {folder}: {shown}{more}")
    return project, f"demo project '{project.name}', {len(project.tags)} tags"


def run_model(path: Path) -> str:
    """The shipped model once on a synthetic image of the size its input asks for."""
    import numpy as np
    import onnxruntime

    if not path.is_file():
        raise StepFailed(f"missing file {path}")
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    first = session.get_inputs()[0]
    shape = [d if isinstance(d, int) and d > 0 else 1 for d in first.shape]
    rows, cols = np.mgrid[0 : shape[-2], 0 : shape[-1]]
    surface = (0.5 + 0.1 * np.sin(cols / 7.0) + 0.02 * np.cos(rows / 3.0)).astype(np.float32)
    image = np.broadcast_to(surface, shape).astype(np.float32)
    started = time.perf_counter()
    outputs = session.run(None, {first.name: image})
    took = (time.perf_counter() - started) * 1000
    scores = np.asarray(outputs[0], dtype=np.float64).ravel()
    if scores.size == 0 or not np.all(np.isfinite(scores)):
        raise StepFailed(f"{path.name} gave no usable output on a synthetic image")
    return f"{path.name} on a {shape[-1]}x{shape[-2]} synthetic image in {took:.0f} ms"


def store_rows(path: Path) -> int:
    """Rows in every table of the store at ``path`` (0 when there is none yet)."""
    if not path.is_file():
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return sum(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
    finally:
        conn.close()


def schema_components(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT component, version FROM schema_version"))
    except sqlite3.Error as error:
        raise StepFailed(f"{path} has no schema versions ({error})") from error
    finally:
        conn.close()


def choose_platform() -> str:
    """The Qt platform: the one asked for, the display's, else offscreen."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        if os.environ.get("WAYLAND_DISPLAY"):
            os.environ["QT_QPA_PLATFORM"] = "wayland"
        elif os.environ.get("DISPLAY") or sys.platform in ("win32", "darwin"):
            return "native"
        else:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return os.environ.get("QT_QPA_PLATFORM", "native").split(":")[0]


def x_display_problem(display: str) -> str | None:
    """Why this user cannot open the X display ``display``, or None when it can: Qt ends
    the process when it cannot, so the self-test asks libxcb first."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError as error:
        return explain(error)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        failed = xcb.xcb_connection_has_error(connection)
    finally:
        xcb.xcb_disconnect(connection)
    if not failed:
        return None
    return (
        f"cannot open the X display {display} (DISPLAY): no X server there, or this user "
        "may not use it (XAUTHORITY); without DISPLAY the self-test draws offscreen"
    )


def check_qt(platform: str) -> str:
    """Qt's libraries, the platform plugin and the image formats load. A platform plugin
    Qt cannot load ends the process without a word, so it is loaded here first."""
    from PySide6 import QtGui, QtWidgets  # noqa: F401  (their libraries must load)
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    wanted = {"imageformats": ("qsvg", "qjpeg")}
    if sys.platform.startswith("linux"):
        wanted["platforms"] = ("qxcb" if platform == "native" else f"q{platform}",)
    for folder, names in wanted.items():
        for name in names:
            files = list((plugins / folder).glob(f"*{name}.*"))
            if not files:
                raise StepFailed(f"Qt plugin {folder}/{name} is missing from {plugins / folder}")
            if sys.platform.startswith("linux"):
                try:
                    ctypes.CDLL(str(files[0]))
                except OSError as error:
                    raise StepFailed(f"Qt plugin {files[0].name}: {explain(error)}") from error
    display = os.environ.get("DISPLAY", "")
    if sys.platform.startswith("linux") and platform in ("native", "xcb") and display:
        problem = x_display_problem(display)
        if problem:
            raise StepFailed(problem)
    return f"platform {platform}, plugins in {plugins}"


def check_views() -> str:
    from hmi.core.plugins import load_targets
    from hmi.ui import capability

    loaded, errors = load_targets(capability.GROUP, capability.BUILTIN, capability.CapabilityViews)
    problems = [f"{n}: {why}" for n, why in errors.items()]
    problems += [f"{n}: not found" for n in capability.BUILTIN if n not in loaded]
    if problems:
        raise StepFailed("views " + "; ".join(problems))
    return f"views {', '.join(sorted(loaded))}"


def draw_window(project: Any, runtime: Any, png: Path) -> str:
    from hmi.ui.app import build_window, dispose
    from hmi.ui.screenshot import compose, offscreen_app, save_png, settle

    app = offscreen_app() if os.environ.get("QT_QPA_PLATFORM") == "offscreen" else None
    if app is None:
        from hmi.ui.app import application

        app = application()
    window = build_window(project, runtime.live, runtime, watch=False)
    try:
        window.resize(*WINDOW_SIZE)
        window.start()
        window.show()
        settle(app, window, 0.5)
        image = compose(window)
        save_png(image, png)
    finally:
        window.bridge.stop()
        dispose(window)
        app.processEvents()
    if image.width() < 100 or image.height() < 100 or png.stat().st_size == 0:
        raise StepFailed(f"the window drew as {image.width()}x{image.height()} into {png}")
    return f"main window {image.width()}x{image.height()} drawn to {png}"


def run(out: Path, data_dir: Path | None, say: Callable[[str], None] = print) -> int:
    """Every step in order; a step that depends on a failed one is skipped and says so."""
    report = Report(say)
    root = install_root()
    project = runtime = None
    say(f"Linea HMI self-test of {root} (log: {out / LOG_NAME})")
    with report.step("files") as ok:
        ok.append(check_files(root))
    with report.step("plugins") as ok:
        ok.append(check_plugins())
    with report.step("project") as ok:
        project, detail = check_project(demo_project_dir())
        ok.append(detail)
    with report.step("vision") as ok:
        ok.append(run_model(root / SHIPPED_MODEL))
    with tempfile.TemporaryDirectory(prefix="linea-hmi-self-test-") as scratch:
        data = data_dir or Path(scratch)
        with report.step("store") as ok:
            if project is None:
                raise StepFailed("skipped: the demo project did not load")
            from hmi.core.runtime import STORE_FILE, Runtime
            from hmi.core.store import StoreError

            store = data / STORE_FILE
            before = store_rows(store)
            started = Runtime(project, data)
            try:
                started.start()
            except StoreError as error:  # a newer release's store, a failed upgrade
                raise StepFailed(str(error)) from error
            except Exception:
                if started.store is not None:  # what opened before the failure closes
                    started.store.stop()
                raise
            runtime = started
            runtime.store.flush()
            versions = schema_components(store)
            kept = f"kept from before with {before} rows" if before else "new"
            if started.opened is not None and started.opened.copy is not None:
                kept += f", upgraded (copy from before: {started.opened.copy})"
            ok.append(f"{store} {kept}; schema of {len(versions)} components")
        try:
            platform = choose_platform()
            with report.step("qt") as ok:
                ok.append(check_qt(platform))
            with report.step("views") as ok:
                ok.append(check_views())
            with report.step("window") as ok:
                if runtime is None or "qt" in report.failed:  # the store step failed, or Qt
                    raise StepFailed("skipped: the store or Qt did not start")
                ok.append(draw_window(project, runtime, out / PNG_NAME))
        finally:
            if runtime is not None:
                runtime.stop()
    with report.step("log") as ok:
        for handler in logging.getLogger().handlers:
            handler.flush()
        written = out / LOG_NAME
        if not written.is_file() or written.stat().st_size == 0:
            raise StepFailed(f"nothing was written to {written}")
        ok.append(f"{written}")
    if report.failed:
        say(f"self-test FAILED: {', '.join(report.failed)}")
        return 1
    say("self-test passed")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hmi --self-test",
        description="Check this installation: files, plug-ins, demo project, vision model, "
        "store, Qt and the main window. Exit 0 when every step passes.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder for self-test.log and self-test.png (default: the logs folder)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="open and migrate the demo project's store in this folder and keep it "
        "(default: a temporary one, removed afterwards)",
    )
    args = parser.parse_args(argv)
    out = (args.out or app_paths().logs).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(out / LOG_NAME, mode="w", encoding="utf-8")
    except OSError as error:
        print(f"self-test: cannot write in {out} ({error}); give another --out", file=sys.stderr)
        return 2
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    try:
        return run(out, args.data_dir, lambda line: print(line, flush=True))
    finally:
        root.removeHandler(handler)
        handler.close()
