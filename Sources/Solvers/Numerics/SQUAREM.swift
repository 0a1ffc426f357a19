/// SQUAREM (Varadhan & Roland 2008), scheme S3, with the step-length bound of their R package:
/// from x₀, x₁ = g(x₀), x₂ = g(x₁), r = x₁ − x₀, v = x₂ − 2x₁ + x₀ and α = ‖r‖/‖v‖ clamped to
/// [1, α_max], the proposal is x₀ + 2αr + α²v. α = 1 gives x₂ (the plain double step), so only
/// α > 1 extrapolates. For a linear map the proposal is the squared one-step minimal-polynomial
/// extrapolation, which is why two evaluations per cycle buy a step much longer than two.
///
/// The bound starts at 1 and grows ×4 whenever the clamp was active and the proposal accepted;
/// after a rejection it shrinks back by the same factor (never below 1). The caller evaluates
/// the proposal and decides (e.g. the objective must not rise), then reports the outcome.
public struct SQUAREM: Sendable {
    public static let initialMaximumStep = 1.0
    public static let stepGrowth = 4.0

    /// Current upper bound on α.
    public private(set) var maximumStep = SQUAREM.initialMaximumStep

    public init() {}

    /// A scheme whose step bound is `maximumStep` (restoring a checkpoint).
    public init(maximumStep: Double) {
        precondition(maximumStep >= 1 && maximumStep.isFinite, "SQUAREM: the step bound is ≥ 1")
        self.maximumStep = maximumStep
    }

    /// The proposal and its α, or nil when α = 1 (the proposal would be x₂ itself) or the
    /// cycle did not move (v = 0). With local rows the x's hold a participant's entries and ‖r‖², ‖v‖²
    /// are completed by `sums`, so α is the same on every participant.
    public func proposal(x0: [Double], x1: [Double], x2: [Double], sums: ItemSums = .oneProcess) -> (point: [Double], steplength: Double)? {
        precondition(x0.count == x1.count && x1.count == x2.count, "SQUAREM: inconsistent lengths")
        var rr = 0.0, vv = 0.0
        for i in x0.indices {
            let r = x1[i] - x0[i]
            let v = x2[i] - 2 * x1[i] + x0[i]
            rr += r * r
            vv += v * v
        }
        (rr, vv) = sums(rr, vv)
        guard vv > 0, rr.isFinite, vv.isFinite else { return nil }
        let alpha = min(max((rr / vv).squareRoot(), 1), maximumStep)
        guard alpha > 1 else { return nil }
        var point = x0
        for i in x0.indices {
            let r = x1[i] - x0[i]
            let v = x2[i] - 2 * x1[i] + x0[i]
            point[i] = x0[i] + 2 * alpha * r + alpha * alpha * v
        }
        return (point, alpha)
    }

    /// Updates the bound after the caller accepted (or rejected) a proposal with step `alpha`.
    public mutating func record(steplength alpha: Double, accepted: Bool) {
        if accepted {
            if alpha >= maximumStep { maximumStep *= SQUAREM.stepGrowth }
        } else if alpha >= maximumStep {
            maximumStep = max(SQUAREM.initialMaximumStep, maximumStep / SQUAREM.stepGrowth)
        }
    }

    /// Lets the bound grow when the cycle's α was clamped at 1 (no proposal made).
    public mutating func recordUnitStep() {
        if maximumStep <= 1 { maximumStep = SQUAREM.stepGrowth }
    }
}
