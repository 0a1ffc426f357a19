import LinearAlgebra

/// Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989) with the two-loop recursion run on
/// coefficients over one contiguous pair buffer (see `LBFGSHistory`: two passes over the pairs per
/// direction), the Shanno–Phua initial scaling γ = sᵀy/yᵀy, and a strong-Wolfe line search, so
/// that every stored pair keeps the curvature condition sᵀy > 0. The method of choice for a smooth
/// quartic like the masked loss: near the optimum it converges superlinearly.
public struct LBFGS: SolverMethod {
    /// The initial inverse-Hessian estimate H0 of each two-loop recursion.
    public enum Preconditioning: String, Sendable, CaseIterable, Codable, SettingValue {
        /// H0 = γ·I with γ = sᵀy/yᵀy (Shanno–Phua), the textbook choice.
        case none
        /// H0: P ↦ γ·P·diag(VᵀV)⁻¹, the (Jacobi form of the) right preconditioner of scaled
        /// gradient descent (Tong, Ma & Chi 2021). The masked loss's Hessian acts on each row like
        /// 4·VᵀV, whose condition number is that of X's top-D spectrum; removing it cuts the
        /// iterations to 1e-6 on ml-latest-small (D = 300) from ~480 to ~40.
        /// γ = sᵀy / ⟨y, y·P⟩, ¼ at the start.
        ///
        /// Two forms, chosen from VᵀV:
        /// * diagonal VᵀV (the eigen start, to rounding): P = diag(VᵀV)⁻¹ = (VᵀV)⁻¹, taken at the
        ///   start and kept fixed, which keeps the recursion vector-free (no M × D products per
        ///   iteration beyond the two passes over the pairs); renewed, with the pairs dropped, when a
        ///   diagonal entry drifts by a factor of 2. VᵀV stays within 1 % of diagonal along the run
        ///   on ml-latest-small: 39 iterations to 1e-6 against 36 with the full form below, at less
        ///   than half the cost per iteration;
        /// * otherwise (random or given starts, or once the off-diagonal part of VᵀV exceeds 5 % of
        ///   the diagonal): P = (VᵀV)⁻¹ of the current V every iteration, two-loop recursion on
        ///   explicit vectors (an inverse, a syrk of y and a gemm per iteration). From a random
        ///   start the diagonal form is far slower: VᵀV of the solution is not diagonal there.
        case gram
    }

    /// Number of (s, y) pairs kept.
    public var memory: Int
    /// Sufficient-decrease constant of the Wolfe conditions.
    public var c1: Double
    /// Curvature constant of the strong Wolfe conditions.
    public var c2: Double
    /// Evaluations allowed per line search.
    public var maxLineSearchEvaluations: Int
    public var preconditioning: Preconditioning
    /// Storage of the (s, y) pairs of the vector-free history (see `LBFGSHistory`).
    public var pairPrecision: PairPrecision
    /// What the method's arrays may take (`LBFGSMemoryPlan`); the memory setting is lowered to fit.
    public var memoryBudget: MemoryBudget = .system

    /// The pairs' storage type; g, V, d and every inner product stay Float64 either way.
    public enum PairPrecision: String, Sendable, CaseIterable, Codable, SettingValue {
        case double
        /// Float32: half the memory traffic of the passes over the pairs.
        case single
    }

    public init(memory: Int = Settings().memory, c1: Double = 1e-4, c2: Double = 0.9, maxLineSearchEvaluations: Int = 30,
                preconditioning: Preconditioning = Settings().preconditioning, pairPrecision: PairPrecision = Settings().pairPrecision) {
        self.memory = memory
        self.preconditioning = preconditioning
        self.pairPrecision = pairPrecision
        self.c1 = c1
        self.c2 = c2
        self.maxLineSearchEvaluations = maxLineSearchEvaluations
    }


