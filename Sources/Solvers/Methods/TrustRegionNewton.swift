import LinearAlgebra

/// Trust-region Newton–CG (Steihaug 1983; Toint 1981) on the masked loss with exact
/// Hessian-vector products and the column scaling diag(VᵀV) of L-BFGS as preconditioner.
///
/// Each iteration solves the quadratic model m(P) = ⟨∇L, P⟩ + ½⟨P, ∇²L[P]⟩ inside the trust region
/// ‖P‖_W ≤ Δ (‖P‖²_W = Σ_j w_j‖P_{:j}‖², w_j = 4·(VᵀV)_jj) by preconditioned conjugate gradients,
/// stopping at the boundary, at negative curvature (the masked loss is a quartic: away from the
/// optimum its Hessian is indefinite), or when the residual has dropped by the forcing factor
/// η = min(½, √(‖∇L‖/‖∇L₀‖)), which gives superlinear convergence. The step is kept when the loss
/// falls by at least `acceptance` of the model's prediction; the radius then grows or shrinks with
/// the agreement ρ. An iteration of the driver is one accepted step (rejected trials shrink Δ within
/// the same iteration), so the driver's loss-change test never sees a rejected step as convergence.
///
/// One Hessian-vector product, E ↦ ∇²L[E] (docs/maths.md, "Hessian-vector product"):
///
///     ∇²L[E] = 4·[E·G + V·(EᵀV + VᵀE) − XE − 2·diag(⟨e_i, v_i⟩)·V − diag(‖v_i‖² − X_ii)·E]
///
/// with G = VᵀV, costs three M·D² gemms and one application of X (two sparse passes for X = SᵀS):
/// about one and a half loss+gradient evaluations.
public struct TrustRegionNewton: SolverMethod {
    /// Conjugate-gradient iterations allowed per trust-region subproblem.
    public var maxInnerIterations: Int
    /// ρ above which a step is kept.
    public var acceptance: Double
    /// Trial steps (radius reductions) allowed within one iteration before giving up.
    public var maxTrials: Int

    public init(maxInnerIterations: Int = Settings().maxInnerIterations, acceptance: Double = Settings().acceptance,
                maxTrials: Int = Settings().maxTrials) {
        self.maxInnerIterations = maxInnerIterations
        self.acceptance = acceptance
        self.maxTrials = maxTrials
    }

    public struct State {
        var v: Matrix
        var gradient: Matrix
        var loss: Double
        var gradientNorm: Double
        /// ‖∇L‖ at the start, the scale of the forcing term.
        var initialGradientNorm: Double
        /// The trust-region radius in the W-norm.
        var radius: Double
        /// VᵀV, ‖v_i‖² − X_ii and the preconditioner's column weights w_j at `v`.
        var gram: Matrix
        var excess: [Double]
        var weights: [Double]
        /// Work buffers (M × D), reused across iterations.
        var step: Matrix, residual: Matrix, preconditioned: Matrix, direction: Matrix
        var hessianDirection: Matrix, hessianStep: Matrix, trial: Matrix, trialGradient: Matrix
        /// Completes sums over items (identity in one process; see `ItemSums`).
        var sums: ItemSums
    }

    /// ‖m‖_F: `Flat.norm` in one process (bitwise the earlier runs), the completed sum of squares
    /// with local rows.
    static func norm(_ m: Matrix, sums: ItemSums) -> Double {
        sums.isDistributed ? sums(Flat.dot(m, m)).squareRoot() : Flat.norm(m)
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        try Settings(maxInnerIterations: maxInnerIterations, acceptance: acceptance, maxTrials: maxTrials).validate()
        let v = try StartRequirement.require(start, for: name)
        let m = v.rows, d = v.columns
        func buffer() -> Matrix { Matrix(rows: m, columns: d) }
        var g = buffer()
        let loss = context.objective.lossAndGradient(v, gradient: &g)
        let sums = context.itemSums
        let gradientNorm = Self.norm(g, sums: sums)
        var state = State(v: v, gradient: g, loss: loss, gradientNorm: gradientNorm, initialGradientNorm: gradientNorm,
                          radius: 0, gram: Matrix(rows: d, columns: d), excess: [], weights: [],
                          step: buffer(), residual: buffer(), preconditioned: buffer(), direction: buffer(),
                          hessianDirection: buffer(), hessianStep: buffer(), trial: buffer(), trialGradient: buffer(), sums: sums)
        refreshCurvature(&state, problem: context.problem)
        // The first radius: the W-norm of the preconditioned gradient step −W⁻¹g, the step the
        // model would take if W were the Hessian.
        Self.precondition(state.gradient, weights: state.weights, into: &state.preconditioned)
        state.radius = max(sums(Flat.dot(state.gradient, state.preconditioned)).squareRoot(), Double.leastNormalMagnitude)
        return state
    }

