#!/usr/bin/env bash
# Build the one-folder bundle (PyInstaller) and the Debian package of Linea HMI.
#   installer/build.sh [--no-bundle]   (--no-bundle: package the bundle built before)
# Everything goes to build/installer/ (ignored by git): dist/linea-hmi/ (the bundle) and
# linea-hmi_<version>_<arch>.deb.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/installer
PY=${PYTHON:-$ROOT/.venv/bin/python}
BUNDLE=$OUT/dist/linea-hmi
mkdir -p "$OUT"
if [ "${1:-}" != "--no-bundle" ]; then
    start=$(date +%s)
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --workpath "$OUT/work" --distpath "$OUT/dist" installer/linea-hmi.spec
    # debug information some libraries ship with (libpython alone: 17 MB); code untouched
    find "$BUNDLE" -type f -name '*.so*' -print0 | xargs -0 file | grep 'with debug_info' \
        | cut -d: -f1 | xargs -r strip --strip-debug
    echo "bundle built in $(( $(date +%s) - start )) s: $BUNDLE"
fi
[ -x "$BUNDLE/hmi" ] || { echo "no bundle at $BUNDLE; build it first" >&2; exit 1; }
VERSION=$("$PY" -c "from importlib.metadata import version; print(version('linea-hmi'))")
bash installer/deb/build-deb.sh "$BUNDLE" "$VERSION" "$OUT"
