#!/usr/bin/env bash
# The Debian package of a built bundle:  build-deb.sh BUNDLE VERSION OUT
# Installs the bundle to /opt/linea-hmi, the `hmi` command to /usr/bin, a desktop entry and
# its icon. Depends: the Debian packages of every system library the bundle's programs,
# libraries and Qt plugins load from the system, at the versions they need (dpkg-shlibdeps).
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

# system libraries the bundle's programs, libraries and Qt plugins load from outside it ->
# their packages, with the lowest version whose symbols they use (dpkg-shlibdeps, from
# dpkg-dev; the bundle's own libraries are found in it with -l)
command -v dpkg-shlibdeps >/dev/null || { echo "build-deb.sh needs dpkg-shlibdeps (apt-get install dpkg-dev)" >&2; exit 1; }
inside="$STAGE/opt/linea-hmi/_internal"
elves=()
while IFS= read -r -d '' file; do
    [ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = "177ELF" ] && elves+=("$file")
done < <(find "$STAGE/opt/linea-hmi" -type f \( -name '*.so*' -o -name hmi \) -print0)
work=$(mktemp -d)
mkdir "$work/debian"
printf 'Source: linea-hmi\n\nPackage: linea-hmi\nArchitecture: any\n' > "$work/debian/control"
if ! shlibs=$(cd "$work" && dpkg-shlibdeps -O --ignore-missing-info -l"$inside" \
        -l"$inside/PySide6/Qt/lib" "${elves[@]}" 2>"$OUT/shlibdeps.log"); then
    grep "error" "$OUT/shlibdeps.log" | sort -u | head -n 20 >&2
    echo "a library the bundle needs is neither in it nor installed here to name its package" >&2
    rm -rf "$work"; exit 1
fi
rm -rf "$work"
IFS=',' read -r -a packages <<< "${shlibs#shlibs:Depends=}"
# what Qt opens at run time rather than links (xcb platform, EGL/GL), and the fonts
packages+=(libxkbcommon0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 fonts-dejavu-core)
# one entry per package, the versioned one where both came
depends=$(printf '%s\n' "${packages[@]}" | sed 's/^ *//; s/ *$//' | grep -v '^$' \
    | awk '{ if (length($0) > length(best[$1])) best[$1] = $0 } END { for (p in best) print best[p] }' \
    | sort | paste -sd, | sed 's/,/, /g')
SIZE=$(du -sk "$STAGE" --exclude=DEBIAN | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: linea-hmi
Version: $VERSION
Architecture: $ARCH
Maintainer: Linea HMI <support@linea-hmi.invalid>
Installed-Size: $SIZE
Depends: $depends
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
