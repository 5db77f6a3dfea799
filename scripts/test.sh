#!/usr/bin/env bash
# Installs what moodtune needs, builds it and runs the whole test suite.
# Usage: bash scripts/test.sh        (the README's test command; CI runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
# Browser tests: playwright-core from npm drives Debian's Chromium.
npm ci --prefix tests/e2e --no-audit --no-fund
# Real-data tests read FER2013 from ../shared (unpacked once into a cache).
export MOODTUNE_FER_DIR="$(bash scripts/fer2013.sh)"
(cd build && ctest --output-on-failure --timeout 900)
# Sanitizers: the parts without libtorch and their unit tests under
# ASan + UBSan, and the shared server state under ThreadSanitizer.
for san in "address;undefined" thread; do
  dir=build-san-${san%%;*}
  cmake -S sanitize -B "$dir" -G Ninja -DMOODTUNE_SANITIZE="$san"
  cmake --build "$dir"
  (cd "$dir" && ctest --output-on-failure --timeout 600)
done
# Fuzzing: every parser of outside input under ASan + UBSan (clang), with a
# fixed seed and input count so the gate is reproducible (fuzz/run.sh).
cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-fuzz
bash fuzz/run.sh build-fuzz "${MOODTUNE_FUZZ_MODE:-ci}"
