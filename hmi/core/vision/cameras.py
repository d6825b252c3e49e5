"""Cameras: one grabber thread per camera that keeps only the newest frame.

A model slower than the camera must never build a queue (each queued frame is a part
that has already left): the grabber overwrites the one frame it holds, and a frame that
was replaced before anyone took it is counted as dropped. Consumers ask ``latest()`` for
a frame newer than the one they had; a view that only looks ``peek()``s, taking nothing.

Sources: a USB index (``0`` or ``"0"``), ``rtsp://`` and ``http(s)://`` streams and video
files through OpenCV's VideoCapture, a folder of images (looping, re-read each pass so new
images join), ``"sim:press"`` (synthetic profile surfaces with defects at a set rate, more
while ``fault`` is set) and any callable returning an image.

States: ``connecting`` (opening, or reopening after the stream was lost), ``running``,
``stalled`` (running, but no frame for several frame periods: worked out when asked, as
the grabber itself may sit in a blocking read), ``failed`` (cannot open, with the source
named; retried with the connection policy's backoff). A frame of another size, channel
count or type than the camera expects is still delivered, with ``problem`` saying what is
wrong: the consumer decides what to do with it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np

from ..connection import ConnectionPolicy, ConnectionState
from ..words import describe_value, did_you_mean

log = logging.getLogger(__name__)
# OpenCV's own warnings (a stream timeout, a backend that cannot open a name) would go to
# stderr in its words; the camera's state and log say the same with the camera named.
cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)

Roi = tuple[int, int, int, int]  # x, y, width, height in frame pixels
Generator = Callable[..., tuple[np.ndarray, dict[str, Any]]]

CONNECTING, RUNNING, STALLED, FAILED, STOPPED = (
    "connecting",
    "running",
    "stalled",
    "failed",
    "stopped",
)
STREAM_SCHEMES = ("rtsp", "rtsps", "http", "https")
SIMULATED = ("sim:press",)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
MAX_FOLDER_IMAGES = 100_000  # a folder source reads at most this many names per pass
STALL_PERIODS = 5  # no frame for this many frame periods: stalled
STALL_FLOOR = 0.5  # s: never stalled sooner (scheduling jitter of a busy PC)
FPS_WINDOW = 2.0  # s: the measured frame rate counts the frames of this window
PACED_FPS = 10.0  # frames/s of a folder, a simulation or a callable when none is set
FILE_FPS = 25.0  # a video file that does not say its own rate
SIM_POOL_BYTES = 8 * 2**20  # the simulated press's surfaces drawn once: about this much
SIM_POOL = (8, 48)  # ... and within this many surfaces
SIM_SLIDE = 16  # a simulated frame slides along the profile by up to 1/16 of its width

# Cameras reconnect more patiently than PLCs: opening a stream costs more than a socket,
# and a camera that is gone is usually gone for a while. ``timeout`` is the longest read
# before a stream counts as lost, ``connect_timeout`` the longest open.
CAMERA_POLICY = ConnectionPolicy(
    timeout=5.0,
    connect_timeout=5.0,
    retries=0,
    reconnect_min=0.5,
    reconnect_max=5.0,
    demote_after=5,
    demote_for=10.0,
)


class SourceError(Exception):
    """A source cannot be opened, or was lost; the message names it and says why."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One grabbed image (read-only: consumers share it; copy before drawing on it)."""

    image: np.ndarray
    ts: float  # wall-clock time of the grab (time.time), for evidence and records
    seq: int  # 0, 1, 2 ... per camera; a gap is frames the consumer never saw
    mono: float = 0.0  # monotonic time of the grab, for latencies
    roi: Roi | None = None  # the camera's region of interest when grabbed
    problem: str = ""  # wrong size / channels / type, or a ROI outside the frame
    meta: Mapping[str, Any] = field(default_factory=dict)  # a simulation's ground truth

    def region(self) -> np.ndarray:
        """The ROI's pixels (a view, no copy), clipped to the frame; the whole frame
        without a ROI."""
        if self.roi is None:
            return self.image
        x, y, w, h = self.roi
        return self.image[max(0, y) : max(0, y + h), max(0, x) : max(0, x + w)]


