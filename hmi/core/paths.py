"""Where things are: the installation, the shipped demo project and the application's folders.

The application's own folders (data, configuration, logs, cache) are the platform's
standard places for ``linea-hmi`` (XDG on Linux, ``%LOCALAPPDATA%`` on Windows), given by
platformdirs. ``$LINEA_HMI_HOME`` puts all four under one folder (kiosks, portable
installs, tests); ``$LINEA_HMI_DATA`` moves the data folder alone. Nothing is ever written
into the installation folder.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from platformdirs.api import PlatformDirsABC

APP_NAME = "linea-hmi"
HOME_VARIABLE = "LINEA_HMI_HOME"  # data/, config/, logs/ and cache/ under one folder
DATA_VARIABLE = "LINEA_HMI_DATA"  # the data folder alone; wins over LINEA_HMI_HOME
INSTALL_VARIABLE = "LINEA_HMI_INSTALL"  # the shipped files (resources/, screens/, models/)
LOG_FILE = "linea-hmi.log"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The application's folders; nothing here is created until something is written."""

    data: Path  # one folder per project: its store, its OPC UA client certificates
    config: Path
    logs: Path
    cache: Path

    @property
    def log_file(self) -> Path:
        return self.logs / LOG_FILE


def app_paths(system: type[PlatformDirsABC] | None = None) -> AppPaths:
    """The folders in force now, overrides included; ``system`` is platformdirs' class for
    another platform (by default this one's)."""
    home = os.environ.get(HOME_VARIABLE)
    if home:
        root = Path(home).expanduser()
        paths = AppPaths(root / "data", root / "config", root / "logs", root / "cache")
    else:
        dirs = (system or platformdirs.PlatformDirs)(APP_NAME, appauthor=False)
        paths = AppPaths(
            data=Path(dirs.user_data_dir),
            config=Path(dirs.user_config_dir),
            logs=Path(dirs.user_log_dir),
            cache=Path(dirs.user_cache_dir),
        )
    data = os.environ.get(DATA_VARIABLE)
    if data:
        paths = AppPaths(Path(data).expanduser(), paths.config, paths.logs, paths.cache)
    return paths


def install_root() -> Path:
    """The folder holding resources/, screens/ and models/: the checkout, a frozen
    bundle's, or ``$LINEA_HMI_INSTALL`` (a trimmed or relocated installation)."""
    moved = os.environ.get(INSTALL_VARIABLE)
    if moved:
        return Path(moved).expanduser()
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle else Path(__file__).resolve().parents[2]


def demo_project_dir() -> Path:
    return install_root() / "resources" / "demo"


def data_dir_for(project_name: str) -> Path:
    """Local state of a project (its store, its OPC UA client certificates under
    ``pki/<device>/``): one folder per project in the data folder."""
    slug = re.sub(r"[^a-z0-9]+", "-", project_name.lower()).strip("-") or "project"
    return app_paths().data / slug
