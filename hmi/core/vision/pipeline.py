"""One camera's inspection: trigger → newest frame → model → exactly one decision per part.

Each camera has a thread of its own (``Inspection``); the values of its trigger tag are
handed to it with their timestamps, so a part's time is the PLC's edge, not the moment
the thread got round to it. For each part it takes a frame it has not used before that was
grabbed within ``max_age`` of the part, before or after it (waiting until ``max_age`` after
the part for one), and asks the camera's model, shared with the other cameras that use it
(``ModelSlot``: one session, one lock). When parts come faster than the model decides,
they wait their turn; a part whose turn comes more than ``max_age`` after it happened
would get a later part's image, so it is not inspected at all. Whatever goes wrong — no
fresh frame, inspection behind, a frame of the wrong size, a model that did not load or
failed — the part is still decided, as ``uninspected`` (never good), and the reason is
logged once, when it starts (the same reason with other figures is the same episode), and
once more when inspection works again.

The last ``RECENT`` decisions are kept for the live view: the newest with its frame as
grabbed, the earlier ones with a copy at most ``KEPT_SIDE`` pixels long (``shrunk``), so
twelve full-HD frames do not sit in memory for a strip of thumbnails.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from .cameras import RUNNING, Camera, Frame
from .config import CameraConfig, ModelConfig
from .model import GOOD_NAMES, Detection, Inference, ModelError, VisionModel
from .trigger import EdgeTrigger, PresenceTrigger

log = logging.getLogger(__name__)

GOOD, DEFECT, UNINSPECTED = "good", "defect", "uninspected"
TICK_S = 0.2  # longest wait for a value while nothing is pending
POLL_S = 0.01  # wait while a steady high may become a part (debounce)
INBOX = 10_000  # trigger readings waiting; more means the thread is stuck
RECENT = 12  # decisions kept per camera for the live view
KEPT_SIDE = 480  # px: the longest side of the image of a kept decision but the newest
BEHIND = "inspection is behind"  # parts waiting longer than max_age for their turn
FIGURES = re.compile(r"\d+(?:\.\d+)?")  # what may differ between reasons of one episode


@dataclass(frozen=True)
class Decision:
    """The one result of one part. ``score`` is None when uninspected; ``frame`` is the
    image decided on (None when there was none); ``latency_ms`` from grab to decision.
    ``scale``: the frame's image against the one grabbed, below 1 for a kept decision
    that is ``shrunk`` (its ROI, boxes and anomaly map scaled with it, so drawing them
    over its image stays right)."""

    camera: str
    part: int
    result: str  # good | defect | uninspected
    label: str
    score: float | None
    reason: str
    ts: float  # the part's time (wall clock)
    model: str
    sha256: str = ""
    latency_ms: float = 0.0
    inference: Inference | None = field(default=None, compare=False)
    frame: Frame | None = field(default=None, compare=False)
    scale: float = field(default=1.0, compare=False)


def shrunk(decision: Decision, side: int = KEPT_SIDE) -> Decision:
    """``decision`` with its image at most ``side`` pixels on its longest side and what is
    drawn over it (ROI, boxes, anomaly map, a simulation's truth boxes) scaled alike;
    ``decision`` itself when its image is that small already."""
    frame = decision.frame
    if frame is None or frame.image.ndim < 2 or max(frame.image.shape[:2]) <= side:
        return decision
    h, w = frame.image.shape[:2]
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    image = _resized(frame.image, size)
    image.flags.writeable = False
    sx, sy = image.shape[1] / w, image.shape[0] / h
    roi = frame.roi
    if roi is not None:
        x, y, rw, rh = roi
        roi = (round(x * sx), round(y * sy), max(1, round(rw * sx)), max(1, round(rh * sy)))
    meta = frame.meta
    if meta.get("boxes"):
        meta = {**meta, "boxes": [_scaled_box(b, sx, sy) for b in meta["boxes"]]}
    small = dataclasses.replace(frame, image=image, roi=roi, meta=meta)
    inference = decision.inference
    if inference is not None:
        amap = inference.anomaly_map
        if amap is not None and amap.ndim == 2 and max(amap.shape) > side:
            mh, mw = amap.shape
            amap = _resized(amap, (max(1, round(mw * sx)), max(1, round(mh * sy))))
        inference = dataclasses.replace(
            inference,
            anomaly_map=amap,
            detections=tuple(
                Detection((x0 * sx, y0 * sy, x1 * sx, y1 * sy), d.label, d.score)
                for d in inference.detections
                for x0, y0, x1, y1 in (d.box,)
            ),
        )
    return dataclasses.replace(decision, frame=small, inference=inference, scale=sx)


def _resized(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` at ``size`` (width, height): averaged where OpenCV takes its type and
    channels, else every n-th pixel."""
    try:
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
    except cv2.error:
        step = max(1, -(-image.shape[1] // size[0]), -(-image.shape[0] // size[1]))
        return np.ascontiguousarray(image[::step, ::step])


def _scaled_box(box: Any, sx: float, sy: float) -> tuple[Any, ...]:
    """(x0, y0, x1, y1, ...) with the corners scaled, the rest as it is."""
    x0, y0, x1, y1, *rest = box
    return (x0 * sx, y0 * sy, x1 * sx, y1 * sy, *rest)


class ModelSlot:
    """One model, loaded once and shared by the cameras that use it; ``infer`` calls are
    taken one at a time (a session is not made faster by two threads on two cores)."""

    def __init__(self, config: ModelConfig):
        self.config = config
        self.name = config.name
        self.model: VisionModel | None = None
        self.error = "not loaded yet"
        self._lock = threading.Lock()

    def load(self) -> ModelSlot:
        try:
            self.model = VisionModel.load(self.config.path, threads=self.config.threads)
            self.error = ""
        except ModelError as error:
            self.model, self.error = None, str(error)
            log.error("vision model %s cannot be used: %s", self.name, error)
        return self

    def infer(self, frame: Frame) -> Inference:
        model = self.model
        if model is None:
            raise ModelError(f"model {self.name} is not loaded: {self.error}")
        with self._lock:
            return model.infer(frame.image, frame.roi)


class CountTrigger:
    """A part per increment of an integer tag (a PLC's part counter). The first reading,
    a counter going back (reset) and a step above ``max_step`` (a counter set, not
    counted) make no part; a step of n makes n."""

    def __init__(self, max_step: int = 10):
        self.max_step = max_step
        self.last: int | None = None
        self.refused = 0  # steps too big to be parts

    def update(self, value: Any, ts: float) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return 0  # a Bad reading: the next good one continues from the last
        raw, last = int(value), self.last
        self.last = raw
        if last is None or raw <= last:
            return 0
        if raw - last > self.max_step:
            self.refused += 1
            log.warning("part counter stepped from %d to %d: not taken as parts", last, raw)
            return 0
        return raw - last


class Inspection:
    """The inspection thread of one camera; ``on_decision`` gets every ``Decision``."""

    def __init__(
        self,
        config: CameraConfig,
        camera: Camera,
        slot: ModelSlot,
        on_decision: Callable[[Decision], None],
    ):
        self.config = config
        self.name = config.name
        self.camera = camera
        self.slot = slot  # swapped by set_model, read once per part
        self.on_decision = on_decision
        self.threshold = config.threshold
        self.parts = 0
        self.problem = ""  # why the last part was not inspected; "" when it was
        self.recent: deque[bool] = deque(maxlen=config.window)  # inspected parts: defect?
        self._decisions: deque[Decision] = deque(maxlen=RECENT)
        self._decisions_lock = threading.Lock()
        self._inbox: queue.Queue[tuple[Any, float]] = queue.Queue(INBOX)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._used = -1  # the newest frame seq decided on
        self._seen = -1  # the newest frame seq the presence trigger looked at
        self._high = False  # the edge trigger's newest reading was high
        trig = config.trigger
        self._edge = self._count = self._presence = None
        if trig.kind == "edge":
            self._edge = EdgeTrigger(trig.debounce, trig.min_interval, trig.level)
        elif trig.kind == "count":
            self._count = CountTrigger(trig.max_step)
        else:
            self._presence = PresenceTrigger(
                trig.roi, enter=trig.enter, leave=trig.leave, debounce=trig.debounce,
                min_interval=trig.min_interval,
            )  # fmt: skip

    @property
    def defect_rate(self) -> float:
        """Defects in % of the inspected parts of the window."""
        with self._decisions_lock:
            recent = list(self.recent)
        return 100.0 * sum(recent) / len(recent) if recent else 0.0

    @property
    def window(self) -> int:
        """Inspected parts in the defect rate's window now."""
        with self._decisions_lock:
            return len(self.recent)

    def decisions(self) -> tuple[Decision, ...]:
        """The last ``RECENT`` decisions, oldest first (any thread)."""
        with self._decisions_lock:
            return tuple(self._decisions)

    # -- life ---------------------------------------------------------------------------------

    def start(self) -> Inspection:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"hmi-inspect-{self.name}")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop; parts already triggered are decided (uninspected) before it ends."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def feed(self, value: Any, ts: float) -> None:
        """A reading of the trigger tag (None: Bad) at ``ts`` (wall clock)."""
        try:
            self._inbox.put_nowait((value, ts))
        except queue.Full:
            log.error("camera %s: trigger readings are not being taken; one dropped", self.name)

    # -- the thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self._presence is not None:
                    self._watch_presence()
                else:
                    self._take_readings()
            except Exception:  # nothing may end the thread
                log.exception("camera %s: inspection failed", self.name)
                self._stop.wait(TICK_S)
        self._drain()

    def _take_readings(self, stopping: bool = False) -> None:
        pending = self._high  # a steady high may become a part without a new reading
        try:
            value, ts = self._inbox.get(timeout=0 if stopping else POLL_S if pending else TICK_S)
        except queue.Empty:
            if self._edge is not None and (trigger := self._edge.poll(time.time())):
                self._part(trigger.ts, stopping)
            return
        if self._count is not None:
            for _ in range(self._count.update(value, ts)):
                self._part(ts, stopping)
        elif self._edge is not None:
            self._high = bool(self._edge.level_of(value))
            if trigger := self._edge.update(value, ts):
                self._part(trigger.ts, stopping)

    def _watch_presence(self) -> None:
        assert self._presence is not None
        frame = self.camera.latest(self._seen, TICK_S)
        if frame is None:
            return
        self._seen = frame.seq
        trigger = self._presence.update(frame.image, frame.ts)
        if trigger is not None:
            self._part(trigger.ts, False, frame)

    def _drain(self) -> None:
        """Readings that arrived before the stop: their parts are decided, uninspected."""
        while not self._inbox.empty():
            self._take_readings(stopping=True)

    # -- one part -----------------------------------------------------------------------------

    def _part(self, ts: float, stopping: bool, frame: Frame | None = None) -> None:
        self.parts += 1
        slot = self.slot
        try:
            if stopping:
                decision = self._uninspected(ts, slot, "the station stopped before it was seen")
            else:
                decision = self._decide(ts, slot, frame)
        except Exception as error:  # a decision for every part, whatever happened
            log.exception("camera %s: part %d", self.name, self.parts)
            decision = self._uninspected(ts, slot, f"inspection failed: {error}")
        self._note(decision)
        try:
            self.on_decision(decision)
        except Exception:
            log.exception("camera %s: handing on the decision failed", self.name)

    def _decide(self, ts: float, slot: ModelSlot, frame: Frame | None) -> Decision:
        found = frame or self._frame_for(ts)
        if isinstance(found, str):
            return self._uninspected(ts, slot, found)
        frame = found
        self._used = max(self._used, frame.seq)
        if frame.problem:
            return self._uninspected(ts, slot, frame.problem, frame)
        try:
            inference = slot.infer(frame)
        except ModelError as error:
            return self._uninspected(ts, slot, str(error), frame)
        score = inference.score
        defect = inference.defect if self.threshold is None else score >= self.threshold
        label = inference.label
        if defect and label.lower() in GOOD_NAMES:
            label = "defect"
        elif not defect:
            label = "good"
        model = slot.model
        return Decision(
            self.name, self.parts, DEFECT if defect else GOOD, label, score, "", ts, slot.name,
            model.info.sha256 if model else "", (time.time() - frame.ts) * 1000, inference, frame,
        )  # fmt: skip

    def _frame_for(self, ts: float) -> Frame | str:
        """The newest frame not used before grabbed within ``max_age`` of the part at
        ``ts``, waiting until ``max_age`` after it for one; else why there is none. A frame
        grabbed later than that shows a later part, so a part decided that late is not
        inspected at all."""
        max_age = self.config.max_age
        late = time.time() - ts
        if late > max_age:
            return self._behind(late)
        deadline = time.monotonic() + min(max_age, max_age - late)
        after = self._used
        while True:
            frame = self.camera.latest(after, max(0.0, deadline - time.monotonic()))
            if frame is None:
                return self._no_frame()
            if frame.ts > ts + max_age:
                return self._behind(time.time() - ts)
            if frame.ts >= ts - max_age:
                return frame
            after = frame.seq
            if time.monotonic() >= deadline:
                return self._no_frame()

    def _behind(self, late: float) -> str:
        shown = f"{late:.{1 if late >= 1 else 2}f}"  # never "0.3 s late, limit 0.3 s"
        return f"{BEHIND}: part decided {shown} s late, limit max_age {self.config.max_age:g} s"

    def _no_frame(self) -> str:
        status = self.camera.status()
        if status.state != RUNNING:
            return f"no fresh frame: camera {status.state} ({status.reason})"
        return f"no fresh frame: none within {self.config.max_age:g} s of the part"

    def _uninspected(
        self, ts: float, slot: ModelSlot, reason: str, frame: Frame | None = None
    ) -> Decision:
        return Decision(
            self.name, self.parts, UNINSPECTED, UNINSPECTED, None, reason, ts, slot.name,
            frame=frame,
        )  # fmt: skip

    def _note(self, decision: Decision) -> None:
        """Keep the last decisions (the one before this shrunk now, once) and the defect
        rate's window; log a reason once per episode, and the recovery once (when behind,
        once the readings waiting are taken: a part now and then in time is no recovery)."""
        with self._decisions_lock:
            previous = self._decisions[-1] if self._decisions else None
        kept = previous
        if previous is not None:  # only this thread changes the decisions kept
            try:
                kept = shrunk(previous)
            except Exception:  # a shrinking gone wrong must not cost the part its count
                log.exception("camera %s: part %d kept as it is", self.name, previous.part)
        with self._decisions_lock:
            if kept is not None and kept is not previous:
                self._decisions[-1] = kept
            self._decisions.append(decision)
            if decision.result != UNINSPECTED:
                self.recent.append(decision.result == DEFECT)
        if decision.result == UNINSPECTED:
            episode = FIGURES.sub("#", decision.reason)
            if episode != FIGURES.sub("#", self.problem):
                log.warning("camera %s: parts uninspected: %s", self.name, decision.reason)
            self.problem = decision.reason
            return
        if self.problem.startswith(BEHIND) and not self._inbox.empty():
            return  # one part made it in time, the others still wait: still behind
        if self.problem:
            log.warning("camera %s: inspecting again", self.name)
        self.problem = ""
