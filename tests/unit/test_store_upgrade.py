"""Upgrades keep the data: a store written by this release, with orders, alarms and audit
records made through a running station, is upgraded by a release with one more schema step
per component and keeps every row; a step that fails puts the store back as it was; a store
from a newer release, or no room for the copy, is refused with the store untouched."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hmi.core import store as store_module
from hmi.core.capability import default_capabilities
from hmi.core.checks import check_all
from hmi.core.logs import app_version
from hmi.core.orders import Order
from hmi.core.plugins import default_registry
from hmi.core.runtime import STORE_FILE, Runtime
from hmi.core.store import COPY_MARK, StoreError, connect, open_store

PROJECT = """\
project:
  name: Upgrade
  lines:
    line1: Line 1
devices:
  press:
    protocol: simulator
    model: press
    faults: false
tags:
  - {name: line1.state, device: press, address: state, type: uint16}
  - {name: line1.good, device: press, address: profile_count, type: uint32}
  - {name: line1.scrap, device: press, address: scrap_count, type: uint32}
  - {name: line1.ram_speed_sp, device: press, address: ram_speed_sp, writable: true,
     range: [1, 25]}
  - {name: line1.ram_pressure, device: press, address: ram_pressure}
alarms:
  - tag: line1.ram_pressure
    hi: -1000
orders:
  lines:
    line1:
      type: filling
      ideal_cycle: 1s
      counters: {good: line1.good, scrap: line1.scrap}
      state:
        tag: line1.state
        values: {0: idle, 1: idle, 2: running, 3: fault, 4: changeover}
"""
ORDERS = 3
META = ("schema_version", "store_meta")


def wait_until(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def count(db: Path, table: str) -> int:
    with connect(db, readonly=True) as conn:
        return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table but the schema's own bookkeeping."""
    with connect(db, readonly=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            for t in tables
            if t not in META and not t.startswith("sqlite_")
        }


def versions(db: Path) -> dict[str, int]:
    with connect(db, readonly=True) as conn:
        return dict(conn.execute("SELECT component, version FROM schema_version"))


def runtime(folder: Path, data: Path) -> Runtime:
    project, problems = check_all(str(folder))
    assert project is not None and not problems, problems
    return Runtime(project, data)


