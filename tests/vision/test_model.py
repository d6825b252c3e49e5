"""VisionModel.load/infer round trips on ONNX graphs built to each exporter's real layout.

The graphs are made here with the ``onnx`` package: names, shapes and metadata as
Ultralytics 8.4 and anomalib 1/2 write them (read off real exports: ``images`` ->
``output0``; ``metadata_props`` values are ``str()`` of Python objects; anomalib 2 names its
outputs ``pred_score``, ``pred_label``, ``anomaly_map``, ``pred_mask``; anomalib 1 has one
``output`` and a ``metadata.json`` beside). Their outputs are constants placed by the test,
or plain functions of the input (channel means, the image itself), so every expected
figure is worked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from hmi.core.vision.model import ModelError, VisionModel  # noqa: E402

OPSET = 17
COCO_LIKE = {i: f"class{i}" for i in range(80)}


def save(
    path: Path,
    nodes: list,
    inputs: list,
    outputs: list,
    initializers: list | None = None,
    metadata: dict[str, str] | None = None,
) -> Path:
    graph = helper.make_graph(nodes, "test", inputs, outputs, initializer=initializers or [])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 9
    for key, value in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


def constant_model(
    path: Path,
    outputs: dict[str, np.ndarray],
    input_name: str = "images",
    input_shape: tuple = (1, 3, 64, 64),
    metadata: dict[str, str] | None = None,
) -> Path:
    """Outputs fixed by the test; each still depends on the input (times zero), as a real
    graph would, so the input must be fed with the right shape."""
    nodes = [
        helper.make_node("ReduceMean", [input_name], ["mean"], keepdims=0),
        helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
    ]
    inits = [numpy_helper.from_array(np.array(0.0, np.float32), "zero")]
    outs = []
    for name, value in outputs.items():
        const = f"{name}_value"
        inits.append(numpy_helper.from_array(value.astype(np.float32), const))
        if value.dtype == np.bool_:
            nodes.append(helper.make_node("Add", [const, "nothing"], [f"{name}_f"]))
            nodes.append(helper.make_node("Cast", [f"{name}_f"], [name], to=TensorProto.BOOL))
            outs.append(helper.make_tensor_value_info(name, TensorProto.BOOL, list(value.shape)))
        else:
            nodes.append(helper.make_node("Add", [const, "nothing"], [name]))
            outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(value.shape)))
    inp = helper.make_tensor_value_info(input_name, TensorProto.FLOAT, list(input_shape))
    return save(path, nodes, [inp], outs, inits, metadata)


def channel_mean_classifier(path: Path, size: int = 8, metadata: dict | None = None) -> Path:
    """Logits = the mean of each input channel: the class is the brightest channel."""
    inp = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, size, size])
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 3])
    node = helper.make_node("ReduceMean", ["images"], ["output0"], axes=[2, 3], keepdims=0)
    return save(path, [node], [inp], [out], metadata=metadata)


def ultralytics_meta(names: dict | list, imgsz: int, task: str = "detect", end2end: bool = False):
    """metadata_props as Ultralytics' exporter writes them: str() of each value."""
    return {
        "author": "Ultralytics",
        "stride": "32",
        "task": task,
        "batch": "1",
        "imgsz": str([imgsz, imgsz]),
        "names": str(names if isinstance(names, dict) else dict(enumerate(names))),
        "args": str({"batch": 1, "nms": None, "dynamic": False}),
        "channels": "3",
        "end2end": str(end2end),
    }


