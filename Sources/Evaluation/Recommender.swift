import LinearAlgebra

/// Anything that scores every item for a user from that user's history (a row of S), so that
/// embeddings and reference models are evaluated by exactly the same ranking code.
public protocol Recommender: Sendable {
    /// Name used in reports.
    var name: String { get }
    /// M, the number of items scored.
    var itemCount: Int { get }
    /// Scores of every item for each user in `users` (rows of `history`).
    ///
    /// The result is `itemCount × users.count`: column `b` holds user `users[b]`'s scores —
    /// the transpose of the natural users × items layout, because ranking scans one user's
    /// scores at a time and column-major storage makes that scan contiguous.
    func scores(for users: [Int], history: SparseMatrix) -> Matrix
}
