#!/usr/bin/env bash
# Installs every Debian package moodtune needs. Idempotent: safe to run again.
# Usage: scripts/setup.sh [PACKAGE...]   (as root, or with sudo available;
#        extra Debian packages are installed too: run.sh adds its music)
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-openmp libopenblas0-pthread
  libopencv-dev opencv-data
  libdlib-dev libdlib-data libsqlite3-dev libcpp-httplib-dev nlohmann-json3-dev
  libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libjpeg-dev libpng-dev libcsv-dev sqlite3
  libtag1-dev libebur128-dev libaubio-dev libqm-dsp-dev
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev
  wesnoth-1.16-music ffmpeg
  chromium
  clang libclang-rt-14-dev
  postgresql libpqxx-dev nginx
)
# Node.js runs the browser tests; a machine may already have it from elsewhere
# (e.g. NodeSource), whose packages Debian's npm would conflict with.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# libtorch calls whatever libblas.so.3 is selected; the reference BLAS is ~30x
# slower. The OpenMP OpenBLAS variant measured fastest here (see
# docs/blas.md), so select it explicitly.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for lib in libblas.so.3 liblapack.so.3; do
  cand=/usr/lib/$arch/openblas-openmp/$lib
  if [ -e "$cand" ]; then $SUDO update-alternatives --set "$lib-$arch" "$cand" >/dev/null; fi
done
echo "setup: all packages present"
