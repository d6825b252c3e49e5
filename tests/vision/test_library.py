"""Models added at the station: an engineer adds a model file (loaded first, copied into
the data folder, audited), sees it beside the project's with its settings and sources,
switches a camera to it, and finds both after a restart; a broken file is refused with
the loader's message and nothing copied; an operator, a name in use and a name that
cannot be a folder are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("onnx")

from hmi.core.vision import ModelEntry, VisionError
from tests.vision.test_live import CAMERA, SHIPPED, press_vision, stop_vision
from tests.vision.test_pipeline import brightness_model, image_folder
from tests.vision.test_review import Station


@pytest.fixture
def station(tmp_path):
    s = Station(tmp_path)
    s.sign_in("eng1")
    yield s
    s.close()


def a_model(folder: Path, name: str = "bright") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = brightness_model(folder, name)
    image_folder(folder / "samples" / "good", (10, 20))
    image_folder(folder / "samples" / "bright", (240,))
    return path


def entry(entries: list[ModelEntry], name: str) -> ModelEntry:
    return next(e for e in entries if e.name == name)


def test_an_added_model_is_copied_listed_used_and_kept_over_a_restart(station, tmp_path):
    source = a_model(tmp_path / "usb")
    added = station.vision.add_model(source, "bright2", "eng1")
    assert (added.name, added.origin, added.error, added.added_by) == (
        "bright2", "added", "", "eng1"
    )  # fmt: skip
    copy = tmp_path / "data" / "vision" / "models" / "bright2"
    assert added.path == copy / "bright.onnx" and added.path.is_file()
    assert (copy / "bright.yaml").is_file()
    assert sorted(p.name for p in (copy / "samples").glob("*/*")) == [
        "000.png",
        "000.png",
        "001.png",
    ]
    assert added.info is not None and added.info.labels == ("good", "bright")
    assert "colour: bgr (sidecar)" in added.info.describe()
    assert added.cameras == ()
    record = station.records("vision.manage")[-1]
    assert (record.user, record.target, record.details["added"]) == (
        "eng1", "bright2", str(source)
    )  # fmt: skip
    shipped = entry(station.vision.models(), "surface")
    assert (shipped.origin, shipped.cameras, shipped.error) == ("project", (CAMERA,), "")
    assert shipped.info is not None and shipped.info.threshold == pytest.approx(0.2364)
    source.unlink()  # the original may go: the station has its copy
    run = station.vision.test_model("bright2")  # its samples came with it
    assert run.folder == copy / "samples" and run.images == 3 and run.accuracy == 1.0
    station.vision.set_model(CAMERA, "bright2", "eng1")
    assert entry(station.vision.models(), "bright2").cameras == (CAMERA,)

    stop_vision(station.vision, station.vision_store)
    station.vision, station.vision_store, _ = press_vision(
        tmp_path / "data", station.access, orders=station.orders
    )
    again = entry(station.vision.models(), "bright2")
    assert (again.origin, again.path, again.added_by) == ("added", added.path, "eng1")
    assert again.added_ts == pytest.approx(added.added_ts)
    assert again.cameras == (CAMERA,)  # the camera kept using it
    assert station.vision.live(CAMERA).model == "bright2"


def test_the_command_line_lists_and_tests_an_added_model(station, tmp_path, capsys):
    from hmi.cli import main

    station.vision.add_model(a_model(tmp_path / "usb"), "bright2", "eng1")
    project = tmp_path / "project"
    project.mkdir()
    (project / "project.yaml").write_text(
        "project:\n  name: Vision console\n  lines: {line1: Line 1}\n"
        f"vision:\n  models:\n    surface: {SHIPPED}\n",
        encoding="utf-8",
    )
    data = ["--data-dir", str(tmp_path / "data")]
    assert main(["vision", "models", str(project), *data]) == 0
    out = capsys.readouterr().out
    assert "surface: " in out and "bright2: " in out and "labels good, bright" in out
    samples = str(tmp_path / "usb" / "samples")
    assert main(["vision", "test", str(project), "bright2", "--images", samples, *data]) == 0
    assert "truly good" in capsys.readouterr().out


def test_a_broken_model_file_is_refused_and_nothing_copied(station, tmp_path):
    broken = tmp_path / "usb" / "broken.onnx"
    broken.parent.mkdir()
    broken.write_bytes(b"this is not a model")
    with pytest.raises(VisionError, match="not an ONNX model onnxruntime can run"):
        station.vision.add_model(broken, "broken", "eng1")
    assert not (tmp_path / "data" / "vision" / "models" / "broken").exists()
    assert "broken" not in {e.name for e in station.vision.models()}
    record = station.records("vision.manage")[-1]
    assert record.details["status"] == "failed"
    assert "not an ONNX model" in record.details["message"]
    empty = tmp_path / "usb" / "empty.onnx"
    empty.write_bytes(b"")
    with pytest.raises(VisionError, match="the model file is empty"):
        station.vision.add_model(empty, "empty", "eng1")
    with pytest.raises(VisionError, match="cannot read"):
        station.vision.add_model(tmp_path / "usb" / "missing.onnx", "missing", "eng1")


def test_who_and_which_names_are_refused(station, tmp_path):
    source = a_model(tmp_path / "usb")
    station.sign_in("sup1")
    with pytest.raises(VisionError, match=r"vision\.manage"):
        station.vision.add_model(source, "bright2", "sup1")
    assert station.records("vision.manage")[-1].details["status"] == "refused"
    station.sign_in("eng1")
    with pytest.raises(VisionError, match="a model named surface exists already"):
        station.vision.add_model(source, "surface", "eng1")
    with pytest.raises(VisionError, match="is not usable"):
        station.vision.add_model(source, "../evil", "eng1")
    with pytest.raises(VisionError, match=r"a model is an \.onnx file"):
        station.vision.add_model(source.with_suffix(".yaml"), "yaml", "eng1")
    station.vision.add_model(source, "bright2", "eng1")
    with pytest.raises(VisionError, match="a model named bright2 exists already"):
        station.vision.add_model(source, "bright2", "eng1")
    assert not list((tmp_path / "data" / "vision" / "models").glob(".*"))  # no leftovers


def test_a_store_of_before_keeps_its_cameras_models(tmp_path, capsys):
    """The cameras' active models move to a table of their own when the store is upgraded;
    the command line reads a store not yet upgraded as it is."""
    from hmi.cli import main
    from hmi.core.store import Writer, connect, migrate
    from hmi.core.vision.counters import COMPONENT, SCHEMA, VisionCounters, read_store

    data = tmp_path / "data"
    data.mkdir()
    conn = connect(data / "hmi.db")
    migrate(conn, COMPONENT, SCHEMA[:1])
    conn.execute("INSERT INTO vision_models VALUES ('press_cam', 'other', 'eng1', 1.0)")
    conn.execute("INSERT INTO vision_counters VALUES ('press_cam', 'good', 7, 1.0)")
    conn.commit()
    conn.close()
    assert read_store(data / "hmi.db") == (
        {"press_cam": {"good": 7, "scrap": 0, "uninspected": 0}},
        {"press_cam": "other"},
    )
    project = tmp_path / "project"
    project.mkdir()
    (project / "project.yaml").write_text(
        "project:\n  name: Vision console\n  lines: {line1: Line 1}\n"
        "devices:\n  press: {protocol: simulator, line: line1, model: press}\n"
        "tags:\n  - {name: line1.profile_count, device: press, address: profile_count,"
        " type: uint32}\n"
        f"vision:\n  models:\n    surface: {SHIPPED}\n"
        "  cameras:\n    press_cam: {line: line1, source: sim:press, model: surface,"
        " trigger: {count: line1.profile_count}}\n",
        encoding="utf-8",
    )
    assert main(["vision", "cameras", str(project), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "model other" in out and "7 good" in out
    writer = Writer(data / "hmi.db").start()
    try:
        counters = VisionCounters(writer).load()
        assert counters.models == {"press_cam": "other"}
        assert counters.counts("press_cam")["good"] == 7
    finally:
        writer.stop()
    assert main(["vision", "cameras", str(project), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "model other" in out and "7 good" in out
