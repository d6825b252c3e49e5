"""How the outputs of each kind of model read: pure numpy, no session, no frame.

- classification: ``[1, classes]`` (or ``[1, classes, 1, 1]``) probabilities or logits; a
  row that is not already a probability distribution gets a softmax (one value: a sigmoid);
- detection, the Ultralytics YOLOv8/YOLO11 raw layout: ``[1, 4 + classes, anchors]`` with
  cx, cy, w, h in input pixels and one score per class; confidence filter, then class-wise
  greedy NMS;
- detection_e2e, the NMS-free layout of YOLOv10/YOLO26 (and of ``nms=True`` exports):
  ``[1, max_det, 6]`` rows of x0, y0, x1, y1, score, class, best first;
- anomaly: anomalib's outputs (v2: ``pred_score``, ``pred_label``, ``anomaly_map``,
  ``pred_mask`` by name, already normalised by the exported post-processor; v1: one
  ``output``, a raw anomaly map or score, normalised with its ``metadata.json`` the way
  anomalib's inferencer does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

KINDS = ("classification", "detection", "detection_e2e", "anomaly")
ANOMALIB_V2_OUTPUTS = ("pred_score", "pred_label", "anomaly_map", "pred_mask")
MAX_CANDIDATES = 3000  # boxes kept for NMS, best first: bounds its cost on a noisy frame
MAX_DETECTIONS = 300  # as Ultralytics' max_det

Shape = tuple[int | str | None, ...]


class LayoutError(ValueError):
    """Outputs that do not read as the layout expected, with what they are."""


def shape_text(shape: Sequence[object]) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _known(dim: object) -> int | None:
    return dim if isinstance(dim, int) and dim > 0 else None


# -- which layout ------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """A model's layout as read from its outputs: the kind, the number of classes where the
    outputs fix it (None: dynamic) and, for anomalib v1, that metadata.json drives it."""

    kind: str
    classes: int | None = None
    anomalib: int = 0  # 1 or 2 for anomalib exports


def infer_layout(outputs: Sequence[tuple[str, Shape]], end2end: bool | None = None) -> Layout:
    """The layout the outputs (name, shape) match; ``end2end`` from the model's metadata
    settles a detection shape the numbers leave open. ``LayoutError`` says what matched
    nothing."""
    names = [name for name, _ in outputs]
    if any(name in ANOMALIB_V2_OUTPUTS for name in names):
        if "pred_score" not in names and "anomaly_map" not in names:
            raise LayoutError(
                "outputs named like anomalib's but with neither pred_score nor anomaly_map"
            )
        return Layout("anomaly", anomalib=2)
    if not outputs:
        raise LayoutError("the model has no outputs")
    name, shape = outputs[0]
    dims = [_known(d) for d in shape]
    if len(shape) == 3:
        a, b = dims[1], dims[2]
        # a small input makes anchors and 4 + classes equal ([1, 84, 84] at 64×64): the
        # metadata's end2end settles what the numbers cannot
        if end2end is False and a is not None and a >= 5:
            return Layout("detection", classes=a - 4)
        if end2end is True or (b == 6 and (a is None or a > 6)):
            if b is not None and b < 6:
                raise LayoutError(
                    f"output {name} {shape_text(shape)}: the end-to-end detection layout "
                    "needs 6 values per row (x0, y0, x1, y1, score, class)"
                )
            return Layout("detection_e2e")
        if a is not None and a >= 5 and (b is None or b >= a):
            return Layout("detection", classes=a - 4)
        raise LayoutError(
            f"output {name} {shape_text(shape)} matches no detection layout: expected "
            "[1, 4 + classes, anchors] (YOLOv8/YOLO11) or [1, detections, 6] (end-to-end)"
        )
    if len(shape) == 2 or (len(shape) == 4 and dims[2] == 1 and dims[3] == 1):
        return Layout("classification", classes=dims[1])
    shown = ", ".join(f"{n} {shape_text(s)}" for n, s in outputs)
    raise LayoutError(
        f"the outputs ({shown}) match no known layout: classification [1, classes], "
        "Ultralytics detection [1, 4 + classes, anchors] or [1, detections, 6], "
        "or anomalib (pred_score/anomaly_map, or one output with metadata.json beside)"
    )


# -- classification ----------------------------------------------------------------------


def is_distribution(row: np.ndarray, tolerance: float = 1e-3) -> bool:
    """True if the row already reads as probabilities: each in [0, 1], summing to 1."""
    return bool(np.all(row >= -tolerance) and np.all(row <= 1 + tolerance)) and bool(
        abs(float(row.sum()) - 1.0) <= tolerance
    )


def softmax(row: np.ndarray) -> np.ndarray:
    shifted = np.exp(row - row.max())
    return shifted / shifted.sum()


def class_probabilities(output: np.ndarray) -> np.ndarray:
    """One row of class probabilities from a classifier's output of batch one."""
    row = np.asarray(output, dtype=np.float64).reshape(-1)
    if row.size == 0:
        raise LayoutError("the classifier's output is empty")
    if not np.all(np.isfinite(row)):
        raise LayoutError("the classifier's output holds NaN or infinite values")
    if row.size == 1:
        value = float(row[0])
        return np.array([value if 0.0 <= value <= 1.0 else 1 / (1 + np.exp(-value))])
    return row if is_distribution(row) else softmax(row)


