"""From a camera frame to the tensor a model expects, and from the model's pixels back.

A frame is checked and made 3-channel BGR first (grey and BGRA are converted, anything else
is refused with a clear reason), cut to the region of interest, then resized (stretched,
letterboxed as Ultralytics does, or resized and centre-cropped), put in the model's colour
order and scaled with one multiply-add per value. The geometry of that resize is kept as an
affine map, so boxes and anomaly maps found in the model's pixels land on the frame's.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

COLOURS = ("rgb", "bgr", "gray")
RESIZES = ("stretch", "letterbox", "crop")
LAYOUTS = ("nchw", "nhwc")
DTYPES = ("float32", "float16", "uint8")
PAD_VALUE = 114  # Ultralytics fills the letterbox border with this grey

Roi = tuple[int, int, int, int]  # x, y, width, height in frame pixels


class FrameError(ValueError):
    """A frame (or region of interest) that cannot be inspected, with the reason."""


@dataclass(frozen=True)
class Preprocess:
    """What a model expects: ``size`` is (height, width); a value fed is
    ``(pixel * scale - mean) / std`` per channel, in the model's channel order."""

    size: tuple[int, int]
    colour: str = "rgb"
    scale: float = 1 / 255
    mean: tuple[float, ...] = (0.0, 0.0, 0.0)
    std: tuple[float, ...] = (1.0, 1.0, 1.0)
    resize: str = "stretch"
    layout: str = "nchw"
    dtype: str = "float32"

    @property
    def channels(self) -> int:
        return 1 if self.colour == "gray" else 3


