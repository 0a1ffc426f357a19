import LinearAlgebra

/// A co-occurrence matrix X as read from disk: dense or sparse, whichever the file holds, so
/// solvers can pick the matching operator without densifying a large sparse X.
public enum CooccurrenceMatrix: Sendable, Equatable {
    case dense(Matrix)
    case sparse(SparseMatrix)

    /// The dimension n of the n × n matrix.
    public var dimension: Int {
        switch self {
        case let .dense(m): return m.rows
        case let .sparse(m): return m.rows
        }
    }
}
