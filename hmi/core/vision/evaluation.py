"""A model's test run on labelled images: the confusion table at a threshold, with the
false-accept and false-reject rates the engineer chooses that threshold by.

Images are ``DIR/<label>/*.png`` (``good`` or another good name for good parts, any other
folder a defect class), the layout ``hmi vision test --images``, the reviewed examples
and ``models/surface/train.py`` share. An image that cannot be read or decided is listed
with why and left out of the figures; nothing stops the run. The samples of the demo
model are made once from the synthetic generator (``demo_samples``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .model import GOOD_NAMES, ModelError, VisionModel

MAX_IMAGES = 10_000  # sample images decided by one run
SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
DEMO_SAMPLES = {"good": 24, "defect": 4}  # per folder: good, and each defect kind
DEMO_SEED = 20_260_413  # the demo's samples are the same on every station


class EvaluationError(Exception):
    """No run possible (no such folder, no labelled images); the message says why."""


@dataclass(frozen=True)
class TestRun:
    """The figures of one run. ``confusion``: true label -> {"good": n, "defect": n}
    decided; rates are fractions (0..1) of the images of that truth, 0 when there are
    none."""

    __test__ = False  # not a pytest test class

    model: str
    threshold: float
    images: int
    confusion: Mapping[str, Mapping[str, int]]
    false_accept: float  # defects decided good / defects
    false_reject: float  # good decided defect / good
    accuracy: float
    unreadable: tuple[str, ...]  # "path: why" of the images left out
    ms_per_image: float
    folder: Path | None = None
    defects: int = 0  # images of a defect class
    goods: int = 0  # images of a good class
    passed: int = 0  # defects decided good
    scrapped: int = 0  # good decided defect
    scores: Mapping[str, tuple[float, ...]] = field(default_factory=dict, compare=False)

    def lines(self, shown: str = "") -> list[str]:
        """The run as the command line prints it (``shown``: the threshold's words)."""
        out = [
            f"threshold {shown or f'{self.threshold:g}'}; {self.images} images from {self.folder}",
            f"{'':16}{'decided good':>14}{'decided defect':>16}",
        ]
        truly = {False: [0, 0], True: [0, 0]}
        for label, row in self.confusion.items():
            counts = truly[is_defect(label)]
            counts[0] += row.get("good", 0)
            counts[1] += row.get("defect", 0)
        for truth, name in ((False, "truly good"), (True, "truly defect")):
            out.append(f"{name:16}{truly[truth][0]:>14}{truly[truth][1]:>16}")
        for label in sorted(self.confusion):
            row = self.confusion[label]
            n = row.get("good", 0) + row.get("defect", 0)
            out.append(f"  {label:14}{row.get('good', 0):>14}{row.get('defect', 0):>16}  ({n})")
        if self.defects:
            out.append(
                f"false accept (defects passed): {self.passed}/{self.defects} "
                f"= {100 * self.false_accept:.1f}%"
            )
        if self.goods:
            out.append(
                f"false reject (good scrapped): {self.scrapped}/{self.goods} "
                f"= {100 * self.false_reject:.1f}%"
            )
        return out


def is_defect(label: str) -> bool:
    """A folder's label names a defect unless it is one of the good names."""
    return label.lower() not in GOOD_NAMES


def labelled_images(folder: Path) -> list[Path]:
    """``folder/<label>/*`` image files, in name order, at most ``MAX_IMAGES``."""
    images = sorted(p for p in folder.glob("*/*") if p.suffix.lower() in SUFFIXES and p.is_file())
    return images[:MAX_IMAGES]


def run_test(
    model: VisionModel,
    folder: str | Path,
    threshold: float | None = None,
    *,
    name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> TestRun:
    """Decide every labelled image under ``folder`` with ``model`` at ``threshold`` (the
    model's own when None); ``progress(done, total)`` after each image."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EvaluationError(f"{folder}: no such folder of labelled images")
    images = labelled_images(folder)
    if not images:
        raise EvaluationError(
            f"no images in label folders under {folder} (DIR/good/*.png, DIR/<defect>/*.png)"
        )
    threshold = model.info.threshold if threshold is None else float(threshold)
    confusion: dict[str, dict[str, int]] = {}
    scores: dict[str, list[float]] = {}
    unreadable: list[str] = []
    spent = 0.0
    for done, path in enumerate(images, start=1):
        label = path.parent.name
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            unreadable.append(f"{path}: not an image OpenCV can read")
        else:
            start = time.perf_counter()
            try:
                score = model.infer(image).score
            except ModelError as error:
                unreadable.append(f"{path}: {error}")
            else:
                spent += time.perf_counter() - start
                row = confusion.setdefault(label, {"good": 0, "defect": 0})
                row["defect" if score >= threshold else "good"] += 1
                scores.setdefault(label, []).append(float(score))
        if progress is not None:
            progress(done, len(images))
    decided = sum(sum(row.values()) for row in confusion.values())
    defects = sum(sum(r.values()) for label, r in confusion.items() if is_defect(label))
    passed = sum(r["good"] for label, r in confusion.items() if is_defect(label))
    goods = decided - defects
    scrapped = sum(r["defect"] for label, r in confusion.items() if not is_defect(label))
    return TestRun(
        model=name or model.info.path.stem,
        threshold=threshold,
        images=decided,
        confusion=confusion,
        false_accept=passed / defects if defects else 0.0,
        false_reject=scrapped / goods if goods else 0.0,
        accuracy=(decided - passed - scrapped) / decided if decided else 0.0,
        unreadable=tuple(unreadable),
        ms_per_image=1000 * spent / decided if decided else 0.0,
        folder=folder,
        defects=defects,
        goods=goods,
        passed=passed,
        scrapped=scrapped,
        scores={label: tuple(values) for label, values in scores.items()},
    )


def demo_samples(folder: Path, size: tuple[int, int] = (256, 256)) -> Path:
    """Labelled synthetic surfaces under ``folder`` (``good/`` and one folder per defect
    kind), made once: a folder that has them is left as it is."""
    from . import synthetic

    if folder.is_dir() and labelled_images(folder):
        return folder
    partial = folder.with_name(folder.name + ".part")
    rng = np.random.default_rng(DEMO_SEED)
    kinds = [(synthetic.GOOD, DEMO_SAMPLES["good"])]
    kinds += [(kind, DEMO_SAMPLES["defect"]) for kind in synthetic.DEFECTS]
    for kind, count in kinds:
        (partial / kind).mkdir(parents=True, exist_ok=True)
        for n in range(count):
            defect = None if kind == synthetic.GOOD else kind
            image, _ = synthetic.surface_image(rng, size=size, defect=defect)
            if not cv2.imwrite(str(partial / kind / f"{kind}-{n:03d}.png"), image):
                raise EvaluationError(f"cannot write the demo samples in {partial}")
    partial.replace(folder)
    return folder
