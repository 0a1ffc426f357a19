import LinearAlgebra

/// Eigendecomposition initialisation: V = U_D·diag(√max(λ, 0)) from the top-D eigenpairs of X,
/// the best rank-D PSD fit of the *unmasked* ‖VVᵀ − X‖_F. A direct method: it finishes in set-up
/// and the driver takes no iterations. The usual starting point of every other solver.
public struct EigenMethod: SolverMethod {
    public var route: SpectralEmbedding.Route
    /// Relative eigensolver tolerance (ARPACK; LAPACK is always to working precision).
    public var tolerance: Double

    public init(route: SpectralEmbedding.Route = Settings().route, tolerance: Double = 1e-12) {
        self.route = route
        self.tolerance = tolerance
    }

    public static var startRequirement: StartRequirement { .none }
    public var isIterative: Bool { false }

    public struct State {
        var v: Matrix
        var loss: Double
        var eigenvalues: [Double]
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        let out = try SpectralEmbedding.compute(problem: context.problem, dimension: context.dimension,
                                                route: route, tolerance: tolerance, seed: context.random.next())
        context.extraOperatorApplications += out.operatorApplications
        context.note("eigen backend: \(out.route.rawValue)")
        for n in out.notes { context.note(n) }
        return State(v: out.embedding, loss: context.objective.loss(out.embedding), eigenvalues: out.eigenvalues)
    }

    public func step(_ state: inout State, context: SolverContext) throws -> StepReport { StepReport(status: .converged) }
    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }
    public func extras(of s: State, context: SolverContext) -> [String: [Double]] { ["eigenvalues": s.eigenvalues] }
}
