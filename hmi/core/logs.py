"""Logging of the command line: stderr, and a rotating, size-bounded file a plant can keep.

The file (``linea-hmi.log`` in the logs folder, 5 MB × 5 by default) is optional: a logs
folder that cannot be created or written, at start or later (full disk), costs one warning
line on stderr and the program goes on logging to stderr only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import sys
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from logging.handlers import RotatingFileHandler
from pathlib import Path

from .paths import APP_NAME, AppPaths, app_paths, data_dir_for
from .plugins import DriverRegistry, default_registry
from .project.models import Project

log = logging.getLogger("hmi")

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5

_installed: list[logging.Handler] = []  # what setup_logging added to the root logger


class _FileHandler(RotatingFileHandler):
    """Stops writing at the first failure (full disk, folder gone) and says so once."""

    failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        self.failed = True
        _warn(f"cannot write the log file {self.baseFilename} ({sys.exc_info()[1]})")
        logging.getLogger().removeHandler(self)
        with contextlib.suppress(OSError):
            self.close()


class _OwnInfo(logging.Filter):
    """INFO from the application's own loggers; from libraries (asyncua's session
    chatter...) WARNING and above only."""

    OWN = ("hmi", "drivers", "__main__")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.name.split(".")[0] in self.OWN


def _warn(what: str) -> None:
    print(f"warning: {what}; logging to stderr only", file=sys.stderr, flush=True)


def setup_logging(
    *,
    verbose: bool = False,
    to_file: bool = True,
    paths: AppPaths | None = None,
    max_bytes: int = MAX_BYTES,
    backups: int = BACKUPS,
) -> Path | None:
    """Log to stderr (WARNING, DEBUG with ``verbose``) and, with ``to_file``, to the
    rotating log file (INFO without libraries' INFO, DEBUG with ``verbose``). Returns the
    log file, or None when logging goes to stderr only. Calling it again replaces the
    handlers an earlier call added, and no others."""
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(FORMAT)

    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.DEBUG if verbose else logging.WARNING)
    stderr.setFormatter(formatter)
    root.addHandler(stderr)
    _installed.append(stderr)

    log_file = None
    if to_file:
        log_file = (paths or app_paths()).log_file
        try:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            handler = _FileHandler(
                log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
            )
        except OSError as exc:
            _warn(f"cannot write the log file in {log_file.parent} ({exc})")
            log_file = None
        else:
            handler.setLevel(logging.DEBUG if verbose else logging.INFO)
            if not verbose:
                handler.addFilter(_OwnInfo())
            handler.setFormatter(formatter)
            root.addHandler(handler)
            _installed.append(handler)
    if verbose:
        root.setLevel(logging.DEBUG)
    else:
        root.setLevel(logging.INFO if log_file else logging.WARNING)
    return log_file


def app_version() -> str:
    """The installed distribution's version; the package's own where metadata is missing
    (a frozen build)."""
    try:
        return version(APP_NAME)
    except PackageNotFoundError:
        from hmi import __version__

        return __version__


def log_startup(
    project: Project,
    capabilities: Iterable[str],
    *,
    data_dir: Path | None = None,
    paths: AppPaths | None = None,
    registry: DriverRegistry | None = None,
) -> list[str]:
    """Log (INFO) what started, where, and with what; returns the lines logged."""
    paths = paths or app_paths()
    data_dir = data_dir or data_dir_for(project.name)
    registry = registry or default_registry()
    frozen = ", frozen" if getattr(sys, "frozen", False) else ""
    failed = "; ".join(f"{name} ({why})" for name, why in sorted(registry.errors.items()))
    lines = [
        f"Linea HMI {app_version()} started (pid {os.getpid()}{frozen})",
        f"Python {platform.python_version()} ({platform.python_implementation()}) "
        f"on {platform.platform()}, host {platform.node()}",
        f"project '{project.name}' in {project.root}, its data in {data_dir}",
        f"folders: data {paths.data}, config {paths.config}, logs {paths.logs}, "
        f"cache {paths.cache}",
        f"drivers: {', '.join(sorted(registry.drivers)) or 'none'}"
        + (f"; failed to load: {failed}" if failed else ""),
        f"capabilities: {', '.join(capabilities) or 'none'}",
    ]
    for line in lines:
        log.info("%s", line)
    return lines
