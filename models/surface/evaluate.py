"""Evaluate the shipped surface model on a held-out set, against the classical baseline.

    python -m models.surface.evaluate [--count 3500] [--seed N] [--out evaluation.json]

The held-out images come from ``held_out_params()`` (other surface and defect ranges than
training's) and from seeds training never used; half are good, the other half split evenly
between the six defect kinds. The model runs as shipped: the ONNX file with onnxruntime on
one thread, its input prepared as its sidecar says, its threshold from the sidecar. The
baseline learns its statistics and threshold on training's ranges, as the model did.

Prints one JSON line of figures and writes the whole report; exits 1 when the model misses a
target (AUROC, F1) or does not beat the baseline, 2 when the model cannot be read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnxruntime as ort
import yaml

from hmi.core.vision.synthetic import DEFAULT, DEFECTS, held_out_params, surface_image
from models.surface.baseline import Baseline
from models.surface.data import grey_batch

HERE = Path(__file__).resolve().parent
MODEL = HERE / "surface.onnx"
TARGETS = {"auroc": 0.99, "f1": 0.95}
HELD_OUT_SEED = 7_000_000  # training draws from seeds near 1,000 and 2,000
BASELINE_SEED = 3_000


class EvaluationError(Exception):
    """The model or its sidecar cannot be used; the message says which file and why."""


def held_out_set(count: int, seed: int) -> tuple[list[np.ndarray], list[str]]:
    """``count`` images from the evaluation's ranges: half good, half the six kinds evenly."""
    rng = np.random.default_rng(seed)
    per_kind = max(1, count // (2 * len(DEFECTS)))
    kinds: list[str | None] = [None] * (count - per_kind * len(DEFECTS))
    for kind in DEFECTS:
        kinds += [kind] * per_kind
    params = held_out_params()
    images, labels = [], []
    for kind in kinds:
        image, info = surface_image(rng, (128, 128), kind, params)
        images.append(image)
        labels.append(info["label"])
    return images, labels


class ShippedModel:
    """The ONNX model and its sidecar, read the way the runtime reads them."""

    def __init__(self, path: Path) -> None:
        sidecar_path = path.with_suffix(".yaml")
        for needed in (path, sidecar_path):
            if not needed.is_file():
                raise EvaluationError(f"{needed}: no such file")
        try:
            self.sidecar: dict[str, Any] = yaml.safe_load(sidecar_path.read_text("utf-8"))
            self.labels: list[str] = list(self.sidecar["labels"])
            self.threshold = float(self.sidecar["threshold"])
            self.defects = [self.labels.index(d) for d in self.sidecar["defect_classes"]]
            self.settings = self.sidecar["input"]
        except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            raise EvaluationError(
                f"{sidecar_path}: not a usable sidecar ({_one_line(exc)})"
            ) from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for a bad file
            raise EvaluationError(
                f"{path}: onnxruntime cannot load it ({_one_line(exc)})"
            ) from None
        self.input = self.session.get_inputs()[0].name
        self.sha256 = _sha256(path)

    def probabilities(self, images: Sequence[np.ndarray], batch: int = 64) -> np.ndarray:
        out = []
        for i in range(0, len(images), batch):
            x = grey_batch(images[i : i + batch], self.settings)
            out.append(self.session.run(None, {self.input: x})[0])
        return np.concatenate(out)

    def defect_scores(self, probabilities: np.ndarray) -> np.ndarray:
        return probabilities[:, self.defects].sum(axis=1)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(exc: BaseException) -> str:
    """A library's message on one line, cut short: the reader needs the gist, not a dump."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def auroc(scores: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve: the chance a defect scores above a good part (ties half)."""
    pos, neg = scores[positive], scores[~positive]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    ranks[order] = np.arange(1, len(order) + 1)
    # average ranks of ties
    _, first, counts = np.unique(values, return_index=True, return_counts=True)
    for start, n in zip(first, counts, strict=True):
        if n > 1:
            ranks[order[start : start + n]] = ranks[order[start : start + n]].mean()
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def figures(scores: np.ndarray, threshold: float, labels: Sequence[str]) -> dict[str, Any]:
    """AUROC, F1 and the decision rates at the threshold, over all and per defect kind.

    A false accept is a defective part passed as good; a false reject a good part scrapped.
    """
    kinds = np.array(labels)
    defect = kinds != "good"
    rejected = scores >= threshold
    tp = int(np.sum(rejected & defect))
    fp = int(np.sum(rejected & ~defect))
    fn = int(np.sum(~rejected & defect))
    out: dict[str, Any] = {
        "auroc": auroc(scores, defect),
        "f1": 2 * tp / max(1, 2 * tp + fp + fn),
        "false_accept_rate": fn / max(1, int(defect.sum())),
        "false_reject_rate": fp / max(1, int((~defect).sum())),
        "threshold": threshold,
        "per_kind": {},
    }
    for kind in DEFECTS:
        these = kinds == kind
        both = these | ~defect
        out["per_kind"][kind] = {
            "images": int(these.sum()),
            "auroc": auroc(scores[both], these[both]),
            "false_accept_rate": float(np.mean(~rejected[these])) if these.any() else None,
        }
    return out


def evaluate(
    model_path: Path = MODEL,
    count: int = 3500,
    seed: int = HELD_OUT_SEED,
    baseline_count: int | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    model = ShippedModel(model_path)
    images, labels = held_out_set(count, seed)
    probabilities = model.probabilities(images)
    scores = model.defect_scores(probabilities)
    report: dict[str, Any] = {
        "model": {"file": model_path.name, "sha256": model.sha256},
        "held_out": {
            "images": len(images),
            "seed": seed,
            "good": labels.count("good"),
            "per_kind": len(images) // (2 * len(DEFECTS)) if DEFECTS else 0,
        },
        "targets": TARGETS,
        "model_figures": figures(scores, model.threshold, labels),
    }
    predicted = np.array(model.labels)[probabilities.argmax(axis=1)]
    truth = np.array(labels)
    defective = truth != "good"
    report["model_figures"]["kind_accuracy"] = float(
        np.mean(predicted[defective] == truth[defective])
    )
    baseline = fit_baseline(baseline_count or max(700, count // 3))
    greys = [cv2.cvtColor(i, cv2.COLOR_BGR2GRAY) for i in images]
    report["baseline_figures"] = figures(baseline.scores(greys), baseline.threshold, labels)
    report["seconds"] = time.perf_counter() - started
    report["passed"], report["failures"] = verdict(report)
    return report


def fit_baseline(count: int) -> Baseline:
    """The baseline's statistics and threshold from training's ranges (other seeds)."""
    rng = np.random.default_rng(BASELINE_SEED)
    greys, defect = [], []
    for i in range(count):
        kind = None if i % 2 == 0 else DEFECTS[(i // 2) % len(DEFECTS)]
        image, _ = surface_image(rng, (128, 128), kind, DEFAULT)
        greys.append(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
        defect.append(kind is not None)
    return Baseline.fit(greys, np.array(defect))


def verdict(report: dict[str, Any]) -> tuple[bool, list[str]]:
    m, b = report["model_figures"], report["baseline_figures"]
    failures = [
        f"{name} {m[name]:.4f} is below the target {target}"
        for name, target in TARGETS.items()
        if not m[name] >= target
    ]
    for name in ("auroc", "f1"):
        if not m[name] > b[name]:
            failures.append(f"{name} {m[name]:.4f} does not beat the baseline's {b[name]:.4f}")
    return not failures, failures


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The one line printed: the model's and the baseline's headline figures."""
    line: dict[str, Any] = {"evaluation": "surface", "images": report["held_out"]["images"]}
    for who in ("model", "baseline"):
        f = report[f"{who}_figures"]
        for key in ("auroc", "f1", "false_accept_rate", "false_reject_rate"):
            line[f"{who}_{key}"] = round(f[key], 4)
    line["passed"] = report["passed"]
    line["seconds"] = round(report["seconds"], 1)
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--count", type=int, default=3500, help="held-out images")
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument("--baseline-count", type=int, help="images the baseline learns from")
    parser.add_argument("--out", type=Path, default=HERE / "evaluation.json")
    args = parser.parse_args(argv)
    if args.count < 2 * len(DEFECTS) + 1:
        parser.error(f"--count {args.count}: at least {2 * len(DEFECTS) + 1} images")
    if args.baseline_count is not None and args.baseline_count < 2 * len(DEFECTS):
        parser.error(f"--baseline-count {args.baseline_count}: at least {2 * len(DEFECTS)}")
    try:
        report = evaluate(args.model, args.count, args.seed, args.baseline_count)
    except EvaluationError as exc:
        print(f"evaluate: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary(report)), flush=True)
    for failure in report["failures"]:
        print(f"evaluate: {failure}", file=sys.stderr)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
