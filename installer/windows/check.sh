#!/usr/bin/env bash
# Compile linea-hmi.nsi against a stand-in bundle (a Windows build is not made here):
# proves the script is valid NSIS.   check.sh OUT_FOLDER
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "$1" && cd "$1" && pwd)
STAND_IN=$OUT/stand-in
rm -rf "$STAND_IN"
mkdir -p "$STAND_IN/_internal/resources/demo"
printf 'MZ stand-in for hmi.exe\n' > "$STAND_IN/hmi.exe"
cp "$HERE/../../resources/demo/project.yaml" "$STAND_IN/_internal/resources/demo/"
makensis -V2 -DVERSION=0.0.0 -DBUNDLE="$STAND_IN" -DOUTFILE="$OUT/linea-hmi-setup.exe" \
    "$HERE/linea-hmi.nsi"
[ -s "$OUT/linea-hmi-setup.exe" ]
echo "$OUT/linea-hmi-setup.exe"
