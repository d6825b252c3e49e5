"""The real application in a process of its own: what ``hmi run`` and ``hmi demo`` open."""

import json
import os
import subprocess
import sys

import pytest

from hmi.core.paths import install_root
from tests.ui.windows import write_screens


def probe(folder, profile: str, screen: str | None = None) -> dict:
    command = [sys.executable, "-m", "tests.ui.app_probe", str(folder), profile]
    done = subprocess.run(
        command + ([screen] if screen else []),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=install_root(),
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_desk_opens_the_screen_asked_for_in_a_normal_window(tmp_path):
    report = probe(write_screens(tmp_path), "desk", "line")
    assert report["screen"] == "line" and report["exit_code"] == 0
    assert not report["full_screen"] and not report["frameless"]


@pytest.mark.slow
def test_touch_is_a_frameless_full_screen_kiosk_the_window_system_cannot_close(tmp_path):
    report = probe(write_screens(tmp_path), "touch")
    assert report["screen"] == "top"  # the top of the hierarchy
    assert report["full_screen"] and report["frameless"] and report["close_refused"]
    assert report["exit_code"] == 0
