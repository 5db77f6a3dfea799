#!/usr/bin/env bash
# How the figures in this folder were made (session 22, 2026-12-07).
# RUN=~/.cache/moodtune/runs/fullres-distill-e100, trained with the command in
# docs/training.md ("A full-resolution stem"); run_report.md and metrics.csv are
# the run's own report (best epoch 93) and per-epoch metrics.
RUN=~/.cache/moodtune/runs/fullres-distill-e100
FER=~/.cache/moodtune/fer2013
build/moodtune evaluate --data $FER/val --model models/default.mtm,$RUN/best.mtm \
  --json ensemble_with_default_val.json > ensemble_with_default_val.txt
build/moodtune-dev calibration --ckplus ~/.cache/moodtune/ckplus/ckplus-dev --model $RUN/best.mtm --fer $FER \
  --json ckplus.json > ckplus.txt
# int8 copy (not committed) and the int8 ensemble with the shipped int8 default
build/moodtune quantize --model $RUN/best.mtm --out int8.mtm --calibration $FER/train > quantize.txt
build/moodtune evaluate --data $FER/val --model int8.mtm --json int8_val.json > int8_val.txt
build/moodtune evaluate --data $FER/val --model models/default-int8.mtm,int8.mtm --json ens_int8.json > ens_int8.txt
# per-frame times of the int8 ensemble (classification of both members per face)
build/moodtune bench pipeline --model models/default-int8.mtm,int8.mtm --compare models/default.mtm --compare int8.mtm \
  --reps 100 --json pipeline_ens_int8.json > pipeline_ens_int8.txt