def frame_of(h: int, w: int, bgr: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    frame = np.empty((h, w, 3), np.uint8)
    frame[:] = bgr
    return frame


# -- classification ----------------------------------------------------------------------


def test_classifier_reads_colour_order_and_applies_softmax(tmp_path):
    path = channel_mean_classifier(tmp_path / "cls.onnx")
    model = VisionModel.load(path)
    info = model.info
    assert info.kind == "classification"
    assert info.source["kind"] == "inferred" and info.source["colour"] == "inferred"
    assert any("RGB assumed" in note for note in info.notes)
    orange = frame_of(20, 30, (0, 51, 255))  # BGR
    result = model.infer(orange)
    # RGB input: channel means [1.0, 0.2, 0.0], logits (they sum to 1.2) -> softmax;
    # class0 is taken as the good one, so the defect score is class1 + class2
    e = np.exp([1.0, 0.2, 0.0])
    assert result.label == "class0"
    assert result.score == pytest.approx((e[1] + e[2]) / e.sum(), abs=1e-6)
    assert result.defect is False
    assert result.ms > 0


def test_sidecar_sets_labels_colour_and_threshold(tmp_path):
    path = channel_mean_classifier(tmp_path / "cls.onnx")
    (tmp_path / "cls.yaml").write_text(
        "kind: classification\n"
        "labels: [dent, good, stain]\n"
        "defect_classes: [dent, stain]\n"
        "threshold: 0.3\n"
        "input:\n"
        "  colour: bgr\n"
        "  scale: 1/255\n"
    )
    model = VisionModel.load(path)
    assert model.info.labels == ("dent", "good", "stain")
    assert model.info.source["colour"] == "sidecar"
    assert model.info.source["size"] == "inferred"
    result = model.infer(frame_of(20, 30, (0, 51, 255)))  # BGR order kept: [0, 0.2, 1.0]
    assert result.label == "stain"
    e = np.exp([0.0, 0.2, 1.0])
    assert result.score == pytest.approx((e[0] + e[2]) / e.sum(), abs=1e-6)
    assert result.defect is True


def test_ultralytics_classifier_metadata_is_read(tmp_path):
    meta = ultralytics_meta(["good", "scratch", "dent"], imgsz=8, task="classify")
    model = VisionModel.load(channel_mean_classifier(tmp_path / "c.onnx", metadata=meta))
    info = model.info
    assert info.labels == ("good", "scratch", "dent")
    assert info.defect_classes == frozenset({"scratch", "dent"})
    assert info.preprocess.resize == "crop" and info.source["resize"] == "metadata"
    assert info.source["labels"] == "metadata" and info.source["size"] == "metadata"
    assert model.infer(frame_of(10, 10, (0, 255, 0))).label == "scratch"


def test_grey_and_bgra_frames_give_the_same_decision_as_bgr(tmp_path):
    model = VisionModel.load(channel_mean_classifier(tmp_path / "c.onnx"))
    bgr = frame_of(10, 10, (40, 90, 200))
    bgra = np.dstack([bgr, np.full((10, 10), 255, np.uint8)])
    assert model.infer(bgra).score == pytest.approx(model.infer(bgr).score)
    grey = np.full((10, 10), 90, np.uint8)
    assert model.infer(grey).score == pytest.approx(
        model.infer(frame_of(10, 10, (90, 90, 90))).score
    )


# -- Ultralytics detection ---------------------------------------------------------------


def yolo_boxes(classes: int, anchors: int, rows: list[tuple]) -> np.ndarray:
    out = np.zeros((1, 4 + classes, anchors), np.float32)
    for i, (cx, cy, w, h, cls, score) in enumerate(rows):
        out[0, :4, i] = (cx, cy, w, h)
        out[0, 4 + cls, i] = score
    return out


def test_yolo_raw_layout_round_trip_through_letterbox_and_roi(tmp_path):
    rows = [
        (32, 32, 32, 16, 0, 0.9),  # input 16,24..48,40
        (33, 32, 32, 16, 0, 0.8),  # the same scratch again: suppressed by NMS
        (32, 32, 32, 16, 1, 0.6),  # a dent in the same place: kept (class-wise NMS)
        (5, 5, 4, 4, 2, 0.95),  # "good" marks are not defects
        (50, 50, 4, 4, 1, 0.1),  # below the confidence
    ]
    meta = ultralytics_meta(["scratch", "dent", "good"], imgsz=64)
    path = constant_model(
        tmp_path / "det.onnx", {"output0": yolo_boxes(3, 84, rows)}, metadata=meta
    )
    model = VisionModel.load(path)
    assert model.info.kind == "detection" and model.info.source["kind"] == "metadata"
    assert model.info.preprocess.resize == "letterbox"
    assert model.info.defect_classes == frozenset({"scratch", "dent"})
    frame = frame_of(300, 400)
    result = model.infer(frame, roi=(100, 50, 200, 100))
    by_label = {d.label: d for d in result.detections}
    assert sorted(by_label) == ["dent", "good", "scratch"]
    assert len(result.detections) == 3
    # letterbox: ratio 0.32, 16 rows of border on top; then + ROI origin (100, 50)
    assert by_label["scratch"].box == pytest.approx((150.0, 75.0, 250.0, 125.0))
    assert by_label["scratch"].score == pytest.approx(0.9)
    assert result.label == "scratch" and result.defect is True
    assert result.score == pytest.approx(0.9)


def test_small_input_ambiguous_shape_is_settled_by_metadata(tmp_path):
    # a COCO-sized head exported at 64×64: [1, 84, 84] as Ultralytics really writes it
    out = yolo_boxes(80, 84, [(32, 32, 10, 10, 7, 0.7)])
    meta = ultralytics_meta(COCO_LIKE, imgsz=64, end2end=False)
    model = VisionModel.load(constant_model(tmp_path / "y.onnx", {"output0": out}, metadata=meta))
    assert model.info.kind == "detection" and len(model.info.labels) == 80
    result = model.infer(frame_of(64, 64))
    assert [d.label for d in result.detections] == ["class7"]
    assert result.detections[0].box == pytest.approx((27.0, 27.0, 37.0, 37.0))


def test_end_to_end_layout_needs_no_nms(tmp_path):
    rows = np.zeros((1, 300, 6), np.float32)
    rows[0, 0] = (16, 24, 48, 40, 0.85, 1)
    rows[0, 1] = (17, 24, 49, 40, 0.8, 1)  # overlapping: still reported, the model chose
    meta = ultralytics_meta(["scratch", "dent"], imgsz=64, end2end=True)
    model = VisionModel.load(
        constant_model(tmp_path / "e2e.onnx", {"output0": rows}, metadata=meta)
    )
    assert model.info.kind == "detection_e2e"
    result = model.infer(frame_of(100, 200))
    assert [d.label for d in result.detections] == ["dent", "dent"]
    assert result.detections[0].box == pytest.approx((50.0, 25.0, 150.0, 75.0))
    assert result.score == pytest.approx(0.85)


def test_metadata_naming_fewer_classes_than_the_output_is_refused(tmp_path):
    meta = ultralytics_meta(["a", "b", "c"], imgsz=64)
    path = constant_model(tmp_path / "bad.onnx", {"output0": np.zeros((1, 9, 84))}, metadata=meta)
    with pytest.raises(
        ModelError, match=r"bad.onnx: the model's metadata names 3 classes .* has 5"
    ):
        VisionModel.load(path)


def test_sidecar_labels_contradicting_the_output_name_the_line(tmp_path):
    path = constant_model(tmp_path / "d.onnx", {"output0": np.zeros((1, 6, 84))})
    (tmp_path / "d.yaml").write_text("kind: detection\nlabels: [a, b, c]\n")
    with pytest.raises(
        ModelError,
        match=r"d.yaml:2: labels: 3 classes \(a, b, c\) but output output0 \[1, 6, 84\] .* has 2",
    ):
        VisionModel.load(path)


def test_sidecar_kind_contradicting_the_outputs_is_refused(tmp_path):
    path = constant_model(tmp_path / "k.onnx", {"output0": np.zeros((1, 3))})
    (tmp_path / "k.yaml").write_text("kind: detection\n")
    with pytest.raises(ModelError, match=r"the sidecar says kind detection but .* classification"):
        VisionModel.load(path)


# -- anomalib ----------------------------------------------------------------------------


def brightness_anomaly_v2(path: Path, size: int = 32) -> Path:
    """anomalib 2 layout: the anomaly map is the input's mean over channels, the score its
    maximum, the label and mask thresholded at 0.5 (its normalised threshold)."""
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, size, size])
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["anomaly_map"], axes=[1], keepdims=1),
        helper.make_node("ReduceMax", ["anomaly_map"], ["pred_score"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Greater", ["pred_score", "half"], ["pred_label"]),
        helper.make_node("Greater", ["anomaly_map", "half"], ["pred_mask"]),
    ]
    outs = [
        helper.make_tensor_value_info("pred_score", TensorProto.FLOAT, [1]),
        helper.make_tensor_value_info("pred_label", TensorProto.BOOL, [1]),
        helper.make_tensor_value_info("anomaly_map", TensorProto.FLOAT, [1, 1, size, size]),
        helper.make_tensor_value_info("pred_mask", TensorProto.BOOL, [1, 1, size, size]),
    ]
    half = numpy_helper.from_array(np.array(0.5, np.float32), "half")
    return save(path, nodes, [inp], outs, [half])


def test_anomalib_v2_map_is_resized_to_the_roi(tmp_path):
    model = VisionModel.load(brightness_anomaly_v2(tmp_path / "model.onnx"))
    assert model.info.kind == "anomaly" and model.info.anomalib == 2
    assert model.info.labels == ("good", "defect")
    frame = frame_of(200, 300)
    frame[100:150, 150:250] = 255  # a bright patch: the lower right of the ROI below
    result = model.infer(frame, roi=(50, 50, 200, 100))
    assert result.anomaly_map is not None and result.anomaly_map.shape == (100, 200)
    assert result.anomaly_map[75, 150] == pytest.approx(1.0)  # frame 125, 200
    assert result.anomaly_map[25, 50] == pytest.approx(0.0)  # frame 75, 100
    assert result.score == pytest.approx(1.0)
    assert result.defect is True and result.label == "defect"
    assert model.infer(frame_of(200, 300), roi=(50, 50, 200, 100)).defect is False


def anomalib_v1_model(folder: Path, size: int = 32) -> Path:
    """anomalib 1 layout: one output named ``output``, the raw map (20 × brightness)."""
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, size, size])
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, size, size])
    nodes = [
        helper.make_node("ReduceMean", ["input"], ["mean"], axes=[1], keepdims=1),
        helper.make_node("Mul", ["mean", "twenty"], ["output"]),
    ]
    twenty = numpy_helper.from_array(np.array(20.0, np.float32), "twenty")
    return save(folder / "model.onnx", nodes, [inp], [out], [twenty])


