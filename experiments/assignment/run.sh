#!/usr/bin/env bash
# Reproduces the assignment's deliverable (ml-latest-small → a 9724 × 300 movie embedding) and the
# solver comparison. Run from the project root:  bash experiments/assignment/run.sh
# Writes everything to out/assignment/ and copies the small files (report.md, results.csv,
# convergence.svg) into experiments/assignment/results/ for readers who do not run anything.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_SOLVER="${SECONDS_PER_SOLVER:-60}"
make release
# No --solvers: compare's default is every registered masked-loss method (eigen, impute, gd, adam,
# lbfgs, newton).
.build/release/coembed compare --dim 300 \
  --time-limit "$SECONDS_PER_SOLVER" --max-iterations 100000 --seed 0 --report out/assignment --force
mkdir -p experiments/assignment/results
cp out/assignment/report.md out/assignment/results.csv out/assignment/results.tex out/assignment/convergence.svg \
   experiments/assignment/results/
echo "deliverable: out/assignment/embedding.npy (+ out/assignment/items.csv)"
