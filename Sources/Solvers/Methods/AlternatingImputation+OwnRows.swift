import LinearAlgebra

/// Alternating imputation with local rows (`ItemSums` distributed): each participant holds V_b,
/// d_b and every M × D array of the inner step by its block's rows only. Y·E is
/// `OwnRowsShiftedOperator` (X·E from the own rows, plus the block's diagonal shift); every Gram
/// matrix of the Rayleigh–Ritz step is completed by `ItemSums`, so the small eigenproblem, the
/// loss comparisons and the stopping decision are bitwise the same on every participant.
extension AlternatingImputation {
    /// Why a local-rows run refuses the exact inner step (checked before any work).
    public static let exactInnerNeedsOneProcess =
        "impute --impute-inner exact needs all rows of V on one process (its eigensolver is not distributed); under mpirun use --impute-inner lobpcg (the default) or subspace"

    /// The block's entries of d − diag(X) (all M of them in one process).
    static func diagonalShift(_ d: [Double], problem: Problem) -> [Double] {
        zip(d, problem.diagonal[problem.heldRows]).map { $0 - $1 }
    }

    /// `refit` with local rows: the subspace step on the own rows, or the distributed fallback.
    func refitOwnRows(shift: [Double], v current: Matrix, context: SolverContext) throws -> Matrix {
        guard inner != .exact else { throw ProblemError.invalidOption(Self.exactInnerNeedsOneProcess) }
        guard let base = context.problem.operator_ as? DistributedGramOperator else {
            throw ProblemError.invalidOption("impute with local rows needs the distributed operator X = SᵀS")
        }
        let y = OwnRowsShiftedOperator(base, addingOwnRows: shift)
        if let out = try RayleighRitzStep.step(y, basis: current, dimension: context.dimension, context: context) {
            return out
        }
        return try rayleighRitzOwnRows(y, basis: current, context: context)
    }

    /// The `lobpcg` refit with local rows: `MomentumRayleighRitzStep` on the own rows (its Grams
    /// completed by `ItemSums`), or the distributed two-block fallback without a direction.
    func refitOwnRows(shift: [Double], v current: Matrix, direction: Matrix?, context: SolverContext) throws -> (v: Matrix, direction: Matrix?) {
        guard let base = context.problem.operator_ as? DistributedGramOperator else {
            throw ProblemError.invalidOption("impute with local rows needs the distributed operator X = SᵀS")
        }
        let y = OwnRowsShiftedOperator(base, addingOwnRows: shift)
        if let out = try MomentumRayleighRitzStep.step(y, basis: current, direction: direction,
                                                       dimension: context.dimension, context: context) {
            return (out.v, out.direction)
        }
        return (try rayleighRitzOwnRows(y, basis: current, context: context), nil)
    }

    /// `rayleighRitz` (the best rank-D PSD fit of Y within span[V, YV]) on local rows: the basis
    /// of [V, YV] from `DistributedOrthonormalization.rankRevealingBasis` instead of Householder QR,
    /// T = QᵀYQ completed by `ItemSums`. A numerically dependent [V, YV] (span(V) invariant, zero
    /// columns, fewer than 2D items) gives a basis of its rank k; fewer than D columns leave the
    /// remaining columns of V⁺ zero.
    func rayleighRitzOwnRows(_ y: OwnRowsShiftedOperator, basis v: Matrix, context: SolverContext) throws -> Matrix {
        let rows = v.rows, dim = v.columns, sums = context.itemSums
        let yv = y.applied(to: v)
        var block = Matrix(rows: rows, columns: 2 * dim)
        block.storage.replaceSubrange(0..<(rows * dim), with: v.storage)
        block.storage.replaceSubrange((rows * dim)..<(rows * 2 * dim), with: yv.storage)
        let q = try DistributedOrthonormalization.rankRevealingBasis(block, sums: sums)
        context.extraOperatorApplications += dim
        let k = min(dim, q.columns)
        var out = Matrix(rows: rows, columns: dim)
        var values = [Double](repeating: 0, count: dim)
        if k > 0 {
            let yq = y.applied(to: q)
            context.extraOperatorApplications += q.columns
            var t = BLAS.multiply(q, .transpose, yq, .none)
            sums.reduce(&t)
            RayleighRitzStep.symmetrize(&t)
            let eig = try LAPACK.symmetricEigen(t) // values descending
            var coefficients = Matrix(rows: q.columns, columns: dim)
            for j in 0..<k {
                values[j] = eig.values[j]
                let f = max(eig.values[j], 0).squareRoot()
                for i in 0..<q.columns { coefficients[i, j] = eig.vectors[i, j] * f }
            }
            BLAS.gemm(.none, q, .none, coefficients, into: &out)
        }
        var notes: [String] = []
        SpectralEmbedding.finish(&out, values: values, scaled: true, notes: &notes, sums: sums)
        return out
    }
}