def test_anomalib_v1_is_normalised_with_its_metadata_json(tmp_path):
    path = anomalib_v1_model(tmp_path)
    (tmp_path / "metadata.json").write_text(
        json.dumps(
            {
                "task": "segmentation",
                "image_threshold": 12.0,
                "pixel_threshold": 10.0,
                "pred_scores.min": 4.0,
                "pred_scores.max": 20.0,
                "anomaly_maps.min": 0.0,
                "anomaly_maps.max": 20.0,
            }
        )
    )
    model = VisionModel.load(path)
    assert model.info.anomalib == 1
    assert model.info.threshold == 0.5 and model.info.source["threshold"] == "metadata"
    grey = np.full((40, 60), 204, np.uint8)  # 204/255 * 20 = 16 raw
    result = model.infer(grey)
    assert result.score == pytest.approx(0.75, abs=1e-5)  # (16 - 12) / 16 + 0.5
    assert result.defect is True
    assert result.anomaly_map is not None and result.anomaly_map.shape == (40, 60)
    assert float(result.anomaly_map.mean()) == pytest.approx(0.8, abs=1e-5)  # (16 - 10) / 20 + 0.5


def test_anomalib_v1_without_metadata_is_not_guessed(tmp_path):
    path = anomalib_v1_model(tmp_path)
    with pytest.raises(ModelError, match=r"needs its metadata.json beside it"):
        VisionModel.load(path)


