"""``hmi vision models | test | cameras``: what the engineer checks before a model goes on
the line, added through ``VisionCapability.add_commands``.

``test`` shows each of the model's settings with where it came from (sidecar, metadata,
inferred: a wrong colour order does not fail, it only decides badly) and decides labelled
sample images, ``DIR/<label>/*.png`` (``good`` or another good name for good parts, any
other folder a defect), at the threshold chosen, as a confusion table (``evaluation``,
the same run the models page shows).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..commands import CommandSet
from ..project.models import Project
from ..words import did_you_mean
from .config import ModelConfig, VisionConfig, read_vision


def add_commands(commands: CommandSet) -> None:
    vision = commands.add("vision", help="vision models and cameras")
    actions = vision.add_subparsers(dest="action", required=True)
    p = actions.add_parser("models", help="the project's models and what each one is")
    commands.add_project(p)
    p = actions.add_parser("cameras", help="the cameras, their models and counters")
    commands.add_project(p)
    p = actions.add_parser("test", help="a model's settings and decisions on sample images")
    commands.add_project(p)
    p.add_argument("model", help="a model of the vision: section, or an ONNX file")
    p.add_argument("--images", default=None, help="a folder of DIR/<label>/ images")
    p.add_argument("--threshold", type=float, default=None, help="instead of the model's")
    vision.set_defaults(func=lambda args: run(commands, args))


def run(commands: CommandSet, args: argparse.Namespace) -> int:
    project = commands.load(args.project)
    if project is None:
        return commands.BAD_PROJECT
    config = read_vision(project)[0]
    if config is None and args.action != "test":
        print(f"{project.source}: the project has no vision: section", file=sys.stderr)
        return commands.FAILED
    config = config or VisionConfig()
    from .library import read_added

    for name, path in read_added(commands.store(project, args)).items():
        config.models.setdefault(name, ModelConfig(name, path))  # added at the station
    if args.action == "models":
        return models(config)
    if args.action == "cameras":
        return cameras(config, commands.store(project, args))
    return test(project, config, args)


def models(config: VisionConfig) -> int:
    from .model import ModelError, VisionModel

    failed = False
    for name, cfg in config.models.items():
        try:
            info = VisionModel.load(cfg.path, threads=cfg.threads).info
        except ModelError as error:
            print(f"{name}: {cfg.path}: cannot be used: {error}")
            failed = True
            continue
        labels = ", ".join(info.labels)
        print(
            f"{name}: {cfg.path} {info.kind}, labels {labels}, threshold {info.threshold:g}, "
            f"sha256 {info.sha256[:16]}"
        )
    if not config.models:
        print("no models")
    return 1 if failed else 0


def cameras(config: VisionConfig, store: Path) -> int:
    from .counters import read_store

    counts, active = read_store(store)
    for name, cfg in config.cameras.items():
        c = counts.get(name, {})
        trigger = cfg.trigger.tag or cfg.trigger.kind
        print(
            f"{name}: line {cfg.line}, source {cfg.source}, model {active.get(name, cfg.model)}, "
            f"trigger {cfg.trigger.kind} {trigger}, {c.get('good', 0)} good, "
            f"{c.get('scrap', 0)} scrap, {c.get('uninspected', 0)} uninspected"
        )
    if not config.cameras:
        print("no cameras")
    return 0


def test(project: Project, config: VisionConfig, args: argparse.Namespace) -> int:
    from .model import ModelError, VisionModel

    cfg = config.models.get(args.model)
    path, threads = (cfg.path, cfg.threads) if cfg else (Path(args.model), 1)
    if cfg is None and path.suffix.lower() != ".onnx":
        hint = did_you_mean(args.model, config.models, "models")
        print(f"vision test: no model '{args.model}' in the project: {hint}", file=sys.stderr)
        return 1
    try:
        model = VisionModel.load(path, threads=threads)
    except ModelError as error:
        print(f"vision test: {error}", file=sys.stderr)
        return 1
    for line in model.info.describe():
        print(line)
    if args.images is None:
        return 0
    threshold = model.info.threshold if args.threshold is None else args.threshold
    shown = "given" if args.threshold is not None else model.info.source.get("threshold")
    return confusion(model, Path(args.images), threshold, f"{threshold:g} ({shown})")


def confusion(model: object, folder: Path, threshold: float, shown: str) -> int:
    """Decide every labelled image and print the confusion table at ``threshold``."""
    from .evaluation import EvaluationError, run_test
    from .model import VisionModel

    assert isinstance(model, VisionModel)
    if not folder.is_dir():
        print(f"vision test: --images {folder}: no such folder", file=sys.stderr)
        return 1
    try:
        run = run_test(model, folder, threshold)
    except EvaluationError as error:
        print(f"vision test: {error}")
        return 1
    for problem in run.unreadable:
        print(f"vision test: {problem}", file=sys.stderr)
    if not run.images:
        print(f"vision test: none of the images under {folder} could be decided")
        return 1
    print()
    for line in run.lines(shown):
        print(line)
    if run.unreadable:
        print(f"{len(run.unreadable)} image(s) could not be decided (above)")
    return 0
