"""The classical baseline the shipped model must beat: texture statistics after the brushing
is taken out.

Brushed metal is streaky along the extrusion direction, so a plain gradient threshold fires
on every good part. The baseline turns the image so the streaks run along x, subtracts a
long smoothing along them (streaks and lighting go, anything across the grain stays), and
measures five things a defect raises:

- ``spot``: the strongest small residual (pick-up, blisters);
- ``line``: the strongest residual averaged along a short line across the grain (scratches);
- ``energy``: the strongest local residual energy (rough or textured patches);
- ``shading``: the strongest mid-scale brightness change (dents, stains);
- ``row``: the strongest row of the turned image against its neighbours (die lines).

Each is turned into a z-score against good surfaces, and the image's score is the largest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

FEATURES = ("spot", "line", "energy", "shading", "row")
_LINE = 11  # pixels: the length of the line filters


def _line_kernels() -> list[np.ndarray]:
    """Averaging lines at angles from 20° to 160° off the grain (a scratch crosses it; the
    brushing's own grain runs along it), to raise a thin scratch above the pixel noise."""
    kernels = []
    for k in range(2, 17):
        theta = math.pi * k / 18
        kernel = np.zeros((_LINE, _LINE), np.float32)
        c = _LINE // 2
        dx, dy = math.cos(theta) * c, math.sin(theta) * c
        cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1.0, 1)
        kernels.append(kernel / kernel.sum())
    return kernels


_KERNELS = _line_kernels()


def _turn_to_grain(grey: np.ndarray) -> np.ndarray:
    """The image turned so its brushing runs along x (structure tensor orientation)."""
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    # the dominant gradient is across the streaks; the streaks run at right angles to it
    across = 0.5 * math.atan2(2 * jxy, jxx - jyy)
    streaks = math.degrees(across) + 90
    while streaks > 90:
        streaks -= 180
    while streaks < -90:
        streaks += 180
    h, w = grey.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), streaks, 1.0)
    return cv2.warpAffine(grey, turn, (w, h), borderMode=cv2.BORDER_REFLECT)


def features(grey_u8: np.ndarray) -> np.ndarray:
    """The five statistics of one grey image (uint8 or float, any size)."""
    grey = _turn_to_grain(grey_u8.astype(np.float32))
    h, w = grey.shape
    margin = max(2, h // 32)
    along = cv2.blur(grey, (max(9, w // 4) | 1, 1), borderType=cv2.BORDER_REFLECT)
    residual = cv2.GaussianBlur(grey - along, (0, 0), 1.0)
    inner = (slice(margin, h - margin), slice(margin, w - margin))
    r = residual[inner]
    noise = float(np.median(np.abs(r))) * 1.4826 + 1e-3
    spot = float(np.abs(r).max()) / noise
    line = max(float(np.abs(cv2.filter2D(residual, -1, k)[inner]).max()) for k in _KERNELS)
    line /= noise
    energy = float(cv2.blur(residual**2, (7, 7))[inner].max()) / noise**2
    smooth = cv2.GaussianBlur(grey, (0, 0), 3.0) - cv2.GaussianBlur(grey, (0, 0), 12.0)
    mid = smooth[inner]
    shading = float(np.abs(mid - np.median(mid)).max()) / (float(np.std(mid)) + 1e-3)
    rows = grey[margin : h - margin, w // 8 : w - w // 8].mean(axis=1)
    detail = rows - cv2.GaussianBlur(rows.reshape(-1, 1), (0, 0), 3.0).ravel()
    spread = float(np.median(np.abs(detail))) * 1.4826 + 1e-3
    row = float(np.abs(detail).max()) / spread
    return np.array([spot, line, energy, shading, row], np.float64)


@dataclass(frozen=True)
class Baseline:
    """Feature statistics of good surfaces and the threshold on the largest z-score."""

    mean: np.ndarray
    std: np.ndarray
    threshold: float

    @classmethod
    def fit(cls, greys: Sequence[np.ndarray], defect: np.ndarray) -> Baseline:
        """Learn the good surfaces' statistics and pick the threshold with the best F1."""
        f = np.array([features(g) for g in greys])
        good = f[~defect]
        mean, std = good.mean(axis=0), good.std(axis=0) + 1e-6
        scores = ((f - mean) / std).max(axis=1)
        best_f1, threshold = -1.0, 0.0
        for t in np.unique(scores):
            tp = np.sum((scores >= t) & defect)
            fp = np.sum((scores >= t) & ~defect)
            fn = np.sum((scores < t) & defect)
            f1 = 2 * tp / max(1, 2 * tp + fp + fn)
            if f1 > best_f1:
                best_f1, threshold = f1, float(t)
        return cls(mean, std, threshold)

    def scores(self, greys: Sequence[np.ndarray]) -> np.ndarray:
        """The largest z-score of each image: higher is more likely a defect."""
        f = np.array([features(g) for g in greys])
        return ((f - self.mean) / self.std).max(axis=1)
