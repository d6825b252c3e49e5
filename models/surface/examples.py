"""Contact sheet of the synthetic surfaces: one row per defect kind beside good surfaces.

Run from the repository: ``python -m models.surface.examples [--out FILE] [--held-out]``.
Each defect is shown twice, as the camera sees it and with its box drawn, so a reader can
judge whether it looks like the real thing on brushed aluminium.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from hmi.core.vision.synthetic import DEFAULT, DEFECTS, held_out_params, surface_image

HERE = Path(__file__).resolve().parent


def contact_sheet(seed: int, size: int, columns: int, held_out: bool) -> np.ndarray:
    params = held_out_params() if held_out else DEFAULT
    rng = np.random.default_rng(seed)
    rows = []
    for kind in (None, *DEFECTS):
        tiles = []
        for _ in range(columns):
            image, info = surface_image(rng, (size, size), kind, params)
            tile = image.copy()
            tiles.append(tile)
            if kind is not None:
                boxed = image.copy()
                for x0, y0, x1, y1, _label in info["boxes"]:
                    cv2.rectangle(boxed, (x0, y0), (x1 - 1, y1 - 1), (0, 0, 255), 1)
                tiles.append(boxed)
        while len(tiles) < 2 * columns:
            image, _ = surface_image(rng, (size, size), None, params)
            tiles.append(image)
        label = np.full((size, 110, 3), 255, np.uint8)
        cv2.putText(
            label,
            kind or "good",
            (6, size // 2 + 5),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.5,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
        spaced = [np.pad(t, ((2, 2), (2, 2), (0, 0)), constant_values=255) for t in tiles]
        rows.append(
            np.hstack([np.pad(label, ((2, 2), (0, 0), (0, 0)), constant_values=255), *spaced])
        )
    return np.vstack(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "examples.png")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--columns", type=int, default=3)
    parser.add_argument("--held-out", action="store_true", help="the evaluation's ranges")
    args = parser.parse_args()
    sheet = contact_sheet(args.seed, args.size, args.columns, args.held_out)
    cv2.imwrite(str(args.out), sheet, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(args.out)


if __name__ == "__main__":
    main()
