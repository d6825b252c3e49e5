"""Brushed-aluminium extruded-profile surfaces with the six surface defects, drawn from a seed.

The shipped surface model is trained and evaluated on these images, and the demo's camera
shows them, so they have to look like what a camera over an extrusion line sees: a grey
surface with fine brushing streaks along the extrusion direction, a lighting gradient and
the broad highlight band brushed metal throws across its streaks, sensor noise and a slight
blur. Defects are drawn as what they do to the light (a scratch catches it, a die line is a
groove along the whole profile, a blister is a bump lit from one side ...), with sizes as a
fraction of the image's shorter side and contrasts in grey levels, both from ranges in
:class:`SurfaceParams`.

One image draws its surface, its defect and its noise from three generators split off the
one given, so an image with a defect and its defect-free twin from the same seed differ in
the defect alone.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from hmi.core.words import did_you_mean

DEFECTS = ("scratch", "die_line", "pick_up", "blister", "dent", "stain")
GOOD = "good"

Range = tuple[float, float]
Box = tuple[int, int, int, int, str]

# aluminium under white light is a faintly blue grey (B, G, R gains)
_METAL = np.array([1.02, 1.0, 0.97], dtype=np.float32)
# a stain is the residue of a coolant or water: yellowish-brown where it darkens the metal
_STAIN = np.array([1.25, 1.0, 0.8], dtype=np.float32)


@dataclass(frozen=True)
class DefectRange:
    """Where one kind of defect's size (fraction of the shorter side) and contrast (grey
    levels) are drawn from."""

    size: Range
    contrast: Range


@dataclass(frozen=True)
class SurfaceParams:
    """The ranges every image's surface and defect are drawn from (uniformly)."""

    brush_angle: Range = (-4.0, 4.0)  # extrusion direction, degrees from the image's x axis
    brush_strength: Range = (2.0, 5.0)  # streak standard deviation, grey levels
    brush_length: Range = (0.08, 0.5)  # streak correlation length, fraction of the width
    level: Range = (100.0, 180.0)  # mean grey level of the metal
    gradient: Range = (0.0, 40.0)  # lighting ramp across the image, grey levels
    highlight: Range = (0.0, 35.0)  # the highlight band across the streaks, grey levels
    noise: Range = (0.8, 3.0)  # sensor noise standard deviation, grey levels
    blur: Range = (0.3, 1.0)  # optics' Gaussian blur sigma, pixels
    scratch: DefectRange = field(default_factory=lambda: DefectRange((0.15, 0.6), (18, 60)))
    die_line: DefectRange = field(default_factory=lambda: DefectRange((0.6, 1.0), (14, 35)))
    pick_up: DefectRange = field(default_factory=lambda: DefectRange((0.015, 0.04), (20, 60)))
    blister: DefectRange = field(default_factory=lambda: DefectRange((0.018, 0.05), (20, 60)))
    dent: DefectRange = field(default_factory=lambda: DefectRange((0.05, 0.14), (10, 30)))
    stain: DefectRange = field(default_factory=lambda: DefectRange((0.15, 0.45), (10, 26)))

    def defect(self, kind: str) -> DefectRange:
        value: DefectRange = getattr(self, kind)
        return value


DEFAULT = SurfaceParams()


def held_out_params() -> SurfaceParams:
    """Other ranges than training's, for the evaluation: another spread of surfaces (more
    noise, stronger and shorter streaks, a wider angle) and defects that are on the whole
    smaller and fainter, so a model that only learned training's ranges shows it."""
    return SurfaceParams(
        brush_angle=(-5.0, 5.0),
        brush_strength=(2.5, 5.5),
        brush_length=(0.05, 0.4),
        level=(90.0, 190.0),
        gradient=(5.0, 50.0),
        highlight=(5.0, 40.0),
        noise=(1.2, 3.5),
        blur=(0.4, 1.2),
        scratch=DefectRange((0.12, 0.5), (16, 50)),
        die_line=DefectRange((0.5, 1.0), (13, 30)),
        pick_up=DefectRange((0.013, 0.035), (18, 50)),
        blister=DefectRange((0.015, 0.045), (18, 50)),
        dent=DefectRange((0.06, 0.16), (9, 26)),
        stain=DefectRange((0.12, 0.40), (9, 22)),
    )


