import LinearAlgebra

/// Alternating imputation (iterated principal-axis factoring; hard-impute with a missing
/// diagonal): refill X's diagonal with d = diag(VVᵀ), take the best rank-D PSD fit of the refilled
/// Y = X + diag(d − X_ii), repeat.
///
/// Why the loss never increases: L(V) ≤ ‖Y − VVᵀ‖²_F for every V, with equality at the current
/// V_k. Any V_{k+1} with ‖Y − V_{k+1}V_{k+1}ᵀ‖ ≤ ‖Y − V_kV_kᵀ‖ therefore has L(V_{k+1}) ≤ L(V_k).
/// The exact top-D eigenpairs of Y give the smallest such value; so does the Rayleigh–Ritz fit
/// restricted to any subspace that contains span(V_k) (V_kV_kᵀ is one of its candidates). The
/// inner steps use span[V_k, Y·V_k] — one block-Krylov step warm-started from V_k — and, by
/// default, the previous update direction besides (`lobpcg`), which keeps the guarantee at a
/// fraction of the cost of a full eigensolve.
public struct AlternatingImputation: SolverMethod {
    public enum Inner: String, Sendable, CaseIterable, Codable, SettingValue {
        /// Rayleigh–Ritz on span[V, YV] (2D columns; CholeskyQR2 of YV's part orthogonal to V, or
        /// LAPACK QR of [V, YV] as the fallback, + dsyevr): monotone, warm-started.
        case subspace
        /// The exact top-D eigenpairs of Y (ARPACK started from V's column sum, or LAPACK; the
        /// block eigensolver warm-started from V with `--eigen-backend block`).
        case exact
        /// Rayleigh–Ritz on span[V, YV, P], P the previous refit's update (LOBPCG-style, 3D
        /// columns; see MomentumRayleighRitz.swift): monotone, warm-started, fewer refits.
        case lobpcg
    }

    /// Larger memories only add ill-conditioned columns to Anderson's least squares.
    public static let maximumAccelerationMemory = 50

    public var inner: Inner
    /// The eigen route of the own start (no start given) and of the exact inner step.
    public var eigenRoute: SpectralEmbedding.Route
    public var tolerance: Double
    /// Extrapolation on the diagonal (see ImputationAcceleration.swift); `.none` is the plain loop.
    public var acceleration: Acceleration
    /// Anderson's difference columns m (ignored by the other accelerations).
    public var accelerationMemory: Int

    public init(inner: Inner = Settings().inner, eigenRoute: SpectralEmbedding.Route = EigenMethod.Settings().route,
                tolerance: Double = 1e-12, acceleration: Acceleration = Settings().acceleration,
                accelerationMemory: Int = Settings().accelerationMemory) {
        precondition(accelerationMemory >= 1, "acceleration memory must be ≥ 1")
        self.inner = inner
        self.eigenRoute = eigenRoute
        self.tolerance = tolerance
        self.acceleration = acceleration
        self.accelerationMemory = accelerationMemory
    }

    /// Warm-starts from any given V (the first step refills the diagonal with d = diag(VVᵀ));
    /// without one it starts from the eigen initialisation.
    public static var startRequirement: StartRequirement { .optional }

    public struct State {
        var v: Matrix
        var loss: Double
        var accelerator: Accelerator? = nil
        /// The `lobpcg` inner step's previous update direction (nil for the other inner steps).
        var direction: Matrix? = nil
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        if context.itemSums.isDistributed && inner == .exact { throw ProblemError.invalidOption(Self.exactInnerNeedsOneProcess) }
        let v: Matrix
        if let start {
            v = start
        } else {
            let out = try SpectralEmbedding.compute(problem: context.problem, dimension: context.dimension,
                                                    route: eigenRoute, tolerance: tolerance, seed: context.random.next())
            context.extraOperatorApplications += out.operatorApplications
            for n in out.notes { context.note(n) }
            v = out.embedding
        }
        return State(v: v, loss: context.objective.loss(v), accelerator: makeAccelerator())
    }

