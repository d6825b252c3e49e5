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
from typing import TYPE_CHECKING, Any, ClassVar

from ..capability import Capability, CapabilityContext
from ..project.models import Problem, Project
from ..subscription import Subscription
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
    def check(cls, project: Project) -> list[Problem]:
        from .config import vision_problems

        return vision_problems(project)

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
