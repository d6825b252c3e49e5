"""Loading and checking a project folder (README "Project format").

``check_project`` reads ``project.yaml`` and the files it includes, checks every section and
collects every problem instead of stopping at the first one: a plant engineer fixes a whole
list in one go. Each problem says ``file:line``, what is wrong and what would be right. Any
unexpected failure while reading becomes a problem too, never a traceback.

Addresses and protocol options are not checked here: the drivers know their syntax and are
asked through the ``validators`` callable that ``hmi check`` passes in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .derived import derived_order
from .models import Problem, Project, ProjectError, Section, Source
from .reader import LATER_SECTIONS, ProjectReader

__all__ = [
    "LATER_SECTIONS",
    "Section",
    "Validator",
    "check_project",
    "derived_order",
    "load_project",
]

Validator = Callable[[Project], list[Problem]]


def load_project(path: str | os.PathLike[str]) -> Project:
    """The project at ``path`` (folder or project.yaml); ``ProjectError`` lists every problem."""
    project, problems = check_project(path)
    if problems or project is None:
        raise ProjectError(problems)
    return project


def check_project(
    path: str | os.PathLike[str],
    validators: Validator | None = None,
    sections: Iterable[str] = (),
) -> tuple[Project | None, list[Problem]]:
    """Every problem of the project at ``path``, and the project as far as it could be built.

    The project is None only when ``project.yaml`` itself cannot be read. ``validators`` adds
    protocol-specific problems (addresses, device options); it sees only the tags and devices
    that passed the checks here. ``sections`` names further top-level sections to accept,
    besides ``LATER_SECTIONS``; they are kept in ``project.extra`` as ``Section`` objects.
    """
    reader = ProjectReader(sections)
    log = reader.log
    try:
        project = reader.read(Path(path))
    except Exception as error:
        log.unexpected(Source(str(path)), "the project", error)
        project = None
    if project is not None and validators is not None:
        try:
            log.problems.extend(validators(project))
        except Exception as error:
            log.unexpected(project.source, "the protocol checks", error)
    return project, log.sorted()
