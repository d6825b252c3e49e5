"""Cameras on real sources: an image folder, a video file written here, an MJPEG stream
served over HTTP on 127.0.0.1 (stalled, killed and brought back), the simulated press
(its surfaces drawn once, at the rates asked), a consumer slower than the camera and a
view that only peeks."""

from __future__ import annotations

import itertools
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
import pytest

from hmi.core.connection import ConnectionPolicy
from hmi.core.vision.cameras import (
    Camera,
    SimulatedPress,
    check_roi,
    check_source,
    describe_source,
    frame_problem,
)
from tests.helpers import free_port, wait_until

FAST = ConnectionPolicy(
    timeout=1.0,
    connect_timeout=1.0,
    retries=0,
    reconnect_min=0.05,
    reconnect_max=0.3,
    demote_after=100,
    demote_for=0.3,
)


def grey(level: int, size: tuple[int, int] = (64, 48), channels: int = 3) -> np.ndarray:
    w, h = size
    shape = (h, w, channels) if channels > 1 else (h, w)
    return np.full(shape, level, np.uint8)


def take(camera: Camera, count: int, timeout: float = 10.0) -> list:
    """``count`` successive frames as a consumer takes them (bounded in count and time)."""
    frames: list = []
    seq = -1
    deadline = time.monotonic() + timeout
    while len(frames) < count and time.monotonic() < deadline:
        frame = camera.latest(seq, timeout=0.5)
        if frame is not None:
            frames.append(frame)
            seq = frame.seq
    assert len(frames) == count, f"only {len(frames)} of {count} frames in {timeout} s"
    return frames


@pytest.fixture
def cameras():
    started: list[Camera] = []
    yield started
    for camera in started:
        assert camera.stop(5.0), f"camera {camera.name} did not stop"


# -- image folder --------------------------------------------------------------------------


def test_image_folder_loops_in_name_order_and_says_what_it_skips(tmp_path, cameras):
    for i in range(4):
        cv2.imwrite(str(tmp_path / f"img{i}.png"), grey(40 * (i + 1)))
    (tmp_path / "img1b.png").write_bytes(b"not a png at all")  # between img1 and img2
    (tmp_path / "notes.txt").write_text("ignored")
    camera = Camera("folder", str(tmp_path), fps=100, policy=FAST, size=(64, 48), channels=3)
    cameras.append(camera.start())
    levels = [int(f.image[0, 0, 0]) for f in take(camera, 10)]
    start = levels.index(40)
    assert levels[start : start + 4] == [40, 80, 120, 160]  # the broken file skipped
    assert set(levels) == {40, 80, 120, 160}
    status = camera.status()
    assert status.state == "running" and status.source == f"image folder {tmp_path}"
    assert status.bad_frames >= 1 and status.odd_frames == 0
    assert 0 < status.fps <= 130  # measured, and the folder is paced at the set rate


def test_a_frame_of_the_wrong_size_or_channels_is_delivered_with_the_problem(tmp_path, cameras):
    cv2.imwrite(str(tmp_path / "a.png"), grey(50))
    cv2.imwrite(str(tmp_path / "b.png"), grey(90, size=(32, 24), channels=1))
    camera = Camera("odd", tmp_path, fps=100, policy=FAST, size=(64, 48), channels=3)
    cameras.append(camera.start())
    frames = {int(f.image.flat[0]): f for f in take(camera, 4)}
    assert frames[50].problem == ""
    assert frames[90].problem == (
        "frame is 32x24, expected 64x48; frame has 1 channel(s), expected 3"
    )
    assert camera.status().odd_frames >= 1


def test_an_empty_folder_fails_with_its_name_and_runs_once_images_arrive(tmp_path, cameras):
    camera = Camera("empty", tmp_path, fps=50, policy=FAST)
    cameras.append(camera.start())
    wait_until(lambda: camera.status().state == "failed", 5, "failed")
    reason = camera.status().reason
    assert reason.startswith(f"image folder {tmp_path} has no images") and "next attempt" in reason
    cv2.imwrite(str(tmp_path / "late.png"), grey(77))
    wait_until(lambda: camera.status().state == "running", 5, "running after the image came")
    assert int(take(camera, 1)[0].image[0, 0, 0]) == 77


# -- video file ----------------------------------------------------------------------------


def write_video(folder: Path, count: int, fps: float = 20.0) -> Path:
    """A video whose frame i is grey level 10*i; mp4v/MP4 where the OpenCV wheel's FFmpeg
    has it, else MJPG/AVI (works headless everywhere)."""
    for fourcc, suffix in (("mp4v", ".mp4"), ("MJPG", ".avi")):
        path = folder / f"clip{suffix}"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), fps, (64, 48))
        if not writer.isOpened():
            continue
        for i in range(count):
            writer.write(grey(10 * i + 5))
        writer.release()
        if path.stat().st_size > 0:
            return path
    pytest.skip("no video codec can write here (neither mp4v nor MJPG)")