def test_broken_metadata_json_is_named(tmp_path):
    path = anomalib_v1_model(tmp_path)
    (tmp_path / "metadata.json").write_text("{not json")
    with pytest.raises(ModelError, match=r"metadata.json is not JSON"):
        VisionModel.load(path)


# -- the session -------------------------------------------------------------------------


def test_one_session_with_few_threads_and_no_spinning(tmp_path):
    model = VisionModel.load(channel_mean_classifier(tmp_path / "c.onnx"), threads=2)
    options = model.session.get_session_options()
    assert options.intra_op_num_threads == 2
    assert options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    session = model.session
    for _ in range(3):
        model.infer(frame_of(8, 8))
    assert model.session is session
    assert len(model.info.sha256) == 64


# -- what cannot be used -----------------------------------------------------------------


def test_corrupt_empty_and_missing_files_are_refused_with_a_reason(tmp_path):
    corrupt = tmp_path / "corrupt.onnx"
    corrupt.write_bytes(b"\x08\x07garbage" * 50)
    with pytest.raises(ModelError, match=r"corrupt.onnx: not an ONNX model onnxruntime can run"):
        VisionModel.load(corrupt)
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    with pytest.raises(ModelError, match=r"empty.onnx: the model file is empty"):
        VisionModel.load(empty)
    with pytest.raises(
        ModelError, match=r"missing.onnx: cannot read the model file: it does not exist"
    ):
        VisionModel.load(tmp_path / "missing.onnx")


