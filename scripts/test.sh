#!/usr/bin/env bash
# Installs what moodtune needs, builds it and runs the whole test suite.
# Usage: bash scripts/test.sh        (the README's test command; CI runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase prints its wall time, so a slow CI shows where the time went.
phase() { echo "== [$(( SECONDS / 60 ))m$(( SECONDS % 60 ))s] $*"; }
# Two tests at a time (most of a test's time is a child process starting,
# a server waiting for a deadline, a browser), except those whose verdict is
# a time or memory figure: they run alone afterwards, so a neighbour cannot
# make them fail.
SERIAL='^(BenchAll\.|Hostile\.|ServerHostile\.|soak_short|e2e_page)'
tests() { ctest -j2 -E "$SERIAL${1:+|$1}" "${@:2}" && ctest -R "$SERIAL" ${1:+-E "$1"} "${@:2}"; }
phase setup
bash scripts/setup.sh
phase build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
# Browser tests: playwright-core from npm drives Debian's Chromium.
npm ci --prefix tests/e2e --no-audit --no-fund
# Real-data tests read FER2013 from ../shared (unpacked once into a cache).
export MOODTUNE_FER_DIR="$(bash scripts/fer2013.sh)"
phase tests
(cd build && tests "" --output-on-failure --timeout 900)
phase sanitized build
# Sanitizers: the unit and integration suites again, the tree built with
# AddressSanitizer + UndefinedBehaviorSanitizer (any report fails the test;
# the tests run this sanitized binary too) ... At -O0: the instrumented code
# is ours, the heavy lifting (libtorch, OpenCV) is not instrumented, and -O0
# compiles in half the time of -O1.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O0 -g1" \
  -DMOODTUNE_SANITIZE="address;undefined" -DMOODTUNE_BUILD_BENCH=OFF
cmake --build build-asan
# Leaks are checked in the unit tests (and by the fuzzers); the integration
# tests drive cameras, GStreamer and FFmpeg, whose plug-ins leak on exit.
# Left out of the sanitized pass, as they ran in the release pass above: the
# benchmark suite (minutes of timing loops over code the other tests cover)
# and the training runs that spend their time inside libtorch (one resume
# test stays: it exercises the checkpoint code; the SIGKILL twin, 90 s
# under ASan, runs the same code after a kill, and so does the run carried
# at half precision, whose conversion the unit tests run; the CLI's int8 conversion of
# a trained model, ~45 s of libtorch arithmetic, whose code the unit tests
# run), and the two hostile-client
# tests whose verdicts are memory and latency figures, which ASan's shadow
# memory, quarantine and -O0 change (their code paths run in the other
# Hostile tests here), and the PostgreSQL twins of the two slowest storage
# tests (the full library scan and the concurrent writers, ~140 s under
# ASan): their C++ paths are the SQLite twins' plus the PostgreSQL layer,
# which the other PostgreSQL tests here cover; both twins ran in the
# release pass.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ASAN_SKIP='^(BenchAll\.|Training\.(LossGoesDown|Oversampling|ClassWeights|FineTuning|SigkillMidEpoch|ARunCarried)|Quantize\.TheCliMakes|Hostile\.(DecompressionBombs|EverythingAtOnce)|Backends/(Library\.ScansTheDefaultCollection|MusicCli\.ConcurrentWriters).*/postgresql)'
phase sanitized tests
(cd build-asan && ctest -j2 -L unit --output-on-failure --timeout 1200)
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 tests "$ASAN_SKIP" -L integration --output-on-failure --timeout 1200)
# ... and the state threads share (sessions, metrics, tracker, the catalog
# pool, concurrent writers on both stores) under ThreadSanitizer.
phase thread sanitizer
cmake -S sanitize -B build-san-thread -G Ninja -DMOODTUNE_SANITIZE=thread
cmake --build build-san-thread
(cd build-san-thread && ctest --output-on-failure --timeout 600)
# Fuzzing: every parser of outside input under ASan + UBSan (clang), with a
# fixed seed and input count so the gate is reproducible (fuzz/run.sh).
phase fuzzing
cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-fuzz
bash fuzz/run.sh build-fuzz "${MOODTUNE_FUZZ_MODE:-ci}"
phase done
