#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) from its seed corpus.
# Usage: bash fuzz/run.sh BUILD_DIR [SECONDS]
# A crash leaves crash-* files in BUILD_DIR/artifacts and a non-zero exit;
# turn each into a regression test (tests/unit/test_fuzz_regressions.cpp).
set -euo pipefail
build=$1
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/artifacts"
status=0
for target in fuzz_image_decode fuzz_json_bodies fuzz_csv_import fuzz_audio fuzz_model_file; do
  [ -x "$build/$target" ] || { echo "skip $target (not built)"; continue; }
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  seeds="$here/corpus/$target"
  echo "== $target: ${secs}s"
  if ! "$build/$target" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) \
      2>"$build/$target.log"; then
    echo "!! $target found a problem; see $build/$target.log and $build/artifacts/"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "$build/$target.log" | tr '\n' ' '; echo
done
exit $status