# -- detection ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Boxes:
    """Detections in the model's input pixels: (N, 4) x0, y0, x1, y1, scores, class ids."""

    xyxy: np.ndarray
    scores: np.ndarray
    classes: np.ndarray

    @classmethod
    def empty(cls) -> Boxes:
        return cls(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.scores)


def iou_one_to_many(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over union of one x0,y0,x1,y1 box with each of (N, 4) others."""
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def nms(xyxy: np.ndarray, scores: np.ndarray, classes: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by greedy class-wise NMS, best score first: a box is dropped when it
    overlaps a better box of its own class by more than ``iou``. Classes are kept apart by
    shifting each class's boxes beyond every other's, so one pass serves them all."""
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    span = float(np.abs(xyxy).max()) + 1.0
    shifted = xyxy + (classes.astype(np.float64) * 2 * span)[:, None]
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size and len(keep) < MAX_DETECTIONS:
        best = int(order[0])
        keep.append(best)
        rest = order[1:]
        order = rest[iou_one_to_many(shifted[best], shifted[rest]) <= iou]
    return np.asarray(keep, dtype=np.int64)


def decode_yolo(output: np.ndarray, classes: int, confidence: float, iou: float) -> Boxes:
    """Ultralytics YOLOv8/YOLO11 raw output ``[1, 4 + classes, anchors]`` -> boxes above
    ``confidence`` after class-wise NMS."""
    if output.ndim != 3 or output.shape[0] != 1 or output.shape[1] != 4 + classes:
        raise LayoutError(
            f"detection output {shape_text(output.shape)} is not [1, {4 + classes}, anchors]"
        )
    rows = output[0]
    class_scores = rows[4:]
    best = class_scores.argmax(axis=0)
    score = class_scores[best, np.arange(class_scores.shape[1])]
    chosen = np.flatnonzero(score >= confidence)
    if chosen.size == 0:
        return Boxes.empty()
    if chosen.size > MAX_CANDIDATES:
        chosen = chosen[np.argsort(-score[chosen])[:MAX_CANDIDATES]]
    cx, cy, w, h = (rows[i, chosen].astype(np.float64) for i in range(4))
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    scores = score[chosen].astype(np.float64)
    ids = best[chosen].astype(np.int64)
    keep = nms(xyxy, scores, ids, iou)
    return Boxes(xyxy[keep], scores[keep], ids[keep])


def decode_end2end(output: np.ndarray, classes: int, confidence: float) -> Boxes:
    """End-to-end ``[1, detections, 6]`` -> the rows above ``confidence``, no NMS. A class
    id outside the model's classes is refused: the labels do not match the model."""
    if output.ndim != 3 or output.shape[0] != 1 or output.shape[2] < 6:
        raise LayoutError(f"end-to-end output {shape_text(output.shape)} is not [1, N, 6]")
    rows = output[0].astype(np.float64)
    rows = rows[rows[:, 4] >= confidence]
    ids = np.rint(rows[:, 5]).astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= classes):
        raise LayoutError(
            f"the model reports class {int(ids.max() if ids.max() >= classes else ids.min())} "
            f"but has {classes} labels"
        )
    order = np.argsort(-rows[:, 4], kind="stable")[:MAX_DETECTIONS]
    return Boxes(rows[order, :4], rows[order, 4], ids[order])


