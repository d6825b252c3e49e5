"""What a model's own files say about it: the sidecar ``<model>.yaml`` a plant engineer
writes, the ONNX metadata an exporter embeds (Ultralytics: ``names``, ``imgsz``, ``stride``,
``task``, ``end2end``), and anomalib 1's ``metadata.json`` beside the model.

Each source gives a ``Settings`` with only what it knows (None elsewhere); the model merges
them sidecar first, then metadata, then what its shapes imply, and records which one each
field came from. A wrong sidecar value is a ``Problem`` at its line, the same wording as
every project file.

```yaml
kind: classification          # detection, detection_e2e, anomaly
labels: [good, scratch, dent]
defect_classes: [scratch, dent]
threshold: 0.5                # the defect decision
confidence: 0.25              # detection: boxes kept
iou: 0.7                      # detection: NMS overlap
input: {size: [224, 224], colour: rgb, scale: 1/255, mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225], resize: stretch, layout: nchw}
```
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..project.fields import Fields, as_number
from ..project.models import Problem, Source
from ..project.problems import cannot_read, read_yaml_source
from ..words import describe_value
from .layouts import KINDS, AnomalibV1Metadata
from .preprocess import COLOURS, LAYOUTS, RESIZES

TOP_KEYS = ("kind", "labels", "defect_classes", "threshold", "confidence", "iou", "input")
INPUT_KEYS = ("size", "colour", "color", "scale", "mean", "std", "resize", "layout")
ULTRALYTICS_TASKS = {"detect": "detection", "classify": "classification"}
MAX_SIZE = 8192  # pixels a side; a model input larger than this is a typo


@dataclass(frozen=True)
class Settings:
    """What one source says; None where it says nothing. ``where`` names the place of each
    given field (``file:line`` for the sidecar) for messages about it."""

    kind: str | None = None
    labels: tuple[str, ...] | None = None
    defect_classes: frozenset[str] | None = None
    threshold: float | None = None
    confidence: float | None = None
    iou: float | None = None
    size: tuple[int, int] | None = None
    colour: str | None = None
    scale: float | None = None
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    resize: str | None = None
    layout: str | None = None
    end2end: bool | None = None
    where: Mapping[str, str] = field(default_factory=dict)

    def given(self) -> dict[str, Any]:
        """The fields this source sets."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "where" and getattr(self, f.name) is not None
        }


# -- the sidecar -------------------------------------------------------------------------


def sidecar_path(model: Path) -> Path | None:
    """``model.yaml`` (or ``.yml``) beside ``model.onnx``, if there is one."""
    for suffix in (".yaml", ".yml"):
        candidate = model.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def _fraction(value: Any) -> float | None:
    """A positive number, or a fraction written as text: ``1/255``."""
    if isinstance(value, str) and "/" in value:
        top, _, bottom = value.partition("/")
        a, b = as_number(top), as_number(bottom)
        number = a / b if a is not None and b not in (None, 0) else None
    else:
        number = as_number(value)
    return number if number is not None and number > 0 and math.isfinite(number) else None


def _size(value: Any) -> tuple[int, int] | None:
    """``224`` or ``[height, width]``, whole pixels from 1 to MAX_SIZE."""
    items = value if isinstance(value, list | tuple) else [value, value]
    if len(items) != 2:
        return None
    numbers = [as_number(v) for v in items]
    if any(n is None or not n.is_integer() or not 1 <= n <= MAX_SIZE for n in numbers):
        return None
    return int(numbers[0]), int(numbers[1])  # type: ignore[arg-type]


def _channels(positive: bool) -> Callable[[Any], tuple[float, ...] | None]:
    """One number, or a list of 1 or 3 (one per channel, in the model's colour order)."""

    def convert(value: Any) -> tuple[float, ...] | None:
        items = value if isinstance(value, list | tuple) else [value]
        numbers = [as_number(v) for v in items]
        if len(numbers) not in (1, 3) or any(n is None for n in numbers):
            return None
        if positive and any(n is not None and n <= 0 for n in numbers):
            return None
        values = tuple(float(n) for n in numbers if n is not None)
        return values * 3 if len(values) == 1 else values

    return convert


def _names(value: Any) -> tuple[str, ...] | None:
    """A list of class names, or a mapping ``{0: name, 1: name}`` of consecutive ids."""
    if isinstance(value, Mapping):
        try:
            ids = sorted(int(k) for k in value)
        except (TypeError, ValueError):
            return None
        if ids != list(range(len(ids))):
            return None
        value = [value[k] if k in value else value[str(k)] for k in ids]
    if not isinstance(value, list | tuple) or not value:
        return None
    names = tuple(str(v).strip() for v in value)
    if any(not n for n in names) or len(set(names)) != len(names):
        return None
    return names


def _unit(value: Any) -> float | None:
    number = as_number(value)
    return number if number is not None and 0 <= number <= 1 else None


