import LinearAlgebra

/// Errors found in a problem or in solver options before any work starts.
public enum ProblemError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidDimension(requested: Int, itemCount: Int)
    case emptyProblem
    case notSymmetric(String)
    case nonFinite(String)
    case shapeMismatch(String)
    case invalidOption(String)
    /// The data leave nothing to learn (no likes, X zero off the diagonal): refused before any work.
    case degenerate(String)

    public var description: String {
        switch self {
        case let .invalidDimension(d, m):
            return "embedding dimension D = \(d) is invalid: it must satisfy 1 ≤ D ≤ M = \(m)"
        case .emptyProblem: return "the problem has no items"
        case let .notSymmetric(m): return "X is not symmetric: \(m)"
        case let .nonFinite(m): return "non-finite value: \(m)"
        case let .shapeMismatch(m): return "shape mismatch: \(m)"
        case let .invalidOption(m): return "invalid option: \(m)"
        case let .degenerate(m): return "nothing to learn: \(m)"
        }
    }
}
