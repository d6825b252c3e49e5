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
