"""What the bundle's own OpenCV must do: ``hmi -m bundle_check``.

The bundle carries OpenCV built by installer/opencv.sh (core, imgproc, imgcodecs and videoio
over an FFmpeg with only the camera formats, no LAPACK), not the wheel the tests run with,
so this proves in the installed program that video files written by cv2 in both recording
formats open as a camera source and give frames, that images encode and decode, and that
OpenCV's own linear algebra gives numpy's answers. One line per check; exit 1 at the first
failure.
"""

import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

from hmi.core.connection import ConnectionPolicy
from hmi.core.vision.cameras import open_source


def video_camera(folder: Path) -> str:
    return ", ".join(
        recording(folder / name, fourcc)
        for name, fourcc in (("line.mp4", "mp4v"), ("line.avi", "MJPG"))
    )


def recording(path: Path, fourcc: str) -> str:
    writer = cv2.VideoWriter(
        str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*fourcc), 10.0, (160, 120)
    )
    if not writer.isOpened():
        raise AssertionError(f"cv2 cannot write {path.name} ({fourcc}) through FFmpeg")
    for i in range(20):
        frame = np.full((120, 160, 3), i * 10, np.uint8)
        cv2.rectangle(frame, (i * 6, 30), (i * 6 + 30, 90), (255, 255, 255), -1)
        writer.write(frame)
    writer.release()
    source = open_source(str(path))
    source.open(ConnectionPolicy(timeout=2.0, connect_timeout=2.0))
    try:
        frames = [source.read() for _ in range(25)]  # past the end: the file loops
    finally:
        source.close()
    shapes = {getattr(frame, "shape", None) for frame in frames}
    if shapes != {(120, 160, 3)}:
        raise AssertionError(f"frames of the video camera: {shapes}")
    return f"{len(frames)} frames of 160x120 from {path.stat().st_size} bytes of {fourcc}"


def images() -> str:
    image = np.random.default_rng(2).integers(0, 255, (240, 320, 3), np.uint8)
    small = cv2.resize(image, (160, 120), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    for ext in (".png", ".jpg"):
        ok, data = cv2.imencode(ext, gray)
        back = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if ok else None
        if back is None or back.shape != gray.shape:
            raise AssertionError(f"{ext} did not encode and decode")
        if ext == ".png" and not np.array_equal(back, gray):
            raise AssertionError("png is not lossless")
    return "resize, BGR to grey, png and jpg round trips"


def linear_algebra() -> str:
    rng = np.random.default_rng(1)
    n = 80
    for kind, tol in ((np.float32, 1e-2), (np.float64, 1e-8)):
        a = rng.standard_normal((n, n)).astype(kind)
        b = rng.standard_normal((n, 3)).astype(kind)
        spd = a @ a.T + n * np.eye(n, dtype=kind)
        for name, matrix, flag in (
            ("LU", a, cv2.DECOMP_LU),
            ("QR", a, cv2.DECOMP_QR),
            ("SVD", a, cv2.DECOMP_SVD),
            ("Cholesky", spd, cv2.DECOMP_CHOLESKY),
        ):
            ok, x = cv2.solve(matrix, b, flags=flag)
            if not ok or not np.allclose(matrix @ x, b, atol=tol * 100):
                raise AssertionError(f"cv2.solve {name} ({kind.__name__}) is wrong")
        w = cv2.SVDecomp(a)[0].ravel()
        expected = np.linalg.svd(a.astype(np.float64), compute_uv=False)
        if not np.allclose(np.sort(w)[::-1], expected, rtol=tol * 10):
            raise AssertionError(f"cv2.SVDecomp ({kind.__name__}) is wrong")
        if not np.allclose(cv2.gemm(a, a, 1.0, None, 0.0), a @ a, atol=tol * 100):
            raise AssertionError(f"cv2.gemm ({kind.__name__}) is wrong")
    values = cv2.eigenNonSymmetric(rng.standard_normal((40, 40)))[0]
    if values.shape[0] != 40:
        raise AssertionError("cv2.eigenNonSymmetric is wrong")
    return "solve (LU, QR, SVD, Cholesky), SVD, gemm, eigenvalues agree with numpy"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        checks = (("video camera", lambda: video_camera(Path(folder))), ("images", images))
        for name, check in (*checks, ("linear algebra", linear_algebra)):
            try:
                print(f"{name:<15} ok: {check()}")
            except Exception as error:  # each failure said, then exit 1
                print(f"{name:<15} FAILED: {error}")
                return 1
    print(f"opencv {cv2.__version__}, numpy {np.__version__}: all ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