def surface_image(
    rng: np.random.Generator,
    size: tuple[int, int] = (128, 128),
    defect: str | None = None,
    params: SurfaceParams = DEFAULT,
) -> tuple[np.ndarray, dict[str, Any]]:
    """One surface (H, W, 3 uint8 BGR) with at most one defect, and what it shows:
    ``{"label": "good" | kind, "boxes": [(x0, y0, x1, y1, kind)], "mask": bool (H, W) or None}``.
    """
    if defect is not None and defect not in DEFECTS:
        raise ValueError(
            f"unknown defect kind '{defect}': {did_you_mean(str(defect), DEFECTS, 'defect kinds')}"
        )
    h, w = int(size[0]), int(size[1])
    if h < 16 or w < 16:
        raise ValueError(f"image size {h}x{w} (height x width) is too small: at least 16x16")
    surface_rng, defect_rng, noise_rng = rng.spawn(3)
    scene = _surface(surface_rng, h, w, params)
    image = scene.luminance[:, :, None] * _METAL
    info: dict[str, Any] = {"label": GOOD, "boxes": [], "mask": None}
    if defect is not None:
        delta, colour = _DRAW[defect](defect_rng, scene, params.defect(defect))
        image = image + delta[:, :, None] * colour
        mask = np.abs(delta) >= 1.0  # a grey level: where the defect changes the image
        info = {"label": defect, "boxes": [_box(mask, defect)], "mask": mask}
    image = _camera(noise_rng, image, scene, params)
    return image, info


@dataclass(frozen=True)
class _Scene:
    """The surface under a defect: its size, where the profile runs and where light is."""

    luminance: np.ndarray  # float32 (H, W), grey levels
    angle: float  # extrusion direction, radians
    light: tuple[float, float]  # unit vector towards the light, image x/y
    blur: float  # the optics' blur sigma, pixels
    h: int
    w: int

    @property
    def side(self) -> int:
        return min(self.h, self.w)

    @property
    def thin_gain(self) -> float:
        """How much stronger a 1-pixel line is drawn so that the blur leaves it its contrast:
        a defect's contrast is what the camera sees, not what the blur leaves of it."""
        return max(1.0, self.blur * math.sqrt(2 * math.pi))


@functools.lru_cache(maxsize=8)
def _grid(h: int, w: int) -> np.ndarray:
    """Pixel row and column coordinates (2, H, W), shared read-only by every image."""
    grid = np.mgrid[0:h, 0:w].astype(np.float32)
    grid.flags.writeable = False
    return grid


def _uniform(rng: np.random.Generator, bounds: Range) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _surface(rng: np.random.Generator, h: int, w: int, p: SurfaceParams) -> _Scene:
    angle = math.radians(_uniform(rng, p.brush_angle))
    level = _uniform(rng, p.level)
    # streaks: noise stretched along the extrusion direction on a square canvas, turned to
    # the angle; two scales, long streaks and a finer grain
    d = math.ceil(math.hypot(h, w)) + 4
    streaks: np.ndarray = np.zeros((d, d), np.float32)
    for share, length in ((0.8, _uniform(rng, p.brush_length)), (0.45, 0.03)):
        along = max(2, round(d / max(2.0, length * w)))
        grain = rng.standard_normal((d, along), dtype=np.float32)
        streaks += share * cv2.resize(grain, (d, d), interpolation=cv2.INTER_CUBIC)
    streaks = cv2.GaussianBlur(streaks, (0, 0), sigmaX=1.5, sigmaY=0.5)
    streaks = streaks * (_uniform(rng, p.brush_strength) / max(float(streaks.std()), 1e-6))
    turn: np.ndarray = cv2.getRotationMatrix2D((d / 2, d / 2), -math.degrees(angle), 1.0)
    turn[:, 2] += np.array([w / 2 - d / 2, h / 2 - d / 2])
    streaks = cv2.warpAffine(streaks, turn, (w, h), flags=cv2.INTER_LINEAR)
    # light: a ramp in a random direction and a broad band across the streaks, where the
    # brushing spreads the reflection of the lamp
    yy, xx = _grid(h, w)
    u, v = (xx - w / 2) / w, (yy - h / 2) / h
    ramp_dir = _uniform(rng, (0.0, 2 * math.pi))
    ramp = _uniform(rng, p.gradient) * (u * math.cos(ramp_dir) + v * math.sin(ramp_dir))
    along = u * math.cos(angle) + v * math.sin(angle)
    centre = _uniform(rng, (-0.6, 0.6))
    width = _uniform(rng, (0.15, 0.5))
    band = _uniform(rng, p.highlight) * np.exp(-(((along - centre) / width) ** 2))
    light_dir = _uniform(rng, (math.radians(200), math.radians(250)))
    luminance = (level + ramp + band + streaks * (1 + band / level)).astype(np.float32)
    light = (math.cos(light_dir), math.sin(light_dir))
    return _Scene(luminance, angle, light, _uniform(rng, p.blur), h, w)


