"""The application's folders: platformdirs' standard places, and the overrides."""

import os
import sys
import tempfile
from pathlib import Path, PureWindowsPath

import platformdirs.windows
import pytest
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from hmi.core.paths import AppPaths, app_paths, data_dir_for, install_root

XDG = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@pytest.fixture
def standard(monkeypatch):
    """No override in force: the standard places."""
    monkeypatch.delenv("LINEA_HMI_HOME", raising=False)
    monkeypatch.delenv("LINEA_HMI_DATA", raising=False)


def test_linux_honours_the_xdg_variables(standard, monkeypatch, tmp_path):
    for name in XDG:
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    paths = app_paths(Unix)
    assert paths == AppPaths(
        data=tmp_path / "xdg_data_home" / "linea-hmi",
        config=tmp_path / "xdg_config_home" / "linea-hmi",
        logs=tmp_path / "xdg_state_home" / "linea-hmi" / "log",
        cache=tmp_path / "xdg_cache_home" / "linea-hmi",
    )
    assert paths.log_file == tmp_path / "xdg_state_home" / "linea-hmi" / "log" / "linea-hmi.log"


@pytest.mark.skipif(sys.platform == "win32", reason="the home folder comes from HOME on POSIX")
def test_linux_defaults_are_under_the_home_folder_never_the_installation(
    standard, monkeypatch, tmp_path
):
    for name in XDG:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    paths = app_paths(Unix)
    assert paths.data == tmp_path / ".local" / "share" / "linea-hmi"
    assert paths.config == tmp_path / ".config" / "linea-hmi"
    assert paths.logs == tmp_path / ".local" / "state" / "linea-hmi" / "log"
    assert paths.cache == tmp_path / ".cache" / "linea-hmi"
    for folder in (paths.data, paths.config, paths.logs, paths.cache):
        assert not folder.is_relative_to(install_root())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's own layout")
def test_on_linux_the_platform_layout_is_the_xdg_one(standard, monkeypatch, tmp_path):
    for name in XDG:
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    assert app_paths() == app_paths(Unix)


def test_windows_layout_is_under_local_appdata(standard, monkeypatch):
    # platformdirs' Windows class, with the shell's known folders given instead of asked for
    known = {
        "CSIDL_LOCAL_APPDATA": r"C:\Users\op\AppData\Local",
        "CSIDL_APPDATA": r"C:\Users\op\AppData\Roaming",
    }
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", known.__getitem__)
    paths = app_paths(Windows)

    def win(path: Path) -> PureWindowsPath:
        return PureWindowsPath(str(path))  # either separator, as Windows reads it

    assert win(paths.data) == PureWindowsPath(r"C:\Users\op\AppData\Local\linea-hmi")
    assert win(paths.config) == PureWindowsPath(r"C:\Users\op\AppData\Local\linea-hmi")
    assert win(paths.logs) == PureWindowsPath(r"C:\Users\op\AppData\Local\linea-hmi\Logs")
    assert win(paths.cache) == PureWindowsPath(r"C:\Users\op\AppData\Local\linea-hmi\Cache")
    assert win(paths.log_file).name == "linea-hmi.log"


def test_linea_hmi_home_puts_every_folder_under_it(standard, monkeypatch, tmp_path):
    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path))
    for name in XDG:
        monkeypatch.setenv(name, str(tmp_path / "not-here"))
    assert app_paths() == AppPaths(
        tmp_path / "data", tmp_path / "config", tmp_path / "logs", tmp_path / "cache"
    )
    assert app_paths(Windows) == app_paths()  # the override is the same on every platform
    assert app_paths().log_file == tmp_path / "logs" / "linea-hmi.log"


def test_linea_hmi_data_moves_the_data_folder_alone(standard, monkeypatch, tmp_path):
    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LINEA_HMI_DATA", str(tmp_path / "state"))
    paths = app_paths()
    assert paths.data == tmp_path / "state"
    assert paths.logs == tmp_path / "home" / "logs"
    assert paths.config == tmp_path / "home" / "config"


def test_a_projects_data_folder_is_in_the_data_folder_by_its_name(standard, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert data_dir_for("Demo plant") == app_paths().data / "demo-plant"
    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "kiosk"))
    assert data_dir_for("Line 2 / Filler") == tmp_path / "kiosk" / "data" / "line-2-filler"
    monkeypatch.setenv("LINEA_HMI_DATA", str(tmp_path / "state"))
    assert data_dir_for("Demo plant") == tmp_path / "state" / "demo-plant"
    assert data_dir_for("***") == tmp_path / "state" / "project"


def test_the_test_session_keeps_its_folders_in_a_throw_away_one():
    home = Path(os.environ["LINEA_HMI_HOME"])
    assert home.is_relative_to(tempfile.gettempdir())
    assert app_paths() == AppPaths(home / "data", home / "config", home / "logs", home / "cache")
