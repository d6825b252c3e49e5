"""The ``vision:`` section of a project: models by name, cameras by name.

```yaml
vision:
  models:
    surface: models/surface/surface.onnx      # or {file: ..., threads: 1}
  cameras:
    press_cam:
      line: line1
      source: sim:press       # USB index, rtsp:// or http(s):// URL, video file, image folder
      fps: 10                 # read rate of files, folders, simulations; expected of the rest
      roi: [0, 0, 256, 256]   # x, y, width, height the model looks at
      size: [256, 256]        # width, height frames must have (else: uninspected)
      channels: 3
      model: surface
      threshold: 0.5          # instead of the model's own
      trigger: {count: line1.profile_count}   # or {edge: TAG, debounce: 20ms} or presence
      max_age: 1s             # the newest frame may be this much older than the part
      window: 100             # parts the defect rate is taken over
      evidence: {folder: evidence/press_cam, quota: 500MB, good_every: 100}
      simulation: {fault: line1.fault, defect_rate: 0.03, fault_rate: 0.3}   # sim: only
```

A model file is looked for in the project folder, then in the installation's (the shipped
``models/``). An evidence folder is relative to the project's data folder (default:
``evidence/<camera>``). Every problem is reported at its line; reading never raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..paths import install_root
from ..project.fields import Fields, as_number
from ..project.limits import DurationRange, WholeRange
from ..project.models import Problem, Project, Section, Source
from ..project.problems import internal_fault
from ..words import describe_value, did_you_mean, shorten

SECTION_FIELDS = ("models", "cameras")
MODEL_FIELDS = ("file", "threads")
CAMERA_FIELDS = (
    "line",
    "source",
    "fps",
    "roi",
    "size",
    "channels",
    "model",
    "threshold",
    "trigger",
    "max_age",
    "window",
    "evidence",
    "simulation",
)
TRIGGERS = ("edge", "count", "presence")
TRIGGER_FIELDS = (*TRIGGERS, "debounce", "min_interval", "level", "max_step")
PRESENCE_FIELDS = ("roi", "enter", "leave")
EVIDENCE_FIELDS = ("folder", "quota", "good_every", "format")
SIMULATION_FIELDS = ("fault", "defect_rate", "fault_rate")

THREADS = WholeRange(1, 16)
CHANNELS = WholeRange(1, 4)
WINDOW = WholeRange(1, 100_000)
MAX_STEP = WholeRange(1, 1000)
GOOD_EVERY = WholeRange(0, 1_000_000)
SIDE = WholeRange(1, 16384)
DEBOUNCE = DurationRange(0.0, 60.0, "20ms")
MAX_AGE = DurationRange(0.01, 60.0, "1s")
DEFAULT_QUOTA = 500 * 1024**2
DEFAULT_MAX_AGE = 1.0
DEFAULT_WINDOW = 100
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*([kKmMgGtT]?)i?[bB]?\s*$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


@dataclass(frozen=True)
class ModelConfig:
    name: str
    path: Path  # resolved: the project's file, else the installation's
    threads: int = 1
    source: Source = field(default_factory=lambda: Source(""))


@dataclass(frozen=True)
class TriggerConfig:
    """``edge``: a part per rising edge of ``tag``; ``count``: a part per increment of an
    integer ``tag`` (up to ``max_step`` at once); ``presence``: a part entering ``roi``."""

    kind: str
    tag: str | None = None
    debounce: float = 0.02
    min_interval: float = 0.0
    level: float = 0.5
    max_step: int = 10
    roi: tuple[int, int, int, int] | None = None
    enter: float = 0.5
    leave: float = 0.2


@dataclass(frozen=True)
class EvidenceConfig:
    folder: str | None = None  # relative to the data folder; None: evidence/<camera>
    quota: int = DEFAULT_QUOTA
    good_every: int = 100
    fmt: str = "png"


@dataclass(frozen=True)
class CameraConfig:
    name: str
    line: str
    source: str | int
    model: str
    trigger: TriggerConfig
    fps: float | None = None
    roi: tuple[int, int, int, int] | None = None
    size: tuple[int, int] | None = None  # width, height
    channels: int | None = None
    threshold: float | None = None
    max_age: float = DEFAULT_MAX_AGE
    window: int = DEFAULT_WINDOW
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    fault_tag: str | None = None
    defect_rate: float = 0.03
    fault_rate: float = 0.3

    @property
    def tags(self) -> set[str]:
        """The project tags this camera reads."""
        return {t for t in (self.trigger.tag, self.fault_tag) if t}


@dataclass(frozen=True)
class VisionConfig:
    models: dict[str, ModelConfig] = field(default_factory=dict)
    cameras: dict[str, CameraConfig] = field(default_factory=dict)


def parse_size(value: Any) -> int | None:
    """Bytes from ``500MB``, ``2 GB``, ``1.5G``, ``800k`` or a plain number of bytes."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = as_number(value)
        return int(number) if number is not None and number >= 1 else None
    if not isinstance(value, str) or not (match := _SIZE.match(value)):
        return None
    size = int(float(match[1]) * _UNITS[match[2].lower()])
    return size if size >= 1 else None


