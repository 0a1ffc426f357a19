/// How an eigendecomposition was obtained, so callers can log and audit the cost and accuracy
/// target instead of trusting the result blindly.
public struct EigenConvergence: Sendable, Equatable {
    /// The solver that ran.
    public var method: EigenAlgorithm
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

    public init(method: EigenAlgorithm, requested: Int, converged: Int, iterations: Int,
                operatorApplications: Int, tolerance: Double) {
        self.method = method
        self.requested = requested
        self.converged = converged
        self.iterations = iterations
        self.operatorApplications = operatorApplications
        self.tolerance = tolerance
    }
}
