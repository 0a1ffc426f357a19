import LinearAlgebra

/// Shared services a method uses: the loss (with its evaluation counters), the dimension, a
/// seeded random stream and a place for notes. One context per run.
public final class SolverContext {
    public let problem: Problem
    public let dimension: Int
    public let objective: MaskedLoss
    public var random: SeededGenerator
    public private(set) var notes: [String] = []
    /// Operator applications done outside `objective` (eigensolvers).
    public var extraOperatorApplications = 0
    /// Set when the run must stop (signal, deadline); methods with long iterations (the
    /// sampled epochs) poll it every batch.
    public let stop: StopToken

    public init(problem: Problem, dimension: Int, seed: UInt64, stop: StopToken = StopToken()) throws {
        self.stop = stop
        self.problem = problem
        self.dimension = dimension
        self.objective = try MaskedLoss(problem: problem, dimension: dimension)
        self.random = SeededGenerator(seed: seed)
    }

    public func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }
}
