import LinearAlgebra

/// Orthonormal bases of tall blocks held by rows across participants (local rows), from Gram
/// matrices completed by `ItemSums` — the distributed replacements of Householder QR, which
/// would need whole columns. Every factor is computed from the same completed Gram on every
/// participant, so all take the same branches and hold bitwise the same small matrices.
enum DistributedOrthonormalization {
    /// CholeskyQR2 of A given G = AᵀA (completed): nil when a Cholesky factorisation fails or the
    /// first pass leaves A far from orthonormal (A too ill-conditioned for CholeskyQR).
    static func choleskyQR2(_ a: Matrix, gram g: Matrix, sums: ItemSums) -> Matrix? {
        var q = a
        guard (try? RayleighRitzStep.choleskyQRPass(&q, gram: g)) != nil else { return nil }
        let second = RayleighRitzStep.gram(q, sums)
        for j in 0..<q.columns {
            for i in 0..<q.columns where !(abs(second[i, j] - (i == j ? 1 : 0)) <= 0.1) { return nil }
        }
        guard (try? RayleighRitzStep.choleskyQRPass(&q, gram: second)) != nil else { return nil }
        return q
    }

    /// Columns whose scaled Gram eigenvalue falls below this (relative to the largest) are
    /// dependent: their singular values are below 1e-6 of the largest and the Gram no longer
    /// resolves them.
    static let dependenceTolerance = 1e-12

    /// An orthonormal basis of span(A) of its numerical rank k ≤ A.columns: columns scaled to unit
    /// norm (zero columns dropped), eigendecomposition W·Λ·Wᵀ of the completed Gram, Q = A·W_k·Λ_k^(−1/2)
    /// over the eigenvalues above `dependenceTolerance`·λ_max, then CholeskyQR2 to restore
    /// orthogonality to rounding. Unlike CholeskyQR it accepts rank-deficient blocks (where
    /// Householder QR would complete the basis with arbitrary directions, this drops them).
    static func rankRevealingBasis(_ a: Matrix, sums: ItemSums) throws -> Matrix {
        let rows = a.rows, n = a.columns
        let g = RayleighRitzStep.gram(a, sums)
        let norms = g.diagonal.map { $0.squareRoot() }
        guard let largest = norms.max(), largest > 0, largest.isFinite else {
            guard norms.allSatisfy({ $0.isFinite }) else { throw LinearAlgebraError.nonFinite("orthonormal basis: the block has NaN or infinite entries") }
            return Matrix(rows: rows, columns: 0)
        }
        let kept = (0..<n).filter { norms[$0] > RayleighRitzStep.zeroColumnTolerance.squareRoot() * largest }
        var scaledGram = Matrix(rows: kept.count, columns: kept.count)
        for (q, j) in kept.enumerated() {
            for (p, i) in kept.enumerated() { scaledGram[p, q] = (g[i, j] / norms[i]) / norms[j] }
        }
        RayleighRitzStep.symmetrize(&scaledGram)
        let eig = try LAPACK.symmetricEigen(scaledGram) // values descending
        guard let top = eig.values.first, top > 0 else { return Matrix(rows: rows, columns: 0) }
        let rank = eig.values.prefix { $0 > dependenceTolerance * top }.count
        // A·diag(1/‖a_j‖)·W_k·Λ_k^(−1/2): one gemm with the combined small factor.
        var factor = Matrix(rows: n, columns: rank)
        for c in 0..<rank {
            let f = 1 / eig.values[c].squareRoot()
            for (p, i) in kept.enumerated() { factor[i, c] = eig.vectors[p, c] * f / norms[i] }
        }
        let q = BLAS.multiply(a, .none, factor, .none)
        guard let basis = choleskyQR2(q, gram: RayleighRitzStep.gram(q, sums), sums: sums) else {
            throw LinearAlgebraError.lapackFailure(routine: "dpotrf", info: 0,
                                                   reason: "distributed orthonormal basis: CholeskyQR2 failed after the Gram eigendecomposition (rank \(rank) of \(n))")
        }
        return basis
    }
}
