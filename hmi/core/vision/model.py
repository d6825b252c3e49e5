"""An ONNX vision model loaded once and run on camera frames: one decision per call.

``VisionModel.load`` reads the file once (its SHA-256 goes with every result), opens one
onnxruntime session that every ``infer`` reuses, and works out what the model is and what
it expects: the sidecar ``<model>.yaml`` first, then the ONNX metadata (Ultralytics) or
anomalib's ``metadata.json``, then what the input and output shapes imply. Which source
gave each field is kept in ``ModelInfo.source`` and shown to the engineer, because a wrong
colour order or scale does not fail, it only decides badly.

The session is made for a CPU shared with the operator UI and the tag engine: few
intra-op threads (an argument), one inter-op thread, and no spinning, so an idle inference
thread sleeps instead of burning a core between frames.

Anything wrong with the file, its settings or a frame raises ``ModelError`` with a message
naming the file (and line) and what is wrong; nothing else escapes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from ..project.models import Problem
from ..project.problems import cannot_read
from .layouts import (
    AnomalibV1Metadata,
    Boxes,
    Layout,
    LayoutError,
    anomalib_v1,
    anomalib_v2,
    class_probabilities,
    decode_end2end,
    decode_yolo,
    infer_layout,
    shape_text,
)
from .preprocess import FrameError, Geometry, Preparer, Preprocess, Roi
from .sidecar import (
    MetadataError,
    Settings,
    anomalib_v1_settings,
    defect_problems,
    from_onnx_metadata,
    merged,
    read_anomalib_v1,
    read_sidecar,
    sidecar_path,
)

log = logging.getLogger(__name__)

GOOD_NAMES = frozenset({"good", "ok", "normal", "pass", "no_defect", "none", "background"})
DEFAULT_THRESHOLD = 0.5
DEFAULT_CONFIDENCE = 0.25  # Ultralytics' predict default
DEFAULT_IOU = 0.7  # Ultralytics' predict default
ANOMALIB_DEFAULT_SIZE = (256, 256)  # anomalib's default image size, for a dynamic input
MAX_THREADS = 64
INPUT_TYPES = {"tensor(float)": "float32", "tensor(float16)": "float16", "tensor(uint8)": "uint8"}
FIELDS = (
    "kind",
    "labels",
    "defect_classes",
    "threshold",
    "confidence",
    "iou",
    "size",
    "colour",
    "scale",
    "mean",
    "std",
    "resize",
    "layout",
    "dtype",
)


class ModelError(Exception):
    """A model that cannot be used, or a frame it cannot inspect; the message says which
    file (and line) and what is wrong."""


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int | str | None, ...]
    type: str

    def __str__(self) -> str:
        return f"{self.name} {shape_text(self.shape)} {self.type}"


@dataclass(frozen=True)
class ModelInfo:
    """What the model is and expects; ``source`` maps each field to ``sidecar``,
    ``metadata`` or ``inferred``; ``notes`` are what the engineer should check."""

    path: Path
    sha256: str
    kind: str
    labels: tuple[str, ...]
    defect_classes: frozenset[str]
    threshold: float
    preprocess: Preprocess
    source: Mapping[str, str]
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    confidence: float = DEFAULT_CONFIDENCE
    iou: float = DEFAULT_IOU
    anomalib: int = 0
    notes: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        """One line per setting with where it came from, for the engineer to check."""
        pre = self.preprocess

        def line(name: str, value: object) -> str:
            return f"{name}: {value} ({self.source.get(name, 'inferred')})"

        lines = [
            f"model: {self.path.name} sha256 {self.sha256[:16]}",
            line("kind", self.kind + (f" (anomalib {self.anomalib})" if self.anomalib else "")),
            line("labels", _listed(self.labels)),
            line("defect_classes", _listed(sorted(self.defect_classes)) or "none"),
            line("threshold", f"{self.threshold:g}"),
        ]
        if self.kind.startswith("detection"):
            lines += [line("confidence", f"{self.confidence:g}"), line("iou", f"{self.iou:g}")]
        lines += [
            line("size", f"{pre.size[1]}×{pre.size[0]} (width×height)"),
            line("colour", pre.colour),
            line("scale", f"{pre.scale:.6g}"),
            line("mean", ", ".join(f"{v:g}" for v in pre.mean[: pre.channels])),
            line("std", ", ".join(f"{v:g}" for v in pre.std[: pre.channels])),
            line("resize", pre.resize),
            line("layout", pre.layout),
            line("dtype", pre.dtype),
            "inputs: " + "; ".join(str(t) for t in self.inputs),
            "outputs: " + "; ".join(str(t) for t in self.outputs),
        ]
        return lines + [f"note: {note}" for note in self.notes]


def _listed(names: Sequence[str], shown: int = 12) -> str:
    """Names for a line of text: a thousand ImageNet classes are counted, not listed."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])}, ... ({len(names)} in all)"


