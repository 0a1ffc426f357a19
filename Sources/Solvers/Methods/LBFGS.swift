import LinearAlgebra

/// Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) with the two-loop recursion (run on
/// coefficients over one contiguous pair buffer, see `LBFGSHistory`), the
/// Shanno–Phua initial scaling γ = sᵀy/yᵀy, and a strong-Wolfe line search, so that every
/// stored pair keeps the curvature condition sᵀy > 0. The method of choice for a smooth
/// quartic like the masked loss: near the optimum it converges superlinearly.
public struct LBFGS: SolverMethod {
    /// Number of (s, y) pairs kept.
    public var memory: Int
    /// Sufficient-decrease constant of the Wolfe conditions.
    public var c1: Double
    /// Curvature constant of the strong Wolfe conditions.
    public var c2: Double
    /// Evaluations allowed per line search.
    public var maxLineSearchEvaluations: Int

    public init(memory: Int = 10, c1: Double = 1e-4, c2: Double = 0.9, maxLineSearchEvaluations: Int = 30) {
        self.memory = memory
        self.c1 = c1
        self.c2 = c2
        self.maxLineSearchEvaluations = maxLineSearchEvaluations
    }

    public var name: String { "lbfgs" }

    public struct State {
        var v: Matrix
        var gradient: Matrix
        var loss: Double
        var history: LBFGSHistory
        var direction: Matrix
        var trial: Matrix
        var trialGradient: Matrix
        var iteration = 0
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        guard memory >= 1, c1 > 0, c1 < c2, c2 < 1, maxLineSearchEvaluations >= 1 else {
            throw ProblemError.invalidOption("lbfgs needs memory ≥ 1 and 0 < c1 < c2 < 1")
        }
        let v = start!
        var g = Matrix(rows: v.rows, columns: v.columns)
        let loss = context.objective.lossAndGradient(v, gradient: &g)
        return State(v: v, gradient: g, loss: loss, history: LBFGSHistory(length: v.count, memory: memory),
                     direction: g, trial: v, trialGradient: g)
    }

    /// d = −H·g by the two-loop recursion.
    private func computeDirection(_ st: inout State) {
        st.gradient.storage.withUnsafeBufferPointer { g in
            st.direction.storage.withUnsafeMutableBufferPointer { d in
                st.history.direction(gradient: g, into: d)
            }
        }
    }

    public func step(_ st: inout State, context: SolverContext) throws -> StepReport {
        let gnorm = Flat.norm(st.gradient)
        if gnorm == 0 { return StepReport(status: .converged) }
        computeDirection(&st)
        var slope = Flat.dot(st.gradient, st.direction)
        if !(slope < 0) { // lost descent (rounding): restart from steepest descent
            st.history.removeAll()
            st.direction = st.gradient
            Flat.scale(&st.direction, by: -1)
            slope = -gnorm * gnorm
        }
        // First iteration: a unit step along −g/‖g‖·(1 % of ‖V‖) avoids a wild first trial.
        let initial = st.history.count == 0 ? min(1, max(1e-3, 0.01 * Flat.norm(st.v)) / gnorm) : 1
        let search = StrongWolfeLineSearch(c1: c1, c2: c2, maxEvaluations: maxLineSearchEvaluations)
        var lastAlpha = -1.0
        let objective = context.objective
        let outcome = search.search(phi0: st.loss, dphi0: slope, initial: initial) { alpha in
            Flat.combine(st.v, alpha, st.direction, into: &st.trial)
            let value = objective.lossAndGradient(st.trial, gradient: &st.trialGradient)
            lastAlpha = alpha
            return (value, Flat.dot(st.trialGradient, st.direction))
        }
        guard outcome.success || (outcome.alpha > 0 && outcome.value < st.loss) else {
            return StepReport(status: .lineSearchFailed, stepSize: 0, extras: ["evaluations": Double(outcome.evaluations)])
        }
        if lastAlpha != outcome.alpha { // the best point was not the last evaluated: re-evaluate it
            Flat.combine(st.v, outcome.alpha, st.direction, into: &st.trial)
            _ = objective.lossAndGradient(st.trial, gradient: &st.trialGradient)
        }
        // s = V_new − V = α·d, y = g_new − g; only pairs with positive curvature sᵀy are kept,
        // so H stays positive definite.
        _ = st.direction.storage.withUnsafeBufferPointer { d in
            st.trialGradient.storage.withUnsafeBufferPointer { gNew in
                st.gradient.storage.withUnsafeBufferPointer { gOld in
                    st.history.append(alpha: outcome.alpha, direction: d, newGradient: gNew, oldGradient: gOld)
                }
            }
        }
        swap(&st.v, &st.trial)
        swap(&st.gradient, &st.trialGradient)
        st.loss = outcome.value
        return StepReport(stepSize: outcome.alpha, extras: ["evaluations": Double(outcome.evaluations)])
    }

    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }
    public func gradientNorm(of s: State) -> Double? { Flat.norm(s.gradient) }
}
