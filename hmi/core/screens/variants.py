"""Station variants: a screen laid out again for the touch panel (or the desk).

``NAME.touch.yaml`` beside ``NAME.yaml`` lays out the screens of ``NAME.yaml`` for the
touch profile; ``NAME.desk.yaml`` does it for the desk. A variant file is an ordinary
screen file (symbols, templates, ``instances``) whose screens keep the names of the
screens they replace; their title, level, parent and line are the base screen's (a
variant is the same place in the hierarchy, drawn for another station), so only ``name``,
``size``, ``background`` and ``instances`` may be given in its ``screen:`` section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..project.yamlsrc import YMap, line_of
from ..words import did_you_mean

if TYPE_CHECKING:
    from .loader import _Loader

STATIONS = ("desk", "touch")
INHERITED = ("title", "level", "parent", "line")  # a variant takes these from its screen

Report = Callable[[str, int, str], None]


def station_of(path: Path) -> str | None:
    """The station a file lays its screens out for (``x.touch.yaml``: touch), or None."""
    parts = path.name.split(".")
    return parts[-2] if len(parts) == 3 and parts[-2] in STATIONS else None


def screen_stem(path: Path) -> str:
    """The default screen name of a file: its stem, without a station (``x.touch``: x)."""
    return path.stem.rsplit(".", 1)[0] if station_of(path) else path.stem


def split_variants(
    docs: Iterable[tuple[Path, YMap | None]], shown: Callable[[Path], str], report: Report
) -> tuple[list[tuple[Path, YMap]], list[tuple[Path, str, YMap]]]:
    """The screen files and the variant files (with their station) among ``docs``; a
    variant without its screen file, or a station name that is not one, is reported."""
    docs = [(path, doc) for path, doc in docs]
    stems = {path.name.split(".")[0] for path, _ in docs if len(path.name.split(".")) == 2}
    bases: list[tuple[Path, YMap]] = []
    variants: list[tuple[Path, str, YMap]] = []
    for path, doc in docs:
        parts = path.name.split(".")
        station = station_of(path)
        if station is not None:
            if parts[0] not in stems:
                report(
                    shown(path),
                    1,
                    f"a {station} variant of '{parts[0]}.{parts[-1]}', which is not in this "
                    "folder; a variant file lays out again the screens of the file it is named "
                    "after",
                )
            elif doc is not None:
                variants.append((path, station, doc))
            continue
        if len(parts) == 3 and parts[0] in stems:
            hint = did_you_mean(parts[1], STATIONS, "stations")
            report(
                shown(path),
                1,
                f"'{parts[1]}' is not a station; a variant file is named "
                f"{parts[0]}.touch.{parts[-1]} or {parts[0]}.desk.{parts[-1]} ({hint})",
            )
            continue
        if doc is not None:
            bases.append((path, doc))
    return bases, variants


def attach_variants(loader: _Loader, variants: list[tuple[Path, str, YMap]]) -> None:
    """Build each variant file's screens and hang them on the screens they replace."""
    screens = loader.screens
    for path, station, doc in variants:
        file = loader.shown(path)
        head = doc.get("screen")
        if isinstance(head, YMap):
            for key in INHERITED:
                if key in head:
                    loader.problem(
                        file,
                        line_of(head, key),
                        f"a {station} variant takes '{key}' from its screen in "
                        f"{screen_stem(path)}{path.suffix}; remove it here",
                    )
        loader.screens = {}
        try:
            loader.build_screens(path, doc)
            built = loader.screens
        finally:
            loader.screens = screens
        for name, variant in built.items():
            base = screens.get(name)
            if base is None:
                hint = did_you_mean(name, screens, "screens")
                loader.problem(
                    file,
                    variant.source.line,
                    f"no screen named '{name}' to lay out for {station}; a variant keeps the "
                    f"name of a screen of {screen_stem(path)}{path.suffix} ({hint})",
                )
                continue
            if station in base.variants:
                first = base.variants[station].source
                loader.problem(
                    file,
                    variant.source.line,
                    f"the {station} variant of '{name}' is defined twice (first at {first})",
                )
                continue
            laid_out = replace(
                variant,
                title=base.title,
                level=base.level,
                parent=base.parent,
                line=base.line,
            )
            screens[name] = replace(base, variants={**base.variants, station: laid_out})
