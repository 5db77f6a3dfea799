#!/usr/bin/env bash
# Eye-line levelling at inference only, on the distilled models (session 21,
# 2026-12-06; 2 cores, nothing else running). A levelled copy is the same
# weights with the model file's level_eyes flag set, so every face is turned
# level by the 68-point landmark fit before it is classified.
# GEN2 = the second-generation student (~/.cache/moodtune/runs/compact-distill2-e100/best.mtm).
set -euo pipefail
moodtune-dev alignment --model models/default.mtm --levelled-copy def-lvl.mtm
moodtune-dev alignment --model "$GEN2" --levelled-copy gen2-lvl.mtm
V=~/.cache/moodtune/fer2013/val
moodtune evaluate --model def-lvl.mtm --data $V --json default-levelled.json                 # 68.51% (unlevelled 69.04%)
moodtune evaluate --model gen2-lvl.mtm --data $V --json distill2-levelled.json               # 68.79% (68.99%)
moodtune evaluate --model def-lvl.mtm,gen2-lvl.mtm --data $V --json ensemble-levelled.json   # 69.13% (69.41%)
