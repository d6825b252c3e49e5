"""``hmi kiosk``: the files a kiosk is made of, written under a throw-away root (no user is
created there), undone by ``remove``; the start counter its service keeps."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hmi import kiosk
from hmi.core.paths import demo_project_dir


def hmi(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hmi", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def test_install_writes_a_restarting_service_an_autostart_and_the_record(tmp_path):
    (tmp_path / "etc" / "lightdm").mkdir(parents=True)  # LightDM is installed there
    proc = hmi("install", str(demo_project_dir()), "--user", "press1", "--root", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    home = tmp_path / "home" / "press1"
    service = (home / ".config/systemd/user/linea-hmi.service").read_text()
    assert "Restart=always" in service and "RestartSec=2" in service
    assert "StartLimitIntervalSec=0" in service  # never gives up restarting
    assert f"run {demo_project_dir().resolve()} --profile touch" in service
    assert "kiosk count" in service.split("ExecStartPre=")[1].splitlines()[0]
    assert f"LINEA_HMI_RESTARTS={home}/.local/state/linea-hmi/restarts.json" in service
    wants = home / ".config/systemd/user/graphical-session.target.wants/linea-hmi.service"
    assert wants.is_symlink()
    autostart = (home / ".config/autostart/linea-hmi.desktop").read_text()
    assert "kiosk session" in autostart
    record = (tmp_path / "etc/linea-hmi/kiosk.env").read_text()
    assert "KIOSK_USER=press1\n" in record and f"KIOSK_HOME={home}\n" in record
    lightdm = tmp_path / "etc/lightdm/lightdm.conf.d/50-linea-hmi-kiosk.conf"
    assert "autologin-user=press1" in lightdm.read_text()


def test_remove_takes_the_kiosk_away_and_keeps_the_users_data(tmp_path):
    assert hmi("install", str(demo_project_dir()), "--root", str(tmp_path)).returncode == 0
    data = tmp_path / "home/linea/.local/share/linea-hmi/demo-plant/hmi.db"
    data.parent.mkdir(parents=True)
    data.write_bytes(b"records")
    proc = hmi("remove", "--root", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "linea-hmi.service" in proc.stdout
    assert not (tmp_path / "home/linea/.config/systemd/user/linea-hmi.service").exists()
    assert not (tmp_path / "home/linea/.config/autostart/linea-hmi.desktop").exists()
    assert not (tmp_path / "etc/linea-hmi/kiosk.env").exists()
    assert data.read_bytes() == b"records"
    again = hmi("remove", "--root", str(tmp_path))
    assert again.returncode == 1
    record = tmp_path / "etc/linea-hmi/kiosk.env"
    assert f"no kiosk is set up here ({record} is missing)" in again.stderr


def test_install_refuses_a_project_with_problems_and_writes_nothing(tmp_path):
    project = tmp_path / "broken"
    project.mkdir()
    (project / "project.yaml").write_text("name: Broken\ndevices: [1, 2\n")
    proc = hmi("install", str(project), "--root", str(tmp_path / "root"))
    assert proc.returncode == 2
    assert "project.yaml:" in proc.stderr
    assert not (tmp_path / "root").exists()


def test_the_service_counts_its_starts_and_survives_a_damaged_counter(tmp_path):
    counter = tmp_path / "state" / "restarts.json"
    for expected in ("start 1", "start 2"):
        proc = hmi("count", LINEA_HMI_RESTARTS=str(counter))
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == expected
    assert json.loads(counter.read_text())["starts"] == 2
    counter.write_text("{not json")
    assert kiosk.count_start(counter) == 1  # counted again from one, never a crash


def test_the_session_turns_blanking_off_and_starts_the_service(monkeypatch, tmp_path):
    monkeypatch.setenv("DISPLAY", ":5")
    monkeypatch.setenv("PATH", str(tmp_path))
    for tool in ("xset", "gsettings"):
        (tmp_path / tool).write_text("#!/bin/sh\n")
        (tmp_path / tool).chmod(0o755)
    commands = kiosk.session(run=False)
    assert ["xset", "s", "off"] in commands and ["xset", "-dpms"] in commands
    assert ["gsettings", "set", "org.gnome.desktop.session", "idle-delay", "0"] in commands
    assert commands[-1] == ["systemctl", "--user", "restart", "linea-hmi.service"]
    assert commands[-2][:3] == ["systemctl", "--user", "import-environment"]


def test_systemd_words_with_spaces_are_quoted():
    assert kiosk._quoted("/srv/plant/line 1") == '"/srv/plant/line 1"'
    assert kiosk._quoted("/srv/100%") == '"/srv/100%%"'
    assert kiosk._quoted("/srv/plant") == "/srv/plant"
    assert Path(kiosk._quoted("/srv/plant")).name == "plant"


def test_installing_for_real_asks_for_root(monkeypatch):
    monkeypatch.setattr(kiosk.os, "geteuid", lambda: 1000)
    with pytest.raises(kiosk.KioskError, match="run it as root"):
        kiosk.install(demo_project_dir())