def test_video_file_plays_in_order_and_loops(tmp_path, cameras):
    path = write_video(tmp_path, 12)
    camera = Camera("clip", str(path), fps=200, policy=FAST)
    cameras.append(camera.start())
    levels = [round((int(f.image[20, 30, 1]) - 5) / 10) for f in take(camera, 30)]
    start = levels.index(0)
    assert levels[start : start + 12] == list(range(12))  # every frame, in order, then again
    assert levels.count(0) >= 2
    assert camera.status().source == f"video file {path}"


def test_a_missing_or_broken_video_file_fails_with_its_name(tmp_path, cameras):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00garbage" * 100)
    missing = Camera("missing", str(tmp_path / "gone.mp4"), policy=FAST)
    bad = Camera("broken", str(broken), policy=FAST)
    cameras.extend([missing.start(), bad.start()])
    wait_until(lambda: missing.status().state == "failed", 5, "missing failed")
    wait_until(lambda: bad.status().state == "failed", 5, "broken failed")
    assert missing.status().reason.startswith(
        f"cannot open video file {tmp_path / 'gone.mp4'}: no such file"
    )
    assert bad.status().reason.startswith(
        f"cannot open video file {broken}: not a video OpenCV can read"
    )


# -- live sources: USB, RTSP, HTTP MJPEG ------------------------------------------------------


def test_a_usb_camera_that_is_not_there_fails_and_is_named(cameras):
    camera = Camera("usb", 57, policy=FAST)
    cameras.append(camera.start())
    wait_until(lambda: camera.status().state == "failed", 10, "failed")
    assert camera.status().reason.startswith("cannot open USB camera 57: no answer")


def test_an_rtsp_stream_nobody_serves_fails_without_showing_the_password(cameras):
    url = f"rtsp://op:secret@127.0.0.1:{free_port()}/line1"
    camera = Camera("rtsp", url, policy=FAST)
    cameras.append(camera.start())
    wait_until(lambda: camera.status().state == "failed", 10, "failed")
    reason = camera.status().reason
    assert reason.startswith(f"cannot open rtsp://op:***@127.0.0.1:{url.split(':')[3]}")
    assert "secret" not in reason


class MjpegServer:
    """An MJPEG camera on 127.0.0.1: multipart/x-mixed-replace JPEG frames whose grey level
    counts up; ``stalled`` holds the stream open without frames, ``kill`` drops everything."""

    def __init__(self, port: int, fps: float = 25.0):
        self.port = port
        self.period = 1.0 / fps
        self.stalled = threading.Event()
        self.killed = threading.Event()
        self.sent = 0
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> MjpegServer:
        owner = self
        self.killed.clear()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                for _ in range(20_000):  # bounded: 800 s of frames at most
                    if owner.killed.is_set():
                        return
                    if owner.stalled.is_set():
                        time.sleep(0.02)
                        continue
                    owner.sent += 1
                    _, jpeg = cv2.imencode(".jpg", grey((owner.sent * 3) % 250, (96, 64)))
                    data = jpeg.tobytes()
                    head = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
                    try:
                        self.wfile.write(head % len(data) + data + b"\r\n")
                    except OSError:
                        return
                    time.sleep(owner.period)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def kill(self) -> None:
        self.killed.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def test_http_mjpeg_stream_stalls_dies_and_is_reconnected(cameras):
    port = free_port()
    server = MjpegServer(port).start()
    url = f"http://127.0.0.1:{port}/stream.mjpg"
    try:
        camera = Camera("mjpeg", url, fps=25, policy=FAST, size=(96, 64), channels=3)
        cameras.append(camera.start())
        wait_until(lambda: camera.status().state == "running", 10, "running")
        first = take(camera, 5)
        assert first[-1].image.shape == (64, 96, 3) and first[-1].problem == ""

        server.stalled.set()
        wait_until(lambda: camera.status().state == "stalled", 5, "stalled")
        assert camera.status().reason.startswith(f"no frame from {url} for ")

        server.kill()
        wait_until(lambda: camera.status().state in ("connecting", "failed"), 10, "lost")
        wait_until(lambda: camera.status().state == "failed", 10, "failed")
        assert url in camera.status().reason

        server.stalled.clear()
        server.start()
        wait_until(lambda: camera.status().state == "running", 15, "running again")
        later = take(camera, 3)
        assert later[0].seq > first[-1].seq
        assert camera.status().fps > 0
    finally:
        server.kill()


# -- a slow consumer -----------------------------------------------------------------------


