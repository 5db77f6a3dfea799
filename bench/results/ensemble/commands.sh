#!/usr/bin/env bash
# How the files in this folder were made (2026-12-03, the 2-core machine):
# a second compact model (seed 2), then each of it alone and the ensemble
# "shipped model + it" on FER2013 PublicTest, plain and with TTA, and the
# pipeline benchmark for the single model and the ensemble.
set -euo pipefail
cd "$(dirname "$0")/../../.."
OUT=${OUT:-/tmp/ens}
V=~/.cache/moodtune/fer2013/val
M2=~/.cache/moodtune/runs/compact-s2/best.mtm
mkdir -p "$OUT"
[ -f "$M2" ] || nice -n 10 build/moodtune train --data ~/.cache/moodtune/fer2013 \
  --out ~/.cache/moodtune/runs/compact-s2 --epochs 26 --lr 0.05 --seed 2
for tta in "" "--tta"; do
  n=$([ -z "$tta" ] && echo plain || echo tta)
  build/moodtune evaluate --data $V --model $M2 $tta --json $OUT/s2_$n.json > $OUT/s2_$n.txt 2>&1
  build/moodtune evaluate --data $V --model models/default.mtm,$M2 $tta --json $OUT/ens_$n.json > $OUT/ens_$n.txt 2>&1
done
build/moodtune bench pipeline --reps 200 --json $OUT/pipe_single.json > $OUT/pipe_single.txt 2>&1
build/moodtune bench pipeline --reps 200 --model models/default.mtm,$M2 --json $OUT/pipe_ens.json > $OUT/pipe_ens.txt 2>&1
