"""How each kind of output reads, on arrays whose right answer is worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hmi.core.vision.layouts import (
    MAX_DETECTIONS,
    AnomalibV1Metadata,
    LayoutError,
    anomalib_v1,
    anomalib_v2,
    class_probabilities,
    decode_end2end,
    decode_yolo,
    infer_layout,
    iou_one_to_many,
    min_max_normalise,
    nms,
)


def yolo_output(
    boxes: list[tuple[float, float, float, float, int, float]], classes: int, anchors: int
):
    """[1, 4 + classes, anchors] with each (cx, cy, w, h, class, score) in its own anchor."""
    out = np.zeros((1, 4 + classes, anchors), np.float32)
    for i, (cx, cy, w, h, cls, score) in enumerate(boxes):
        out[0, :4, i] = (cx, cy, w, h)
        out[0, 4 + cls, i] = score
    return out


# -- which layout ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outputs", "end2end", "kind", "classes"),
    [
        ([("output0", (1, 84, 8400))], None, "detection", 80),
        ([("output0", (1, 5, 8400))], None, "detection", 1),
        ([("output0", (1, 300, 6))], None, "detection_e2e", None),
        ([("output0", (1, 189, 6))], None, "detection_e2e", None),
        # at 64×64 a COCO model has 84 anchors: only the metadata tells the two apart
        ([("output0", (1, 84, 84))], False, "detection", 80),
        ([("output0", (1, 6, 8400))], True, "detection_e2e", None),
        ([("output0", (1, 7))], None, "classification", 7),
        ([("logits", (1, 3, 1, 1))], None, "classification", 3),
        ([("output0", ("batch", 84, "anchors"))], None, "detection", 80),
        (
            [("pred_score", (1,)), ("pred_label", (1,)), ("anomaly_map", (1, 1, 256, 256))],
            None,
            "anomaly",
            None,
        ),
    ],
)
def test_layouts_are_told_apart_by_their_outputs(outputs, end2end, kind, classes):
    layout = infer_layout(outputs, end2end)
    assert layout.kind == kind
    assert layout.classes == classes


@pytest.mark.parametrize(
    ("outputs", "words"),
    [
        ([("out", (1, 3, 4, 5, 6))], "match no known layout"),
        ([("out", (1, 4, 8400))], "matches no detection layout"),
        ([("pred_label", (1,)), ("pred_mask", (1, 1, 8, 8))], "neither pred_score nor anomaly_map"),
        ([], "no outputs"),
    ],
)
def test_outputs_matching_no_layout_say_what_they_are(outputs, words):
    with pytest.raises(LayoutError, match=words):
        infer_layout(outputs)


# -- classification ----------------------------------------------------------------------


def test_probabilities_are_kept_and_logits_get_a_softmax():
    probs = np.array([[0.1, 0.7, 0.2]], np.float32)
    assert class_probabilities(probs) == pytest.approx([0.1, 0.7, 0.2], abs=1e-6)
    logits = np.array([[1.0, 2.0, 3.0]])
    e = np.exp([1.0, 2.0, 3.0])
    assert class_probabilities(logits) == pytest.approx(e / e.sum())
    # values in [0, 1] that do not sum to 1 are logits too
    assert class_probabilities(np.array([[0.2, 0.2]])) == pytest.approx([0.5, 0.5])


def test_one_output_value_is_a_probability_or_a_logit():
    assert class_probabilities(np.array([[0.8]])) == pytest.approx([0.8])
    assert class_probabilities(np.array([[2.0]])) == pytest.approx([1 / (1 + np.exp(-2.0))])


def test_nan_scores_are_refused():
    with pytest.raises(LayoutError, match=r"NaN"):
        class_probabilities(np.array([[np.nan, 1.0]]))


# -- detection ---------------------------------------------------------------------------


def test_iou_by_hand():
    box = np.array([0.0, 0.0, 10.0, 10.0])
    others = np.array([[5.0, 0.0, 15.0, 10.0], [20.0, 20.0, 30.0, 30.0], [0.0, 0.0, 10.0, 10.0]])
    # overlap 50 over union 150; none; the same box
    assert iou_one_to_many(box, others) == pytest.approx([1 / 3, 0.0, 1.0])


def test_nms_is_per_class_and_keeps_the_best():
    xyxy = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [0, 0, 10, 10], [30, 30, 40, 40]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    classes = np.array([0, 0, 1, 0])
    # box 1 overlaps box 0 (IoU 9/11) in class 0; box 2 is the same place, another class
    assert list(nms(xyxy, scores, classes, iou=0.5)) == [0, 2, 3]
    # with a threshold above their overlap both stay
    assert list(nms(xyxy, scores, classes, iou=0.85)) == [0, 1, 2, 3]


def test_yolo_raw_output_filters_and_suppresses():
    out = yolo_output(
        [
            (32, 32, 20, 10, 1, 0.9),  # kept
            (33, 32, 20, 10, 1, 0.8),  # same class, IoU ~0.9 with the first: suppressed
            (33, 32, 20, 10, 0, 0.6),  # other class at the same place: kept
            (10, 10, 4, 4, 2, 0.2),  # below confidence
        ],
        classes=3,
        anchors=20,
    )
    boxes = decode_yolo(out, classes=3, confidence=0.25, iou=0.7)
    assert list(boxes.classes) == [1, 0]
    assert list(boxes.scores) == pytest.approx([0.9, 0.6])
    assert boxes.xyxy[0] == pytest.approx([22, 27, 42, 37])  # cx±w/2, cy±h/2


def test_yolo_output_of_the_wrong_width_is_refused():
    with pytest.raises(LayoutError, match=r"not \[1, 7, anchors\]"):
        decode_yolo(np.zeros((1, 6, 10), np.float32), classes=3, confidence=0.25, iou=0.7)


def test_yolo_detections_are_bounded():
    anchors = 2000
    out = np.zeros((1, 5, anchors), np.float32)
    out[0, 0] = np.arange(anchors) * 20.0  # boxes side by side, none overlapping
    out[0, 1] = 10
    out[0, 2:4] = 8
    out[0, 4] = np.linspace(0.3, 0.99, anchors)
    boxes = decode_yolo(out, classes=1, confidence=0.25, iou=0.5)
    assert len(boxes) == MAX_DETECTIONS
    assert boxes.scores[0] == pytest.approx(0.99)


def test_end_to_end_rows_are_filtered_not_suppressed():
    out = np.zeros((1, 300, 6), np.float32)
    out[0, 0] = (10, 10, 20, 20, 0.9, 2)
    out[0, 1] = (11, 10, 21, 20, 0.8, 2)  # overlapping, same class: kept (no NMS here)
    out[0, 2] = (50, 50, 60, 60, 0.1, 0)  # below confidence
    boxes = decode_end2end(out, classes=3, confidence=0.25)
    assert list(boxes.classes) == [2, 2]
    assert boxes.xyxy[1] == pytest.approx([11, 10, 21, 20])


def test_end_to_end_class_beyond_the_labels_is_refused():
    out = np.zeros((1, 10, 6), np.float32)
    out[0, 0] = (10, 10, 20, 20, 0.9, 5)
    with pytest.raises(LayoutError, match=r"class 5 but has 3 labels"):
        decode_end2end(out, classes=3, confidence=0.25)


# -- anomaly -----------------------------------------------------------------------------


def test_anomalib_v2_reads_score_and_map_by_name():
    heat = np.zeros((1, 1, 8, 8), np.float32)
    heat[0, 0, 2, 3] = 0.9
    result = anomalib_v2({"pred_score": np.array([[0.73]]), "anomaly_map": heat})
    assert result.score == pytest.approx(0.73)
    assert result.heat is not None and result.heat.shape == (8, 8)
    # without pred_score the map's maximum is the score, as anomalib's post-processor does
    assert anomalib_v2({"anomaly_map": heat}).score == pytest.approx(0.9)


def test_anomalib_v1_normalises_like_its_inferencer():
    meta = AnomalibV1Metadata(
        image_threshold=12.0,
        pixel_threshold=10.0,
        score_min=4.0,
        score_max=20.0,
        map_min=0.0,
        map_max=20.0,
    )
    raw = np.zeros((1, 1, 4, 4), np.float32)
    raw[0, 0, 1, 1] = 16.0
    result = anomalib_v1(raw, meta)
    # ((16 - 12) / (20 - 4)) + 0.5 = 0.75
    assert result.score == pytest.approx(0.75)
    assert result.heat is not None
    # map: ((16 - 10) / 20) + 0.5 = 0.8 at the hot pixel, ((0 - 10) / 20) + 0.5 = 0 elsewhere
    assert result.heat[1, 1] == pytest.approx(0.8)
    assert result.heat[0, 0] == pytest.approx(0.0)
    # a score far beyond the range is clipped to 1
    assert float(min_max_normalise(100.0, 12.0, 4.0, 20.0)) == 1.0


def test_anomalib_v1_without_min_max_keeps_the_raw_score():
    meta = AnomalibV1Metadata(12.0, None, None, None, None, None)
    assert anomalib_v1(np.array([3.5], np.float32), meta).score == pytest.approx(3.5)
