import LinearAlgebra

/// Eigendecomposition initialisation: V = U_D·diag(√max(λ, 0)) from the top-D eigenpairs of X,
/// the best rank-D PSD fit of the *unmasked* ‖VVᵀ − X‖_F. A direct method: it finishes in set-up
/// and the driver takes no iterations. The usual starting point of every other solver.
public struct EigenInitialization: SolverMethod {
    public var backend: EigenInitializer.Backend
    /// Relative eigensolver tolerance (ARPACK; LAPACK is always to working precision).
    public var tolerance: Double

    public init(backend: EigenInitializer.Backend = .automatic, tolerance: Double = 1e-12) {
        self.backend = backend
        self.tolerance = tolerance
    }

    public var name: String { "eigen" }
    public var needsStart: Bool { false }
    public var isIterative: Bool { false }

    public struct State {
        var v: Matrix
        var loss: Double
        var eigenvalues: [Double]
    }

    public func makeState(start: Matrix?, context: SolverContext) throws -> State {
        let out = try EigenInitializer.compute(problem: context.problem, dimension: context.dimension,
                                               backend: backend, tolerance: tolerance, seed: context.random.next())
        context.extraOperatorApplications += out.operatorApplications
        context.note("eigen backend: \(out.backend.rawValue)")
        for n in out.notes { context.note(n) }
        return State(v: out.embedding, loss: context.objective.loss(out.embedding), eigenvalues: out.eigenvalues)
    }

    public func step(_ state: inout State, context: SolverContext) throws -> StepReport { StepReport(status: .converged) }
    public func embedding(of s: State) -> Matrix { s.v }
    public func loss(of s: State) -> Double { s.loss }
    public func extras(of s: State, context: SolverContext) -> [String: [Double]] { ["eigenvalues": s.eigenvalues] }
}
