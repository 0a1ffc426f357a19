/// Errors from the linear-algebra layer. Every LAPACK or ARPACK `info` code that is not success
/// becomes one of these, named after the routine that returned it.
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An argument had an illegal value (LAPACK `info < 0`): a programming error in the wrapper.
    case illegalArgument(routine: String, position: Int)
    /// A LAPACK routine failed to converge or met a singular/indefinite matrix (`info > 0`).
    case lapackFailure(routine: String, info: Int, reason: String)
    /// ARPACK returned a non-zero `info`; `reason` is ARPACK's documented meaning.
    case arpackFailure(routine: String, info: Int, reason: String)
    /// Shapes that cannot be combined.
    case dimensionMismatch(String)
    /// A matrix that must be symmetric is not (largest `|a_ij − a_ji|` given).
    case notSymmetric(maxAsymmetry: Double, tolerance: Double)
    /// A non-finite value where finite numbers are required.
    case nonFinite(String)
    /// An invalid request (for example more eigenpairs than the dimension).
    case invalidArgument(String)
    /// An iterative eigensolver stopped with fewer converged eigenpairs than requested. Partial
    /// results are never returned: a caller that got this can raise the iteration limit, widen
    /// `ncv`, loosen the tolerance, or fall back to a dense solve.
    case notConverged(requested: Int, converged: Int, iterations: Int)

    public var description: String {
        switch self {
        case let .illegalArgument(routine, position):
            return "\(routine): argument \(position) had an illegal value"
        case let .lapackFailure(routine, info, reason):
            return "\(routine) failed (info = \(info)): \(reason)"
        case let .arpackFailure(routine, info, reason):
            return "\(routine) failed (info = \(info)): \(reason)"
        case let .dimensionMismatch(message):
            return "dimension mismatch: \(message)"
        case let .notSymmetric(asym, tol):
            return "matrix is not symmetric: max |a_ij − a_ji| = \(asym) exceeds tolerance \(tol)"
        case let .nonFinite(message):
            return "non-finite value: \(message)"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        case let .notConverged(requested, converged, iterations):
            return "eigensolver did not converge: \(converged) of \(requested) eigenpairs after \(iterations) restarts"
        }
    }
}