@dataclass(frozen=True, slots=True)
class CameraStatus:
    name: str
    source: str
    state: str
    reason: str
    fps: float  # measured over the last FPS_WINDOW seconds
    frames: int  # grabbed since start
    dropped: int  # grabbed but replaced before anyone took them
    bad_frames: int  # images a source could not deliver (an unreadable file ...)
    odd_frames: int  # frames delivered with a problem (size, channels, type, ROI)
    age: float | None  # s since the newest frame; None before the first


def check_roi(roi: Any) -> str | None:
    """What is wrong with a ROI value, or None: four whole numbers x, y, width, height,
    x and y not negative, width and height above zero."""
    if roi is None:
        return None
    if isinstance(roi, str | bytes) or not hasattr(roi, "__len__") or len(roi) != 4:
        return f"roi {describe_value(roi)} is not four whole numbers x, y, width, height"
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in roi):
        return f"roi {describe_value(list(roi))} is not four whole numbers x, y, width, height"
    x, y, w, h = (int(v) for v in roi)
    if x < 0 or y < 0:
        return f"roi ({x}, {y}, {w}, {h}) starts left of or above the image"
    if w <= 0 or h <= 0:
        return f"roi ({x}, {y}, {w}, {h}) has no area (width and height must be above 0)"
    return None


def frame_problem(
    image: np.ndarray,
    roi: Roi | None = None,
    size: tuple[int, int] | None = None,
    channels: int | None = None,
) -> str:
    """What is wrong with ``image`` for a camera expecting ``size`` (width, height),
    ``channels`` and 8-bit pixels, with ``roi`` inside it; empty when nothing is."""
    problems = []
    if image.ndim not in (2, 3):
        return f"frame has {image.ndim} dimensions {image.shape}, not an image"
    h, w = image.shape[:2]
    got_channels = 1 if image.ndim == 2 else image.shape[2]
    if size is not None and (w, h) != tuple(size):
        problems.append(f"frame is {w}x{h}, expected {size[0]}x{size[1]}")
    if channels is not None and got_channels != channels:
        problems.append(f"frame has {got_channels} channel(s), expected {channels}")
    if image.dtype != np.uint8:
        problems.append(f"frame pixels are {image.dtype}, expected uint8")
    if roi is not None:
        x, y, rw, rh = roi
        if x + rw > w or y + rh > h:
            problems.append(f"roi ({x}, {y}, {rw}, {rh}) reaches outside the {w}x{h} frame")
    return "; ".join(problems)


def describe_source(source: Any) -> str:
    """How messages name a source; a password in a URL is not shown."""
    if callable(source) and not isinstance(source, str):
        return str(getattr(source, "label", None) or getattr(source, "__name__", "a function"))
    if isinstance(source, int) or (isinstance(source, str) and source.strip().isdigit()):
        return f"USB camera {int(source)}"
    text = str(source)
    parts = urlsplit(text)
    if parts.scheme in STREAM_SCHEMES and parts.password:
        netloc = f"{parts.username}:***@{parts.hostname}"
        if parts.port:
            netloc += f":{parts.port}"
        text = urlunsplit(parts._replace(netloc=netloc))
    return text


