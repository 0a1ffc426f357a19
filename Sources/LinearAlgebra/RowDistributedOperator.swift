/// A symmetric operator of order `dimension` whose vectors are split by rows across participants
/// (MPI ranks or the threads of a team): each participant holds only the rows `ownRows` of every
/// n-vector and n × b panel. Every method is collective — all participants call it in the same
/// order.
///
/// `applyOwnRows` gives each participant its rows of A·X from its rows of X. `sumOverRows` completes
/// partial sums over rows (an inner product, a Gram matrix, a column norm²): it must return
/// bitwise the same totals on every participant, so that iterative solvers built on it take the
/// same decisions everywhere without exchanging them.
public protocol RowDistributedOperator {
    /// n, the operator's order (all rows, every participant the same).
    var dimension: Int { get }
    /// The rows of every vector this participant holds.
    var ownRows: Range<Int> { get }
    /// y ← the own rows of A·X, for X given by its own rows (`x.rows == ownRows.count`).
    func applyOwnRows(_ x: Matrix, into y: inout Matrix)
    /// Partial sums in, totals over every participant out (the same bits everywhere).
    func sumOverRows(_ partial: UnsafeMutableBufferPointer<Double>)
}
