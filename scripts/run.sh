#!/usr/bin/env bash
# Installs, builds and starts the main job: the web app on the shipped model,
# with Debian's free Wesnoth soundtrack (wesnoth-1.16-music, GPL) scanned as
# the default music library. Open the printed address in a browser.
# Usage: bash scripts/run.sh [extra `moodtune serve` options, e.g. --port 9000]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target moodtune
# Rescans skip unchanged files, so this is quick after the first run.
./build/moodtune library scan /usr/share/games/wesnoth/1.16/data/core/music
exec ./build/moodtune serve "$@"