def _camera(
    rng: np.random.Generator, image: np.ndarray, scene: _Scene, p: SurfaceParams
) -> np.ndarray:
    blurred: np.ndarray = cv2.GaussianBlur(image.astype(np.float32), (0, 0), sigmaX=scene.blur)
    noise = _uniform(rng, p.noise)
    h, w = blurred.shape[:2]
    grain = rng.standard_normal((h, w, 4), dtype=np.float32)
    blurred += noise * (0.85 * grain[:, :, :1] + 0.5 * grain[:, :, 1:])
    return np.clip(np.rint(blurred), 0, 255).astype(np.uint8)


def _box(mask: np.ndarray, kind: str) -> Box:
    ys, xs = np.nonzero(mask)
    h, w = mask.shape
    if len(xs) == 0:  # never drawn outside the image, but a box must still be a box
        return (0, 0, w, h, kind)
    return (
        max(0, int(xs.min()) - 1),
        max(0, int(ys.min()) - 1),
        min(w, int(xs.max()) + 2),
        min(h, int(ys.max()) + 2),
        kind,
    )


def _canvas(s: _Scene) -> np.ndarray:
    return np.zeros((s.h, s.w), np.uint8)


def _pt(x: float, y: float) -> tuple[int, int]:
    """A point in cv2's 4-bit sub-pixel units, so thin lines land where they should."""
    return (round(float(x) * 16), round(float(y) * 16))


def _polyline(
    canvas: np.ndarray, points: np.ndarray, values: np.ndarray, thickness: int
) -> np.ndarray:
    for (x0, y0), (x1, y1), value in zip(points[:-1], points[1:], values, strict=False):
        level = int(np.clip(value, 0.0, 1.0) * 255)
        cv2.line(canvas, _pt(x0, y0), _pt(x1, y1), level, thickness, cv2.LINE_AA, shift=4)
    return canvas.astype(np.float32) / 255


def _scratch(rng: np.random.Generator, s: _Scene, r: DefectRange) -> tuple[np.ndarray, Any]:
    """A thin line across the grain at an angle, catching the light (bright) or in shadow
    (dark), its edge lit the other way; uneven along its length and slightly curved."""
    length = _uniform(rng, r.size) * s.side
    contrast = _uniform(rng, r.contrast)
    theta = s.angle + math.radians(_uniform(rng, (20, 160)))
    cx = _uniform(rng, (0.15, 0.85)) * s.w
    cy = _uniform(rng, (0.15, 0.85)) * s.h
    t = np.linspace(-0.5, 0.5, 24)[:, None]
    bend = _uniform(rng, (-0.06, 0.06)) * length
    along = np.array([math.cos(theta), math.sin(theta)])
    normal = np.array([-along[1], along[0]])
    points = np.array([cx, cy]) + t * length * along + (1 - 4 * t**2) * bend * normal
    strength = np.clip(0.8 + 0.2 * np.cumsum(rng.normal(0, 0.35, len(points))), 0.5, 1.0)
    thickness = max(1, round(s.side / 200))
    line = _polyline(_canvas(s), points, strength, thickness)
    edge = _polyline(_canvas(s), points + normal * 1.0, strength, thickness)
    sign = 1.0 if rng.random() < 0.6 else -1.0
    return sign * contrast * s.thin_gain * (line - 0.35 * edge), _METAL


