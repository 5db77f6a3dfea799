#!/usr/bin/env bash
# Each step of the model's history against the step before it, face by face on
# PublicTest (session 26, 2026-12-07): `evaluate --against` (95% bootstrap
# intervals over faces, McNemar's exact test). B = --model, A = --against.
FER=~/.cache/moodtune/fer2013
RUN=~/.cache/moodtune/runs/wide40-distill-e100
build/moodtune evaluate --data $FER/val --model models/fer-e100.mtm --against models/compact-e30.mtm --json fer-e100-vs-compact-e30.json
build/moodtune evaluate --data $FER/val --model models/default.mtm --against models/fer-e100.mtm --json default-vs-fer-e100.json
build/moodtune evaluate --data $FER/val --model models/default.mtm --against models/compact-e30.mtm --json default-vs-compact-e30.json
build/moodtune evaluate --data $FER/val --model models/fullres-e100.mtm --against models/default.mtm --json fullres-e100-vs-default.json
# the width-40 candidate (not committed; ~/.cache/moodtune/runs/wide40-distill-e100/best.mtm), as in
# ../candidate-wide40-e100/paired_vs_default.json
build/moodtune evaluate --data $FER/val --model $RUN/best.mtm --against models/default.mtm --json wide40-e92-vs-default.json
