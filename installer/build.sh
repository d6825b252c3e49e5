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
    start=$(date +%s)
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --workpath "$OUT/work" --distpath "$OUT/dist" installer/linea-hmi.spec
    # debug information some libraries ship with (libpython alone: 17 MB); code untouched
    find "$BUNDLE" -type f -name '*.so*' -print0 | xargs -0 file | grep 'with debug_info' \
        | cut -d: -f1 | xargs -r strip --strip-debug
    # OpenCV's own OpenBLAS with its Fortran runtime (50 MB) replaced by cv2_blas.c, which
    # answers OpenCV's 19 BLAS/LAPACK calls with numpy's OpenBLAS (`hmi -m bundle_check`)
    cvlibs=$BUNDLE/_internal/opencv_python_headless.libs
    nplibs=$BUNDLE/_internal/numpy.libs
    cvblas=$(cd "$cvlibs" && ls libopenblas*.so* 2>/dev/null | head -1)
    npblas=$(cd "$nplibs" && ls libscipy_openblas64_*.so 2>/dev/null | head -1)
    if [ -n "$cvblas" ] && [ -n "$npblas" ]; then
        gcc -shared -fPIC -O2 -Wall -Werror -o "$OUT/$cvblas" installer/cv2_blas.c \
            -L"$nplibs" -l:"$npblas" -Wl,-rpath,'$ORIGIN/../numpy.libs' \
            -Wl,-soname,"$cvblas" -Wl,--no-undefined
        missing=$(nm -D --undefined-only "$BUNDLE/_internal/cv2/cv2.abi3.so" | awk '{print $2}' \
            | grep -Fx -f <(nm -D --defined-only "$cvlibs/$cvblas" | awk '{print $3}') \
            | grep -vFx -f <(nm -D --defined-only "$OUT/$cvblas" | awk '{print $3}') || true)
        [ -z "$missing" ] || { echo "cv2 calls BLAS routines cv2_blas.c lacks: $missing" >&2; exit 1; }
        mv "$OUT/$cvblas" "$cvlibs/$cvblas"
        rm -f "$cvlibs"/libgfortran-*.so* "$cvlibs"/libquadmath-*.so*
        ! ldd "$BUNDLE/_internal/cv2/cv2.abi3.so" | grep "not found" || exit 1
        find "$BUNDLE/_internal" -maxdepth 1 -xtype l -delete  # links to the dropped ones
    fi
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
