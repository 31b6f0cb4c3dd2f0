#!/bin/sh
# Rebuilds the default DFF pack from nothing: generate the world datasets, train (per-frame, flow, DFF end to
# end, the task head with context on the frozen DFF networks, all three again with a half per-frame mix), export ONNX + manifest, evaluate on a held-out seed, measure CPU costs in onnxruntime-node, write the
# model card. Run from the repository root:
#
#   sh models/training/build_pack.sh [WORK_DIR]      (default WORK_DIR: /work/data-world, outside the repo)
#
# Environment knobs (defaults = what made the committed pack): TRAIN_SEED TEST_SEED TRAIN_CLIPS TEST_CLIPS
# FRAMES PERFRAME_MIN FLOW_MIN DFF_MIN HEAD_MIN TUNE_MIN; FFMPEG (default: /usr/bin/ffmpeg, else the npm package's). Each training stage resumes from its checkpoint in WORK_DIR/run.
set -eu
WORK=${1:-/work/data-world}
PY=${PYTHON:-/usr/bin/python3}
TRAIN_SEED=${TRAIN_SEED:-1000}
TEST_SEED=${TEST_SEED:-7777}
TRAIN_CLIPS=${TRAIN_CLIPS:-160}
TEST_CLIPS=${TEST_CLIPS:-12}
FRAMES=${FRAMES:-40}
PERFRAME_MIN=${PERFRAME_MIN:-48}
FLOW_MIN=${FLOW_MIN:-4}
DFF_MIN=${DFF_MIN:-25}
HEAD_MIN=${HEAD_MIN:-50}
TUNE_MIN=${TUNE_MIN:-105}
if [ -z "${FFMPEG:-}" ]; then
  if [ -x /usr/bin/ffmpeg ]; then FFMPEG=/usr/bin/ffmpeg; else FFMPEG=$(pwd)/node_modules/@ffmpeg-installer/linux-x64/ffmpeg; fi
fi
export FFMPEG  # world_data.py decodes the videos with it
OUT=models/default
MIDDLEBURY=${MIDDLEBURY:-$(cd .. && pwd)/shared/data/flow}  # real pairs, reported when present
RUN=$WORK/run
T=models/training
mkdir -p "$RUN"
date -u +%s > "$RUN/started"

gen() { # dir seed clips
  [ -f "$1/dataset.json" ] || npx tsx electron/core/world/cli.ts --out "$1" --seed "$2" --clips "$3" \
    --frames "$FRAMES" --width 320 --height 192 --flow-scale 4 --force
}
gen "$WORK/train" "$TRAIN_SEED" "$TRAIN_CLIPS"
gen "$WORK/test" "$TEST_SEED" "$TEST_CLIPS"

cd "$T"
$PY train.py --data "$WORK/train" --work "$RUN" --stage perframe --iters 6000 --minutes "$PERFRAME_MIN" --seed 1
$PY train.py --data "$WORK/train" --work "$RUN" --stage flow --iters 3000 --batch 32 --minutes "$FLOW_MIN" --seed 2
$PY train.py --data "$WORK/train" --work "$RUN" --stage dff --iters 4000 --minutes "$DFF_MIN" --seed 3
$PY train.py --data "$WORK/train" --work "$RUN" --stage head --iters 14000 --minutes "$HEAD_MIN" --seed 4
$PY train.py --data "$WORK/train" --work "$RUN" --stage tune --iters 20000 --minutes "$TUNE_MIN" --seed 5
$PY export_pack.py --work "$RUN" --data "$WORK/test" --out "../../$OUT" --checkpoint tune
$PY evaluate.py --data "$WORK/test" --work "$RUN" --checkpoint tune --middlebury "$MIDDLEBURY" \
  --out "$RUN/eval.json" >/dev/null
cd ../..
npx tsx $T/bench-costs.ts "$OUT" --json "$RUN/costs.json"
date -u +%s > "$RUN/finished"
$PY $T/write_card.py --run "$RUN" --out "$OUT/MODEL_CARD.md"
