"""Frames to tensors and model pixels back to frame pixels, with figures worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hmi.core.vision.preprocess import (
    PAD_VALUE,
    FrameError,
    Preparer,
    Preprocess,
    as_bgr,
    crop_roi,
    resize_geometry,
)


def solid(h: int, w: int, bgr: tuple[int, int, int]) -> np.ndarray:
    frame = np.empty((h, w, 3), np.uint8)
    frame[:] = bgr
    return frame


def test_grey_and_bgra_frames_become_bgr():
    grey = np.full((4, 5), 77, np.uint8)
    assert as_bgr(grey).shape == (4, 5, 3)
    assert np.all(as_bgr(grey) == 77)
    assert as_bgr(grey[:, :, None]).shape == (4, 5, 3)
    bgra = np.zeros((4, 5, 4), np.uint8)
    bgra[..., 0], bgra[..., 1], bgra[..., 2], bgra[..., 3] = 10, 20, 30, 255
    out = as_bgr(bgra)
    assert out.shape == (4, 5, 3)
    assert tuple(out[0, 0]) == (10, 20, 30)


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (np.zeros((4, 5, 2), np.uint8), "2 channels"),
        (np.zeros((4, 5, 3), np.uint16), "uint16"),
        (np.zeros((0, 5, 3), np.uint8), "empty"),
        (np.zeros((2, 4, 5, 3), np.uint8), "shape (2, 4, 5, 3)"),
        ("not an image", "str"),
    ],
)
def test_frames_that_cannot_be_inspected_are_refused_with_why(frame, words):
    with pytest.raises(FrameError, match=words.replace("(", r"\(").replace(")", r"\)")):
        as_bgr(frame)


def test_roi_is_a_view_and_must_lie_inside_the_frame():
    frame = np.arange(10 * 20 * 3, dtype=np.uint8).reshape(10, 20, 3)
    part, origin = crop_roi(frame, (5, 2, 10, 6))
    assert part.shape == (6, 10, 3) and origin == (5, 2)
    assert np.shares_memory(part, frame)
    with pytest.raises(FrameError, match=r"x=15 y=2 10×6 .* 20×10 frame"):
        crop_roi(frame, (15, 2, 10, 6))
    with pytest.raises(FrameError, match=r"\(x, y, width, height\)"):
        crop_roi(frame, (1, 2))  # type: ignore[arg-type]


def test_letterbox_geometry_matches_ultralytics():
    # 200×100 into 64×64: ratio 0.32, resized 64×32, 16 rows of border above and below
    (w, h), sx, sy, left, top = resize_geometry(200, 100, (64, 64), "letterbox")
    assert (w, h, left, top) == (64, 32, 0, 16)
    assert sx == pytest.approx(0.32) and sy == pytest.approx(0.32)
    # an odd border: 100×75 into 64×64 -> 64×48, 8 above and 8 below
    assert resize_geometry(100, 75, (64, 64), "letterbox")[0] == (64, 48)
    (w, h), _, _, left, top = resize_geometry(100, 71, (64, 64), "letterbox")
    assert (w, h, top) == (64, 45, 9)  # 19 rows of border: 9 above, 10 below


def test_rgb_tensor_values_are_scaled_and_normalised_per_channel():
    pre = Preprocess(
        size=(4, 6), colour="rgb", scale=1 / 255, mean=(0.5, 0.25, 0.0), std=(0.5, 0.25, 2.0)
    )
    tensor, geometry = Preparer(pre)(solid(8, 12, (255, 0, 51)))  # blue 255, red 51
    assert tensor.shape == (1, 3, 4, 6) and tensor.dtype == np.float32
    assert tensor.flags["C_CONTIGUOUS"]
    red, green, blue = (float(tensor[0, c, 0, 0]) for c in range(3))
    assert red == pytest.approx((51 / 255 - 0.5) / 0.5, abs=1e-6)
    assert green == pytest.approx((0 - 0.25) / 0.25, abs=1e-6)
    assert blue == pytest.approx((1.0 - 0.0) / 2.0, abs=1e-6)
    assert (geometry.scale_x, geometry.scale_y) == (0.5, 0.5)


def test_bgr_order_nhwc_and_uint8_keep_the_pixels():
    pre = Preprocess(size=(2, 2), colour="bgr", layout="nhwc", dtype="uint8")
    tensor, _ = Preparer(pre)(solid(2, 2, (1, 2, 3)))
    assert tensor.shape == (1, 2, 2, 3) and tensor.dtype == np.uint8
    assert tuple(tensor[0, 0, 0]) == (1, 2, 3)


def test_grey_model_gets_one_channel():
    pre = Preprocess(size=(3, 3), colour="gray", scale=1.0, mean=(0,), std=(1,))
    tensor, _ = Preparer(pre)(solid(3, 3, (255, 255, 255)))
    assert tensor.shape == (1, 1, 3, 3)
    assert float(tensor.max()) == 255.0


def test_letterbox_border_is_ultralytics_grey():
    pre = Preprocess(size=(64, 64), resize="letterbox", scale=1.0)
    tensor, geometry = Preparer(pre)(solid(100, 200, (0, 0, 0)))
    assert float(tensor[0, 0, 0, 0]) == PAD_VALUE  # top border
    assert float(tensor[0, 0, 32, 32]) == 0.0  # the image
    assert float(tensor[0, 0, 63, 0]) == PAD_VALUE  # bottom border
    assert (geometry.offset_x, geometry.offset_y) == (0.0, 16.0)


def test_boxes_map_back_through_letterbox_and_roi():
    pre = Preprocess(size=(64, 64), resize="letterbox")
    frame = solid(300, 400, (0, 0, 0))
    _, geometry = Preparer(pre)(frame, roi=(100, 50, 200, 100))
    # input box 16,24 .. 48,40 -> ROI (16-0)/0.32=50, (24-16)/0.32=25 .. 150, 75 -> +ROI origin
    boxes = geometry.boxes_to_frame(np.array([[16.0, 24.0, 48.0, 40.0]]))
    assert boxes[0] == pytest.approx([150.0, 75.0, 250.0, 125.0])
    # a box reaching into the border is clipped to the ROI
    clipped = geometry.boxes_to_frame(np.array([[-5.0, 0.0, 70.0, 20.0]]))
    assert clipped[0] == pytest.approx([100.0, 50.0, 300.0, 62.5])


def test_anomaly_map_lands_on_the_roi_without_the_border():
    pre = Preprocess(size=(64, 64), resize="letterbox")
    _, geometry = Preparer(pre)(solid(100, 200, (0, 0, 0)))
    heat = np.zeros((32, 32), np.float32)  # half the input's resolution
    heat[8:16, 24:32] = 1.0  # input rows 16..32 (the image's top half), columns 48..64
    roi_map = geometry.map_to_roi(heat, (64, 64))
    assert roi_map.shape == (100, 200)
    # input rows 16..32 are frame rows 0..50; input columns 48..64 are frame columns 150..200
    assert roi_map[10, 180] == pytest.approx(1.0)
    assert roi_map[80, 180] == pytest.approx(0.0)
    assert roi_map[10, 100] == pytest.approx(0.0)


def test_centre_crop_cuts_the_long_side():
    (w, h), _, _, left, top = resize_geometry(200, 100, (64, 64), "crop")
    assert (w, h, left, top) == (128, 64, -32, 0)
    pre = Preprocess(size=(64, 64), resize="crop", scale=1.0)
    frame = solid(100, 200, (0, 0, 0))
    frame[:, :50] = 255  # the left quarter is cut off
    tensor, geometry = Preparer(pre)(frame)
    assert tensor.shape == (1, 3, 64, 64)
    assert float(tensor.max()) == 0.0
    assert geometry.boxes_to_frame(np.array([[0.0, 0.0, 64.0, 64.0]]))[0] == pytest.approx(
        [50.0, 0.0, 150.0, 100.0]
    )


def test_grey_letterbox_has_one_channel_and_the_border():
    pre = Preprocess(size=(8, 8), colour="gray", resize="letterbox", scale=1.0, mean=(0,), std=(1,))
    tensor, geometry = Preparer(pre)(solid(4, 8, (255, 255, 255)))
    assert tensor.shape == (1, 1, 8, 8)
    assert float(tensor[0, 0, 0, 0]) == PAD_VALUE and float(tensor[0, 0, 4, 4]) == 255.0
    assert geometry.offset_y == 2.0
