"""Screen files: declarative YAML that a plant engineer writes, validated into typed models.

A screen file places symbols at coordinates in a fixed design space (default 1920 x 960
logical units), so the renderer can scale it to any window without distorting it::

    screen:
      name: line1_press            # default: the file name
      title: Line 1 - Extrusion press
      level: 2                     # 1 plant overview, 2 line, 3 unit, 4 detail
      parent: overview             # where "up" leads
      line: line1
      background: press.svg        # optional, next to the file
    symbols:
      - type: analog
        at: [100, 200]
        tag: line1.billet_temp
        normal: [460, 500]
        limits: {hi: 510, hihi: 520}
      - use: station               # a template, placed with its macros filled in
        at: [600, 200]
        with: {unit: puller}
    templates:
      station:
        symbols:
          - {type: motor, at: [0, 0], tag: "line1.{unit}_running", label: "{unit}"}

A screen with ``instances: [{line: line1}, {line: line2}]`` is itself a template: one screen
is made per entry, with ``{line}`` replaced everywhere. Everything here is data; no Qt.

A screen can be laid out again for a station: ``line1_press.touch.yaml`` beside
``line1_press.yaml`` replaces its screens in the touch profile (``NAME.desk.yaml`` on the
desk), designed for that panel rather than shrunk. It is a screen file of its own (its own
``size``, ``background`` and symbols; ``instances`` and templates work as anywhere) whose
screens keep the names of those they replace and take their title, level, parent and line
from them::

    # line1_press.touch.yaml: the press for a 1280 x 800 touch panel
    screen:
      size: [1280, 680]
    symbols:
      - {type: setpoint, at: [20, 300], size: [300, 90], tag: line1.billet_temp_sp}

``ScreenDef.for_station("touch")`` gives the screen as the touch panel shows it; ``hmi check``
reports a variant without its screen file, a screen name the file does not define, a
station name that is not one (``x.tuch.yaml``) and the fields a variant takes from its
screen, each as ``file:line``.

``catalogue`` lists the symbols, ``models`` holds what a loaded screen is, ``properties``
checks a symbol's values, ``templates`` fills in template uses, ``variants`` lays screens
out per station and ``loader`` reads a folder.
"""

from .catalogue import (
    DEFAULT_LIMIT_PRIORITY,
    LIMIT_KEYS,
    PRIORITIES,
    SYMBOL_TYPES,
    Prop,
    SymbolType,
)
from .loader import MAX_TEMPLATE_DEPTH, load_screens, screens_folder
from .models import (
    DESIGN_SIZE,
    DEVICE_TAG_PREFIX,
    LEVELS,
    NO_SOURCE,
    Limit,
    ScreenDef,
    Screens,
    StateStyle,
    SymbolDef,
)
from .variants import STATIONS

__all__ = [
    "DEFAULT_LIMIT_PRIORITY",
    "DESIGN_SIZE",
    "DEVICE_TAG_PREFIX",
    "LEVELS",
    "LIMIT_KEYS",
    "MAX_TEMPLATE_DEPTH",
    "NO_SOURCE",
    "PRIORITIES",
    "STATIONS",
    "SYMBOL_TYPES",
    "Limit",
    "Prop",
    "ScreenDef",
    "Screens",
    "StateStyle",
    "SymbolDef",
    "SymbolType",
    "load_screens",
    "screens_folder",
]