def test_outputs_matching_no_layout_are_refused(tmp_path):
    path = constant_model(tmp_path / "odd.onnx", {"out": np.zeros((1, 2, 3, 4, 5))})
    with pytest.raises(
        ModelError, match=r"odd.onnx: the outputs \(out \[1, 2, 3, 4, 5\]\) match no"
    ):
        VisionModel.load(path)


def test_sidecar_mistakes_are_reported_at_their_lines(tmp_path):
    path = channel_mean_classifier(tmp_path / "s.onnx")
    (tmp_path / "s.yaml").write_text(
        "kind: classification\nthreshhold: 0.4\ninput:\n  colour: rbg\n  size: [8, -1]\n"
    )
    with pytest.raises(ModelError) as caught:
        VisionModel.load(path)
    text = str(caught.value)
    assert "s.yaml:2: unknown field 'threshhold'; did you mean 'threshold'?" in text
    assert "s.yaml:4: input: colour: expected rgb or bgr or gray, got 'rbg'" in text
    assert "s.yaml:5: input: size:" in text


def test_defect_class_not_among_the_labels(tmp_path):
    path = channel_mean_classifier(tmp_path / "s.onnx")
    (tmp_path / "s.yaml").write_text("labels: [good, dent, stain]\ndefect_classes: [dnet]\n")
    with pytest.raises(ModelError, match=r"s.yaml:2: defect_classes: dnet is not among the labels"):
        VisionModel.load(path)


def test_sidecar_size_contradicting_a_fixed_input(tmp_path):
    path = channel_mean_classifier(tmp_path / "s.onnx", size=8)
    (tmp_path / "s.yaml").write_text("input:\n  size: 224\n")
    with pytest.raises(ModelError, match=r"s.yaml:2 gives input size 224×224 but input images"):
        VisionModel.load(path)


