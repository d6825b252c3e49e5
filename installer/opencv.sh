#!/usr/bin/env bash
# Build the OpenCV the bundle carries:  installer/opencv.sh  -> prints the path of cv2's .so
#
# The opencv-python-headless wheel holds every OpenCV module and an FFmpeg with every codec
# (127 MB in the bundle). Linea uses four modules (core, imgproc, imgcodecs, videoio) and
# cameras send H.264, H.265, MJPEG or MPEG-4, so the bundle gets OpenCV built with those
# modules alone over a static FFmpeg with only the camera formats: 24 MB, and a far smaller
# surface for a malformed stream to hit. Both sources are checked against pinned hashes:
# FFmpeg is Debian's security-maintained release, OpenCV the same release as the wheel.
# Needs cmake, ninja, g++ and nasm (.ci/run installs them); about 8 minutes on 2 cores, then
# kept in build/opencv/ until the versions change.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
JOBS=${JOBS:-$(nproc)}

OPENCV_VERSION=5.1.0.95
OPENCV_SHA256=9002add14b121b9a0d64dcaff48e5cac69a7987efcf2847f7db075c2d3b9633b
OPENCV_INDEX=https://pypi.org/simple/opencv-python-headless/
FFMPEG_VERSION=5.1.9
FFMPEG_SHA256=d9b593bb2ba93d4b50f74177e0cdcd41747e708596367deed0c30348a71dd176
FFMPEG_URL=http://deb.debian.org/debian/pool/main/f/ffmpeg/ffmpeg_${FFMPEG_VERSION}.orig.tar.xz

wheel=$("$PY" -c "from importlib.metadata import version; print(version('opencv-python-headless'))" 2>/dev/null || true)
if [ "$wheel" != "$OPENCV_VERSION" ]; then  # the tests would not run the bundle's release
    echo "note: the tests use opencv-python-headless ${wheel:-(not installed)}, the bundle gets $OPENCV_VERSION; pin one or update OPENCV_VERSION and OPENCV_SHA256 here" >&2
fi
# a change to this script builds anew
WORK=$ROOT/build/opencv/$OPENCV_VERSION-ffmpeg$FFMPEG_VERSION-$(sha256sum "$ROOT/installer/opencv.sh" | cut -c1-10)
RESULT=$WORK/cv2/cv2.so
if [ -f "$RESULT" ]; then echo "$RESULT"; exit 0; fi
for tool in cmake ninja g++ nasm curl; do
    command -v $tool >/dev/null || { echo "opencv.sh needs $tool (apt-get install cmake ninja-build g++ nasm curl)" >&2; exit 1; }
done
mkdir -p "$WORK/src"
cd "$WORK/src"

fetch() {  # fetch URL FILE SHA256: download once, refuse anything but the pinned file
    if [ ! -f "$2" ]; then curl -fsSL --retry 3 -o "$2.part" "$1" && mv "$2.part" "$2"; fi
    echo "$3  $2" | sha256sum -c --quiet - || { rm -f "$2"; echo "$2: not the pinned file" >&2; exit 1; }
}
fetch "$FFMPEG_URL" ffmpeg.tar.xz "$FFMPEG_SHA256"
sdist=opencv_python_headless-$OPENCV_VERSION.tar.gz
url=$(curl -fsSL "$OPENCV_INDEX" | grep -o "https://[^\"#]*/$sdist" | head -1)
[ -n "$url" ] || { echo "$sdist is not on $OPENCV_INDEX" >&2; exit 1; }
fetch "$url" opencv.tar.gz "$OPENCV_SHA256"
start=$(date +%s)

# FFmpeg: what OpenCV's VideoCapture/VideoWriter need for cameras and their recordings
if [ ! -f "$WORK/ffmpeg/lib/libavcodec.a" ]; then
    rm -rf ffmpeg && mkdir ffmpeg && tar xJf ffmpeg.tar.xz -C ffmpeg --strip-components=1
    (cd ffmpeg && ./configure --prefix="$WORK/ffmpeg" --enable-static --disable-shared --enable-pic \
        --disable-autodetect --enable-pthreads --disable-programs --disable-doc --disable-debug \
        --disable-avdevice --disable-avfilter --disable-swresample --disable-postproc \
        --disable-everything --enable-network \
        --enable-protocol=file,tcp,udp,http,rtp \
        --enable-demuxer=rtsp,sdp,rtp,mov,matroska,avi,mjpeg,mpjpeg,h264,hevc \
        --enable-decoder=h264,hevc,mjpeg,mpeg4,rawvideo \
        --enable-encoder=mpeg4,mjpeg,rawvideo \
        --enable-muxer=mp4,mov,avi \
        --enable-parser=h264,hevc,mjpeg,mpeg4video \
        --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb >configure.log 2>&1 \
        && make -j"$JOBS" >make.log 2>&1 && make install >>make.log 2>&1) \
        || { tail -n 30 ffmpeg/configure.log ffmpeg/make.log >&2; echo "FFmpeg did not build" >&2; exit 1; }
