#!/usr/bin/env bash
# Carries an unfinished training run from one session (machine) to the next
# as one file at one path, so `moodtune train --resume` continues it there.
#
#   scripts/training-checkpoint.sh save RUN_DIR      # -> models/training-in-progress.tar.xz
#   scripts/training-checkpoint.sh restore RUN_DIR   # unpacks it into RUN_DIR
#   scripts/training-checkpoint.sh drop              # the run has ended: delete the file
#
# The file holds the run's checkpoint/ (weights, optimiser state, state.json),
# metrics, data_stats.json, the log and the exact command (command.txt,
# written by whoever starts the run), xz-compressed: no training data, and
# not best.mtm (a resumed run without it picks its best again from the next
# epoch on). Weights and optimiser state travel at half precision
# (`moodtune-dev checkpoint-precision`, built with the tests: $MOODTUNE_DEV
# or build/moodtune-dev) and are turned back into float on restore: a
# resumed run starts from values rounded by at most 2^-11 of their size,
# and resnet-compact --width 40 (4.3M parameters) packs to ~15 MiB instead
# of 31. A run that has ended (all its epochs done) carries best.mtm and
# state.json instead of the weights and optimiser state: what is left to do
# is measure its result. It refuses to write more than 20 MiB, so the
# repository stays lean.
set -euo pipefail
cd "$(dirname "$0")/.."
file=${MOODTUNE_CARRY_FILE:-models/training-in-progress.tar.xz}  # tests set another
limit=$((20 * 1024 * 1024))
dev=${MOODTUNE_DEV:-build/moodtune-dev}
need_dev() { [ -x "$dev" ] || { echo "$dev not found: build the project with its tests (or set MOODTUNE_DEV)" >&2; exit 1; }; }
case "${1:-}" in
  save)
    run=${2:?RUN_DIR}
    [ -f "$run/checkpoint/state.json" ] || { echo "no finished epoch in $run" >&2; exit 1; }
    # state.json names the one epoch whose files are complete; pack that set.
    # The trainer may finish an epoch meanwhile (new files, then state.json,
    # then the old files deleted): hard links pin the set we read, and a set
    # that vanished before we linked it means "read state.json again".
    tmp=$(mktemp -d "$run/.carry.XXXXXX")  # in the run folder: same file system, so ln works
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/run/checkpoint"
    for try in 1 2 3 4 5; do
      cp "$run/checkpoint/state.json" "$tmp/run/checkpoint/state.json"
      # "EPOCH ENDED": the epoch these files hold, and 1 once all the run's epochs are done.
      read -r epoch ended < <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); d=j["state"]["epochs_done"]; print(d, int(d >= j["params"]["epochs"]))' "$tmp/run/checkpoint/state.json")
      if ln -f "$run/checkpoint/epoch-$epoch.model.pt" "$run/checkpoint/epoch-$epoch.optim.pt" "$tmp/run/checkpoint/" 2> /dev/null; then
        break
      fi
      [ "$try" -lt 5 ] || { echo "epoch $epoch's files keep changing under $run/checkpoint; try again" >&2; exit 1; }
      sleep 2
    done
    # A run that has ended is carried for its result, not to resume: its
    # best model (measured and adopted, or not, next session) replaces the
    # optimiser state, which nothing needs any more.
    if [ "$ended" = 1 ]; then
      [ -f "$run/best.mtm" ] || { echo "$run has ended but holds no best.mtm" >&2; exit 1; }
      rm "$tmp/run/checkpoint/epoch-$epoch.optim.pt" "$tmp/run/checkpoint/epoch-$epoch.model.pt"
      ln -f "$run/best.mtm" "$tmp/run/best.mtm"
      echo "the run has ended (epoch $epoch): carrying best.mtm instead of the optimiser state"
    else
      # Rewritten under new inodes (written aside, renamed): the run's own
      # files, which the links share, stay float.
      need_dev
      "$dev" checkpoint-precision --to half "$tmp/run/checkpoint/epoch-$epoch.model.pt" \
        "$tmp/run/checkpoint/epoch-$epoch.optim.pt" > /dev/null
    fi
    for f in metrics.csv metrics.jsonl data_stats.json train.log command.txt; do
      [ -f "$run/$f" ] && cp "$run/$f" "$tmp/run/"
    done
    tar cJf "$file.tmp" -C "$tmp" run
    size=$(stat -c %s "$file.tmp")
    if [ "$size" -gt "$limit" ]; then
      rm -f "$file.tmp"
      echo "checkpoint is $((size / 1024)) KiB, over the 20 MiB a committed file may take; not saved" >&2
      exit 1
    fi
    mv "$file.tmp" "$file"
    echo "saved epoch $epoch of $run to $file ($(du -h "$file" | cut -f1))"
    ;;
  restore)
    run=${2:?RUN_DIR}
    [ -f "$file" ] || { echo "no $file" >&2; exit 1; }
    mkdir -p "$run"
    if tar tJf "$file" | grep -q '\.optim\.pt$'; then need_dev; fi
    tar xJf "$file" -C "$run" --strip-components=1
    if compgen -G "$run/checkpoint/epoch-*.optim.pt" > /dev/null; then
      "$dev" checkpoint-precision --to float "$run"/checkpoint/epoch-*.pt > /dev/null
      echo "restored $run; continue with the command in $run/command.txt plus --resume"
    else
      echo "restored $run: the run had ended; measure $run/best.mtm (scripts/measure-model.sh)"
    fi
    ;;
  drop)
    rm -f "$file"
    ;;
  *) echo "usage: $0 save RUN_DIR | restore RUN_DIR | drop" >&2; exit 2 ;;
esac
