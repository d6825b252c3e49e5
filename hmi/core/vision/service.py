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

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from ..access import Access
from ..capability import health_value
from ..paths import install_root
from ..store import Writer
from ..tags import Batch, TagValue, bad, good
from ..words import did_you_mean
from .cameras import RUNNING, Camera, SimulatedPress
from .capability import HEALTH_TAG, MANAGE, REVIEW, camera_tag
from .config import CameraConfig, ModelConfig, VisionConfig
from .counters import VisionCounters
from .evaluation import EvaluationError, TestRun, demo_samples, run_test
from .evidence import OK, EvidenceWriter
from .gallery import EvidenceIndex, EvidenceItem, read_item
from .library import ADDED, PROJECT, ModelEntry, ModelLibrary, name_problem
from .live import LiveView
from .model import GOOD_NAMES, ModelError, VisionModel
from .pipeline import DEFECT, GOOD, UNINSPECTED, Decision, Inspection, ModelSlot
from .review import (
    CORRECTING,
    OVERRULED,
    VERDICTS,
    CorrectionError,
    Review,
    correct_order,
    file_example,
    reference,
    settle,
    steps_for,
    without_intent,
    write_intent,
    write_review,
    write_sidecar,
)

log = logging.getLogger(__name__)

PUBLISH_S = 1.0
DEMO_MODEL = "models/surface/surface.onnx"
NO_ORDER = "no order was running when the part was decided"
NO_ORDERS = "the orders service is not running"
INSPECTING, UNAVAILABLE = "inspecting", "unavailable"
COUNTER_OF = {GOOD: "good", DEFECT: "scrap", UNINSPECTED: "uninspected"}


class VisionError(Exception):
    """An action refused or impossible; the message says why."""


