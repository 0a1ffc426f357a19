import LinearAlgebra

/// A fitted factor model R ≈ Λ Φ Λᵀ + diag(u2), summarised as R's `psych::fa` prints it.
public struct FactorSolution: Sendable {
    public var rotation: FactorRotation
    /// Λ (p × k): the loadings (the pattern matrix for promax), columns ordered by SS loadings
    /// (descending) and signed so that every column sums to ≥ 0.
    public var loadings: Matrix
    /// Factor correlations Φ (k × k) of an oblique rotation; nil for orthogonal solutions.
    public var phi: Matrix?
    /// Communalities h2_i = (Λ Φ Λᵀ)_ii (row sums of squares for orthogonal solutions).
    public var communalities: [Double]
    /// Uniquenesses u2_i = R_ii − h2_i.
    public var uniquenesses: [Double]
    /// Hoffman's complexity (Σ_j λ_ij²)² / Σ_j λ_ij⁴ (nil for a variable with no loadings).
    public var complexity: [Double?]
    /// Variance accounted for by each factor: column sums of squares, or diag(Φ ΛᵀΛ) when oblique.
    public var ssLoadings: [Double]
    /// ssLoadings / total variance (Σ R_ii, = p for a correlation matrix).
    public var proportionVariance: [Double]
    public var cumulativeVariance: [Double]
    /// ssLoadings / Σ ssLoadings.
    public var proportionExplained: [Double]
    public var cumulativeProportion: [Double]
    /// The masked loss Σ_{i≠j} (R_ij − (ΛΦΛᵀ)_ij)² of the fit (rotation leaves it unchanged).
    public var maskedLoss: Double
    /// Root mean square of the off-diagonal residuals: √(loss / (p(p−1))).
    public var rmsr: Double
}
