#!/usr/bin/env bash
# Installs, builds and starts the main job. Until the web app lands this is
# `moodtune watch` on a demo clip of real FER2013 faces (from ../shared).
# Usage: bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target moodtune
fer="$(bash scripts/fer2013.sh)"
clip="${XDG_CACHE_HOME:-$HOME/.cache}/moodtune/demo.avi"
[ -f "$clip" ] || ./build/moodtune data demo-video --fer "$fer" --out "$clip"
exec ./build/moodtune watch --source "$clip"
