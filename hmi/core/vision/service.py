"""``Vision``: the cameras of the ``vision:`` section inspecting parts in a running station.

What it does with each ``Decision``: one more on the camera's durable counter (``good``,
``scrap`` or ``uninspected``; the order's counts follow those tags), the camera's tags
(last result, label, score, defect rate over the window), and the image to the evidence
writer (every defect, a sample of good parts). Every second it publishes each camera's
state, frame rate and dropped frames, and the health tag. ``set_model`` switches a
camera's model while it runs, asked of ``Access`` (``vision.manage``, signed where the
project's users section says so) and recorded in the audit trail.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..access import Access
from ..capability import health_value
from ..store import Writer
from ..tags import Batch, TagValue, bad, good
from ..words import did_you_mean
from .cameras import RUNNING, Camera, SimulatedPress
from .capability import HEALTH_TAG, MANAGE, camera_tag
from .config import CameraConfig, VisionConfig
from .counters import VisionCounters
from .evidence import OK, EvidenceWriter
from .live import LiveView
from .pipeline import DEFECT, GOOD, UNINSPECTED, Decision, Inspection, ModelSlot

log = logging.getLogger(__name__)

PUBLISH_S = 1.0
INSPECTING, UNAVAILABLE = "inspecting", "unavailable"
COUNTER_OF = {GOOD: "good", DEFECT: "scrap", UNINSPECTED: "uninspected"}


class VisionError(Exception):
    """An action refused or impossible; the message says why."""


class Vision:
    """Cameras, their inspections, the shared model sessions, counters and evidence."""

    def __init__(
        self,
        config: VisionConfig,
        store: Writer,
        access: Access,
        data_dir: Path,
        publish: Callable[[Batch], None],
        values: Mapping[str, TagValue] | None = None,
    ):
        self.config = config
        self.access = access
        self.data_dir = Path(data_dir)
        self.publish = publish
        self.values = values if values is not None else {}
        self.counters = VisionCounters(store)
        self.slots: dict[str, ModelSlot] = {}
        self.inspections: dict[str, Inspection] = {}
        self.writers: dict[str, EvidenceWriter] = {}  # camera -> its evidence writer
        self._readers: dict[str, list[Inspection]] = {}  # trigger tag -> inspections
        self._faults: dict[str, list[Camera]] = {}  # simulation fault tag -> cameras
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def tags(self) -> set[str]:
        """The project tags the cameras read (triggers, simulated faults)."""
        return {t for c in self.config.cameras.values() for t in c.tags}

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> Vision:
        self.counters.load()
        for name, cfg in self.config.cameras.items():
            model = self.counters.models.get(name)
            slot = self._slot(model if model in self.config.models else cfg.model)
            camera = self._camera(cfg)
            folder = self.data_dir / (cfg.evidence.folder or f"evidence/{name}")
            writer = EvidenceWriter(
                folder, cfg.evidence.quota, cfg.evidence.good_every, fmt=cfg.evidence.fmt
            )
            self.writers[name] = writer.start()
            inspection = Inspection(cfg, camera, slot, self._decided)
            self.inspections[name] = inspection
            if cfg.trigger.tag:
                self._readers.setdefault(cfg.trigger.tag, []).append(inspection)
            if cfg.fault_tag:
                self._faults.setdefault(cfg.fault_tag, []).append(camera)
            camera.start()
            inspection.start()
            self._publish_counts(name)
        self.publish_status()
        self._thread = threading.Thread(target=self._run, name="hmi-vision", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for inspection in self.inspections.values():
            inspection.stop(timeout)
            inspection.camera.stop(timeout)
        for writer in self.writers.values():
            writer.stop(timeout)
        if self._thread is not None:
            self._thread.join(timeout)

    def _slot(self, name: str) -> ModelSlot:
        """The model's one session, loaded on first use."""
        with self._lock:
            slot = self.slots.get(name)
            if slot is None:
                slot = self.slots[name] = ModelSlot(self.config.models[name]).load()
            return slot

    @staticmethod
    def _camera(cfg: CameraConfig) -> Camera:
        source: Any = cfg.source
        if source == "sim:press":
            size = (cfg.size[1], cfg.size[0]) if cfg.size else (256, 256)
            source = SimulatedPress(
                defect_rate=cfg.defect_rate, fault_rate=cfg.fault_rate, size=size
            )
        return Camera(
            cfg.name, source, fps=cfg.fps, roi=cfg.roi, size=cfg.size, channels=cfg.channels
        )

    # -- in -----------------------------------------------------------------------------------

    def feed(self, batch: Batch) -> None:
        """Values of the tags the cameras read (any thread; never blocks)."""
        for tag, tv in batch.items():
            value = tv.value if tv.good else None
            for inspection in self._readers.get(tag, ()):
                inspection.feed(value, tv.source_ts or tv.ts)
            for camera in self._faults.get(tag, ()):
                if camera.simulation is not None:
                    camera.simulation.fault = bool(value)

    def set_model(self, camera: str, model: str, user: str) -> None:
        """Inspect ``camera``'s next parts with ``model``; refused (``VisionError``, and
        recorded) unless ``user`` may, the model loads, and the names exist."""
        inspection = self._inspection(camera)
        if model not in self.config.models:
            raise VisionError(
                f"no model '{model}': {did_you_mean(model, self.config.models, 'models')}"
            )
        if not user or not str(user).strip():
            raise VisionError("switching a model needs the name of the user")
        refusal = self.access.refusal(user, MANAGE, camera)
        if refusal:
            self.access.record(user, MANAGE, camera, status="refused", message=refusal, model=model)
            raise VisionError(refusal)
        previous = inspection.slot.name
        slot = self._slot(model)
        if slot.model is None:
            self.access.record(
                user, MANAGE, camera, status="failed", message=slot.error, model=model
            )
            raise VisionError(f"model {model} cannot be used: {slot.error}")
        inspection.slot = slot
        self.counters.set_model(camera, model, user)
        self.access.record(
            user, MANAGE, camera, model=model, previous=previous, sha256=slot.model.info.sha256
        )
        log.info("camera %s: model %s -> %s by %s", camera, previous, model, user)
        self.publish({camera_tag(camera, "model"): good(model)})

    # -- views --------------------------------------------------------------------------------

    def cameras_of(self, line: str | None = None) -> list[str]:
        """The cameras of ``line`` (all when None), in the project's order."""
        return [
            name
            for name, inspection in self.inspections.items()
            if line is None or inspection.config.line == line
        ]

    def _inspection(self, camera: str) -> Inspection:
        inspection = self.inspections.get(camera)
        if inspection is None:
            raise VisionError(
                f"no camera '{camera}': {did_you_mean(camera, self.inspections, 'cameras')}"
            )
        return inspection

    def live(self, camera: str) -> LiveView:
        """``camera`` now, for its live view (any thread; nothing copied, nothing waited
        for). The frame is peeked at, not taken, so the camera's dropped count stays what
        the inspection missed."""
        inspection = self._inspection(camera)
        status = inspection.camera.status()
        state, reason = self.state(camera)
        return LiveView(
            camera=camera,
            line=inspection.config.line,
            state=state,
            reason=reason,
            frame=inspection.camera._frame,
            decisions=inspection.decisions(),
            model=inspection.slot.name,
            threshold=self._threshold(camera),
            counts=self.counters.counts(camera),
            defect_rate=inspection.defect_rate,
            window=inspection.window,
            fps=status.fps,
            dropped=status.dropped,
            parts=inspection.parts,
        )

    # -- out ----------------------------------------------------------------------------------

    def _decided(self, decision: Decision) -> None:
        """On the camera's inspection thread: counters, tags, evidence."""
        name = decision.camera
        inspection = self.inspections[name]
        kind = COUNTER_OF[decision.result]
        self.counters.add(
            name, kind, lambda value: self.publish({camera_tag(name, kind): good(value)})
        )
        counts = self.counters.counts(name)
        batch: Batch = {
            camera_tag(name, "last_result"): good(decision.result),
            camera_tag(name, "last_label"): good(decision.label),
            camera_tag(name, "inspected"): good(counts["good"] + counts["scrap"]),
            camera_tag(name, "defect_rate"): good(round(inspection.defect_rate, 2)),
        }
        if decision.score is None:
            batch[camera_tag(name, "score")] = bad(decision.reason)
        else:
            batch[camera_tag(name, "score")] = good(round(decision.score, 4))
            batch[camera_tag(name, "latency_ms")] = good(round(decision.latency_ms, 1))
        batch.update(self._state_values(name))
        self.publish(batch)
        if decision.result != UNINSPECTED and decision.frame is not None:
            self.writers[name].save(
                decision.frame.image, self._sidecar(decision), defect=decision.result == DEFECT
            )

    def _sidecar(self, decision: Decision) -> dict[str, Any]:
        cfg = self.config.cameras[decision.camera]
        order = self.values.get(f"_sys.orders.{cfg.line}.order")
        inference = decision.inference
        frame = decision.frame
        return {
            "order": order.value if order is not None and order.good else "",
            "line": cfg.line,
            "camera": decision.camera,
            "part": decision.part,
            "time": datetime.fromtimestamp(decision.ts).astimezone().isoformat(),
            "model": decision.model,
            "sha256": decision.sha256,
            "result": decision.result,
            "defect": decision.result == DEFECT,
            "label": decision.label,
            "score": decision.score,
            "threshold": self._threshold(decision.camera),
            "boxes": [
                [*d.box, d.label, round(d.score, 4)]
                for d in (inference.detections if inference else ())
            ],
            "roi": list(frame.roi) if frame is not None and frame.roi else None,
        }

    def _threshold(self, camera: str) -> float | None:
        inspection = self.inspections[camera]
        if inspection.threshold is not None:
            return inspection.threshold
        model = inspection.slot.model
        return model.info.threshold if model is not None else None

    def state(self, camera: str) -> tuple[str, str]:
        """The camera's state and why: its grabber's, else ``unavailable`` while parts go
        uninspected, else ``inspecting``."""
        inspection = self.inspections[camera]
        status = inspection.camera.status()
        if status.state != RUNNING:
            return status.state, status.reason
        slot = inspection.slot
        if slot.model is None:
            return UNAVAILABLE, f"model {slot.name}: {slot.error}"
        if inspection.problem:
            return UNAVAILABLE, inspection.problem
        return INSPECTING, ""

    def _state_values(self, camera: str) -> Batch:
        state, reason = self.state(camera)
        return {
            camera_tag(camera, "state"): good(state),
            camera_tag(camera, "reason"): good(reason),
        }

    def _publish_counts(self, camera: str) -> None:
        counts = self.counters.counts(camera)
        batch = {camera_tag(camera, kind): good(value) for kind, value in counts.items()}
        batch[camera_tag(camera, "inspected")] = good(counts["good"] + counts["scrap"])
        batch[camera_tag(camera, "model")] = good(self.inspections[camera].slot.name)
        batch[camera_tag(camera, "defect_rate")] = good(0.0)
        self.publish(batch)

    def publish_status(self) -> None:
        batch: Batch = {}
        problems = []
        for name, inspection in self.inspections.items():
            status = inspection.camera.status()
            batch.update(self._state_values(name))
            batch[camera_tag(name, "fps")] = good(round(status.fps, 1))
            batch[camera_tag(name, "dropped")] = good(status.dropped)
            evidence = self.writers[name].status()
            batch[camera_tag(name, "evidence")] = (
                good(evidence.state)
                if evidence.state == OK
                else bad(evidence.reason, evidence.state)
            )
            state, reason = self.state(name)
            if state != INSPECTING:
                problems.append(f"{name} {state}: {reason}")
        batch[HEALTH_TAG] = health_value("; ".join(problems) or None)
        self.publish(batch)

    def _run(self) -> None:
        while not self._stop.wait(PUBLISH_S):
            try:
                self.publish_status()
            except Exception:
                log.exception("vision: publishing the cameras' states failed")
