/// Which eigensolver `SymmetricEigen.largest` may use.
///
/// `.automatic` picks LAPACK for operators that already hold a dense matrix and ARPACK for
/// implicit ones; forcing a backend exists for cross-checking and for small implicit problems
/// where materialising the matrix is cheaper than Lanczos restarts.
public enum EigenBackend: Sendable, Equatable {
    case automatic, dense, arpack
}

/// The solver that actually produced an `EigenDecomposition` (it can differ from the requested
/// backend when ARPACK cannot handle `k` so close to `n` and a dense solve is substituted).
public enum EigenMethod: Sendable, Equatable {
    /// LAPACK `dsyevr` on a dense (possibly materialised) matrix.
    case lapackDense
    /// ARPACK implicitly restarted Lanczos.
    case arpack
    /// `BlockEigensolver`: Rayleigh–Ritz on block products.
    case blockRayleighRitz
}

/// How an eigendecomposition was obtained, so callers can log and audit the cost and accuracy
/// target instead of trusting the result blindly.
public struct EigenConvergence: Sendable, Equatable {
    /// The solver that ran.
    public var method: EigenMethod
    /// Number of eigenpairs asked for.
    public var requested: Int
    /// Number of eigenpairs that met the tolerance (always ≥ `requested` for a returned result).
    public var converged: Int
    /// ARPACK restarts (Arnoldi update iterations); 0 for LAPACK.
    public var iterations: Int
    /// Operator–vector products performed (for a materialised operator: `n`, one per column).
    public var operatorApplications: Int
    /// Relative accuracy target: ARPACK's `tol`, or machine epsilon for the direct LAPACK solve.
    public var tolerance: Double

    public init(method: EigenMethod, requested: Int, converged: Int, iterations: Int,
                operatorApplications: Int, tolerance: Double) {
        self.method = method
        self.requested = requested
        self.converged = converged
        self.iterations = iterations
        self.operatorApplications = operatorApplications
        self.tolerance = tolerance
    }
}

/// The `k` largest eigenpairs of a symmetric operator together with how they were found.
///
/// Kept as one value so that the pairs never travel without the convergence record.
public struct EigenDecomposition: Sendable {
    /// Eigenvalues, algebraically descending.
    public var values: [Double]
    /// `n × k`, orthonormal columns; column `j` belongs to `values[j]`. Each column's sign is
    /// fixed so that its largest-magnitude entry (first on ties) is positive, which makes results
    /// comparable across backends and runs.
    public var vectors: Matrix
    /// Solver, counts and tolerance.
    public var info: EigenConvergence

    public init(values: [Double], vectors: Matrix, info: EigenConvergence) {
        self.values = values
        self.vectors = vectors
        self.info = info
    }
}

/// Tuning knobs for `SymmetricEigen.largest`. The defaults suit well-separated spectra at the
/// accuracy the solvers' 1e-10 checks need; change them to trade accuracy for time.
public struct EigenOptions: Sendable {
    /// Which solver to use.
    public var backend: EigenBackend
    /// Relative accuracy of each Ritz value for ARPACK (`|residual| ≤ tol·|λ|`); must be positive.
    public var tolerance: Double
    /// Maximum ARPACK restarts; `nil` means `1000·k`.
    public var maxIterations: Int?
    /// Lanczos basis size for ARPACK (`k < ncv ≤ n`); `nil` means `min(n, max(2k+1, k+20))`.
    public var ncv: Int?
    /// Warm start for ARPACK (length `n`, finite, non-zero), e.g. a combination of the previous
    /// solve's eigenvectors; `nil` means a seeded random vector.
    public var startVector: [Double]?
    /// Seed of the random start vector when `startVector` is `nil`; equal seeds give
    /// bit-identical ARPACK runs.
    public var seed: UInt64

    public init(backend: EigenBackend = .automatic, tolerance: Double = 1e-12, maxIterations: Int? = nil,
                ncv: Int? = nil, startVector: [Double]? = nil, seed: UInt64 = 0x5EED_C0DE) {
        self.backend = backend
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.ncv = ncv
        self.startVector = startVector
        self.seed = seed
    }
}

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
