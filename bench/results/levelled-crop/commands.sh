#!/usr/bin/env bash
# The levelled crop's cost through the real pipeline (2026-12-05, 2 cores, the
# background training run paused): the shipped model and its int8 copy, each
# as shipped and as a copy that levels at inference, on the bench's default
# frame (a FER2013 val face in a 640x480 frame) and on a CK+ frame; two
# rounds (bpa-ROUND-MODEL[-ck].json).
set -euo pipefail
IMG=~/.cache/moodtune/ckplus/ckplus-dev/sequences/angry_S113_008/S113_008_00000023.jpg
build/moodtune-dev alignment --model models/default.mtm --levelled-copy /tmp/default-level.mtm
build/moodtune-dev alignment --model models/default-int8.mtm --levelled-copy /tmp/int8-level.mtm
for r in 1 2; do
  for m in models/default-int8.mtm /tmp/int8-level.mtm models/default.mtm /tmp/default-level.mtm; do
    for im in "" "--image $IMG"; do
      build/moodtune bench pipeline --model $m $im --reps 200 --detector haar \
        --json bench/results/levelled-crop/bpa-$r-$(basename $m .mtm)${im:+-ck}.json
    done
  done
done
