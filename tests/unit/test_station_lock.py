"""One station per data folder: a second one, in this process or another, is refused with
who holds the folder, before it polls a PLC or writes a row; the first one's counts stay
its own. A holder killed with SIGKILL leaves nothing to clean up."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hmi.core.orders import Order
from hmi.core.runtime import STORE_FILE
from hmi.core.station_lock import LOCK_FILE, StationBusy, StationLock, busy_message

from .test_store_upgrade import FILLING, PROJECT, count, runtime


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "project.yaml").write_text(PROJECT, encoding="utf-8")
    return folder, tmp_path / "data"


def test_a_second_station_on_the_folder_is_refused_and_changes_nothing(folders):
    folder, data = folders
    first = runtime(folder, data)
    first.start()
    try:
        first.service("orders").create(Order("WO-1", "line1", 100, product=FILLING), "os:t")
        first.service("orders").start("WO-1", "os:t")
        second = runtime(folder, data)
        with pytest.raises(StationBusy) as refused:
            second.start()
        message = str(refused.value)
        assert message.startswith(f"another Linea HMI station runs on the data folder {data} (")
        assert f"process {os.getpid()}" in message and "counted twice" in message
        assert "--data-dir" in message
        assert second.store is None and not second.lock.held  # nothing opened, nothing held
        assert first.lock.held and first.service("orders").order("WO-1").state.value == "running"
    finally:
        first.stop()
    assert not first.lock.held
    again = runtime(folder, data)  # the folder is free once the first stopped
    again.start()
    try:
        assert again.service("orders").order("WO-1") is not None
    finally:
        again.stop()


HOLDER = """
import sys, time
from pathlib import Path
from hmi.core.station_lock import StationLock
lock = StationLock(Path(sys.argv[1])).acquire("hmi run plant --headless")
print("held", flush=True)
time.sleep(120)
"""


def test_a_holder_in_another_process_is_named_and_its_kill_frees_the_folder(folders):
    folder, data = folders
    data.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        station = runtime(folder, data)
        with pytest.raises(StationBusy) as refused:
            station.start()
        message = str(refused.value)
        assert f"(process {holder.pid}, 'hmi run plant --headless', since " in message
        assert not (data / STORE_FILE).exists()  # refused before the store was made
        holder.send_signal(signal.SIGKILL)  # a power cut, as far as the lock can tell
        holder.wait(10)
        station.start()  # nothing to clean up
        station.stop()
        assert count(data / STORE_FILE, "schema_version") > 0
    finally:
        holder.kill()
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()


def test_hmi_run_refuses_a_busy_folder_in_one_line(folders):
    folder, data = folders
    data.mkdir()
    lock = StationLock(data).acquire("hmi demo")
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "hmi", "run", str(folder), "--headless", "--seconds", "1",
             "--data-dir", str(data)],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "LINEA_HMI_HOME": str(data.parent / "home")},
        )  # fmt: skip
    finally:
        lock.release()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"run: another Linea HMI station runs on the data folder {data} (process " in (
        proc.stderr
    )
    assert "'hmi demo'" in proc.stderr
    assert (data / LOCK_FILE).read_text() == ""  # released: no holder named any more


def test_the_message_says_what_it_knows_of_the_holder():
    folder = Path("/srv/line1")
    since = time.mktime((2026, 12, 4, 6, 0, 0, 0, 0, -1))
    holder = {"pid": 4242, "host": "line-pc-7", "command": "hmi run plant", "since": since}
    text = json.dumps(holder)
    if socket.gethostname() == "line-pc-7":
        pytest.skip("this machine has the holder's name")
    message = busy_message(folder / LOCK_FILE, text)
    assert "(process 4242, on line-pc-7, 'hmi run plant', since 2026-12-04 06:00)" in message
    for unreadable in ("", "not json", "[1, 2]", '{"pid": null}'):
        message = busy_message(folder / LOCK_FILE, unreadable)
        assert message.startswith("another Linea HMI station runs on the data folder /srv/line1:")


def test_a_lock_it_cannot_open_is_said_plainly(tmp_path):
    from hmi.core.store import StoreError

    data = tmp_path / "data"
    (data / LOCK_FILE).mkdir(parents=True)  # in the way: anything that cannot be opened
    with pytest.raises(StoreError, match=r"station.lock: cannot be opened \(Is a directory\)"):
        StationLock(data).acquire()
