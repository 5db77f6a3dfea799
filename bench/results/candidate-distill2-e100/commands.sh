# The second-generation distilled student (run folder RUN =
# ~/.cache/moodtune/runs/compact-distill2-e100, best epoch 95), measured
# 2026-12-06 (session 20) on 2 cores with nothing else running. Not adopted
# (docs/training.md, "Second generation").
bash scripts/measure-model.sh RUN/best.mtm OUT   # every file here but the next
build/moodtune evaluate --data ~/.cache/moodtune/fer2013/val --model models/default.mtm,RUN/best.mtm \
    --json ensemble_with_default_val.json         # the two generations as an ensemble: 69.41%
