import LinearAlgebra

/// A solver in the sense of Optim.jl: a value type with its options, a state, and one update
/// step. The `Driver` owns the loop, the stopping rules, the trace and the clock, so a new method
/// is one file that conforms to this protocol (and `RegistrableMethod`, to be known by name: see
/// docs/architecture.md).
public protocol SolverMethod {
    associatedtype State

    /// Name used on the command line, in traces and reports.
    var name: String { get }

    /// Whether the method iterates from a given start, can warm-start from one, or makes its own.
    static var startRequirement: StartRequirement { get }

    /// Direct methods finish in `makeState`; the driver then takes no iterations.
    var isIterative: Bool { get }

    /// Builds the initial state from the starting point. The driver passes one exactly when the
    /// method's `startRequirement` allows it (always for `.required`, never for `.none`).
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

    /// Whether the state only ever moves to iterates with a finite loss (a line search that
    /// rejects non-finite trials), so that the driver need not keep its own copy of the last
    /// finite embedding (one M × D array: 1 GB at 10⁶ items × 128).
    var keepsLastFiniteIterate: Bool { get }
}

extension SolverMethod {
    public static var startRequirement: StartRequirement { .required }
    public var isIterative: Bool { true }
    public func gradientNorm(of state: State) -> Double? { nil }
    public func extras(of state: State, context: SolverContext) -> [String: [Double]] { [:] }
    public var keepsLastFiniteIterate: Bool { false }
}
