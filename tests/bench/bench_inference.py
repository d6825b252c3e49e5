"""Inference latency of a vision model on a CPU shared with the UI and the tag engine.

Two models: the shipped surface model (``models/surface/surface.onnx``, skipped with a
note while it is not there) and a MobileNet-class 224×224 classifier built here with the
``onnx`` package (MobileNet v1 at width 1.0: a 3×3 stem, 13 depthwise-separable blocks,
global pooling, 1000 classes; random weights, about 570 MFLOPs).

For each: ``VisionModel.infer`` on a 640×480 frame (preprocessing and decision included)
with the session made once, one intra-op thread and no spinning, against in the same run

* a new session for every call (what a naive caller that loads the model per part does),
* one session with onnxruntime's default options (a thread per core, spin-waiting),
  run on the same tensor: its latency, and the CPU time it takes per inference, which is
  what the UI and the tag engine lose to spinning.

``p50_ms``/``p99_ms``/``cpu_ms_per_call`` are whole ``infer`` calls (preprocessing of the
frame included); ``session_*`` and ``default_options_*`` are the session alone on the same
tensor, and ``ratio_cpu_default_vs_ours`` compares those two. The three alternate in
batches so all see the same load.
Prints one JSON line.

    python -m tests.bench.bench_inference
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from hmi.core.vision.model import VisionModel
from tests.bench.common import median, percentile, report

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "models" / "surface" / "surface.onnx"
BATCHES = 10
PER_BATCH = 20
NEW_SESSION_CALLS = 12
WARM_UP = 10

# MobileNet v1: (output channels, stride) of each depthwise-separable block
MOBILENET_BLOCKS = [
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
]


def build_mobilenet(path: Path, seed: int = 0) -> Path:
    """A MobileNet v1 (batch norm folded into the convolutions' biases) with random weights
    scaled to keep activations finite, as an ONNX file."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    nodes = []
    inits = []

    def conv(x: str, cin: int, cout: int, k: int, stride: int, group: int, name: str) -> str:
        fan_in = cin // group * k * k
        w = rng.standard_normal((cout, cin // group, k, k)).astype(np.float32)
        w *= np.sqrt(2.0 / fan_in).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"{name}_w"))
        inits.append(numpy_helper.from_array(np.zeros(cout, np.float32), f"{name}_b"))
        pad = k // 2
        nodes.append(
            helper.make_node(
                "Conv",
                [x, f"{name}_w", f"{name}_b"],
                [f"{name}_c"],
                kernel_shape=[k, k],
                strides=[stride, stride],
                pads=[pad] * 4,
                group=group,
            )
        )
        nodes.append(helper.make_node("Relu", [f"{name}_c"], [f"{name}_r"]))
        return f"{name}_r"

    x = conv("images", 3, 32, 3, 2, 1, "stem")
    channels = 32
    for i, (cout, stride) in enumerate(MOBILENET_BLOCKS):
        x = conv(x, channels, channels, 3, stride, channels, f"dw{i}")
        x = conv(x, channels, cout, 1, 1, 1, f"pw{i}")
        channels = cout
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["flat"]))
    fc = (rng.standard_normal((channels, 1000)) * np.sqrt(1.0 / channels)).astype(np.float32)
    inits.append(numpy_helper.from_array(fc, "fc_w"))
    inits.append(numpy_helper.from_array(np.zeros(1000, np.float32), "fc_b"))
    nodes.append(helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"]))
    graph = helper.make_graph(
        nodes,
        "mobilenet_v1",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 224, 224])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1000])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def measure(path: Path, frame: np.ndarray) -> dict[str, float]:
    import onnxruntime as ort

    model = VisionModel.load(path, threads=1)
    tensor, _ = model.prepare(frame)  # the same input for the raw sessions
    feed = {model.info.inputs[0].name: tensor}
    default = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for _ in range(WARM_UP):
        model.infer(frame)
        default.run(None, feed)

    ours: list[float] = []
    ours_run: list[float] = []
    theirs: list[float] = []
    infer_cpu = ours_cpu = theirs_cpu = 0.0
    for _ in range(BATCHES):
        cpu = time.process_time()
        for _ in range(PER_BATCH):
            start = time.perf_counter()
            model.infer(frame)
            ours.append(ms_since(start))
        infer_cpu += time.process_time() - cpu
        cpu = time.process_time()
        for _ in range(PER_BATCH):  # the session alone, as the default-options one runs
            start = time.perf_counter()
            model.session.run(None, feed)
            ours_run.append(ms_since(start))
        ours_cpu += time.process_time() - cpu
        cpu = time.process_time()
        for _ in range(PER_BATCH):
            start = time.perf_counter()
            default.run(None, feed)
            theirs.append(ms_since(start))
        theirs_cpu += time.process_time() - cpu

    fresh: list[float] = []
    for _ in range(NEW_SESSION_CALLS):
        start = time.perf_counter()
        VisionModel.load(path, threads=1).infer(frame)
        fresh.append(ms_since(start))

    calls = BATCHES * PER_BATCH
    return {
        "p50_ms": median(ours),
        "p99_ms": percentile(ours, 99),
        "cpu_ms_per_call": infer_cpu / calls * 1000,
        "session_p50_ms": median(ours_run),
        "session_p99_ms": percentile(ours_run, 99),
        "session_cpu_ms_per_call": ours_cpu / calls * 1000,
        "default_options_p50_ms": median(theirs),
        "default_options_p99_ms": percentile(theirs, 99),
        "default_options_cpu_ms_per_call": theirs_cpu / calls * 1000,
        "new_session_p50_ms": median(fresh),
        "ratio_new_session_vs_ours": median(fresh) / median(ours),
        "ratio_cpu_default_vs_ours": (theirs_cpu / calls) / max(ours_cpu / calls, 1e-9),
    }


def main() -> None:
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    figures: dict[str, object] = {"frame": "640x480", "calls": BATCHES * PER_BATCH}
    if SHIPPED.is_file():
        for key, value in measure(SHIPPED, frame).items():
            figures[f"surface_{key}"] = value
    else:
        figures["surface"] = "skipped: models/surface/surface.onnx is not there yet"
    with tempfile.TemporaryDirectory() as folder:
        path = build_mobilenet(Path(folder) / "mobilenet_v1.onnx")
        for key, value in measure(path, frame).items():
            figures[f"mobilenet_{key}"] = value
    report("inference", **figures)


if __name__ == "__main__":
    main()