# -- anomaly -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Anomaly:
    """An anomaly score (normalised: 0.5 at the model's own threshold where it has one) and
    the 2-D anomaly map over the model's input, if the model gives one."""

    score: float
    heat: np.ndarray | None


def _plane(values: np.ndarray | None) -> np.ndarray | None:
    if values is None or values.ndim < 2:
        return None
    plane = np.asarray(values, dtype=np.float32)
    while plane.ndim > 2:
        if plane.shape[0] != 1:
            raise LayoutError(f"anomaly map {shape_text(values.shape)} is not one map")
        plane = plane[0]
    return plane


def anomalib_v2(outputs: Mapping[str, np.ndarray]) -> Anomaly:
    """anomalib 2 export: ``pred_score`` (else the map's maximum) and ``anomaly_map``, both
    already normalised by the post-processor inside the graph."""
    heat = _plane(outputs.get("anomaly_map"))
    score_values = outputs.get("pred_score")
    if score_values is not None and np.asarray(score_values).size:
        score = float(np.asarray(score_values, dtype=np.float64).reshape(-1)[0])
    elif heat is not None:
        score = float(heat.max())
    else:
        raise LayoutError("the model gave neither pred_score nor anomaly_map")
    if not np.isfinite(score):
        raise LayoutError("the model's anomaly score is not a number")
    return Anomaly(score, heat)


@dataclass(frozen=True)
class AnomalibV1Metadata:
    """What anomalib 1's metadata.json says: thresholds and the min/max seen in validation,
    for the image score and for the anomaly map (None where it gave none)."""

    image_threshold: float | None
    pixel_threshold: float | None
    score_min: float | None
    score_max: float | None
    map_min: float | None
    map_max: float | None

    @property
    def normalises(self) -> bool:
        """anomalib normalises only when both the score's min and max were written."""
        return (
            self.score_min is not None
            and self.score_max is not None
            and self.image_threshold is not None
        )


def min_max_normalise(
    values: np.ndarray | float, threshold: float, low: float, high: float
) -> np.ndarray:
    """anomalib's min-max normalisation: the threshold lands on 0.5, the range spans 1,
    clipped to [0, 1]."""
    span = high - low
    if span == 0:
        span = 1.0
    return np.clip((np.asarray(values, dtype=np.float64) - threshold) / span + 0.5, 0.0, 1.0)


def anomalib_v1(output: np.ndarray, meta: AnomalibV1Metadata) -> Anomaly:
    """anomalib 1 export: one output, a raw anomaly map (score = its maximum) or a raw score
    (classification task), normalised as anomalib's inferencer does."""
    values = np.asarray(output)
    heat = _plane(values) if values.ndim >= 3 else None
    if heat is not None:
        raw_score = float(heat.max())
    elif values.size:
        raw_score = float(values.reshape(-1)[0])
    else:
        raise LayoutError("the model's output is empty")
    if not meta.normalises:
        return Anomaly(raw_score, heat)
    assert meta.image_threshold is not None and meta.score_min is not None
    assert meta.score_max is not None
    score = float(
        min_max_normalise(raw_score, meta.image_threshold, meta.score_min, meta.score_max)
    )
    if heat is not None and meta.map_min is not None and meta.map_max is not None:
        threshold = (
            meta.pixel_threshold if meta.pixel_threshold is not None else meta.image_threshold
        )
        heat = min_max_normalise(heat, threshold, meta.map_min, meta.map_max).astype(np.float32)
    return Anomaly(score, heat)
