#!/usr/bin/env bash
# The sampled methods' defaults against the popularity floor (and EASE) on the seeded hold-out of
# the bundled ml-latest-small: seeds 1, 2, 3 at D = 64 and 300, each method with its default
# settings (10 epochs; the time limit is far out of reach, so results do not depend on machine
# load). Run from the project root:  bash experiments/sampled-defaults/run.sh
# SOLVERS and TAG choose what runs (the recorded table ran "sgns,sampled-softmax" with TAG=sgns-ss
# and "in-batch" with TAG=in-batch; one compare with all three gives the same rows).
# The reports go to out/sampled-defaults/; logs and results CSVs to experiments/sampled-defaults/logs/.
set -euo pipefail
cd "$(dirname "$0")/../.."
SOLVERS=${SOLVERS:-sgns,sampled-softmax,in-batch}
TAG=${TAG:-defaults}
DIMS=${DIMS:-"64 300"}
SEEDS=${SEEDS:-"1 2 3"}
LOGS=experiments/sampled-defaults/logs
mkdir -p "$LOGS"
[ -x .build/release/coembed ] || swift build -c release --product coembed
for dim in $DIMS; do
  for seed in $SEEDS; do
    name=$TAG-d$dim-s$seed
    .build/release/coembed compare --solvers "$SOLVERS" --holdout --dim "$dim" --seed "$seed" \
      --time-limit 3600 --no-random-baseline --report "out/sampled-defaults/$name" --force > "$LOGS/$name.log" 2>&1
    cp "out/sampled-defaults/$name/results.csv" "$LOGS/results-$name.csv"
  done
done
python3 experiments/sampled-defaults/summarize.py "$LOGS"
