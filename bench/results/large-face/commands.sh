#!/usr/bin/env bash
# The large-face pass (DetectorParams::large_face) on and off, 2026-12-05,
# 2 cores, the background training run paused; two rounds
# (rROUND-largeN[-ck].json). CKFRAME is a CK+ dev frame (not committed).
set -euo pipefail
IMG=~/.cache/moodtune/ckplus/ckplus-dev/sequences/angry_S113_008/S113_008_00000023.jpg
for r in 1 2; do
  for lf in 0 240; do
    for im in "" "--image $IMG"; do
      build/moodtune bench pipeline --model models/default-int8.mtm $im --large-face $lf --reps 200 --detector haar \
        --json bench/results/large-face/r$r-large$lf${im:+-ck}.json
    done
  done
done
# CK+ dev accuracy, pass off and on:
build/moodtune-dev calibration --ckplus ~/.cache/moodtune/ckplus/ckplus-dev --model models/default.mtm \
  --fer ~/.cache/moodtune/fer2013 --large-face 0
build/moodtune-dev calibration --ckplus ~/.cache/moodtune/ckplus/ckplus-dev --model models/default.mtm \
  --fer ~/.cache/moodtune/fer2013
