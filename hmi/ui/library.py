"""The project's screens, loaded once and kept current for every window that shows them.

The screen folder is watched: an edited file is reloaded at once. A file with problems
keeps its last good screens, so what the operator sees never breaks; the problems are
announced (``reloaded``) for the windows to show.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from hmi.core.project.models import Problem, Project
from hmi.core.screens import Screens, load_screens

RELOAD_DELAY_MS = 250


class ScreenLibrary(QObject):
    reloaded = Signal(list)  # problems

    def __init__(
        self,
        project: Project,
        folder: str | Path | None,
        *,
        watch: bool = True,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.project = project
        self.folder = Path(folder) if folder is not None else None
        self.screens = Screens()
        self.problems: list[Problem] = []
        self._watcher: QFileSystemWatcher | None = None
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.timeout.connect(self.reload)
        if self.folder is not None:
            self.screens, self.problems = load_screens(self.folder, project)
            if watch:
                self._watch()

    def set_screens(self, screens: Screens, problems: list[Problem] | None = None) -> None:
        self.screens = screens
        self.problems = list(problems or [])
        self.reloaded.emit(self.problems)

    def _watch(self) -> None:
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._schedule_reload)
        self._watcher.fileChanged.connect(self._schedule_reload)
        self._rewatch()

    def _rewatch(self) -> None:
        """Editors often replace a file rather than write it: watch the folder and every file."""
        if self._watcher is None or self.folder is None or not self.folder.is_dir():
            return
        wanted = {str(self.folder)} | {
            str(p) for p in self.folder.iterdir() if p.suffix in (".yaml", ".yml")
        }
        watched = set(self._watcher.files()) | set(self._watcher.directories())
        missing = sorted(wanted - watched)
        if missing:
            self._watcher.addPaths(missing)

    def _schedule_reload(self, _path: str = "") -> None:
        self._reload_timer.start(RELOAD_DELAY_MS)

    def reload(self) -> None:
        """Load the folder again; a file with problems keeps its last good screens."""
        if self.folder is None:
            return
        self._rewatch()
        fresh, problems = load_screens(self.folder, self.project)
        bad_files = {p.source.file for p in problems}
        merged = Screens()
        for screen in fresh:
            old = self.screens.get(screen.name)
            files = {screen.source.file, *(v.source.file for v in screen.variants.values())}
            keep_old = bool(files & bad_files) and old is not None
            merged.by_name[screen.name] = old if keep_old else screen
        for old in self.screens:  # a file that no longer parses at all keeps its screens
            if old.name not in merged and old.source.file in bad_files:
                merged.by_name[old.name] = old
        self.screens = merged
        self.problems = problems
        self.reloaded.emit(problems)