def model_path(project: Project, file: str) -> Path:
    """``file`` in the project folder if it is there, else in the installation's."""
    path = Path(file).expanduser()
    if path.is_absolute():
        return path
    local = Path(project.root) / path
    if local.exists():
        return local
    shipped = install_root() / path
    return shipped if shipped.exists() else local


def vision_problems(project: Project) -> list[Problem]:
    return read_vision(project)[1]


def read_vision(project: Project) -> tuple[VisionConfig | None, list[Problem]]:
    """The section (None when the project has none) and its problems; never raises."""
    section = project.extra.get("vision")
    if section is None:
        return None, []
    if not isinstance(section, Section):
        section = Section("vision", section, project.source)
    problems: list[Problem] = []
    data = section.data if isinstance(section.data, Mapping) else {}
    top = Fields(problems.append, data, section.source.file, section.source.line, "vision")
    try:
        if not isinstance(section.data, Mapping):
            top.problem(None, f"expected a mapping with models: and cameras:, got "
                        f"{describe_value(section.data)}")  # fmt: skip
            config = VisionConfig()
        else:
            config = _Reader(project, top).read()
    except Exception as error:  # never a traceback for a project file
        top.problem(None, internal_fault("the vision section", error))
        config = VisionConfig()
    return config, sorted(problems, key=lambda p: p.source.line)


