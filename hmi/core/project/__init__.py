"""A plant project: a folder of YAML/CSV files, validated into typed models."""

from .models import (
    DataType,
    DeviceConfig,
    Problem,
    Project,
    ProjectError,
    Scaling,
    ScanClass,
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
    "Source",
    "TagConfig",
]
