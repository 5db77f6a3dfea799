#!/usr/bin/env bash
# Every figure a model card needs, for one candidate model, in one folder:
# PublicTest plain and TTA (per class), lighting, a paired comparison with
# the default (intervals for every difference), PublicTest without the
# faces that repeat training faces, CK+ dev with and without
# calibration (per class and person), its int8 copy's figures, and the
# per-frame times against the current default. Run it before adopting a
# model as models/default.mtm; then copy the figures into
# models/MODEL_CARD.md, docs/edge.md and docs/training.md.
# Usage: bash scripts/measure-model.sh MODEL.mtm OUT_DIR   (build first; ~15 minutes alone)
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 MODEL.mtm OUT_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
model=$(realpath "$1"); out=$2
bin=$here/build/moodtune; dev=$here/build/moodtune-dev
[ -x "$bin" ] && [ -x "$dev" ] || { echo "$0: build first (cmake --build build)" >&2; exit 1; }
fer=$(bash "$here/scripts/fer2013.sh")
mkdir -p "$out"
step() { echo "== [$(( SECONDS / 60 ))m$(( SECONDS % 60 ))s] $*"; }

step "PublicTest, plain, with the lighting table"
"$bin" evaluate --data "$fer/val" --model "$model" --lighting --json "$out/val.json" > "$out/val.txt"
step "PublicTest, face by face against the default (is the difference real?)"
"$bin" evaluate --data "$fer/val" --model "$model" --against "$here/models/default.mtm" \
  --json "$out/paired_vs_default.json" > "$out/paired_vs_default.txt"
step "PublicTest without the 280 faces that repeat training faces"
"$bin" evaluate --data "$fer/val" --model "$model" --unseen-by "$fer/train" --json "$out/val_unseen.json" \
  > "$out/val_unseen.txt"
step "PublicTest, TTA"
"$bin" evaluate --data "$fer/val" --model "$model" --tta --json "$out/val_tta.json" > "$out/val_tta.txt"

ck_tar=$here/../shared/data/ckplus-dev.tar.gz
ck=${MOODTUNE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/moodtune}/ckplus
if [ -f "$ck_tar" ]; then
  [ -d "$ck/ckplus-dev" ] || { mkdir -p "$ck" && tar xzf "$ck_tar" -C "$ck"; }
  step "CK+ dev, with and without calibration"
  "$dev" calibration --ckplus "$ck/ckplus-dev" --model "$model" --fer "$fer" --against "$here/models/default.mtm" \
    --json "$out/ckplus.json" > "$out/ckplus.txt"
else
  echo "$0: $ck_tar not found: CK+ figures skipped" >&2
fi

step "int8 copy, and its figures"
"$bin" quantize --model "$model" --out "$out/int8.mtm" --calibration "$fer/train" > "$out/quantize.txt"
"$bin" evaluate --data "$fer/val" --model "$out/int8.mtm" --lighting --json "$out/int8_val.json" > "$out/int8_val.txt"
"$bin" evaluate --data "$fer/val" --model "$out/int8.mtm" --tta --json "$out/int8_val_tta.json" > "$out/int8_val_tta.txt"

step "per-frame times: the candidate against the default and the int8 copy, in one run"
"$bin" bench pipeline --model "$model" --compare "$here/models/default.mtm" --compare "$out/int8.mtm" \
  --json "$out/pipeline.json" > "$out/pipeline.txt"
step "done: $out"
grep -h "^accuracy" "$out/val.txt" "$out/val_unseen.txt" "$out/val_tta.txt" "$out/int8_val.txt" "$out/int8_val_tta.txt"