    public struct State {
        var v: Matrix
        var gradient: Matrix
        var loss: Double
        /// ‖gradient‖_F (computed once per accepted point).
        var gradientNorm: Double
        /// Pairs kept: the setting, or fewer when its arrays would not fit the memory budget.
        var memory: Int
        /// The pairs (vector-free two-loop over one contiguous buffer), with H0's column scaling.
        var history: LBFGSHistory
        /// diag(VᵀV) when the scaling was set (the Gram preconditioner, diagonal form).
        var scalingGram: [Double] = []
        /// The Gram preconditioner's full form: explicit pairs, (VᵀV)⁻¹ renewed every iteration.
        var fullGram = false
        /// Set when the full form did not fit the memory budget (said once; the diagonal form goes on).
        var fullFormRefused = false
        var s: [Matrix] = []
        var y: [Matrix] = []
        var rho: [Double] = []
        var direction: Matrix
        var trial: Matrix
        var trialGradient: Matrix
        /// Completes sums over items (identity in one process; see `ItemSums`).
        var sums: ItemSums
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        guard memory >= 1, c1 > 0, c1 < c2, c2 < 1, maxLineSearchEvaluations >= 1 else {
            throw ProblemError.invalidOption("lbfgs needs memory ≥ 1 and 0 < c1 < c2 < 1")
        }
        let v = try StartRequirement.require(start, for: name)
        let pairBytes = pairPrecision == .single ? 4 : 8
        let memory = try LBFGSMemoryPlan.fitting(requested: self.memory, problem: context.problem, dimension: v.columns,
                                                 budget: memoryBudget, pairBytes: pairBytes)
        if memory < self.memory {
            context.note(LBFGSMemoryPlan.notice(requested: self.memory, fitted: memory, problem: context.problem,
                                                dimension: v.columns, budget: memoryBudget, pairBytes: pairBytes))
        }
        var g = Matrix(rows: v.rows, columns: v.columns)
        let loss = context.objective.lossAndGradient(v, gradient: &g)
        let sums = context.itemSums
        var state = State(v: v, gradient: g, loss: loss, gradientNorm: sums(Flat.dot(g, g)).squareRoot(), memory: memory,
                          history: LBFGSHistory(length: v.count, memory: memory, singlePrecision: pairPrecision == .single),
                          direction: Matrix(rows: v.rows, columns: v.columns), trial: Matrix(rows: v.rows, columns: v.columns),
                          trialGradient: Matrix(rows: v.rows, columns: v.columns), sums: sums)
        if sums.isDistributed { state.history.itemSums = sums }
        if preconditioning == .gram, loss.isFinite { // a non-finite start ends the run at the driver's check
            state.history.initialScale = 0.25
            let gram = context.objective.gramOfLastEvaluation
            if Self.offDiagonalRatio(gram) <= 1e-8 || !enterFullForm(&state, context: context) {
                setGramScaling(&state, gram: gram)
            }
        }
        return state
    }

    /// Switches to the Gram preconditioner's full form, whose pairs are explicit Float64 arrays: the
    /// coefficient form's buffer is freed and the memory lowered, if need be, so that 5 + 2·memory
    /// arrays fit the budget (with Float32 pairs the diagonal form's plan counts only 5 + memory).
    /// Returns false, leaving the state as it was, when not even memory 1 fits in the full form.
    func enterFullForm(_ st: inout State, context: SolverContext) -> Bool {
        if st.fullFormRefused { return false }
        guard let fitted = try? LBFGSMemoryPlan.fitting(requested: st.memory, problem: context.problem, dimension: st.v.columns,
                                                        budget: memoryBudget, fullForm: true) else {
            context.note("lbfgs: the Gram preconditioner's full form does not fit the memory budget of \(memoryBudget); "
                         + "the diagonal form continues")
            st.fullFormRefused = true
            return false
        }
        if fitted < st.memory {
            context.note(LBFGSMemoryPlan.notice(requested: st.memory, fitted: fitted, problem: context.problem,
                                                dimension: st.v.columns, budget: memoryBudget, fullForm: true))
        }
        st.memory = fitted
        st.history.releaseStorage()
        st.fullGram = true
        return true
    }

    /// H0's column scaling p_j = 1 / ((VᵀV)_jj + ridge) from the VᵀV of the last evaluation (at
    /// st.v); the ridge (1e-10 of the mean diagonal) keeps it defined when V has zero columns.
    private func setGramScaling(_ st: inout State, gram: Matrix) {
        let diagonal = gram.diagonal
        guard diagonal.allSatisfy(\.isFinite) else { return } // overflow: the driver stops on the non-finite loss
        let trace = diagonal.reduce(0, +)
        let ridge = trace > 0 ? 1e-10 * trace / Double(diagonal.count) : 1
        st.history.setScaling(diagonal.map { 1 / ($0 + ridge) })
        st.scalingGram = diagonal
    }

    /// Whether a diagonal entry of VᵀV moved by more than a factor of 2 since the scaling was set.
    private func scalingDrifted(_ st: State, gram: Matrix) -> Bool {
        let d = gram.rows
        let trace = st.scalingGram.reduce(0, +)
        let floor = trace > 0 ? 1e-10 * trace / Double(d) : 1
        for j in 0..<d {
            let now = gram[j, j] + floor, then = st.scalingGram[j] + floor
            if now > 2 * then || then > 2 * now { return true }
        }
        return false
    }

