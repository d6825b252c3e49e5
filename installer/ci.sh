#!/usr/bin/env bash
# Prove the installer end to end on this Debian machine (root or sudo):
# build the bundle and the .deb, install it, run `hmi --self-test` under Xvfb as an
# ordinary user, set the kiosk up, upgrade over it (the store written before is kept and
# opens), remove and purge (nothing left in /opt/linea-hmi or /usr/bin/hmi; users' data
# kept), compile the Windows installer script with makensis. Ends with one JSON line of
# figures. INSTALLER_CI_SKIP_BUILD=1 packages the bundle built before.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/installer
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
USER_NAME=hmici
KIOSK_USER=hmikiosk
DISPLAY_NUMBER=:97
step() { echo "== $*"; }
since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }'; }
fail() { echo "installer CI FAILED: $*" >&2; exit 1; }

started=$(date +%s)
step "build the bundle and the .deb"
mkdir -p "$OUT"
load_before=$(cut -d' ' -f1 /proc/loadavg)
build_args=()
[ "${INSTALLER_CI_SKIP_BUILD:-}" = 1 ] && build_args=(--no-bundle)
bash installer/build.sh "${build_args[@]}" > "$OUT/build.log" 2>&1 \
    || { tail -n 40 "$OUT/build.log"; fail "the build failed (all of it: $OUT/build.log)"; }
build_s=$(( $(date +%s) - started ))
VERSION=$(.venv/bin/python -c "from importlib.metadata import version; print(version('linea-hmi'))")
ARCH=$(dpkg --print-architecture)
DEB=$OUT/linea-hmi_${VERSION}_${ARCH}.deb
[ -f "$DEB" ] || fail "no package at $DEB"

step "the upgrade's package (the same bundle as version $VERSION+1)"
mkdir -p "$OUT/upgrade"
ZSTD_LEVEL=1 bash installer/deb/build-deb.sh "$OUT/dist/linea-hmi" "$VERSION+1" "$OUT/upgrade" >/dev/null
UPGRADE=$OUT/upgrade/linea-hmi_${VERSION}+1_${ARCH}.deb

install_deb() {
    $SUDO dpkg -i "$1" >/dev/null 2>&1 || {
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq >/dev/null
        dpkg -s linea-hmi >/dev/null 2>&1 || fail "$1 did not install"
    }
}
as_user() { $SUDO su - "$USER_NAME" -c "DISPLAY=$DISPLAY_NUMBER $*"; }

step "install"
$SUDO dpkg -r linea-hmi >/dev/null 2>&1 || true
install_deb "$DEB"
[ -x /usr/bin/hmi ] && [ -x /opt/linea-hmi/hmi ] || fail "/usr/bin/hmi or /opt/linea-hmi/hmi missing"
installed_mb=$(du -sm /opt/linea-hmi | cut -f1)

step "an ordinary user and a display"
for name in "$USER_NAME" "$KIOSK_USER"; do  # left by an earlier run: start afresh
    ! id "$name" >/dev/null 2>&1 || $SUDO userdel -r "$name" 2>/dev/null || true
done
$SUDO useradd --create-home --shell /bin/bash "$USER_NAME"
XVFB_PID=""
cleanup() {
    [ -n "$XVFB_PID" ] && $SUDO kill "$XVFB_PID" 2>/dev/null || true
}
trap cleanup EXIT
command -v Xvfb >/dev/null || fail "Xvfb is missing (apt-get install xvfb)"
Xvfb "$DISPLAY_NUMBER" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${DISPLAY_NUMBER#:}" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X${DISPLAY_NUMBER#:}" ] || fail "Xvfb did not start on $DISPLAY_NUMBER"

step "self-test as $USER_NAME on the X display (a store kept in ~/store)"
HOME_DIR=$(getent passwd "$USER_NAME" | cut -d: -f6)
self_test_start=$(date +%s.%N)
as_user "hmi --self-test --out ~/self-test --data-dir ~/store" | tee "$OUT/self-test-1.txt"
self_test_s=$(since "$self_test_start")
grep -q "^qt *ok: platform native" "$OUT/self-test-1.txt" || fail "the self-test did not use the X display"
grep -q "^store .* new;" "$OUT/self-test-1.txt" || fail "the first self-test did not make a new store"

step "OpenCV in the installed program: a video file as a camera, images, linear algebra"
as_user "hmi -m bundle_check" | tee "$OUT/bundle-check.txt"
grep -q "all ok" "$OUT/bundle-check.txt" || fail "OpenCV does not work in the installed program"

step "start to the first screen drawn (hmi screenshot of the demo): cold, then median of 3"
demo=/opt/linea-hmi/_internal/resources/demo
first_screen() {  # seconds from the start until the first screen is in its PNG
    rm -f "$HOME_DIR/first.png"
    local start pid
    start=$(date +%s.%N)
    as_user "hmi screenshot $demo --wait 0 --out ~/first.png" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 600); do [ -s "$HOME_DIR/first.png" ] && break; sleep 0.05; done
    since "$start"
    wait "$pid" && [ -s "$HOME_DIR/first.png" ] || fail "no first screen drawn"
}
sync
echo 3 | $SUDO tee /proc/sys/vm/drop_caches >/dev/null 2>&1 || echo "(page cache not dropped: not allowed here)"
first_screen_s=$(first_screen)
warm_screen_s=$(for _ in 1 2 3; do first_screen; echo; done | sort -n | sed -n 2p)
echo "first screen: ${first_screen_s} s cold, ${warm_screen_s} s warm (load $(cut -d' ' -f1 /proc/loadavg))"