def test_frames_that_cannot_be_inspected_raise_model_error(tmp_path):
    model = VisionModel.load(channel_mean_classifier(tmp_path / "c.onnx"))
    with pytest.raises(ModelError, match=r"c.onnx: the frame has shape .*\(2 channels"):
        model.infer(np.zeros((8, 8, 2), np.uint8))
    with pytest.raises(ModelError, match=r"c.onnx: the region of interest"):
        model.infer(frame_of(8, 8), roi=(4, 4, 8, 8))


def test_unsupported_ultralytics_task_is_named(tmp_path):
    meta = ultralytics_meta(["a"], imgsz=64, task="segment")
    path = constant_model(tmp_path / "seg.onnx", {"output0": np.zeros((1, 37, 84))}, metadata=meta)
    with pytest.raises(ModelError, match=r"Ultralytics 'segment' models are not supported"):
        VisionModel.load(path)


def test_describe_names_every_source(tmp_path):
    meta = ultralytics_meta(["scratch", "dent"], imgsz=64)
    path = constant_model(tmp_path / "d.onnx", {"output0": np.zeros((1, 6, 84))}, metadata=meta)
    (tmp_path / "d.yaml").write_text("threshold: 0.4\n")
    lines = VisionModel.load(path).info.describe()
    assert "threshold: 0.4 (sidecar)" in lines
    assert "labels: scratch, dent (metadata)" in lines
    assert "iou: 0.7 (inferred)" in lines
    assert "outputs: output0 [1, 6, 84] tensor(float)" in lines


# -- real Ultralytics exports, where ultralytics is installed (not a project dependency) ---


@pytest.mark.slow
@pytest.mark.parametrize(
    ("config", "options", "kind"),
    [
        ("yolov8n.yaml", {}, "detection"),
        ("yolo11n.yaml", {}, "detection"),
        ("yolo26n.yaml", {"nms": False}, "detection_e2e"),
        ("yolov8n.yaml", {"nms": True}, "detection_e2e"),
        ("yolov8n-cls.yaml", {}, "classification"),
    ],
)
def test_real_ultralytics_exports_load_and_run(tmp_path, monkeypatch, config, options, kind):
    ultralytics = pytest.importorskip("ultralytics")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YOLO_OFFLINE", "1")
    exported = ultralytics.YOLO(config).export(format="onnx", imgsz=64, simplify=False, **options)
    path = Path(exported)
    if kind != "classification":  # random weights: keep every box to see where they land
        path.with_suffix(".yaml").write_text("confidence: 0\n")
    model = VisionModel.load(path)
    assert model.info.kind == kind
    assert model.info.source["labels"] == "metadata" and len(model.info.labels) in (80, 1000)
    frame = np.random.default_rng(0).integers(0, 256, (120, 200, 3), dtype=np.uint8)
    result = model.infer(frame, roi=(20, 10, 160, 100))
    for detection in result.detections:
        x0, y0, x1, y1 = detection.box
        assert 20 <= x0 <= x1 <= 180 and 10 <= y0 <= y1 <= 110
    if kind != "classification":
        assert result.detections


def test_sidecar_fields_carried_in_the_onnx_metadata(tmp_path):
    # as models/surface/train.py writes them: JSON values, a grey input with a dynamic batch
    labels = ["good", "scratch", "dent"]
    meta = {
        "kind": "classification",
        "labels": json.dumps(labels),
        "names": json.dumps(dict(enumerate(labels))),
        "defect_classes": json.dumps(["scratch", "dent"]),
        "threshold": "0.35",
        "input": json.dumps({"size": [16, 16], "colour": "gray", "mean": [0.5], "std": [0.25]}),
    }
    probabilities = np.array([[0.6, 0.3, 0.1]], np.float32)
    path = constant_model(
        tmp_path / "surface.onnx",
        {"probabilities": probabilities},
        input_name="image",
        input_shape=("batch", 1, 16, 16),
        metadata=meta,
    )
    model = VisionModel.load(path)
    info = model.info
    assert info.labels == tuple(labels) and info.source["labels"] == "metadata"
    assert info.threshold == 0.35 and info.source["threshold"] == "metadata"
    assert info.preprocess.colour == "gray" and info.preprocess.mean == (0.5, 0.5, 0.5)
    tensor, _ = model.prepare(frame_of(32, 32, (255, 255, 255)))
    assert tensor.shape == (1, 1, 16, 16)
    assert float(tensor.max()) == pytest.approx((1.0 - 0.5) / 0.25)
    result = model.infer(frame_of(32, 32))
    assert result.label == "good"
    assert result.score == pytest.approx(0.4, abs=1e-6) and result.defect is True


