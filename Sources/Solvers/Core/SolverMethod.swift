import LinearAlgebra

/// What one iteration reports to the driver.
public struct StepReport: Sendable {
    public enum Status: Sendable, Equatable {
        /// Keep going.
        case proceed
        /// The method is at its fixed point; the driver stops with `.methodConverged`.
        case converged
        /// No decrease could be found; the driver stops with `.lineSearchFailed`.
        case lineSearchFailed
    }
    public var status: Status
    public var stepSize: Double?
    public var extras: [String: Double]

    public init(status: Status = .proceed, stepSize: Double? = nil, extras: [String: Double] = [:]) {
        self.status = status
        self.stepSize = stepSize
        self.extras = extras
    }
}

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

    public init(problem: Problem, dimension: Int, seed: UInt64) throws {
        self.problem = problem
        self.dimension = dimension
        self.objective = try MaskedLoss(problem: problem, dimension: dimension)
        self.random = SeededGenerator(seed: seed)
    }

    public func note(_ text: String) {
        if !notes.contains(text) { notes.append(text) }
    }
}

/// A solver in the sense of Optim.jl: a value type with its options, a state, and one update
/// step. The `Driver` owns the loop, the stopping rules, the trace and the clock, so a new method
/// is one file that conforms to this protocol.
public protocol SolverMethod {
    associatedtype State

    /// Name used on the command line, in traces and reports.
    var name: String { get }

    /// Whether the method needs a starting point (gradient methods) or makes its own (eigen).
    var needsStart: Bool { get }

    /// Direct methods finish in `makeState`; the driver then takes no iterations.
    var isIterative: Bool { get }

    /// Builds the initial state from the starting point (`nil` when the method makes its own).
    func makeState(start: Matrix?, context: SolverContext) throws -> State

    /// One iteration: updates `state` in place.
    func step(_ state: inout State, context: SolverContext) throws -> StepReport

    /// The current embedding (M × D).
    func embedding(of state: State) -> Matrix

    /// The masked loss of the current embedding (kept in the state: no extra evaluation).
    func loss(of state: State) -> Double

    /// ‖∇L‖_F of the current embedding, where the method has it.
    func gradientNorm(of state: State) -> Double?

    /// Method-specific final outputs (e.g. communalities).
    func extras(of state: State, context: SolverContext) -> [String: [Double]]
}

extension SolverMethod {
    public var needsStart: Bool { true }
    public var isIterative: Bool { true }
    public func gradientNorm(of state: State) -> Double? { nil }
    public func extras(of state: State, context: SolverContext) -> [String: [Double]] { [:] }
}