@pytest.fixture
def written(tmp_path) -> tuple[Path, Path]:
    """A project folder and its data folder, whose store this release wrote: orders, an
    alarm in the journal, a tag write in the audit trail."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "project.yaml").write_text(PROJECT, encoding="utf-8")
    data = tmp_path / "data"
    station = runtime(folder, data)
    station.start()
    try:
        orders = station.service("orders")
        for n in range(ORDERS):
            orders.create(Order(f"WO-{n}", "line1", 100 + n, product=FILLING), "os:tester")
        assert station.write("line1.ram_speed_sp", 12.0, "os:tester").result(10).ok
        db = data / STORE_FILE
        assert station.store is not None
        assert wait_until(lambda: station.store.flush(1) and count(db, "alarm_journal") > 0)
    finally:
        station.stop()
    assert count(db, "orders") == ORDERS and count(db, "audit") > 0
    return folder, data


FILLING = {"product": "Water", "bottle_size_l": 0.5}


@pytest.fixture
def extra_steps() -> Iterator[dict[str, list]]:
    """A release with one more schema step per component: each declared list grows by a
    step making a table of its own (the lists are the ones the capabilities migrate with,
    so their own ``migrate`` calls agree), the drivers' as the capabilities'; put back
    afterwards."""
    schemas = {**default_capabilities().schemas(), **default_registry().schemas()}
    assert "modbus_refused" in schemas  # a driver's own table
    added: dict[str, list] = {}
    saved: dict[str, list] = {}
    for component, steps in schemas.items():
        assert isinstance(steps, list)
        saved[component] = list(steps)
        steps.append(f"CREATE TABLE upgraded_{component} (note TEXT)")
        added[component] = steps
    yield added
    for component, steps in added.items():
        steps[:] = saved[component]


def test_an_upgrade_keeps_every_row_and_a_copy_from_before(written, extra_steps):
    folder, data = written
    db = data / STORE_FILE
    before, old = snapshot(db), versions(db)
    station = runtime(folder, data)
    station.start()  # the upgrade is done before any capability starts and writes
    try:
        copy = data / f"{STORE_FILE}{COPY_MARK}{app_version()}"
        assert station.opened is not None and station.opened.copy == copy
        assert station.opened.upgraded == {
            c: (v, v + 1) for c, v in old.items() if c in extra_steps
        }
        # the copy is the store as it was; its rows all opened again by this release
        assert versions(copy) == old and snapshot(copy) == before
        orders = station.service("orders").orders()
        assert sorted(o.number for o in orders) == [f"WO-{n}" for n in range(ORDERS)]
        assert station.service("audit").verify().ok
    finally:
        station.stop()
    after, now = snapshot(db), versions(db)
    for table in ("orders", "order_changes", "alarm_journal", "audit"):  # records only grow
        kept = set(after[table])
        assert all(row in kept for row in before[table]), f"{table} lost rows in the upgrade"
    for component, version in old.items():
        if component in extra_steps:
            assert now[component] == version + 1 == len(extra_steps[component]), component
            assert f"upgraded_{component}" in after
    with connect(db, readonly=True) as conn:
        meta = dict(conn.execute("SELECT key, value FROM store_meta"))
    assert meta["release"] == meta["upgraded_from"] == app_version()


def test_the_upgrade_itself_changes_no_row(written, extra_steps):
    db = written[1] / STORE_FILE
    before = snapshot(db)
    open_store(db, default_capabilities().schemas(), app_version())
    after = snapshot(db)
    assert {t: rows for t, rows in after.items() if not t.startswith("upgraded_")} == before


def test_a_failing_step_puts_the_store_back_and_this_release_still_opens_it(
    written, extra_steps, caplog
):
    folder, data = written
    db = data / STORE_FILE
    before, old = snapshot(db), versions(db)
    present = [c for c in extra_steps if c in old]
    third = present[2]

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("no such column: spindle")

    extra_steps[third][-1] = broken
    station = runtime(folder, data)
    with pytest.raises(StoreError) as refused:
        station.start()
    message = str(refused.value)
    step = old[third] + 1
    copy = data / f"{STORE_FILE}{COPY_MARK}{app_version()}"
    assert f"upgrading {third} failed at its schema step {step}" in message
    assert str(copy) in message and "no such column: spindle" in message
    assert third in caplog.text and str(copy) in caplog.text
    # the first two components had migrated: all of it is undone
    assert versions(db) == old and snapshot(db) == before
    assert station.store is None and not station.capabilities  # nothing started
    for steps in extra_steps.values():  # this release again
        steps.pop()
    again = runtime(folder, data)
    again.start()
    try:
        assert again.opened is not None and not again.opened.upgraded
        assert len(again.service("orders").orders()) == ORDERS
        assert again.service("audit").verify().ok
    finally:
        again.stop()
    after = snapshot(db)
    for table in ("orders", "order_changes", "alarm_journal", "audit"):
        assert set(before[table]) <= set(after[table]), table


def make_newer(folder: Path, data: Path, extra_steps: dict[str, list]) -> None:
    """The store as the next release leaves it; then this release's steps again."""
    station = runtime(folder, data)
    station.start()
    station.stop()
    for steps in extra_steps.values():
        steps.pop()


def test_a_store_from_a_newer_release_is_refused_and_not_a_byte_changes(written, extra_steps):
    folder, data = written
    make_newer(folder, data, extra_steps)
    db = data / STORE_FILE
    stored = versions(db)
    image = db.read_bytes()
    files = sorted(p.name for p in data.iterdir())
    station = runtime(folder, data)
    with pytest.raises(StoreError) as refused:
        station.start()
    message = str(refused.value)
    assert str(db) in message and "nothing in the store was changed" in message
    assert f"Install Linea HMI {app_version()} or newer" in message
    assert f"orders at schema version {stored['orders']}" in message
    assert f"this release knows up to {stored['orders'] - 1}" in message
    assert db.read_bytes() == image and sorted(p.name for p in data.iterdir()) == files
    assert station.store is None


def test_hmi_run_says_why_a_newer_store_is_refused_without_a_traceback(written, extra_steps):
    folder, data = written
    make_newer(folder, data, extra_steps)
    image = (data / STORE_FILE).read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "hmi",
            "run",
            str(folder),
            "--headless",
            "--seconds",
            "1",
            "--data-dir",
            str(data),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LINEA_HMI_HOME": str(data.parent / "home")},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"run: {data / STORE_FILE}: written by Linea HMI" in proc.stderr
    assert (data / STORE_FILE).read_bytes() == image


