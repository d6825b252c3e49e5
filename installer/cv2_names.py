"""Every ``cv2.<name>`` the program uses exists in the bundle's OpenCV.

    python installer/cv2_names.py BUILT_CV2_SO

The tests run with the opencv-python-headless wheel (every module); the bundle carries the
four-module build of installer/opencv.sh. A call added to ``hmi/`` or ``drivers/`` from a
module left out would pass the tests and fail on the line PC, so the build refuses it,
naming the file and line. Text rendering is built out too (OpenCV 5 draws text through
HarfBuzz): the screens draw their text with Qt.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("hmi", "drivers")
NOT_BUILT = {"putText", "getTextSize", "getFontScaleFromHeight"}  # no HarfBuzz


def uses(root: Path) -> dict[str, list[str]]:
    """``cv2.<name>`` attributes read in the program's sources, with where."""
    found: dict[str, list[str]] = {}
    for folder in SOURCES:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "cv2"
                ):
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    found.setdefault(node.attr, []).append(where)
    return found


def load(so: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("cv2", so)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{so}: not a Python extension")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    cv2 = load(Path(argv[0]))
    used = uses(ROOT)
    missing = {
        name: where for name, where in used.items() if name in NOT_BUILT or not hasattr(cv2, name)
    }
    for name, where in sorted(missing.items()):
        print(f"cv2.{name} is not in the bundle's OpenCV: {', '.join(where)}", file=sys.stderr)
    if missing:
        print("use another call, or build it in (installer/opencv.sh)", file=sys.stderr)
        return 1
    print(f"the bundle's OpenCV {cv2.__version__} has all {len(used)} cv2 names used")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
