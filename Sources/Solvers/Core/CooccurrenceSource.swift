import LinearAlgebra

/// Where X comes from. With interactions, X = SᵀS is never formed.
public enum CooccurrenceSource: Sendable {
    /// X = SᵀS for an interaction matrix S (users × items): the implicit path.
    case interactions(SparseMatrix)
    /// An explicit dense symmetric X (a user's own matrix): the LAPACK/BLAS path, O(M²·D).
    case dense(Matrix)
    /// An explicit sparse symmetric X (for example a transformed co-occurrence matrix).
    case sparse(SparseMatrix)
}
