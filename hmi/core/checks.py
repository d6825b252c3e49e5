"""Everything ``hmi check`` asks of a project: the loader's checks, then each driver's,
the enumerations', the screens' and each capability's (which know their own sections)."""

from __future__ import annotations

import os

from .capability import CapabilityRegistry, default_capabilities
from .enums import enum_problems
from .plugins import DriverRegistry, driver_problems
from .project.loader import check_project
from .project.models import Problem, Project
from .screens import load_screens, screens_folder


def project_problems(
    project: Project,
    drivers: DriverRegistry | None = None,
    capabilities: CapabilityRegistry | None = None,
) -> list[Problem]:
    """Beyond the loader's own checks: the drivers', the screen files' and the capabilities'."""
    capabilities = capabilities if capabilities is not None else default_capabilities()
    problems = driver_problems(project, drivers) + capabilities.problems(project)
    problems += enum_problems(project)
    folder = screens_folder(project)
    if folder.is_dir():
        problems += load_screens(folder, project)[1]
    return problems


def check_all(
    path: str | os.PathLike[str],
    drivers: DriverRegistry | None = None,
    capabilities: CapabilityRegistry | None = None,
) -> tuple[Project | None, list[Problem]]:
    """The project at ``path`` and every problem it has, with the sections of the
    installed capabilities known to the loader."""
    capabilities = capabilities if capabilities is not None else default_capabilities()
    return check_project(
        path,
        validators=lambda project: project_problems(project, drivers, capabilities),
        sections=capabilities.sections,
    )