def is_demo_model(path: Path) -> bool:
    """The shipped surface model (its test samples are made from the synthetic generator)."""
    try:
        return path.resolve() == (install_root() / DEMO_MODEL).resolve()
    except OSError:
        return False


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
        orders: Any = None,
    ):
        self.config = dataclasses.replace(config, models=dict(config.models))  # + added ones
        self.orders = orders  # the orders service (reviews correct its counts), if running
        self.access = access
        self.data_dir = Path(data_dir)
        self.publish = publish
        self.values = values if values is not None else {}
        self.counters = VisionCounters(store)
        self.slots: dict[str, ModelSlot] = {}
        self.inspections: dict[str, Inspection] = {}
        self.writers: dict[str, EvidenceWriter] = {}  # camera -> its evidence writer
        self.library = ModelLibrary(store, self.data_dir / "vision" / "models")
        self.index = EvidenceIndex(
            {
                name: self.data_dir / (cfg.evidence.folder or f"evidence/{name}")
                for name, cfg in config.cameras.items()
            }
        )
        self._review_lock = threading.Lock()  # one review at a time: never a double correction
        self._manage_lock = threading.Lock()  # one model added at a time
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
        for added in self.library.load().added.values():
            if added.name not in self.config.models:  # the project's own comes first
                self.config.models[added.name] = ModelConfig(added.name, added.path)
        for name, cfg in self.config.cameras.items():
            model = self.counters.models.get(name)
            slot = self._slot(model if model in self.config.models else cfg.model)
            camera = self._camera(cfg)
            folder = self.index.folders[name]
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
        threading.Thread(  # the gallery's first listing reads every sidecar: not on a click
            target=self.index.refresh, args=(True,), name="hmi-vision-gallery", daemon=True
        ).start()
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
            frame=inspection.camera.peek(),
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

    # -- evidence and reviews -----------------------------------------------------------------

    def evidence(
        self,
        *,
        camera: str | None = None,
        order: str | None = None,
        result: str | None = None,
        label: str | None = None,
        min_score: float | None = None,
        max_score: float | None = None,
        reviewed: bool | None = None,
        limit: int = 500,
    ) -> list[EvidenceItem]:
        """The saved decisions that pass the filters, newest first (``EvidenceIndex``)."""
        return self.index.items(
            camera=camera, order=order, result=result, label=label, min_score=min_score,
            max_score=max_score, reviewed=reviewed, limit=limit,
        )  # fmt: skip

    def evidence_choices(self) -> dict[str, list[str]]:
        """The cameras, orders and labels the evidence holds, for the gallery's filters."""
        return self.index.choices()

    def _item(self, camera: str, stem: str) -> EvidenceItem:
        """The saved decision, read from its sidecar now (not from the index)."""
        self._inspection(camera)
        folder = self.index.folders[camera]
        name = Path(str(stem)).name
        for kind in ("defect", "good"):
            path = folder / kind / f"{name}.json"
            if name == stem and path.is_file():
                try:
                    return read_item(camera, path)
                except (OSError, ValueError, TypeError) as error:
                    why = getattr(error, "strerror", None) or error
                    raise VisionError(f"{path}: cannot be reviewed: {why}") from None
        raise VisionError(f"camera {camera} has no saved image '{stem}' in {folder}")

    def _classes(self, item: EvidenceItem) -> list[str]:
        """The defect classes of the model that decided ``item`` (else the camera's)."""
        for name in (item.model, self.inspections[item.camera].slot.name):
            slot = self.slots.get(name)
            if slot is not None and slot.model is not None:
                info = slot.model.info
                return [label for label in info.labels if label in info.defect_classes]
        return []

    def _outcome(self, item: EvidenceItem, verdict: str, label: str | None) -> tuple[str, str]:
        """The result and label ``item`` stands at after ``verdict``."""
        result = item.result
        if verdict == OVERRULED:
            result = "defect" if item.result == "good" else "good"
        if result == "good":
            if label is not None and label.lower() not in GOOD_NAMES:
                raise VisionError(f"a good part's class is good, not '{label}'")
            return result, "good"
        classes = self._classes(item)
        if label is None:
            if verdict != OVERRULED and item.label.lower() not in GOOD_NAMES:
                return result, item.label
            return result, classes[0] if classes else "defect"
        if classes and label not in classes:
            raise VisionError(
                f"no defect class '{label}' in model {item.model}: "
                f"{did_you_mean(label, classes, 'defect classes')}"
            )
        return result, label

    def review(
        self,
        camera: str,
        stem: str,
        verdict: str,
        user: str,
        *,
        label: str | None = None,
        note: str = "",
    ) -> Review:
        """Confirm or overrule a saved decision (``vision.review``; refused and recorded
        otherwise). An overrule corrects the item's order (``Orders.correct_count``); a
        second review takes the first one's correction back first. The review goes into
        the sidecar, the audit trail, and the image to ``examples/<label>/``."""
        word = VERDICTS.get(str(verdict))
        if word is None:
            hint = did_you_mean(str(verdict), ("confirm", "overrule"), "verdicts")
            raise VisionError(f"no verdict '{verdict}': {hint}")
        if not user or not str(user).strip():
            raise VisionError("a review needs the name of the user")
        target = f"{camera}/{stem}"
        refusal = self.access.refusal(user, REVIEW, camera)
        if refusal:
            self.access.record(
                user, REVIEW, target, status="refused", message=refusal, verdict=word
            )
            raise VisionError(refusal)
        with self._review_lock:
            item = self._settled(self._item(camera, stem))
            result, label = self._outcome(item, word, label)
            review, previous = self._corrected(item, word, result, label, user, str(note or ""))
            try:
                review = self._file(item, review, previous)
            except OSError as error:
                self._take_back(item, review, previous, user)
                why = f"{error.filename or item.path}: {error.strerror or error}"
                self.access.record(user, REVIEW, target, status="failed", message=why, verdict=word)
                raise VisionError(f"the review could not be saved: {why}") from None
        self.access.record(
            user, REVIEW, target, verdict=word, result=result, label=label,
            decided=item.result, decided_label=item.label, score=item.score, order=item.order,
            previous=previous.verdict if previous else "", correction=review.correction,
            problem=review.problem, note=review.note,
        )  # fmt: skip
        log.info("vision review %s: %s by %s (%s)", target, word, user, review.correction or "-")
        return review

    def _corrected(
        self, item: EvidenceItem, verdict: str, result: str, label: str, user: str, note: str
    ) -> tuple[Review, Review | None]:
        """The review, with the order corrected by what it changes against the previous
        one (``VisionError`` when the orders service refuses)."""
        previous = item.review
        good_step, scrap_step = steps_for(item.result, verdict)
        base = Review(verdict, result, label, user, time.time(), note, order=item.order)
        applied = (previous.applied_good, previous.applied_scrap) if previous else (0, 0)
        unchanged = dataclasses.replace(base, applied_good=applied[0], applied_scrap=applied[1])
        net_good, net_scrap = good_step - applied[0], scrap_step - applied[1]
        if not (net_good or net_scrap):  # what is in force is what this review wants
            kept = previous.correction if previous and any(applied) else ""
            return dataclasses.replace(unchanged, correction=kept), previous
        if not item.order:
            return dataclasses.replace(unchanged, problem=NO_ORDER), previous
        if self.orders is None:
            return dataclasses.replace(unchanged, problem=NO_ORDERS), previous
        what = "overruled" if verdict == OVERRULED else "review taken back"
        ref = reference()
        reason = f"inspection {what}: {item.camera} {item.stem} ({ref})"
        wanted = dataclasses.replace(
            base, applied_good=good_step, applied_scrap=scrap_step, ref=ref
        )
        assert item.path is not None
        try:
            write_intent(item.path, item.sidecar, wanted, applied, ref)
        except OSError as error:
            why = f"{error.filename or item.path}: {error.strerror or error}"
            target = f"{item.camera}/{item.stem}"
            self.access.record(user, REVIEW, target, status="failed", message=why, verdict=verdict)
            raise VisionError(f"the review could not be saved: {why}") from None
        try:
            correction = correct_order(self.orders, item.order, net_good, net_scrap, reason, user)
        except LookupError as error:
            return dataclasses.replace(unchanged, problem=str(error)), previous
        except CorrectionError as error:
            target = f"{item.camera}/{item.stem}"
            self.access.record(
                user, REVIEW, target, status="failed", message=str(error), verdict=verdict
            )
            raise VisionError(str(error)) from None
        return dataclasses.replace(wanted, correction=correction), previous

    def _settled(self, item: EvidenceItem) -> EvidenceItem:
        """``item`` as the order's records say, when a review of it was cut off while it
        corrected the order (``review.settle``), its sidecar written so; else as it is."""
        intent = item.sidecar.get(CORRECTING)
        if intent is None or item.path is None:
            return item
        wanted = intent.get("review") if isinstance(intent, Mapping) else None
        order = str(wanted.get("order") or "") if isinstance(wanted, Mapping) else ""
        corrections = self.orders.corrections(order) if self.orders and order else []
        review = settle(intent, item.review, corrections)
        try:
            if review is None:  # its first review, and nothing was corrected
                content = without_intent(item.sidecar)
                write_sidecar(item.path, content)
            else:
                content = write_review(item.path, item.sidecar, review)
        except OSError as error:
            why = f"{error.filename or item.path}: {error.strerror or error}"
            raise VisionError(f"the review could not be saved: {why}") from None
        settled = (review.problem or review.correction) if review else "not reviewed"
        log.warning(
            "vision review %s/%s was cut off while correcting order %s: settled as %s",
            item.camera, item.stem, order, settled,
        )  # fmt: skip
        return dataclasses.replace(item, sidecar=content, review=review)

    def _take_back(
        self, item: EvidenceItem, review: Review, previous: Review | None, user: str
    ) -> None:
        """Undo the correction of a review that could not be saved."""
        before = (previous.applied_good, previous.applied_scrap) if previous else (0, 0)
        good_step, scrap_step = before[0] - review.applied_good, before[1] - review.applied_scrap
        if review.correction and (good_step or scrap_step) and self.orders is not None:
            reason = f"inspection review not saved: {item.camera} {item.stem} ({review.ref})"
            try:
                correct_order(self.orders, item.order, good_step, scrap_step, reason, user)
            except (LookupError, CorrectionError):
                log.exception(
                    "vision review %s/%s: correction not taken back", item.camera, item.stem
                )

    def _file(self, item: EvidenceItem, review: Review, previous: Review | None) -> Review:
        """The review into the sidecar and the labelled copy into the examples."""
        assert item.path is not None
        examples = self.data_dir / "vision" / "examples"
        review = dataclasses.replace(review, example=f"{review.label}/{item.image.name}")
        content = write_review(item.path, item.sidecar, review)
        example = file_example(
            examples, item.image, item.path, review.label, previous.example if previous else ""
        )
        if example != review.example:
            review = dataclasses.replace(review, example=example)
            content = write_review(item.path, item.sidecar, review)
        self.index.put(dataclasses.replace(item, sidecar=content, review=review))
        return review

    # -- models -------------------------------------------------------------------------------

    def models(self) -> list[ModelEntry]:
        """The project's models and those added here, each loaded once (sessions kept for
        a switch), with the cameras inspecting with it now."""
        entries = []
        for name, cfg in list(self.config.models.items()):
            slot = self._slot(name)
            added = self.library.added.get(name)
            entries.append(
                ModelEntry(
                    name=name,
                    path=cfg.path,
                    origin=ADDED if added is not None and added.path == cfg.path else PROJECT,
                    info=slot.model.info if slot.model is not None else None,
                    error=slot.error,
                    cameras=tuple(c for c, i in self.inspections.items() if i.slot.name == name),
                    added_by=added.added_by if added else "",
                    added_ts=added.ts if added else 0.0,
                )
            )
        return entries

    def add_model(self, path: str | Path, name: str, user: str) -> ModelEntry:
        """Add the model file at ``path`` as ``name`` (``vision.manage``): loaded first,
        copied into the data folder, kept in the store, audited."""
        source = Path(path).expanduser()
        if not user or not str(user).strip():
            raise VisionError("adding a model needs the name of the user")
        refusal = self.access.refusal(user, MANAGE, str(name))
        if refusal:
            self.access.record(user, MANAGE, str(name), status="refused", message=refusal,
                               file=str(source))  # fmt: skip
            raise VisionError(refusal)
        with self._manage_lock:  # two engineers adding one name: one wins
            problem = name_problem(name)
            if problem is None and name in self.config.models:
                problem = f"a model named {name} exists already ({self.config.models[name].path})"
            if problem is None and source.suffix.lower() != ".onnx":
                problem = f"{source}: a model is an .onnx file"
            if problem is None:
                try:
                    VisionModel.load(source)
                except ModelError as error:
                    problem = str(error)
            if problem is None:
                try:
                    copied = self.library.copy(source, name)
                    model = VisionModel.load(copied)
                    self.library.remember(name, copied, model, user)
                except (OSError, ModelError) as error:
                    self.library.discard(name)
                    problem = f"model {name} could not be added: {error}"
            if problem is not None:
                self.access.record(user, MANAGE, str(name), status="failed", message=problem,
                                   file=str(source))  # fmt: skip
                raise VisionError(problem)
            self.config.models[name] = ModelConfig(name, copied)
            with self._lock:
                slot = self.slots[name] = ModelSlot(self.config.models[name])
                slot.model, slot.error = model, ""
        self.access.record(user, MANAGE, name, added=str(source), file=str(copied),
                           sha256=model.info.sha256)  # fmt: skip
        log.info("vision model %s added from %s by %s", name, source, user)
        return next(e for e in self.models() if e.name == name)

    def samples(self, name: str) -> Path:
        """Where ``name``'s test images are: ``samples/`` beside its file, else the demo
        model's synthetic samples (made once), else the reviewed examples."""
        cfg = self._model_config(name)
        beside = cfg.path.parent / "samples"
        if beside.is_dir():
            return beside
        if is_demo_model(cfg.path):
            return demo_samples(self.data_dir / "vision" / "samples")
        return self.data_dir / "vision" / "examples"

    def _model_config(self, name: str) -> ModelConfig:
        cfg = self.config.models.get(name)
        if cfg is None:
            raise VisionError(
                f"no model '{name}': {did_you_mean(name, self.config.models, 'models')}"
            )
        return cfg

    def test_model(
        self,
        name: str,
        images: str | Path | None = None,
        threshold: float | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> TestRun:
        """Decide labelled images (``DIR/<label>/*.png``; the model's ``samples`` when
        None) at ``threshold`` (the model's when None), on a session of its own so the
        line's inspection is not slowed; may take seconds."""
        cfg = self._model_config(name)
        try:
            model = VisionModel.load(cfg.path, threads=1)
            folder = Path(images) if images is not None else self.samples(name)
            return run_test(model, folder, threshold, name=name, progress=progress)
        except (ModelError, EvaluationError, OSError) as error:
            raise VisionError(f"model {name}: {error}") from None

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
