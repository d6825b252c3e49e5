#!/usr/bin/env bash
# The Debian package of a built bundle:  build-deb.sh BUNDLE VERSION OUT
# Installs the bundle to /opt/linea-hmi, the `hmi` command to /usr/bin, a desktop entry and
# its icon. Depends: the Debian packages of every system library the bundle's programs,
# libraries and Qt plugins load from the system (found with ldd, named by dpkg -S).
set -euo pipefail
BUNDLE=$(realpath "$1"); VERSION=$2; OUT=$(realpath "$3")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ARCH=$(dpkg --print-architecture)
STAGE=$OUT/deb-root
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/linea-hmi"
cp -a "$BUNDLE" "$STAGE/opt/linea-hmi"
install -m 0755 "$HERE/hmi.sh" "$STAGE/usr/bin/hmi"
install -m 0644 "$HERE/linea-hmi.desktop" "$STAGE/usr/share/applications/"
install -m 0644 "$ROOT/resources/icons/linea-hmi.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/"
install -m 0644 "$HERE/copyright" "$STAGE/usr/share/doc/linea-hmi/copyright"
for script in postinst prerm postrm; do
    install -m 0755 "$HERE/$script" "$STAGE/DEBIAN/$script"
done

# system libraries loaded from outside the bundle -> their packages (the program finds
# its own in _internal/ first, as ldd does with this LD_LIBRARY_PATH)
inside="$STAGE/opt/linea-hmi/_internal"
libs=$(find "$STAGE/opt/linea-hmi" -type f \( -name '*.so*' -o -name hmi \) -print0 \
    | LD_LIBRARY_PATH="$inside:$inside/PySide6/Qt/lib" xargs -0 ldd 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}' \
    | grep -v "^$STAGE" | sort -u)
packages=()
for lib in $libs; do
    real=$(readlink -f "$lib")
    owner=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || true)
    [ -n "$owner" ] && packages+=("${owner%%:*}")
done
# what Qt opens at run time rather than links (xcb platform, EGL/GL), and the fonts
packages+=(libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 fonts-dejavu-core)
depends=$(printf '%s\n' "${packages[@]}" | sed 's/^libc6$//' | grep -v '^$' | sort -u | paste -sd, | sed 's/,/, /g')
SIZE=$(du -sk "$STAGE" --exclude=DEBIAN | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: linea-hmi
Version: $VERSION
Architecture: $ARCH
Maintainer: Linea HMI <support@linea-hmi.invalid>
Installed-Size: $SIZE
Depends: libc6 (>= 2.28), $depends
Section: misc
Priority: optional
Homepage: https://linea-hmi.invalid
Description: Linea HMI operator HMI/SCADA for production lines
 Polls PLCs (Modbus TCP/RTU, OPC UA), draws synoptic screens and trends, manages
 alarms, inspects parts with an ONNX vision model and forwards work-order progress
 to the MES. Installed to /opt/linea-hmi; "hmi --self-test" checks the installation,
 "hmi kiosk install" makes this PC a line-side kiosk.
CONTROL
DEB=$OUT/linea-hmi_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zzstd -z"${ZSTD_LEVEL:-12}" --threads-max=2 --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