@dataclass(frozen=True)
class Geometry:
    """Where the model's input came from: ``input = (frame - roi origin) * scale + offset``
    per axis, for an ROI of ``roi_size`` (width, height) at ``roi_origin`` in the frame."""

    scale_x: float
    scale_y: float
    offset_x: float
    offset_y: float
    roi_origin: tuple[int, int]
    roi_size: tuple[int, int]

    def boxes_to_frame(self, boxes: np.ndarray) -> np.ndarray:
        """(N, 4) x0,y0,x1,y1 in input pixels -> frame pixels, clipped to the ROI."""
        out = np.empty_like(boxes, dtype=np.float64)
        width, height = self.roi_size
        out[:, [0, 2]] = ((boxes[:, [0, 2]] - self.offset_x) / self.scale_x).clip(0, width)
        out[:, [1, 3]] = ((boxes[:, [1, 3]] - self.offset_y) / self.scale_y).clip(0, height)
        out[:, [0, 2]] += self.roi_origin[0]
        out[:, [1, 3]] += self.roi_origin[1]
        return out

    def map_to_roi(self, heat: np.ndarray, input_size: tuple[int, int]) -> np.ndarray:
        """A 2-D map over the model's input (any resolution) resampled onto the ROI's pixels:
        the letterbox border or cropped margin is undone, not stretched in."""
        map_h, map_w = heat.shape
        in_h, in_w = input_size
        # map pixel -> input pixel -> ROI pixel, as one affine transform
        fx = in_w / map_w / self.scale_x
        fy = in_h / map_h / self.scale_y
        # pixel centres: ROI x + 0.5 = ((map x + 0.5) * in_w / map_w - offset) / scale
        tx = (0.5 * in_w / map_w - self.offset_x) / self.scale_x - 0.5
        ty = (0.5 * in_h / map_h - self.offset_y) / self.scale_y - 0.5
        matrix = np.array([[fx, 0.0, tx], [0.0, fy, ty]], dtype=np.float64)
        width, height = self.roi_size
        return cv2.warpAffine(
            heat.astype(np.float32, copy=False),
            matrix,
            (width, height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )


def as_bgr(frame: object) -> np.ndarray:
    """The frame as H×W×3 uint8 BGR: grey (H×W or H×W×1) and BGRA are converted; any other
    shape, an empty frame or a non-8-bit one is refused with what it is."""
    if not isinstance(frame, np.ndarray):
        raise FrameError(f"a frame must be an image array, got {type(frame).__name__}")
    if frame.size == 0:
        raise FrameError(f"the frame is empty (shape {tuple(frame.shape)})")
    if frame.dtype != np.uint8:
        raise FrameError(
            f"the frame has {frame.dtype} pixels; 8-bit images (uint8) are expected, "
            "set the camera to an 8-bit pixel format"
        )
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        return cv2.cvtColor(frame.reshape(frame.shape[:2]), cv2.COLOR_GRAY2BGR)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    channels = frame.shape[2] if frame.ndim == 3 else "no"
    raise FrameError(
        f"the frame has shape {tuple(frame.shape)} ({channels} channels); "
        "expected grey, BGR or BGRA"
    )


def crop_roi(frame: np.ndarray, roi: Roi | None) -> tuple[np.ndarray, tuple[int, int]]:
    """The ROI's pixels (a view, no copy) and its origin; an ROI that does not lie inside
    the frame is refused with both sizes."""
    if roi is None:
        return frame, (0, 0)
    try:
        x, y, w, h = (int(v) for v in roi)
    except (TypeError, ValueError):
        raise FrameError(
            f"the region of interest must be (x, y, width, height), got {roi!r}"
        ) from None
    height, width = frame.shape[:2]
    if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise FrameError(
            f"the region of interest x={x} y={y} {w}×{h} does not lie inside "
            f"the {width}×{height} frame"
        )
    return frame[y : y + h, x : x + w], (x, y)


def resize_geometry(
    width: int, height: int, size: tuple[int, int], mode: str
) -> tuple[tuple[int, int], float, float, int, int]:
    """(resized width, height), scale x, scale y and the left/top offset of the resized
    image in the input (negative: cropped) for an image of ``width``×``height``."""
    out_h, out_w = size
    if mode == "stretch":
        return (out_w, out_h), out_w / width, out_h / height, 0, 0
    ratio = (
        min(out_h / height, out_w / width)
        if mode == "letterbox"
        else max(out_h / height, out_w / width)
    )
    new_w = max(1, round(width * ratio))
    new_h = max(1, round(height * ratio))
    # split the border (or the margin cut off) evenly, the odd pixel on the right/bottom
    left = (out_w - new_w) // 2 if mode == "letterbox" else -((new_w - out_w) // 2)
    top = (out_h - new_h) // 2 if mode == "letterbox" else -((new_h - out_h) // 2)
    return (new_w, new_h), new_w / width, new_h / height, left, top


class Preparer:
    """Turns frames into input tensors for one model; the per-channel multiply-add is
    computed once here, not per frame."""

    def __init__(self, pre: Preprocess):
        self.pre = pre
        channels = pre.channels
        mean = np.resize(np.asarray(pre.mean, dtype=np.float32), channels)
        std = np.resize(np.asarray(pre.std, dtype=np.float32), channels)
        self._gain = (pre.scale / std).astype(np.float32)
        self._bias = (-mean / std).astype(np.float32)
        self._identity = bool(np.all(self._gain == 1) and np.all(self._bias == 0))

    def __call__(self, frame: object, roi: Roi | None = None) -> tuple[np.ndarray, Geometry]:
        """The input tensor (batch of one) and the geometry to map results back."""
        image, origin = crop_roi(as_bgr(frame), roi)
        height, width = image.shape[:2]
        pre = self.pre
        if pre.colour == "gray":  # one channel to resize instead of three
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        (new_w, new_h), sx, sy, left, top = resize_geometry(width, height, pre.size, pre.resize)
        interpolation = cv2.INTER_AREA if sx < 1 and sy < 1 else cv2.INTER_LINEAR
        resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
        out_h, out_w = pre.size
        if left > 0 or top > 0 or new_w < out_w or new_h < out_h:
            resized = cv2.copyMakeBorder(
                resized,
                top,
                out_h - new_h - top,
                left,
                out_w - new_w - left,
                cv2.BORDER_CONSTANT,
                value=(PAD_VALUE,) * 3,
            )
        elif left < 0 or top < 0:
            resized = resized[-top : -top + out_h, -left : -left + out_w]
        if pre.colour == "rgb":
            resized = cv2.cvtColor(resized, cv2.COLOR_BGR2RGB)
        elif pre.colour == "gray":
            resized = resized.reshape(out_h, out_w, 1)
        tensor = self._scaled(resized)
        if pre.layout == "nchw":
            tensor = tensor.transpose(2, 0, 1)
        tensor = np.ascontiguousarray(tensor[None])
        geometry = Geometry(sx, sy, float(left), float(top), origin, (width, height))
        return tensor, geometry

    def _scaled(self, image: np.ndarray) -> np.ndarray:
        if self.pre.dtype == "uint8":
            return image
        values = image.astype(np.float32)
        if not self._identity:
            values *= self._gain
            values += self._bias
        return values.astype(np.float16) if self.pre.dtype == "float16" else values
