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

extension SymmetricEigen {
    /// Rows `rows` of the one-process ARPACK start vector of an order-`n` operator (uniform in
    /// [−1, 1), SplitMix64 from `seed`), bitwise, without drawing the others: SplitMix64's state
    /// after i draws is seed + i·γ.
    public static func randomStart(order n: Int, rows: Range<Int>, seed: UInt64) -> [Double] {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= n)
        var rng = SplitMix64(seed: seed &+ UInt64(rows.lowerBound) &* 0x9E37_79B9_7F4A_7C15)
        return rows.map { _ in rng.nextSigned() }
    }

    /// ARPACK's (and PARPACK's) documented meaning of a non-zero `dsaupd` / `dseupd` info code.
    public static func arpackReason(routine: String, info: Int) -> String {
        routine.hasSuffix("seupd") ? ARPACK.dseupdReason(info) : ARPACK.dsaupdReason(info)
    }

    /// The end of a (p)dsaupd reverse-communication loop: info 0, or 1 (iteration limit) on the
    /// restart that converged the last wanted pair, is success; any other outcome is the typed
    /// error (too few pairs converged, or the routine's documented failure).
    public static func checkLanczosOutcome(routine: String, info: Int, requested k: Int, iterations: Int, converged: Int) throws {
        switch info {
        case 0, 1: // 1 = the iteration limit, fine when it came on the restart that converged the last pair
            guard converged >= k else { throw LinearAlgebraError.notConverged(requested: k, converged: converged, iterations: iterations) }
        default:
            throw LinearAlgebraError.arpackFailure(routine: routine, info: info, reason: arpackReason(routine: routine, info: info))
        }
    }
}
