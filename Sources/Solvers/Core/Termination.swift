/// Why a solver run stopped. Every run ends with exactly one of these.
public enum Termination: String, Codable, Sendable, CaseIterable {
    /// The method is direct (eigen initialisation): it finished in one pass, nothing to iterate.
    case completed
    /// The relative loss decrease over one iteration fell to `relativeTolerance` or below.
    case lossConverged
    /// ‖∇L‖_F fell to `gradientTolerance` or below.
    case gradientConverged
    /// The method reported its own fixed point (e.g. imputation's diagonal stopped changing,
    /// or the loss reached exactly zero).
    case methodConverged
    /// The line search found no step that decreases the loss: the iterate is at the limit of
    /// floating-point resolution (or the direction was not a descent direction).
    case lineSearchFailed
    /// `maxIterations` iterations were taken.
    case maxIterations
    /// The wall-clock `timeLimit` ran out (checked after every iteration).
    case timeLimit
    /// The loss became NaN or infinite: the step size is too large for this problem. The last
    /// finite iterate is returned.
    case nonFiniteLoss
    /// The callback asked to stop (for example a user interrupt).
    case stoppedByCallback
    /// A signal (SIGINT, SIGTERM) asked the run to stop; the iterate at the stop is returned.
    case interrupted

    /// One sentence for summaries and reports.
    public var explanation: String {
        switch self {
        case .completed: return "direct method, finished in one pass"
        case .lossConverged: return "relative loss change below tolerance"
        case .gradientConverged: return "gradient norm below tolerance"
        case .methodConverged: return "method reached its fixed point"
        case .lineSearchFailed: return "line search found no decrease (floating-point limit)"
        case .maxIterations: return "iteration limit reached"
        case .timeLimit: return "time limit reached"
        case .nonFiniteLoss: return "loss became non-finite; last finite iterate returned"
        case .stoppedByCallback: return "stopped by callback"
        case .interrupted: return "interrupted by a signal; the iterate at the stop is returned"
        }
    }
}
