#!/usr/bin/env bash
# Keeps every finished epoch's weights of a running `moodtune train` run in
# RUN/snapshots/, for weight averaging afterwards (`moodtune-dev average`,
# docs/training.md "Weight averaging"). The trainer keeps only its latest
# epoch; this hard-links each new checkpoint/epoch-N.model.pt before the
# next one replaces it (no copy: the file is complete under its name, and
# the link keeps it when the trainer deletes its own). Stops when no
# process trains into RUN any more. Start it beside the run:
#
#   setsid nohup bash scripts/keep-snapshots.sh RUN_DIR > /dev/null 2>&1 &
set -euo pipefail
run=${1:?usage: $0 RUN_DIR}
run=$(realpath "$run")
mkdir -p "$run/snapshots"
pattern=$(printf '%s' "$run" | sed 's/[][\.*^$+?(){}|]/\\&/g')  # the path literally
while pgrep -f -- "--out $pattern( |\$)" > /dev/null; do
  for f in "$run"/checkpoint/epoch-*.model.pt; do
    [ -e "$f" ] || continue
    [ -e "$run/snapshots/$(basename "$f")" ] || ln "$f" "$run/snapshots/" 2> /dev/null || true
  done
  sleep 15
done