fi

# OpenCV: the four modules and the Python binding, nothing downloaded at configure time
rm -rf opencv build && mkdir opencv build && tar xzf opencv.tar.gz -C opencv --strip-components=1
numpy_include=$("$PY" -c "import numpy; print(numpy.get_include())")
py_include=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['include'])")
py_library=$("$PY" -c "import sysconfig, pathlib; print(pathlib.Path(sysconfig.get_config_var('LIBDIR'), sysconfig.get_config_var('LDLIBRARY')))")
cd build
PKG_CONFIG_LIBDIR="$WORK/ffmpeg/lib/pkgconfig" cmake -G Ninja ../opencv/opencv -Wno-dev \
    -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_LIST=core,imgproc,imgcodecs,videoio,python3,python_bindings_generator \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTS=OFF -DBUILD_PERF_TESTS=OFF -DBUILD_EXAMPLES=OFF \
    -DBUILD_DOCS=OFF -DBUILD_opencv_apps=OFF -DBUILD_JAVA=OFF \
    -DBUILD_JPEG=ON -DBUILD_PNG=ON -DBUILD_ZLIB=ON -DWITH_PNG=ON -DWITH_SPNG=OFF \
    -DWITH_TIFF=OFF -DWITH_WEBP=OFF -DWITH_OPENEXR=OFF -DWITH_JASPER=OFF -DWITH_OPENJPEG=OFF \
    -DWITH_AVIF=OFF -DWITH_IMGCODEC_HDR=OFF -DWITH_IMGCODEC_SUNRASTER=OFF -DWITH_IMGCODEC_PXM=OFF \
    -DWITH_IMGCODEC_PFM=OFF -DWITH_GDAL=OFF -DWITH_GDCM=OFF \
    -DWITH_FFMPEG=ON -DOPENCV_FFMPEG_ENABLE_LIBAVDEVICE=OFF -DWITH_V4L=ON -DWITH_GSTREAMER=OFF \
    -DWITH_1394=OFF -DWITH_OBSENSOR=OFF \
    -DWITH_GTK=OFF -DWITH_QT=OFF -DWITH_OPENGL=OFF -DWITH_OPENCL=OFF -DWITH_VA=OFF \
    -DWITH_VA_INTEL=OFF -DWITH_IPP=OFF -DWITH_ADE=OFF -DWITH_PROTOBUF=OFF -DWITH_FLATBUFFERS=OFF \
    -DWITH_LAPACK=OFF -DWITH_EIGEN=OFF -DWITH_TBB=OFF -DWITH_OPENMP=OFF -DWITH_PTHREADS_PF=ON \
    -DWITH_ITT=OFF -DWITH_KLEIDICV=OFF -DWITH_FASTCV=OFF -DWITH_CAROTENE=OFF -DWITH_HARFBUZZ=OFF \
    -DCPU_BASELINE=SSE3 -DCPU_DISPATCH="SSE4_1;AVX2" \
    -DPYTHON3_EXECUTABLE="$PY" -DPYTHON3_INCLUDE_DIR="$py_include" -DPYTHON3_LIBRARY="$py_library" \
    -DPYTHON3_NUMPY_INCLUDE_DIRS="$numpy_include" -DOPENCV_SKIP_PYTHON_LOADER=ON \
    -DCMAKE_C_FLAGS="-ffunction-sections -fdata-sections" \
    -DCMAKE_CXX_FLAGS="-ffunction-sections -fdata-sections" \
    -DCMAKE_MODULE_LINKER_FLAGS="-Wl,--gc-sections -Wl,--exclude-libs,ALL -s" >cmake.log 2>&1 \
    || { tail -n 30 cmake.log >&2; echo "OpenCV did not configure" >&2; exit 1; }
grep -qE "FFMPEG: +YES" cmake.log || { echo "OpenCV did not find the FFmpeg built here (build/opencv/.../src/build/cmake.log)" >&2; exit 1; }
ninja -j"$JOBS" opencv_python3 >ninja.log 2>&1 \
    || { grep -B2 -A10 "FAILED" ninja.log | head -n 40 >&2; echo "OpenCV did not build" >&2; exit 1; }
mkdir -p "$WORK/cv2"
cp lib/python3/cv2*.so "$RESULT.part"
# every symbol resolved: FFmpeg and the image libraries are inside, the rest is the system's
if LD_BIND_NOW=1 ldd -r "$RESULT.part" 2>&1 | grep -v "Py\|_Py" | grep -q "undefined symbol"; then
    echo "cv2 has unresolved symbols:" >&2; ldd -r "$RESULT.part" | grep undefined | grep -v Py >&2; exit 1
fi
mv "$RESULT.part" "$RESULT"
echo "OpenCV $OPENCV_VERSION with FFmpeg $FFMPEG_VERSION built in $(( $(date +%s) - start )) s" >&2
echo "$RESULT"