    /// ‖offdiag(G)‖_F / ‖diag(G)‖.
    static func offDiagonalRatio(_ g: Matrix) -> Double {
        var off = 0.0, on = 0.0
        for j in 0..<g.columns {
            for i in 0..<g.rows {
                let x = g[i, j] * g[i, j]
                if i == j { on += x } else { off += x }
            }
        }
        return on > 0 ? (off / on).squareRoot() : .infinity
    }

    /// (G + ridge)⁻¹ for the full form; the ridge (1e-10 of the mean eigenvalue) keeps it
    /// defined when V has zero columns (D above the rank).
    static func inverseGram(_ gram: Matrix) throws -> Matrix {
        var g = gram
        let d = g.rows
        let trace = (0..<d).reduce(0.0) { $0 + g[$1, $1] }
        let ridge = trace > 0 ? 1e-10 * trace / Double(d) : 1
        for i in 0..<d { g[i, i] += ridge }
        return try LAPACK.inverseSPD(g)
    }

    /// d = −H·g by the two-loop recursion: on coefficients (two passes over the pairs), or on
    /// explicit vectors for the full Gram form. Returns whether `st.trial` already holds V + d (the
    /// coefficient form writes it in the pass that writes d, when there are pairs).
    private func computeDirection(_ st: inout State, gram: Matrix) throws -> Bool {
        if !st.fullGram {
            return st.gradient.storage.withUnsafeBufferPointer { g in
                st.direction.storage.withUnsafeMutableBufferPointer { d in
                    st.v.storage.withUnsafeBufferPointer { x in
                        st.trial.storage.withUnsafeMutableBufferPointer { t in
                            st.history.direction(gradient: g, into: d, unitStepFrom: x, trial: t)
                        }
                    }
                }
            }
        }
        Flat.copy(st.gradient, scaledBy: 1, into: &st.trial) // q, in the trial buffer (free until the line search)
        let k = st.s.count
        var alphas = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            alphas[i] = st.rho[i] * st.sums(Flat.dot(st.s[i], st.trial))
            Flat.axpy(-alphas[i], st.y[i], &st.trial)
        }
        let inverse = try Self.inverseGram(gram)
        var gamma = 0.25
        if k > 0 {
            // ⟨y, y·G⁻¹⟩ = ⟨yᵀy, G⁻¹⟩: one syrk instead of a gemm.
            var yy = BLAS.gram(st.y[k - 1])
            st.sums.reduce(&yy)
            let curvature = MaskedLoss.innerProduct(yy, inverse)
            if curvature > 0 { gamma = st.sums(Flat.dot(st.s[k - 1], st.y[k - 1])) / curvature }
        }
        BLAS.gemm(.none, st.trial, .none, inverse, alpha: gamma, beta: 0, into: &st.direction)
        for i in 0..<k {
            let beta = st.rho[i] * st.sums(Flat.dot(st.y[i], st.direction))
            Flat.axpy(alphas[i] - beta, st.s[i], &st.direction)
        }
        Flat.scale(&st.direction, by: -1)
        return false
    }

    public func step(_ st: inout State, context: SolverContext) throws -> StepReport {
        let gnorm = st.gradientNorm
        if gnorm == 0 { return StepReport(status: .converged) }
        let objective = context.objective
        // VᵀV at st.v: its last evaluation. The trial buffer holds V + 1·d when `unitTrial`.
        var unitTrial = try computeDirection(&st, gram: objective.gramOfLastEvaluation)
        var slope = (st.fullGram ? nil : st.history.lastSlope) ?? st.sums(ParallelPasses.dot(st.gradient, st.direction))
        if !(slope < 0) { // lost descent (rounding): restart from steepest descent
            st.history.removeAll()
            st.s.removeAll(); st.y.removeAll(); st.rho.removeAll()
            Flat.copy(st.gradient, scaledBy: -1, into: &st.direction)
            slope = -gnorm * gnorm
            unitTrial = false
        }
        guard slope.isFinite, slope < 0 else { // NaN or overflowing gradient: a failed step, not a crash
            return StepReport(status: .lineSearchFailed, stepSize: 0, extras: ["evaluations": 0])
        }
        // First iteration: a unit step along −g/‖g‖·(1 % of ‖V‖) avoids a wild first trial.
        let initial = st.history.count == 0 && st.s.isEmpty && preconditioning == .none ? min(1, max(1e-3, 0.01 * st.sums(Flat.dot(st.v, st.v)).squareRoot()) / gnorm) : 1
        let search = StrongWolfeLineSearch(c1: c1, c2: c2, maxEvaluations: maxLineSearchEvaluations)
        var lastAlpha = -1.0
        var lastNormSquared = Double.nan
        let outcome = search.search(phi0: st.loss, dphi0: slope, initial: initial) { alpha in
            if !(unitTrial && alpha == 1) { ParallelPasses.combine(st.v, alpha, st.direction, into: &st.trial) }
            unitTrial = false
            let value = objective.lossAndGradient(st.trial, gradient: &st.trialGradient)
            lastAlpha = alpha
            // ‖∇L‖² of the trial in the same pass as the slope: the accepted point's norm, usually.
            let (trialSlope, normSquared) = st.sums.pair(ParallelPasses.dotAndNormSquared(st.trialGradient, st.direction))
            lastNormSquared = normSquared
            return (value, trialSlope)
        }
        guard outcome.success || (outcome.alpha > 0 && outcome.value < st.loss) else {
            return StepReport(status: .lineSearchFailed, stepSize: 0, extras: ["evaluations": Double(outcome.evaluations)])
        }
        if lastAlpha != outcome.alpha { // the best point was not the last evaluated: re-evaluate it
            ParallelPasses.combine(st.v, outcome.alpha, st.direction, into: &st.trial)
            _ = objective.lossAndGradient(st.trial, gradient: &st.trialGradient)
            lastNormSquared = st.sums(ParallelPasses.dot(st.trialGradient, st.trialGradient))
        }
        // s = V_new − V = α·d, y = g_new − g; only pairs with positive curvature sᵀy are kept,
        // so H stays positive definite.
        if st.fullGram {
            // With the memory full, the oldest pair's arrays take the new one (never 2 arrays more
            // than the plan's 5 + 2·memory); a pair without positive curvature then leaves one pair fewer.
            var sVec: Matrix, yVec: Matrix
            if st.s.count >= st.memory {
                sVec = st.s.removeFirst(); yVec = st.y.removeFirst(); st.rho.removeFirst()
            } else {
                sVec = Matrix(rows: st.v.rows, columns: st.v.columns); yVec = Matrix(rows: st.v.rows, columns: st.v.columns)
            }
            Flat.copy(st.direction, scaledBy: outcome.alpha, into: &sVec)
            Flat.copy(st.trialGradient, scaledBy: 1, into: &yVec)
            Flat.axpy(-1, st.gradient, &yVec)
            let sy = st.sums(Flat.dot(sVec, yVec))
            if sy > 1e-300 {
                st.s.append(sVec); st.y.append(yVec); st.rho.append(1 / sy)
            }
        } else {
            _ = st.direction.storage.withUnsafeBufferPointer { d in
                st.trialGradient.storage.withUnsafeBufferPointer { gNew in
                    st.gradient.storage.withUnsafeBufferPointer { gOld in
                        st.history.append(alpha: outcome.alpha, direction: d, newGradient: gNew, oldGradient: gOld,
                                          expectedCurvature: outcome.alpha * (outcome.slope - slope))
                    }
                }
            }
        }
        // The state only moves to finite iterates (the driver keeps no copy of the last one).
        let trialNorm = lastNormSquared.squareRoot()
        guard outcome.value.isFinite, trialNorm.isFinite else {
            return StepReport(status: .lineSearchFailed, stepSize: 0, extras: ["evaluations": Double(outcome.evaluations)])
        }
        swap(&st.v, &st.trial)
        swap(&st.gradient, &st.trialGradient)
        st.loss = outcome.value
        st.gradientNorm = trialNorm
        if preconditioning == .gram && !st.fullGram {
            // The last evaluation was at the accepted point (re-evaluated above otherwise).
            let gram = objective.gramOfLastEvaluation
            // Entering the full form drops the pairs: they were stored under the diagonal form.
            let entered = Self.offDiagonalRatio(gram) > 0.05 && enterFullForm(&st, context: context)
            if !entered, scalingDrifted(st, gram: gram) {
                setGramScaling(&st, gram: gram)
            }
        }
        return StepReport(stepSize: outcome.alpha, extras: ["evaluations": Double(outcome.evaluations)])
    }

    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }
    public func gradientNorm(of s: State) -> Double? { s.gradientNorm }
    public var keepsLastFiniteIterate: Bool { true }
}
