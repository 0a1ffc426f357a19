#!/usr/bin/env python3
"""Writes the SciPy sparse fixtures the DataIO tests read (run from this folder).

Made with python3 + numpy + scipy 1.17. The matrices are written out literally in
Tests/DataIOTests/SparseNPZTests.swift, so the tests check values, not just round trips.
"""
import numpy as np
import scipy.io
import scipy.sparse as sp

# Counts: 4 users x 5 items, row 1 empty, item 3 never used.
counts = np.array([[1, 0, 2, 0, 0],
                   [0, 0, 0, 0, 0],
                   [0, 3, 0, 0, 1],
                   [1, 1, 0, 0, 0]], dtype=np.float64)
a = sp.csr_matrix(counts)
sp.save_npz("counts_csr.npz", a, compressed=False)
sp.save_npz("counts_csc.npz", a.tocsc(), compressed=True)
# COO with a duplicate coordinate (summed on load) and an explicit zero (dropped).
coo = sp.coo_matrix((np.array([1.0, 1.0, 1.0, 3.0, 1.0, 1.0, 1.0, 0.0]),
                     (np.array([0, 0, 0, 2, 2, 3, 3, 1]), np.array([0, 2, 2, 1, 4, 0, 1, 1]))), shape=(4, 5))
sp.save_npz("counts_coo.npz", coo, compressed=True)
sp.save_npz("counts_coo_array.npz", sp.coo_array(a), compressed=False)
# Boolean data and int64 indices.
b = sp.csr_matrix(counts > 0)
b.indices = b.indices.astype(np.int64)
b.indptr = b.indptr.astype(np.int64)
sp.save_npz("likes_bool_int64.npz", b, compressed=True)
scipy.io.mmwrite("counts.mtx", sp.coo_matrix(counts.astype(np.int64)))

# Ratings (floats): 3 users x 4 items.
ratings = np.array([[4.5, 0, 3.0, 0],
                    [0, 5.0, 0, 0.5],
                    [4.0, 0, 0, 3.5]])
sp.save_npz("ratings_csr.npz", sp.csr_matrix(ratings), compressed=True)

# A larger random count matrix, compressed, so inflate runs over many deflate blocks; the same
# matrix as Matrix Market for an independent reader.
rng = np.random.default_rng(20261130)
r = sp.random(300, 200, density=0.05, format="csr", random_state=rng,
              data_rvs=lambda n: rng.integers(1, 4, n)).astype(np.float64)
sp.save_npz("random_csr.npz", r, compressed=True)
scipy.io.mmwrite("random.mtx", r.tocoo())

# For the partitioned (MPI) reader: the random matrix as CSC (deflated and stored) and as COO
# with repeated coordinates and explicit zeros; CSC files with a problem late in the entries (in
# a later reader's slice): a negative count after an index outside the shape, and such an index alone.
c = r.tocsc()
sp.save_npz("random_csc.npz", c, compressed=True)
sp.save_npz("random_csc_stored.npz", c, compressed=False)
coo = r.tocoo()
dup = sp.coo_matrix((np.concatenate([coo.data, coo.data[:40], np.zeros(5)]),
                     (np.concatenate([coo.row, coo.row[:40], coo.row[:5]]),
                      np.concatenate([coo.col, coo.col[:40], coo.col[5:10]]))), shape=coo.shape)
sp.save_npz("random_coo.npz", dup, compressed=True)
bad = c.copy()
bad.indices[int(0.3 * bad.nnz)] = 400
bad.data[int(0.7 * bad.nnz)] = -1
sp.save_npz("random_csc_bad_value.npz", bad, compressed=True)
bad = c.copy()
bad.indices[int(0.6 * bad.nnz)] = 300
sp.save_npz("random_csc_bad_index.npz", bad, compressed=False)
# CSR with an index outside the shape early and a fractional count late (the count is reported).
bad = r.copy()
bad.indices[100] = 500
bad.data[2000] = 0.5
sp.save_npz("random_csr_bad.npz", bad, compressed=True)
