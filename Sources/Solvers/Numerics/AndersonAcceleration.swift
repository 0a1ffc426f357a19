import LinearAlgebra

/// Anderson acceleration (type II, "Anderson mixing") of a fixed-point iteration x ↦ g(x) on ℝⁿ.
///
/// From the last m + 1 evaluated pairs (x_j, g_j = g(x_j)) with residuals f_j = g_j − x_j it
/// proposes x⁺ = g_k − ΔG·γ, where ΔG and ΔF hold the successive differences of the g_j and f_j
/// and γ = argmin ‖f_k − ΔF·γ‖² + λ‖γ‖² (Walker & Ni 2011, the undamped form). With one pair
/// x⁺ = g_k, the plain step. For a linear g the proposal is GMRES's iterate on the residual
/// equation, which is why it removes the slow linear rate of a contraction with a ratio near 1.
///
/// The ridge λ = `regularization`·‖ΔF‖²_F keeps γ bounded when the differences become nearly
/// collinear near convergence (Henderson & Varadhan 2019 regularise the same way); the least
/// squares is solved by LAPACK's dgels on the stacked system, so A's conditioning is not squared.
/// Accepting or rejecting the proposal is the caller's business (a safeguard on an objective).
public struct AndersonAcceleration: Sendable {
    /// Difference columns kept (m); m + 1 pairs are stored.
    public let memory: Int
    /// Relative Tikhonov weight on γ.
    public let regularization: Double
    private var points: [[Double]] = []
    private var images: [[Double]] = []

    public init(memory: Int, regularization: Double = 1e-10) {
        precondition(memory >= 1, "Anderson memory must be ≥ 1")
        precondition(regularization >= 0 && regularization.isFinite, "Anderson regularization must be ≥ 0")
        self.memory = memory
        self.regularization = regularization
    }

    /// Pairs currently stored.
    public var count: Int { points.count }

    /// Stores an evaluated pair (x, g(x)); the oldest beyond m + 1 is dropped.
    public mutating func record(point x: [Double], image g: [Double]) {
        precondition(x.count == g.count && (points.isEmpty || points[0].count == x.count), "Anderson: inconsistent lengths")
        points.append(x)
        images.append(g)
        if points.count > memory + 1 {
            points.removeFirst()
            images.removeFirst()
        }
    }

    /// The stored pairs, oldest first (for checkpoints).
    public var history: (points: [[Double]], images: [[Double]]) { (points, images) }

    /// Replaces the stored pairs (restoring a checkpoint); at most m + 1 are kept.
    public mutating func restore(points x: [[Double]], images g: [[Double]]) {
        precondition(x.count == g.count, "Anderson: inconsistent history")
        reset()
        for (p, i) in zip(x, g) { record(point: p, image: i) }
    }

    /// Forgets every pair (after a rejected proposal, so that stale differences do not persist).
    public mutating func reset() {
        points.removeAll()
        images.removeAll()
    }

    /// The proposed next point (nil when nothing is stored). Throws when LAPACK fails. With local
    /// rows the pairs hold a participant's entries; ‖ΔF‖²_F and the least squares' Grams are
    /// completed by `sums` (see `distributedRidgeLeastSquares`).
    public func proposal(sums: ItemSums = .oneProcess) throws -> [Double]? {
        guard let gk = images.last else { return nil }
        let pairs = points.count
        guard pairs >= 2 else { return gk }
        let n = gk.count, columns = pairs - 1
        func residual(_ j: Int) -> [Double] { zip(images[j], points[j]).map { $0 - $1 } }
        var residuals = (0..<pairs).map(residual)
        var deltaF = Matrix(rows: n, columns: columns)
        var frobenius = 0.0
        for j in 0..<columns {
            for i in 0..<n {
                let value = residuals[j + 1][i] - residuals[j][i]
                deltaF[i, j] = value
                frobenius += value * value
            }
        }
        let fk = residuals.removeLast()
        frobenius = sums(frobenius)
        // All differences zero: the residual no longer changes, nothing to mix.
        guard frobenius > 0 else { return gk }
        let gamma = sums.isDistributed
            ? try Self.distributedRidgeLeastSquares(deltaF, fk, ridge: regularization * frobenius, sums: sums)
            : try LAPACK.ridgeLeastSquares(deltaF, fk, ridge: regularization * frobenius)
        var next = gk
        for j in 0..<columns where gamma[j] != 0 {
            let g = gamma[j]
            let newer = images[j + 1], older = images[j]
            for i in 0..<n { next[i] -= g * (newer[i] - older[i]) }
        }
        return next
    }
}