    /// VᵀV, ‖v_i‖² − X_ii and w_j = 4·(VᵀV)_jj (plus a ridge of 1e-10 of their mean, so that a zero
    /// column of V keeps the preconditioner defined) at the current point.
    private func refreshCurvature(_ st: inout State, problem: Problem) {
        BLAS.syrk(.transpose, st.v, into: &st.gram)
        st.sums.reduce(&st.gram)
        let norms = st.v.rowNormsSquared
        st.excess = zip(norms, problem.diagonal[problem.heldRows]).map { $0 - $1 }
        let diagonal = st.gram.diagonal
        let mean = diagonal.reduce(0, +) / Double(max(diagonal.count, 1))
        let ridge = mean > 0 ? 1e-10 * mean : 1
        st.weights = diagonal.map { 4 * ($0 + ridge) }
    }

    /// out_{:j} = r_{:j} / w_j.
    static func precondition(_ r: Matrix, weights: [Double], into out: inout Matrix) {
        let m = r.rows
        r.storage.withUnsafeBufferPointer { rp in
            out.storage.withUnsafeMutableBufferPointer { op in
                for j in 0..<r.columns {
                    let inverse = 1 / weights[j]
                    for i in 0..<m { op[j * m + i] = rp[j * m + i] * inverse }
                }
            }
        }
    }