def test_a_slow_consumer_gets_the_newest_frame_and_the_rest_are_counted_dropped(cameras):
    counter = iter(range(1_000_000))
    camera = Camera("fast", lambda: grey(next(counter) % 256), fps=200, policy=FAST)
    cameras.append(camera.start())
    taken = []
    for _ in range(8):  # a model taking 50 ms per frame
        frame = camera.latest(taken[-1].seq if taken else -1, timeout=2.0)
        assert frame is not None
        newest = camera.status().frames - 1
        assert frame.seq >= newest - 1  # the newest (or the one grabbed while we asked)
        taken.append(frame)
        time.sleep(0.05)
    assert camera.stop(5.0)
    status = camera.status()
    seqs = [f.seq for f in taken]
    assert seqs == sorted(set(seqs)) and seqs[-1] - seqs[0] > len(seqs)  # frames skipped
    never_taken_last = 1 if seqs[-1] < status.frames - 1 else 0
    assert status.dropped == status.frames - len(taken) - never_taken_last
    with pytest.raises(ValueError):  # shared between consumers: read-only
        taken[0].image[0, 0, 0] = 1


# -- the simulated press -------------------------------------------------------------------


def stand_in_surface(rng, size=(48, 64), defect=None):
    """A flat grey surface with a dark box where a defect is asked for."""
    h, w = size
    image = np.full((h, w, 3), 170, np.uint8)
    image += rng.integers(0, 8, (h, w, 3), dtype=np.uint8)
    boxes = []
    if defect:
        image[10:20, 10:30] = 40
        boxes.append((10, 10, 30, 20, defect))
    return image, {"label": defect or "good", "boxes": boxes, "mask": None}


def test_simulated_press_makes_defects_at_its_rate_and_more_on_a_fault(cameras):
    press = SimulatedPress(
        defect_rate=0.0,
        fault_rate=1.0,
        size=(48, 64),
        seed=3,
        generator=stand_in_surface,
        defects=("scratch", "dent"),
    )
    camera = Camera("press", press, fps=100, policy=FAST)
    cameras.append(camera.start())
    assert camera.simulation is press
    good = take(camera, 5)
    assert all(f.meta["label"] == "good" and f.meta["boxes"] == [] for f in good)
    press.fault = True
    wait_until(lambda: camera.latest().meta["label"] != "good", 5, "defects on a fault")
    faulty = take(camera, 5)
    assert all(f.meta["label"] in ("scratch", "dent") for f in faulty)
    for f in faulty:  # the dark patch is where the truth's box says, however the view slid
        x0, y0, x1, y1, _ = f.meta["boxes"][0]
        assert (x1 - x0, y1 - y0) == (20, 10) and (f.image[y0:y1, x0:x1] == 40).all()


def test_simulated_press_rate_over_many_parts():
    press = SimulatedPress(defect_rate=0.05, seed=11, generator=stand_in_surface, defects=("x",))
    press.open(FAST)
    labels = []
    for _ in range(2000):
        press.read()
        labels.append(press.last_truth["label"])
    assert 0.035 < labels.count("x") / len(labels) < 0.065
    press.fault = True  # fault_rate 0.3 by default
    faulty = []
    for _ in range(2000):
        press.read()
        faulty.append(press.last_truth["label"])
    assert 0.26 < faulty.count("x") / len(faulty) < 0.34


def test_simulated_press_draws_its_surfaces_once_and_slides_them_per_frame():
    asked = []

    def counted(rng, size, defect=None):
        asked.append((size, defect))
        return stand_in_surface(rng, size, defect)

    press = SimulatedPress(
        defect_rate=0.5, size=(48, 64), seed=4, generator=counted, defects=("scratch", "dent")
    )
    press.open(FAST)
    good, defective = press.pool_sizes()
    assert len(asked) == good + defective and press.slide == 4
    assert {size for size, _ in asked} == {(48, 68)}  # a little wider: room to slide
    kinds = [defect for _, defect in asked if defect]
    assert len(kinds) == defective and kinds.count("scratch") == kinds.count("dent") >= 1
    frames = []
    for _ in range(400):
        frames.append(press.read())
        if press.last_truth["boxes"]:
            x0, y0, x1, y1, _ = press.last_truth["boxes"][0]
            assert x0 >= 0 and x1 <= 64 and (frames[-1][y0:y1, x0:x1] == 40).all()
    press.close()
    press.open(FAST)  # reopened: the same pool
    assert len(asked) == good + defective
    assert {f.shape for f in frames} == {(48, 64, 3)}
    assert all(f.flags.c_contiguous for f in frames)
    assert len({f.tobytes() for f in frames}) > 100  # not a picture that never changes


def test_simulated_press_pool_is_bounded_in_memory_and_covers_every_kind():
    kinds = ("scratch", "die_line", "pick_up", "blister", "dent", "stain")
    demo = SimulatedPress(size=(256, 256), defects=kinds)
    assert demo.pool_sizes() == (20, 18)
    full_hd = SimulatedPress(size=(1080, 1920), defects=kinds)
    assert full_hd.pool_sizes() == (4, 6)  # fewer, larger: every kind still once


