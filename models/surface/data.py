"""What the surface model sees: its labels and input, and the one way images become it.

Training, the evaluation and the baseline turn camera images into model input here, from
the same settings the sidecar publishes, so what is measured is what the runtime gets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from hmi.core.vision.synthetic import DEFECTS, GOOD

LABELS = (GOOD, *DEFECTS)
INPUT_SIZE = (128, 128)  # height, width
PREPROCESS: Mapping[str, Any] = {
    "size": list(INPUT_SIZE),
    "colour": "gray",
    "scale": 1 / 255,
    "mean": [0.5],
    "std": [0.25],
    "resize": "stretch",
    "layout": "nchw",
}


def grey_batch(
    images: Sequence[np.ndarray], settings: Mapping[str, Any] = PREPROCESS
) -> np.ndarray:
    """BGR uint8 images as one (N, 1, H, W) float32 batch: grey, resized, scaled, normalised."""
    if settings.get("colour") != "gray" or settings.get("layout", "nchw") != "nchw":
        raise ValueError(
            f"the surface model takes gray NCHW input, the settings say "
            f"{settings.get('colour')!r} {settings.get('layout')!r}"
        )
    h, w = (int(v) for v in settings["size"])
    scale = float(settings["scale"])
    mean, std = float(settings["mean"][0]), float(settings["std"][0])
    out = np.empty((len(images), 1, h, w), np.float32)
    for i, image in enumerate(images):
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        if grey.shape != (h, w):
            grey = cv2.resize(grey, (w, h), interpolation=cv2.INTER_AREA)
        out[i, 0] = (grey.astype(np.float32) * scale - mean) / std
    return out
