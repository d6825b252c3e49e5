"""Train the shipped surface-defect model on generated images and export it to ONNX.

    nice -n 19 python -m models.surface.train [--images 12000] [--epochs 7] [--threads 2]

Needs the ``train`` extra (``pip install -e ".[train]"``: torch, CPU build). Every image is
made by ``hmi.core.vision.synthetic`` from training's parameter ranges and seeds; the
threshold is chosen on a validation set of other seeds, and the evaluation
(``python -m models.surface.evaluate``) then uses other ranges and other seeds again.

Writes ``surface.onnx`` (its metadata_props say what the sidecar says) and ``surface.yaml``
beside it. The network is small on purpose: a line PC's CPU is shared with the UI and the
tag engine, so it must decide in a few milliseconds on one thread.
"""

from __future__ import annotations

import argparse
import io
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
import yaml
from torch import nn

from hmi.core.vision.synthetic import DEFAULT, DEFECTS, surface_image
from models.surface.data import INPUT_SIZE, LABELS, PREPROCESS, grey_batch

HERE = Path(__file__).resolve().parent
TRAIN_SEED = 1_000  # the evaluation draws from seeds far from these
VALIDATION_SEED = 2_000
GOOD_SHARE = 0.4  # the rest is split evenly between the six kinds


class SurfaceNet(nn.Module):
    """Five 3×3 convolutions, then average and max pooling over the whole image: the max
    keeps a blister of a few pixels. Beside them, row profiles: the image averaged along x
    over 16-pixel stretches (short enough that a line a few degrees off x stays in its
    row), the strongest row of each stretch, averaged over the stretches. A faint die line
    is strong in every stretch, a brushing streak in a few."""

    def __init__(self, widths: tuple[int, ...] = (8, 16, 24, 32, 48), rows: int = 16) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 1
        for i, width in enumerate(widths):
            stride = 2 if i < 2 else 1
            layers += [
                nn.Conv2d(channels, width, 3, stride=stride, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True),
            ]
            if 2 <= i < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
            channels = width
        self.features = nn.Sequential(*layers)
        self.rows = nn.Sequential(
            nn.Conv2d(1, rows, (5, 1), padding=(2, 0)),
            nn.ReLU(inplace=True),
            nn.Conv2d(rows, rows, (5, 1), padding=(2, 0)),
            nn.ReLU(inplace=True),
        )
        self.head = nn.Linear(2 * channels + rows, len(LABELS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # the metal's brightness changes with the lamp and the alloy: only differences count
        x = x - x.mean(dim=(2, 3), keepdim=True)
        f = self.features(x)
        profile = self.rows(nn.functional.avg_pool2d(x, (1, 16)) * 4)
        lines = profile.amax(dim=2).mean(dim=2)
        pooled = torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3)), lines], dim=1)
        return torch.softmax(self.head(pooled), dim=1)


def make_set(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` images (N, 1, H, W float32 as the model sees them) and their class indices."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(
        len(LABELS), size=count, p=[GOOD_SHARE] + [(1 - GOOD_SHARE) / len(DEFECTS)] * 6
    )
    images = []
    for k in kinds:
        image, _ = surface_image(rng, INPUT_SIZE, None if k == 0 else LABELS[k], DEFAULT)
        images.append(image)
    return grey_batch(images), kinds.astype(np.int64)


def defect_scores(model: nn.Module, x: np.ndarray, batch: int = 256) -> np.ndarray:
    """Probability of a defect (1 - P(good)) for each image."""
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(1 - model(torch.from_numpy(x[i : i + batch]))[:, 0].numpy())
    return np.concatenate(out)


def best_threshold(scores: np.ndarray, defect: np.ndarray) -> float:
    """The threshold with the best F1 on the validation set, in the middle of its plateau."""
    candidates = np.unique(np.concatenate([scores, [0.5]]))
    f1 = []
    for t in candidates:
        tp = np.sum((scores >= t) & defect)
        fp = np.sum((scores >= t) & ~defect)
        fn = np.sum((scores < t) & defect)
        f1.append(2 * tp / max(1, 2 * tp + fp + fn))
    f1a = np.array(f1)
    best = candidates[f1a >= f1a.max() - 1e-9]
    return float(np.clip((best.min() + best.max()) / 2, 0.05, 0.95))


def train(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    started = time.perf_counter()
    x, y = make_set(args.images, TRAIN_SEED + args.seed)
    xv, yv = make_set(args.validation, VALIDATION_SEED + args.seed)
    print(f"generated {len(x)} + {len(xv)} images in {time.perf_counter() - started:.0f} s")
    model = SurfaceNet()
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * (len(x) // args.batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, args.lr, total_steps=steps)
    loss_fn = nn.NLLLoss()
    rng = np.random.default_rng(args.seed)
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(x))
        total = 0.0
        for i in range(len(x) // args.batch):
            pick = order[i * args.batch : (i + 1) * args.batch]
            xb = x[pick]
            # the extrusion runs along x either way, and the camera may look from either side
            if rng.random() < 0.5:
                xb = xb[:, :, :, ::-1]
            if rng.random() < 0.5:
                xb = xb[:, :, ::-1, :]
            xb = torch.from_numpy(np.ascontiguousarray(xb))
            probs = model(xb)
            loss = loss_fn(torch.log(probs.clamp_min(1e-7)), torch.from_numpy(y[pick]))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item()
        scores = defect_scores(model, xv)
        accuracy = float(np.mean((scores >= 0.5) == (yv > 0)))
        print(
            f"epoch {epoch + 1}/{args.epochs}: loss {total / (len(x) // args.batch):.4f}, "
            f"validation accuracy {accuracy:.4f}, {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        # exported after every epoch, so a run cut short still leaves a usable model
        threshold = best_threshold(scores, yv > 0)
        print(f"threshold {threshold:.3f}")
        export(model, threshold, args.out)


def sidecar(threshold: float) -> dict[str, Any]:
    """What the runtime must know that the graph does not say (the INFER sidecar format)."""
    return {
        "kind": "classification",
        "labels": list(LABELS),
        "defect_classes": list(DEFECTS),
        "threshold": round(threshold, 4),
        "input": dict(PREPROCESS),
    }


def export(model: nn.Module, threshold: float, out: Path) -> None:
    model.eval()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            model,
            (torch.zeros(1, 1, *INPUT_SIZE),),
            buffer,
            dynamo=False,
            opset_version=17,
            input_names=["image"],
            output_names=["probabilities"],
            dynamic_axes={"image": {0: "batch"}, "probabilities": {0: "batch"}},
        )
    graph = onnx.load_from_string(buffer.getvalue())
    graph.producer_name = "linea-hmi models/surface/train.py"
    graph.doc_string = "Brushed-aluminium surface defects: good or one of six kinds."
    side = sidecar(threshold)
    meta = {
        "kind": side["kind"],
        "labels": json.dumps(side["labels"]),
        "defect_classes": json.dumps(side["defect_classes"]),
        "threshold": str(side["threshold"]),
        "input": json.dumps(side["input"]),
    }
    for key, value in meta.items():
        entry = graph.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(graph)
    out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(graph, str(out))
    out.with_suffix(".yaml").write_text(
        "# Written by models/surface/train.py with the model beside it.\n"
        + yaml.safe_dump(side, sort_keys=False),
        encoding="utf-8",
    )
    print(f"wrote {out} ({out.stat().st_size} bytes) and {out.with_suffix('.yaml').name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12000)
    parser.add_argument("--validation", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "surface.onnx")
    train(parser.parse_args())


if __name__ == "__main__":
    main()