class _Reader:
    def __init__(self, project: Project, top: Fields):
        self.project = project
        self.top = top

    def read(self) -> VisionConfig:
        self.top.unknown_keys(SECTION_FIELDS)
        models = self.models()
        cameras: dict[str, CameraConfig] = {}
        fields = None
        if self.top.get("cameras") is not None:
            fields = self.top.child("cameras", "{press_cam: {line: line1, source: sim:press}}")
        if fields is None:
            return VisionConfig(models, cameras)
        for key, value in fields.data.items():
            if not isinstance(value, Mapping):
                fields.wrong(key, "a mapping with line:, source:, model: and trigger:")
                continue
            entry = fields.nested(key, value, f"camera '{shorten(key)}'")
            camera = self.camera(entry, str(key), models)
            if camera is not None and not entry.failed:
                cameras[str(key)] = camera
        return VisionConfig(models, cameras)

    # -- models --------------------------------------------------------------------------

    def models(self) -> dict[str, ModelConfig]:
        if self.top.get("models") is None:
            return {}
        fields = self.top.child("models", "{surface: models/surface/surface.onnx}")
        out: dict[str, ModelConfig] = {}
        if fields is None:
            return out
        for key, value in fields.data.items():
            name = str(key)
            entry = fields
            if isinstance(value, Mapping):
                entry = fields.nested(key, value, f"model '{shorten(name)}'")
                entry.unknown_keys(MODEL_FIELDS)
                file, threads = entry.text("file"), entry.count("threads", THREADS) or 1
                if file is None and entry.get("file") is None:
                    entry.problem(None, "file: missing; the ONNX file, e.g. models/x.onnx")
            else:
                file = value.strip() if isinstance(value, str) and value.strip() else None
                threads = 1
                if file is None:
                    fields.wrong(key, "an ONNX file (models/x.onnx) or {file: ..., threads: 1}")
            if file is None:
                continue
            path = model_path(self.project, file)
            where = "file" if entry is not fields else key
            if not path.is_file():
                entry.problem(
                    where,
                    f"model '{shorten(name)}': no file {shorten(file)} in the project folder"
                    f" ({self.project.root}) nor in the installation's ({install_root()})",
                )
                continue
            out[name] = ModelConfig(name, path, threads, entry.source(where))
        return out

    # -- cameras -------------------------------------------------------------------------

    def tag(self, fields: Fields, key: str, what: str, kinds: tuple[str, ...]) -> str | None:
        """The name of a project tag under ``key`` whose type is one of ``kinds``
        (``integer``, ``numeric``, ``bool``); a wrong one is reported."""
        name = fields.text(key)
        if name is None:
            return None
        tag = self.project.tags.get(name)
        if tag is None:
            hint = did_you_mean(name, self.project.tags, "tags", listed=0)
            fields.unknown(
                key,
                f"{key}: unknown tag '{shorten(name)}'; {hint}",
                self.project.missing_tag_explained(name),
            )
            return None
        data_type = tag.data_type
        ok = any(
            (k == "integer" and data_type.integer)
            or (k == "numeric" and data_type.numeric)
            or (k == "bool" and data_type.value == "bool")
            for k in kinds
        )
        if not ok:
            fields.problem(key, f"{key}: tag '{name}' is {data_type.value}; {what}")
            return None
        return name

    def camera(
        self, fields: Fields, name: str, models: dict[str, ModelConfig]
    ) -> CameraConfig | None:
        fields.unknown_keys(CAMERA_FIELDS)
        line = fields.text("line")
        if line is None:
            fields.problem(None, "line: missing; the line of project: lines: it inspects")
        elif line not in self.project.lines:
            hint = did_you_mean(line, self.project.lines, "lines")
            fields.problem("line", f"line: unknown line '{shorten(line)}'; {hint}")
        source = self.source(fields)
        fps = fields.number("fps", "frames per second above 0, up to 1000")
        if fps is not None and not 0 < fps <= 1000:
            fields.wrong("fps", "frames per second above 0, up to 1000")
            fps = None
        roi = self.roi(fields, "roi")
        size = self.size(fields)
        channels = fields.count("channels", CHANNELS)
        model = fields.text("model")
        if model is None:
            fields.problem(None, "model: missing; the name of a model under vision: models:")
        elif model not in models:
            hint = did_you_mean(model, models, "models")
            fields.problem("model", f"model: unknown model '{shorten(model)}'; {hint}")
        threshold = fields.number("threshold", "a number from 0 to 1")
        if threshold is not None and threshold < 0:
            fields.wrong("threshold", "a number from 0 to 1 (an anomaly score may be higher)")
        trigger = self.trigger(fields)
        max_age = fields.duration("max_age", DEFAULT_MAX_AGE, within=MAX_AGE)
        window = fields.count("window", WINDOW) or DEFAULT_WINDOW
        evidence = self.evidence(fields)
        fault, rates = self.simulation(fields, source)
        if line is None or source is None or model is None or trigger is None:
            return None
        return CameraConfig(
            name, line, source, model, trigger, fps, roi, size, channels, threshold,
            max_age, window, evidence, fault, *rates,
        )  # fmt: skip

    def source(self, fields: Fields) -> str | int | None:
        value = fields.get("source")
        if value is None:
            fields.problem(
                None, "source: missing; a USB index, a URL, a file, a folder or sim:press"
            )
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        from .cameras import check_source  # OpenCV: only for a project with cameras

        problem = check_source(value) if isinstance(value, str | int) else "not text"
        if problem:
            fields.problem("source", f"source: {problem}")
            return None
        if isinstance(value, str):
            text = value.strip()
            if not (text.isdigit() or text.startswith("sim:") or "://" in text):
                path = Path(text).expanduser()
                return str(path if path.is_absolute() else Path(self.project.root) / path)
            return text
        return value

    def roi(self, fields: Fields, key: str) -> tuple[int, int, int, int] | None:
        value = fields.get(key)
        if value is None:
            return None
        from .cameras import check_roi

        problem = check_roi(value)
        if problem:
            fields.problem(key, f"{key}: {problem}")
            return None
        return (int(value[0]), int(value[1]), int(value[2]), int(value[3]))

    def size(self, fields: Fields) -> tuple[int, int] | None:
        value = fields.get("size")
        if value is None:
            return None
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v in SIDE for v in value)
        ):
            return (value[0], value[1])
        fields.wrong("size", f"[width, height] in pixels, each {SIDE.text}")
        return None

    def trigger(self, parent: Fields) -> TriggerConfig | None:
        value = parent.get("trigger")
        if value is None:
            parent.problem(
                None,
                "trigger: missing; {edge: TAG} (a part per rising edge), {count: TAG} (a part "
                "per increment) or presence (a part entering the ROI)",
            )
            return None
        if value == "presence":
            value = {"presence": True}
        if not isinstance(value, Mapping):
            parent.wrong("trigger", "{edge: TAG}, {count: TAG} or presence")
            return None
        fields = parent.nested("trigger", value, f"{parent.label}: trigger")
        fields.unknown_keys(TRIGGER_FIELDS)
        kinds = [k for k in TRIGGERS if k in value]
        if len(kinds) != 1:
            fields.problem(None, "give exactly one of edge: TAG, count: TAG or presence:")
            return None
        kind = kinds[0]
        debounce = fields.duration("debounce", 0.0 if kind == "count" else 0.02, within=DEBOUNCE)
        min_interval = fields.duration("min_interval", 0.0, within=DEBOUNCE)
        level = fields.number("level") or 0.5
        max_step = fields.count("max_step", MAX_STEP) or 10
        if kind == "edge":
            tag = self.tag(
                fields, "edge", "an edge trigger reads a bool or number", ("bool", "numeric")
            )
            return None if tag is None else TriggerConfig(kind, tag, debounce, min_interval, level)
        if kind == "count":
            tag = self.tag(fields, "count", "a count trigger reads an integer tag", ("integer",))
            if tag is None:
                return None
            return TriggerConfig(kind, tag, debounce, min_interval, max_step=max_step)
        presence = value["presence"]
        if presence is True or presence is None:
            presence = {}
        if not isinstance(presence, Mapping):
            fields.wrong("presence", "true or {roi: [x, y, w, h], enter: 0.5, leave: 0.2}")
            return None
        inner = fields.nested("presence", presence, f"{fields.label}: presence")
        inner.unknown_keys(PRESENCE_FIELDS)
        roi = self.roi(inner, "roi")
        enter, leave = inner.number("enter") or 0.5, inner.number("leave")
        leave = 0.2 if leave is None else leave
        if not 0 <= leave < enter <= 1:
            inner.problem(None, f"leave ({leave:g}) must be below enter ({enter:g}), both 0 to 1")
            return None
        return TriggerConfig(kind, None, debounce, min_interval, roi=roi, enter=enter, leave=leave)

    def evidence(self, parent: Fields) -> EvidenceConfig:
        value = parent.get("evidence")
        if value is None:
            return EvidenceConfig()
        if not isinstance(value, Mapping):
            parent.wrong("evidence", "{folder: evidence/cam, quota: 500MB, good_every: 100}")
            return EvidenceConfig()
        fields = parent.nested("evidence", value, f"{parent.label}: evidence")
        fields.unknown_keys(EVIDENCE_FIELDS)
        quota = fields.converted("quota", parse_size, "a size such as 500MB or 2GB")
        good_every = fields.count("good_every", GOOD_EVERY)
        fmt = fields.choice("format", ("png", "jpg")) or "png"
        return EvidenceConfig(
            fields.text("folder"),
            quota or DEFAULT_QUOTA,
            100 if good_every is None else good_every,
            fmt,
        )

    def simulation(
        self, parent: Fields, source: str | int | None
    ) -> tuple[str | None, tuple[float, float]]:
        value = parent.get("simulation")
        if value is None:
            return None, (0.03, 0.3)
        if not (isinstance(source, str) and source.startswith("sim:")):
            parent.problem("simulation", "simulation: only a simulated camera (source: sim:...)")
            return None, (0.03, 0.3)
        if not isinstance(value, Mapping):
            parent.wrong("simulation", "{fault: TAG, defect_rate: 0.03, fault_rate: 0.3}")
            return None, (0.03, 0.3)
        fields = parent.nested("simulation", value, f"{parent.label}: simulation")
        fields.unknown_keys(SIMULATION_FIELDS)
        fault = self.tag(fields, "fault", "the fault flag is a bool or number", ("bool", "numeric"))
        rates = []
        for key, default in (("defect_rate", 0.03), ("fault_rate", 0.3)):
            rate = fields.number(key, "a share from 0 to 1")
            if rate is not None and not 0 <= rate <= 1:
                fields.wrong(key, "a share from 0 to 1")
                rate = None
            rates.append(default if rate is None else rate)
        return fault, (rates[0], rates[1])
