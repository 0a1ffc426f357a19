#!/usr/bin/env bash
# Recommendation quality of every solver on a seeded hold-out of ml-latest-small, with the
# popularity and EASE reference rows. Each sampled method appears twice: with its word2vec-style
# defaults and with the settings that keep item popularity in a single reported table (see the
# README beside this script for why). Run from the project root:  bash experiments/sampled/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
make release
SOLVERS="eigen,eigen:similarity=cosine,impute:time-limit=30,lbfgs:time-limit=30"
SOLVERS+=",sgns,sgns:pairs=all:noise-power=0:sampled-output=average:similarity=cosine"
SOLVERS+=",sampled-softmax,sampled-softmax:pairs=30:output-bias=false:sampled-output=average"
SOLVERS+=",in-batch,in-batch:sampled-output=average"
.build/release/coembed compare --solvers "$SOLVERS" --no-random-baseline \
  --dim 300 --time-limit 600 --max-iterations 100000 --epochs 10 --seed 0 \
  --holdout -k 10 --report out/quality
mkdir -p experiments/sampled/results
cp out/quality/report.md out/quality/results.csv out/quality/results.tex out/quality/convergence.svg experiments/sampled/results/
