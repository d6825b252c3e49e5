"""A supervisor's review of one saved decision: confirmed, or overruled (good <-> defect).

An overrule corrects the order the part was counted on, through the orders service's
audited ``correct_count`` (good and scrap, one each). What a review did to the order is
kept with it in the sidecar (``applied``), so a second review of the same image first
takes the first one's correction back: the order's counts move by what the newest review
says, never twice. Before it corrects, the review writes what it is about to do into the
sidecar (``correcting``, with a reference the corrections' reasons carry): a station
killed between the correction and the sidecar is settled at the next review of that
image from what the order's corrections with that reference did, so a kill never makes
a part count twice nor loses a correction. The reviewed image and its sidecar are filed
under ``examples/<label>/``, the ``DIR/<label>/`` layout a test run and the training
script read.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .evidence import _write_atomic

log = logging.getLogger(__name__)

CONFIRMED, OVERRULED = "confirmed", "overruled"
CORRECTING = "correcting"  # the sidecar's key while a review corrects the order
INTERRUPTED = "interrupted while correcting the order: partly corrected; review it again"
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
    ref: str = ""  # what the reasons of its corrections of the order carry


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
            ref=str(data.get("ref") or ""),
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


def reference() -> str:
    """What the reasons of one review's corrections carry, to be found again."""
    return f"ref {uuid.uuid4().hex[:8]}"


def write_intent(
    sidecar: Path, data: Mapping[str, Any], wanted: Review, before: tuple[int, int], ref: str
) -> None:
    """The review about to correct the order, and the steps in force before it."""
    intent = {"ref": ref, "review": asdict(wanted), "before": list(before)}
    write_sidecar(sidecar, {**data, CORRECTING: intent})


def settle(intent: Any, previous: Review | None, corrections: Sequence[Any]) -> Review | None:
    """The review in force after one cut off while it corrected the order: the intended
    one if its corrections were all made, ``previous`` if none was (or all were taken
    back), else the one before with the steps the order now carries and the problem
    said. ``corrections``: the order's (``counter``, ``before``, ``after``, ``reason``)."""
    if not isinstance(intent, Mapping):
        return previous
    wanted, ref, before = review_from(intent.get("review")), intent.get("ref"), intent.get("before")
    if wanted is None or not ref or not isinstance(before, list) or len(before) != 2:
        return previous  # not one of ours: nothing can be known of it
    moved = {"good": 0, "scrap": 0}
    spans: dict[str, tuple[int, int]] = {}  # counter -> its first before, its last after
    for c in corrections:
        if f"({ref})" in str(c.reason) and c.counter in moved:
            moved[c.counter] += int(c.after) - int(c.before)
            spans[c.counter] = (spans.get(c.counter, (int(c.before), 0))[0], int(c.after))
    now = (int(before[0]) + moved["good"], int(before[1]) + moved["scrap"])
    if now == (wanted.applied_good, wanted.applied_scrap):
        made = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in spans.items())
        return replace(wanted, correction=f"order {wanted.order}: {made}" if made else "")
    if now == (int(before[0]), int(before[1])):
        return previous
    base = previous or wanted
    return replace(base, applied_good=now[0], applied_scrap=now[1], problem=INTERRUPTED)


def write_sidecar(sidecar: Path, content: Mapping[str, Any]) -> None:
    """The sidecar replaced in one rename."""
    text = json.dumps(content, ensure_ascii=False, indent=1, default=str).encode()
    _write_atomic(sidecar, text)


def without_intent(data: Mapping[str, Any]) -> dict[str, Any]:
    """A sidecar's content without a cut-off review's intent."""
    return {k: v for k, v in data.items() if k != CORRECTING}


def write_review(sidecar: Path, data: Mapping[str, Any], review: Review) -> dict[str, Any]:
    """The sidecar with ``review`` in it, replaced in one rename; the new content."""
    content = without_intent(data) | {"review": asdict(review)}
    write_sidecar(sidecar, content)
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
