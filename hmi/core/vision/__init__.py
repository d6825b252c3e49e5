"""Vision inspection without Qt: cameras, ONNX models, one decision per part, evidence.

- ``synthetic``: brushed-aluminium profile surfaces with defects, for training, evaluation
  and the demo's camera;
- ``preprocess``, ``layouts``, ``model``, ``sidecar``: an ONNX model, what it expects and how
  its outputs read (classification, Ultralytics detection, anomalib anomaly maps);
- ``cameras``: one grabber thread per camera keeping only the newest frame;
- ``trigger``: exactly one inspection per part (a PLC edge or a part entering the image);
- ``evidence``: defect images and good samples on disk, within a quota;
- ``config``: the ``vision:`` section; ``pipeline``: one decision per part per camera;
  ``counters``: the durable good/scrap/uninspected counters; ``service``: ``Vision``, the
  cameras at work; ``capability`` and ``console`` (``hmi vision ...``);
- what the views read through ``Vision``: ``live`` (a camera now), ``gallery`` (the
  evidence on disk, filtered), ``review`` (a supervisor confirms or overrules a decision,
  correcting the order), ``library`` (models added at the station), ``evaluation`` (a
  model's test run on labelled images).

The public names load on first use (OpenCV and onnxruntime take a while to import, and
every ``hmi`` command discovers the capability).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cameras import Camera, CameraStatus, Frame, SimulatedPress
    from .capability import HEALTH_TAG, MANAGE, VisionCapability, camera_tag
    from .config import CameraConfig, ModelConfig, VisionConfig, read_vision
    from .evaluation import TestRun
    from .evidence import EvidenceStatus, EvidenceWriter
    from .gallery import EvidenceItem
    from .library import ModelEntry
    from .live import LiveView
    from .model import Detection, Inference, ModelError, ModelInfo, VisionModel
    from .pipeline import Decision
    from .review import Review
    from .service import Vision, VisionError

_WHERE = {
    "Camera": "cameras",
    "CameraStatus": "cameras",
    "Frame": "cameras",
    "SimulatedPress": "cameras",
    "HEALTH_TAG": "capability",
    "MANAGE": "capability",
    "VisionCapability": "capability",
    "camera_tag": "capability",
    "CameraConfig": "config",
    "ModelConfig": "config",
    "VisionConfig": "config",
    "read_vision": "config",
    "TestRun": "evaluation",
    "EvidenceItem": "gallery",
    "ModelEntry": "library",
    "Review": "review",
    "EvidenceStatus": "evidence",
    "EvidenceWriter": "evidence",
    "LiveView": "live",
    "Detection": "model",
    "Inference": "model",
    "ModelError": "model",
    "ModelInfo": "model",
    "VisionModel": "model",
    "Decision": "pipeline",
    "Vision": "service",
    "VisionError": "service",
}
__all__ = [
    "HEALTH_TAG",
    "MANAGE",
    "Camera",
    "CameraConfig",
    "CameraStatus",
    "Decision",
    "Detection",
    "EvidenceItem",
    "EvidenceStatus",
    "EvidenceWriter",
    "Frame",
    "Inference",
    "LiveView",
    "ModelConfig",
    "ModelEntry",
    "ModelError",
    "ModelInfo",
    "Review",
    "SimulatedPress",
    "TestRun",
    "Vision",
    "VisionCapability",
    "VisionConfig",
    "VisionError",
    "VisionModel",
    "camera_tag",
    "read_vision",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
