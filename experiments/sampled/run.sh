#!/usr/bin/env bash
# Recommendation quality of every solver on a seeded hold-out of ml-latest-small, with the
# popularity and EASE reference rows. Each sampled method appears twice: with the word2vec preset
# and with its defaults, the settings that keep item popularity in a single reported table (see the
# README beside this script for why). Run from the project root:  bash experiments/sampled/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
make release
SOLVERS="eigen,eigen:similarity=cosine,impute:time-limit=30,lbfgs:time-limit=30"
# Each sampled method with word2vec's settings (--preset word2vec, dot scoring) and with its defaults.
SOLVERS+=",sgns:preset=word2vec:similarity=dot,sgns"
SOLVERS+=",sampled-softmax:preset=word2vec,sampled-softmax"
SOLVERS+=",in-batch:preset=word2vec,in-batch"
.build/release/coembed compare --solvers "$SOLVERS" --no-random-baseline \
  --dim 300 --time-limit 600 --max-iterations 100000 --epochs 10 --seed 0 \
  --holdout -k 10 --report out/quality --force
mkdir -p experiments/sampled/results
cp out/quality/report.md out/quality/results.csv out/quality/results.tex out/quality/convergence.svg experiments/sampled/results/
