/// Options of `BlockEigensolver.largest`.
public struct BlockEigenOptions: Sendable {
    /// Stop when every wanted pair has ‖A·x_j − θ_j·x_j‖ ≤ tolerance·max_i |θ_i|.
    public var tolerance: Double
    /// Iterations (one block product each) before giving up with `notConverged`.
    public var maxIterations: Int
    /// Extra columns carried beyond the k wanted; nil means max(8, k/4).
    public var oversampling: Int?
    /// Seed of the Gaussian start block.
    public var seed: UInt64
    /// Optional warm start (n × j, any j ≤ block width): its columns replace the first random ones.
    public var start: Matrix?

    public init(tolerance: Double = 1e-8, maxIterations: Int = 500, oversampling: Int? = nil, seed: UInt64 = 0x5EED_B10C,
                start: Matrix? = nil) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.oversampling = oversampling
        self.seed = seed
        self.start = start
    }
}
