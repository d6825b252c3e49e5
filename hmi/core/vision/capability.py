"""Vision inspection as a capability: the ``vision:`` section, the ``Vision`` service,
the trigger and fault tags in, the cameras' system tags out.

System tags, per camera ``_sys.vision.<camera>.<field>``: ``state`` (inspecting,
unavailable, connecting, stalled, failed) and ``reason``, ``fps``, ``dropped``,
``last_result`` (good, defect, uninspected), ``last_label``, ``score``, ``latency_ms``,
``inspected``, ``defect_rate`` (% of the window), ``model``, ``evidence``, and the
counters ``good``, ``scrap``, ``uninspected`` that only grow (a line's ``orders:
counters:`` may name them); ``_sys.vision.health``.

OpenCV and onnxruntime are imported when the service starts, not when the capability
is discovered: every ``hmi`` command discovers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from ..capability import Capability, CapabilityContext
from ..project.models import DataType, Problem, Project, Section, TagConfig
from ..subscription import Subscription
from ..systemtags import FieldType, field_tags
from ..tags import Batch, good

if TYPE_CHECKING:
    from ..commands import CommandSet
    from .service import Vision

PREFIX = "_sys.vision."
HEALTH_TAG = f"{PREFIX}health"
MANAGE = "vision.manage"
REVIEW = "vision.review"
CAMERA_FIELDS = (
    "state", "reason", "fps", "dropped", "last_result", "last_label", "score", "latency_ms",
    "inspected", "defect_rate", "model", "evidence", "good", "scrap", "uninspected",
)  # fmt: skip


_F, _I, _S = DataType.FLOAT64, DataType.INT64, DataType.STRING
#: each camera field's type, units, decimals and what it says (for alarms, history, trends)
FIELD_TYPES: dict[str, FieldType] = {
    "state": (_S, "", None, "state (inspecting, unavailable, connecting, stalled, failed)"),
    "reason": (_S, "", None, "why it does not inspect"),
    "fps": (_F, "", 1, "frames per second"),
    "dropped": (_I, "pcs", None, "frames dropped"),
    "last_result": (_S, "", None, "last decision (good, defect, uninspected)"),
    "last_label": (_S, "", None, "last decision's class"),
    "score": (_F, "", 3, "last decision's score"),
    "latency_ms": (_F, "ms", 1, "frame to decision"),
    "inspected": (_I, "pcs", None, "parts inspected"),
    "defect_rate": (_F, "%", 1, "defects in the last parts"),
    "model": (_S, "", None, "active model"),
    "evidence": (_S, "", None, "evidence writer"),
    "good": (_I, "pcs", None, "good parts"),
    "scrap": (_I, "pcs", None, "scrap parts"),
    "uninspected": (_I, "pcs", None, "parts not inspected"),
}


def camera_tag(camera: str, field: str) -> str:
    """``_sys.vision.<camera>.<field>``."""
    return f"{PREFIX}{camera}.{field}"


class VisionCapability(Capability):
    name = "vision"
    sections = ("vision",)
    system_tags = (f"{PREFIX}*",)
    health_tag = HEALTH_TAG
    permissions: ClassVar[Mapping[str, str]] = {
        MANAGE: "add a model, switch a camera's active model",
        REVIEW: "confirm or overrule an inspection decision (corrects the order's counts)",
    }
    order = 50  # after users and audit (who switches models) and orders

    vision: Vision | None = None

    def __init__(self, context: CapabilityContext):
        super().__init__(context)
        self._sub: Subscription | None = None

    @classmethod
    def schemas(cls) -> dict[str, Any]:
        from .counters import COMPONENT, SCHEMA

        return {COMPONENT: SCHEMA}

    @classmethod
    def check(cls, project: Project) -> list[Problem]:
        from .config import vision_problems

        return vision_problems(project)

    @classmethod
    def project_tags(cls, project: Project) -> list[TagConfig]:
        """Every field of each camera named in ``vision: cameras:``, on the camera's line;
        taken from the section as written, so an alarm on a camera with a problem of its
        own is not refused a second time."""
        tags = super().project_tags(project)
        section = project.extra.get("vision")
        data = section.data if isinstance(section, Section) else section
        cameras = data.get("cameras") if isinstance(data, Mapping) else None
        if not isinstance(cameras, Mapping):
            return tags
        for camera, settings in cameras.items():
            line = settings.get("line") if isinstance(settings, Mapping) else None
            line = line if isinstance(line, str) and line in project.lines else ""
            tags += field_tags(partial(camera_tag, str(camera)), FIELD_TYPES, str(camera), line)
        return tags

    @property
    def service(self) -> Any:
        return self.vision

    def start(self) -> None:
        from .config import read_vision

        context = self.context
        config = read_vision(context.project)[0]
        if config is None or not config.cameras:
            context.publish_system({HEALTH_TAG: good("ok")})
            return
        from .service import Vision  # OpenCV and onnxruntime: only where cameras inspect

        self.vision = vision = Vision(
            config,
            context.store,
            context.access,
            context.data_dir,
            context.publish_system,
            context.values,
            orders=context.service("orders"),  # an overruled decision corrects its order
        ).start()
        if vision.tags:
            self._sub = context.subscribe(tags=vision.tags, on_loop=self._batches, initial=True)

    def _batches(self, batches: list[Batch]) -> None:
        if self.vision is not None:
            for batch in batches:
                self.vision.feed(batch)

    def stop(self, timeout: float = 10.0) -> None:
        if self._sub is not None:
            self.context.unsubscribe(self._sub)
        if self.vision is not None:
            self.vision.stop(min(timeout, 5.0))

    @classmethod
    def add_commands(cls, commands: CommandSet) -> None:
        from .console import add_commands

        add_commands(commands)

    def summary(self) -> list[str]:
        vision = self.vision
        if vision is None:
            return super().summary()
        lines = []
        for name, inspection in vision.inspections.items():
            counts = vision.counters.counts(name)
            state, reason = vision.state(name)
            lines.append(
                f"vision {name}: {state}{f' ({reason})' if reason else ''}, "
                f"{counts['good']} good, {counts['scrap']} scrap, "
                f"{counts['uninspected']} uninspected, defects {inspection.defect_rate:.1f}% "
                f"of the last {len(inspection.recent)}"
            )
        return lines