step "the bundle runs its own modules with -m: the demo starts its simulated plant"
as_user "hmi -m hmi check $demo" | grep -q ": OK" || fail "hmi -m hmi check did not run"
as_user "hmi demo --headless --seconds 6 --every 5 --modbus-port 25020 --opcua-port 24840" \
    2>/dev/null > "$OUT/demo.txt" || fail "hmi demo failed"
grep -q "device press_plc  *online" "$OUT/demo.txt" && grep -q "device filler_plc  *online" \
    "$OUT/demo.txt" || fail "the demo's PLCs were not online: $(head -12 "$OUT/demo.txt")"

step "kiosk: a user, its service and session start"
$SUDO hmi kiosk install "$demo" --user "$KIOSK_USER" >/dev/null
KIOSK_HOME=$(getent passwd "$KIOSK_USER" | cut -d: -f6)
service=$KIOSK_HOME/.config/systemd/user/linea-hmi.service
[ -f "$service" ] && [ -f "$KIOSK_HOME/.config/autostart/linea-hmi.desktop" ] || fail "kiosk files missing"
grep -q "^Restart=always" "$service" || fail "the kiosk service does not restart"
[ "$(stat -c %U "$service")" = "$KIOSK_USER" ] || fail "the kiosk's service is not its user's"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify --user "$service" 2>&1 | grep -v "RestartSteps\|RestartMaxDelaySec" \
        | grep -i "error" && fail "systemd finds errors in $service"
fi
$SUDO su - "$KIOSK_USER" -c "LINEA_HMI_RESTARTS=~/restarts.json hmi kiosk count && \
    LINEA_HMI_RESTARTS=~/restarts.json hmi kiosk count" | tail -1 | grep -q "start 2" \
    || fail "the kiosk's start counter does not count"

step "upgrade to $VERSION+1: the store written before is kept and opens"
install_deb "$UPGRADE"
dpkg -s linea-hmi | grep -q "^Version: $VERSION+1" || fail "the upgrade did not install"
as_user "hmi --self-test --out ~/self-test-2 --data-dir ~/store" | tee "$OUT/self-test-2.txt"
grep -q "^store .*kept from before with [1-9]" "$OUT/self-test-2.txt" || fail "the store was not kept"
# the same schema (the same bundle): no copy of the store is made, none is announced
! compgen -G "$HOME_DIR/store/hmi.db.before-*" >/dev/null && ! grep -q "^store .*upgraded" \
    "$OUT/self-test-2.txt" || fail "a copy of the store was made though its schema did not change"

step "remove, then purge"
$SUDO dpkg -r linea-hmi >/dev/null
[ ! -e /opt/linea-hmi ] && [ ! -e /usr/bin/hmi ] || fail "files left after remove"
[ -f "$HOME_DIR/store/hmi.db" ] || fail "remove deleted the user's store"
[ -f /etc/linea-hmi/kiosk.env ] || fail "remove took the kiosk's set-up (purge's to do)"
$SUDO dpkg -P linea-hmi >/dev/null
[ ! -e /opt/linea-hmi ] && [ ! -e /usr/bin/hmi ] && [ ! -e /etc/linea-hmi ] || fail "files left after purge"
[ ! -e "$service" ] || fail "purge left the kiosk's service"
[ -f "$HOME_DIR/store/hmi.db" ] || fail "purge deleted a user's data"
! dpkg -s linea-hmi >/dev/null 2>&1 || fail "the package is still known to dpkg"
$SUDO userdel -r "$KIOSK_USER" 2>/dev/null || true
$SUDO userdel -r "$USER_NAME" 2>/dev/null || true

step "Windows installer script compiles (makensis, a stand-in bundle)"
nsis_mb=null
if command -v makensis >/dev/null 2>&1; then
    bash installer/windows/check.sh "$OUT/nsis" >/dev/null
    nsis_mb=$(du -m "$OUT/nsis/linea-hmi-setup.exe" | cut -f1)
else
    echo "(makensis not installed: apt-get install nsis)"
fi

bundle_mb=$(du -sm "$OUT/dist/linea-hmi" | cut -f1)
deb_mb=$(awk -v b="$(stat -c %s "$DEB")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "{\"bench\": \"installer\", \"bundle_mb\": $bundle_mb, \"installed_mb\": $installed_mb," \
    "\"deb_mb\": $deb_mb, \"first_screen_cold_s\": $first_screen_s," \
    "\"first_screen_warm_median_s\": $warm_screen_s," \
    "\"self_test_s\": $self_test_s, \"build_s\": $build_s," \
    "\"nsis_stand_in_mb\": $nsis_mb, \"targets\": {\"installed_mb\": 250, \"deb_mb\": 100," \
    "\"first_screen_s\": 3}, \"load\": [$load_before, $(cut -d' ' -f1 /proc/loadavg)]," \
    "\"total_s\": $(( $(date +%s) - started ))}"
