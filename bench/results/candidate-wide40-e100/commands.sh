#!/usr/bin/env bash
# How the figures in this folder were made (session 25, 2026-12-07).
# RUN=~/.cache/moodtune/runs/wide40-distill-e100, trained with the command in
# docs/training.md ("A wider student"); run_report.md and metrics.csv are the
# run's own report (best epoch 92) and per-epoch metrics.
RUN=~/.cache/moodtune/runs/wide40-distill-e100
FER=~/.cache/moodtune/fer2013
# PublicTest plain (val.*) and TTA, CK+ dev, the int8 copy (not committed), per-frame times:
bash scripts/measure-model.sh $RUN/best.mtm /tmp/measure-w40   # then copied here, int8.mtm left out
# ensembles (PublicTest, plain)
build/moodtune evaluate --data $FER/val --model $RUN/best.mtm,models/default.mtm \
  --json ensemble_with_default_val.json > ensemble_with_default_val.txt
build/moodtune evaluate --data $FER/val --model $RUN/best.mtm,models/fullres-e100.mtm \
  --json ensemble_with_fullres_val.json > ensemble_with_fullres_val.txt
build/moodtune evaluate --data $FER/val --model $RUN/best.mtm,models/fullres-e100.mtm,models/default.mtm \
  --json ensemble_of_three_val.json > ensemble_of_three_val.txt
# post-hoc logit adjustment by the run's recorded class prior
for T in 0.1 0.25 0.5; do
  build/moodtune rebalance --model $RUN/best.mtm --out /tmp/w40-r$T.mtm --strength $T
  build/moodtune evaluate --data $FER/val --model /tmp/w40-r$T.mtm --json rebalanced_$T.json > rebalanced_$T.txt
done
# Added in session 26: the candidate against the default face by face (95% bootstrap
# intervals, McNemar's test), on all of PublicTest and on the faces not in training
# (the JSON names /work/ens/w40-e92.mtm, a copy of $RUN/best.mtm)
build/moodtune evaluate --data $FER/val --model $RUN/best.mtm --against models/default.mtm \
  --json paired_vs_default.json > paired_vs_default.txt
build/moodtune evaluate --data $FER/val --unseen-by $FER/train --model $RUN/best.mtm --against models/default.mtm \
  --json paired_vs_default_unseen.json > paired_vs_default_unseen.txt
# ... and on CK+ dev (only the comparison part of the output and JSON kept)
build/moodtune-dev calibration --ckplus ~/.cache/moodtune/ckplus/ckplus-dev --model $RUN/best.mtm --fer $FER \
  --against models/default.mtm --json /tmp/ck.json   # against: ckplus_paired_vs_default.*
