"""The synthetic brushed-aluminium surfaces: the same seed makes the same image, every
defect shows where its box says and nowhere else, and the labels say what was drawn."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from hmi.core.vision.synthetic import (
    DEFAULT,
    DEFECTS,
    SurfaceParams,
    held_out_params,
    surface_image,
)

SEEDS = range(6)


def _draw(seed: int, kind: str | None, size=(128, 128), params: SurfaceParams = DEFAULT):
    return surface_image(np.random.default_rng(seed), size, kind, params)


@pytest.mark.parametrize("kind", [None, *DEFECTS])
def test_the_same_seed_makes_the_same_image_and_another_seed_another(kind):
    a, info_a = _draw(11, kind)
    b, info_b = _draw(11, kind)
    c, _ = _draw(12, kind)
    assert np.array_equal(a, b)
    assert info_a["boxes"] == info_b["boxes"]
    assert info_a["label"] == info_b["label"]
    assert not np.array_equal(a, c)


def test_an_image_is_bgr_uint8_of_the_size_asked():
    image, info = _draw(3, "scratch", size=(96, 160))
    assert image.shape == (96, 160, 3)
    assert image.dtype == np.uint8
    assert info["mask"].shape == (96, 160)
    x0, y0, x1, y1, _ = info["boxes"][0]
    assert 0 <= x0 < x1 <= 160 and 0 <= y0 < y1 <= 96


def test_a_surface_looks_like_brushed_metal_streaks_along_the_extrusion():
    """Brushing streaks: the grey changes more across the grain (y) than along it (x) on
    every surface, and far more on most (a finely brushed one is nearly plain)."""
    ratios = []
    for seed in range(12):
        image, info = _draw(seed, None)
        assert info == {"label": "good", "boxes": [], "mask": None}
        grey = image.astype(np.float32).mean(axis=2)
        assert 60 < grey.mean() < 230
        # averaged along one axis (less pixel noise), then compared pixel to pixel across it
        across = (np.diff(cv2.blur(grey, (9, 1)), axis=0) ** 2).mean()
        along = (np.diff(cv2.blur(grey, (1, 9)), axis=1) ** 2).mean()
        ratios.append(across / along)
        b, _, r = (image[:, :, c].astype(float).mean() for c in range(3))
        assert b > r  # the faint blue of aluminium under white light
    assert min(ratios) > 1.2 and np.median(ratios) > 3, ratios


@pytest.mark.parametrize("kind", DEFECTS)
@pytest.mark.parametrize("params", [DEFAULT, held_out_params()], ids=["training", "held_out"])
def test_every_defect_shows_in_its_box_and_only_there(kind, params):
    """Against its defect-free twin (same seed): a clear difference inside the box, next to
    none outside it (the optics' blur may spread it by a pixel or two)."""
    for seed in SEEDS:
        image, info = _draw(seed, kind, params=params)
        twin, twin_info = _draw(seed, None, params=params)
        assert info["label"] == kind and twin_info["label"] == "good"
        assert len(info["boxes"]) == 1
        x0, y0, x1, y1, cls = info["boxes"][0]
        assert cls == kind
        diff = np.abs(image.astype(np.int16) - twin.astype(np.int16)).max(axis=2)
        inside = diff[y0:y1, x0:x1]
        assert inside.max() >= 6, (seed, inside.max())
        assert np.mean(inside >= 3) > 0.02, seed
        outside = diff.copy()
        outside[max(0, y0 - 4) : y1 + 4, max(0, x0 - 4) : x1 + 4] = 0
        assert outside.max() <= 2, (seed, outside.max())
        mask = info["mask"]
        assert mask.any() and not mask[:y0].any() and not mask[y1:].any()
        assert not mask[:, :x0].any() and not mask[:, x1:].any()


def test_a_die_line_runs_along_the_extrusion_and_a_scratch_across_it():
    for seed in SEEDS:
        _, die = _draw(seed, "die_line")
        x0, y0, x1, y1, _ = die["boxes"][0]
        assert x1 - x0 >= 0.5 * 128 and y1 - y0 <= 0.2 * 128
        _, scratch = _draw(seed, "scratch")
        x0, y0, x1, y1, _ = scratch["boxes"][0]
        assert y1 - y0 >= 4  # at least 20° off the grain, so never a flat box


def test_stronger_contrast_gives_a_stronger_defect():
    faint = dataclasses.replace(
        DEFAULT, blister=dataclasses.replace(DEFAULT.blister, contrast=(15, 15))
    )
    strong = dataclasses.replace(
        DEFAULT, blister=dataclasses.replace(DEFAULT.blister, contrast=(60, 60))
    )
    twin, _ = _draw(5, None)
    a, _ = _draw(5, "blister", params=faint)
    b, _ = _draw(5, "blister", params=strong)
    diff_a = np.abs(a.astype(int) - twin.astype(int)).max()
    diff_b = np.abs(b.astype(int) - twin.astype(int)).max()
    assert diff_b > 2.5 * diff_a


def test_the_held_out_ranges_differ_from_training_for_every_kind():
    held = held_out_params()
    for kind in DEFECTS:
        assert held.defect(kind) != DEFAULT.defect(kind), kind
    assert held.noise != DEFAULT.noise and held.brush_strength != DEFAULT.brush_strength


def test_an_unknown_kind_or_a_tiny_size_is_refused_with_what_would_be_right():
    with pytest.raises(ValueError, match="unknown defect kind 'scrach': did you mean 'scratch'"):
        _draw(1, "scrach")
    with pytest.raises(ValueError, match=r"image size 8x128 .* at least 16x16"):
        _draw(1, None, size=(8, 128))