def read_sidecar(path: Path, file: str) -> tuple[Settings, list[Problem]]:
    """The sidecar's settings and every problem in it (``file`` names it in messages)."""
    problems: list[Problem] = []
    ok, data = read_yaml_source(path, file, problems.append)
    if not ok:
        return Settings(), problems
    if data is None:
        return Settings(), problems
    if not isinstance(data, Mapping):
        problems.append(
            Problem(Source(file, 1), "expected a mapping such as 'kind: classification'")
        )
        return Settings(), problems
    top = Fields(problems.append, data, file, 1, "")
    top.unknown_keys(TOP_KEYS, "sidecar fields")
    values: dict[str, Any] = {
        "kind": top.choice("kind", KINDS),
        "labels": top.converted("labels", _names, "a list of distinct class names"),
        "threshold": top.not_negative("threshold", "a number"),
        "confidence": top.converted("confidence", _unit, "a number from 0 to 1"),
        "iou": top.converted("iou", _unit, "a number from 0 to 1"),
    }
    defects = top.converted("defect_classes", _names, "a list of class names")
    values["defect_classes"] = frozenset(defects) if defects is not None else None
    where = {key: str(top.source(key)) for key in values if values[key] is not None}
    if top.get("input") is not None:
        entry = top.child("input", "{size: [224, 224], colour: rgb}")
        if entry is not None:
            entry.unknown_keys(INPUT_KEYS, "input fields")
            colour_key = (
                "color" if "color" in entry.data and "colour" not in entry.data else "colour"
            )
            given = {
                "size": entry.converted(
                    "size", _size, f"a size such as 224 or [224, 224] (1 to {MAX_SIZE})"
                ),
                "colour": entry.choice(colour_key, COLOURS),
                "scale": entry.converted("scale", _fraction, "a positive number such as 1/255"),
                "mean": entry.converted("mean", _channels(False), "a number or 3 numbers"),
                "std": entry.converted("std", _channels(True), "a positive number or 3 of them"),
                "resize": entry.choice("resize", RESIZES),
                "layout": entry.choice("layout", LAYOUTS),
            }
            for key, value in given.items():
                if value is not None:
                    values[key] = value
                    where[key] = str(entry.source(colour_key if key == "colour" else key))
    return Settings(**values, where=where), problems


def defect_problems(settings: Settings, labels: tuple[str, ...], file: str) -> list[Problem]:
    """Defect classes the sidecar names that are not among the model's labels."""
    if settings.defect_classes is None:
        return []
    unknown = sorted(settings.defect_classes - set(labels))
    if not unknown:
        return []
    where = settings.where.get("defect_classes", file)
    return [
        Problem(
            _source(where),
            f"defect_classes: {', '.join(unknown)} "
            f"{'is' if len(unknown) == 1 else 'are'} not among the labels ({', '.join(labels)})",
        )
    ]


def _source(where: str) -> Source:
    file, _, line = where.rpartition(":")
    return Source(file, int(line)) if file and line.isdigit() else Source(where)


# -- metadata embedded in the ONNX file --------------------------------------------------


class MetadataError(ValueError):
    """Metadata an exporter wrote that cannot be read, or that asks for what is not
    supported."""


def _literal(props: Mapping[str, str], key: str) -> Any:
    """A value Ultralytics wrote with ``str()`` of a Python object (a dict, list, bool)."""
    try:
        return ast.literal_eval(props[key])
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise MetadataError(
            f"the model's metadata '{key}' cannot be read: {props[key][:60]!r}"
        ) from None


def _decoded(props: Mapping[str, str], key: str) -> Any:
    """A value written as JSON, or as ``str()`` of a Python object."""
    try:
        return json.loads(props[key])
    except (ValueError, RecursionError):
        return _literal(props, key)


def _checked(key: str, value: Any, convert: Callable[[Any], Any], expected: str) -> Any:
    result = convert(value)
    if result is None:
        raise MetadataError(
            f"the model's metadata '{key}': expected {expected}, got {describe_value(value)}"
        )
    return result


def _sidecar_keys(props: Mapping[str, str]) -> dict[str, Any]:
    """The sidecar's own fields written into the ONNX metadata (``kind``, ``labels``,
    ``defect_classes``, ``threshold``, ``input`` as JSON), so a model file carries them
    even without its sidecar."""
    values: dict[str, Any] = {}
    if "kind" in props:
        kind = props["kind"].strip().lower()
        values["kind"] = _checked(
            "kind", kind, lambda v: v if v in KINDS else None, " or ".join(KINDS)
        )
    if "labels" in props:
        values["labels"] = _checked("labels", _decoded(props, "labels"), _names, "class names")
    if "defect_classes" in props:
        defects = _checked(
            "defect_classes", _decoded(props, "defect_classes"), _names, "class names"
        )
        values["defect_classes"] = frozenset(defects)
    if "threshold" in props:
        threshold = _checked("threshold", props["threshold"], as_number, "a number")
        values["threshold"] = _checked(
            "threshold", threshold, lambda v: v if v >= 0 else None, "0 or more"
        )
    if "input" in props:
        entry = _decoded(props, "input")
        if not isinstance(entry, Mapping):
            raise MetadataError("the model's metadata 'input' is not a mapping")
        converters: dict[str, tuple[Callable[[Any], Any], str]] = {
            "size": (_size, "a size such as 224 or [224, 224]"),
            "colour": (lambda v: v if v in COLOURS else None, " or ".join(COLOURS)),
            "color": (lambda v: v if v in COLOURS else None, " or ".join(COLOURS)),
            "scale": (_fraction, "a positive number"),
            "mean": (_channels(False), "a number or 3 numbers"),
            "std": (_channels(True), "a positive number or 3 of them"),
            "resize": (lambda v: v if v in RESIZES else None, " or ".join(RESIZES)),
            "layout": (lambda v: v if v in LAYOUTS else None, " or ".join(LAYOUTS)),
        }
        for key, value in entry.items():
            if key in converters and value is not None:
                convert, expected = converters[key]
                field_name = "colour" if key == "color" else key
                values[field_name] = _checked(f"input.{key}", value, convert, expected)
    return values