def _die_line(rng: np.random.Generator, s: _Scene, r: DefectRange) -> tuple[np.ndarray, Any]:
    """A groove left by a damaged die: a faint, even line along the extrusion direction over
    most of the profile's length, dark with its lit edge beside it."""
    theta = s.angle + math.radians(_uniform(rng, (-0.4, 0.4)))
    length = _uniform(rng, r.size) * math.hypot(s.w, s.h)
    contrast = _uniform(rng, r.contrast)
    across = _uniform(rng, (0.1, 0.9)) * s.h - s.h / 2
    start = _uniform(rng, (-0.3, 0.3)) * s.w
    along = np.array([math.cos(theta), math.sin(theta)])
    normal = np.array([-along[1], along[0]])
    centre = np.array([s.w / 2, s.h / 2]) + across * normal + start * along
    t = np.linspace(-0.5, 0.5, 16)[:, None]
    points = centre + t * length * along
    strength = np.clip(0.9 + rng.normal(0, 0.05, len(points)), 0.7, 1.0)
    thickness = max(1, round(s.side / 200))
    groove = _polyline(_canvas(s), points, strength, thickness)
    lit = _polyline(_canvas(s), points - normal * 1.2, strength, thickness)
    return contrast * s.thin_gain * (0.6 * lit - groove), _METAL


def _pick_up(rng: np.random.Generator, s: _Scene, r: DefectRange) -> tuple[np.ndarray, Any]:
    """Metal picked up on the die and dragged: a few small dark spots close together, each
    smeared into a fading tail along the extrusion direction."""
    contrast = _uniform(rng, r.contrast)
    canvas = np.zeros((s.h, s.w), np.float32)
    cx = _uniform(rng, (0.15, 0.85)) * s.w
    cy = _uniform(rng, (0.15, 0.85)) * s.h
    along = np.array([math.cos(s.angle), math.sin(s.angle)])
    direction = 1.0 if rng.random() < 0.5 else -1.0
    for _ in range(int(rng.integers(1, 5))):
        radius = max(1.0, _uniform(rng, r.size) * s.side)
        spread = 0.04 * s.side
        x, y = cx + rng.normal(0, spread), cy + rng.normal(0, spread)
        spot = np.zeros((s.h, s.w), np.uint8)
        tail = _uniform(rng, (2.0, 6.0)) * radius
        for k in range(8):  # the tail: ever fainter, thinner ellipses further along
            f = k / 7
            px, py = np.array([x, y]) + direction * f * tail * along
            axes = (
                round(radius * (1.6 - 0.6 * f) * 16),
                round(radius * (1.0 - 0.5 * f) * 16),
            )
            level = int(255 * (1.0 - 0.85 * f))
            cv2.ellipse(
                spot, _pt(px, py), axes, math.degrees(s.angle), 0, 360, level, -1, cv2.LINE_AA, 4
            )
        canvas = np.maximum(canvas, spot.astype(np.float32) / 255)
    return -contrast * canvas, _METAL


def _shade(s: _Scene, height: np.ndarray) -> np.ndarray:
    """How a small height change looks under the lamp: brighter where the surface faces it,
    darker where it turns away (normalised to -1..1)."""
    gy, gx = np.gradient(height)
    shading = gx * s.light[0] + gy * s.light[1]
    peak = float(np.abs(shading).max())
    return -shading / peak if peak > 0 else shading


def _blister(rng: np.random.Generator, s: _Scene, r: DefectRange) -> tuple[np.ndarray, Any]:
    """Gas under the surface: a small round bump, a bright cap towards the lamp and its
    shadow on the far side."""
    radius = max(1.2, _uniform(rng, r.size) * s.side)
    contrast = _uniform(rng, r.contrast)
    cx = _uniform(rng, (0.1, 0.9)) * s.w
    cy = _uniform(rng, (0.1, 0.9)) * s.h
    yy, xx = _grid(s.h, s.w)
    d2 = (xx - cx) ** 2 + (yy - cy) ** 2
    bump = np.exp(-d2 / (2 * (radius / 1.5) ** 2))
    cap = np.exp(-d2 / (2 * (radius / 3) ** 2))
    sx, sy = cx - s.light[0] * radius * 0.9, cy - s.light[1] * radius * 0.9
    shadow = np.exp(-((xx - sx) ** 2 + (yy - sy) ** 2) / (2 * (radius / 1.8) ** 2))
    delta = 0.55 * _shade(s, bump) + 0.6 * cap - 0.45 * shadow
    delta[d2 > (3 * radius) ** 2] = 0
    return contrast * delta, _METAL


