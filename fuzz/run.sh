#!/usr/bin/env bash
# Runs every fuzz target from its seed corpus.
# Usage: bash fuzz/run.sh BUILD_DIR [SECONDS|ci]
#   SECONDS (default 60): each target that long with a random seed, for
#                         exploration (nightly, or by hand: 3600).
#   ci:                   a fixed seed and a fixed number of inputs per target
#                         (about 30 s each on the 2-core machine; the inputs
#                         are halved since the gate grew to six targets), so the
#                         gate is reproducible: CI tries exactly the inputs
#                         that were tried before the commit landed.
# A crash leaves crash-* files in BUILD_DIR/artifacts and a non-zero exit;
# turn each into a regression test (see docs/reliability.md).
set -euo pipefail
build=$1
mode=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/artifacts"
declare -A ci_runs=([fuzz_image_decode]=1500000 [fuzz_json_bodies]=250000 [fuzz_csv_import]=10000
                    [fuzz_audio]=4000 [fuzz_model_file]=500000 [fuzz_access]=500000)
status=0
for target in fuzz_image_decode fuzz_json_bodies fuzz_csv_import fuzz_audio fuzz_model_file fuzz_access; do
  [ -x "$build/$target" ] || { echo "skip $target (not built)"; continue; }
  corpus="$build/corpus/$target"
  rm -rf "$corpus" && mkdir -p "$corpus"
  if [ "$mode" = ci ]; then limit=(-seed=1 -runs="${ci_runs[$target]}"); else limit=(-max_total_time="$mode"); fi
  echo "== $target: ${limit[*]}"
  if ! "$build/$target" "${limit[@]}" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 "$corpus" "$here/corpus/$target" \
      2>"$build/$target.log"; then
    echo "!! $target found a problem; see $build/$target.log and $build/artifacts/"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb" "$build/$target.log" | tr -s ' ' | tr '\n' ' '; echo
done
exit $status
