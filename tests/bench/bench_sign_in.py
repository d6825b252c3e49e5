"""Sign-in to the first usable screen (target <= 300 ms, argon2id verify included).

Offscreen, a touch operator window over a real runtime (users, audit, engine, a memory
device) shows a screen with a setpoint and a command. Nobody is signed in, so both are
greyed. Each run opens the users views' sign-in dialog, touches the user's name, types the
PIN on its keypad, and is timed from the touch on "Sign in" until every write control on
the screen is enabled for that user (the write gate has re-enabled them), then signs out.

Measured in the same run: the core's sign-in alone (``Users.sign_in`` with the same PIN),
and the naive core sign-in of ``bench_users`` (read the user from the database, commit the
audit record and last sign-in with a sync to disk before returning).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

import tempfile
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from hmi.core.plugins import DriverRegistry
from hmi.core.project.models import DataType, DeviceConfig
from hmi.core.runtime import Runtime
from hmi.core.users import Method
from hmi.ui.bridge import TagBridge
from hmi.ui.shell import MainWindow, Profile
from hmi.ui.symbols.controls import WriteControl
from tests.bench.bench_users import naive_sign_in
from tests.bench.common import median, percentile, report
from tests.ui.conftest import MemoryDriver, dev_tag, make_project
from tests.ui.windows import write_screens

RUNS = 15
TOUCH = Profile("touch", True, 60, 20)
PIN = "4711"
USABLE_WITHIN_S = 5.0  # a run that takes longer is a failure, not a figure


def project():
    p = make_project(
        dev_tag("line1.temp", units="°C", eng_range=(0.0, 600.0)),
        dev_tag("line1.speed", units="mm/s", eng_range=(0.0, 25.0)),
        dev_tag("line1.speed_sp", units="mm/s", eng_range=(1.0, 25.0), writable=True),
        dev_tag("line1.running", data_type=DataType.BOOL),
        dev_tag("line1.count", data_type=DataType.UINT32),
        dev_tag("line1.cmd_start", data_type=DataType.BOOL, writable=True),
    )
    p.devices["plc"] = DeviceConfig("plc", "memory", line="line1")
    p.extra["users"] = {"auto_sign_out": {"touch": "5m"}}
    return p


def wait(app: QApplication, done, what: str) -> None:
    deadline = time.perf_counter() + USABLE_WITHIN_S
    for _ in range(100_000):
        if done():
            return
        if time.perf_counter() > deadline:
            break
        app.processEvents()
        time.sleep(0.0005)
    raise SystemExit(f"{what} did not happen within {USABLE_WITHIN_S} s")


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        proj = project()
        runtime = Runtime(proj, root / "data", registry=DriverRegistry({"memory": MemoryDriver}))
        runtime.start()
        try:
            ui, core, naive = measure(app, proj, runtime, root)
        finally:
            runtime.stop()
    report(
        "sign_in",
        sign_in_to_usable_ms=median(ui) * 1000,
        sign_in_to_usable_p90_ms=percentile(ui, 90) * 1000,
        core_sign_in_ms=median(core) * 1000,
        naive_core_sign_in_ms=median(naive) * 1000,
        core_ratio_naive_over_ours=median(naive) / median(core),
        runs=RUNS,
    )


def measure(app, proj, runtime, root: Path) -> tuple[list[float], list[float], list[float]]:
    users = runtime.services["users"]  # the real argon2id parameters
    users.add_user("op1", "operator", by=users.console or "", full_name="Olga Op", pin=PIN)
    bridge = TagBridge(runtime.live, rate_hz=20)
    window = MainWindow(
        proj,
        bridge,
        write_screens(root / "screens"),
        profile=TOUCH,
        writer=runtime,
        watch=False,
        services=runtime.services,
    )
    bridge.start()
    window.resize(1280, 800)
    window.start()
    window.show()
    window.go_to("line")
    views = window.view("users")
    assert views is not None
    controls = [s for s in window.host.current.symbols if isinstance(s, WriteControl)]
    assert len(controls) == 2, controls

    def usable() -> bool:
        return all(c.refused is None for c in controls)

    ui: list[float] = []
    try:
        for _ in range(RUNS):
            wait(app, lambda: not usable(), "greying the controls after sign-out")
            dialog = views.open_sign_in()
            QTest.mouseClick(dialog.user_buttons["op1"], Qt.MouseButton.LeftButton)
            assert dialog.keypad is not None
            for key in PIN:
                QTest.mouseClick(dialog.keypad.keys[key], Qt.MouseButton.LeftButton)
            start = time.perf_counter()
            QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            wait(app, usable, "enabling the controls after sign-in")
            ui.append(time.perf_counter() - start)
            users.sign_out()
        core: list[float] = []
        for _ in range(RUNS):
            start = time.perf_counter()
            users.sign_in("op1", PIN, method=Method.PIN, profile="touch")
            core.append(time.perf_counter() - start)
            users.sign_out()
        users.db.writer.flush(10)  # the naive way reads what the runs wrote
        path = users.db.writer.path
        naive = []
        for _ in range(RUNS):
            start = time.perf_counter()
            naive_sign_in(path, users.hasher, "op1", PIN)
            naive.append(time.perf_counter() - start)
    finally:
        window.close()
        bridge.stop()
    return ui, core, naive


if __name__ == "__main__":
    main()
