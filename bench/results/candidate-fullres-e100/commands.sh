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
