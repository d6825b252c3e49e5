"""Where things are: the shipped demo project and the per-project data folder."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding resources/ and screens/: the checkout, or a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle else Path(__file__).resolve().parents[2]


def demo_project_dir() -> Path:
    return install_root() / "resources" / "demo"


def data_dir_for(project_name: str) -> Path:
    """Local state (history, journal, certificates) of a project; LINEA_HMI_DATA overrides."""
    base = os.environ.get("LINEA_HMI_DATA")
    if base:
        root = Path(base)
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        root = Path(xdg) / "linea-hmi"
    slug = re.sub(r"[^a-z0-9]+", "-", project_name.lower()).strip("-") or "project"
    return root / slug
