import LinearAlgebra

/// Gradient descent with Armijo backtracking: V ← V − α∇L, α halved until
/// L(V − α∇L) ≤ L(V) − c·α·‖∇L‖², then doubled for the next iteration so the step tracks the
/// local curvature. The simplest reference method; slow on ill-conditioned problems.
public struct GradientDescent: SolverMethod {
    /// Sufficient-decrease constant c in the Armijo condition.
    public var armijo: Double
    /// Factor applied to α after each rejected trial.
    public var shrink: Double
    /// Factor applied to the accepted α to start the next line search.
    public var grow: Double
    /// First trial step; nil = 0.01·‖V‖_F/‖∇L‖_F (a 1 % change of V).
    public var initialStep: Double?
    /// Trials per iteration before giving up.
    public var maxBacktracks: Int

    public init(armijo: Double = 1e-4, shrink: Double = 0.5, grow: Double = 2, initialStep: Double? = nil, maxBacktracks: Int = 60) {
        self.armijo = armijo
        self.shrink = shrink
        self.grow = grow
        self.initialStep = initialStep
        self.maxBacktracks = maxBacktracks
    }


    public struct State {
        var v: Matrix
        var gradient: Matrix
        var loss: Double
        var step: Double
        var trial: Matrix
        var trialGradient: Matrix
        /// Completes sums over items (identity in one process; see `ItemSums`).
        var sums: ItemSums
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        guard armijo > 0, armijo < 1, shrink > 0, shrink < 1, grow >= 1, maxBacktracks > 0 else {
            throw ProblemError.invalidOption("gd needs 0 < armijo < 1, 0 < shrink < 1, grow ≥ 1, maxBacktracks > 0")
        }
        let v = try StartRequirement.require(start, for: name)
        var g = Matrix(rows: v.rows, columns: v.columns)
        let loss = context.objective.lossAndGradient(v, gradient: &g)
        let sums = context.itemSums
        let (gg, vv) = sums(Flat.dot(g, g), Flat.dot(v, v))
        let gn = gg.squareRoot(), vn = vv.squareRoot()
        let alpha = initialStep ?? (gn > 0 ? (vn > 0 ? 0.01 * vn / gn : 1e-3 / gn) : 1)
        return State(v: v, gradient: g, loss: loss, step: alpha, trial: v, trialGradient: g, sums: sums)
    }

    public func step(_ s: inout State, context: SolverContext) throws -> StepReport {
        let g2 = s.sums(Flat.dot(s.gradient, s.gradient))
        if g2 == 0 { return StepReport(status: .converged) }
        var alpha = s.step
        for trial in 1...maxBacktracks {
            Flat.combine(s.v, -alpha, s.gradient, into: &s.trial)
            let l = context.objective.lossAndGradient(s.trial, gradient: &s.trialGradient)
            if l.isFinite, l <= s.loss - armijo * alpha * g2 {
                swap(&s.v, &s.trial)
                swap(&s.gradient, &s.trialGradient)
                s.loss = l
                s.step = alpha * grow
                return StepReport(stepSize: alpha, extras: ["trials": Double(trial)])
            }
            alpha *= shrink
        }
        return StepReport(status: .lineSearchFailed, stepSize: 0, extras: ["trials": Double(maxBacktracks)])
    }

    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }
    public func gradientNorm(of s: State) -> Double? { s.sums(Flat.dot(s.gradient, s.gradient)).squareRoot() }
}