def check_source(source: Any) -> str | None:
    """What is wrong with a camera source as written, or None. A path that does not
    exist (yet) is not wrong here: the camera says so while it runs and retries."""
    if isinstance(source, bool):
        return f"camera source {describe_value(source)} is neither a USB index, a URL nor a path"
    if isinstance(source, int):
        return None if source >= 0 else f"USB camera index {source} is below 0"
    if isinstance(source, os.PathLike) or _is_source(source):
        return None
    if callable(source):
        return None
    if not isinstance(source, str) or not source.strip():
        return f"camera source {describe_value(source)} is neither a USB index, a URL nor a path"
    text = source.strip()
    if text.startswith("sim:"):
        if text in SIMULATED:
            return None
        hint = did_you_mean(text, SIMULATED, "simulated cameras")
        return f"unknown simulated camera '{text}': {hint}"
    scheme = urlsplit(text).scheme
    if len(scheme) > 1 and "://" in text and scheme not in STREAM_SCHEMES:
        return (
            f"camera source '{describe_source(text)}': the scheme '{scheme}' is not one of "
            f"{', '.join(STREAM_SCHEMES)}"
        )
    return None


def _is_source(source: Any) -> bool:
    """A ready source object (a SimulatedPress, or one of a plant's own)."""
    return all(hasattr(source, name) for name in ("open", "read", "close", "label", "paced"))


# -- sources -------------------------------------------------------------------------------


class FrameSource(Protocol):
    label: str
    paced: bool  # the camera spaces the reads itself (files, folders, simulations)
    nominal_fps: float | None  # the rate the source says it has, once open

    def open(self, policy: ConnectionPolicy) -> None: ...

    def read(self) -> np.ndarray | str:
        """The next image, or a string saying why this one image is missing (skipped);
        raises SourceError when the source is lost."""
        ...

    def close(self) -> None: ...


class _Capture:
    """A VideoCapture: USB index, stream URL or video file."""

    def __init__(self, target: int | str, label: str, kind: str):
        self.target = target
        self.label = label
        self.kind = kind  # "usb" | "stream" | "file"
        self.paced = kind == "file"
        self.nominal_fps: float | None = None
        self._cap: cv2.VideoCapture | None = None
        self._read_timeout = CAMERA_POLICY.timeout

    def open(self, policy: ConnectionPolicy) -> None:
        self._read_timeout = policy.timeout
        if self.kind == "file":
            path = Path(str(self.target))
            if not path.is_file():
                raise SourceError(f"cannot open {self.label}: no such file")
            cap = cv2.VideoCapture(str(path))
        elif self.kind == "stream":
            params = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                int(policy.connect_timeout * 1000),
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                int(policy.timeout * 1000),
            ]
            cap = cv2.VideoCapture(str(self.target), cv2.CAP_FFMPEG, params)
        else:
            cap = cv2.VideoCapture(int(self.target))
        if not cap.isOpened():
            cap.release()
            what = "not a video OpenCV can read" if self.kind == "file" else "no answer"
            raise SourceError(f"cannot open {self.label}: {what}")
        fps = cap.get(cv2.CAP_PROP_FPS)
        self.nominal_fps = fps if 0 < fps < 1000 else None
        self._cap = cap

    def read(self) -> np.ndarray | str:
        cap = self._cap
        if cap is None:
            raise SourceError(f"{self.label} is not open")
        ok, image = cap.read()
        if ok and image is not None:
            return image
        if self.kind == "file":  # the end: loop back to the start
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = cap.read()
            if ok and image is not None:
                return image
            raise SourceError(f"{self.label}: no frame could be read from the file")
        raise SourceError(
            f"{self.label}: the stream ended or gave no frame within {self._read_timeout:g} s"
        )

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class _Folder:
    """The images of a folder in name order, looping; the folder is listed again at the
    start of each pass so images added meanwhile join."""

    paced = True
    nominal_fps: float | None = None

    def __init__(self, path: Path):
        self.path = path
        self.label = f"image folder {path}"
        self._files: list[Path] = []
        self._next = 0

    def _list(self) -> list[Path]:
        try:
            with os.scandir(self.path) as entries:
                names = []
                for entry in entries:
                    if Path(entry.name).suffix.lower() in IMAGE_SUFFIXES:
                        names.append(entry.name)
                        if len(names) >= MAX_FOLDER_IMAGES:
                            break
        except OSError as exc:
            raise SourceError(f"cannot read {self.label}: {exc.strerror or exc}") from exc
        if not names:
            suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
            raise SourceError(f"{self.label} has no images ({suffixes})")
        return [self.path / name for name in sorted(names)]

    def open(self, policy: ConnectionPolicy) -> None:
        if not self.path.is_dir():
            raise SourceError(f"cannot open {self.label}: no such folder")
        self._files = self._list()
        self._next = 0

    def read(self) -> np.ndarray | str:
        if self._next >= len(self._files):
            self._files = self._list()
            self._next = 0
        path = self._files[self._next]
        self._next += 1
        image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)  # as it is: the consumer decides
        if image is None:
            return f"{path}: not an image OpenCV can read"
        return image

    def close(self) -> None:
        self._files = []


