/// Why an evaluation, a reference model or a lookup could not produce a result.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A LAPACK routine returned a non-zero `info`: negative means argument `-info` was illegal
    /// (a bug in the caller), positive means the matrix is not positive definite (for `dpotrf`,
    /// the leading minor of order `info`) or is singular (for `dpotri`, `U_ii = 0` at `info`).
    case lapackFailure(routine: String, info: Int32)
    /// An argument outside its documented domain (negative λ, K < 1, ...).
    case invalidArgument(String)
    /// Shapes that do not fit together (embedding rows ≠ items, user out of range, ...).
    case shapeMismatch(String)
    /// An input (embedding, Gram matrix) contains NaN or ±∞.
    case nonFinite(String)
    /// A recommender produced a NaN or infinite score, so a rank would be meaningless.
    case nonFiniteScore(method: String, user: Int)
    /// Nothing to evaluate: no user has a held-out item.
    case noEvaluableUsers

    public var description: String {
        switch self {
        case let .lapackFailure(routine, info) where info < 0:
            return "\(routine): argument \(-info) had an illegal value"
        case let .lapackFailure(routine, info):
            return "\(routine) failed (info = \(info)): the matrix is not positive definite (or is singular)"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        case let .shapeMismatch(message):
            return "shape mismatch: \(message)"
        case let .nonFinite(message):
            return "non-finite value: \(message)"
        case let .nonFiniteScore(method, user):
            return "\(method) produced a non-finite score for user row \(user)"
        case .noEvaluableUsers:
            return "no user has a held-out item (every user has fewer than 2 likes)"
        }
    }
}
