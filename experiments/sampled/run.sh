#!/usr/bin/env bash
# Recommendation quality of every solver on a seeded hold-out of ml-latest-small, with the
# popularity and EASE reference rows. Run from the project root:  bash experiments/sampled/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_SOLVER="${SECONDS_PER_SOLVER:-30}"
make release
.build/release/coembed compare --solvers eigen,impute,lbfgs,sgns,sampled-softmax,in-batch --no-random-baseline \
  --dim 300 --time-limit "$SECONDS_PER_SOLVER" --max-iterations 100000 --epochs 10 --seed 0 \
  --holdout -k 10 --report out/quality
mkdir -p experiments/sampled/results
cp out/quality/report.md out/quality/results.csv experiments/sampled/results/
