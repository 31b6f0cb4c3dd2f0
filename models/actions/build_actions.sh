#!/bin/sh
# Rebuilds the action model (MARS) of the default pack from nothing: generate the action-clip datasets with the
# world generator, train the flow stream, the RGB-only baseline and MARS, evaluate them on a held-out seed,
# export ONNX (models/default/action.onnx + the manifest's `action` section, models/action-baselines/*.onnx),
# measure them in onnxruntime-node, write models/default/action-metrics.json and the model card's section.
# Run from the repository root:
#
#   sh models/actions/build_actions.sh [WORK_DIR]      (default WORK_DIR: /work/data-actions, outside the repo)
#
# Environment knobs (defaults = what made the committed model): TRAIN_SEED TEST_SEED TRAIN_VIDEOS TEST_VIDEOS
# FRAMES FLOW_ITERS FLOW_MIN RGB_ITERS RGB_MIN MARS_MIN. MARS runs exactly the iterations the RGB stage ran.
# Each training stage resumes from its checkpoint in WORK_DIR/run (delete that folder to start over).
set -eu
WORK=${1:-/work/data-actions}
PY=${PYTHON:-/usr/bin/python3}
TRAIN_SEED=${TRAIN_SEED:-1000}
TEST_SEED=${TEST_SEED:-7777}
TRAIN_VIDEOS=${TRAIN_VIDEOS:-160}
TEST_VIDEOS=${TEST_VIDEOS:-40}
FRAMES=${FRAMES:-200}
FLOW_ITERS=${FLOW_ITERS:-2000}
FLOW_MIN=${FLOW_MIN:-15}
RGB_ITERS=${RGB_ITERS:-1500}
RGB_MIN=${RGB_MIN:-10}
MARS_MIN=${MARS_MIN:-14}
RUN=$WORK/run
A=models/actions
mkdir -p "$RUN"
[ -f "$RUN/started" ] || date -u +%s > "$RUN/started"

gen() { # dir seed videos
  [ -f "$1/index.json" ] || npx tsx electron/core/world/action-clips-cli.ts --out "$1" --seed "$2" --videos "$3" \
    --frames "$FRAMES" --width 160 --height 96 --clip-length 8 --window-stride 2 --difficulty normal --force
}
gen "$WORK/train" "$TRAIN_SEED" "$TRAIN_VIDEOS"
gen "$WORK/test" "$TEST_SEED" "$TEST_VIDEOS"

cd "$A"
train() { nice -n 5 $PY train_actions.py --data "$WORK/train" --work "$RUN" --watch "$WORK/test" "$@"; }
train --stage flow --iters "$FLOW_ITERS" --minutes "$FLOW_MIN" --seed 1
train --stage rgb --iters "$RGB_ITERS" --minutes "$RGB_MIN" --seed 2
train --stage mars --match rgb --minutes "$MARS_MIN" --seed 2 --alpha 50  # same seed: same init, batches, flips
$PY evaluate_actions.py --data "$WORK/test" --work "$RUN" --out "$RUN/eval.json"
$PY export_actions.py --work "$RUN" --data "$WORK/test" --pack ../default --baselines ../action-baselines
cd ../..
npx tsx test/bench/actions.bench.ts --json "$RUN/bench.json"
date -u +%s > "$RUN/finished"
$PY $A/write_action_card.py --run "$RUN" --train "$WORK/train" --test "$WORK/test" --metrics models/default/action-metrics.json \
  --card models/default/MODEL_CARD.md