@dataclass(frozen=True)
class Detection:
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in frame pixels
    label: str
    score: float


@dataclass(frozen=True)
class Inference:
    """One decision: ``score`` is the defect score (probability of a defect class, best
    defect box's score, or the normalised anomaly score), ``defect`` is ``score >=
    threshold``; ``anomaly_map`` covers the ROI pixel for pixel; ``ms`` the whole call."""

    score: float
    defect: bool
    label: str
    detections: tuple[Detection, ...] = ()
    anomaly_map: np.ndarray | None = field(default=None, compare=False)
    ms: float = 0.0


def session_options(threads: int) -> ort.SessionOptions:
    """Options for a CPU shared with the UI and the tag engine: ``threads`` intra-op
    threads, one inter-op thread, sequential execution and no spin-waiting."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    options.log_severity_level = 3  # errors only: the reasons reach the engineer as ModelError
    return options


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    message = text[0] if text else type(error).__name__
    return message if len(message) <= 200 else message[:197] + "..."


def _problems_text(problems: list[Problem]) -> str:
    return "; ".join(str(p) for p in problems)


class VisionModel:
    """One model, one onnxruntime session reused by every ``infer``."""

    def __init__(
        self,
        info: ModelInfo,
        session: ort.InferenceSession,
        anomalib_metadata: AnomalibV1Metadata | None = None,
    ):
        self.info = info
        self.session = session
        self.prepare = Preparer(info.preprocess)
        self._input = info.inputs[0].name
        self._output_names = [t.name for t in info.outputs]
        self._v1 = anomalib_metadata
        self._label_ids = {name: i for i, name in enumerate(info.labels)}
        self._defect_ids = np.array(
            sorted(self._label_ids[n] for n in info.defect_classes), dtype=np.int64
        )

    # -- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, *, threads: int = 1) -> VisionModel:
        """The model at ``path`` with its settings; ``ModelError`` says what is wrong."""
        path = Path(path)
        if not isinstance(threads, int) or not 1 <= threads <= MAX_THREADS:
            raise ModelError(f"{path.name}: threads must be a whole number from 1 to {MAX_THREADS}")
        try:
            content = path.read_bytes()
        except OSError as error:
            raise ModelError(f"{path}: {cannot_read('the model file', error)}") from None
        if not content:
            raise ModelError(f"{path}: the model file is empty")
        digest = hashlib.sha256(content)
        # weights kept beside the graph (torch's exporter writes <model>.onnx.data for large
        # or dynamo exports, anomalib 2 among them) are part of the model and of its hash;
        # onnxruntime finds them from the model's path, not from bytes
        weights = path.with_name(path.name + ".data")
        if weights.is_file():
            try:
                with weights.open("rb") as file:
                    hashlib.file_digest(file, lambda: digest)
            except OSError as error:
                raise ModelError(f"{weights}: {cannot_read('the weights', error)}") from None
        try:
            session = ort.InferenceSession(
                str(path) if weights.is_file() else content,
                sess_options=session_options(threads),
                providers=["CPUExecutionProvider"],
            )
        except Exception as error:  # onnxruntime raises its own types for every failure
            raise ModelError(
                f"{path}: not an ONNX model onnxruntime can run ({_first_line(error)})"
            ) from None
        info, v1 = _describe(path, digest.hexdigest(), session)
        log.info("vision model %s: %s", path.name, "; ".join(info.describe()[1:]))
        return cls(info, session, v1)

    # -- inference -----------------------------------------------------------------------

    def infer(self, frame_bgr: np.ndarray, roi: Roi | None = None) -> Inference:
        """The decision on one frame (BGR; grey and BGRA converted) within ``roi``
        (x, y, width, height); ``ModelError`` if the frame cannot be inspected."""
        start = time.perf_counter()
        try:
            tensor, geometry = self.prepare(frame_bgr, roi)
        except FrameError as error:
            raise ModelError(f"{self.info.path.name}: {error}") from None
        try:
            values = self.session.run(self._output_names, {self._input: tensor})
        except Exception as error:  # onnxruntime's own failure types
            raise ModelError(
                f"{self.info.path.name}: the model failed on this frame ({_first_line(error)})"
            ) from None
        outputs = dict(zip(self._output_names, values, strict=True))
        try:
            result = self._decide(outputs, geometry)
        except LayoutError as error:
            raise ModelError(f"{self.info.path.name}: {error}") from None
        ms = (time.perf_counter() - start) * 1000
        return Inference(
            result.score, result.defect, result.label, result.detections, result.anomaly_map, ms
        )

    def _decide(self, outputs: dict[str, np.ndarray], geometry: Geometry) -> Inference:
        info = self.info
        if info.kind == "classification":
            probs = class_probabilities(outputs[self._output_names[0]])
            if probs.size != len(info.labels):
                raise LayoutError(
                    f"the model gave {probs.size} class scores for {len(info.labels)} labels"
                )
            if probs.size == 1:
                score = float(probs[0])
                defect = score >= info.threshold
                return Inference(score, defect, info.labels[0] if defect else "good")
            score = float(probs[self._defect_ids].sum()) if self._defect_ids.size else 0.0
            label = info.labels[int(probs.argmax())]
            return Inference(score, score >= info.threshold, label)
        if info.kind in ("detection", "detection_e2e"):
            output = outputs[self._output_names[0]]
            boxes: Boxes
            if info.kind == "detection":
                boxes = decode_yolo(output, len(info.labels), info.confidence, info.iou)
            else:
                boxes = decode_end2end(output, len(info.labels), info.confidence)
            frame_boxes = geometry.boxes_to_frame(boxes.xyxy)
            detections = tuple(
                Detection(
                    (float(b[0]), float(b[1]), float(b[2]), float(b[3])),
                    info.labels[int(c)],
                    float(s),
                )
                for b, s, c in zip(frame_boxes, boxes.scores, boxes.classes, strict=True)
            )
            defects = [d for d in detections if d.label in info.defect_classes]
            best = max(defects, key=lambda d: d.score, default=None)
            score = best.score if best is not None else 0.0
            defect = best is not None and score >= info.threshold
            label = best.label if defect and best is not None else "good"
            return Inference(score, defect, label, detections)
        if info.anomalib == 2:
            anomaly = anomalib_v2(outputs)
        else:
            anomaly = anomalib_v1(outputs[self._output_names[0]], self._v1 or _NO_V1_METADATA)
        heat = None
        if anomaly.heat is not None:
            heat = geometry.map_to_roi(anomaly.heat, info.preprocess.size)
        defect = anomaly.score >= info.threshold
        return Inference(
            anomaly.score, defect, info.labels[1] if defect else info.labels[0], (), heat
        )


_NO_V1_METADATA = AnomalibV1Metadata(None, None, None, None, None, None)


# -- working out what a model is -----------------------------------------------------------


def _specs(args: list[Any]) -> tuple[TensorSpec, ...]:
    return tuple(
        TensorSpec(a.name, tuple(d if isinstance(d, int) else (d or None) for d in a.shape), a.type)
        for a in args
    )


def _describe(
    path: Path, sha256: str, session: ort.InferenceSession
) -> tuple[ModelInfo, AnomalibV1Metadata | None]:
    name = path.name
    inputs = _specs(session.get_inputs())
    outputs = _specs(session.get_outputs())
    if len(inputs) != 1:
        shown = "; ".join(str(t) for t in inputs)
        raise ModelError(f"{name}: a vision model takes one image input, this one takes {shown}")
    image = inputs[0]
    if len(image.shape) != 4:
        raise ModelError(
            f"{name}: input {image} is not an image batch [1, channels, height, width] "
            "or [1, height, width, channels]"
        )
    if image.type not in INPUT_TYPES:
        raise ModelError(
            f"{name}: input {image} has a type not supported: use float, float16 or uint8"
        )

    # the sources, best first
    layers: list[tuple[str, Settings]] = []
    sidecar_file = sidecar_path(path)
    if sidecar_file is not None:
        sidecar, problems = read_sidecar(sidecar_file, str(sidecar_file))
        if problems:
            raise ModelError(_problems_text(problems))
        layers.append(("sidecar", sidecar))
    else:
        sidecar = Settings()
    try:
        metadata = from_onnx_metadata(session.get_modelmeta().custom_metadata_map)
    except MetadataError as error:
        raise ModelError(f"{name}: {error}") from None
    layers.append(("metadata", metadata))

    given_kind = sidecar.kind or metadata.kind
    end2end = True if given_kind == "detection_e2e" else metadata.end2end
    if given_kind == "detection":
        end2end = False
    v1_file = path.with_name("metadata.json")
    v1: AnomalibV1Metadata | None = None
    named = [(t.name, t.shape) for t in outputs]
    try:
        layout = infer_layout(named, end2end)
    except LayoutError as error:
        if given_kind not in (None, "anomaly") or len(outputs) != 1:
            raise ModelError(f"{name}: {error}") from None
        if given_kind is None and not v1_file.is_file():
            raise ModelError(
                f"{name}: {error}; an anomalib 1 export needs its metadata.json beside it"
            ) from None
        layout = Layout("anomaly", anomalib=1)
    if layout.kind != "anomaly" and given_kind == "anomaly" and len(outputs) == 1:
        layout = Layout("anomaly", anomalib=1)
    if layout.kind == "anomaly" and layout.anomalib == 1 and v1_file.is_file():
        try:
            v1 = read_anomalib_v1(v1_file)
        except MetadataError as error:
            raise ModelError(f"{v1_file}: {error}") from None
        layers.append(("metadata", anomalib_v1_settings(v1, str(v1_file))))
    if given_kind is not None and given_kind != layout.kind:
        said = "the sidecar" if sidecar.kind else "the model's metadata"
        shown = "; ".join(str(t) for t in outputs)
        raise ModelError(
            f"{name}: {said} says kind {given_kind} but the outputs ({shown}) read as {layout.kind}"
        )
    settings, source = merged(*layers)
    notes: list[str] = []
    kind = layout.kind
    source["kind"] = source.get("kind", "inferred")

    labels = _labels(name, layout, settings, source, outputs, notes)
    defect_classes = _defect_classes(name, kind, labels, settings, source, notes, str(sidecar_file))
    threshold = _number(settings.threshold, DEFAULT_THRESHOLD, "threshold", source)
    if kind != "anomaly" and threshold > 1:
        where = settings.where.get("threshold", name)
        raise ModelError(f"{where}: threshold {threshold:g} is above 1; a {kind} score is 0 to 1")
    confidence = _number(settings.confidence, DEFAULT_CONFIDENCE, "confidence", source)
    iou = _number(settings.iou, DEFAULT_IOU, "iou", source)
    pre = _preprocess(name, image, kind, settings, source, notes)
    info = ModelInfo(
        path=path,
        sha256=sha256,
        kind=kind,
        labels=labels,
        defect_classes=defect_classes,
        threshold=threshold,
        preprocess=pre,
        source={key: source.get(key, "inferred") for key in FIELDS},
        inputs=inputs,
        outputs=outputs,
        confidence=confidence,
        iou=iou,
        anomalib=layout.anomalib,
        notes=tuple(notes),
    )
    return info, v1


def _number(value: float | None, default: float, key: str, source: dict[str, str]) -> float:
    if value is None:
        source[key] = "inferred"
        return default
    return value


def _labels(
    name: str,
    layout: Layout,
    settings: Settings,
    source: dict[str, str],
    outputs: tuple[TensorSpec, ...],
    notes: list[str],
) -> tuple[str, ...]:
    """The class names, checked against the number of classes the outputs give."""
    if layout.kind == "anomaly":
        if settings.labels is not None and len(settings.labels) != 2:
            where = settings.where.get("labels", name)
            raise ModelError(f"{where}: labels: an anomaly model has two, [good, defect]")
        return settings.labels or ("good", "defect")
    classes = layout.classes
    if settings.labels is not None:
        if classes is not None and len(settings.labels) != classes:
            names = _listed(settings.labels, 8)
            count = f"{len(settings.labels)} classes ({names})"
            if source.get("labels") == "sidecar":
                where = settings.where.get("labels", name)
                raise ModelError(
                    f"{where}: labels: {count} but output {outputs[0]} of {name} has {classes}"
                )
            raise ModelError(
                f"{name}: the model's metadata names {count} but output {outputs[0]} has {classes}"
            )
        return settings.labels
    if classes is None:
        raise ModelError(
            f"{name}: output {outputs[0]} does not say how many classes there are; "
            "write labels in the sidecar"
        )
    source["labels"] = "inferred"
    if layout.kind == "classification" and classes == 1:
        notes.append("one output value: read as the probability of a defect")
        return ("defect",)
    if layout.kind == "classification" and classes == 2:
        notes.append("two classes without names: read as good, defect")
        return ("good", "defect")
    return tuple(f"class{i}" for i in range(classes))


def _defect_classes(
    name: str,
    kind: str,
    labels: tuple[str, ...],
    settings: Settings,
    source: dict[str, str],
    notes: list[str],
    sidecar_file: str,
) -> frozenset[str]:
    if settings.defect_classes is not None:
        problems = defect_problems(settings, labels, sidecar_file)
        if problems:
            raise ModelError(_problems_text(problems))
        return settings.defect_classes
    source["defect_classes"] = "inferred"
    if kind == "anomaly":
        return frozenset({labels[1]})
    defects = frozenset(n for n in labels if n.lower() not in GOOD_NAMES)
    if kind == "classification" and len(labels) > 1 and defects == frozenset(labels):
        notes.append(f"no class is named good: every class but '{labels[0]}' counts as a defect")
        return frozenset(labels[1:])
    return defects


def _preprocess(
    name: str,
    image: TensorSpec,
    kind: str,
    settings: Settings,
    source: dict[str, str],
    notes: list[str],
) -> Preprocess:
    shape = image.shape
    dims = [d if isinstance(d, int) and d > 0 else None for d in shape]
    if settings.layout is not None:
        layout = settings.layout
    else:
        source["layout"] = "inferred"
        layout = "nhwc" if dims[3] in (1, 3) and dims[1] not in (1, 3) else "nchw"
    channels, height, width = (
        (dims[1], dims[2], dims[3]) if layout == "nchw" else (dims[3], dims[1], dims[2])
    )
    if channels not in (None, 1, 3):
        raise ModelError(
            f"{name}: input {image} has {channels} channels in the {layout} layout; "
            "a vision model takes 1 (grey) or 3 (colour)"
        )
    fixed = (height, width) if height is not None and width is not None else None
    if settings.size is not None:
        size = settings.size
        if fixed is not None and size != fixed:
            where = settings.where.get("size", name)
            raise ModelError(
                f"{name}: {where} gives input size {size[1]}×{size[0]} but input {image} "
                f"takes {fixed[1]}×{fixed[0]}"
            )
    elif fixed is not None:
        size = fixed
        source["size"] = "inferred"
    elif kind == "anomaly":
        size = ANOMALIB_DEFAULT_SIZE
        source["size"] = "inferred"
        notes.append("the input size is not fixed in the model: anomalib's default 256×256")
    else:
        raise ModelError(
            f"{name}: input {image} has no fixed size; give input: size in the sidecar"
        )
    if settings.colour is not None:
        colour = settings.colour
        if channels is not None and (colour == "gray") != (channels == 1):
            where = settings.where.get("colour", name)
            raise ModelError(
                f"{where}: colour {colour} does not fit input {image} with {channels} channels"
            )
    else:
        colour = "gray" if channels == 1 else "rgb"
        source["colour"] = "inferred"
        if colour == "rgb" and kind != "anomaly":  # anomalib reads every image as RGB
            notes.append(
                "colour order not given: RGB assumed; check it, a wrong order only decides badly"
            )
    dtype = INPUT_TYPES[image.type]
    source["dtype"] = "inferred"
    if dtype == "uint8":
        scale = 1.0
        mean: tuple[float, ...] = (0.0, 0.0, 0.0)
        std: tuple[float, ...] = (1.0, 1.0, 1.0)
        for key in ("scale", "mean", "std"):
            source[key] = "inferred"
    else:
        scale = _number(settings.scale, 1 / 255, "scale", source)
        mean = settings.mean if settings.mean is not None else (0.0, 0.0, 0.0)
        std = settings.std if settings.std is not None else (1.0, 1.0, 1.0)
        for key in ("mean", "std"):
            if getattr(settings, key) is None:
                source[key] = "inferred"
    if settings.resize is not None:
        resize = settings.resize
    else:
        resize = "letterbox" if kind.startswith("detection") else "stretch"
        source["resize"] = "inferred"
    return Preprocess(size, colour, scale, mean, std, resize, layout, dtype)
