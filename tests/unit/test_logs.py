"""The log file: bounded by rotation, never in the way when it cannot be written; the banner."""

import logging
import os
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import pytest

import hmi
from hmi.core import logs
from hmi.core.logs import app_version, log_startup, setup_logging
from hmi.core.paths import AppPaths
from hmi.core.plugins import DriverRegistry
from hmi.core.project.models import Project


def folders(root: Path) -> AppPaths:
    return AppPaths(root / "data", root / "config", root / "logs", root / "cache")


@pytest.fixture(autouse=True)
def own_logging():
    """Leave the root logger as it was found: its handlers and its level."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_the_file_rotates_at_its_size_bound_and_keeps_so_many(tmp_path):
    paths = folders(tmp_path)
    log_file = setup_logging(paths=paths, max_bytes=2000, backups=2)
    assert log_file == tmp_path / "logs" / "linea-hmi.log"
    line = "x" * 100
    for i in range(200):  # about 30 kB through a 2 kB bound
        logging.getLogger("hmi.test").info("%03d %s", i, line)
    names = sorted(p.name for p in paths.logs.iterdir())
    assert names == ["linea-hmi.log", "linea-hmi.log.1", "linea-hmi.log.2"]
    for file in paths.logs.iterdir():
        assert file.stat().st_size <= 2000
    newest = log_file.read_text(encoding="utf-8").splitlines()
    assert " 199 " in newest[-1]
    older = (paths.logs / "linea-hmi.log.1").read_text(encoding="utf-8").splitlines()
    assert int(older[-1].split(": ")[1][:3]) == int(newest[0].split(": ")[1][:3]) - 1


def test_the_file_has_the_applications_info_in_utf8_and_libraries_warnings_only(tmp_path):
    log_file = setup_logging(paths=folders(tmp_path))
    logging.getLogger("drivers.modbus").info("press_plc online, billet 412 °C")
    logging.getLogger("asyncua.client.client").info("find_endpoint chatter")
    logging.getLogger("asyncua.client.client").warning("server certificate expires soon")
    logging.getLogger("hmi.core.engine").debug("not without -v")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "INFO drivers.modbus: press_plc online, billet 412 °C" in text
    assert "server certificate expires soon" in text
    assert "chatter" not in text and "not without -v" not in text


def test_verbose_puts_debug_in_the_file_and_on_stderr(tmp_path, capsys):
    log_file = setup_logging(verbose=True, paths=folders(tmp_path))
    logging.getLogger("asyncua.client.client").debug("every detail")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "every detail" in log_file.read_text(encoding="utf-8")
    assert "every detail" in capsys.readouterr().err


def test_without_the_file_only_warnings_reach_stderr(tmp_path, capsys):
    assert setup_logging(to_file=False, paths=folders(tmp_path)) is None
    logging.getLogger("hmi").info("quiet")
    logging.getLogger("hmi").warning("device press_plc offline")
    err = capsys.readouterr().err
    assert "device press_plc offline" in err and "quiet" not in err
    assert not (tmp_path / "logs").exists()


def test_setting_up_again_replaces_the_handlers_it_added(tmp_path):
    root = logging.getLogger()
    before = len(root.handlers)
    setup_logging(paths=folders(tmp_path))
    setup_logging(paths=folders(tmp_path))
    assert len(root.handlers) == before + 2  # stderr and the file, once each


@pytest.mark.parametrize("blocker", ["logs", "."], ids=["a file in its place", "a file above"])
def test_a_log_folder_that_cannot_be_made_warns_once_and_logging_goes_on(tmp_path, capsys, blocker):
    if blocker == ".":
        (tmp_path / "home").write_text("not a folder", encoding="utf-8")
        paths = folders(tmp_path / "home")
    else:
        (tmp_path / "logs").write_text("not a folder", encoding="utf-8")
        paths = folders(tmp_path)
    assert setup_logging(paths=paths) is None
    logging.getLogger("hmi").warning("device press_plc offline")
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2, err
    assert err[0].startswith("warning: cannot write the log file in ")
    assert err[0].endswith("; logging to stderr only")
    assert "device press_plc offline" in err[1]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a full disk)")
def test_a_full_disk_warns_once_and_logging_goes_on_on_stderr(tmp_path, capsys):
    paths = folders(tmp_path)
    paths.logs.mkdir()
    (paths.logs / "linea-hmi.log").symlink_to("/dev/full")
    assert setup_logging(paths=paths) is not None
    for i in range(3):
        logging.getLogger("hmi").warning("device press_plc offline %d", i)
    err = capsys.readouterr().err.splitlines()
    warnings = [line for line in err if line.startswith("warning: cannot write the log file")]
    assert len(warnings) == 1, err
    assert "No space left on device" in warnings[0]
    assert sum("device press_plc offline" in line for line in err) == 3
    assert not any("Traceback" in line for line in err)


def test_the_banner_names_version_project_folders_drivers_and_capabilities(tmp_path, caplog):
    project = Project(name="Line 7 packer", root=str(tmp_path / "line7"))
    registry = DriverRegistry(
        drivers={"modbus": object, "opcua": object},  # type: ignore[dict-item]
        errors={"mqtt": "ModuleNotFoundError: No module named 'paho'"},
    )
    paths = folders(tmp_path)
    with caplog.at_level(logging.INFO, logger="hmi"):
        lines = log_startup(
            project,
            (name for name in ("alarms", "historian")),
            data_dir=paths.data / "line-7-packer",
            paths=paths,
            registry=registry,
        )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert lines == [r.getMessage() for r in caplog.records]
    assert f"Linea HMI {app_version()} started" in text
    assert "Python " in text
    assert f"project 'Line 7 packer' in {tmp_path / 'line7'}" in text
    assert str(paths.data / "line-7-packer") in text and str(paths.logs) in text
    assert "drivers: modbus, opcua; failed to load: mqtt (ModuleNotFoundError" in text
    assert "capabilities: alarms, historian" in text


def test_the_banner_says_when_there_are_no_capabilities(tmp_path, caplog):
    project = Project(name="Bare", root=str(tmp_path))
    with caplog.at_level(logging.INFO, logger="hmi"):
        log_startup(project, [], paths=folders(tmp_path), registry=DriverRegistry())
    assert "capabilities: none" in caplog.text and "drivers: none" in caplog.text


def test_the_version_falls_back_to_the_package_where_metadata_is_missing(monkeypatch):
    def missing(name: str) -> str:
        raise PackageNotFoundError(name)

    monkeypatch.setattr(logs, "version", missing)
    assert app_version() == hmi.__version__
