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