def from_onnx_metadata(props: Mapping[str, str]) -> Settings:
    """Settings from the ONNX ``metadata_props``: the sidecar's own fields where the model
    carries them, else what an Ultralytics export says and implies (RGB, 1/255, letterbox
    for detection, resize and centre crop for classification). Other exporters' metadata
    give nothing here."""
    own = _sidecar_keys(props)
    ultralytics = _ultralytics(props)
    values = {**ultralytics.given(), **own}
    return Settings(**values, where={key: "the model's metadata" for key in values})


def _ultralytics(props: Mapping[str, str]) -> Settings:
    if "names" not in props and "imgsz" not in props and "task" not in props:
        return Settings()
    values: dict[str, Any] = {}
    if "names" in props:
        names = _names(_literal(props, "names"))
        if names is None:
            raise MetadataError("the model's metadata 'names' is not a list of class names")
        values["labels"] = names
    if "imgsz" in props:
        size = _size(_literal(props, "imgsz"))
        if size is None:
            raise MetadataError(
                f"the model's metadata 'imgsz' is not a size: {props['imgsz'][:40]!r}"
            )
        values["size"] = size
    end2end = False
    if "end2end" in props:
        end2end = bool(_literal(props, "end2end"))
    if "args" in props:
        args = _literal(props, "args")
        if isinstance(args, Mapping) and args.get("nms"):
            end2end = True  # exported with NMS in the graph: the same [1, N, 6] rows
    task = props.get("task")
    if task is not None:
        if task not in ULTRALYTICS_TASKS:
            raise MetadataError(
                f"Ultralytics '{task}' models are not supported; export a detect or classify model"
            )
        kind = ULTRALYTICS_TASKS[task]
        values["kind"] = "detection_e2e" if kind == "detection" and end2end else kind
        values["resize"] = "letterbox" if kind == "detection" else "crop"
        values["colour"] = "rgb"
        values["scale"] = 1 / 255
        values["mean"] = (0.0, 0.0, 0.0)
        values["std"] = (1.0, 1.0, 1.0)
    values["end2end"] = end2end if task == "detect" else None
    return Settings(**values, where={key: "the model's metadata" for key in values})


# -- anomalib 1's metadata.json ----------------------------------------------------------


def read_anomalib_v1(path: Path) -> AnomalibV1Metadata:
    """anomalib 1's ``metadata.json``: thresholds and the validation min/max it normalises
    with (``pred_scores.min``/``.max``, ``anomaly_maps.min``/``.max``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = (
            cannot_read(path.name, error)
            if isinstance(error, OSError)
            else f"{path.name} is not text"
        )
        raise MetadataError(reason) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise MetadataError(f"{path.name} is not JSON ({error})") from None
    if not isinstance(data, Mapping):
        raise MetadataError(f"{path.name} is not a JSON object")

    def number(key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        result = as_number(value)
        if result is None:
            raise MetadataError(f"{path.name}: '{key}' is not a number: {str(value)[:40]!r}")
        return result

    meta = AnomalibV1Metadata(
        image_threshold=number("image_threshold"),
        pixel_threshold=number("pixel_threshold"),
        score_min=number("pred_scores.min"),
        score_max=number("pred_scores.max"),
        map_min=number("anomaly_maps.min"),
        map_max=number("anomaly_maps.max"),
    )
    if (
        meta.score_min is not None
        and meta.score_max is not None
        and meta.score_max < meta.score_min
    ):
        raise MetadataError(f"{path.name}: pred_scores.max is below pred_scores.min")
    return meta


def anomalib_v1_settings(meta: AnomalibV1Metadata, file: str) -> Settings:
    """The decision threshold metadata.json implies: 0.5 on the normalised score, or the
    raw image threshold where anomalib would not normalise."""
    threshold = 0.5 if meta.normalises else meta.image_threshold
    if threshold is None:
        return Settings()
    return Settings(threshold=threshold, where={"threshold": file})


def merged(*layers: tuple[str, Settings]) -> tuple[Settings, dict[str, str]]:
    """Layers (source name, settings) merged, earlier first; and each field's source."""
    result = Settings()
    source: dict[str, str] = {}
    where: dict[str, str] = {}
    for name, settings in reversed(layers):
        given = settings.given()
        result = replace(result, **given)
        for key in given:
            source[key] = name
            where[key] = settings.where.get(key, name)
    return replace(result, where=where), source
