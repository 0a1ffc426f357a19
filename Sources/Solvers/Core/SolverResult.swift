import LinearAlgebra

/// Everything a run produced.
public struct SolverResult: Codable, Sendable {
    /// The method's name (`eigen`, `impute`, `gd`, `adam`, `lbfgs`, ...).
    public var method: String
    /// A description of the starting point (`eigen`, `random(scale=1)`, a file, ...).
    public var initialization: String
    /// The final V (M × D, rows in item order).
    public var embedding: Matrix
    public var finalLoss: Double
    public var iterations: Int
    public var lossEvaluations: Int
    public var gradientEvaluations: Int
    /// Applications of X (or of the imputed matrix) to a vector, including eigensolver work.
    public var operatorApplications: Int
    public var termination: Termination
    public var seconds: Double
    public var trace: [TraceEntry]
    /// Remarks a reader should see (zero columns from D above the rank, clipping, ...).
    public var notes: [String]
    /// Method-specific final outputs, e.g. communalities for imputation.
    public var extras: [String: [Double]]
    /// Rigorous bound on the rounding error of `finalLoss` (nil when not computed).
    public var lossErrorBound: Double? = nil
}
