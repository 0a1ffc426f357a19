#!/usr/bin/env python3
"""Table of HitRate@10 / NDCG@10 per method × D × seed from the files
(results-<tag>-d<D>-s<seed>.csv) that run.sh copies out of each `coembed compare --holdout` report (the popularity and EASE
reference rows included), with mean ± sample standard deviation over the seeds and whether each
method beat popularity on every seed. Usage: summarize.py FOLDER [PREFIX]"""
import csv, glob, os, re, statistics, sys

folder = sys.argv[1]
prefix = sys.argv[2] if len(sys.argv) > 2 else "results"
# Runs with a setting that is today's default under its old label: the in-batch rows at
# temperature=0.2 (runs made before 0.2 became the default; the same settings as plain `in-batch`).
DEFAULT_ALIASES = {"in-batch (temperature=0.2)": "in-batch"}
runs = {}  # (dim, label) -> {seed: (hit, ndcg, seconds)}
paths = sorted(glob.glob(os.path.join(folder, f"{prefix}-*d*-s*.csv")))
if prefix == "results":
    paths += sorted(glob.glob(os.path.join(folder, "tune*-d*-s*.csv")))
for path in paths:
    # In the main table a tuning file contributes only its runs at today's defaults.
    tuning = prefix == "results" and os.path.basename(path).startswith("tune")
    m = re.search(r"-d(\d+)-s(\d+)\.csv$", path)
    dim, seed = int(m.group(1)), int(m.group(2))
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            hit = row.get("HitRate@10", "")
            if hit in ("", "n/a"):
                continue
            label = row["solver"].replace(" (reference)", "")
            if tuning and label not in DEFAULT_ALIASES:
                continue
            if prefix == "results":
                label = DEFAULT_ALIASES.get(label, label)
            if row.get("termination") == "interrupted":
                continue
            seconds = row.get("seconds", "")
            try:
                seconds = float(seconds)
            except ValueError:
                seconds = None
            runs.setdefault((dim, label), {})[seed] = (float(hit), float(row["NDCG@10"]), seconds)

def fmt(values):
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"

dims = sorted({d for d, _ in runs})
seeds = sorted({s for v in runs.values() for s in v})
print("| D | method | " + " | ".join(f"HitRate@10 seed {s}" for s in seeds)
      + " | HitRate@10 mean ± sd | NDCG@10 mean ± sd | seconds (median) | > popularity on every seed |")
print("|" + "---|" * (len(seeds) + 6))
for dim in dims:
    popularity = runs.get((dim, "popularity"), {})
    labels = sorted((l for d, l in runs if d == dim), key=lambda l: (l in ("popularity",) or l.startswith("EASE"), l))
    for label in labels:
        per_seed = runs[(dim, label)]
        hits = [per_seed[s][0] for s in seeds if s in per_seed]
        ndcgs = [per_seed[s][1] for s in seeds if s in per_seed]
        secs = [per_seed[s][2] for s in seeds if s in per_seed and per_seed[s][2] is not None]
        cells = [f"{per_seed[s][0]:.3f}" if s in per_seed else "—" for s in seeds]
        if label == "popularity" or label.startswith("EASE"):
            beats = "(reference)"
        else:
            beats = "yes" if all(s in popularity and per_seed[s][0] > popularity[s][0] for s in per_seed) else "**no**"
        seconds = f"{statistics.median(secs):.1f}" if secs else "—"
        print(f"| {dim} | {label} | " + " | ".join(cells) + f" | {fmt(hits)} | {fmt(ndcgs)} | {seconds} | {beats} |")
