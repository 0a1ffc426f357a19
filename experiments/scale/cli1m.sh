#!/bin/bash
# The CLI at 1 M × 128 from a random start: peak RSS of adam, lbfgs and impute (3 iterations each).
cd "$(dirname "$0")/../.."
F=out/scale/synthetic-500000u-1000000i-50000000l-s9.csv
for s in adam lbfgs impute; do
  echo "== $s $(date +%H:%M:%S)"
  /usr/bin/time -f "wall %e s, peak RSS %M kB" .build/release/coembed solve --ratings $F --solver $s --dim 128 --init random --init-scale 0.1 --max-iterations 3 --output /tmp/cli1m-$s.npy 2>&1 | tail -6
done