class _Callable:
    paced = True
    nominal_fps: float | None = None

    def __init__(self, function: Callable[[], Any]):
        self.function = function
        self.label = describe_source(function)

    def open(self, policy: ConnectionPolicy) -> None:
        pass

    def read(self) -> np.ndarray | str:
        try:
            image = self.function()
        except Exception as exc:
            raise SourceError(f"{self.label} failed: {type(exc).__name__}: {exc}") from exc
        if image is None:
            return f"{self.label} gave no image"
        if not isinstance(image, np.ndarray):
            return f"{self.label} gave {describe_value(image)}, not an image"
        return image

    def close(self) -> None:
        pass


class SimulatedPress:
    """The demo press's inspection camera: brushed-aluminium profile surfaces, a defect on
    ``defect_rate`` of them (``fault_rate`` while ``fault`` is set: a worn die).

    ``generator(rng, size=(h, w), defect=name_or_None)`` makes one image and its truth;
    by default ``hmi.core.vision.synthetic.surface_image``. Each frame's ``meta`` carries
    the truth (``label``, ``boxes``) so a demo or a test can check the decisions.

    Drawing a surface costs about 10 ms of CPU at 256x256, a tenth of a core at 10 frames/s
    for frames that are nearly all thrown away; so a pool of good and of defective surfaces
    (each kind alike) is drawn once, when first opened, a little wider than the frame, and
    each read picks one, defective with the rate in force, and shows it slid along the
    profile by a random few pixels (a copy of that view: the moving profile under the
    camera), the truth's boxes moved with it and the defect kept in the picture.
    """

    paced = True
    nominal_fps: float | None = None
    label = "sim:press"

    def __init__(
        self,
        *,
        defect_rate: float = 0.03,
        fault_rate: float = 0.3,
        size: tuple[int, int] = (256, 256),  # height, width
        seed: int | None = None,
        generator: Generator | None = None,
        defects: tuple[str, ...] | None = None,
    ):
        for name, rate in (("defect_rate", defect_rate), ("fault_rate", fault_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} {describe_value(rate)} is not between 0 and 1")
        self.defect_rate = defect_rate
        self.fault_rate = fault_rate
        self.fault = False  # set while a fault is simulated (read by the grabber thread)
        self.size = size
        self.rng = np.random.default_rng(seed)
        self.generator = generator
        self.defects = defects
        self.last_truth: dict[str, Any] = {}
        self.slide = max(1, int(size[1]) // SIM_SLIDE)  # px a frame may slide along x
        self.good: list[tuple[np.ndarray, dict[str, Any]]] = []  # the pool, once opened
        self.defective: list[tuple[np.ndarray, dict[str, Any]]] = []

    def open(self, policy: ConnectionPolicy) -> None:
        if self.generator is None or self.defects is None:
            try:
                from . import synthetic  # type: ignore[attr-defined,unused-ignore]
            except ImportError as exc:
                raise SourceError(
                    f"{self.label}: the synthetic surface generator is not available ({exc})"
                ) from exc
            if self.generator is None:
                self.generator = synthetic.surface_image
            if self.defects is None:
                self.defects = tuple(synthetic.DEFECTS)
        if not self.good:  # kept when the camera reopens
            self._draw_pool()

    def pool_sizes(self) -> tuple[int, int]:
        """How many good and defective surfaces the pool holds: about ``SIM_POOL_BYTES``
        of images, within ``SIM_POOL`` surfaces, every defect kind alike and at least once."""
        kinds = len(self.defects or ()) or 1
        h, w = int(self.size[0]), int(self.size[1]) + self.slide
        count = min(max(SIM_POOL_BYTES // max(1, h * w * 3), SIM_POOL[0]), SIM_POOL[1])
        good = max(count // 2, SIM_POOL[0] // 2)
        return good, kinds * max(1, round((count - good) / kinds))

    def _draw_pool(self) -> None:
        generator, defects = self.generator, self.defects
        if generator is None or not defects:
            raise SourceError(f"{self.label}: no generator or no defect kinds to draw")
        size = (int(self.size[0]), int(self.size[1]) + self.slide)
        good_count, defect_count = self.pool_sizes()
        good: list[tuple[np.ndarray, dict[str, Any]]] = []
        defective: list[tuple[np.ndarray, dict[str, Any]]] = []
        try:
            for n in range(good_count + defect_count):
                defect = None if n < good_count else str(defects[(n - good_count) % len(defects)])
                image, truth = generator(self.rng, size=size, defect=defect)
                image.flags.writeable = False
                kept = {
                    "label": truth.get("label", defect or "good"),
                    "defect": defect,
                    "boxes": list(truth.get("boxes", [])),
                }
                (good if defect is None else defective).append((image, kept))
        except Exception as exc:
            raise SourceError(f"{self.label}: the generator failed: {exc}") from exc
        self.good, self.defective = good, defective

    def read(self) -> np.ndarray | str:
        if not self.good or not self.defective:
            raise SourceError(f"{self.label} is not open")
        rate = self.fault_rate if self.fault else self.defect_rate
        pool = self.defective if self.rng.random() < rate else self.good
        image, truth = pool[int(self.rng.integers(len(pool)))]
        width = int(self.size[1])
        shift = self._shift(truth["boxes"], width)
        self.last_truth = {
            "label": truth["label"],
            "defect": truth["defect"],
            "boxes": [
                (max(0, b[0] - shift), b[1], min(width, b[2] - shift), b[3], *b[4:])
                for b in truth["boxes"]
            ],
        }
        return np.ascontiguousarray(image[:, shift : shift + width])

    def _shift(self, boxes: list[Any], width: int) -> int:
        """How far this frame's view slides: anywhere for a good surface, else where the
        defect stays in the picture (centred on it when it is wider than the frame)."""
        if not boxes:
            return int(self.rng.integers(self.slide + 1))
        x0 = min(int(b[0]) for b in boxes)
        x1 = max(int(b[2]) for b in boxes)
        low, high = max(0, x1 - width), min(self.slide, x0)
        if low <= high:
            return int(self.rng.integers(low, high + 1))
        return min(max(0, (x0 + x1 - width) // 2), self.slide)

    def close(self) -> None:
        pass


def open_source(source: Any) -> FrameSource:
    """The source for a camera's ``source`` setting; ValueError (with ``check_source``'s
    message) when it cannot be one."""
    problem = check_source(source)
    if problem:
        raise ValueError(problem)
    if _is_source(source):
        return source
    if callable(source):
        return _Callable(source)
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    label = describe_source(source)
    if isinstance(source, int):
        return _Capture(source, label, "usb")
    text = str(source).strip()
    if text.isdigit():
        return _Capture(int(text), label, "usb")
    if text in SIMULATED:
        return SimulatedPress()
    if urlsplit(text).scheme in STREAM_SCHEMES:
        return _Capture(text, label, "stream")
    path = Path(text).expanduser()
    if path.is_dir():
        return _Folder(path)
    return _Capture(str(path), f"video file {path}", "file")


# -- the camera ----------------------------------------------------------------------------


class Camera:
    """One camera and its grabber thread.

    ``fps`` is the rate a folder, a file, a simulation or a callable is read at, and the
    rate a live source is expected to keep (stall detection); ``size`` (width, height) and
    ``channels`` what frames should be (a frame that differs carries a ``problem``).
    ``policy`` gives the open and read timeouts and the reconnection backoff.
    """

    def __init__(
        self,
        name: str,
        source: Any,
        *,
        fps: float | None = None,
        roi: Roi | None = None,
        size: tuple[int, int] | None = None,
        channels: int | None = None,
        policy: ConnectionPolicy = CAMERA_POLICY,
        stall_after: float | None = None,
    ):
        if fps is not None and not (0 < fps <= 1000):
            raise ValueError(f"camera '{name}': fps {describe_value(fps)} is not in 0..1000")
        self.name = name
        self.fps = fps
        self.size = size
        self.channels = channels
        self.policy = policy
        self.stall_after = stall_after
        self.roi = roi  # checked by the setter
        self._source = open_source(source)
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._frame: Frame | None = None
        self._taken = -1  # newest seq handed to a consumer
        self._seq = 0
        self._dropped = 0
        self._bad = 0
        self._odd = 0
        self._times: deque[float] = deque(maxlen=1024)
        self._state = STOPPED
        self._reason = "not started"
        self._running_since = 0.0
        self._last_problem = ""

    @property
    def source(self) -> str:
        return self._source.label

    @property
    def roi(self) -> Roi | None:
        return self._roi

    @roi.setter
    def roi(self, roi: Roi | None) -> None:
        problem = check_roi(roi)
        if problem:
            raise ValueError(f"camera '{self.name}': {problem}")
        self._roi = None if roi is None else (int(roi[0]), int(roi[1]), int(roi[2]), int(roi[3]))

    @property
    def simulation(self) -> SimulatedPress | None:
        """The simulated press behind a ``sim:press`` camera (to set its ``fault``)."""
        return self._source if isinstance(self._source, SimulatedPress) else None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Camera:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._set_state(CONNECTING, f"opening {self.source}")
        self._thread = threading.Thread(
            target=self._run, name=f"hmi-camera-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop grabbing; True when the thread ended within ``timeout`` (a blocking read of
        a live stream can hold it up to the policy's read timeout)."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("camera %s: the grabber did not stop within %g s", self.name, timeout)
                return False
        self._thread = None
        self._set_state(STOPPED, "stopped")
        return True

    # -- consumers ---------------------------------------------------------------------------

    def latest(self, after_seq: int = -1, timeout: float = 0.0) -> Frame | None:
        """The newest frame if it is newer than ``after_seq``, waiting up to ``timeout``
        seconds for one; None when there is none."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._frame is None or self._frame.seq <= after_seq:
                left = deadline - time.monotonic()
                if left <= 0 or self._stop.is_set():
                    return None
                self._cond.wait(left)
            frame = self._frame
            self._taken = max(self._taken, frame.seq)
            return frame

    def peek(self) -> Frame | None:
        """The newest frame (None before the first) without taking it: a view that looks
        at it many times a second leaves the dropped count saying what the inspection
        missed."""
        with self._cond:
            return self._frame

    def status(self) -> CameraStatus:
        now = time.monotonic()
        with self._cond:
            state, reason = self._state, self._reason
            newest = self._frame
            times = list(self._times)
            frames, dropped, bad, odd = self._seq, self._dropped, self._bad, self._odd
            since = self._running_since
        age = None if newest is None else now - newest.mono
        if state == RUNNING and age is not None:
            limit = self.stall_limit()
            if age > limit:
                state = STALLED
                reason = (
                    f"no frame from {self.source} for {age:.1f} s (stalled after {limit:.1f} s)"
                )
        fps = 0.0
        window = min(FPS_WINDOW, now - since) if since else 0.0
        if window > 0 and state in (RUNNING, STALLED):
            fps = sum(1 for t in times if t > now - window) / window
        return CameraStatus(
            self.name, self.source, state, reason, fps, frames, dropped, bad, odd, age
        )

    def frame_period(self) -> float:
        """Seconds between frames: the set rate, else the source's own, else measured."""
        if self.fps:
            return 1.0 / self.fps
        if self._source.nominal_fps:
            return 1.0 / self._source.nominal_fps
        with self._cond:
            times = list(self._times)[-32:]
        if len(times) >= 2 and times[-1] > times[0]:
            return (times[-1] - times[0]) / (len(times) - 1)
        return 1.0 / PACED_FPS

    def stall_limit(self) -> float:
        if self.stall_after is not None:
            return self.stall_after
        return max(STALL_FLOOR, STALL_PERIODS * self.frame_period())

    # -- the grabber -------------------------------------------------------------------------

    def _set_state(self, state: str, reason: str) -> None:
        with self._cond:
            old = self._state
            self._state, self._reason = state, reason
            if state == RUNNING and old != RUNNING:
                self._running_since = time.monotonic()
                self._times.clear()
        if state != old:
            level = logging.WARNING if state == FAILED else logging.INFO
            log.log(level, "camera %s: %s (%s)", self.name, state, reason)

    def _run(self) -> None:
        connection = ConnectionState(self.policy)
        while not self._stop.is_set():
            try:
                self._source.open(self.policy)
            except Exception as exc:  # cv2.error and OSError as much as SourceError
                wait = connection.failed()
                reason = exc if isinstance(exc, SourceError) else f"{self.source}: {exc}"
                self._set_state(FAILED, f"{reason}; next attempt in {wait:.1f} s")
                self._stop.wait(wait)
                continue
            try:
                self._grab(connection)
            finally:
                self._source.close()

    def _grab(self, connection: ConnectionState) -> None:
        """Read frames until the source is lost or the camera stops."""
        next_at = time.monotonic()
        while not self._stop.is_set():
            if self._source.paced:
                period = self.fps and 1.0 / self.fps
                period = period or (1.0 / (self._source.nominal_fps or PACED_FPS))
                wait = next_at - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    return
                next_at = max(next_at + period, time.monotonic())  # late: never catch up
            try:
                image = self._source.read()
            except Exception as exc:
                wait = connection.failed()
                reason = exc if isinstance(exc, SourceError) else f"{self.source}: {exc}"
                self._set_state(CONNECTING, f"lost: {reason}; reopening in {wait:.1f} s")
                self._stop.wait(wait)
                return
            if isinstance(image, str):
                with self._cond:
                    self._bad += 1
                if image != self._last_problem:
                    log.warning("camera %s: %s", self.name, image)
                    self._last_problem = image
                continue
            if connection.succeeded() or self._state != RUNNING:
                self._set_state(RUNNING, f"{self.source}")
            self._publish(image)

    def _publish(self, image: np.ndarray) -> None:
        roi = self._roi
        problem = frame_problem(image, roi, self.size, self.channels)
        if problem and problem != self._last_problem:
            log.warning("camera %s: %s", self.name, problem)
        self._last_problem = problem or self._last_problem
        image.flags.writeable = False
        meta = getattr(self._source, "last_truth", None) or {}
        now = time.monotonic()
        with self._cond:
            previous = self._frame
            if previous is not None and previous.seq > self._taken:
                self._dropped += 1
            if problem:
                self._odd += 1
            self._frame = Frame(image, time.time(), self._seq, now, roi, problem, dict(meta))
            self._seq += 1
            self._times.append(now)
            self._cond.notify_all()
