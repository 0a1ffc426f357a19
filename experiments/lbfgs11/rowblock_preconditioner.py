#!/usr/bin/env python3
# L-BFGS (memory 3, Armijo backtracking from the unit step) on the masked loss of ml-latest-small,
# D = 300, from the eigen start, with two initial inverse Hessians H0: the column scaling
# diag(VᵀV)⁻¹ that Coembed uses ("col") and the exact row blocks of the Gauss–Newton Hessian,
# (VᵀV − c·v_i v_iᵀ)⁻¹ by Sherman–Morrison ("sm"). Prints the iterations to 1e-6 of the best
# known loss. Run from the repository root: python3 experiments/lbfgs11/rowblock_preconditioner.py 300
import numpy as np, scipy.sparse as sp, scipy.linalg as sl, sys, time
import csv
r = np.loadtxt('data/ml-latest-small/ratings.csv', delimiter=',', skiprows=1, usecols=(0,1,2))
users = r[:,0].astype(int); movies = r[:,1].astype(int); rating = r[:,2]
mids = np.unique(movies); uids = np.unique(users)
mi = np.searchsorted(mids, movies); ui = np.searchsorted(uids, users)
like = rating >= 4
S = sp.csr_matrix((np.ones(like.sum()), (ui[like], mi[like])), shape=(len(uids), len(mids)))
S.sum_duplicates()
M = S.shape[1]; D = int(sys.argv[1]) if len(sys.argv)>1 else 300
St = S.T.tocsr()
Xdiag = np.asarray(S.multiply(S).sum(axis=0)).ravel()
G = (S @ S.T).toarray()
X2 = (G*G).sum()
def lossgrad(V):
    P = V.T @ V
    XV = St @ (S @ V)
    n = (V*V).sum(1)
    L = (P*P).sum() - 2*(V*XV).sum() + X2 - ((n - Xdiag)**2).sum()
    g = 4*(V @ P - XV) - 4*(n - Xdiag)[:,None]*V
    return L, g
# eigen start via Gram
w, Q = np.linalg.eigh(G)
idx = np.argsort(w)[::-1][:D]; w = w[idx]; Q = Q[:,idx]
U = (S.T @ Q) / np.sqrt(np.maximum(w,1e-300))
V0 = U * np.sqrt(np.maximum(w,0))
best = 40207.6760714893 if D==300 else None
def run(precond, mem=3, iters=80, shift=0.0, c=1.0, label=''):
    V = V0.copy()
    L, g = lossgrad(V)
    lam = (V*V).sum(0)
    def H0(q, Vref):
        r = q / lam
        if precond == 'sm':
            W = Vref / lam
            h = (W*Vref).sum(1)
            coef = c*(W*q).sum(1) / (1 - c*h)
            r = r + W*coef[:,None]
        return r
    Vref = V0
    if precond=='sm':
        h = ((V0/lam)*V0).sum(1); print('leverage max', h.max(), 'mean', h.mean(), '>0.9:', (h>0.9).sum())
    ss=[]; ys=[]; hist=[]
    for k in range(iters):
        gap = (L-best)/best; hist.append(gap)
        if gap < 1e-6: break
        q = g.copy(); al=[]
        for s,y in reversed(list(zip(ss,ys))):
            rho = 1/(s*y).sum(); a = rho*(s*q).sum(); al.append(a); q -= a*y
        r = H0(q, Vref)
        if ss:
            s,y = ss[-1], ys[-1]
            gam = (s*y).sum()/ (y*H0(y,Vref)).sum()
        else: gam = 0.25
        r *= gam
        for (s,y),a in zip(zip(ss,ys), reversed(al)):
            rho = 1/(s*y).sum(); b = rho*(y*r).sum(); r += (a-b)*s
        d = -r; slope = (g*d).sum()
        assert slope < 0
        t = 1.0
        while True:
            Ln, gn = lossgrad(V + t*d)
            if Ln <= L + 1e-4*t*slope: break
            t *= 0.5
        s = t*d; y = gn - g
        if (s*y).sum() > 0:
            ss.append(s); ys.append(y)
            if len(ss) > mem: ss.pop(0); ys.pop(0)
        V = V + s; L, g = Ln, gn
    print(label, precond, 'mem', mem, 'c', c, 'iterations', k, 'gap %.2e'%gap, flush=True)
    return hist
print('start gap', (lossgrad(V0)[0]-best)/best)
for mem in (3,):
    run('col', mem, label='A')
    for c in (1.0, 0.5, 0.8):
        run('sm', mem, c=c, label='B')
# The gap behind the linear rate: for the unmasked problem the column-scaled Hessian has condition
# number λ_D / (λ_D − λ_{D+1}) on the directions that mix eigenvector D with D + 1.
print('lambda_D = %.6f, lambda_D+1 = %.6f, lambda_D/(lambda_D - lambda_D+1) = %.1f' % (w[D-1], np.sort(np.linalg.eigvalsh(G))[::-1][D], w[D-1]/(w[D-1]-np.sort(np.linalg.eigvalsh(G))[::-1][D])))
