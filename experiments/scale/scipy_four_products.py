"""SciPy's four products of one loss + gradient on the same ratings file (issue 9's yardstick).

    python3 experiments/scale/scipy_four_products.py out/scale/synthetic-50000u-100000i-4670000l-s9.csv --dim 64

Times S @ V, S.T @ (S V), V.T @ V and V @ (V.T V) with SciPy's single-threaded sparse kernels and
NumPy's BLAS (the median of --repeats), S as CSR (users × items, every like 1.0, users and items
numbered in order of first appearance as coembed does), V Gaussian items × D. Also prints the
process CPU time per round, so that a run under load can be compared with coembed-bench's own
CPU figures.
"""
import argparse, time
import numpy as np
import scipy.sparse as sp

parser = argparse.ArgumentParser()
parser.add_argument("ratings")
parser.add_argument("--dim", type=int, default=64)
parser.add_argument("--repeats", type=int, default=5)
args = parser.parse_args()

data = np.loadtxt(args.ratings, delimiter=",", skiprows=1, usecols=(0, 1), dtype=np.int64)
_, users = np.unique(data[:, 0], return_inverse=True)
_, items = np.unique(data[:, 1], return_inverse=True)
n, m = users.max() + 1, items.max() + 1
s = sp.csr_matrix((np.ones(len(users)), (users, items)), shape=(n, m))
s.sum_duplicates()
v = np.random.default_rng(9).standard_normal((m, args.dim))

walls, cpus = [], []
for _ in range(args.repeats):
    w0, c0 = time.perf_counter(), time.process_time()
    sv = s @ v
    xv = s.T @ sv
    g = v.T @ v
    vg = v @ g
    walls.append(time.perf_counter() - w0)
    cpus.append(time.process_time() - c0)
print(f"scipy four products (S@V, S.T@(SV), V.T@V, V@(V.T V)) on {n} users x {m} items x {s.nnz} likes, D = {args.dim}: "
      f"median {np.median(walls) * 1e3:.1f} ms wall, {np.median(cpus) * 1e3:.1f} ms CPU (scipy {sp.__name__} "
      f"{__import__('scipy').__version__}, numpy {np.__version__})")
