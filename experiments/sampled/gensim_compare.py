"""Gensim's Word2Vec (skip-gram, negative sampling) on the same liked-movie sets as Coembed's sgns.

Where gensim is installed (`pip install gensim`), trains on each user's liked movies of the same
seeded hold-out split Coembed uses (window covering the whole set, no window shrinking, the same
K, α and D), reports training throughput (positive pairs per second) and evaluates HitRate@10 and
NDCG@10 with `coembed evaluate --holdout`, so the two libraries are compared on equal terms.

Run from the project root after `make release`:
    python3 experiments/sampled/gensim_compare.py [--epochs 10] [--dim 300]
"""
import argparse, csv, os, subprocess, sys, tempfile, time

import numpy as np

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ratings", default="data/ml-latest-small/ratings.csv")
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--negatives", type=int, default=5)
    ap.add_argument("--alpha", type=float, default=0.75)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--coembed", default=".build/release/coembed")
    args = ap.parse_args()
    try:
        from gensim.models import Word2Vec
    except ImportError:
        sys.exit("gensim is not installed: pip install gensim")

    tmp = tempfile.mkdtemp()
    heldout_file = os.path.join(tmp, "heldout.csv")
    subprocess.run([args.coembed, "holdout", "--ratings", args.ratings, "--seed", str(args.seed),
                    "--output", heldout_file], check=True)
    heldout = {(int(r["userId"]), int(r["movieId"])) for r in csv.DictReader(open(heldout_file))}
    items, likes = set(), {}
    for r in csv.DictReader(open(args.ratings)):
        u, m = int(r["userId"]), int(r["movieId"])
        items.add(m)
        if float(r["rating"]) >= 4.0 and (u, m) not in heldout:
            likes.setdefault(u, set()).add(m)
    items = sorted(items)
    sentences = [[str(m) for m in sorted(s)] for _, s in sorted(likes.items()) if len(s) >= 2]
    window = max(len(s) for s in sentences)
    pairs_per_epoch = sum(len(s) * (len(s) - 1) for s in sentences)

    model = Word2Vec(vector_size=args.dim, window=window, shrink_windows=False, sg=1, hs=0,
                     negative=args.negatives, ns_exponent=args.alpha, min_count=1, sample=0,
                     workers=2, seed=args.seed)
    model.build_vocab(sentences)
    t0 = time.perf_counter()
    model.train(sentences, total_examples=len(sentences), epochs=args.epochs)
    seconds = time.perf_counter() - t0
    pairs = pairs_per_epoch * args.epochs
    print(f"gensim {__import__('gensim').__version__}: {args.epochs} epochs, {pairs} positive pairs in {seconds:.2f} s "
          f"= {pairs / seconds:,.0f} pairs/s ({pairs * (1 + args.negatives) / seconds:,.0f} incl. negatives)")

    V = np.zeros((len(items), args.dim))
    for row, m in enumerate(items):
        if str(m) in model.wv:
            V[row] = model.wv[str(m)]
    path = os.path.join(tmp, "gensim.npy")
    np.save(path, V)
    subprocess.run([args.coembed, "evaluate", "--ratings", args.ratings, "--embedding", path,
                    "--holdout", "--seed", str(args.seed), "-k", "10"], check=True)

if __name__ == "__main__":
    main()
