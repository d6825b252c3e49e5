"""A supervisor's review of one saved decision: confirmed, or overruled (good <-> defect).

An overrule corrects the order the part was counted on, through the orders service's
audited ``correct_count`` (good and scrap, one each). What a review did to the order is
kept with it in the sidecar (``applied``), so a second review of the same image first
takes the first one's correction back: the order's counts move by what the newest review
says, never twice. The reviewed image and its sidecar are filed under
``examples/<label>/``, the ``DIR/<label>/`` layout a test run and the training script
read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .evidence import _write_atomic

log = logging.getLogger(__name__)

CONFIRMED, OVERRULED = "confirmed", "overruled"
VERDICTS = {"confirm": CONFIRMED, "overrule": OVERRULED, CONFIRMED: CONFIRMED, OVERRULED: OVERRULED}


@dataclass(frozen=True)
class Review:
    """What a decision stands at after a review; ``correction``: what was done to the
    order ("" if nothing); ``applied``: the good and scrap steps in force on ``order``
    because of it; ``problem``: why a correction that was due could not be made."""

    verdict: str  # "confirmed" | "overruled"
    result: str  # good | defect, after the review
    label: str  # class after review ("good" or a defect class)
    user: str
    ts: float
    note: str = ""
    correction: str = ""
    order: str = ""
    applied_good: int = 0
    applied_scrap: int = 0
    problem: str = ""
    example: str = ""  # the labelled copy, relative to the examples folder


def review_from(data: Any) -> Review | None:
    """The review a sidecar holds (None when it has none or it is not one)."""
    if not isinstance(data, Mapping):
        return None
    try:
        return Review(
            verdict=str(data["verdict"]),
            result=str(data["result"]),
            label=str(data["label"]),
            user=str(data["user"]),
            ts=float(data["ts"]),
            note=str(data.get("note") or ""),
            correction=str(data.get("correction") or ""),
            order=str(data.get("order") or ""),
            applied_good=int(data.get("applied_good") or 0),
            applied_scrap=int(data.get("applied_scrap") or 0),
            problem=str(data.get("problem") or ""),
            example=str(data.get("example") or ""),
        )
    except (KeyError, TypeError, ValueError):
        return None


def steps_for(decided: str, verdict: str) -> tuple[int, int]:
    """The (good, scrap) steps an order needs after ``verdict`` on a part ``decided``
    good or defect: none for a confirmation; one part moved for an overrule."""
    if verdict != OVERRULED:
        return 0, 0
    return (-1, 1) if decided == "good" else (1, -1)


class CorrectionError(Exception):
    """The orders service refused or failed a correction; the message says why."""


def correct_order(
    orders: Any, number: str, good_step: int, scrap_step: int, reason: str, user: str
) -> str:
    """Move the order's good and scrap counts by the steps, each an audited correction
    of the orders service; "order N: good a -> b, scrap c -> d". When the second fails
    the first is put back, so the order never keeps half a correction."""
    order = orders.order(number)
    if order is None:
        raise LookupError(f"order {number} is not known to the orders service")
    plan = [
        (counter, before, before + step)
        for counter, before, step in (
            ("good", order.good, good_step),
            ("scrap", order.scrap, scrap_step),
        )
        if step
    ]
    for counter, before, after in plan:
        if after < 0:
            raise CorrectionError(
                f"order {number}: the {counter} count is {before}, it cannot go below 0"
            )
    done: list[tuple[str, int]] = []
    try:
        for counter, before, after in plan:
            orders.correct_count(number, counter, after, reason, user)
            done.append((counter, before))
    except Exception as error:  # the orders service's own refusal or failure
        for counter, before in done:
            try:
                orders.correct_count(number, counter, before, f"taken back: {reason}", user)
            except Exception:
                log.exception("vision review: order %s: %s could not be put back", number, counter)
        raise CorrectionError(f"order {number}: {error}") from None
    return f"order {number}: " + ", ".join(f"{c} {b} -> {a}" for c, b, a in plan)


def write_review(sidecar: Path, data: Mapping[str, Any], review: Review) -> dict[str, Any]:
    """The sidecar with ``review`` in it, replaced in one rename; the new content."""
    content = {**data, "review": asdict(review)}
    text = json.dumps(content, ensure_ascii=False, indent=1, default=str).encode()
    _write_atomic(sidecar, text)
    return content


def safe_name(label: str) -> str:
    """A label as a folder name."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in label).strip(".") or "_"


def file_example(examples: Path, image: Path, sidecar: Path, label: str, previous: str = "") -> str:
    """Copy the image and its sidecar to ``examples/<label>/``; the copy's folder and
    name relative to ``examples``. An earlier copy under another label is removed."""
    folder = examples / safe_name(label)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(image, folder / image.name)
    shutil.copy2(sidecar, folder / sidecar.name)
    relative = f"{folder.name}/{image.name}"
    parts = Path(previous).parts
    if previous and previous != relative and len(parts) == 2 and ".." not in parts:
        old = examples / previous
        for path in (old, old.with_suffix(".json")):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    return relative
