/// The symmetric eigensolver front: one entry point over LAPACK (dense) and ARPACK (implicit
/// operators), so the rest of the suite never deals with either library directly.
public enum SymmetricEigen {
    /// Largest order for which a non-dense operator is materialised automatically when ARPACK
    /// cannot be used (`k ≥ n − 1`): beyond it the n×n matrix is too costly to build silently.
    public static let automaticDenseLimit = 4000

    /// Largest order `backend: .dense` will materialise (an n×n matrix of this order is 2 GiB).
    public static let maximumDenseOrder = 16_384

    /// The `k` algebraically largest eigenpairs of `op`, values descending.
    ///
    /// Throws `LinearAlgebraError.notConverged` rather than returning fewer than `k` pairs, and a
    /// typed LAPACK/ARPACK error for any other failure; a returned result always has exactly `k`
    /// pairs, and `info` records how they were obtained.
    public static func largest(_ k: Int, of op: some SymmetricOperator, options: EigenOptions = .init()) throws -> EigenDecomposition {
        let n = op.dimension
        guard k >= 1, k <= n else {
            throw LinearAlgebraError.invalidArgument("requested \(k) eigenpairs of an operator of order \(n); need 1 ≤ k ≤ n")
        }
        guard options.tolerance > 0, options.tolerance.isFinite else {
            throw LinearAlgebraError.invalidArgument("tolerance must be positive and finite, got \(options.tolerance)")
        }
        if let maxIterations = options.maxIterations, maxIterations < 1 {
            throw LinearAlgebraError.invalidArgument("maxIterations must be at least 1, got \(maxIterations)")
        }
        if let start = options.startVector {
            guard start.count == n else {
                throw LinearAlgebraError.dimensionMismatch("start vector has \(start.count) entries, operator order is \(n)")
            }
            guard start.allSatisfy({ $0.isFinite }) else {
                throw LinearAlgebraError.nonFinite("start vector has NaN or infinite entries")
            }
            guard start.contains(where: { $0 != 0 }) else {
                throw LinearAlgebraError.invalidArgument("start vector is zero")
            }
        }

        var result: EigenDecomposition
        switch options.backend {
        case .dense:
            guard n <= maximumDenseOrder || op is DenseSymmetricOperator else {
                throw LinearAlgebraError.invalidArgument("dense backend refuses to materialise an operator of order \(n) (limit \(maximumDenseOrder))")
            }
            result = try dense(k, of: op)
        case .automatic where op is DenseSymmetricOperator:
            result = try dense(k, of: op)
        case .automatic, .arpack:
            if k >= n - 1 {
                // ARPACK needs nev < ncv ≤ n; this close to n a dense solve is both possible and cheaper.
                guard n <= automaticDenseLimit || op is DenseSymmetricOperator else {
                    throw LinearAlgebraError.invalidArgument(
                        "ARPACK needs k < n − 1 (k = \(k), n = \(n)) and the operator is too large (> \(automaticDenseLimit)) to solve densely")
                }
                result = try dense(k, of: op)
            } else {
                result = try arpack(k, of: op, options: options)
            }
        }
        normaliseSigns(&result.vectors)
        return result
    }

    // MARK: - Backends

    private static func dense(_ k: Int, of op: some SymmetricOperator) throws -> EigenDecomposition {
        let n = op.dimension
        let matrix: Matrix
        let applications: Int
        if let d = op as? DenseSymmetricOperator {
            matrix = d.matrix
            applications = 0
        } else {
            var a = op.applied(to: Matrix.identity(n))
            // Average with the transpose: an implicit operator is symmetric only up to rounding.
            for j in 0..<n {
                for i in (j + 1)..<n {
                    let s = 0.5 * (a.storage[i + j * n] + a.storage[j + i * n])
                    a.storage[i + j * n] = s
                    a.storage[j + i * n] = s
                }
            }
            matrix = a
            applications = n
        }
        let (values, vectors) = try LAPACK.largestEigenpairs(matrix, count: k)
        return EigenDecomposition(
            values: values, vectors: vectors,
            info: EigenConvergence(method: .lapackDense, requested: k, converged: k, iterations: 0,
                                   operatorApplications: applications, tolerance: Double.ulpOfOne))
    }

    private static func arpack(_ k: Int, of op: some SymmetricOperator, options: EigenOptions) throws -> EigenDecomposition {
        let n = op.dimension
        let ncv = options.ncv ?? min(n, max(2 * k + 1, k + 20))
        guard ncv > k, ncv <= n else {
            throw LinearAlgebraError.invalidArgument("ncv must satisfy k < ncv ≤ n (k = \(k), ncv = \(ncv), n = \(n))")
        }
        let maxIterations = options.maxIterations ?? min(1000 * k, Int(Int32.max))
        let start = options.startVector ?? randomStart(n, seed: options.seed)
        let r = try ARPACK.largestAlgebraic(k, of: op, tolerance: options.tolerance, maxIterations: maxIterations,
                                            ncv: ncv, start: start)
        return EigenDecomposition(
            values: r.values, vectors: r.vectors,
            info: EigenConvergence(method: .arpack, requested: k, converged: r.converged, iterations: r.iterations,
                                   operatorApplications: r.operatorApplications, tolerance: options.tolerance))
    }

    // MARK: - Helpers

    /// A deterministic start vector with entries uniform in [−1, 1) (SplitMix64), so runs are
    /// reproducible and independent of ARPACK's internal generator state.
    static func randomStart(_ n: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in rng.nextSigned() }
    }

    /// Makes each column's largest-magnitude entry (first on ties) positive.
    static func normaliseSigns(_ v: inout Matrix) {
        let n = v.rows
        for j in 0..<v.columns {
            var best = 0, bestAbs = -1.0
            for i in 0..<n where abs(v.storage[i + j * n]) > bestAbs {
                best = i
                bestAbs = abs(v.storage[i + j * n])
            }
            if n > 0, v.storage[best + j * n] < 0 {
                for i in 0..<n { v.storage[i + j * n] = -v.storage[i + j * n] }
            }
        }
    }
}