    public func step(_ s: inout State, context: SolverContext) throws -> StepReport {
        if s.accelerator != nil { return try acceleratedStep(&s, context: context) }
        let problem = context.problem
        let d = s.v.rowNormsSquared
        let shift = Self.diagonalShift(d, problem: problem)
        let (candidate, direction) = try refit(base: problem.operator_, shift: shift, v: s.v, direction: s.direction, context: context)
        let newLoss = context.objective.loss(candidate)
        let (changeSquared, scaleSquared) = context.itemSums(zip(candidate.rowNormsSquared, d).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) },
                                                             d.reduce(0) { $0 + $1 * $1 })
        let change = changeSquared.squareRoot()
        let scale = max(scaleSquared.squareRoot(), 1e-300)
        // A non-finite candidate is a failed step (V_k is kept), not a fixed point.
        guard newLoss.isFinite else {
            return StepReport(status: .lineSearchFailed, extras: ["diagonalChange": change / scale])
        }
        // No decrease at all means the fixed point has been reached in floating point: keep V_k.
        guard newLoss < s.loss else {
            return StepReport(status: .converged, extras: ["diagonalChange": change / scale])
        }
        s.v = candidate
        s.loss = newLoss
        s.direction = direction
        return StepReport(extras: ["diagonalChange": change / scale])
    }

    /// The next V from Y = base + diag(shift) (opened over the operator's concrete type).
    func refit<Base: SymmetricOperator>(base: Base, shift: [Double], v current: Matrix, context: SolverContext) throws -> Matrix {
        if context.itemSums.isDistributed { return try refitOwnRows(shift: shift, v: current, context: context) }
        let y = DiagonallyShiftedOperator(base, adding: shift)
        switch inner {
        case .subspace, .lobpcg:
            if let out = try RayleighRitzStep.step(y, basis: current, dimension: context.dimension, context: context) {
                return out
            }
            return try rayleighRitz(y, basis: current, context: context)
        case .exact where eigenRoute == .block:
            // Warm start from V: its span is the previous answer, so few block products follow.
            let eig = try BlockEigensolver.largest(context.dimension, of: y, options: BlockEigenOptions(
                tolerance: SpectralEmbedding.blockTolerance, seed: context.random.next(), start: current))
            context.extraOperatorApplications += eig.info.operatorApplications
            var v = eig.vectors
            var notes: [String] = []
            SpectralEmbedding.finish(&v, values: eig.values, scaled: false, notes: &notes)
            return v
        case .exact:
            let start = (0..<current.rows).map { i in (0..<current.columns).reduce(0.0) { $0 + current[i, $1] } }
            let useStart = start.contains { $0 != 0 } ? start : nil
            let backend: LinearAlgebra.EigenBackend = (eigenRoute == .dense || context.problem.itemCount <= 1500) ? .dense : .arpack
            let eig = try SymmetricEigen.largest(context.dimension, of: y, options: EigenOptions(
                backend: backend, tolerance: tolerance, startVector: useStart, seed: context.random.next()))
            context.extraOperatorApplications += eig.info.operatorApplications
            var v = eig.vectors
            var notes: [String] = []
            SpectralEmbedding.finish(&v, values: eig.values, scaled: false, notes: &notes)
            return v
        }
    }

    /// The best rank-D PSD fit of Y within span[V, YV]: orthonormal basis Q by Householder QR,
    /// T = QᵀYQ, top-D eigenpairs (θ, z) of T, V⁺ = Q·z·√max(θ, 0). The `.subspace` step uses
    /// `RayleighRitzStep` (same subspace, no QR of the M × 2D block) and falls back to this one
    /// where that does not apply.
    func rayleighRitz(_ y: some SymmetricOperator, basis v: Matrix, context: SolverContext) throws -> Matrix {
        let m = v.rows, dim = v.columns
        let yv = y.applied(to: v)
        var block = Matrix(rows: m, columns: min(2 * dim, m))
        block.storage.replaceSubrange(0..<(m * dim), with: v.storage)
        let extra = block.columns - dim
        if extra > 0 { block.storage.replaceSubrange((m * dim)..<(m * (dim + extra)), with: yv.storage[0..<(m * extra)]) }
        let q = try LAPACK.orthonormalize(block)
        let yq = y.applied(to: q)
        context.extraOperatorApplications += dim + q.columns
        var t = Matrix(rows: q.columns, columns: q.columns)
        BLAS.gemm(.transpose, q, .none, yq, into: &t)
        for j in 0..<t.columns { for i in 0..<j { let a = 0.5 * (t[i, j] + t[j, i]); t[i, j] = a; t[j, i] = a } }
        let eig = try SymmetricEigen.largest(dim, of: try DenseSymmetricOperator(t, tolerance: 0),
                                             options: EigenOptions(backend: .dense, tolerance: tolerance))
        var coefficients = eig.vectors
        for j in 0..<dim {
            let f = max(eig.values[j], 0).squareRoot()
            for i in 0..<coefficients.rows { coefficients[i, j] *= f }
        }
        var out = BLAS.multiply(q, .none, coefficients, .none)
        var notes: [String] = []
        SpectralEmbedding.finish(&out, values: eig.values, scaled: true, notes: &notes)
        return out
    }

    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }

    /// Communalities ‖v_i‖² and uniquenesses X_ii − ‖v_i‖² (1 − communality on a correlation matrix).
    public func extras(of s: State, context: SolverContext) -> [String: [Double]] {
        let c = s.v.rowNormsSquared
        return ["communalities": c, "uniquenesses": zip(context.problem.diagonal[context.problem.heldRows], c).map { $0 - $1 }]
    }
}