def test_peeking_takes_no_frame(cameras):
    camera = Camera("peeked", lambda: grey(90), fps=100, policy=FAST)
    assert camera.peek() is None
    cameras.append(camera.start())
    wait_until(lambda: camera.peek() is not None, 5, "a first frame")
    seqs = set()
    for _ in range(30):
        seqs.add(camera.peek().seq)
        time.sleep(0.01)
    assert len(seqs) > 5  # the newest each time
    status = camera.status()
    assert status.dropped >= status.frames - 1  # looked at, never taken
    frame = camera.latest()
    assert frame is not None and frame.seq >= max(seqs)


def test_sim_press_by_name_uses_the_synthetic_surfaces(cameras):
    synthetic = pytest.importorskip("hmi.core.vision.synthetic")
    camera = Camera("demo", "sim:press", fps=20, policy=FAST)
    cameras.append(camera.start())
    frame = take(camera, 2, timeout=20)[-1]
    assert frame.image.ndim == 3 and frame.image.shape[2] == 3 and frame.image.dtype == np.uint8
    assert frame.meta["label"] in ("good", *synthetic.DEFECTS)


# -- region of interest and the checks of a setting -----------------------------------------


def test_region_of_interest(tmp_path, cameras):
    image = grey(10)
    image[8:18, 4:24] = 200
    cv2.imwrite(str(tmp_path / "a.png"), image)
    camera = Camera("roi", tmp_path, fps=50, policy=FAST, roi=(4, 8, 20, 10))
    cameras.append(camera.start())
    frame = take(camera, 1)[0]
    assert frame.roi == (4, 8, 20, 10) and frame.region().shape == (10, 20, 3)
    assert (frame.region() == 200).all() and frame.problem == ""
    camera.roi = (50, 40, 20, 20)  # reaches past the 64x48 frame: said, still delivered
    wait_until(lambda: camera.latest().roi == (50, 40, 20, 20), 3, "new roi")
    frame = camera.latest()
    assert frame.problem == "roi (50, 40, 20, 20) reaches outside the 64x48 frame"
    assert frame.region().shape == (8, 14, 3)
    with pytest.raises(ValueError, match="camera 'roi': roi \\(1, 2, 0, 5\\) has no area"):
        camera.roi = (1, 2, 0, 5)


def test_settings_are_checked_with_clear_messages():
    assert check_roi((1, 2, 3, 4)) is None and check_roi(None) is None
    assert "not four whole numbers" in check_roi((1, 2, 3))
    assert "not four whole numbers" in check_roi((1, 2, 3.5, 4))
    assert check_roi((-1, 0, 5, 5)) == "roi (-1, 0, 5, 5) starts left of or above the image"
    assert check_source(0) is None and check_source("rtsp://h/x") is None
    assert check_source("/some/folder") is None
    assert check_source(-1) == "USB camera index -1 is below 0"
    assert (
        check_source("sim:pres") == "unknown simulated camera 'sim:pres': did you mean 'sim:press'?"
    )
    assert check_source("ftp://h/x").endswith(
        "the scheme 'ftp' is not one of rtsp, rtsps, http, https"
    )
    assert "neither a USB index" in check_source(True)
    with pytest.raises(ValueError, match="unknown simulated camera"):
        Camera("x", "sim:foo")
    assert describe_source("2") == "USB camera 2"
    assert describe_source("http://u:pw@cam:8080/v") == "http://u:***@cam:8080/v"
    assert frame_problem(np.zeros((4, 4), np.uint16)) == "frame pixels are uint16, expected uint8"


def test_a_failing_function_source_is_retried_with_backoff(cameras):
    calls: list[float] = []
    seen: list = []

    def flaky():
        calls.append(time.monotonic())
        if len(calls) == 4:
            seen.append(camera.status())  # while the third failure is waited out
        if 3 <= len(calls) <= 5:
            raise OSError("frame grabber card reset")
        return grey(len(calls))

    flaky.label = "grabber card"  # type: ignore[attr-defined]
    camera = Camera("card", flaky, fps=100, policy=FAST)
    cameras.append(camera.start())
    wait_until(lambda: len(calls) >= 8, 10, "calls after the failures")
    assert camera.status().state == "running" and camera.status().frames >= 3
    assert seen[0].state == "connecting"
    assert seen[0].reason.startswith("lost: grabber card failed: OSError: frame grabber card reset")
    gaps = [b - a for a, b in itertools.pairwise(calls[2:6])]
    assert all(gap >= FAST.reconnect_min * 0.9 for gap in gaps)  # backed off after each failure
