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
# The music folder a package installed, from its own file list (so a new
# package version's path needs no edit here).
music_of() {
  local dir
  # awk reads the whole list (grep -m1 would stop early and, under pipefail,
  # dpkg's SIGPIPE would fail the pipeline).
  dir=$(dpkg -L "$1" | awk '/\/music$/ && !d { d = $0 } END { if (d) print d; else exit 1 }') ||
    { echo "run.sh: package $1 has no music folder" >&2; return 1; }
  echo "$dir"
}
# Rescans skip unchanged files, so this is quick after the first run.
wesnoth=$(music_of wesnoth-1.16-music)
supertux=$(music_of supertux-data)
./build/moodtune library scan "$wesnoth"
./build/moodtune library scan "$supertux"
exec ./build/moodtune serve "$@"
