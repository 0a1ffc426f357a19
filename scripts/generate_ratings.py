#!/usr/bin/env python3
"""A seeded synthetic MovieLens-layout ratings.csv for load benchmarks (docs/performance.md).

User activity is log-normal (sigma 1.2), item popularity proportional to (rank + 10)^-0.9, ratings
uniform on 0.5..5 in steps of 0.5, timestamps uniform. Rows are grouped by user as in MovieLens.
Not the project's workload generator (that is `coembed generate`); this only makes big text.

    python3 scripts/generate_ratings.py --lines 50000000 --users 500000 --items 1000000 \
        --seed 1 --output /tmp/ratings-50M.csv
"""
import argparse

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, required=True)
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--items", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--output", required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    activity = rng.lognormal(0.0, 1.2, a.users)
    per_user = np.maximum(1, np.floor(activity / activity.sum() * a.lines)).astype(np.int64)
    per_user[: a.lines - per_user.sum()] += 1 if a.lines > per_user.sum() else 0
    while per_user.sum() > a.lines:
        per_user[np.argmax(per_user)] -= per_user.sum() - a.lines
    popularity = (np.arange(a.items) + 10.0) ** -0.9
    cumulative = np.cumsum(popularity / popularity.sum())
    item_ids = rng.permutation(a.items) + 1
    user_of_row = np.repeat(np.arange(1, a.users + 1), per_user)
    with open(a.output, "w") as out:
        out.write("userId,movieId,rating,timestamp\n")
        block = 1_000_000
        for start in range(0, a.lines, block):
            n = min(block, a.lines - start)
            users = user_of_row[start:start + n]
            items = item_ids[np.minimum(np.searchsorted(cumulative, rng.random(n)), a.items - 1)]
            ratings = rng.integers(1, 11, n) / 2
            stamps = rng.integers(800_000_000, 1_700_000_000, n)
            out.write("\n".join(map("{},{},{:g},{}".format, users.tolist(), items.tolist(), ratings.tolist(), stamps.tolist())))
            out.write("\n")


if __name__ == "__main__":
    main()
