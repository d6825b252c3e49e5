"""Models added at the station beside those of the project's ``vision: models:``.

An added model is loaded before anything is copied (a broken file is refused with the
loader's message and leaves nothing behind), then its files — the ``.onnx``, weights kept
beside it, its sidecar or anomalib metadata, a ``samples/`` folder — are copied into
``<data_dir>/vision/models/<name>/`` (through a temporary folder, renamed when complete),
so the station keeps working when the original is taken away. The name and file are a
durable row of the store's ``vision_models`` table, read at start, so the model is there
after a restart and a camera may keep using it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..store import Writer, connect
from .model import ModelInfo, VisionModel
from .sidecar import sidecar_path

PROJECT, ADDED = "project", "added"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_SAMPLES = 5_000  # files of a samples/ folder copied with a model
COMMIT_S = 10.0  # longest wait for the store to commit an added model


@dataclass(frozen=True)
class ModelEntry:
    """A model the station knows: where it is, what it is (``info``; None and ``error``
    when it does not load), which cameras inspect with it now."""

    name: str
    path: Path
    origin: str  # "project" (vision: models:) | "added" (added at the station)
    info: ModelInfo | None
    error: str  # "" when it loads
    cameras: tuple[str, ...]
    added_by: str = ""
    added_ts: float = 0.0


@dataclass(frozen=True)
class Added:
    """A row of ``vision_models``."""

    name: str
    path: Path
    sha256: str
    added_by: str
    ts: float


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a model (it names a folder too), or None."""
    if not isinstance(name, str) or not NAME.match(name):
        return (
            f"model name {name!r} is not usable: letters, digits, '_', '-' and '.', "
            "starting with a letter or digit, at most 64"
        )
    return None


def model_files(path: Path) -> list[Path]:
    """The files that make the model at ``path``: the graph, external weights, the
    sidecar, anomalib 1's metadata."""
    files = [path]
    weights = path.with_name(path.name + ".data")
    if weights.is_file():
        files.append(weights)
    sidecar = sidecar_path(path)
    if sidecar is not None:
        files.append(sidecar)
    metadata = path.with_name("metadata.json")
    if metadata.is_file():
        files.append(metadata)
    return files


def read_added(store: str | Path) -> dict[str, Path]:
    """The added models in the store at ``store`` (none if it has none), read without
    writing: for the command line."""
    if not Path(store).is_file():
        return {}
    conn = connect(store, readonly=True)
    try:
        rows = conn.execute("SELECT name, file FROM vision_models ORDER BY ts").fetchall()
        return {name: Path(file) for name, file in rows}
    except sqlite3.OperationalError:  # no such table, or the cameras' table of before
        return {}
    finally:
        conn.close()


class ModelLibrary:
    """The added models: their rows in the store and their copies under ``folder``."""

    def __init__(self, writer: Writer, folder: Path):
        self.writer = writer
        self.folder = Path(folder)
        self.added: dict[str, Added] = {}

    def load(self) -> ModelLibrary:
        """Read the rows (the tables exist: ``VisionCounters.load`` made them)."""
        conn = connect(self.writer.path)
        try:
            rows = conn.execute(
                "SELECT name, file, sha256, added_by, ts FROM vision_models ORDER BY ts"
            ).fetchall()
        finally:
            conn.close()
        self.added = {
            name: Added(name, Path(file), sha256 or "", added_by or "", ts or 0.0)
            for name, file, sha256, added_by, ts in rows
        }
        return self

    def copy(self, source: Path, name: str) -> Path:
        """Copy the model's files into ``folder/<name>/``; the copied ``.onnx``.
        ``OSError`` when the disk refuses (nothing is left behind then)."""
        final = self.folder / name
        partial = self.folder / f".{name}.part"
        shutil.rmtree(partial, ignore_errors=True)
        try:
            partial.mkdir(parents=True)
            for file in model_files(source):
                shutil.copy2(file, partial / file.name)
            samples = source.parent / "samples"
            if samples.is_dir():
                files = [p for p in sorted(samples.glob("*/*")) if p.is_file()][:MAX_SAMPLES]
                for file in files:
                    target = partial / "samples" / file.parent.name / file.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(file, target)
            if final.exists():  # a copy no row names (a station stopped mid-way)
                shutil.rmtree(final)
            partial.replace(final)
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return final / source.name

    def remember(self, name: str, path: Path, model: VisionModel, user: str) -> Added:
        """The durable row of an added model (committed before this returns)."""
        added = Added(name, path, model.info.sha256, user, time.time())

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT OR REPLACE INTO vision_models (name, file, sha256, added_by, ts) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, str(path), added.sha256, user, added.ts),
            )

        committed = threading.Event()
        self.writer.submit(job, durable=True, on_commit=committed.set)
        if not committed.wait(COMMIT_S):
            why = self.writer.problem or f"not committed within {COMMIT_S:g} s"
            raise OSError(f"the store {self.writer.path} did not take model {name}: {why}")
        self.added[name] = added
        return added

    def discard(self, name: str) -> None:
        """Remove a copy no row was written for."""
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder / name)
