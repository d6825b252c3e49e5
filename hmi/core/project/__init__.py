"""A plant project: a folder of YAML/CSV files, validated into typed models."""

from .derived import derived_order
from .durations import parse_duration
from .loader import check_project, load_project
from .models import (
    DataType,
    DeviceConfig,
    Problem,
    Project,
    ProjectError,
    Scaling,
    ScanClass,
    Section,
    Source,
    TagConfig,
)

__all__ = [
    "DataType",
    "DeviceConfig",
    "Problem",
    "Project",
    "ProjectError",
    "Scaling",
    "ScanClass",
    "Section",
    "Source",
    "TagConfig",
    "check_project",
    "derived_order",
    "load_project",
    "parse_duration",
]
