"""``hmi gallery``: every screen and view of a project, at both stations, in both languages,
drawn as the operator sees them."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from hmi.cli import build_parser
from hmi.core.tags import good
from hmi.ui.gallery import LANGUAGES, STATIONS, write_gallery
from hmi.ui.i18n import current_language
from tests.ui.windows import write_screens

VIEWS = (
    "screen-top",
    "screen-line",
    "screen-other",
    "screen-unit",
    "screen-list",
    "faceplate",
    "popup",
    "keypad",
    "keypad-confirm",
    "command-confirm",
    "trend",
    "alarm-list",
    "journal",
)


@pytest.mark.slow
def test_every_screen_and_view_at_both_stations_in_both_languages(qapp, project, runtime, tmp_path):
    runtime.engine.publish({"line1.temp": good(455.0), "line1.speed_sp": good(12.0)})
    spoken = current_language()
    out = tmp_path / "gallery"
    written = write_gallery(
        project, runtime, out, screens=write_screens(tmp_path / "screens"), settle_s=0.05
    )
    names = {path.name for path in written}
    for station, (width, height) in STATIONS.items():
        for language in LANGUAGES:
            for view in VIEWS:
                name = f"{station}-{language}-{view}.png"
                assert name in names, name
                image = QImage(str(out / name))
                assert (image.width(), image.height()) == (width, height), name
    assert "desk-en-side-by-side.png" in names and "desk-en-alarm-kpis.png" in names
    assert "touch-en-side-by-side.png" not in names  # one screen at a time at the line
    screen = QImage(str(out / "touch-en-screen-line.png"))
    for over in ("keypad", "keypad-confirm", "trend"):  # drawn over the window, not beside
        assert QImage(str(out / f"touch-en-{over}.png")) != screen, over
    index = (out / "index.html").read_text(encoding="utf-8")
    assert written[-1] == out / "index.html"
    assert all(f"'{path.name}'" in index for path in written[:-1])
    assert current_language() == spoken  # the language it spoke before


def test_the_gallery_command_takes_a_project_and_a_folder():
    args = build_parser().parse_args(
        ["gallery", "resources/demo", "--out", "x", "--station", "touch", "--dpi", "149"]
    )
    assert (args.project, args.out, args.station, args.dpi) == (
        "resources/demo",
        "x",
        ["touch"],
        149.0,
    )
    assert args.func.__name__ == "cmd_gallery" and args.lang is None


def test_running_order_panels_come_from_a_rehearsal_never_the_station(
    qtbot, project, engine, tmp_path, runtime
):
    """The gallery draws the line screens with an order running on each line from a
    throw-away service: the station's orders, outbox and audit trail stay as they were."""
    from hmi.core.orders.model import OrderState
    from hmi.ui.orders.panel import OrdersBand
    from tests.unit.orders.service_setup import filler_order, press_order

    from .orders_probe import open_window, orders_service, stop_service

    station, _clock = orders_service(tmp_path / "station", runtime.access)
    audit: list = []
    forget = runtime.access.add_recorder(audit.append)
    try:
        for order in (press_order("P-1", 240), press_order("P-2"), filler_order("F-1", 12000)):
            station.create(order, "anna")
        outbox = len(station.outbox(1000))
        audit.clear()
        window = open_window(qtbot, project, engine, tmp_path, runtime, station)
        views = window.view("orders")
        entries = {name: (show, close) for name, show, close in views.showcase(window)}
        assert "orders-running-line" in entries  # the line screen; "other" shows no line
        show, close = entries["orders-running-line"]
        assert show() == []
        rehearsal = views.rehearsal
        assert rehearsal.service is not station and rehearsal.folder.is_dir()
        assert rehearsal.service.on_started is None  # nothing is written to a PLC
        panel = window.panel.findChild(OrdersBand).panels["line1"]
        assert panel.service is rehearsal.service
        assert panel.number.full_text == "P-1" and not panel.bar.isHidden()
        assert 0 < panel.order.good < panel.order.target
        for key in ("rate", "eta", "oee"):
            assert panel.figures[key].value.text() != "—", key
        assert {o.number for o in rehearsal.service.orders()} == {"P-1", "P-2", "F-1"}
        close([])
        panel = window.panel.findChild(OrdersBand).panels["line1"]
        assert panel.service is station and panel.number.full_text == "No order running"
        assert all(o.state is OrderState.RELEASED for o in station.orders())
        assert len(station.outbox(1000)) == outbox and audit == []
        folder = rehearsal.folder
        views.close()
        assert not folder.exists()
    finally:
        forget()
        stop_service(station)


def test_the_gallery_command_draws_on_a_data_folder_of_its_own(tmp_path, monkeypatch, capsys):
    """Beside a station running on the project: the station's records are neither read
    nor written (its OPC UA identities are copied), and the gallery's folder is gone
    after."""
    from hmi import cli
    from hmi.core.paths import data_dir_for
    from hmi.core.station_lock import StationLock
    from hmi.ui import gallery
    from tests.unit.test_store_upgrade import PROJECT

    monkeypatch.setenv("LINEA_HMI_HOME", str(tmp_path / "home"))
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "project.yaml").write_text(PROJECT, encoding="utf-8")
    station = data_dir_for("Upgrade")
    station.mkdir(parents=True)
    running = StationLock(station).acquire("hmi run")  # the line's station runs
    (station / "pki" / "plc").mkdir(parents=True)
    (station / "pki" / "plc" / "client.pem").write_text("the station's identity")
    drawn: list = []

    def draw(project, runtime, out, **options):
        identity = (runtime.data_dir / "pki" / "plc" / "client.pem").read_text()
        drawn.append((runtime.data_dir, identity, runtime.lock.held))
        return [tmp_path / "index.html"]

    monkeypatch.setattr(gallery, "write_gallery", draw)
    try:
        code = cli.main(["gallery", str(folder), "--out", str(tmp_path / "g"), "--wait", "0.1"])
    finally:
        running.release()
    assert code == 0, capsys.readouterr().err
    [(data, identity, held)] = drawn
    assert held and data != station and station not in data.parents
    assert identity == "the station's identity"  # a server that admits the station
    assert not data.exists()  # thrown away
    assert sorted(p.name for p in station.iterdir()) == ["pki", "station.lock"]  # untouched
