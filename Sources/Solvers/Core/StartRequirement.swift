import LinearAlgebra

/// What a method does with a starting embedding. The driver checks it before any work, so a
/// method never unwraps a start it was not given and never silently drops one it was.
public enum StartRequirement: Sendable, Equatable {
    /// The method iterates from a given V (gradient methods): the run builds one from `--init`.
    case required
    /// The method can warm-start from a given V and makes its own when none is given (impute).
    case optional
    /// The method makes its own start (eigen computes V directly; the sampled methods draw their
    /// two tables from the seed); `--init` does not apply and the run notes it.
    case none

    /// The start for `method`, or a clear error when a required one is missing.
    public static func require(_ start: Matrix?, for method: String) throws -> Matrix {
        guard let start else { throw ProblemError.invalidOption("\(method) needs a starting embedding") }
        return start
    }
}