def test_unreadable_metadata_is_named(tmp_path):
    meta = {"kind": "classification", "input": json.dumps({"colour": "purple"})}
    path = constant_model(tmp_path / "m.onnx", {"output0": np.zeros((1, 2))}, metadata=meta)
    with pytest.raises(ModelError, match=r"m.onnx: the model's metadata 'input.colour': expected"):
        VisionModel.load(path)


def test_weights_kept_beside_the_graph_are_loaded_and_hashed(tmp_path):
    # torch's exporter writes <model>.onnx.data for large and dynamo exports (anomalib 2)
    inp = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 8, 8])
    out = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 3])
    weights = numpy_helper.from_array(np.array([[0.0, 0.0, 5.0]], np.float32), "w")
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["m"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Flatten", ["m"], ["m2"]),
        helper.make_node("MatMul", ["m2", "w"], ["output0"]),
    ]
    graph = helper.make_graph(nodes, "ext", [inp], [out], initializer=[weights])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 9
    path = tmp_path / "ext.onnx"
    onnx.save_model(
        model, str(path), save_as_external_data=True, location="ext.onnx.data", size_threshold=0
    )
    assert (tmp_path / "ext.onnx.data").is_file()
    loaded = VisionModel.load(path)
    # mean 1.0 (white) -> logits [0, 0, 5]
    assert loaded.infer(frame_of(8, 8, (255, 255, 255))).label == "class2"
    data = (tmp_path / "ext.onnx.data").read_bytes()
    (tmp_path / "ext.onnx.data").write_bytes(
        data.replace(np.float32(5.0).tobytes(), np.float32(-5.0).tobytes())
    )
    changed = VisionModel.load(path)
    assert changed.info.sha256 != loaded.info.sha256
    assert changed.infer(frame_of(8, 8, (255, 255, 255))).label != "class2"


@pytest.mark.slow
def test_real_anomalib_export_matches_its_torch_model(tmp_path):
    anomalib_models = pytest.importorskip("anomalib.models")
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxscript")
    torch.manual_seed(0)
    module = anomalib_models.Padim(
        backbone="resnet18", layers=["layer1", "layer2"], pre_trained=False, n_features=20
    )
    module.model.train()
    with torch.no_grad():
        for _ in range(2):
            module.model(torch.rand(4, 3, 256, 256))
    module.fit()
    module.eval()
    post = module.post_processor  # the normalisation validation would have set
    post._image_threshold.fill_(12.0)
    post._pixel_threshold.fill_(10.0)
    post.image_min.fill_(4.0)
    post.image_max.fill_(20.0)
    post.pixel_min.fill_(0.0)
    post.pixel_max.fill_(20.0)
    path = module.to_onnx(tmp_path, input_size=(64, 64))
    frame = np.random.default_rng(3).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    rgb = frame[:, :, ::-1].astype(np.float32) / 255
    with torch.no_grad():
        expected = module(torch.from_numpy(rgb.copy()).permute(2, 0, 1)[None])
    model = VisionModel.load(path)
    assert model.info.anomalib == 2
    result = model.infer(frame)
    assert result.score == pytest.approx(float(expected.pred_score.reshape(-1)[0]), abs=1e-4)
    assert result.anomaly_map is not None and result.anomaly_map.shape == (64, 64)