    /// ⟨a, b⟩_W = Σ_j w_j ⟨a_{:j}, b_{:j}⟩.
    static func weightedDot(_ a: Matrix, _ b: Matrix, weights: [Double], sums: ItemSums) -> Double {
        let m = a.rows
        return a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                var total = 0.0
                for j in 0..<a.columns {
                    var column = 0.0
                    for i in 0..<m { column += ap[j * m + i] * bp[j * m + i] }
                    total += weights[j] * column
                }
                return sums(total)
            }
        }
    }

    /// ∇²L(V)[E] into `out`, with G = VᵀV and `excess` = ‖v_i‖² − X_ii at V. With local rows E, V,
    /// `excess` and `out` are the own rows: EᵀV is completed by `sums`, XE by the objective.
    static func hessianProduct(_ e: Matrix, at v: Matrix, gram: Matrix, excess: [Double],
                               objective: MaskedLoss, sums: ItemSums, into out: inout Matrix) {
        let m = v.rows, d = v.columns
        // C = EᵀV + VᵀE (D × D, symmetric).
        var c = BLAS.multiply(e, .transpose, v, .none)
        sums.reduce(&c)
        for j in 0..<d {
            for i in 0..<j {
                let s = c[i, j] + c[j, i]
                c[i, j] = s; c[j, i] = s
            }
            c[j, j] *= 2
        }
        let xe = objective.applyX(e)
        BLAS.gemm(.none, e, .none, gram, alpha: 4, beta: 0, into: &out)
        BLAS.gemm(.none, v, .none, c, alpha: 4, beta: 1, into: &out)
        // ⟨e_i, v_i⟩ for every row, then the operator and diagonal terms in one pass.
        var rowDots = [Double](repeating: 0, count: m)
        e.storage.withUnsafeBufferPointer { ep in
            v.storage.withUnsafeBufferPointer { vp in
                for j in 0..<d { for i in 0..<m { rowDots[i] += ep[j * m + i] * vp[j * m + i] } }
            }
        }
        e.storage.withUnsafeBufferPointer { ep in
            v.storage.withUnsafeBufferPointer { vp in
                xe.storage.withUnsafeBufferPointer { xp in
                    out.storage.withUnsafeMutableBufferPointer { op in
                        for j in 0..<d {
                            let base = j * m
                            for i in 0..<m {
                                op[base + i] -= 4 * (xp[base + i] + 2 * rowDots[i] * vp[base + i] + excess[i] * ep[base + i])
                            }
                        }
                    }
                }
            }
        }
    }

    /// The τ ≥ 0 with ‖p + τ·d‖_W = Δ, from ‖p‖²_W, ⟨p, d⟩_W and ‖d‖²_W.
    static func boundaryStep(pp: Double, pd: Double, dd: Double, radius: Double) -> Double {
        guard dd > 0 else { return 0 }
        let c = pp - radius * radius // ≤ 0 inside the region
        let discriminant = max(pd * pd - dd * c, 0).squareRoot()
        // The positive root, in the form that avoids cancellation.
        return pd >= 0 ? -c / (pd + discriminant) : (discriminant - pd) / dd
    }

    /// Steihaug–Toint CG on the model at st.v: leaves the step in st.step and ∇²L[step] in
    /// st.hessianStep; returns the model's predicted decrease −m(P), the inner iterations taken and
    /// whether the step reached the boundary, and whether a stop request cut the loop short.
    ///
    /// A stop request (deadline or signal) ends the loop after the current inner iteration: every
    /// CG iterate lies inside the region and decreases the model, so the step so far is still a
    /// valid (shorter) step. At least one inner iteration runs, so that the step is not zero.
    func solveSubproblem(_ st: inout State, objective: MaskedLoss, stop: StopToken)
        -> (predicted: Double, iterations: Int, boundary: Bool, interrupted: Bool) {
        let weights = st.weights
        Flat.copy(st.gradient, scaledBy: 0, into: &st.step)
        Flat.copy(st.gradient, scaledBy: 0, into: &st.hessianStep)
        Flat.copy(st.gradient, scaledBy: 1, into: &st.residual)
        Self.precondition(st.residual, weights: weights, into: &st.preconditioned)
        Flat.copy(st.preconditioned, scaledBy: -1, into: &st.direction)
        let sums = st.sums
        var rz = sums(Flat.dot(st.residual, st.preconditioned))
        let rz0 = rz
        let forcing = min(0.5, (st.gradientNorm / st.initialGradientNorm).squareRoot())
        // ⟨p, p⟩_W, ⟨p, d⟩_W, ⟨d, d⟩_W, updated by recurrence (the preconditioned CG identities).
        var pp = 0.0, pd = 0.0, dd = rz
        var iterations = 0
        var boundary = false, interrupted = false

        func predicted(_ st: State) -> Double {
            let (slope, curvature) = st.sums(Flat.dot(st.gradient, st.step), Flat.dot(st.step, st.hessianStep))
            return -(slope + 0.5 * curvature)
        }
        while iterations < maxInnerIterations {
            if iterations > 0, stop.isStopRequested {
                stop.noteAbandonedIteration() // a step no uninterrupted run takes: never checkpointed
                interrupted = true
                break
            }
            iterations += 1
            Self.hessianProduct(st.direction, at: st.v, gram: st.gram, excess: st.excess, objective: objective,
                                sums: sums, into: &st.hessianDirection)
            let curvature = sums(Flat.dot(st.direction, st.hessianDirection))
            let alpha = rz / curvature
            if !(curvature > 0) || pp + 2 * alpha * pd + alpha * alpha * dd >= st.radius * st.radius {
                // Negative curvature or a step leaving the region: go to the boundary along d.
                let tau = Self.boundaryStep(pp: pp, pd: pd, dd: dd, radius: st.radius)
                Flat.axpy(tau, st.direction, &st.step)
                Flat.axpy(tau, st.hessianDirection, &st.hessianStep)
                boundary = true
                break
            }
            Flat.axpy(alpha, st.direction, &st.step)
            Flat.axpy(alpha, st.hessianDirection, &st.hessianStep)
            Flat.axpy(alpha, st.hessianDirection, &st.residual)
            pp += 2 * alpha * pd + alpha * alpha * dd
            Self.precondition(st.residual, weights: weights, into: &st.preconditioned)
            let rzNew = sums(Flat.dot(st.residual, st.preconditioned))
            if rzNew <= forcing * forcing * rz0 { break }
            let beta = rzNew / rz
            rz = rzNew
            // d ← −z + β·d, and the W-norm recurrences of Steihaug's method.
            pd = beta * (pd + alpha * dd)
            dd = rz + beta * beta * dd
            Flat.scale(&st.direction, by: beta)
            Flat.axpy(-1, st.preconditioned, &st.direction)
        }
        return (predicted(st), iterations, boundary, interrupted)
    }

    public func step(_ st: inout State, context: SolverContext) throws -> StepReport {
        if st.gradientNorm == 0 { return StepReport(status: .converged) }
        let objective = context.objective
        var innerTotal = 0
        for trial in 1...maxTrials {
            let (predicted, inner, boundary, interrupted) = solveSubproblem(&st, objective: objective, stop: context.stop)
            innerTotal += inner
            // A model decrease at the level of the loss's rounding says nothing more can be measured
            // (unless a stop cut the subproblem short: then the driver stops the run).
            guard predicted.isFinite, predicted > 1e-15 * abs(st.loss) else {
                if interrupted { return StepReport(stepSize: 0, extras: ["inner": Double(innerTotal), "radius": st.radius]) }
                return StepReport(status: .converged, extras: ["inner": Double(innerTotal), "radius": st.radius])
            }
            Flat.combine(st.v, 1, st.step, into: &st.trial)
            let value = objective.lossAndGradient(st.trial, gradient: &st.trialGradient)
            let stepNorm = Self.weightedDot(st.step, st.step, weights: st.weights, sums: st.sums).squareRoot()
            let rho = value.isFinite ? (st.loss - value) / predicted : -.infinity
            if rho < 0.25 {
                st.radius = 0.25 * stepNorm
            } else if rho > 0.75 && boundary {
                st.radius = 2 * st.radius
            }
            if rho > acceptance {
                swap(&st.v, &st.trial)
                swap(&st.gradient, &st.trialGradient)
                st.loss = value
                st.gradientNorm = Self.norm(st.gradient, sums: st.sums)
                refreshCurvature(&st, problem: context.problem)
                return StepReport(stepSize: stepNorm,
                                  extras: ["inner": Double(innerTotal), "radius": st.radius, "rho": rho, "trials": Double(trial)])
            }
            if !(st.radius > 0) { break }
            if context.stop.isStopRequested { // no further trials: V stays, the driver stops the run
                context.stop.noteAbandonedIteration()
                return StepReport(stepSize: 0, extras: ["inner": Double(innerTotal), "radius": st.radius, "trials": Double(trial)])
            }
        }
        return StepReport(status: .lineSearchFailed, stepSize: 0, extras: ["inner": Double(innerTotal), "radius": st.radius])
    }

    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }
    public func gradientNorm(of s: State) -> Double? { s.gradientNorm }
}
