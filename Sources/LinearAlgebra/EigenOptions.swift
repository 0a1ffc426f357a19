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
