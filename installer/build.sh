#!/usr/bin/env bash
# Build the one-folder bundle (PyInstaller) and the Debian package of Linea HMI.
#   installer/build.sh [--no-bundle]   (--no-bundle: package the bundle built before)
# Everything goes to build/installer/ (ignored by git): dist/linea-hmi/ (the bundle) and
# linea-hmi_<version>_<arch>.deb. ZSTD_LEVEL=19 for a release's package: 110 MB in about 4
# minutes on 2 cores, against 123 MB in 10 s at the default 12 (decompressing costs the same).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/installer
PY=${PYTHON:-$ROOT/.venv/bin/python}
BUNDLE=$OUT/dist/linea-hmi
mkdir -p "$OUT"
if [ "${1:-}" != "--no-bundle" ]; then
    CV2=$(bash installer/opencv.sh)  # first: it may take minutes, and may refuse
    "$PY" installer/cv2_names.py "$CV2"  # every cv2 call of the program is in it
    start=$(date +%s)
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --workpath "$OUT/work" --distpath "$OUT/dist" installer/linea-hmi.spec
    # debug information some libraries ship with (libpython alone: 17 MB); code untouched
    find "$BUNDLE" -type f -name '*.so*' -print0 | xargs -0 file | grep 'with debug_info' \
        | cut -d: -f1 | xargs -r strip --strip-debug
    # OpenCV: the wheel's cv2 with every module and codec (127 MB) swapped for the build of
    # installer/opencv.sh (core, imgproc, imgcodecs, videoio over a camera-only FFmpeg)
    cv2dir=$BUNDLE/_internal/cv2
    suffix=$("$PY" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
    rm -f "$cv2dir"/cv2*.so
    cp "$CV2" "$cv2dir/cv2$suffix"
    rm -rf "$BUNDLE/_internal/opencv_python_headless.libs"
    find "$BUNDLE/_internal" -maxdepth 1 -xtype l -delete  # the links to those
    # system libraries nothing in the bundle links any more (those of the Qt plugins left
    # out: GTK's theme brought cairo, pango, gio...): 8 MB. libpython is the program's own;
    # OpenSSL is what Qt's network would open by name.
    internal=$BUNDLE/_internal
    for _ in 1 2 3 4 5 6 7 8; do
        needed=$(find "$internal" -name '*.so*' \( -type f -o -type l \) -print0 \
            | xargs -0 readelf -d 2>/dev/null | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' | sort -u)
        unused=$(cd "$internal" && for lib in lib*.so*; do
            [ -f "$lib" ] && [ ! -L "$lib" ] || continue
            case $lib in libpython* | libssl* | libcrypto*) continue ;; esac
            grep -qxF "$lib" <<< "$needed" || echo "$lib"
        done)
        [ -n "$unused" ] || break
        echo "not linked by anything in the bundle, dropped:" $unused
        (cd "$internal" && rm -f $unused)
    done
    # Libraries of Debian's own packages come from the system, where apt keeps them patched
    # (OpenSSL, SQLite, GLib, X11...): build-deb.sh names their packages in Depends. The
    # program's libpython stays: it is the interpreter the bundle was built with.
    if command -v dpkg >/dev/null; then
        system=()
        for lib in "$internal"/lib*.so*; do
            [ -f "$lib" ] && [ ! -L "$lib" ] || continue
            name=$(basename "$lib")
            case $name in libpython*) continue ;; esac
            path=$(/sbin/ldconfig -p | awk -v n="$name" '$1 == n && !seen++ {print $NF}')
            [ -n "$path" ] || continue
            dpkg -S "$path" >/dev/null 2>&1 || dpkg -S "$(readlink -f "$path")" >/dev/null 2>&1 \
                || dpkg -S "/usr$path" >/dev/null 2>&1 || continue
            system+=("$name")
        done
        echo "from Debian's packages instead of the bundle: ${system[*]}"
        (cd "$internal" && rm -f "${system[@]}")
        find "$internal" -maxdepth 1 -xtype l -delete
    fi
    # Qt's ICU data: the languages of the plants, the others fall back to ICU's root data
    icudata=$(ls "$BUNDLE"/_internal/PySide6/Qt/lib/libicudata.so.* 2>/dev/null | head -1)
    if [ -n "$icudata" ] && command -v icupkg >/dev/null; then
        "$PY" installer/icu_subset.py "$icudata"
    else
        echo "ICU data kept whole (no icupkg: apt-get install icu-devtools)" >&2
    fi
    echo "bundle built in $(( $(date +%s) - start )) s: $BUNDLE"
fi
[ -x "$BUNDLE/hmi" ] || { echo "no bundle at $BUNDLE; build it first" >&2; exit 1; }
VERSION=$("$PY" -c "from importlib.metadata import version; print(version('linea-hmi'))")
bash installer/deb/build-deb.sh "$BUNDLE" "$VERSION" "$OUT"
