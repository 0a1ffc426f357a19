"""Gensim's Word2Vec (skip-gram, negative sampling) on the same liked-movie sets as Coembed's sgns.

Where gensim is installed (`pip install gensim`), trains on each user's liked movies of the same
seeded hold-out split Coembed uses (window covering the whole set, no window shrinking, the same
K, α and D), reports training throughput (positive pairs per second) and evaluates HitRate@10 and
NDCG@10 with `coembed evaluate --holdout`, so the two libraries are compared on equal terms.

With `--coembed-share` (a list of `--share-negatives` values, 0 = per-pair updates) it also runs
`coembed solve --solver sgns --pairs all` with the same settings and prints one side-by-side table.
`--output average --similarity cosine` evaluates gensim's (wv + syn1neg)/2 with cosine scoring,
Coembed's `--sampled-output average --similarity cosine`; `--alpha 0` is uniform noise in both.

Run from the project root after `make release`:
    python3 experiments/sampled/gensim_compare.py [--epochs 10] [--dim 300]
    python3 experiments/sampled/gensim_compare.py --alpha 0 --output average --similarity cosine \
        --coembed-share 0 8
"""
import argparse, csv, os, re, statistics, subprocess, sys, tempfile, time

import numpy as np

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ratings", default="data/ml-latest-small/ratings.csv")
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--negatives", type=int, default=5)
    ap.add_argument("--alpha", type=float, default=0.75)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--output", choices=["input", "average"], default="input",
                    help="embedding evaluated: wv (input) or (wv + syn1neg)/2 (average)")
    ap.add_argument("--similarity", choices=["dot", "cosine"], default="dot")
    ap.add_argument("--coembed", default=".build/release/coembed")
    ap.add_argument("--coembed-share", type=int, nargs="*", default=[],
                    help="also run coembed sgns --pairs all with these --share-negatives values (0 = per-pair)")
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
    version = __import__('gensim').__version__
    print(f"gensim {version}: {args.epochs} epochs, {pairs} positive pairs in {seconds:.2f} s "
          f"= {pairs / seconds:,.0f} pairs/s ({pairs * (1 + args.negatives) / seconds:,.0f} incl. negatives)")

    V = np.zeros((len(items), args.dim))
    for row, m in enumerate(items):
        if str(m) in model.wv:
            key = model.wv.key_to_index[str(m)]
            V[row] = model.wv.vectors[key]
            if args.output == "average":
                V[row] = 0.5 * (V[row] + model.syn1neg[key])
    path = os.path.join(tmp, "gensim.npy")
    np.save(path, V)
    out = subprocess.run([args.coembed, "evaluate", "--ratings", args.ratings, "--embedding", path,
                          "--holdout", "--seed", str(args.seed), "-k", "10", "--similarity", args.similarity],
                         check=True, capture_output=True, text=True).stdout
    print(out, end="")
    rows = [(f"gensim {version} (2 workers)", pairs / seconds, pairs * (1 + args.negatives) / seconds, quality(out))]

    for share in args.coembed_share:
        trace = os.path.join(tmp, f"coembed{share}.csv")
        cmd = [args.coembed, "solve", "--ratings", args.ratings, "--solver", "sgns", "--dim", str(args.dim),
               "--pairs", "all", "--epochs", str(args.epochs), "--negatives", str(args.negatives),
               "--noise-power", str(args.alpha), "--sampled-output", args.output, "--similarity", args.similarity,
               "--share-negatives", str(share), "--seed", str(args.seed), "--holdout", "--quiet", "--trace", trace,
               "--output", os.path.join(tmp, f"coembed{share}.npy")]
        print(" ".join(cmd))
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        print(out, end="")
        steps = [r for r in csv.DictReader(open(trace)) if r["pairsPerSecond"]]
        pps = statistics.median(float(r["pairsPerSecond"]) for r in steps)
        sps = statistics.median(float(r["scoredPairsPerSecond"]) for r in steps)
        name = "per-pair" if share == 0 else f"--share-negatives {share}"
        rows.append((f"Coembed sgns {name} (2 threads, median epoch)", pps, sps, quality(out)))

    print(f"\nK = {args.negatives}, α = {args.alpha}, D = {args.dim}, {args.epochs} epochs, "
          f"output {args.output}, similarity {args.similarity}\n")
    print("| | positive pairs/s | incl. negatives | HitRate@10 | NDCG@10 |\n| --- | --: | --: | --: | --: |")
    for name, pps, sps, (hr, ndcg) in rows:
        print(f"| {name} | {pps:,.0f} | {sps:,.0f} | {hr} | {ndcg} |")


def quality(text):
    """(HitRate@10, NDCG@10) from coembed's output."""
    hr = re.search(r"HitRate@10=([0-9.]+)", text)
    ndcg = re.search(r"NDCG@10=([0-9.]+)", text)
    return (hr.group(1) if hr else "?", ndcg.group(1) if ndcg else "?")

if __name__ == "__main__":
    main()
