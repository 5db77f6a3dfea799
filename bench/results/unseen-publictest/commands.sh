#!/usr/bin/env bash
# PublicTest without the 280 faces that are also in FER2013's training split
# (session 25, 2026-12-07). w40-e92.mtm is the width-40 candidate
# (bench/results/candidate-wide40-e100/, not committed).
FER=~/.cache/moodtune/fer2013
build/moodtune evaluate --data $FER/val --model models/default.mtm --unseen-by $FER/train --json default.json > default.txt
build/moodtune evaluate --data $FER/val --model ~/.cache/moodtune/runs/wide40-distill-e100/best.mtm --unseen-by $FER/train \
  --json w40-e92.json > w40-e92.txt
