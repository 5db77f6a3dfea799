#!/usr/bin/env bash
# Installs, builds and starts the main job: the web app on the shipped model,
# with two free soundtracks from Debian scanned as the default music library:
# Wesnoth's (wesnoth-1.16-music, GPL; orchestral, mostly dark) and
# SuperTux's (supertux-data, GPL-2+; brighter and livelier), so every mood
# has tracks near it (coverage: docs/music.md). Open the printed address.
# Usage: bash scripts/run.sh [extra `moodtune serve` options, e.g. --port 9000]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh supertux-data
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target moodtune
# Rescans skip unchanged files, so this is quick after the first run.
./build/moodtune library scan /usr/share/games/wesnoth/1.16/data/core/music
./build/moodtune library scan /usr/share/games/supertux2/music
exec ./build/moodtune serve "$@"