@pytest.mark.skipif(
    not (shutil.which("Xvfb") and shutil.which("xwininfo")), reason="needs Xvfb and x11-utils"
)
def test_a_kiosk_shows_why_a_newer_store_is_refused_and_a_stop_closes_it(
    written, extra_steps, tmp_path
):
    folder, data = written
    make_newer(folder, data, extra_steps)
    image = (data / STORE_FILE).read_bytes()
    number = 100 + os.getpid() % 400
    display = f":{number}"
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env |= {"DISPLAY": display, "LINEA_HMI_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-m", "hmi", "run", str(folder), "--profile", "touch"]
    hmi = None
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        hmi = subprocess.Popen(
            [*command, "--data-dir", str(data)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        shown = False
        deadline = time.monotonic() + 60
        while not shown and hmi.poll() is None and time.monotonic() < deadline:
            tree = subprocess.run(
                ["xwininfo", "-root", "-tree", "-display", display],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout
            shown = '"Linea HMI cannot start"' in tree
            time.sleep(0.2)
        assert shown, "no window said why the HMI did not start"
        assert hmi.poll() is None  # it waits for the operator
        hmi.send_signal(signal.SIGTERM)  # as the service stops
        _, err = hmi.communicate(timeout=20)
    finally:
        for proc in (hmi, xvfb):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(10)
    assert hmi.returncode == 1
    assert f"run: {data / STORE_FILE}: written by Linea HMI" in err and "Traceback" not in err
    assert (data / STORE_FILE).read_bytes() == image


@pytest.mark.parametrize("how", ["copy fails", "too little room"])
def test_a_full_disk_refuses_the_upgrade_with_the_store_untouched(
    written, extra_steps, monkeypatch, how
):
    folder, data = written
    db = data / STORE_FILE
    image = db.read_bytes()
    if how == "copy fails":

        def full(conn: sqlite3.Connection, dest: Path) -> None:
            dest.write_bytes(b"half a copy")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(store_module, "_copy", full)
    else:
        usage = store_module.shutil.disk_usage(data)
        room = usage._replace(free=1000)
        monkeypatch.setattr(store_module.shutil, "disk_usage", lambda _: room)
    station = runtime(folder, data)
    with pytest.raises(StoreError) as refused:
        station.start()
    message = str(refused.value)
    assert f"{db}: not upgraded" in message and "nothing in the store was changed" in message
    assert ("No space left on device" if how == "copy fails" else "0.0 MB free") in message
    assert db.read_bytes() == image
    assert not list(data.glob(f"*{COPY_MARK}*")), "a partial copy was left behind"


def test_the_newest_three_copies_are_kept(tmp_path):
    db = tmp_path / STORE_FILE
    steps: list = []
    for release in range(1, 7):
        steps.append(f"CREATE TABLE t{release} (x)")
        opened = open_store(db, {"demo": steps}, f"1.{release}")
        with contextlib.closing(connect(db)) as conn:
            store_module.migrate(conn, "demo", steps)  # the component makes itself
        if opened.copy is not None:  # in order, whatever the clock's resolution
            os.utime(opened.copy, (release, release))
    copies = sorted(p.name for p in tmp_path.glob(f"{STORE_FILE}{COPY_MARK}*"))
    assert copies == [f"{STORE_FILE}{COPY_MARK}1.{r}" for r in (3, 4, 5)]
    with connect(tmp_path / copies[-1], readonly=True) as conn:  # 1.5's store: five steps
        query = "SELECT version FROM schema_version WHERE component = 'demo'"
        assert conn.execute(query).fetchone()[0] == 5


def test_a_file_that_is_no_store_is_named_and_left_as_it_is(tmp_path):
    db = tmp_path / STORE_FILE
    db.write_bytes(b"a spreadsheet saved over the store" * 200)
    image = db.read_bytes()
    with pytest.raises(StoreError) as refused:
        open_store(db, default_capabilities().schemas(), app_version())
    assert str(refused.value).startswith(f"{db}: cannot be read as a Linea store")
    assert "nothing was changed" in str(refused.value) and db.read_bytes() == image