def _dent(rng: np.random.Generator, s: _Scene, r: DefectRange) -> tuple[np.ndarray, Any]:
    """A soft elongated depression from a knock in handling: no edge, only shading, dark on
    the side towards the lamp and bright on the other."""
    major = max(2.0, _uniform(rng, r.size) * s.side)
    minor = major / _uniform(rng, (1.8, 3.5))
    contrast = _uniform(rng, r.contrast)
    turn = _uniform(rng, (0.0, math.pi))
    cx = _uniform(rng, (0.2, 0.8)) * s.w
    cy = _uniform(rng, (0.2, 0.8)) * s.h
    yy, xx = _grid(s.h, s.w)
    a = (xx - cx) * math.cos(turn) + (yy - cy) * math.sin(turn)
    b = -(xx - cx) * math.sin(turn) + (yy - cy) * math.cos(turn)
    depth = -np.exp(-0.5 * ((a / major) ** 2 + (b / minor) ** 2))
    delta = _shade(s, depth) - 0.25 * (-depth)
    delta[np.abs(delta) < 0.02] = 0
    return contrast * delta, _METAL


def _local_noise(
    rng: np.random.Generator, s: _Scene, cx: float, cy: float, radius: float, cells: int
) -> np.ndarray:
    """Smooth noise over the square of side 4 × radius around (cx, cy), zero elsewhere: an
    outline wobbles at the blotch's own scale whatever the image's size."""
    side = int(4 * radius) + 1
    patch = cv2.resize(
        rng.standard_normal((cells, cells)).astype(np.float32),
        (side, side),
        interpolation=cv2.INTER_CUBIC,
    )
    out = np.zeros((s.h, s.w), np.float32)
    x0, y0 = int(cx) - side // 2, int(cy) - side // 2
    ox0, oy0 = max(0, x0), max(0, y0)
    ox1, oy1 = min(s.w, x0 + side), min(s.h, y0 + side)
    out[oy0:oy1, ox0:ox1] = patch[oy0 - y0 : oy1 - y0, ox0 - x0 : ox1 - x0]
    return out


def _stain(rng: np.random.Generator, s: _Scene, r: DefectRange) -> tuple[np.ndarray, Any]:
    """Dried coolant or water: a faint blotch with an irregular outline and a darker tide
    mark at its edge, tinted brownish."""
    radius = max(3.0, _uniform(rng, r.size) * s.side / 2)
    contrast = _uniform(rng, r.contrast)
    cx = _uniform(rng, (0.2, 0.8)) * s.w
    cy = _uniform(rng, (0.2, 0.8)) * s.h
    aspect = _uniform(rng, (0.6, 1.0))
    turn = _uniform(rng, (0.0, math.pi))
    yy, xx = _grid(s.h, s.w)
    a = (xx - cx) * math.cos(turn) + (yy - cy) * math.sin(turn)
    b = -(xx - cx) * math.sin(turn) + (yy - cy) * math.cos(turn)
    ellipse = (a / radius) ** 2 + (b / (radius * aspect)) ** 2
    inside = 1.0 - ellipse + 0.5 * _local_noise(rng, s, cx, cy, radius, int(rng.integers(4, 7)))
    edge = max(1.0, radius / 6)
    body = 1 / (1 + np.exp(-np.clip(inside * radius / edge, -30, 30)))
    rim = np.exp(-((inside * radius / edge) ** 2))
    mottle = _local_noise(rng, s, cx, cy, radius, 9)
    delta = body * (0.8 + 0.15 * mottle) + 0.5 * rim
    delta[delta < 0.03] = 0
    sign = -1.0 if rng.random() < 0.8 else 1.0
    return sign * contrast * delta, _STAIN if sign < 0 else _METAL


_DRAW = {
    "scratch": _scratch,
    "die_line": _die_line,
    "pick_up": _pick_up,
    "blister": _blister,
    "dent": _dent,
    "stain": _stain,
}
